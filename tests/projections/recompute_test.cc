// R-HIST-3: recorded computations replayed with the current rules. A history produced by the
// engine replays to the cent; a recorded amount altered afterwards (a copy of the events, edited)
// is reported with its field, the value recorded and the value the current code computes.
#include "projections/history/recompute.h"

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/rules/rule_version.h"
#include "tests/projections/agent.h"

namespace clas::testing {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

std::string Describe(const std::vector<RecomputeDifference>& diffs) {
  std::string out;
  for (const auto& d : diffs) absl::StrAppend(&out, d.message, "\n");
  return out;
}

// A whole life: barème, bonuses, acomptes at their caps in both civil years, closings of 2026 and
// 2027, bilan, solde, a contrôle that finds less (indu, recovered in part) on one convention; a
// negative solde (indu) on another.
class RecomputeHistory : public ::testing::Test {
 protected:
  void SetUp() override {
    Ok(agent_.PublishBareme(2026, Cents(7886, 15), Eur(1000), Eur(1500)));
    Ok(agent_.Register("cs-1", v1::CENTRE_SOCIAL));
    v1::FundingRequestFiled r = Agent::Request("conv-1", "cs-1", 2026, 1, 3, Cents(24123, 45));
    r.mutable_bonus_enfants()->set_requested(true);
    r.mutable_bonus_enfants()->set_structured_project(true);
    r.mutable_bonus_enfants()->set_cultural_outings(true);
    r.mutable_bonus_enfants()->set_collectifs(2);
    Ok(agent_.File(r, 20260601));
    Ok(agent_.Agree("conv-1", 2026, 2026, 3, 20260701, 2, 0));
    Ok(agent_.Sign("conv-1", 2026, 2026, 20260715));
    Ok(agent_.File(Agent::Request("conv-2", "cs-1", 2026, 1, 1, Eur(9000)), 20260602));
    Ok(agent_.Agree("conv-2", 2026, 2026, 1, 20260702));
    Ok(agent_.Sign("conv-2", 2026, 2026, 20260716));
    auto s1 = agent_.State("conv-1");
    ASSERT_TRUE(s1.ok()) << s1.status();
    Ok(agent_.Acompte("conv-1", "a1", 2026, s1->years(0).room_n_cents(), 20261015));
    Ok(agent_.Acompte("conv-2", "b1", 2026, Eur(500), 20261020));
    Ok(agent_.Close(2026, 20261231));
    Ok(agent_.Acompte("conv-1", "a2", 2026, s1->years(0).cap_n1_cents(), 20270201));
    Ok(agent_.Acompte("conv-2", "b2", 2026, Eur(700), 20270202));
    Ok(agent_.Bilan("conv-1", 2026, 3, Cents(23000, 7), 20270915, 2, 0));
    Ok(agent_.Bilan("conv-2", 2026, 1, Eur(3000), 20270916));  // DR 975,00 < 1 200,00 paid
    Ok(agent_.Solde("conv-1", "s1", 2026, 20271105));
    Ok(agent_.Solde("conv-2", "t1", 2026, 20271106));
    Ok(agent_.Close(2027, 20271231));
    Ok(agent_.OpenControle("conv-1", "ctl-1", {2026}, 20280110));
    Ok(agent_.Findings("conv-1", "ctl-1", {Agent::Controlled(2026, 2, Eur(15000), 1, 0)},
                       20280201));
    Ok(agent_.DecideControle("conv-1", "ctl-1", 20280301));
    Ok(agent_.Recover("conv-1", "rec-1", "ctl-1-2026", Eur(100), v1::REPAYMENT, 20280401));
    events_ = agent_.log().All();
  }

  void Ok(const absl::StatusOr<CommandResult>& result) {
    ASSERT_TRUE(result.ok()) << result.status();
  }

  // A copy of the log whose first event matching `pred` is edited by `edit`.
  std::vector<DomainEvent> Altered(std::function<bool(const DomainEvent&)> pred,
                                   std::function<void(v1::ClasEvent&)> edit) {
    std::vector<DomainEvent> copy = events_;
    for (auto& e : copy) {
      if (!pred(e)) continue;
      edit(e.fact);
      altered_ = e;
      return copy;
    }
    ADD_FAILURE() << "no event to alter";
    return copy;
  }

  static bool IsAcompte(const DomainEvent& e, const std::string& id) {
    return e.fact.has_acompte_paid() && e.fact.acompte_paid().payment_id() == id;
  }

