// Tests of R-ACC-8 (projections/rules/accounting_adjustment.cc, declared in accounting.h): a
// closed civil year is never rewritten; a correction shows as régularisation lines in the first
// open year. Expected lines are computed by hand in the comments.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/core/violation.h"
#include "projections/rules/accounting.h"

namespace clas::rules {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr int64_t kEuro = 100;  // cents

std::vector<std::string> Texts(const Lines& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(DescribeLine(l));
  return out;
}

std::vector<std::string> RulesOf(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& v : ViolationsOf(s)) out.push_back(v.rule_id());
  return out;
}

DroitShares Droit(int64_t ps, int64_t n_share) {
  return DroitShares{.ps = Money::Cents(ps),
                     .droit = Money::Cents(ps),
                     .n_share = Money::Cents(n_share),
                     .n1_share = Money::Cents(ps - n_share)};
}

// Closing of 2026 recorded with PS of DP 10 000,00; a correction of the DP to 11 000,00
// (N share 4 400,00) arrives in 2027: charge à payer 1 600,00 instead of 1 200,00, engagement
// 6 600,00 instead of 6 000,00.
Lines Closing2026(int64_t ps, int64_t n_share) {
  std::vector<ClosingInput> in = {{"COF-1", GestionnaireKind::kAssociation,
                                   Droit(ps * kEuro, n_share * kEuro), Money::Cents(2'800 * kEuro),
                                   "EV-DP"}};
  return *ClosingLines(CivilYear(2026), absl::CivilDay(2026, 12, 31), in);
}

TEST(AccountingAdjustment, R_ACC_8_CorrectionOfAClosedYearIsBookedInTheFirstOpenYear) {
  const Lines recorded = Closing2026(10'000, 4'000);
  const Lines recomputed = Closing2026(11'000, 4'400);
  auto lines =
      AdjustmentLines(recorded, recomputed, absl::CivilDay(2027, 3, 15), "EV-COR", "EV-DP");
  ASSERT_TRUE(lines.ok()) << lines.status();
  // The 2026 share is of age 1 in 2027.
  EXPECT_THAT(Texts(*lines),
              ElementsAre("2027/03 D SF 65623224191 C T 408143111 400,00 € 81512214 R-ACC-8",
                          "2027/03 D T 8091 C T 80182 600,00 € 81512214 R-ACC-8"));
  for (const auto& l : *lines) {
    EXPECT_EQ(l.cause_event_id, "EV-COR");
    EXPECT_EQ(l.label, "Régularisation : correction de EV-DP");
    EXPECT_EQ(l.convention_id, "COF-1");
    EXPECT_EQ(l.school_year.n(), 2026);
  }
  // The reversal of December 2027 reverses the corrected engagement: 6 000,00 + 600,00.
  Lines booked = recorded;
  booked.insert(booked.end(), lines->begin(), lines->end());
  auto reversal =
      EngagementReversalLines(SchoolYear(2026), absl::CivilDay(2027, 12, 31), "EV-C27", booked);
  ASSERT_TRUE(reversal.ok());
  EXPECT_THAT(Texts(*reversal),
              ElementsAre("2027/12 D T 80182 C T 8091 6 600,00 € 81512214 R-ACC-4"));
}

TEST(AccountingAdjustment, R_ACC_8_DownwardCorrectionTwoYearsLaterReversesDirectionAndAges) {
  const Lines recorded = Closing2026(10'000, 4'000);
  const Lines recomputed = Closing2026(9'000, 3'600);  // charge 800,00, engagement 5 400,00
  auto lines =
      AdjustmentLines(recorded, recomputed, absl::CivilDay(2028, 1, 10), "EV-COR", "EV-DP");
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_THAT(Texts(*lines),
              ElementsAre("2028/01 D T 408143111 C SF 65623224192 400,00 € 81512214 R-ACC-8",
                          "2028/01 D T 80182 C T 8091 600,00 € 81512214 R-ACC-8"));
  auto none = AdjustmentLines(recorded, recorded, absl::CivilDay(2027, 1, 10), "EV", "EV-DP");
  ASSERT_TRUE(none.ok());
  EXPECT_THAT(*none, IsEmpty());
}

TEST(AccountingAdjustment, R_ACC_8_OnlyClosedYearsAreRegularised) {
  const Lines recorded = Closing2026(10'000, 4'000);
  auto same_year = AdjustmentLines(recorded, recorded, absl::CivilDay(2026, 12, 31), "EV-COR", "");
  ASSERT_FALSE(same_year.ok());
  EXPECT_THAT(RulesOf(same_year.status()), ::testing::Each(std::string("R-ACC-8")));
  EXPECT_THAT(same_year.status().message(), HasSubstr("corrected_event_id"));
  EXPECT_THAT(same_year.status().message(), HasSubstr("recorded[0].civil_year"));
}

}  // namespace
}  // namespace clas::rules
