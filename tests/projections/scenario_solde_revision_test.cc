// A bilan corrected after its solde (RULES.md R-PAY-9): the solde is computed again from the
// corrected DR, and the difference with what the year's solde settled is due at once, on the
// correction's date: a complément de solde paid like a rappel (R-ACC-9), or an indu notified with
// the correction and recovered by R-CTL-3's means. A year a contrôle settled is not reopened
// (R-PAY-8).
//
// Barème 2026 (illustrative): plafond 7 000,00 €. An association, C = 2, forecast charges
// 14 000,00 €: DP PS 4 550,00 €. Acomptes 1 274,00 € (02/11/2026) and 1 911,00 € (01/02/2027):
// 3 185,00 €. PS = (charges × 13 + 20) div 40 on the bilan's charges (base below the plafond):
//   12 000,00 → 3 900,00;  13 000,00 → 4 225,00;  12 500,00 → (1 250 000 × 13 + 20) div 40 =
//   406 250 → 4 062,50;  9 000,00 → (900 000 × 13 + 20) div 40 = 292 500 → 2 925,00.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/rules/accounting.h"
#include "tests/projections/agent.h"

namespace clas::testing {
namespace {

using absl::StatusCode::kFailedPrecondition;
using absl::StatusCode::kInvalidArgument;

constexpr int64_t kAcomptes = 318500;  // 1 274,00 + 1 911,00

std::vector<std::string> WarningIds(const v1::ClasEvent& fact) {
  std::vector<std::string> out;
  for (const auto& w : fact.warnings()) out.push_back(w.rule_id());
  return out;
}

class SoldeRevision : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(agent_.PublishBareme(2026, Eur(7000), Eur(1000), Eur(1500)).ok());
    ASSERT_TRUE(agent_.Register("asso-9", v1::ASSOCIATION).ok());
    ASSERT_TRUE(agent_.File(Agent::Request("conv-9", "asso-9", 2026, 1, 2, Eur(14000)), 20260515)
                    .ok());
    ASSERT_TRUE(agent_.Agree("conv-9", 2026, 2026, 2, 20260620).ok());
    ASSERT_TRUE(agent_.Sign("conv-9", 2026, 2026, 20260701).ok());
    ASSERT_TRUE(agent_.Acompte("conv-9", "a1", 2026, Eur(1274), 20261102).ok());
    ASSERT_TRUE(agent_.Acompte("conv-9", "a2", 2026, Eur(1911), 20270201).ok());
  }

  // The bilan received 20/09/2027 with `charges`, and its solde paid 15/10/2027.
  void BilanAndSolde(int64_t charges) {
    auto bilan = agent_.Bilan("conv-9", 2026, 2, charges, 20270920);
    ASSERT_TRUE(bilan.ok()) << bilan.status();
    bilan_id_ = bilan->events[0].event_id;
    auto solde = agent_.Solde("conv-9", "s1", 2026, 20271015);
    ASSERT_TRUE(solde.ok()) << solde.status();
  }

  static v1::ClasEvent Bilan(int64_t charges) {
    v1::ClasEvent e;
    e.mutable_bilan_received()->set_school_year(2026);
    e.mutable_bilan_received()->mutable_figures()->set_collectifs(2);
    e.mutable_bilan_received()->mutable_figures()->set_charges_cents(charges);
    return e;
  }

  absl::StatusOr<Outcome> CorrectBilan(int64_t charges, int32_t date) {
    return agent_.Correct("conv-9", bilan_id_, "charges du compte de résultat mal saisies",
                          Bilan(charges), date);
  }

  v1::SchoolYearState Year() {
    auto state = agent_.State("conv-9");
    EXPECT_TRUE(state.ok()) << state.status();
    return state.ok() ? state->years(0) : v1::SchoolYearState{};
  }

  Agent agent_;
  std::string bilan_id_;
};

