// The wire form of the states the API answers with (codec/state_codec.h).
#include "projections/codec/state_codec.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/convention/gestionnaire.h"
#include "tests/projections/agent.h"

namespace clas {
namespace {

using ::testing::ElementsAre;

TEST(StateCodec, R_CONV_2_AGestionnaireIsAnsweredAsRegisteredWithZeroForWhatIsNotRecorded) {
  Gestionnaire g{.caf_id = "caf-75",
                 .gestionnaire_id = "cs-1",
                 .name = "Centre social Émile",
                 .kind = v1::CENTRE_SOCIAL,
                 .supported_since = SchoolYear(2022),
                 .centre_social_agrement_end = absl::CivilDay(2029, 8, 31),
                 .event_id = "ev-1",
                 .convention_ids = {"conv-a", "conv-b"}};
  v1::GestionnaireState wire = codec::Encode(g);
  EXPECT_EQ(wire.caf_id(), "caf-75");
  EXPECT_EQ(wire.gestionnaire_id(), "cs-1");
  EXPECT_EQ(wire.name(), "Centre social Émile");
  EXPECT_EQ(wire.kind(), v1::CENTRE_SOCIAL);
  EXPECT_EQ(wire.supported_since_school_year(), 2022);
  EXPECT_EQ(wire.centre_social_agrement_end(), 20290831);
  EXPECT_EQ(wire.event_id(), "ev-1");
  EXPECT_THAT(wire.convention_ids(), ElementsAre("conv-a", "conv-b"));
  g.supported_since.reset();
  g.centre_social_agrement_end.reset();
  wire = codec::Encode(g);
  EXPECT_EQ(wire.supported_since_school_year(), 0);
  EXPECT_EQ(wire.centre_social_agrement_end(), 0);
}

// The fold takes what the registration recorded, then each renewal from its date on; a day the
// registration did not record is none, not a day.
TEST(StateCodec, R_CONV_2_TheFoldedGestionnaireEncodesToWhatItsEventsRecorded) {
  testing::Agent agent;
  ASSERT_TRUE(agent.Register("cs-2", v1::CENTRE_SOCIAL, 2023, 20290831).ok());
  ASSERT_TRUE(agent.Register("asso-2", v1::ASSOCIATION).ok());
  auto cs = agent.engine().GetGestionnaire(agent.caf(), "cs-2", AsOf{});
  ASSERT_TRUE(cs.ok()) << cs.status();
  EXPECT_EQ(cs->supported_since, SchoolYear(2023));
  EXPECT_EQ(codec::Encode(*cs).centre_social_agrement_end(), 20290831);
  auto asso = agent.engine().GetGestionnaire(agent.caf(), "asso-2", AsOf{});
  ASSERT_TRUE(asso.ok()) << asso.status();
  EXPECT_EQ(asso->supported_since, std::nullopt);
  EXPECT_EQ(asso->centre_social_agrement_end, std::nullopt);
  EXPECT_EQ(codec::Encode(*asso).supported_since_school_year(), 0);
}

}  // namespace
}  // namespace clas
