// Tests of projections/rules/accounting.h: the lines of R-ACC-1..6, R-ACC-8 and R-ACC-9.
//
// Expected lines are written as sentences (DescribeLine) with amounts taken from RULES.md §7 or
// computed by hand in the comments; never copied from the code's output.
#include "projections/rules/accounting.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/core/violation.h"

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

// A breakdown with the figures the accounting reads; shares written by the caller.
DroitShares Droit(int64_t ps, int64_t n_share, int64_t bonus_enfants = 0,
                  int64_t bonus_parents = 0) {
  return DroitShares{.ps = Money::Cents(ps),
                     .bonus_enfants = Money::Cents(bonus_enfants),
                     .bonus_parents = Money::Cents(bonus_parents),
                     .droit = Money::Cents(ps + bonus_enfants + bonus_parents),
                     .n_share = Money::Cents(n_share),
                     .n1_share = Money::Cents(ps - n_share + bonus_enfants + bonus_parents)};
}

LineOrigin Origin(int32_t school_year, std::string cause,
                  GestionnaireKind kind = GestionnaireKind::kAssociation) {
  return {"COF-1", SchoolYear(school_year), kind, std::move(cause)};
}

std::vector<std::string> RulesOf(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& v : ViolationsOf(s)) out.push_back(v.rule_id());
  return out;
}

// The figures of RULES.md §7's worked example: PS of DP 10 000,00 (N share 4 000,00), PS of DR
// 9 000,00 (N share 3 600,00), acompte 2 800,00 dated in 2026, 4 200,00 dated in 2027.
DroitShares ExampleDp() { return Droit(10'000 * kEuro, 4'000 * kEuro); }
DroitShares ExampleDr() { return Droit(9'000 * kEuro, 3'600 * kEuro); }

