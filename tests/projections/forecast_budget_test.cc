// R-DROIT-5 [choice] in every forecast budget: other Branche Famille money above the charges is
// an incoherent forecast, refused naming R-DROIT-5 whether it comes with the request, the
// convention, a prolongation avenant or a correction of the convention's budget; the same
// figures in a bilan or a contrôle are facts, taken as they are (the droit falls to what the
// cap leaves). Also R-BON-3: a request asks a bonus for at most the collectifs it requests.
//
// Barème 2026 (illustrative): plafond 7 000,00 €; a centre social, 2 collectifs, charges
// 14 000,00 €.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/projections/agent.h"

namespace clas::testing {
namespace {

using absl::StatusCode::kInvalidArgument;

class ForecastBudget : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(agent_.PublishBareme(2026, Eur(7000), Eur(1000), Eur(1500)).ok());
    ASSERT_TRUE(agent_.PublishBareme(2027, Eur(7000), Eur(1000), Eur(1500)).ok());
    ASSERT_TRUE(agent_.Register("cs-1", v1::CENTRE_SOCIAL, 2018).ok());
    ASSERT_TRUE(agent_.File(Agent::Request("conv-1", "cs-1", 2026, 1, 2, Eur(14000)), 20260515)
                    .ok());
    ASSERT_TRUE(agent_.Agree("conv-1", 2026, 2026, 2, 20260620).ok());
  }

  absl::StatusOr<CommandResult> Sign(int64_t charges, int64_t autres_bf) {
    v1::SignConvention cmd;
    cmd.set_caf_id(agent_.caf());
    cmd.set_convention_id("conv-1");
    cmd.set_first_school_year(2026);
    cmd.set_last_school_year(2026);
    cmd.set_charges_cents(charges);
    cmd.set_autres_bf_cents(autres_bf);
    cmd.set_date(20260701);
    return agent_.engine().SignConvention(cmd, agent_.actor(), agent_.NextRequest());
  }

  absl::StatusOr<CommandResult> Prolong(int64_t charges, int64_t autres_bf) {
    v1::SignAvenant cmd;
    cmd.set_caf_id(agent_.caf());
    cmd.set_convention_id("conv-1");
    cmd.set_avenant_id("av-1");
    cmd.set_kind(v1::PROLONGATION_COLLECTIFS);
    cmd.set_school_year(2027);
    cmd.set_collectifs(2);
    cmd.set_charges_cents(charges);
    cmd.set_autres_bf_cents(autres_bf);
    cmd.set_date(20270615);
    return agent_.engine().SignAvenant(cmd, agent_.actor(), agent_.NextRequest());
  }

  Agent agent_;
};

TEST_F(ForecastBudget, R_DROIT_5_AConventionsBudgetMayNotHaveMoreOtherMoneyThanCharges) {
  const uint64_t head = agent_.log().HeadPosition();
  auto refused = Sign(Eur(14000), Cents(14000, 1));
  EXPECT_TRUE(IsRefusal(refused.status(), kInvalidArgument, "R-DROIT-5")) << refused.status();
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  // Equal is coherent (the cap then leaves no droit, R-DROIT-5's computation).
  auto equal = Sign(Eur(14000), Eur(14000));
  ASSERT_TRUE(equal.ok()) << equal.status();
  ASSERT_TRUE(equal->figures.has_value());
  EXPECT_EQ(equal->figures->years(0).dp().droit_cents(), 0);
}

TEST_F(ForecastBudget, R_DROIT_5_AnAvenantsBudgetToo) {
  ASSERT_TRUE(Sign(0, 0).ok());
  const uint64_t head = agent_.log().HeadPosition();
  auto refused = Prolong(Eur(10000), Eur(12000));
  EXPECT_TRUE(IsRefusal(refused.status(), kInvalidArgument, "R-DROIT-5")) << refused.status();
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  EXPECT_TRUE(Prolong(Eur(10000), Eur(2000)).ok());
}

TEST_F(ForecastBudget, R_DROIT_5_ACorrectionOfTheConventionsBudgetToo) {
  auto signed_ = Sign(Eur(14000), 0);
  ASSERT_TRUE(signed_.ok()) << signed_.status();
  v1::ClasEvent budget = signed_->events.front().fact;
  budget.mutable_convention_signed()->set_autres_bf_cents(Eur(20000));
  const uint64_t head = agent_.log().HeadPosition();
  auto refused = agent_.Correct("conv-1", signed_->events.front().event_id, "budget", budget);
  EXPECT_TRUE(IsRefusal(refused.status(), kInvalidArgument, "R-DROIT-5")) << refused.status();
  EXPECT_EQ(agent_.log().HeadPosition(), head);
}

// Final figures are facts: a bilan whose other money exceeds its charges is received, and its
// droit falls to 0 (the cap of 80 % of the charges is taken by the other money).
TEST_F(ForecastBudget, R_DROIT_5_FinalFiguresAreFactsTakenAsTheyAre) {
  ASSERT_TRUE(Sign(0, 0).ok());
  v1::ReceiveBilan bilan;
  bilan.set_caf_id(agent_.caf());
  bilan.set_convention_id("conv-1");
  bilan.set_school_year(2026);
  bilan.mutable_figures()->set_collectifs(2);
  bilan.mutable_figures()->set_charges_cents(Eur(10000));
  bilan.mutable_figures()->set_autres_bf_cents(Eur(11000));
  bilan.set_date(20270915);
  auto received = agent_.engine().ReceiveBilan(bilan, agent_.actor(), "bilan");
  ASSERT_TRUE(received.ok()) << received.status();
  ASSERT_TRUE(received->figures.has_value());
  EXPECT_EQ(received->figures->years(0).dr().droit_cents(), 0);
}

TEST(BonusRequest, R_BON_3_ABonusAskedForMoreCollectifsThanRequestedNamesTheGrantRule) {
  Agent agent;
  ASSERT_TRUE(agent.PublishBareme(2026, Eur(7000), Eur(1000), Eur(1500)).ok());
  ASSERT_TRUE(agent.Register("asso-1", v1::ASSOCIATION).ok());
  v1::FundingRequestFiled request = Agent::Request("conv-1", "asso-1", 2026, 1, 2, Eur(14000));
  auto* bonus = request.mutable_bonus_enfants();
  bonus->set_requested(true);
  bonus->set_structured_project(true);
  bonus->set_teaching_equipment(true);
  bonus->set_collectifs(3);
  auto filed = agent.File(request, 20260515);
  EXPECT_TRUE(IsRefusal(filed.status(), kInvalidArgument, "R-BON-3")) << filed.status();
  EXPECT_THAT(RuleIds(filed.status()), ::testing::Not(::testing::Contains("R-BON-1")));
}

}  // namespace
}  // namespace clas::testing
