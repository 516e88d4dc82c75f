// Contrôles lived by a Caf agent and a controller (RULES.md §8): school year 2026-2027 of an
// association is paid in full, then controlled in 2028. One contrôle ends in an indu, recovered
// partly by repayment and partly by offset against a later payment of the same gestionnaire on
// its 2028-2029 convention (R-CTL-1/2/3/5, R-ACC-9); another ends in a rappel, then paid. The
// controller's simulation gives the decision's figures and writes nothing (R-CTL-4).
//
// Barème (illustrative) 7 000,00 € of plafond for 2026 and 2028; C = 2, forecast charges
// 14 000,00 €: base 14 000,00; PS = (1 400 000 × 13 + 20) div 40 = 455 000 → 4 550,00 €.
// Acomptes at their caps: 28 % → 1 274,00 € (02/11/2026), 42 % → 1 911,00 € (01/02/2027);
// 3 185,00 € in all.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "projections/rules/accounting.h"
#include "tests/projections/agent.h"
#include "tests/projections/report_text.h"

namespace clas::testing {
namespace {

using absl::StatusCode::kFailedPrecondition;
using google::protobuf::util::MessageDifferencer;

class Controle : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(agent_.PublishBareme(2026, Eur(7000), Eur(1000), Eur(1500)).ok());
    ASSERT_TRUE(agent_.PublishBareme(2028, Eur(7000), Eur(1000), Eur(1500)).ok());
    ASSERT_TRUE(agent_.Register("asso-5", v1::ASSOCIATION).ok());
    Convention("conv-a", 2026);
    ASSERT_TRUE(agent_.Acompte("conv-a", "a1", 2026, Eur(1274), 20261102).ok());
    ASSERT_TRUE(agent_.Acompte("conv-a", "a2", 2026, Eur(1911), 20270201).ok());
  }

  void Convention(const std::string& id, int32_t year) {
    ASSERT_TRUE(agent_.File(Agent::Request(id, "asso-5", year, 1, 2, Eur(14000)),
                            year * 10000 + 515).ok());
    ASSERT_TRUE(agent_.Agree(id, year, year, 2, year * 10000 + 620).ok());
    auto signed_ = agent_.Sign(id, year, year, year * 10000 + 701);
    ASSERT_TRUE(signed_.ok()) << signed_.status();
    ASSERT_EQ(signed_->convention.years(0).dp().ps_cents(), Eur(4550));
  }

  // Bilan and solde of 2026-2027 with final charges `charges`, then a contrôle opened by the
  // controller on 01/03/2028 whose findings of 01/04/2028 put the charges at `controlled`.
  void PaidThenControlled(int64_t charges, int64_t controlled) {
    ASSERT_TRUE(agent_.Bilan("conv-a", 2026, 2, charges, 20270920).ok());
    ASSERT_TRUE(agent_.Solde("conv-a", "s1", 2026, 20271015).ok());
    agent_.ActAs("controleur-1", "controleur");
    ASSERT_TRUE(agent_.OpenControle("conv-a", "ctl-1", {2026}, 20280301).ok());
    auto findings = agent_.Findings("conv-a", "ctl-1", {Agent::Controlled(2026, 2, controlled)},
                                    20280401);
    ASSERT_TRUE(findings.ok()) << findings.status();
  }

  // R-CTL-4: the simulation on the findings' figures, checking that nothing is written.
  v1::ControleYearOutcome Simulate(int64_t controlled) {
    const uint64_t head = agent_.log().HeadPosition();
    auto sim = agent_.engine().SimulateControle(agent_.caf(), "conv-a",
                                                {Agent::Controlled(2026, 2, controlled)});
    EXPECT_TRUE(sim.ok()) << sim.status();
    EXPECT_EQ(agent_.log().HeadPosition(), head);
    if (!sim.ok() || sim->size() != 1) return {};
    return (*sim)[0];
  }

  void ExpectBalanced(int32_t year) {
    auto report = agent_.engine().GetCivilYear(agent_.caf(), year, AsOf{});
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->balanced()) << FormatReport(*report);
    EXPECT_EQ(report->payments_from_lines, report->payments_from_events);
  }

  Agent agent_;
};