// Solde 3 900,00 − 3 185,00 = 715,00 paid; the bilan corrected to 13 000,00 € on 01/03/2028:
// DR' 4 225,00, solde' 1 040,00, a complément of 325,00 due, paid by the rappel path and booked
// as a rappel in 2028 (R-ACC-9).
TEST_F(SoldeRevision, R_PAY_9_R_ACC_9_ABilanRaisedAfterItsSoldeMakesAComplementDue) {
  BilanAndSolde(Eur(12000));
  ASSERT_EQ(Year().solde().amount_cents(), Eur(715));
  ASSERT_EQ(Year().solde_settled_cents(), Eur(715));

  // The correction of a bilan whose solde is paid carries its own date (the day it is due).
  uint64_t head = agent_.log().HeadPosition();
  auto undated = CorrectBilan(Eur(13000), 0);
  EXPECT_TRUE(IsRefusal(undated.status(), kInvalidArgument, "R-PAY-9")) << undated.status();
  auto before_solde = CorrectBilan(Eur(13000), 20271010);
  EXPECT_TRUE(IsRefusal(before_solde.status(), kFailedPrecondition, "R-PAY-9"))
      << before_solde.status();
  EXPECT_EQ(agent_.log().HeadPosition(), head);

  auto corrected = CorrectBilan(Eur(13000), 20280301);
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  ASSERT_EQ(corrected->events.size(), 1u) << "a complément is due, no indu is notified";
  const v1::EventCorrected& c = corrected->events[0].fact.event_corrected();
  ASSERT_TRUE(c.has_solde_revision());
  const v1::SoldeRevision& r = c.solde_revision();
  EXPECT_EQ(r.school_year(), 2026);
  EXPECT_EQ(r.dr_before().ps_cents(), Eur(3900));
  EXPECT_EQ(r.dr_after().ps_cents(), Eur(4225));
  EXPECT_EQ(r.acomptes_cents(), kAcomptes);
  EXPECT_EQ(r.settled_before_cents(), Eur(715));
  EXPECT_EQ(r.delta_cents(), Eur(4225) - kAcomptes - Eur(715));
  EXPECT_EQ(r.delta_cents(), Eur(325));
  EXPECT_TRUE(r.indu_id().empty());
  EXPECT_FALSE(corrected->events[0].rule_version.empty()) << "R-HIST-3: the rule version";

  v1::SchoolYearState y = Year();
  EXPECT_EQ(y.dr().ps_cents(), Eur(4225));
  EXPECT_EQ(y.solde().amount_cents(), Eur(715)) << "the solde paid keeps its amount";
  EXPECT_EQ(y.rappel_due_cents(), Eur(325));
  EXPECT_EQ(y.complement_due_cents(), Eur(325));
  EXPECT_EQ(y.solde_settled_cents(), Eur(4225) - kAcomptes);
  ASSERT_EQ(y.solde_revisions_size(), 1);
  EXPECT_EQ(y.solde_revisions(0).event_id(), corrected->events[0].event_id);
  EXPECT_EQ(y.solde_revisions(0).bilan_event_id(), bilan_id_);
  EXPECT_EQ(y.solde_revisions(0).date(), 20280301);
  EXPECT_THAT(y.sources().at("solde").event_ids(),
              ::testing::Contains(corrected->events[0].event_id));

  // As of a day before the correction's date, the bilan and the settlement are the old ones.
  auto before = agent_.State("conv-9", AsOf{.effective_date = 20280229});
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->years(0).dr().ps_cents(), Eur(3900));
  EXPECT_EQ(before->years(0).rappel_due_cents(), 0);

  // The complément is paid like a rappel, never dated before the correction.
  head = agent_.log().HeadPosition();
  auto early = agent_.Rappel("conv-9", "c1", 2026, 20280215);
  EXPECT_TRUE(IsRefusal(early.status(), kFailedPrecondition, "R-PAY-9")) << early.status();
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  auto paid = agent_.Rappel("conv-9", "c1", 2026, 20280310);
  ASSERT_TRUE(paid.ok()) << paid.status();
  EXPECT_EQ(paid->events[0].fact.rappel_paid().amount_cents(), Eur(325));
  y = Year();
  EXPECT_EQ(y.rappel_due_cents(), 0);
  EXPECT_EQ(y.complement_due_cents(), 0);
  EXPECT_EQ(y.paid_net_cents(), Eur(4225)) << "acomptes + solde + complément = DR'";

  // R-ACC-9: a payment line of 325,00 in 2028, caused by the complément's payment.
  int64_t booked = 0;
  for (const auto& l : agent_.Lines(2028)) {
    if (l.cause_event_id == paid->events[0].event_id) {
      EXPECT_EQ(l.rule.id, "R-ACC-9");
      booked += l.amount.cents();
    }
  }
  EXPECT_EQ(booked, Eur(325));
  auto report = agent_.engine().GetCivilYear(agent_.caf(), 2028, AsOf{});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->balanced());
}

