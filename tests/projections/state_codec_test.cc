// The wire form of the states the API answers with (codec/state_codec.h).
#include "projections/codec/state_codec.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/codec/droit_codec.h"
#include "projections/convention/gestionnaire.h"
#include "projections/rules/droit.h"
#include "tests/projections/agent.h"

namespace clas {
namespace {

using ::testing::ElementsAre;

TEST(StateCodec, R_CONV_2_AGestionnaireIsAnsweredAsRegisteredWithZeroForWhatIsNotRecorded) {
  Gestionnaire g{.caf_id = "caf-75",
                 .gestionnaire_id = "cs-1",
                 .name = "Centre social Émile",
                 .kind = GestionnaireKind::kCentreSocial,
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

// Each kind of gestionnaire, and each way of recovering an indu, is the one of the wire; what the
// wire leaves unspecified (or a value this ledger does not know) is none.
TEST(StateCodec, R_ACC_6_R_CTL_3_KindsAndMethodsAreTheWiresOnes) {
  const std::pair<v1::GestionnaireKind, GestionnaireKind> kinds[] = {
      {v1::ASSOCIATION, GestionnaireKind::kAssociation},
      {v1::CENTRE_SOCIAL, GestionnaireKind::kCentreSocial},
      {v1::EVS, GestionnaireKind::kEvs},
      {v1::COMMUNE, GestionnaireKind::kCommune},
      {v1::ENTREPRISE, GestionnaireKind::kEntreprise},
      {v1::CAF_INTERNE, GestionnaireKind::kCafInterne}};
  for (const auto& [wire, kind] : kinds) {
    EXPECT_EQ(codec::KindOf(wire), kind) << wire;
    EXPECT_EQ(codec::Encode(kind), wire) << wire;
  }
  EXPECT_EQ(codec::KindOf(v1::GESTIONNAIRE_KIND_UNSPECIFIED), std::nullopt);
  EXPECT_EQ(codec::KindOf(static_cast<v1::GestionnaireKind>(99)), std::nullopt);
  EXPECT_EQ(codec::Encode(std::optional<GestionnaireKind>()), v1::GESTIONNAIRE_KIND_UNSPECIFIED);
  EXPECT_EQ(codec::MethodOf(v1::REPAYMENT), RecoveryMethod::kRepayment);
  EXPECT_EQ(codec::MethodOf(v1::OFFSET), RecoveryMethod::kOffset);
  EXPECT_EQ(codec::MethodOf(v1::RECOVERY_METHOD_UNSPECIFIED), std::nullopt);
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

// The amounts the payments and the accounts use, read from a breakdown the calculator made: each
// is the breakdown's own field, and R-PAY-1's identities hold on them.
TEST(DroitCodec, R_PAY_1_TheSharesAreTheBreakdownsAmounts) {
  v1::BaremeFigures bareme;
  bareme.set_school_year(2026);
  bareme.set_plafond_cents(5'000'00);
  bareme.set_bonus_enfants_cents(300'00);
  bareme.set_bonus_parents_cents(200'00);
  v1::Figures figures;
  figures.set_collectifs(2);
  figures.set_charges_cents(40'000'00);
  figures.set_bonus_enfants_collectifs(1);
  figures.set_bonus_parents_collectifs(1);
  auto breakdown = rules::ComputeDroit(
      rules::MakeDroitInputs(SchoolYear(2026), v1::DROIT_PREVISIONNEL, figures, bareme));
  ASSERT_TRUE(breakdown.ok()) << breakdown.status();
  const DroitShares shares = codec::SharesOf(*breakdown);
  EXPECT_EQ(shares.kind, DroitKind::kPrevisionnel);
  EXPECT_EQ(shares.school_year, SchoolYear(2026));
  EXPECT_EQ(shares.ps.cents(), breakdown->ps_cents());
  EXPECT_EQ(shares.bonus_enfants.cents(), breakdown->bonus_enfants_cents());
  EXPECT_EQ(shares.bonus_parents.cents(), breakdown->bonus_parents_cents());
  EXPECT_EQ(shares.droit.cents(), breakdown->droit_cents());
  EXPECT_EQ(shares.n_share.cents(), breakdown->n_share_cents());
  EXPECT_EQ(shares.n1_share.cents(), breakdown->n1_share_cents());
  EXPECT_GT(shares.bonuses(), Money::Zero());
  EXPECT_EQ(shares.n_share + shares.n1_share, shares.droit);
  EXPECT_EQ(shares.n_share, shares.ps.MulDivRoundHalfAway(4, 10));
  // A breakdown whose inputs name no school year nor kind: none, not year 0.
  breakdown->mutable_inputs()->clear_school_year();
  breakdown->mutable_inputs()->clear_kind();
  EXPECT_EQ(codec::SharesOf(*breakdown).school_year, std::nullopt);
  EXPECT_EQ(codec::SharesOf(*breakdown).kind, std::nullopt);
  breakdown->mutable_inputs()->set_kind(v1::DROIT_REEL);
  EXPECT_EQ(codec::SharesOf(*breakdown).kind, DroitKind::kReel);
}

// A breakdown the calculator did not make is refused, naming the field, rather than read.
TEST(DroitCodec, R_HIST_3_ABreakdownWithoutItsInputsKindOrBaremeIsRefused) {
  v1::DroitBreakdown wire;
  wire.set_ps_cents(100);
  auto refused = codec::Decode(wire);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(refused.status().message()), ::testing::HasSubstr("inputs"));
  wire.mutable_inputs()->set_school_year(2026);
  wire.mutable_inputs()->mutable_bareme()->set_school_year(2026);
  refused = codec::Decode(wire);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(
      std::string(refused.status().message()),
      ::testing::AllOf(::testing::HasSubstr("inputs.kind"), ::testing::HasSubstr("R-DROIT-6")));
  wire.mutable_inputs()->set_kind(v1::DROIT_CONTROLE);
  wire.mutable_inputs()->clear_bareme();
  refused = codec::Decode(wire);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(refused.status().message()), ::testing::HasSubstr("R-DROIT-7"));
  wire.mutable_inputs()->mutable_bareme()->set_school_year(2026);
  const auto read = codec::Decode(wire);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->inputs.kind, DroitKind::kControle);
  EXPECT_EQ(read->ps, Money::Cents(100));
}

}  // namespace
}  // namespace clas