  Agent agent_;
  std::vector<DomainEvent> events_;
  DomainEvent altered_;
};

auto Difference(const std::string& field, int64_t recorded, int64_t recomputed) {
  return AllOf(Field(&RecomputeDifference::field, field),
               Field(&RecomputeDifference::recorded_value, recorded),
               Field(&RecomputeDifference::recomputed_value, recomputed));
}

TEST_F(RecomputeHistory, R_HIST_3_EngineHistoryRecomputesWithoutDifference) {
  ASSERT_GT(events_.size(), 20u);
  const auto diffs = RecomputeCheck(events_);
  EXPECT_THAT(diffs, IsEmpty()) << Describe(diffs);
}

TEST_F(RecomputeHistory, R_HIST_3_AlteredAcompteCapIsReportedWithBothValues) {
  int64_t cap = 0;
  auto events = Altered([](const DomainEvent& e) { return IsAcompte(e, "a1"); },
                        [&](v1::ClasEvent& f) {
                          cap = f.acompte_paid().cap_cents();
                          f.mutable_acompte_paid()->set_cap_cents(cap + 1);
                        });
  const auto diffs = RecomputeCheck(events);
  ASSERT_THAT(diffs, SizeIs(1)) << Describe(diffs);
  EXPECT_THAT(diffs[0], Difference("cap_cents", cap + 1, cap));
  EXPECT_EQ(diffs[0].event_id, altered_.event_id);
  EXPECT_EQ(diffs[0].position, altered_.position);
  EXPECT_EQ(diffs[0].fact, "acompte_paid");
  EXPECT_EQ(diffs[0].rule_version_recorded, rules::kRuleVersion);
  EXPECT_EQ(diffs[0].rule_version_current, rules::kRuleVersion);
  EXPECT_THAT(diffs[0].message, AllOf(HasSubstr("R-HIST-3"), HasSubstr("l'acompte a1"),
                                      HasSubstr("cap_cents"), HasSubstr("reste tel quel")));
}

TEST_F(RecomputeHistory, R_HIST_3_AlteredBreakdownIsReportedFieldByField) {
  int64_t ps = 0;
  auto events = Altered([](const DomainEvent& e) { return IsAcompte(e, "a2"); },
                        [&](v1::ClasEvent& f) {
                          ps = f.acompte_paid().dp().ps_cents();
                          f.mutable_acompte_paid()->mutable_dp()->set_ps_cents(ps - 100);
                        });
  const auto diffs = RecomputeCheck(events);
  // The PS recorded is recomputed from the recorded inputs; the recorded cap (42 % of the true
  // PS) is no longer 42 % of the PS recorded.
  EXPECT_THAT(diffs, Contains(Difference("dp.ps_cents", ps - 100, ps))) << Describe(diffs);
  EXPECT_THAT(diffs, Contains(Field(&RecomputeDifference::field, "cap_cents")));
}

TEST_F(RecomputeHistory, R_HIST_3_AlteredInputsChangeTheRecomputedDroit) {
  auto events = Altered([](const DomainEvent& e) { return IsAcompte(e, "a1"); },
                        [](v1::ClasEvent& f) {
                          auto* in = f.mutable_acompte_paid()->mutable_dp()->mutable_inputs();
                          in->set_collectifs(in->collectifs() - 1);
                        });
  const auto diffs = RecomputeCheck(events);
  EXPECT_THAT(diffs, Contains(Field(&RecomputeDifference::field, "dp.droit_cents")))
      << Describe(diffs);
}

TEST_F(RecomputeHistory, R_HIST_3_AlteredSoldeAmountIsReported) {
  int64_t amount = 0;
  auto events = Altered([](const DomainEvent& e) { return e.fact.has_solde_paid(); },
                        [&](v1::ClasEvent& f) {
                          amount = f.solde_paid().amount_cents();
                          f.mutable_solde_paid()->set_amount_cents(amount + 5000);
                        });
  ASSERT_GT(amount, 0);
  const auto diffs = RecomputeCheck(events);
  ASSERT_THAT(diffs, SizeIs(1)) << Describe(diffs);
  EXPECT_THAT(diffs[0], Difference("amount_cents", amount + 5000, amount));
  EXPECT_EQ(diffs[0].fact, "solde_paid");
}

TEST_F(RecomputeHistory, R_HIST_3_AlteredAcomptesOfANegativeSoldeReportTheIndu) {
  // conv-2: DR 975,00, acomptes 1 200,00: solde 0 and an indu of 225,00 (R-PAY-5).
  auto events = Altered(
      [](const DomainEvent& e) {
        return e.fact.has_solde_paid() && e.fact.solde_paid().payment_id() == "t1";
      },
      [](v1::ClasEvent& f) { f.mutable_solde_paid()->set_acomptes_cents(Eur(1100)); });
  const auto diffs = RecomputeCheck(events);
  ASSERT_THAT(diffs, SizeIs(1)) << Describe(diffs);
  EXPECT_THAT(diffs[0], Difference("indu_cents", Eur(225), Eur(125)));
}

// R-PAY-9: conv-2's bilan corrected after its solde, charges 2 000,00 € instead of 3 000,00 €:
// DR' PS = (200 000 × 13 + 20) div 40 = 65 000 → 650,00; the settlement was 975,00 − 1 200,00 =
// −225,00; delta = 650,00 − 1 200,00 + 225,00 = −325,00, an indu notified with the correction.
TEST_F(RecomputeHistory, R_PAY_9_R_HIST_3_ASoldeRevisionIsRecomputed) {
  std::string bilan;
  for (const auto& e : events_) {
    if (e.fact.has_bilan_received() && e.fact.convention_id() == "conv-2") bilan = e.event_id;
  }
  v1::ClasEvent fix;
  fix.mutable_bilan_received()->set_school_year(2026);
  fix.mutable_bilan_received()->mutable_figures()->set_collectifs(1);
  fix.mutable_bilan_received()->mutable_figures()->set_charges_cents(Eur(2000));
  auto corrected = agent_.Correct("conv-2", bilan, "charges mal saisies", fix, 20280115);
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  ASSERT_EQ(corrected->events[0].fact.event_corrected().solde_revision().delta_cents(), -Eur(325));
  events_ = agent_.log().All();
  EXPECT_THAT(RecomputeCheck(events_), IsEmpty());

  auto delta = Altered([](const DomainEvent& e) { return e.fact.has_event_corrected(); },
                       [](v1::ClasEvent& f) {
                         f.mutable_event_corrected()->mutable_solde_revision()->set_delta_cents(
                             -Eur(300));
                       });
  auto diffs = RecomputeCheck(delta);
  ASSERT_THAT(diffs, SizeIs(1)) << Describe(diffs);
  EXPECT_THAT(diffs[0], Difference("solde_revision.delta_cents", -Eur(300), -Eur(325)));
  EXPECT_EQ(diffs[0].fact, "event_corrected");

  auto indu = Altered(
      [](const DomainEvent& e) {
        return e.fact.indu_notified().origin() == v1::INDU_FROM_BILAN_CORRECTION;
      },
      [](v1::ClasEvent& f) { f.mutable_indu_notified()->set_amount_cents(Eur(300)); });
  diffs = RecomputeCheck(indu);
  ASSERT_THAT(diffs, SizeIs(1)) << Describe(diffs);
  EXPECT_THAT(diffs[0], Difference("solde_revision.indu_notified", Eur(300), Eur(325)));
}

TEST_F(RecomputeHistory, R_HIST_3_AlteredControleOutcomeIsReported) {
  int64_t indu = 0;
  auto events =
      Altered([](const DomainEvent& e) { return e.fact.has_controle_decided(); },
              [&](v1::ClasEvent& f) {
                auto* o = f.mutable_controle_decided()->mutable_outcomes(0);
                indu = o->indu_cents();
                o->mutable_dc()->set_bonus_enfants_cents(o->dc().bonus_enfants_cents() + 1);
                o->set_indu_cents(indu + 7);
              });
  ASSERT_GT(indu, 0);
  const auto diffs = RecomputeCheck(events);
  EXPECT_THAT(diffs,
              Contains(Field(&RecomputeDifference::field, "outcomes[0].dc.bonus_enfants_cents")))
      << Describe(diffs);
  EXPECT_THAT(diffs, Contains(Difference("outcomes[0].indu_cents", indu + 7, indu)));
}

TEST_F(RecomputeHistory, R_HIST_3_AlteredClosingLineIsReported) {
  int64_t amount = 0;
  std::string debit;
  auto events = Altered(
      [](const DomainEvent& e) {
        return e.fact.has_civil_year_closed() && e.fact.civil_year_closed().civil_year() == 2026;
      },
      [&](v1::ClasEvent& f) {
        auto* l = f.mutable_civil_year_closed()->mutable_lines(0);
        amount = l->amount_cents();
        debit = l->debit_account();
        l->set_amount_cents(amount + 1);
      });
  const auto diffs = RecomputeCheck(events);
  ASSERT_THAT(diffs, SizeIs(1)) << Describe(diffs);
  EXPECT_THAT(diffs[0].field, AllOf(HasSubstr("lines[conv-"), HasSubstr(debit)));
  EXPECT_EQ(diffs[0].recorded_value, amount + 1);
  EXPECT_EQ(diffs[0].recomputed_value, amount);
  EXPECT_EQ(diffs[0].fact, "civil_year_closed");
}

TEST_F(RecomputeHistory, R_HIST_3_OlderRuleVersionIsNamedInTheDifference) {
  std::vector<DomainEvent> events = events_;
  for (auto& e : events) {
    if (!IsAcompte(e, "a1")) continue;
    e.rule_version = "C-2025-001/1";
    e.fact.mutable_acompte_paid()->set_cap_cents(e.fact.acompte_paid().cap_cents() - 3);
  }
  const auto diffs = RecomputeCheck(events);
  ASSERT_THAT(diffs, SizeIs(1)) << Describe(diffs);
  EXPECT_EQ(diffs[0].rule_version_recorded, "C-2025-001/1");
  EXPECT_THAT(diffs[0].message, HasSubstr("C-2025-001/1"));
}

// The fixture records 4 acomptes (a1, a2, b1, b2), 2 soldes (s1, t1), a contrôle decision on
// one school year and 2 closings: 9 computations, each counted once, every event visited.
TEST_F(RecomputeHistory, R_HIST_3_EachEventIsVisitedWithTheComputationsItRecorded) {
  size_t visited = 0;
  int computations = 0;
  ASSERT_TRUE(RecomputeEach(events_, 0, [&](const DomainEvent& e, RecomputedEvent r) {
                ++visited;
                computations += r.computations;
                EXPECT_THAT(r.differences, IsEmpty()) << e.event_id;
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(visited, events_.size());
  EXPECT_EQ(computations, 9);
}

// Resumed from an event's position, the run visits that event and the ones after it only, and
// finds what a run from the start finds there: the closing of 2026, altered, is recomputed from
// the conventions recorded before it even though they are not visited.
TEST_F(RecomputeHistory, R_HIST_3_AResumedRunUsesTheEarlierEventsAsInputsOnly) {
  auto events = Altered(
      [](const DomainEvent& e) {
        return e.fact.has_civil_year_closed() && e.fact.civil_year_closed().civil_year() == 2026;
      },
      [](v1::ClasEvent& f) {
        auto* l = f.mutable_civil_year_closed()->mutable_lines(0);
        l->set_amount_cents(l->amount_cents() + 2);
      });
  std::vector<uint64_t> positions;
  std::vector<RecomputeDifference> found;
  ASSERT_TRUE(RecomputeEach(events, altered_.position, [&](const DomainEvent& e,
                                                           RecomputedEvent r) {
                positions.push_back(e.position);
                for (auto& d : r.differences) found.push_back(std::move(d));
                return absl::OkStatus();
              }).ok());
  ASSERT_FALSE(positions.empty());
  EXPECT_EQ(positions.front(), altered_.position);
  EXPECT_EQ(positions.size(), static_cast<size_t>(std::count_if(
                                  events.begin(), events.end(), [&](const DomainEvent& e) {
                                    return e.position >= altered_.position;
                                  })));
  ASSERT_THAT(found, SizeIs(1)) << Describe(found);
  EXPECT_EQ(found[0].position, altered_.position);
  EXPECT_EQ(found[0].recorded_value, found[0].recomputed_value + 2);
  // A visitor's error stops the run and is returned.
  int calls = 0;
  const absl::Status stopped = RecomputeEach(events, 0, [&](const DomainEvent&, RecomputedEvent) {
    return ++calls == 3 ? absl::CancelledError("enough") : absl::OkStatus();
  });
  EXPECT_TRUE(absl::IsCancelled(stopped));
  EXPECT_EQ(calls, 3);
}

TEST_F(RecomputeHistory, R_HIST_3_RecomputingChangesNothing) {
  const std::vector<DomainEvent> before = agent_.log().All();
  (void)RecomputeCheck(before);
  const std::vector<DomainEvent> after = agent_.log().All();
  ASSERT_EQ(before.size(), after.size());
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(before[i].fact.SerializeAsString(), after[i].fact.SerializeAsString());
  }
}

}  // namespace
}  // namespace clas::testing
