// Regressions found by the deterministic simulation of the rules (tests/sim), each named after
// the rule it broke, with the seed that found it.
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/rules/accounting.h"
#include "tests/projections/agent.h"

namespace clas::testing {
namespace {

// Found by seed 13: civil year 2026 closed, then 2025. Closing 2025 books the reversal of its
// engagement in month 12 of 2026, carries its charge à payer into 2026 (where a solde settles it)
// and so rewrote the books of 2026, already closed. A year is now refused once a later one is
// closed, and nothing is written. A Caf's first closing may be of any year before which its
// books hold nothing.
TEST(SimulationRegressions, R_ACC_8_AYearCannotBeClosedOnceALaterYearIsClosed) {
  Agent agent;
  ASSERT_TRUE(agent.PublishBareme(2026, Eur(8000), Eur(1000), Eur(1500)).ok());
  ASSERT_TRUE(agent.Close(2026, 20270115).ok());  // nothing before it: the first closing
  const uint64_t head = agent.log().HeadPosition();
  auto closed_2025 = agent.Close(2025, 20270116);
  EXPECT_TRUE(IsRefusal(closed_2025.status(), absl::StatusCode::kFailedPrecondition, "R-ACC-8"))
      << closed_2025.status();
  EXPECT_EQ(agent.log().HeadPosition(), head) << "a refused closing wrote to the log";
  EXPECT_TRUE(agent.Close(2027, 20280115).ok());  // the years after still close in order
}

// Found by seed 810309: caf-b closed 2025 to 2027, then 2029 with 2028 left open. A notification
// of 2027 corrected in 2031 was regularised in 2028, the first open year after 2027, and the
// balances 2028 carries forward changed the report of 2029, already closed. A year is now
// refused while the one before it is open and the Caf's books hold anything before it (a year
// closed, a school year a convention covers, a payment), and nothing is written.
//
// PS of DP = 32,5 % of min(20 000, 2 × 8 000) = 5 200,00 €; acompte of 1 000,00 € in 2026.
TEST(SimulationRegressions, R_ACC_8_NoYearIsSkipped) {
  Agent agent;
  ASSERT_TRUE(agent.PublishBareme(2026, Eur(8000), Eur(1000), Eur(1500)).ok());
  ASSERT_TRUE(agent.Register("asso-1", v1::ASSOCIATION).ok());
  ASSERT_TRUE(agent.File(Agent::Request("conv-1", "asso-1", 2026, 1, 2, Eur(20000)), 20260601).ok());
  ASSERT_TRUE(agent.Agree("conv-1", 2026, 2026, 2, 20260701).ok());
  ASSERT_TRUE(agent.Sign("conv-1", 2026, 2026, 20260715).ok());
  ASSERT_TRUE(agent.Acompte("conv-1", "a1", 2026, Eur(1000), 20261015).ok());
  const uint64_t head = agent.log().HeadPosition();
  auto skipped = agent.Close(2027, 20280115);  // 2026 open, covered by conv-1
  EXPECT_TRUE(IsRefusal(skipped.status(), absl::StatusCode::kFailedPrecondition, "R-ACC-8"))
      << skipped.status();
  EXPECT_THAT(skipped.status().message(), ::testing::HasSubstr("conv-1"));
  EXPECT_EQ(agent.log().HeadPosition(), head);
  ASSERT_TRUE(agent.Close(2026, 20270115).ok());
  auto gap = agent.Close(2028, 20290115);  // 2027 open, 2026 closed
  EXPECT_TRUE(IsRefusal(gap.status(), absl::StatusCode::kFailedPrecondition, "R-ACC-8"))
      << gap.status();
  EXPECT_THAT(gap.status().message(), ::testing::HasSubstr("2027"));
  ASSERT_TRUE(agent.Close(2027, 20280115).ok());
  EXPECT_TRUE(agent.Close(2028, 20290115).ok());
}

// Found by seeds 8, 19, 25, 29, 31, 32 and 33 once the simulation checked every line of the
// closings: a convention signed (or prolonged by an avenant) to cover school year N after civil
// year N was closed had no line in that closing, and the first later correction of it, however
// unrelated (its bilan corrected), booked a "régularisation" of the whole closing it was never
// in. R-ACC-8 regularises a fact that changes a figure the closing used; the closing used the
// conventions covering its school year when it was recorded, nothing else.
//
// Barème 2026: plafond 7 000,00 €, no bonus; C = 2, forecast charges 14 000,00 €: PS of DP
// 4 550,00 €, cap of the N+1 share 42 % = 1 911,00 €. 2026 closed on 15/01/2027 with no convention
// signed; signed on 01/02/2027; acompte 1 911,00 € on 15/02/2027; bilan (charges 14 000,00 €)
// corrected to charges 12 000,00 € before the solde: PS of DR 3 900,00 €, N share 1 560,00 €.
// Solde on 10/01/2028 = 3 900,00 − 1 911,00 = 1 989,00 €: no charge à payer to settle (R-ACC-5
// (b)), so s_N = min(1 560,00 − 0; 1 989,00) = 1 560,00 € on SF 65623224192 (the 2026 share, of
// age 2 in 2028) and 429,00 € on SF 65623224191 (the 2027 share, of age 1).
TEST(SimulationRegressions, R_ACC_8_AConventionSignedAfterAClosingIsNotInItsRegularisations) {
  Agent agent;
  ASSERT_TRUE(agent.PublishBareme(2026, Eur(7000), 0, 0).ok());
  ASSERT_TRUE(agent.Register("asso-1", v1::ASSOCIATION).ok());
  ASSERT_TRUE(
      agent.File(Agent::Request("conv-1", "asso-1", 2026, 1, 2, Eur(14000)), 20260515).ok());
  ASSERT_TRUE(agent.Agree("conv-1", 2026, 2026, 2, 20260620).ok());
  ASSERT_TRUE(agent.Close(2026, 20270115).ok());
  ASSERT_TRUE(agent.Lines(2026).empty()) << "no convention covered 2026-2027 at the closing";
  ASSERT_TRUE(agent.Sign("conv-1", 2026, 2026, 20270201).ok());
  ASSERT_TRUE(agent.Acompte("conv-1", "a1", 2026, Eur(1911), 20270215).ok());
  auto bilan = agent.Bilan("conv-1", 2026, 2, Eur(14000), 20270910);
  ASSERT_TRUE(bilan.ok()) << bilan.status();
  v1::ClasEvent corrected;
  corrected.mutable_bilan_received()->set_school_year(2026);
  corrected.mutable_bilan_received()->mutable_figures()->set_collectifs(2);
  corrected.mutable_bilan_received()->mutable_figures()->set_charges_cents(Eur(12000));
  auto correction =
      agent.Correct("conv-1", bilan->events[0].event_id, "charges mal saisies", corrected);
  ASSERT_TRUE(correction.ok()) << correction.status();
  auto solde = agent.Solde("conv-1", "s1", 2026, 20280110);
  ASSERT_TRUE(solde.ok()) << solde.status();
  EXPECT_EQ(solde->events[0].fact.solde_paid().amount_cents(), Eur(1989));

  for (int32_t year = 2026; year <= 2028; ++year) {
    for (const auto& l : agent.Lines(year)) {
      EXPECT_NE(l.rule.id, "R-ACC-8") << rules::DescribeLine(l);
      EXPECT_NE(l.rule.id, "R-ACC-4") << rules::DescribeLine(l);
      EXPECT_NE(l.debit, Account::kChargesAPayer) << rules::DescribeLine(l);
      EXPECT_NE(l.credit, Account::kChargesAPayer) << rules::DescribeLine(l);
    }
  }
  std::map<Account, int64_t> solde_lines;  // by account debited
  for (const auto& l : agent.Lines(2028)) {
    if (l.cause_event_id == solde->events[0].event_id) {
      solde_lines[l.debit] += l.amount.cents();
    }
  }
  EXPECT_EQ(solde_lines, (std::map<Account, int64_t>{{Account::kSubsidyOlder, Eur(1560)},
                                                     {Account::kSubsidyN1, Eur(429)}}));
  for (int32_t year = 2026; year <= 2028; ++year) {
    auto report = agent.engine().GetCivilYear(agent.caf(), year, AsOf{});
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->balanced()) << year << ": " << report->failed_checks.front();
  }
}

// Found by seeds 206, 228, 238 and 241 once contrôles were decided before the solde: a contrôle
// of school year 2026-2027 decided in November 2026, and its rappel paid in December 2026. R-ACC-9
// books a rappel (and a recovery of an indu) on the subsidy account of the N+1 share's age, which
// has none in 2026: the books of 2026 could no longer be reported. A rappel or a recovery of
// school year N is now refused before 1 January N+1 (like the solde), and nothing is written.
//
// Barème 2026: plafond 7 000,00 €; C = 2, forecast charges 14 000,00 €: DP PS 4 550,00 €, cap of
// the N share 28 % = 1 274,00 €, paid on 02/11/2026.
class ControleDecidedBeforeTheSolde : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(agent_.PublishBareme(2026, Eur(7000), Eur(1000), Eur(1500)).ok());
    ASSERT_TRUE(agent_.Register("asso-1", v1::ASSOCIATION).ok());
    ASSERT_TRUE(
        agent_.File(Agent::Request("conv-1", "asso-1", 2026, 1, 2, Eur(14000)), 20260515).ok());
    ASSERT_TRUE(agent_.Agree("conv-1", 2026, 2026, 2, 20260620).ok());
    ASSERT_TRUE(agent_.Sign("conv-1", 2026, 2026, 20260701).ok());
    ASSERT_TRUE(agent_.Acompte("conv-1", "a1", 2026, Eur(1274), 20261102).ok());
  }

  // A contrôle decided on 10/11/2026 with controlled charges `charges` (C = 2).
  void Decided(int64_t charges) {
    agent_.ActAs("controleur-1", "controleur");
    ASSERT_TRUE(agent_.OpenControle("conv-1", "ctl-1", {2026}, 20261101).ok());
    ASSERT_TRUE(
        agent_.Findings("conv-1", "ctl-1", {Agent::Controlled(2026, 2, charges)}, 20261105).ok());
    auto decided = agent_.DecideControle("conv-1", "ctl-1", 20261110);
    ASSERT_TRUE(decided.ok()) << decided.status();
    agent_.ActAs("agent-1", "agent");
  }

  void ExpectBooksOf2026Report() {
    auto report = agent_.engine().GetCivilYear(agent_.caf(), 2026, AsOf{});
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->balanced());
  }

  Agent agent_;
};