// Solde 4 225,00 − 3 185,00 = 1 040,00 paid; the bilan corrected down to 12 000,00 €: DR'
// 3 900,00, an indu of 325,00 notified in the same append, then repaid (R-CTL-3).
TEST_F(SoldeRevision, R_PAY_9_R_CTL_3_ABilanLoweredAfterItsSoldeNotifiesAnIndu) {
  BilanAndSolde(Eur(13000));
  ASSERT_EQ(Year().solde().amount_cents(), Eur(1040));
  const uint64_t head = agent_.log().HeadPosition();
  auto corrected = CorrectBilan(Eur(12000), 20280301);
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  ASSERT_EQ(corrected->events.size(), 2u);
  EXPECT_EQ(agent_.log().HeadPosition(), head + 2) << "one atomic append of both facts";
  const v1::SoldeRevision& r = corrected->events[0].fact.event_corrected().solde_revision();
  EXPECT_EQ(r.delta_cents(), -Eur(325));
  const v1::InduNotified& indu = corrected->events[1].fact.indu_notified();
  EXPECT_EQ(indu.amount_cents(), Eur(325));
  EXPECT_EQ(indu.origin(), v1::INDU_FROM_BILAN_CORRECTION);
  EXPECT_EQ(indu.school_year(), 2026);
  EXPECT_EQ(indu.indu_id(), r.indu_id());
  EXPECT_EQ(corrected->events[1].effective_date, 20280301);

  v1::SchoolYearState y = Year();
  EXPECT_EQ(y.rappel_due_cents(), 0);
  EXPECT_EQ(y.indus_open_cents(), Eur(325));
  EXPECT_EQ(y.paid_net_cents(), Eur(3900)) << "paid − indus notified = DR'";
  EXPECT_EQ(y.solde_settled_cents(), Eur(3900) - kAcomptes);

  auto repaid = agent_.Recover("conv-9", "rec-1", indu.indu_id(), Eur(325), v1::REPAYMENT,
                               20280401);
  ASSERT_TRUE(repaid.ok()) << repaid.status();
  EXPECT_EQ(Year().indus_open_cents(), 0);
}

// Two corrections: 12 000 → 13 000 (+325,00) → 12 500 (4 062,50 − 3 185,00 − 1 040,00 =
// −162,50): each delta is taken against the settlement the previous one left.
TEST_F(SoldeRevision, R_PAY_9_EachCorrectionSettlesAgainstThePreviousOne) {
  BilanAndSolde(Eur(12000));
  auto first = CorrectBilan(Eur(13000), 20280301);
  ASSERT_TRUE(first.ok()) << first.status();
  // A later correction is not dated before the previous one.
  auto earlier = CorrectBilan(Eur(12500), 20280201);
  EXPECT_TRUE(IsRefusal(earlier.status(), kFailedPrecondition, "R-PAY-9")) << earlier.status();
  auto second = CorrectBilan(Eur(12500), 20280315);
  ASSERT_TRUE(second.ok()) << second.status();
  const v1::SoldeRevision& r = second->events[0].fact.event_corrected().solde_revision();
  EXPECT_EQ(r.dr_before().ps_cents(), Eur(4225));
  EXPECT_EQ(r.dr_after().ps_cents(), 406250);
  EXPECT_EQ(r.settled_before_cents(), Eur(1040));
  EXPECT_EQ(r.delta_cents(), 406250 - kAcomptes - Eur(1040));
  EXPECT_EQ(r.delta_cents(), -16250);
  v1::SchoolYearState y = Year();
  EXPECT_EQ(y.solde_revisions_size(), 2);
  EXPECT_EQ(y.solde_settled_cents(), 406250 - kAcomptes);
  EXPECT_EQ(y.rappel_due_cents(), Eur(325)) << "the first complément is still due";
  EXPECT_EQ(y.indus_open_cents(), 16250);
}

