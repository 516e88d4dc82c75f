// Regressions found by the deterministic simulation of the rules (tests/sim), each named after
// the rule it broke, with the seed that found it.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "projections/rules/accounting.h"
#include "tests/projections/agent.h"

namespace clas::testing {
namespace {

std::string LinesText(const std::vector<v1::AccountingLine>& lines) {
  std::string out;
  for (const auto& l : lines) out += l.ShortDebugString() + "\n";
  return out;
}

// Found by seed 13: civil year 2026 closed, then 2025. Closing 2025 books the reversal of its
// engagement in month 12 of 2026, carries its charge à payer into 2026 (where a solde settles it)
// and so rewrote the books of 2026, already closed. A year is now refused once a later one is
// closed, and nothing is written.
TEST(SimulationRegressions, R_ACC_8_AYearCannotBeClosedOnceALaterYearIsClosed) {
  Agent agent;
  ASSERT_TRUE(agent.PublishBareme(2026, Eur(8000), Eur(1000), Eur(1500)).ok());
  ASSERT_TRUE(agent.Register("asso-1", v1::ASSOCIATION).ok());
  ASSERT_TRUE(agent.File(Agent::Request("conv-1", "asso-1", 2026, 1, 2, Eur(20000)), 20260601).ok());
  ASSERT_TRUE(agent.Agree("conv-1", 2026, 2026, 2, 20260701).ok());
  ASSERT_TRUE(agent.Sign("conv-1", 2026, 2026, 20260715).ok());
  // PS of DP = 32.5 % of min(20 000, 2 × 8 000) = 5 200,00 €; caps 1 456,00 € and 2 184,00 €.
  ASSERT_TRUE(agent.Acompte("conv-1", "a1", 2026, Eur(1000), 20261015).ok());
  ASSERT_TRUE(agent.Acompte("conv-1", "a2", 2026, Eur(2000), 20270215).ok());
  auto closed_2027 = agent.Close(2027, 20280115);
  ASSERT_TRUE(closed_2027.ok()) << closed_2027.status();
  const std::string books_2027 = LinesText(agent.Lines(2027));
  const uint64_t head = agent.log().HeadPosition();

  auto closed_2026 = agent.Close(2026, 20280116);
  EXPECT_TRUE(IsRefusal(closed_2026.status(), absl::StatusCode::kFailedPrecondition, "R-ACC-8"));
  EXPECT_EQ(agent.log().HeadPosition(), head) << "a refused closing wrote to the log";
  EXPECT_EQ(LinesText(agent.Lines(2027)), books_2027) << "the closed year 2027 was rewritten";
  // The years after still close in order.
  EXPECT_TRUE(agent.Close(2028, 20290115).ok());
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
    if (l.cause_event_id() == paid->events[0].event_id) {
      EXPECT_EQ(l.debit_account(), rules::kSubsidyN) << "the 2027 share, of age 0 in 2027";
      booked += l.amount_cents();
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
