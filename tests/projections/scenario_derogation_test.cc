// R-ELIG-3's derogation for lack of premises, as an agent lives it: a town collectif that can
// meet only once a week, for 2 consecutive hours, asks for the derogation with its request; the
// comité grants it on the agrément, or the agrément is refused.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/projections/agent.h"

namespace clas::testing {
namespace {

class Derogation : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(agent_.PublishBareme(2026, Eur(7886), Eur(1000), Eur(1000)).ok());
    ASSERT_TRUE(agent_.Register("asso-1", v1::ASSOCIATION).ok());
  }

  // One town collectif of 10 children meeting once a week for 2 hours.
  static v1::FundingRequestFiled SingleSession(bool asked) {
    v1::FundingRequestFiled r = Agent::Request("conv-1", "asso-1", 2026, 1, 1, Eur(12000));
    r.mutable_collectifs(0)->set_sessions_per_week(1);
    r.mutable_collectifs(0)->set_session_minutes(120);
    r.set_derogation_single_session_requested(asked);
    return r;
  }

  static v1::CommitteeDecisionRecorded Decision(bool derogation) {
    v1::CommitteeDecisionRecorded d;
    d.set_outcome(v1::VALIDATED);
    d.set_mode(v1::POUR_VALIDATION);
    d.set_first_school_year(2026);
    d.set_last_school_year(2026);
    d.set_agreed_collectifs(1);
    d.set_derogation_single_session(derogation);
    return d;
  }

  Agent agent_;
};

TEST_F(Derogation, R_ELIG_3_ASingleSessionInTownWithoutDerogationIsRefusedAtFiling) {
  auto filed = agent_.File(SingleSession(false), 20260601);
  ASSERT_FALSE(filed.ok());
  EXPECT_THAT(RuleIds(filed.status()), ::testing::Contains("R-ELIG-3"));
  EXPECT_EQ(agent_.log().HeadPosition(), 2u);  // the barème and the gestionnaire only
}

TEST_F(Derogation, R_ELIG_3_TheComiteGrantsTheDerogationOnTheAgrement) {
  ASSERT_TRUE(agent_.File(SingleSession(true), 20260601).ok());
  // Without the derogation on the decision, the single session is refused.
  auto without = agent_.Comite("conv-1", Decision(false), 20260701);
  ASSERT_FALSE(without.ok());
  EXPECT_EQ(without.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(RuleIds(without.status()), ::testing::Contains("R-ELIG-3"));
  // With it, the agrément is given and records the derogation.
  auto with = agent_.Comite("conv-1", Decision(true), 20260701);
  ASSERT_TRUE(with.ok()) << with.status();
  EXPECT_TRUE(with->convention.years(0).agrement().derogation_single_session());
}

}  // namespace
}  // namespace clas::testing