// A negative solde (DR 2 925,00 < 3 185,00: an indu of 260,00, R-PAY-5), then the bilan
// corrected to 13 000,00 €: the settlement was −260,00, the new one 1 040,00: 1 300,00 due.
TEST_F(SoldeRevision, R_PAY_9_R_PAY_5_ANegativeSoldeIsPartOfTheSettlement) {
  BilanAndSolde(Eur(9000));
  ASSERT_EQ(Year().indus_open_cents(), Eur(260));
  ASSERT_EQ(Year().solde_settled_cents(), -Eur(260));
  auto corrected = CorrectBilan(Eur(13000), 20280301);
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  const v1::SoldeRevision& r = corrected->events[0].fact.event_corrected().solde_revision();
  EXPECT_EQ(r.settled_before_cents(), -Eur(260));
  EXPECT_EQ(r.delta_cents(), Eur(4225) - kAcomptes + Eur(260));
  EXPECT_EQ(Year().rappel_due_cents(), Eur(1300));
  EXPECT_EQ(Year().indus_open_cents(), Eur(260)) << "the indu is still to recover";
}

// R-PAY-9 and R-PAY-7: what a correction makes due is not dated in a closed civil year.
TEST_F(SoldeRevision, R_PAY_9_R_PAY_7_NothingIsDueInAClosedCivilYear) {
  BilanAndSolde(Eur(12000));
  ASSERT_TRUE(agent_.Close(2026, 20270115).ok());  // the years close in order (R-ACC-8)
  ASSERT_TRUE(agent_.Close(2027, 20280115).ok());
  const uint64_t head = agent_.log().HeadPosition();
  auto closed = CorrectBilan(Eur(13000), 20271215);
  EXPECT_TRUE(IsRefusal(closed.status(), kFailedPrecondition, "R-PAY-7")) << closed.status();
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  // The same correction with no money to move (same DR) may be dated there.
  auto same = CorrectBilan(Eur(12000), 20271215);
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(same->events[0].fact.event_corrected().solde_revision().delta_cents(), 0);
}

// R-PAY-8: a year a contrôle decided is not reopened by a bilan corrected afterwards: the
// correction is kept with a warning, and moves no money.
TEST_F(SoldeRevision, R_PAY_8_R_PAY_9_AYearAControleSettledIsNotReopened) {
  BilanAndSolde(Eur(12000));
  agent_.ActAs("controleur-1", "controleur");
  ASSERT_TRUE(agent_.OpenControle("conv-9", "ctl-1", {2026}, 20280101).ok());
  ASSERT_TRUE(
      agent_.Findings("conv-9", "ctl-1", {Agent::Controlled(2026, 2, Eur(12000))}, 20280110).ok());
  ASSERT_TRUE(agent_.DecideControle("conv-9", "ctl-1", 20280120).ok());
  agent_.ActAs("agent-1", "agent");
  const v1::SchoolYearState decided = Year();
  auto corrected = CorrectBilan(Eur(13000), 20280301);
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  ASSERT_EQ(corrected->events.size(), 1u);
  EXPECT_FALSE(corrected->events[0].fact.event_corrected().has_solde_revision());
  EXPECT_THAT(WarningIds(corrected->events[0].fact), ::testing::Contains("R-PAY-8"));
  const v1::SchoolYearState y = Year();
  EXPECT_EQ(y.rappel_due_cents(), decided.rappel_due_cents());
  EXPECT_EQ(y.paid_net_cents(), decided.paid_net_cents());
  EXPECT_EQ(y.solde_revisions_size(), 0);
}

// A complément due and not yet paid when a contrôle decides: the decision's rappel (DC − paid)
// already holds it, so it is not due twice (R-PAY-8: the decision is the settlement).
TEST_F(SoldeRevision, R_PAY_8_AComplementNotYetPaidIsReplacedByTheDecision) {
  BilanAndSolde(Eur(12000));
  ASSERT_TRUE(CorrectBilan(Eur(13000), 20280301).ok());
  ASSERT_EQ(Year().rappel_due_cents(), Eur(325));
  agent_.ActAs("controleur-1", "controleur");
  ASSERT_TRUE(agent_.OpenControle("conv-9", "ctl-1", {2026}, 20280401).ok());
  ASSERT_TRUE(
      agent_.Findings("conv-9", "ctl-1", {Agent::Controlled(2026, 2, Eur(13000))}, 20280410).ok());
  auto decided = agent_.DecideControle("conv-9", "ctl-1", 20280420);
  ASSERT_TRUE(decided.ok()) << decided.status();
  // DC = 4 225,00; paid = 3 185,00 + 715,00 = 3 900,00: a rappel of 325,00, due once.
  const v1::SchoolYearState y = Year();
  EXPECT_EQ(y.dc().ps_cents(), Eur(4225));
  EXPECT_EQ(y.rappel_due_cents(), Eur(325));
  EXPECT_EQ(y.complement_due_cents(), 0);
}