// [choice] R-HIST-3: the decision's rappel of 3 276,00 € was computed from the 1 274,00 € paid
// (DC 4 550,00 €); the acompte cancelled, 1 274,00 € would be neither paid nor due. Refused,
// naming the contrôle, and nothing is written.
TEST_F(ControleDecidedBeforeTheSolde, R_HIST_3_AnAcompteOfAYearAControleDecidedIsNotCancelled) {
  auto before = agent_.engine().GetConvention(agent_.caf(), "conv-1", AsOf{});
  ASSERT_TRUE(before.ok()) << before.status();
  const std::string acompte = before->years(0).acomptes(0).event_id();
  Decided(Eur(14000));
  const uint64_t head = agent_.log().HeadPosition();
  auto cancelled = agent_.Cancel("conv-1", acompte, "acompte saisi par erreur", 20261201);
  EXPECT_TRUE(IsRefusal(cancelled.status(), absl::StatusCode::kFailedPrecondition, "R-HIST-3"))
      << cancelled.status();
  EXPECT_THAT(cancelled.status().message(), ::testing::HasSubstr("ctl-1"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);
}

// R-CTL-1, R-CTL-5: findings are corrected until the decision, which then uses the corrected
// figures: found 10 000,00 € of charges (DC PS 3 250,00 €), corrected to 14 000,00 € (DC PS
// 4 550,00 €), paid 1 274,00 €: a rappel of 3 276,00 €. A correction naming another school year
// than the contrôle's is refused (R-CTL-1). Once decided, the decision stays as it is: a later
// correction is refused (R-CTL-5, as findings recorded anew are), and nothing is written.
TEST_F(ControleDecidedBeforeTheSolde, R_CTL_1_R_CTL_5_FindingsAreCorrectedUntilTheDecision) {
  agent_.ActAs("controleur-1", "controleur");
  ASSERT_TRUE(agent_.OpenControle("conv-1", "ctl-1", {2026}, 20261101).ok());
  auto found =
      agent_.Findings("conv-1", "ctl-1", {Agent::Controlled(2026, 2, Eur(10000))}, 20261105);
  ASSERT_TRUE(found.ok()) << found.status();
  const std::string findings = found->events[0].event_id;
  v1::ClasEvent corrected;
  *corrected.mutable_controle_findings_recorded()->add_years() =
      Agent::Controlled(2027, 2, Eur(14000));
  auto other_year = agent_.Correct("conv-1", findings, "autre année", corrected, 20261106);
  EXPECT_TRUE(IsRefusal(other_year.status(), absl::StatusCode::kFailedPrecondition, "R-CTL-1"))
      << other_year.status();
  *corrected.mutable_controle_findings_recorded()->mutable_years(0) =
      Agent::Controlled(2026, 2, Eur(14000));
  ASSERT_TRUE(agent_.Correct("conv-1", findings, "charges mal relevées", corrected, 20261106).ok());
  auto decided = agent_.DecideControle("conv-1", "ctl-1", 20261110);
  ASSERT_TRUE(decided.ok()) << decided.status();
  EXPECT_EQ(decided->events[0].fact.controle_decided().outcomes(0).rappel_cents(), Eur(3276));

  const uint64_t head = agent_.log().HeadPosition();
  *corrected.mutable_controle_findings_recorded()->mutable_years(0) =
      Agent::Controlled(2026, 2, Eur(12000));
  auto late = agent_.Correct("conv-1", findings, "après la décision", corrected, 20261201);
  EXPECT_TRUE(IsRefusal(late.status(), absl::StatusCode::kFailedPrecondition, "R-CTL-5"))
      << late.status();
  EXPECT_EQ(agent_.log().HeadPosition(), head);
}

// DC PS 4 550,00 € (controlled charges 14 000,00 €), paid 1 274,00 €: a rappel of 3 276,00 €.
TEST_F(ControleDecidedBeforeTheSolde, R_ACC_9_ARappelOfSchoolYearNIsNotPaidBeforeNPlusOne) {
  Decided(Eur(14000));
  const uint64_t head = agent_.log().HeadPosition();
  auto early = agent_.Rappel("conv-1", "r1", 2026, 20261201);
  EXPECT_TRUE(IsRefusal(early.status(), absl::StatusCode::kFailedPrecondition, "R-ACC-9"))
      << early.status();
  EXPECT_EQ(agent_.log().HeadPosition(), head) << "a refused rappel wrote to the log";
  ExpectBooksOf2026Report();
  auto paid = agent_.Rappel("conv-1", "r1", 2026, 20270104);
  ASSERT_TRUE(paid.ok()) << paid.status();
  EXPECT_EQ(paid->events[0].fact.rappel_paid().amount_cents(), Eur(3276));
  int64_t booked = 0;
  for (const auto& l : agent_.Lines(2027)) {
    if (l.cause_event_id == paid->events[0].event_id) {
      EXPECT_EQ(l.debit, Account::kSubsidyN) << "the 2027 share, of age 0 in 2027";
      booked += l.amount.cents();
    }
  }
  EXPECT_EQ(booked, Eur(3276));
}

// DC PS (200 000 × 13 + 20) div 40 = 65 000 → 650,00 € (controlled charges 2 000,00 €), paid
// 1 274,00 €: an indu of 624,00 €, recovered from January 2027 only.
TEST_F(ControleDecidedBeforeTheSolde, R_ACC_9_AnInduOfSchoolYearNIsNotRecoveredBeforeNPlusOne) {
  Decided(Eur(2000));
  auto state = agent_.State("conv-1");
  ASSERT_TRUE(state.ok()) << state.status();
  ASSERT_EQ(state->years(0).indus_open_cents(), Eur(624));
  const uint64_t head = agent_.log().HeadPosition();
  auto early = agent_.Recover("conv-1", "rec-1", "ctl-1-2026", Eur(624), v1::REPAYMENT, 20261215);
  EXPECT_TRUE(IsRefusal(early.status(), absl::StatusCode::kFailedPrecondition, "R-ACC-9"))
      << early.status();
  EXPECT_EQ(agent_.log().HeadPosition(), head) << "a refused recovery wrote to the log";
  ExpectBooksOf2026Report();
  auto repaid = agent_.Recover("conv-1", "rec-1", "ctl-1-2026", Eur(624), v1::REPAYMENT, 20270110);
  ASSERT_TRUE(repaid.ok()) << repaid.status();
  EXPECT_EQ(repaid->figures->years(0).indus_open_cents(), 0);
}

// Found by seed 238: a contrôle decided on 21/04/2027 settled school year 2026-2027 (R-PAY-8),
// then an acompte was paid on 25/08/2027: paid beyond DC with nothing to recover it, and paid net
// + rappel due no longer made DC. An acompte is now refused once a contrôle settled its year, as
// the solde is, and nothing is written.
TEST_F(ControleDecidedBeforeTheSolde, R_PAY_8_NoAcompteIsPaidOnceAControleSettledTheYear) {
  Decided(Eur(14000));  // DC 4 550,00 €, paid 1 274,00 €: a rappel of 3 276,00 €
  const uint64_t head = agent_.log().HeadPosition();
  auto acompte = agent_.Acompte("conv-1", "a2", 2026, Eur(1911), 20270201);
  EXPECT_TRUE(IsRefusal(acompte.status(), absl::StatusCode::kFailedPrecondition, "R-PAY-8"))
      << acompte.status();
  EXPECT_EQ(agent_.log().HeadPosition(), head) << "a refused acompte wrote to the log";
  auto state = agent_.State("conv-1");
  ASSERT_TRUE(state.ok()) << state.status();
  const v1::SchoolYearState& y = state->years(0);
  EXPECT_EQ(y.paid_net_cents() + y.rappel_due_cents(), y.dc().droit_cents());
  EXPECT_EQ(y.rappel_due_cents(), Eur(3276));
}

}  // namespace
}  // namespace clas::testing
