// The wire form of a booked line (codec/line_codec.h): every line the rules book comes back
// from its wire form equal, with the same bytes; a recorded line the rules cannot have booked is
// refused, naming its field.
#include "projections/codec/line_codec.h"

#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/rules/accounting.h"
#include "tests/projections/droit_shares_for_tests.h"

namespace clas {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr int64_t kEuro = 100;

// R-PAY-1 by hand (droit_shares_for_tests.h).
DroitShares Droit(int64_t ps, int64_t bonus = 0) { return testing::SharesOfPs(ps, bonus); }

// Lines of every rule that books one (R-ACC-2, 3, 4, 5, 8, 9), both sides of every account.
rules::Lines EveryKindOfLine() {
  const rules::LineOrigin origin{"COF-1", SchoolYear(2026), GestionnaireKind::kEntreprise, "EV-1"};
  rules::Lines out;
  auto add = [&](absl::StatusOr<rules::Lines> lines) {
    EXPECT_TRUE(lines.ok()) << lines.status();
    if (lines.ok()) out.insert(out.end(), lines->begin(), lines->end());
  };
  add(rules::AcompteLines(origin, absl::CivilDay(2026, 10, 15), Money::Cents(2'800 * kEuro)));
  const std::vector<rules::ClosingInput> closing = {{"COF-1", GestionnaireKind::kEntreprise,
                                                     Droit(10'000 * kEuro, 0),
                                                     Money::Cents(2'800 * kEuro), "EV-DP"}};
  const rules::Lines closed =
      *rules::ClosingLines(CivilYear(2026), absl::CivilDay(2026, 12, 31), closing);
  add(closed);
  add(rules::EngagementReversalLines(SchoolYear(2026), absl::CivilDay(2027, 12, 31), "EV-C27",
                                     closed));
  add(rules::SoldeLines({origin, absl::CivilDay(2028, 11, 5), Money::Cents(3'000 * kEuro),
                         Droit(10'000 * kEuro, 500 * kEuro), Money::Cents(2'800 * kEuro),
                         Money::Cents(1'200 * kEuro)}));
  add(rules::RappelLines(origin, absl::CivilDay(2029, 3, 1), Money::Cents(100 * kEuro)));
  add(rules::RecoveryLines({origin, absl::CivilDay(2029, 4, 1), Money::Cents(50 * kEuro),
                            RecoveryMethod::kOffset, "pay-9", "COF-2"}));
  const std::vector<rules::ClosingInput> corrected = {{"COF-1", GestionnaireKind::kEntreprise,
                                                       Droit(9'000 * kEuro, 0),
                                                       Money::Cents(2'800 * kEuro), "EV-DP2"}};
  add(rules::AdjustmentLines(
      closed, *rules::ClosingLines(CivilYear(2026), absl::CivilDay(2026, 12, 31), corrected),
      absl::CivilDay(2027, 12, 31), "EV-COR", "EV-DP"));
  return out;
}

TEST(LineCodec, R_ACC_1_R_ACC_6_EveryLineTheRulesBookComesBackEqualWithTheSameBytes) {
  const rules::Lines lines = EveryKindOfLine();
  std::set<std::string> rules_seen;
  for (const Line& line : lines) {
    const v1::AccountingLine wire = codec::Encode(line);
    EXPECT_EQ(wire.debit_account(), AccountName(line.debit));
    EXPECT_EQ(wire.date(), YmdFromDay(line.date));
    EXPECT_EQ(wire.civil_year(), line.date.year());
    const absl::StatusOr<Line> back = codec::Decode(wire);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_TRUE(*back == line) << rules::DescribeLine(line);
    EXPECT_EQ(codec::Encode(*back).SerializeAsString(), wire.SerializeAsString());
    rules_seen.insert(std::string(line.rule.id));
  }
  EXPECT_EQ(rules_seen.size(), std::size(kLineRules));
}

// A wire line as the closing of 2026 records it, with one field changed.
v1::AccountingLine Recorded() { return codec::Encode(EveryKindOfLine()[1]); }

void ExpectRefused(const v1::AccountingLine& wire, const std::string& field,
                   const std::string& why) {
  const absl::StatusOr<Line> line = codec::Decode(wire);
  ASSERT_EQ(line.status().code(), absl::StatusCode::kDataLoss) << field;
  EXPECT_THAT(std::string(line.status().message()),
              AllOf(HasSubstr("clas.v1.AccountingLine." + field), HasSubstr(why)));
}

TEST(LineCodec, R_ACC_1_R_ACC_6_ALineNoRuleBooksIsRefusedNamingItsField) {
  ASSERT_EQ(Recorded().month(), kClosingMonth);
  v1::AccountingLine wire = Recorded();
  wire.clear_credit_account();  // one-sided
  ExpectRefused(wire, "credit_account", "compte inconnu (R-ACC-1)");
  wire = Recorded();
  wire.set_debit_account("SF 999");
  ExpectRefused(wire, "debit_account", "compte inconnu (R-ACC-1)");
  wire = Recorded();
  wire.set_credit_account(wire.debit_account());
  ExpectRefused(wire, "credit_account", "aussi crédité");
  wire = Recorded();
  wire.set_statistical_code("99999999");
  ExpectRefused(wire, "statistical_code", "code statistique inconnu (R-ACC-6)");
  wire = Recorded();
  wire.set_rule_id("R-PAY-2");
  ExpectRefused(wire, "rule_id", "pas une règle");
  wire = Recorded();
  wire.set_civil_year(2025);
  ExpectRefused(wire, "civil_year", "pas l'année de la date");
  wire = Recorded();
  wire.set_date(20261130);  // the closing period is in December
  ExpectRefused(wire, "month", "période de clôture");
  wire = Recorded();
  wire.set_date(20260231);
  ExpectRefused(wire, "date", "pas un jour");
}

TEST(LineCodec, R_ACC_8_ARefusedLineIsNamedByItsPlaceAmongTheClosingsLines) {
  google::protobuf::RepeatedPtrField<v1::AccountingLine> wire;
  codec::Encode(EveryKindOfLine(), &wire);
  ASSERT_TRUE(codec::Decode(wire).ok());
  wire.Mutable(2)->set_statistical_code("");
  const auto lines = codec::Decode(wire);
  ASSERT_EQ(lines.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(lines.status().message()),
              AllOf(HasSubstr("ligne 2"), HasSubstr("statistical_code")));
}

}  // namespace
}  // namespace clas