// Bilan at 14 000,00: DR = 4 550,00, solde = 4 550,00 − 3 185,00 = 1 365,00; paid 4 550,00.
// The controller finds 10 000,00 of eligible charges: DC base 10 000,00, PS = (1 000 000 × 13 +
// 20) div 40 = 325 000 → 3 250,00. R-CTL-3: indu = 4 550,00 − 3 250,00 = 1 300,00, recovered by
// a repayment of 500,00 (01/07/2028) and 800,00 withheld from the first acompte of 2028-2029
// (1 274,00, 15/10/2028). R-ACC-9: both recoveries credit the N+1 share's account, age 2028 −
// 2027 = 1: SF 65623224191.
TEST_F(Controle, R_CTL_3_InduRecoveredByRepaymentAndOffset) {
  PaidThenControlled(Eur(14000), Eur(10000));
  const v1::ControleYearOutcome simulated = Simulate(Eur(10000));
  EXPECT_EQ(simulated.dc().droit_cents(), Eur(3250));
  EXPECT_EQ(simulated.dc().inputs().kind(), v1::DROIT_CONTROLE);
  EXPECT_EQ(simulated.dc().inputs().bareme().school_year(), 2026);  // R-DROIT-1
  EXPECT_EQ(simulated.paid_cents(), Eur(4550));
  EXPECT_EQ(simulated.indu_cents(), Eur(1300));
  EXPECT_EQ(simulated.rappel_cents(), 0);

  auto decided = agent_.DecideControle("conv-a", "ctl-1", 20280601);
  ASSERT_TRUE(decided.ok()) << decided.status();
  ASSERT_EQ(decided->events.size(), 2u);
  const auto& outcome = decided->events[0].fact.controle_decided().outcomes(0);
  EXPECT_TRUE(MessageDifferencer::Equals(outcome, simulated))
      << outcome.DebugString() << " vs " << simulated.DebugString();
  const v1::InduNotified& indu = decided->events[1].fact.indu_notified();
  EXPECT_EQ(indu.amount_cents(), Eur(1300));
  EXPECT_EQ(indu.origin(), v1::INDU_FROM_CONTROLE);

  agent_.ActAs("agent-1", "agent");
  // A repayment dated before the indu was notified (01/06/2028) is refused: it would be folded
  // before the indu exists and be lost.
  uint64_t head = agent_.log().HeadPosition();
  auto too_early = agent_.Recover("conv-a", "r1", indu.indu_id(), Eur(500), v1::REPAYMENT,
                                  20280515);
  EXPECT_TRUE(IsRefusal(too_early.status(), kFailedPrecondition, "R-CTL-3"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  ASSERT_TRUE(agent_.Recover("conv-a", "r1", indu.indu_id(), Eur(500), v1::REPAYMENT, 20280701)
                  .ok());
  // R-CTL-5: 800,00 are still due; a recovery of 800,01 would make the recoveries exceed it.
  head = agent_.log().HeadPosition();
  auto too_much = agent_.Recover("conv-a", "r2", indu.indu_id(), Cents(800, 1), v1::REPAYMENT,
                                 20280801);
  EXPECT_TRUE(IsRefusal(too_much.status(), kFailedPrecondition, "R-CTL-5"));
  // An offset takes a payment made after the indu: not the acompte of 02/11/2026.
  auto earlier = agent_.Recover("conv-a", "r2", indu.indu_id(), Eur(300), v1::OFFSET, 20280801,
                                "a1", "conv-a");
  EXPECT_TRUE(IsRefusal(earlier.status(), kFailedPrecondition, "R-CTL-3"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);

  // The same gestionnaire's 2028-2029 convention: its first acompte bears the offset.
  Convention("conv-b", 2028);
  ASSERT_TRUE(agent_.Acompte("conv-b", "b-a1", 2028, Eur(1274), 20281015).ok());
  // Withheld from that acompte when it is paid, not dated before it.
  head = agent_.log().HeadPosition();
  auto before_payment = agent_.Recover("conv-a", "r2", indu.indu_id(), Eur(800), v1::OFFSET,
                                       20281001, "b-a1", "conv-b");
  EXPECT_TRUE(IsRefusal(before_payment.status(), kFailedPrecondition, "R-CTL-3"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  auto offset = agent_.Recover("conv-a", "r2", indu.indu_id(), Eur(800), v1::OFFSET, 20281015,
                               "b-a1", "conv-b");
  ASSERT_TRUE(offset.ok()) << offset.status();

  // R-CTL-5: the indu is closed by recoveries summing to it; decision and figures readable.
  const v1::ConventionState& a = offset->convention;
  ASSERT_EQ(a.indus_size(), 1);
  EXPECT_EQ(a.indus(0).recovered_cents(), Eur(1300));
  EXPECT_EQ(a.indus(0).open_cents(), 0);
  ASSERT_EQ(a.indus(0).recoveries_size(), 2);
  EXPECT_EQ(a.indus(0).recoveries(1).offset_payment_id(), "b-a1");
  EXPECT_EQ(a.indus(0).recoveries(1).offset_convention_id(), "conv-b");
  ASSERT_EQ(a.controles_size(), 1);
  EXPECT_EQ(a.controles(0).status(), "décidé");
  EXPECT_EQ(a.controles(0).outcomes(0).indu_cents(), Eur(1300));
  EXPECT_EQ(a.controles(0).findings(0).figures().charges_cents(), Eur(10000));
  EXPECT_FALSE(a.controles(0).decision_event_id().empty());
  // R-CTL-2: paid net = 4 550,00 − 1 300,00 = DC.
  EXPECT_EQ(a.years(0).dc().droit_cents(), Eur(3250));
  EXPECT_EQ(a.years(0).paid_net_cents(), Eur(3250));
  EXPECT_EQ(a.years(0).indus_open_cents(), 0);
  // R-HIST-4: the decision was recorded by the controller.
  for (const auto& e : a.events()) {
    if (e.event_id() == a.controles(0).decision_event_id()) {
      EXPECT_EQ(e.actor_role(), "controleur");
      EXPECT_EQ(e.actor_id(), "controleur-1");
    }
  }
  // Nothing more can be recovered.
  head = agent_.log().HeadPosition();
  auto closed = agent_.Recover("conv-a", "r3", indu.indu_id(), 1, v1::REPAYMENT, 20281101);
  EXPECT_TRUE(IsRefusal(closed.status(), kFailedPrecondition, "R-CTL-5"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);

  // R-ACC-9 in 2028: the acompte of conv-b (age 0), both recoveries (age 1), the offset's label
  // naming the payment it reduced. Payments of 2028: 1 274,00 (gross).
  auto lines = agent_.Lines(2028);
  auto recovered = [&](auto pred) {
    return SumLines(lines, [&](const Line& l) {
      return l.rule.id == "R-ACC-9" && l.debit == Account::kSettlement &&
             l.credit == Account::kSubsidyN1 && l.convention_id == "conv-a" && pred(l);
    });
  };
  EXPECT_EQ(recovered([](const auto&) { return true; }), Eur(1300));
  EXPECT_EQ(recovered([](const auto& l) {
              return l.label.find("b-a1") != std::string::npos &&
                     l.label.find("conv-b") != std::string::npos;
            }),
            Eur(800));
  EXPECT_EQ(SumLines(lines,
                     [](const auto& l) {
                       return l.rule.id == "R-ACC-2" && l.convention_id == "conv-b" &&
                              l.debit == Account::kSubsidyN;
                     }),
            Eur(1274));
  ExpectBalanced(2028);
  auto y2028 = agent_.engine().GetCivilYear(agent_.caf(), 2028, AsOf{});
  ASSERT_TRUE(y2028.ok());
  EXPECT_EQ(y2028->payments_from_events.cents(), Eur(1274));

  // R-ACC-9: the reduced payment shows the offset withheld from it, though the recovery is
  // conv-a's: 800,00 of the acompte of 1 274,00. Not as known before the recovery was recorded,
  // nor once the recovery is cancelled.
  auto offset_on = [&](const AsOf& as_of) -> int64_t {
    auto b = agent_.State("conv-b", as_of);
    EXPECT_TRUE(b.ok()) << b.status();
    if (!b.ok() || b->years_size() == 0 || b->years(0).acomptes_size() == 0) return -1;
    return b->years(0).acomptes(0).offset_cents();
  };
  EXPECT_EQ(offset_on(AsOf{}), Eur(800));
  EXPECT_EQ(offset_on(AsOf{.known_at_us = offset->events[0].recorded_at_us - 1}), 0);
  // A fresh engine reads it from the log (nothing told by its own appends).
  Engine fresh(&agent_.log());
  auto b = fresh.GetConvention(agent_.caf(), "conv-b", AsOf{});
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->years(0).acomptes(0).offset_cents(), Eur(800));
  // The audit's replay of conv-b shows it from conv-b's first event recorded after it.
  ASSERT_TRUE(agent_.Acompte("conv-b", "b-a2", 2028, Eur(100), 20290115).ok());
  std::vector<int64_t> replayed;  // offset on b-a1 after each event of conv-b
  ASSERT_TRUE(agent_.engine()
                  .ReplayConvention(agent_.caf(), "conv-b", 0,
                                    [&](const DomainEvent&, v1::ConventionState s) {
                                      const auto& y = s.years(0);
                                      replayed.push_back(y.acomptes_size() > 0
                                                             ? y.acomptes(0).offset_cents()
                                                             : -1);
                                      return absl::OkStatus();
                                    })
                  .ok());
  ASSERT_GE(replayed.size(), 2u);
  EXPECT_EQ(replayed[replayed.size() - 2], 0) << "as known when b-a1 was paid";
  EXPECT_EQ(replayed.back(), Eur(800)) << "as known when b-a2 was paid";
  auto cancelled = agent_.engine().CorrectEvent(
      [&] {
        v1::CorrectEvent cmd;
        cmd.set_caf_id(agent_.caf());
        cmd.set_convention_id("conv-a");
        cmd.set_target_event_id(offset->events[0].event_id);
        cmd.set_reason("compensation saisie par erreur");
        cmd.set_cancel(true);
        cmd.set_date(20281101);
        return cmd;
      }(),
      agent_.actor(), "rid-cancel-offset");
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(offset_on(AsOf{}), 0);
  EXPECT_EQ(offset_on(AsOf{.effective_date = 20281031}), Eur(800));
  // Seen by another engine too, which read the log before the cancellation.
  auto b_after = fresh.GetConvention(agent_.caf(), "conv-b", AsOf{});
  ASSERT_TRUE(b_after.ok());
  EXPECT_EQ(b_after->years(0).acomptes(0).offset_cents(), 0);
}

// R-ACC-9: an offset withheld from a payment of the indu's own convention shows on it too. A
// centre social's convention of 2026 and 2027; the bilan of 2026 at 3 000,00 € of charges gives
// PS = (300 000 × 13 + 20) div 40 = 97 500 → 975,00 € against 1 274,00 € of acompte: an indu of
// 299,00 € (R-PAY-5), withheld from the first acompte of 2027.
TEST_F(Controle, R_ACC_9_AnOffsetShowsOnThePaymentOfTheSameConvention) {
  ASSERT_TRUE(agent_.PublishBareme(2027, Eur(7000), Eur(1000), Eur(1500)).ok());
  ASSERT_TRUE(agent_.Register("cs-5", v1::CENTRE_SOCIAL).ok());
  ASSERT_TRUE(agent_.File(Agent::Request("conv-m", "cs-5", 2026, 2, 2, Eur(14000)), 20260515).ok());
  ASSERT_TRUE(agent_.Agree("conv-m", 2026, 2027, 2, 20260620).ok());
  ASSERT_TRUE(agent_.Sign("conv-m", 2026, 2027, 20260701).ok());
  ASSERT_TRUE(agent_.Acompte("conv-m", "m1", 2026, Eur(1274), 20261102).ok());
  ASSERT_TRUE(agent_.Bilan("conv-m", 2026, 2, Eur(3000), 20270920).ok());
  auto solde = agent_.Solde("conv-m", "ms1", 2026, 20271015);
  ASSERT_TRUE(solde.ok()) << solde.status();
  ASSERT_EQ(solde->events.size(), 2u);
  const v1::InduNotified& indu = solde->events[1].fact.indu_notified();
  ASSERT_EQ(indu.amount_cents(), Eur(299));
  ASSERT_TRUE(agent_.Acompte("conv-m", "m2", 2027, Eur(1000), 20271102).ok());
  auto offset = agent_.Recover("conv-m", "r1", indu.indu_id(), Eur(299), v1::OFFSET, 20271102, "m2");
  ASSERT_TRUE(offset.ok()) << offset.status();
  auto payment = [&](const AsOf& as_of) -> v1::PaymentRecord {
    auto m = agent_.State("conv-m", as_of);
    EXPECT_TRUE(m.ok()) << m.status();
    for (const auto& y : m->years()) {
      if (y.school_year() == 2027 && y.acomptes_size() == 1) return y.acomptes(0);
    }
    return {};
  };
  EXPECT_EQ(payment(AsOf{}).offset_cents(), Eur(299));
  EXPECT_EQ(payment(AsOf{.known_at_us = offset->events[0].recorded_at_us - 1}).offset_cents(), 0);
  EXPECT_EQ(payment(AsOf{}).amount_cents(), Eur(1000)) << "the gross amount stays";
}

// Bilan at 12 000,00: DR base 12 000,00, PS = (1 200 000 × 13 + 20) div 40 = 390 000 →
// 3 900,00; solde = 3 900,00 − 3 185,00 = 715,00; paid 3 900,00. The controller finds
// 14 000,00 of charges: DC = 4 550,00 > paid: rappel of 650,00 (R-CTL-3), paid on 01/07/2028
// on the N+1 share's account, age 1: SF 65623224191, PS code (R-ACC-9).
TEST_F(Controle, R_CTL_3_RappelDecidedThenPaid) {
  PaidThenControlled(Eur(12000), Eur(14000));
  const v1::ControleYearOutcome simulated = Simulate(Eur(14000));
  EXPECT_EQ(simulated.dc().droit_cents(), Eur(4550));
  EXPECT_EQ(simulated.paid_cents(), Eur(3900));
  EXPECT_EQ(simulated.rappel_cents(), Eur(650));
  EXPECT_EQ(simulated.indu_cents(), 0);

  auto decided = agent_.DecideControle("conv-a", "ctl-1", 20280601);
  ASSERT_TRUE(decided.ok()) << decided.status();
  ASSERT_EQ(decided->events.size(), 1u);  // no indu
  EXPECT_TRUE(MessageDifferencer::Equals(decided->events[0].fact.controle_decided().outcomes(0),
                                         simulated));
  EXPECT_EQ(decided->convention.years(0).rappel_due_cents(), Eur(650));

  agent_.ActAs("agent-1", "agent");
  // Not dated before the decision of 01/06/2028 that makes it due.
  const uint64_t head_early = agent_.log().HeadPosition();
  auto early = agent_.Rappel("conv-a", "rp1", 2026, 20280515);
  EXPECT_TRUE(IsRefusal(early.status(), kFailedPrecondition, "R-CTL-3"));
  EXPECT_EQ(agent_.log().HeadPosition(), head_early);
  auto rappel = agent_.Rappel("conv-a", "rp1", 2026, 20280701);
  ASSERT_TRUE(rappel.ok()) << rappel.status();
  const v1::SchoolYearState& y = rappel->convention.years(0);
  ASSERT_EQ(y.rappels_size(), 1);
  EXPECT_EQ(y.rappels(0).amount_cents(), Eur(650));
  EXPECT_EQ(y.rappel_due_cents(), 0);
  // R-CTL-2: paid net = 3 185,00 + 715,00 + 650,00 = 4 550,00 = DC.
  EXPECT_EQ(y.paid_net_cents(), Eur(4550));
  EXPECT_EQ(y.dc().droit_cents(), Eur(4550));

  const uint64_t head = agent_.log().HeadPosition();
  auto twice = agent_.Rappel("conv-a", "rp2", 2026, 20280801);
  EXPECT_TRUE(IsRefusal(twice.status(), kFailedPrecondition, "R-CTL-3"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);

  auto lines = agent_.Lines(2028);
  EXPECT_EQ(SumLines(lines,
                     [](const Line& l) {
                       return l.rule.id == "R-ACC-9" && l.debit == Account::kSubsidyN1 &&
                              l.credit == Account::kSettlement &&
                              l.code == StatisticalCode::kPsGestionnaires;
                     }),
            Eur(650));
  ExpectBalanced(2028);
}

TEST_F(Controle, R_CTL_4_SimulationBeforeAnyControleWritesNothing) {
  ASSERT_TRUE(agent_.Bilan("conv-a", 2026, 2, Eur(14000), 20270920).ok());
  // Before the solde: paid 3 185,00; DC on 10 000,00 = 3 250,00 → rappel 65,00 (R-CTL-2 [choice]).
  const v1::ControleYearOutcome before_solde = Simulate(Eur(10000));
  EXPECT_EQ(before_solde.paid_cents(), Eur(3185));
  EXPECT_EQ(before_solde.rappel_cents(), Eur(65));
  EXPECT_TRUE(agent_.State("conv-a")->controles().empty());
}

// R-PAY-8 [choice]: a contrôle decided before the solde settles the school year. Acomptes paid
// 3 185,00 €; the findings put the charges at 10 000,00 € (DC 3 250,00 €): a rappel of 65,00 €
// is the settlement. A solde asked afterwards is refused, before and after the bilan; the bilan
// received after the decision is kept with a warning and moves no money.
TEST_F(Controle, R_PAY_8_AControleDecidedBeforeTheSoldeSettlesTheYear) {
  agent_.ActAs("controleur-1", "controleur");
  ASSERT_TRUE(agent_.OpenControle("conv-a", "ctl-1", {2026}, 20270915).ok());
  ASSERT_TRUE(
      agent_.Findings("conv-a", "ctl-1", {Agent::Controlled(2026, 2, Eur(10000))}, 20271001).ok());
  auto decided = agent_.DecideControle("conv-a", "ctl-1", 20271015);
  ASSERT_TRUE(decided.ok()) << decided.status();
  ASSERT_EQ(decided->figures->years(0).rappel_due_cents(), Eur(65));
  agent_.ActAs("agent-1", "agent");
  uint64_t head = agent_.log().HeadPosition();
  auto solde = agent_.Solde("conv-a", "s1", 2026, 20271105);
  EXPECT_TRUE(IsRefusal(solde.status(), kFailedPrecondition, "R-PAY-8")) << solde.status();
  EXPECT_EQ(agent_.log().HeadPosition(), head);

  auto bilan = agent_.Bilan("conv-a", 2026, 2, Eur(14000), 20271110);
  ASSERT_TRUE(bilan.ok()) << bilan.status();
  ASSERT_EQ(bilan->events.size(), 1u);
  ASSERT_EQ(bilan->events[0].fact.warnings_size(), 1);
  EXPECT_EQ(bilan->events[0].fact.warnings(0).rule_id(), "R-PAY-8");
  const v1::SchoolYearFigures& y = bilan->figures->years(0);
  EXPECT_EQ(y.paid_cents(), Eur(3185)) << "the bilan moves no money";
  EXPECT_EQ(y.rappel_due_cents(), Eur(65)) << "the decision's rappel is still the settlement";
  EXPECT_FALSE(y.solde_paid());
  head = agent_.log().HeadPosition();
  solde = agent_.Solde("conv-a", "s1", 2026, 20271120);
  EXPECT_TRUE(IsRefusal(solde.status(), kFailedPrecondition, "R-PAY-8")) << solde.status();
  EXPECT_THAT(RuleIds(solde.status()), ::testing::ElementsAre("R-PAY-8"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  // The rappel is paid by its own path.
  auto rappel = agent_.Rappel("conv-a", "rp1", 2026, 20271201);
  ASSERT_TRUE(rappel.ok()) << rappel.status();
  EXPECT_EQ(rappel->figures->years(0).paid_net_cents(), Eur(3250));
}

}  // namespace
}  // namespace clas::testing
