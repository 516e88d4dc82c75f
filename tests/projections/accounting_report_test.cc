// Tests of projections/rules/accounting_report.h: the envelope follow-up (R-ACC-7) and the books
// of a civil year (R-ACC-10), on RULES.md §7's worked example and on random school-year flows.
#include "projections/rules/accounting_report.h"

#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/rules/accounting.h"
#include "tests/projections/droit_shares_for_tests.h"
#include "tests/projections/report_text.h"

namespace clas::rules {
namespace {

using ::clas::testing::FormatReport;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr int64_t kEuro = 100;  // cents

// R-PAY-1 by hand (droit_shares_for_tests.h).
DroitShares Droit(int64_t ps, int64_t bonus = 0) { return testing::SharesOfPs(ps, bonus); }

void Append(Lines* all, const absl::StatusOr<Lines>& more) {
  ASSERT_TRUE(more.ok()) << more.status();
  all->insert(all->end(), more->begin(), more->end());
}

Lines OfYear(const Lines& all, int32_t year) {
  Lines out;
  for (const auto& l : all) {
    if (l.civil_year().y() == year) out.push_back(l);
  }
  return out;
}

// RULES.md §7's worked example, every line of 2026 and 2027.
Lines WorkedExampleLines() {
  const LineOrigin origin{"COF-1", SchoolYear(2026), GestionnaireKind::kAssociation, ""};
  auto with_cause = [&](std::string cause) {
    LineOrigin o = origin;
    o.cause_event_id = std::move(cause);
    return o;
  };
  Lines all;
  Append(&all, AcompteLines(with_cause("EV-AC1"), absl::CivilDay(2026, 10, 15),
                            Money::Cents(2'800 * kEuro)));
  Append(&all, ClosingLines(CivilYear(2026), absl::CivilDay(2026, 12, 31),
                            {{"COF-1", GestionnaireKind::kAssociation, Droit(10'000 * kEuro),
                              Money::Cents(2'800 * kEuro), "EV-DP"}}));
  Append(&all, AcompteLines(with_cause("EV-AC2"), absl::CivilDay(2027, 2, 1),
                            Money::Cents(4'200 * kEuro)));
  SoldeInput solde{with_cause("EV-SOLDE"),      absl::CivilDay(2027, 11, 5),
                   Money::Cents(2'000 * kEuro), Droit(9'000 * kEuro),
                   Money::Cents(2'800 * kEuro), OpenChargeAPayer(all, "COF-1", SchoolYear(2026))};
  Append(&all, SoldeLines(solde));
  Append(&all,
         EngagementReversalLines(SchoolYear(2026), absl::CivilDay(2027, 12, 31), "EV-C27", all));
  return all;
}

std::vector<EnvelopeDp> ExampleDps() {
  return {{"COF-1", SchoolYear(2026), Droit(10'000 * kEuro)}};
}

TEST(AccountingReport, R_ACC_10_WorkedExampleBooksOf2026) {
  auto report = BuildCivilYearReport("caf-75", CivilYear(2026), OfYear(WorkedExampleLines(), 2026),
                                     Money::Cents(2'800 * kEuro), {}, ExampleDps());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(FormatReport(*report),
            "Exercice 2026, Caf caf-75\n"
            "Règlement gestionnaire : ouverture 0,00 €, débits 0,00 €, crédits 2 800,00 €, "
            "clôture C 2 800,00 €\n"
            "SF 6562322410 : ouverture 0,00 €, débits 4 000,00 €, crédits 0,00 €, "
            "clôture D 4 000,00 €\n"
            "T 408143111 : ouverture 0,00 €, débits 0,00 €, crédits 1 200,00 €, "
            "clôture C 1 200,00 €\n"
            "T 80182 : ouverture 0,00 €, débits 0,00 €, crédits 6 000,00 €, "
            "clôture C 6 000,00 €\n"
            "T 8091 : ouverture 0,00 €, débits 6 000,00 €, crédits 0,00 €, "
            "clôture D 6 000,00 €\n"
            "code 81512214 : lignes 10 000,00 €, charge nette 4 000,00 €\n"
            "paiements : écritures 2 800,00 €, événements 2 800,00 €\n"
            "enveloppe : parts N 4 000,00 € + parts N+1 0,00 € = 4 000,00 €, payé 2 800,00 €, "
            "reste 1 200,00 €\n"
            "contrôles : tous satisfaits\n");
}

TEST(AccountingReport, R_ACC_10_WorkedExampleBooksOf2027CarryForward) {
  const Lines all = WorkedExampleLines();
  auto y2026 = BuildCivilYearReport("caf-75", CivilYear(2026), OfYear(all, 2026),
                                    Money::Cents(2'800 * kEuro), {}, ExampleDps());
  ASSERT_TRUE(y2026.ok());
  // Payment events of 2027: acompte 4 200,00 + solde 2 000,00.
  auto report =
      BuildCivilYearReport("caf-75", CivilYear(2027), OfYear(all, 2027),
                           Money::Cents(6'200 * kEuro), ClosingBalances(*y2026), ExampleDps());
  ASSERT_TRUE(report.ok()) << report.status();
  // Charges of 2027: 4 200,00 + 1 200,00 - 400,00 = 5 000,00; with the 4 000,00 of 2026 the
  // Caf expensed 9 000,00, the DR. Every balance-sheet account is back to zero.
  EXPECT_EQ(FormatReport(*report),
            "Exercice 2027, Caf caf-75\n"
            "Règlement gestionnaire : ouverture 0,00 €, débits 0,00 €, crédits 6 200,00 €, "
            "clôture C 6 200,00 €\n"
            "SF 6562322410 : ouverture 0,00 €, débits 5 400,00 €, crédits 0,00 €, "
            "clôture D 5 400,00 €\n"
            "SF 65623224191 : ouverture 0,00 €, débits 0,00 €, crédits 400,00 €, "
            "clôture C 400,00 €\n"
            "T 408143111 : ouverture C 1 200,00 €, débits 1 200,00 €, crédits 0,00 €, "
            "clôture 0,00 €\n"
            "T 80182 : ouverture C 6 000,00 €, débits 6 000,00 €, crédits 0,00 €, "
            "clôture 0,00 €\n"
            "T 8091 : ouverture D 6 000,00 €, débits 0,00 €, crédits 6 000,00 €, "
            "clôture 0,00 €\n"
            "code 81512214 : lignes 12 600,00 €, charge nette 5 000,00 €\n"
            "paiements : écritures 6 200,00 €, événements 6 200,00 €\n"
            "enveloppe : parts N 0,00 € + parts N+1 6 000,00 € = 6 000,00 €, payé 6 200,00 €, "
            "reste -200,00 €\n"
            "contrôles : tous satisfaits\n");
  EXPECT_EQ(report->total_debits, Money::Cents(12'600 * kEuro));
  EXPECT_EQ(report->total_credits, Money::Cents(12'600 * kEuro));
  EXPECT_THAT(ClosingBalances(*report), IsEmpty());
}

TEST(AccountingReport, R_ACC_10_PaymentsMustEqualPaymentEventsToTheCent) {
  auto report = BuildCivilYearReport("caf-75", CivilYear(2026), OfYear(WorkedExampleLines(), 2026),
                                     Money::Cents(2'800 * kEuro + 1), {}, {});
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->balanced());
  EXPECT_THAT(report->failed_checks,
              ElementsAre("R-ACC-10 (§4) : paiements de l'exercice selon les écritures "
                          "2 800,00 € ≠ selon les événements de paiement 2 800,01 €"));
}

TEST(AccountingReport, R_ACC_10_MalformedLinesAreReported) {
  // A Line always names a known account on each side and a known code (core/accounting_line.h);
  // a recorded line that does not is refused when it is decoded (LineCodec tests). What a Line
  // can still get wrong is checked by the report.
  Lines lines = OfYear(WorkedExampleLines(), 2026);
  Line same_sides = lines[0];  // the acompte, debited and credited to the same account
  same_sides.credit = same_sides.debit;
  Line wrong = lines[0];
  wrong.date = absl::CivilDay(2025, 10, 15);
  lines.push_back(same_sides);
  lines.push_back(wrong);
  auto report =
      BuildCivilYearReport("caf-75", CivilYear(2026), lines, Money::Cents(5'600 * kEuro), {}, {});
  ASSERT_TRUE(report.ok()) << report.status();
  // Neither copy is a payment of 2026 (no Account::kSettlement credit, or booked in 2025), so the
  // lines pay 2 800,00 against 5 600,00 given.
  ASSERT_EQ(report->failed_checks.size(), 3u);
  EXPECT_THAT(report->failed_checks[0], HasSubstr("ligne 3"));
  EXPECT_THAT(report->failed_checks[0], HasSubstr("compte débité et crédité identiques"));
  EXPECT_THAT(report->failed_checks[1], HasSubstr("ligne 4"));
  EXPECT_THAT(report->failed_checks[1], HasSubstr("hors de l'exercice"));
  EXPECT_THAT(report->failed_checks[2], HasSubstr("écritures 2 800,00 €"));
}

TEST(AccountingReport, R_ACC_5_DebitBalanceOfChargesAPayerIsReported) {
  // A solde settling a charge à payer that was never booked.
  Lines lines;
  Append(&lines, SoldeLines({{"COF-1", SchoolYear(2026), GestionnaireKind::kAssociation, "EV"},
                             absl::CivilDay(2027, 11, 5),
                             Money::Cents(500 * kEuro),
                             Droit(5'000 * kEuro),
                             Money::Zero(),
                             Money::Cents(500 * kEuro)}));
  auto report =
      BuildCivilYearReport("caf-75", CivilYear(2027), lines, Money::Cents(500 * kEuro), {}, {});
  ASSERT_TRUE(report.ok());
  EXPECT_THAT(report->failed_checks,
              ElementsAre("R-ACC-5 (§4) : T 408143111 clôture avec un solde débiteur de "
                          "500,00 € : plus de charges à payer soldées que constituées"));
}

TEST(AccountingReport, R_ACC_10_OnlyBalanceSheetAccountsCarryForward) {
  EXPECT_TRUE(CarriesForward(Account::kChargesAPayer));
  EXPECT_TRUE(CarriesForward(Account::kEngagementDebit));
  EXPECT_TRUE(CarriesForward(Account::kEngagementCredit));
  EXPECT_FALSE(CarriesForward(Account::kSubsidyN));
  EXPECT_FALSE(CarriesForward(Account::kSettlement));
  auto report = BuildCivilYearReport("caf-75", CivilYear(2027), {}, Money::Zero(),
                                     {{Account::kSubsidyN, Money::Cents(1)},
                                      {Account::kChargesAPayer, Money::Cents(-1)},
                                      {Account::kChargesAPayer, Money::Cents(-2)}},
                                     {});
  ASSERT_EQ(report.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(report.status().message(), HasSubstr("opening[0]"));
  EXPECT_THAT(report.status().message(), HasSubstr("opening[2]"));
  EXPECT_THAT(report.status().message(), HasSubstr("R-ACC-10"));
}

TEST(AccountingReport, R_ACC_7_EnvelopeOfACivilYear) {
  // School year 2026: N shares 4 000,00 + 1 000,00 (PS 2 500,00); school year 2025: N+1 shares
  // 3 000,00 + bonus 500,00 (PS 5 000,00); school year 2024 is out of the 2026 envelope.
  const std::vector<EnvelopeDp> dps = {
      {"COF-1", SchoolYear(2026), Droit(10'000 * kEuro)},
      {"COF-2", SchoolYear(2026), Droit(2'500 * kEuro)},
      {"COF-1", SchoolYear(2025), Droit(5'000 * kEuro, 500 * kEuro)},
      {"COF-1", SchoolYear(2024), Droit(99'000 * kEuro)}};
  auto e = EnvelopeFollowUp(CivilYear(2026), dps, Money::Cents(9'000 * kEuro));
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->n_shares, Money::Cents(5'000 * kEuro));
  EXPECT_EQ(e->n1_shares, Money::Cents(3'500 * kEuro));
  EXPECT_EQ(e->envelope, Money::Cents(8'500 * kEuro));
  EXPECT_EQ(e->paid, Money::Cents(9'000 * kEuro));
  EXPECT_EQ(e->remaining, Money::Cents(-500 * kEuro));

  std::vector<EnvelopeDp> twice = dps;
  twice.push_back(dps[1]);
  auto bad = EnvelopeFollowUp(CivilYear(2026), twice, Money::Zero());
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("R-ACC-7"));
  EXPECT_THAT(bad.status().message(), HasSubstr("dps[4]"));
}

// ---- Property: random school-year flows give books that balance. ----

struct Flow {
  std::string convention_id;
  GestionnaireKind kind;
  SchoolYear school_year;
  DroitShares dp, dr;
  std::vector<std::pair<absl::CivilDay, Money>> acomptes;
  absl::CivilDay settled_on;  // solde (or indu recovery) day
};

int64_t Uniform(std::mt19937_64& rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

// Acomptes of one civil year within `cap`, on days of `months` of `year`.
void RandomAcomptes(std::mt19937_64& rng, int32_t year, int first_month, int last_month,
                    int64_t cap, Flow* f) {
  int64_t left = cap;
  for (int64_t k = Uniform(rng, 0, 2); k > 0 && left > 0; --k) {
    const int64_t amount = Uniform(rng, 1, left);
    left -= amount;
    const int64_t month = Uniform(rng, first_month, last_month);
    const int64_t day = Uniform(rng, 1, 28);
    f->acomptes.push_back({absl::CivilDay(year, month, day), Money::Cents(amount)});
  }
}

Flow RandomFlow(std::mt19937_64& rng, int index, int32_t n) {
  constexpr GestionnaireKind kKinds[] = {
      GestionnaireKind::kAssociation, GestionnaireKind::kCentreSocial,
      GestionnaireKind::kEvs,         GestionnaireKind::kCommune,
      GestionnaireKind::kEntreprise,  GestionnaireKind::kCafInterne};
  // One draw per statement, so that the sequence does not depend on evaluation order.
  const GestionnaireKind kind = kKinds[Uniform(rng, 0, 5)];
  const int64_t dp_ps = Uniform(rng, 0, 3'000'000);
  const int64_t dr_ps = Uniform(rng, 0, 3'000'000);
  const int64_t dr_bonus = Uniform(rng, 0, 1) == 0 ? 0 : Uniform(rng, 0, 300'000);
  // The solde comes after the school year: September N+1 to December N+2.
  const int64_t settled_month = Uniform(rng, 9, 24);
  Flow f{"COF-" + std::to_string(index),
         kind,
         SchoolYear(n),
         Droit(dp_ps),
         Droit(dr_ps, dr_bonus),
         {},
         absl::CivilDay(n + 1 + (settled_month - 1) / 12, (settled_month - 1) % 12 + 1, 15)};
  RandomAcomptes(rng, n, 1, 12, dp_ps * 28 / 100, &f);     // R-PAY-2, R-PAY-4
  RandomAcomptes(rng, n + 1, 1, 8, dp_ps * 42 / 100, &f);  // R-PAY-3, R-PAY-4
  return f;
}

Money AcomptesIn(const Flow& f, int32_t year) {
  Money sum;
  for (const auto& [day, amount] : f.acomptes) {
    if (day.year() == year) sum += amount;
  }
  return sum;
}

// The lines of civil year `year` for every flow, in the order a Caf books them, and the sum of
// the payment events (acomptes, positive soldes) dated in the year.
Money BookYear(int32_t year, const std::vector<Flow>& flows, Lines* all) {
  Money paid_events;
  for (const Flow& f : flows) {
    for (const auto& [day, amount] : f.acomptes) {
      if (day.year() != year) continue;
      Append(all, AcompteLines({f.convention_id, f.school_year, f.kind, "AC"}, day, amount));
      paid_events += amount;
    }
    if (f.settled_on.year() != year) continue;
    const Money solde =
        f.dr.droit - AcomptesIn(f, f.school_year.n()) - AcomptesIn(f, f.school_year.n() + 1);
    const LineOrigin origin{f.convention_id, f.school_year, f.kind, "SOLDE"};
    Append(all, SoldeLines({origin, f.settled_on, solde, f.dr, AcomptesIn(f, f.school_year.n()),
                            OpenChargeAPayer(*all, f.convention_id, f.school_year)}));
    if (solde > Money::Zero()) paid_events += solde;
    if (solde < Money::Zero()) {  // the indu, repaid the same day
      Append(all, RecoveryLines({origin, f.settled_on, Money::Zero() - solde,
                                 RecoveryMethod::kRepayment, "", ""}));
    }
  }
  Append(all,
         EngagementReversalLines(SchoolYear(year - 1), absl::CivilDay(year, 12, 31), "C", *all));
  std::vector<ClosingInput> closing;
  for (const Flow& f : flows) {
    if (f.school_year.n() != year) continue;
    closing.push_back({f.convention_id, f.kind, f.dp, AcomptesIn(f, year), "DP"});
  }
  Append(all, ClosingLines(CivilYear(year), absl::CivilDay(year, 12, 31), closing));
  return paid_events;
}

TEST(AccountingReport, R_ACC_10_R_ACC_5_RandomFlowsBalanceEveryYear) {
  constexpr int kRounds = 200;
  std::mt19937_64 rng(20260326);
  int negative_soldes = 0, soldes_in_n_plus_2 = 0, bonuses = 0;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<Flow> flows;
    for (int i = 0; i < 6; ++i) flows.push_back(RandomFlow(rng, i % 3, 2026 + i / 3 % 2));
    for (const Flow& f : flows) {
      const int64_t acomptes =
          (AcomptesIn(f, f.school_year.n()) + AcomptesIn(f, f.school_year.n() + 1)).cents();
      negative_soldes += f.dr.droit.cents() < acomptes;
      soldes_in_n_plus_2 += f.settled_on.year() == f.school_year.n() + 2;
      bonuses += f.dr.bonus_enfants.cents() > 0;
    }
    Lines all;
    std::vector<AccountBalance> opening;
    for (int32_t year = 2026; year <= 2029; ++year) {
      const Money paid_events = BookYear(year, flows, &all);
      auto report =
          BuildCivilYearReport("caf", CivilYear(year), OfYear(all, year), paid_events, opening, {});
      ASSERT_TRUE(report.ok()) << report.status();
      ASSERT_THAT(report->failed_checks, IsEmpty()) << "round " << round << "\n"
                                                    << FormatReport(*report);
      ASSERT_EQ(report->total_debits, report->total_credits);
      ASSERT_EQ(report->payments_from_lines, paid_events);
      opening = ClosingBalances(*report);
    }
    // Every solde is paid by 2029: the charges à payer are settled or cancelled, the
    // engagements reversed.
    ASSERT_THAT(opening, IsEmpty()) << "round " << round;
    // Over the years, what the Caf expensed for a convention and school year is its DR.
    std::map<std::pair<std::string, int32_t>, Money> expensed;
    for (const auto& l : all) {
      const Money amount = Money::Cents(l.amount.cents());
      Money& net = expensed[{l.convention_id, l.school_year.n()}];
      if (AgeOfSubsidyAccount(l.debit)) net += amount;
      if (AgeOfSubsidyAccount(l.credit)) net -= amount;
    }
    for (const Flow& f : flows) {
      const Money net = expensed[std::make_pair(f.convention_id, f.school_year.n())];
      ASSERT_EQ(net, f.dr.droit) << "round " << round << " " << f.convention_id << " "
                                 << f.school_year.ToString();
    }
  }
  // The draws reach every branch of R-ACC-5: indus, late soldes (other ages), bonuses.
  EXPECT_GT(negative_soldes, kRounds / 10);
  EXPECT_GT(soldes_in_n_plus_2, kRounds);
  EXPECT_GT(bonuses, kRounds);
}

}  // namespace
}  // namespace clas::rules