SoldeInput ExampleSolde(absl::CivilDay paid_on) {
  SoldeInput in;
  in.origin = Origin(2026, "EV-SOLDE");
  in.paid_on = paid_on;
  in.solde = Money::Cents(2'000 * kEuro);  // 9 000,00 - (2 800,00 + 4 200,00)
  in.dr = ExampleDr();
  in.acomptes_dated_in_n = Money::Cents(2'800 * kEuro);
  in.open_charge_a_payer = Money::Cents(1'200 * kEuro);  // from the closing of 2026
  return in;
}

TEST(Accounting, R_ACC_1_SubsidyAccountByAge) {
  struct Case {
    int age;
    const char* account;
  };
  for (const Case& c : {Case{0, "SF 6562322410"}, Case{1, "SF 65623224191"},
                        Case{2, "SF 65623224192"}, Case{7, "SF 65623224192"}}) {
    EXPECT_EQ(AccountName(SubsidyAccountForAge(c.age)), c.account) << "age " << c.age;
    EXPECT_EQ(AgeOfSubsidyAccount(*AccountNamed(c.account)), std::min(c.age, 2));
  }
  EXPECT_EQ(AgeOfSubsidyAccount(*AccountNamed("T 408143111")), std::nullopt);
}

TEST(AccountingDeathTest, R_ACC_1_NegativeAgeIsABrokenInvariant) {
  EXPECT_DEATH(SubsidyAccountForAge(-1), "R-ACC-1");
}

TEST(Accounting, R_ACC_6_StatisticalCodeByKind) {
  struct Case {
    GestionnaireKind kind;
    const char* ps;
    const char* bonus;
  };
  for (const Case& c : {Case{GestionnaireKind::kAssociation, "81512214", "81512215"},
                        Case{GestionnaireKind::kCentreSocial, "81512214", "81512215"},
                        Case{GestionnaireKind::kEvs, "81512214", "81512215"},
                        Case{GestionnaireKind::kCommune, "81512214", "81512215"},
                        Case{GestionnaireKind::kCafInterne, "81513214", "81513215"},
                        Case{GestionnaireKind::kEntreprise, "81514214", "81514215"}}) {
    EXPECT_EQ(CodeName(StatisticalCodeOf(c.kind, false)), c.ps) << static_cast<int>(c.kind);
    EXPECT_EQ(CodeName(StatisticalCodeOf(c.kind, true)), c.bonus) << static_cast<int>(c.kind);
  }
}

TEST(Accounting, R_ACC_2_WorkedExampleAcompte2026) {
  auto lines = AcompteLines(Origin(2026, "EV-AC1"), absl::CivilDay(2026, 10, 15),
                            Money::Cents(2'800 * kEuro));
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_THAT(Texts(*lines), ElementsAre("2026/10 D SF 6562322410 C Règlement gestionnaire "
                                         "2 800,00 € 81512214 R-ACC-2"));
  const Line& l = lines->front();
  EXPECT_EQ(l.date, absl::CivilDay(2026, 10, 15));
  EXPECT_EQ(l.convention_id, "COF-1");
  EXPECT_EQ(l.school_year.n(), 2026);
  EXPECT_EQ(l.cause_event_id, "EV-AC1");
  EXPECT_EQ(l.label, "Acompte 2026-2027");
  EXPECT_TRUE(IsPaymentLine(l));
}

TEST(Accounting, R_ACC_2_AcompteDatedInNPlus1IsAlsoAgeZero) {
  auto lines = AcompteLines(Origin(2026, "EV-AC2", GestionnaireKind::kEntreprise),
                            absl::CivilDay(2027, 2, 1), Money::Cents(4'200 * kEuro));
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_THAT(Texts(*lines), ElementsAre("2027/02 D SF 6562322410 C Règlement gestionnaire "
                                         "4 200,00 € 81514214 R-ACC-2"));
}

TEST(Accounting, R_ACC_2_RejectsAcompteOutsideNAndNPlus1AndBadInputs) {
  auto late = AcompteLines(Origin(2026, "EV"), absl::CivilDay(2028, 1, 5), Money::Cents(1));
  EXPECT_EQ(late.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(late.status().message(), HasSubstr("R-PAY-4"));
  LineOrigin bad = Origin(2026, "");
  bad.kind = std::nullopt;
  auto all = AcompteLines(bad, absl::CivilDay(2026, 10, 1), Money::Zero());
  ASSERT_FALSE(all.ok());
  // Every fault at once: cause, kind, amount.
  EXPECT_EQ(ViolationsOf(all.status()).size(), 3u);
  EXPECT_THAT(RulesOf(all.status()), ::testing::Each(std::string("R-ACC-2")));
}

TEST(Accounting, R_ACC_3_R_ACC_4_WorkedExampleClosing2026) {
  std::vector<ClosingInput> in = {
      {"COF-1", GestionnaireKind::kAssociation, ExampleDp(), Money::Cents(2'800 * kEuro), "EV-DP"}};
  auto lines = ClosingLines(CivilYear(2026), absl::CivilDay(2026, 12, 31), in);
  ASSERT_TRUE(lines.ok()) << lines.status();
  // Charge à payer 4 000,00 - 2 800,00 = 1 200,00; engagement 10 000,00 - 4 000,00 = 6 000,00.
  EXPECT_THAT(Texts(*lines),
              ElementsAre("2026/13 D SF 6562322410 C T 408143111 1 200,00 € 81512214 R-ACC-3",
                          "2026/13 D T 8091 C T 80182 6 000,00 € 81512214 R-ACC-4"));
  EXPECT_EQ((*lines)[0].school_year.n(), 2026);
  EXPECT_EQ((*lines)[0].date, absl::CivilDay(2026, 12, 31));
  EXPECT_FALSE(IsPaymentLine((*lines)[0]));
}

TEST(Accounting, R_ACC_3_NoChargeAPayerWhenAcomptesCoverTheNShare) {
  // DP lowered after the acomptes: PS 5 000,00, N share 2 000,00, acomptes 2 800,00.
  std::vector<ClosingInput> in = {{"COF-2", GestionnaireKind::kCafInterne,
                                   Droit(5'000 * kEuro, 2'000 * kEuro), Money::Cents(2'800 * kEuro),
                                   "EV-DP2"}};
  auto lines = ClosingLines(CivilYear(2026), absl::CivilDay(2026, 12, 31), in);
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_THAT(Texts(*lines), ElementsAre("2026/13 D T 8091 C T 80182 3 000,00 € 81513214 R-ACC-4"));
}

TEST(Accounting, R_ACC_3_ClosingRejectsInconsistentInputs) {
  DroitShares wrong_share = Droit(10'000 * kEuro, 3'000 * kEuro);
  DroitShares other_year = ExampleDp();
  other_year.school_year = SchoolYear(2025);
  std::vector<ClosingInput> in = {
      {"COF-1", GestionnaireKind::kAssociation, wrong_share, Money::Zero(), "EV"},
      {"COF-1", GestionnaireKind::kAssociation, other_year, Money::Cents(-1), "EV"}};
  auto lines = ClosingLines(CivilYear(2026), absl::CivilDay(2027, 1, 15), in);
  ASSERT_FALSE(lines.ok());
  const std::string msg(lines.status().message());
  EXPECT_THAT(msg, HasSubstr("R-PAY-1"));             // N share not 4/10
  EXPECT_THAT(msg, HasSubstr("présente deux fois"));  // COF-1 twice
  EXPECT_THAT(msg, HasSubstr("2026-2027"));           // DP of 2025
  EXPECT_THAT(msg, HasSubstr("conventions[1].acomptes_dated_in_y"));
  EXPECT_THAT(msg, HasSubstr("booked_on"));  // dated in 2027
}

TEST(Accounting, R_ACC_4_WorkedExampleReversalInDecember2027) {
  std::vector<ClosingInput> in = {
      {"COF-1", GestionnaireKind::kAssociation, ExampleDp(), Money::Cents(2'800 * kEuro), "EV-DP"}};
  Lines booked = *ClosingLines(CivilYear(2026), absl::CivilDay(2026, 12, 31), in);
  auto reversal = EngagementReversalLines(SchoolYear(2026), absl::CivilDay(2027, 12, 31),
                                          "EV-CLOSE-2027", booked);
  ASSERT_TRUE(reversal.ok()) << reversal.status();
  EXPECT_THAT(Texts(*reversal),
              ElementsAre("2027/12 D T 80182 C T 8091 6 000,00 € 81512214 R-ACC-4"));
  EXPECT_EQ((*reversal)[0].cause_event_id, "EV-CLOSE-2027");
  // Asked again with the reversal among the lines, the answer is the same (it is ignored).
  booked.insert(booked.end(), reversal->begin(), reversal->end());
  auto again =
      EngagementReversalLines(SchoolYear(2026), absl::CivilDay(2027, 12, 31), "EV-X", booked);
  ASSERT_TRUE(again.ok());
  EXPECT_THAT(Texts(*again), ElementsAre(DescribeLine((*reversal)[0])));
  // Only in month 12 of N+1.
  auto early =
      EngagementReversalLines(SchoolYear(2026), absl::CivilDay(2027, 11, 30), "EV", booked);
  EXPECT_EQ(early.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(RulesOf(early.status()), ElementsAre("R-ACC-4"));
}

TEST(Accounting, R_ACC_5_WorkedExampleSoldeIn2027) {
  auto lines = SoldeLines(ExampleSolde(absl::CivilDay(2027, 11, 5)));
  ASSERT_TRUE(lines.ok()) << lines.status();
  // d_N = 3 600,00 - 2 800,00 = 800,00 settles the charge à payer; the rest 1 200,00 is the
  // 2027 share (age 0); the 400,00 left of the charge à payer is cancelled on the 2026 share
  // (age 1).
  EXPECT_THAT(
      Texts(*lines),
      ElementsAre("2027/11 D T 408143111 C Règlement gestionnaire 800,00 € 81512214 R-ACC-5",
                  "2027/11 D SF 6562322410 C Règlement gestionnaire 1 200,00 € 81512214 R-ACC-5",
                  "2027/11 D T 408143111 C SF 65623224191 400,00 € 81512214 R-ACC-5"));
  EXPECT_TRUE(IsPaymentLine((*lines)[0]));
  EXPECT_TRUE(IsPaymentLine((*lines)[1]));
  EXPECT_FALSE(IsPaymentLine((*lines)[2]));  // a cancellation pays nothing
  EXPECT_EQ((*lines)[2].label, "Annulation reliquat charge à payer 2026 (2026-2027)");
}

TEST(Accounting, R_ACC_5_WorkedExampleVariantSoldeIn2028) {
  auto lines = SoldeLines(ExampleSolde(absl::CivilDay(2028, 3, 10)));
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_THAT(
      Texts(*lines),
      ElementsAre("2028/03 D T 408143111 C Règlement gestionnaire 800,00 € 81512214 R-ACC-5",
                  "2028/03 D SF 65623224191 C Règlement gestionnaire 1 200,00 € 81512214 R-ACC-5",
                  "2028/03 D T 408143111 C SF 65623224192 400,00 € 81512214 R-ACC-5"));
}

TEST(Accounting, R_ACC_5_R_ACC_6_BonusGoesToTheNPlus1ShareWithTheBonusCode) {
  // DR: PS 9 000,00 (N share 3 600,00), bonus enfants 1 000,00, bonus parents 500,00.
  // Solde = 10 500,00 - 7 000,00 = 3 500,00. s_N = 800,00; rest 2 700,00 = bonus 1 500,00 +
  // PS 1 200,00. The Caf runs the action itself: dépenses internes codes.
  SoldeInput in = ExampleSolde(absl::CivilDay(2027, 11, 5));
  in.origin.kind = GestionnaireKind::kCafInterne;
  in.dr = Droit(9'000 * kEuro, 3'600 * kEuro, 1'000 * kEuro, 500 * kEuro);
  in.solde = Money::Cents(3'500 * kEuro);
  auto lines = SoldeLines(in);
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_THAT(
      Texts(*lines),
      ElementsAre("2027/11 D T 408143111 C Règlement gestionnaire 800,00 € 81513214 R-ACC-5",
                  "2027/11 D SF 6562322410 C Règlement gestionnaire 1 500,00 € 81513215 R-ACC-5",
                  "2027/11 D SF 6562322410 C Règlement gestionnaire 1 200,00 € 81513214 R-ACC-5",
                  "2027/11 D T 408143111 C SF 65623224191 400,00 € 81513214 R-ACC-5"));
}

// Solde cases of school year 2026 paid on 05/11/2027 (euros); expected lines by hand.
struct SoldeCase {
  const char* name;
  int64_t dr_ps, dr_n_share, bonus, acomptes_n, solde, open_charge;
  std::vector<std::string> expected;
};

// clang-format off
std::vector<SoldeCase> SoldeCases() {
  return {
    // No charge à payer open: s_N = min(4 000 - 2 800, 3 000) = 1 200 on the 2026 share
    // (age 1); 1 800 on the 2027 share (age 0).
    {"no open charge",  10'000, 4'000,     0, 2'800,  3'000,     0,
     {"2027/11 D SF 65623224191 C Règlement gestionnaire 1 200,00 € 81512214 R-ACC-5",
      "2027/11 D SF 6562322410 C Règlement gestionnaire 1 800,00 € 81512214 R-ACC-5"}},
    // Solde below d_N: d_N = 1 600 - 1 000 = 600, solde 100 -> s_N = 100 settles 100 of the
    // open 1 800; the 1 700 left is cancelled.
    {"solde below d_N",  4'000, 1'600,     0, 1'000,    100, 1'800,
     {"2027/11 D T 408143111 C Règlement gestionnaire 100,00 € 81512214 R-ACC-5",
      "2027/11 D T 408143111 C SF 65623224191 1 700,00 € 81512214 R-ACC-5"}},
    // d_N negative (acomptes of N above DR's N share): everything on the 2027 share.
    {"d_N negative",     8'000, 3'200,     0, 3'500,    500,     0,
     {"2027/11 D SF 6562322410 C Règlement gestionnaire 500,00 € 81512214 R-ACC-5"}},
    // Bonus larger than the rest: the rest is all bonus.
    {"rest all bonus",  10'000, 4'000, 2'000, 4'000,  1'500,     0,
     {"2027/11 D SF 6562322410 C Règlement gestionnaire 1 500,00 € 81512215 R-ACC-5"}},
    // Negative solde: nothing paid, the open charge à payer is cancelled.
    {"negative solde",   6'000, 2'400,     0, 2'800, -1'000, 1'200,
     {"2027/11 D T 408143111 C SF 65623224191 1 200,00 € 81512214 R-ACC-5"}},
    // Zero solde and nothing open: no line at all.
    {"zero solde",       7'000, 2'800,     0, 2'800,      0,     0, {}},
  };
}
// clang-format on

TEST(Accounting, R_ACC_5_TableOfSoldeCases) {
  for (const SoldeCase& c : SoldeCases()) {
    SoldeInput in = ExampleSolde(absl::CivilDay(2027, 11, 5));
    in.dr = Droit(c.dr_ps * kEuro, c.dr_n_share * kEuro, c.bonus * kEuro);
    in.acomptes_dated_in_n = Money::Cents(c.acomptes_n * kEuro);
    in.solde = Money::Cents(c.solde * kEuro);
    in.open_charge_a_payer = Money::Cents(c.open_charge * kEuro);
    auto lines = SoldeLines(in);
    ASSERT_TRUE(lines.ok()) << c.name << ": " << lines.status();
    EXPECT_EQ(Texts(*lines), c.expected) << c.name;
  }
}

TEST(Accounting, R_ACC_5_RejectsSoldeBeforeNPlus1AndInconsistentDr) {
  SoldeInput in = ExampleSolde(absl::CivilDay(2026, 12, 15));
  in.dr = Droit(9'000 * kEuro, 3'000 * kEuro);
  in.open_charge_a_payer = Money::Cents(-1);
  auto lines = SoldeLines(in);
  ASSERT_EQ(lines.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string msg(lines.status().message());
  EXPECT_THAT(msg, HasSubstr("ne peut être datée avant 2027"));
  EXPECT_THAT(msg, HasSubstr("R-PAY-1"));
  EXPECT_THAT(msg, HasSubstr("open_charge_a_payer"));
  EXPECT_THAT(RulesOf(lines.status()), ::testing::Each(std::string("R-ACC-5")));
}

TEST(Accounting, R_ACC_5_OpenChargeAPayerNetsTheLinesOfOneConventionAndYear) {
  std::vector<ClosingInput> in = {
      {"COF-1", GestionnaireKind::kAssociation, ExampleDp(), Money::Cents(2'800 * kEuro), "EV-DP"},
      {"COF-9", GestionnaireKind::kAssociation, ExampleDp(), Money::Zero(), "EV-DP9"}};
  Lines booked = *ClosingLines(CivilYear(2026), absl::CivilDay(2026, 12, 31), in);
  EXPECT_EQ(OpenChargeAPayer(booked, "COF-1", SchoolYear(2026)), Money::Cents(1'200 * kEuro));
  EXPECT_EQ(OpenChargeAPayer(booked, "COF-9", SchoolYear(2026)), Money::Cents(4'000 * kEuro));
  EXPECT_EQ(OpenChargeAPayer(booked, "COF-1", SchoolYear(2025)), Money::Zero());
  Lines solde = *SoldeLines(ExampleSolde(absl::CivilDay(2027, 11, 5)));
  booked.insert(booked.end(), solde.begin(), solde.end());
  // 1 200,00 - 800,00 settled - 400,00 cancelled.
  EXPECT_EQ(OpenChargeAPayer(booked, "COF-1", SchoolYear(2026)), Money::Zero());
}

TEST(Accounting, R_ACC_9_RappelOnTheNPlus1ShareByAge) {
  struct Case {
    absl::CivilDay paid_on;
    const char* expected;
  };
  for (const Case& c :
       {Case{absl::CivilDay(2027, 10, 1),
             "2027/10 D SF 6562322410 C Règlement gestionnaire 350,00 € 81512214 R-ACC-9"},
        Case{absl::CivilDay(2028, 6, 30),
             "2028/06 D SF 65623224191 C Règlement gestionnaire 350,00 € 81512214 R-ACC-9"},
        Case{absl::CivilDay(2030, 1, 2),
             "2030/01 D SF 65623224192 C Règlement gestionnaire 350,00 € 81512214 R-ACC-9"}}) {
    auto lines = RappelLines(Origin(2026, "EV-RAPPEL"), c.paid_on, Money::Cents(350 * kEuro));
    ASSERT_TRUE(lines.ok()) << lines.status();
    EXPECT_THAT(Texts(*lines), ElementsAre(c.expected));
    EXPECT_TRUE(IsPaymentLine(lines->front()));
  }
  auto early = RappelLines(Origin(2026, "EV"), absl::CivilDay(2026, 12, 1), Money::Cents(1));
  EXPECT_THAT(RulesOf(early.status()), ElementsAre("R-ACC-9"));
}

TEST(Accounting, R_ACC_9_RecoveryCreditsTheSubsidyAccount) {
  RecoveryInput repayment{Origin(2026, "EV-REC1"),
                          absl::CivilDay(2028, 2, 14),
                          Money::Cents(600 * kEuro),
                          RecoveryMethod::kRepayment,
                          "",
                          ""};
  auto lines = RecoveryLines(repayment);
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_THAT(Texts(*lines), ElementsAre("2028/02 D Règlement gestionnaire C SF 65623224191 "
                                         "600,00 € 81512214 R-ACC-9"));
  EXPECT_EQ(lines->front().label, "Remboursement indu 2026-2027");
  EXPECT_FALSE(IsPaymentLine(lines->front()));
}

TEST(Accounting, R_ACC_9_OffsetNamesTheReducedPayment) {
  RecoveryInput offset{Origin(2026, "EV-REC2"),
                       absl::CivilDay(2027, 11, 5),
                       Money::Cents(250 * kEuro),
                       RecoveryMethod::kOffset,
                       "PAY-77",
                       "COF-4"};
  auto lines = RecoveryLines(offset);
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_THAT(Texts(*lines), ElementsAre("2027/11 D Règlement gestionnaire C SF 6562322410 "
                                         "250,00 € 81512214 R-ACC-9"));
  EXPECT_EQ(lines->front().label,
            "Indu 2026-2027 compensé sur le paiement PAY-77 (convention COF-4)");
  offset.offset_payment_id.clear();
  offset.method = std::nullopt;
  auto bad = RecoveryLines(offset);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("mode de recouvrement inconnu"));
  offset.method = RecoveryMethod::kOffset;
  EXPECT_THAT(RecoveryLines(offset).status().message(), HasSubstr("offset_payment_id"));
}

}  // namespace
}  // namespace clas::rules