// [choice] R-HIST-3: a complément of 325,00 paid on 10/03/2028 (bilan raised to 13 000,00 €),
// then a contrôle finds 14 000,00 € of charges: DC PS 4 550,00 €, paid 3 185,00 + 715,00 +
// 325,00 = 4 225,00 €, a rappel of 325,00 €. The decision counted the complément as paid: it is
// no longer cancelled (refused, naming the contrôle, nothing written). The decision's own rappel,
// paid afterwards, may be cancelled: it is due again.
TEST_F(SoldeRevision, R_HIST_3_AComplementPaidBeforeTheDecisionIsNotCancelled) {
  BilanAndSolde(Eur(12000));
  ASSERT_TRUE(CorrectBilan(Eur(13000), 20280301).ok());
  auto complement = agent_.Rappel("conv-9", "c1", 2026, 20280310);
  ASSERT_TRUE(complement.ok()) << complement.status();
  agent_.ActAs("controleur-1", "controleur");
  ASSERT_TRUE(agent_.OpenControle("conv-9", "ctl-1", {2026}, 20280401).ok());
  ASSERT_TRUE(
      agent_.Findings("conv-9", "ctl-1", {Agent::Controlled(2026, 2, Eur(14000))}, 20280410).ok());
  ASSERT_TRUE(agent_.DecideControle("conv-9", "ctl-1", 20280420).ok());
  agent_.ActAs("agent-1", "agent");
  ASSERT_EQ(Year().rappel_due_cents(), Eur(325));
  auto rappel = agent_.Rappel("conv-9", "r1", 2026, 20280505);
  ASSERT_TRUE(rappel.ok()) << rappel.status();
  EXPECT_EQ(Year().rappels_decided(), 1);

  const uint64_t head = agent_.log().HeadPosition();
  auto refused = agent_.Cancel("conv-9", complement->events[0].event_id, "saisi par erreur",
                               20280510);
  EXPECT_TRUE(IsRefusal(refused.status(), kFailedPrecondition, "R-HIST-3")) << refused.status();
  EXPECT_THAT(refused.status().message(), ::testing::HasSubstr("ctl-1"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);

  auto cancelled =
      agent_.Cancel("conv-9", rappel->events[0].event_id, "virement rejeté", 20280510);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  const v1::SchoolYearState y = Year();
  EXPECT_EQ(y.rappel_due_cents(), Eur(325));
  EXPECT_EQ(y.paid_net_cents(), Eur(4225));
}

// [choice] R-PAY-8: the bilan of a year a contrôle settled (before any solde) may be cancelled,
// as it may be corrected, with a warning: the settlement stays as decided (DC 3 900,00 € on
// controlled charges of 12 000,00 €, paid 3 185,00 €: a rappel of 715,00 €).
TEST_F(SoldeRevision, R_PAY_8_ABilanCancelledOnAYearAControleSettledLeavesTheSettlement) {
  auto bilan = agent_.Bilan("conv-9", 2026, 2, Eur(13000), 20270920);
  ASSERT_TRUE(bilan.ok()) << bilan.status();
  agent_.ActAs("controleur-1", "controleur");
  ASSERT_TRUE(agent_.OpenControle("conv-9", "ctl-1", {2026}, 20271001).ok());
  ASSERT_TRUE(
      agent_.Findings("conv-9", "ctl-1", {Agent::Controlled(2026, 2, Eur(12000))}, 20271010).ok());
  ASSERT_TRUE(agent_.DecideControle("conv-9", "ctl-1", 20271020).ok());
  agent_.ActAs("agent-1", "agent");
  ASSERT_EQ(Year().rappel_due_cents(), Eur(715));

  auto cancelled =
      agent_.Cancel("conv-9", bilan->events[0].event_id, "bilan d'un autre dossier", 20271105);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_THAT(WarningIds(cancelled->events[0].fact), ::testing::Contains("R-PAY-8"));
  const v1::SchoolYearState y = Year();
  EXPECT_FALSE(y.bilan_received());
  EXPECT_EQ(y.dc().ps_cents(), Eur(3900));
  EXPECT_EQ(y.rappel_due_cents(), Eur(715));
}

}  // namespace
}  // namespace clas::testing
