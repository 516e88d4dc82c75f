// A centre social's three-year convention lived by a Caf agent, from the funding request of May
// 2026 to the prolongation avenants of 2029 and 2030, and the limits the agent runs into:
// no payment before the agrément or the convention (R-CONV-1), at most five school years and a
// multi-year convention only for a centre social or a gestionnaire supported for two years
// (R-CONV-2), a prolongation adds exactly the next school year (R-CONV-3), history before an
// avenant is unchanged (R-CONV-5), and each school year is computed with its own barème
// (R-DROIT-1).
//
// Barèmes (illustrative): plafond 7 000,00 € (2026), 7 200,00 € (2027), 7 400,00 € (2028),
// 7 886,15 € (2029), 8 000,00 € (2030). Two collectifs, forecast charges 20 000,00 € a year, so
// the base is always plafond × 2 (R-DROIT-2) and the 80 % cap (16 000,00 €) never bites.
// PS = (base × 13 + 20) div 40 (R-DROIT-3), in cents:
//   2026: base 1 400 000 → 18 200 020 div 40 = 455 000 → 4 550,00 €
//   2027: base 1 440 000 → 18 720 020 div 40 = 468 000 → 4 680,00 €
//   2028: base 1 480 000 → 19 240 020 div 40 = 481 000 → 4 810,00 €
//   2029: base 1 577 230 → 20 504 010 div 40 = 512 600 → 5 126,00 €
//   2030: base 1 600 000 → 20 800 020 div 40 = 520 000 → 5 200,00 €
// Acompte caps (R-PAY-2, 28 %, floor): 2026 → 1 274,00 €; 2027 → 131 040 = 1 310,40 €;
// 2029 → 512 600 × 28 div 100 = 143 528 = 1 435,28 €.
#include <string>

#include "gtest/gtest.h"
#include "tests/projections/agent.h"

namespace clas::testing {
namespace {

using ::testing::IsEmpty;
using absl::StatusCode::kFailedPrecondition;
using absl::StatusCode::kInvalidArgument;

class Prolongation : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(agent_.PublishBareme(2026, Eur(7000), Eur(1000), Eur(1500)).ok());
    ASSERT_TRUE(agent_.PublishBareme(2027, Eur(7200), Eur(1000), Eur(1500)).ok());
    ASSERT_TRUE(agent_.PublishBareme(2028, Eur(7400), Eur(1000), Eur(1500)).ok());
    ASSERT_TRUE(agent_.Register("cs-1", v1::CENTRE_SOCIAL).ok());
    auto filed = agent_.File(Agent::Request("conv-cs", "cs-1", 2026, 3, 2, Eur(20000)), 20260515);
    ASSERT_TRUE(filed.ok()) << filed.status();
  }

  // The comité of 20/06/2026 agrees 2026 to 2028; the convention is signed on 01/07/2026.
  void AgreeAndSign() {
    ASSERT_TRUE(agent_.Agree("conv-cs", 2026, 2028, 2, 20260620).ok());
    auto signed_ = agent_.Sign("conv-cs", 2026, 2028, 20260701);
    ASSERT_TRUE(signed_.ok()) << signed_.status();
  }

  absl::StatusOr<Outcome> Identique(const std::string& id, int32_t year, int32_t date) {
    return agent_.Avenant("conv-cs", id, v1::PROLONGATION_IDENTIQUE, year, 0, 0, date);
  }

  Agent agent_;
};

TEST_F(Prolongation, R_CONV_1_NoPaymentBeforeTheAgrementNorBeforeTheConvention) {
  uint64_t head = agent_.log().HeadPosition();
  // Request filed, comité not met yet.
  auto early = agent_.Acompte("conv-cs", "a0", 2026, Eur(500), 20261015);
  EXPECT_TRUE(IsRefusal(early.status(), kFailedPrecondition, "R-CONV-1"));
  // [choice] R-CONV-1: the missing precondition only, not a cap of 0 without a droit (R-PAY-2).
  EXPECT_THAT(RuleIds(early.status()), ::testing::Each("R-CONV-1"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);

  ASSERT_TRUE(agent_.Agree("conv-cs", 2026, 2028, 2, 20260620).ok());
  head = agent_.log().HeadPosition();
  // Agrément granted, no convention signed.
  auto unsigned_ = agent_.Acompte("conv-cs", "a0", 2026, Eur(500), 20261015);
  EXPECT_TRUE(IsRefusal(unsigned_.status(), kFailedPrecondition, "R-CONV-1"));
  EXPECT_THAT(RuleIds(unsigned_.status()), ::testing::Each("R-CONV-1"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);

  ASSERT_TRUE(agent_.Sign("conv-cs", 2026, 2028, 20260701).ok());
  head = agent_.log().HeadPosition();
  // Dated before the agrément of 20/06, or between it and the signature of 01/07: refused.
  for (int32_t date : {20260610, 20260625}) {
    auto backdated = agent_.Acompte("conv-cs", "a0", 2026, Eur(500), date);
    EXPECT_TRUE(IsRefusal(backdated.status(), kFailedPrecondition, "R-CONV-1")) << date;
    EXPECT_THAT(RuleIds(backdated.status()), ::testing::Each("R-CONV-1")) << date;
  }
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  // After both, the first acompte at its cap (28 % of 4 550,00 = 1 274,00) is paid.
  auto paid = agent_.Acompte("conv-cs", "a1", 2026, Eur(1274), 20261015);
  ASSERT_TRUE(paid.ok()) << paid.status();
  EXPECT_EQ(agent_.log().HeadPosition(), head + 1);
}

TEST_F(Prolongation, R_CONV_2_R_DROIT_1_CentreSocialSignsThreeYearsEachWithItsOwnBareme) {
  AgreeAndSign();
  auto state = agent_.State("conv-cs");
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->status(), v1::SIGNEE);
  EXPECT_EQ(state->first_school_year(), 2026);
  EXPECT_EQ(state->last_school_year(), 2028);
  ASSERT_EQ(state->years_size(), 3);
  const int64_t ps[] = {Eur(4550), Eur(4680), Eur(4810)};
  for (int i = 0; i < 3; ++i) {
    const auto& y = state->years(i);
    EXPECT_EQ(y.covered_by(), "conv-cs");
    EXPECT_EQ(y.dp().inputs().bareme().school_year(), 2026 + i);  // R-DROIT-1
    EXPECT_EQ(y.dp().ps_cents(), ps[i]) << 2026 + i;
    EXPECT_EQ(y.dp().droit_cents(), ps[i]);
  }
  // 2027-2028's first acompte: 28 % of 4 680,00 = 1 310,40; one cent more is refused.
  const uint64_t head = agent_.log().HeadPosition();
  auto over = agent_.Acompte("conv-cs", "a27", 2027, Cents(1310, 41), 20271015);
  EXPECT_TRUE(IsRefusal(over.status(), kFailedPrecondition, "R-PAY-2"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  EXPECT_TRUE(agent_.Acompte("conv-cs", "a27", 2027, Cents(1310, 40), 20271015).ok());
}

TEST_F(Prolongation, R_CONV_3_ProlongationALIdentiqueAddsOneYearWithTheBaremeOfItsYear) {
  AgreeAndSign();
  ASSERT_TRUE(agent_.Acompte("conv-cs", "a26", 2026, Eur(1274), 20261015).ok());
  ASSERT_TRUE(agent_.PublishBareme(2029, Cents(7886, 15), Eur(1000), Eur(1500)).ok());
  // À l'identique means the same number of collectifs: asking for 3 is refused.
  uint64_t head = agent_.log().HeadPosition();
  auto changed = agent_.Avenant("conv-cs", "av-1", v1::PROLONGATION_IDENTIQUE, 2029, 3, 0,
                                20290615);
  EXPECT_TRUE(IsRefusal(changed.status(), kFailedPrecondition, "R-CONV-3"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);

  auto avenant = Identique("av-1", 2029, 20290615);
  ASSERT_TRUE(avenant.ok()) << avenant.status();
  // The avenant and the comité "pour information"; no new notification of collectifs.
  ASSERT_EQ(avenant->events.size(), 2u);
  EXPECT_TRUE(avenant->events[0].fact.has_avenant_signed());
  const auto& info = avenant->events[1].fact.committee_decision_recorded();
  EXPECT_EQ(info.mode(), v1::POUR_INFORMATION);
  EXPECT_EQ(info.outcome(), v1::VALIDATED);
  EXPECT_EQ(info.first_school_year(), 2029);
  EXPECT_EQ(info.last_school_year(), 2029);
  EXPECT_EQ(info.agreed_collectifs(), 2);

  const v1::ConventionState& now = avenant->convention;
  EXPECT_EQ(now.first_school_year(), 2026);
  EXPECT_EQ(now.last_school_year(), 2029);
  const v1::SchoolYearState* y2029 = FindYear(now, 2029);
  ASSERT_NE(y2029, nullptr);
  EXPECT_EQ(y2029->covered_by(), "av-1");
  EXPECT_EQ(y2029->notified_collectifs(), 2);
  EXPECT_EQ(y2029->forecast_charges_cents(), Eur(20000));
  EXPECT_EQ(y2029->agrement().mode(), v1::POUR_INFORMATION);
  // R-DROIT-1: 2 × 7 886,15 = 15 772,30 → PS 5 126,00 (the 2028 barème would give 4 810,00).
  EXPECT_EQ(y2029->dp().inputs().bareme().school_year(), 2029);
  EXPECT_EQ(y2029->dp().ps_cents(), Eur(5126));
  EXPECT_EQ(FindYear(now, 2028)->dp().ps_cents(), Eur(4810));

  // R-CONV-5: the day before the avenant, the convention ends with 2028-2029.
  auto before = agent_.State("conv-cs", AsOf{.effective_date = 20290614});
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->last_school_year(), 2028);
  EXPECT_THAT(before->avenants(), IsEmpty());
  const v1::SchoolYearState* then2029 = FindYear(*before, 2029);
  EXPECT_TRUE(then2029 == nullptr || then2029->covered_by().empty());

  // Acomptes of the added year: not before the avenant (R-CONV-1), then capped at 28 % of its
  // own DP's PS: 1 435,28.
  head = agent_.log().HeadPosition();
  auto too_soon = agent_.Acompte("conv-cs", "a29", 2029, Eur(500), 20290510);
  EXPECT_TRUE(IsRefusal(too_soon.status(), kFailedPrecondition, "R-CONV-1"));
  auto over = agent_.Acompte("conv-cs", "a29", 2029, Cents(1435, 29), 20291015);
  EXPECT_TRUE(IsRefusal(over.status(), kFailedPrecondition, "R-PAY-2"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  auto paid = agent_.Acompte("conv-cs", "a29", 2029, Cents(1435, 28), 20291015);
  ASSERT_TRUE(paid.ok()) << paid.status();
  EXPECT_EQ(paid->events[0].fact.acompte_paid().cap_cents(), Cents(1435, 28));
}

TEST_F(Prolongation, R_CONV_3_AvenantNotFollowingTheLastYearIsRefused) {
  AgreeAndSign();
  const uint64_t head = agent_.log().HeadPosition();
  // 2030 skips 2029; 2028 is already covered.
  for (int32_t year : {2030, 2028}) {
    auto wrong = Identique("av-x", year, 20290615);
    EXPECT_TRUE(IsRefusal(wrong.status(), kFailedPrecondition, "R-CONV-3")) << year;
  }
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  auto state = agent_.State("conv-cs");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->last_school_year(), 2028);
}

TEST_F(Prolongation, R_CONV_2_ASixthSchoolYearIsRefused) {
  AgreeAndSign();
  ASSERT_TRUE(agent_.PublishBareme(2029, Cents(7886, 15), Eur(1000), Eur(1500)).ok());
  ASSERT_TRUE(agent_.PublishBareme(2030, Eur(8000), Eur(1000), Eur(1500)).ok());
  ASSERT_TRUE(Identique("av-1", 2029, 20290615).ok());
  // The fifth school year (2030-2031) is still allowed, with the 2030 barème: PS 5 200,00.
  auto fifth = Identique("av-2", 2030, 20300615);
  ASSERT_TRUE(fifth.ok()) << fifth.status();
  EXPECT_EQ(FindYear(fifth->convention, 2030)->dp().ps_cents(), Eur(5200));
  EXPECT_EQ(FindYear(fifth->convention, 2030)->dp().inputs().bareme().school_year(), 2030);
  // A sixth (2031-2032) is not.
  const uint64_t head = agent_.log().HeadPosition();
  auto sixth = Identique("av-3", 2031, 20310615);
  EXPECT_TRUE(IsRefusal(sixth.status(), kFailedPrecondition, "R-CONV-2"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  EXPECT_EQ(agent_.State("conv-cs")->last_school_year(), 2030);
}

TEST_F(Prolongation, R_CONV_2_ARequestForSixSchoolYearsIsRefused) {
  const uint64_t head = agent_.log().HeadPosition();
  auto six = agent_.File(Agent::Request("conv-six", "cs-1", 2026, 6, 2, Eur(20000)), 20260515);
  EXPECT_TRUE(IsRefusal(six.status(), kInvalidArgument, "R-CONV-2"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);
}

TEST_F(Prolongation, R_CONV_2_MultiYearOnlyForAGestionnaireSupportedTwoYears) {
  // Supported since 2025-2026: one year of support before 2026-2027. Since 2024-2025: two.
  ASSERT_TRUE(agent_.Register("asso-new", v1::ASSOCIATION, 2025).ok());
  ASSERT_TRUE(agent_.Register("asso-old", v1::ASSOCIATION, 2024).ok());
  for (const char* g : {"asso-new", "asso-old"}) {
    const std::string conv = std::string("conv-") + g;
    ASSERT_TRUE(agent_.File(Agent::Request(conv, g, 2026, 3, 2, Eur(20000)), 20260515).ok());
    ASSERT_TRUE(agent_.Agree(conv, 2026, 2028, 2, 20260620).ok());
  }
  const uint64_t head = agent_.log().HeadPosition();
  auto multi = agent_.Sign("conv-asso-new", 2026, 2028, 20260701);
  EXPECT_TRUE(IsRefusal(multi.status(), kFailedPrecondition, "R-CONV-2"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  // The new association signs an annual convention; the older one a three-year one.
  auto annual = agent_.Sign("conv-asso-new", 2026, 2026, 20260701);
  ASSERT_TRUE(annual.ok()) << annual.status();
  EXPECT_EQ(annual->convention.last_school_year(), 2026);
  auto three = agent_.Sign("conv-asso-old", 2026, 2028, 20260701);
  ASSERT_TRUE(three.ok()) << three.status();
  EXPECT_EQ(three->convention.last_school_year(), 2028);
}

// R-CONV-2: a centre social's multi-year convention is backed by its agrément délivré par la Caf,
// recorded with the gestionnaire: the convention ends (31 August after its last school year) no
// later than that agrément. Three school years 2026 to 2028 end on 31/08/2029.
TEST_F(Prolongation, R_CONV_2_ACentreSocialSignsWithinItsAgrementDelivreParLaCaf) {
  ASSERT_TRUE(agent_.Register("cs-short", v1::CENTRE_SOCIAL, 0, 20290830).ok());
  ASSERT_TRUE(agent_.Register("cs-exact", v1::CENTRE_SOCIAL, 0, 20290831).ok());
  ASSERT_TRUE(agent_.Register("cs-none", v1::CENTRE_SOCIAL, 0, 0).ok());
  ASSERT_TRUE(agent_.Register("cs-supported", v1::CENTRE_SOCIAL, 2024, 0).ok());
  for (const char* g : {"cs-short", "cs-exact", "cs-none", "cs-supported"}) {
    const std::string conv = std::string("conv-") + g;
    ASSERT_TRUE(agent_.File(Agent::Request(conv, g, 2026, 3, 2, Eur(20000)), 20260515).ok());
    ASSERT_TRUE(agent_.Agree(conv, 2026, 2028, 2, 20260620).ok());
  }
  const uint64_t head = agent_.log().HeadPosition();
  auto past_agrement = agent_.Sign("conv-cs-short", 2026, 2028, 20260701);
  EXPECT_TRUE(IsRefusal(past_agrement.status(), kFailedPrecondition, "R-CONV-2"))
      << past_agrement.status();
  EXPECT_THAT(past_agrement.status().message(), ::testing::HasSubstr("30/08/2029"));
  auto no_agrement = agent_.Sign("conv-cs-none", 2026, 2028, 20260701);
  EXPECT_TRUE(IsRefusal(no_agrement.status(), kFailedPrecondition, "R-CONV-2"))
      << no_agrement.status();
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  // Two years end on 31/08/2028, within the shorter agrément; three end on its last day for the
  // other; a centre social supported for two years is not bound by an agrément (RULES.md: "or").
  EXPECT_TRUE(agent_.Sign("conv-cs-short", 2026, 2027, 20260701).ok());
  EXPECT_TRUE(agent_.Sign("conv-cs-exact", 2026, 2028, 20260701).ok());
  EXPECT_TRUE(agent_.Sign("conv-cs-supported", 2026, 2028, 20260701).ok());
  // An annual convention needs no agrément.
  ASSERT_TRUE(agent_.Register("cs-annual", v1::CENTRE_SOCIAL, 0, 0).ok());
  ASSERT_TRUE(agent_.File(Agent::Request("conv-cs-annual", "cs-annual", 2026, 1, 2, Eur(20000)),
                          20260515).ok());
  ASSERT_TRUE(agent_.Agree("conv-cs-annual", 2026, 2026, 2, 20260620).ok());
  EXPECT_TRUE(agent_.Sign("conv-cs-annual", 2026, 2026, 20260701).ok());
}

// R-CONV-2: the agrément délivré par la Caf is a centre social's, and a real day.
TEST_F(Prolongation, R_CONV_2_OnlyACentreSocialHasAnAgrementDelivreParLaCaf) {
  const uint64_t head = agent_.log().HeadPosition();
  v1::RegisterGestionnaire cmd;
  cmd.set_caf_id(agent_.caf());
  cmd.set_gestionnaire_id("asso-x");
  cmd.set_name("Association X");
  cmd.set_kind(v1::ASSOCIATION);
  cmd.set_centre_social_agrement_end(20291231);
  cmd.set_date(20260101);
  auto association = agent_.engine().RegisterGestionnaire(cmd, agent_.actor(), "rid-asso-x");
  EXPECT_TRUE(IsRefusal(association.status(), kInvalidArgument, "R-CONV-2")) << association.status();
  cmd.set_kind(v1::CENTRE_SOCIAL);
  cmd.set_centre_social_agrement_end(20290231);
  auto not_a_day = agent_.engine().RegisterGestionnaire(cmd, agent_.actor(), "rid-cs-x");
  EXPECT_TRUE(IsRefusal(not_a_day.status(), kInvalidArgument, "R-CONV-2")) << not_a_day.status();
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  cmd.set_centre_social_agrement_end(20291231);
  auto registered = agent_.engine().RegisterGestionnaire(cmd, agent_.actor(), "rid-cs-y");
  ASSERT_TRUE(registered.ok()) << registered.status();
  EXPECT_EQ(registered->events[0].fact.gestionnaire_registered().centre_social_agrement_end(),
            20291231);
}

}  // namespace
}  // namespace clas::testing

namespace clas::testing {
namespace {

// R-CONV-2: a centre social's convention resting on its agrément délivré par la Caf is prolonged
// within it; once the Caf's renewal is recorded, further. The agrément of cs-cafe ends on
// 31/08/2029: the three years 2026 to 2028 end that day, a fourth (2029-2030) would end on
// 31/08/2030.
TEST_F(Prolongation, R_CONV_2_R_CONV_3_ACentreSocialProlongsWithinItsAgrementThenItsRenewal) {
  ASSERT_TRUE(agent_.PublishBareme(2029, Cents(7886, 15), Eur(1000), Eur(1500)).ok());
  ASSERT_TRUE(agent_.Register("cs-cafe", v1::CENTRE_SOCIAL, 0, 20290831).ok());
  ASSERT_TRUE(agent_.File(Agent::Request("conv-cafe", "cs-cafe", 2026, 3, 2, Eur(20000)),
                          20260515).ok());
  ASSERT_TRUE(agent_.Agree("conv-cafe", 2026, 2028, 2, 20260620).ok());
  ASSERT_TRUE(agent_.Sign("conv-cafe", 2026, 2028, 20260701).ok());
  uint64_t head = agent_.log().HeadPosition();
  auto beyond = agent_.Avenant("conv-cafe", "av-1", v1::PROLONGATION_IDENTIQUE, 2029, 0, 0,
                               20290615);
  EXPECT_TRUE(IsRefusal(beyond.status(), kFailedPrecondition, "R-CONV-2")) << beyond.status();
  EXPECT_THAT(beyond.status().message(), ::testing::HasSubstr("31/08/2029"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);

  // The Caf renews the agrément on 02/05/2029 until 31/12/2033: one event, on the gestionnaire.
  auto renewed = agent_.RenewAgrement("cs-cafe", 20331231, 20290502);
  ASSERT_TRUE(renewed.ok()) << renewed.status();
  ASSERT_EQ(renewed->events.size(), 1u);
  const auto& fact = renewed->events[0].fact.centre_social_agrement_renewed();
  EXPECT_EQ(fact.centre_social_agrement_end(), 20331231);
  EXPECT_EQ(fact.previous_agrement_end(), 20290831);
  EXPECT_EQ(agent_.log().HeadPosition(), head + 1);
  auto prolonged = agent_.Avenant("conv-cafe", "av-1", v1::PROLONGATION_IDENTIQUE, 2029, 0, 0,
                                  20290615);
  ASSERT_TRUE(prolonged.ok()) << prolonged.status();
  EXPECT_EQ(prolonged->convention.last_school_year(), 2029);

  // As of a day before the renewal took effect, the agrément was the first one (R-HIST-2).
  auto before = agent_.engine().GetGestionnaire(agent_.caf(), "cs-cafe",
                                                AsOf{.effective_date = 20290501});
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->centre_social_agrement_end, absl::CivilDay(2029, 8, 31));
  auto now = agent_.engine().GetGestionnaire(agent_.caf(), "cs-cafe", AsOf{});
  ASSERT_TRUE(now.ok()) << now.status();
  EXPECT_EQ(now->centre_social_agrement_end, absl::CivilDay(2033, 12, 31));
}

// R-CONV-2 [reading]: the bound is a centre social's resting on its agrément. One supported by
// the Caf for two years, one with no agrément recorded, and an association prolong under R-CONV-3
// alone, as the circular lets any known gestionnaire prolong.
TEST_F(Prolongation, R_CONV_2_OnlyACentreSocialRestingOnItsAgrementIsBoundByIt) {
  ASSERT_TRUE(agent_.PublishBareme(2029, Cents(7886, 15), Eur(1000), Eur(1500)).ok());
  ASSERT_TRUE(agent_.Register("cs-supported", v1::CENTRE_SOCIAL, 2024, 20290831).ok());
  ASSERT_TRUE(agent_.Register("cs-none", v1::CENTRE_SOCIAL, 0, 0).ok());
  ASSERT_TRUE(agent_.Register("asso", v1::ASSOCIATION).ok());
  for (const auto& [g, last] : {std::pair<const char*, int32_t>{"cs-supported", 2028},
                                {"cs-none", 2026}, {"asso", 2026}}) {
    const std::string conv = std::string("conv-") + g;
    ASSERT_TRUE(agent_.File(Agent::Request(conv, g, 2026, last - 2025, 2, Eur(20000)),
                            20260515).ok());
    ASSERT_TRUE(agent_.Agree(conv, 2026, last, 2, 20260620).ok());
    ASSERT_TRUE(agent_.Sign(conv, 2026, last, 20260701).ok()) << g;
    auto prolonged = agent_.Avenant(conv, "av-1", v1::PROLONGATION_IDENTIQUE, last + 1, 0, 0,
                                    (last + 1) * 10000 + 615);
    EXPECT_TRUE(prolonged.ok()) << g << ": " << prolonged.status();
  }
}

// R-CONV-2: a renewal is a registered centre social's, a real day after the act's, and changes
// the day recorded; anything else is refused with the field at fault and writes nothing.
TEST_F(Prolongation, R_CONV_2_ARenewalIsARegisteredCentreSocialsAndChangesItsAgrement) {
  ASSERT_TRUE(agent_.Register("cs-r", v1::CENTRE_SOCIAL, 0, 20291231).ok());
  ASSERT_TRUE(agent_.Register("asso-r", v1::ASSOCIATION).ok());
  const uint64_t head = agent_.log().HeadPosition();
  auto unknown = agent_.RenewAgrement("cs-inconnu", 20331231, 20290502);
  EXPECT_TRUE(IsRefusal(unknown.status(), absl::StatusCode::kNotFound, "R-CONV-2"))
      << unknown.status();
  auto association = agent_.RenewAgrement("asso-r", 20331231, 20290502);
  EXPECT_TRUE(IsRefusal(association.status(), kFailedPrecondition, "R-CONV-2"))
      << association.status();
  auto same = agent_.RenewAgrement("cs-r", 20291231, 20290502);
  EXPECT_TRUE(IsRefusal(same.status(), kFailedPrecondition, "R-CONV-2")) << same.status();
  auto not_a_day = agent_.RenewAgrement("cs-r", 20330231, 20290502);
  EXPECT_TRUE(IsRefusal(not_a_day.status(), kInvalidArgument, "R-CONV-2")) << not_a_day.status();
  EXPECT_THAT(not_a_day.status().message(), ::testing::HasSubstr("centre_social_agrement_end"));
  auto already_over = agent_.RenewAgrement("cs-r", 20290501, 20290502);
  EXPECT_TRUE(IsRefusal(already_over.status(), kInvalidArgument, "R-CONV-2"))
      << already_over.status();
  auto no_date = agent_.RenewAgrement("cs-r", 20331231, 0);
  EXPECT_TRUE(IsRefusal(no_date.status(), kInvalidArgument, "R-HIST-2")) << no_date.status();
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  // Shortened is allowed: a Caf may deliver a shorter agrément; conventions signed keep theirs.
  EXPECT_TRUE(agent_.RenewAgrement("cs-r", 20291130, 20290502).ok());
}

// R-CONV-2, R-HIST-2: a renewal takes effect from its date on, until a renewal dated later. One
// dated before the centre social's registration, or ending when the agrément of its date already
// does, would be recorded and change nothing at any date: refused, nothing written. cs-d is
// registered on 01/01/2020 with an agrément until 31/12/2029.
TEST_F(Prolongation, R_CONV_2_ARenewalChangesTheAgrementFromItsDateOn) {
  ASSERT_TRUE(agent_.Register("cs-d", v1::CENTRE_SOCIAL, 0, 20291231).ok());
  auto end_as_of = [&](int32_t date) {
    auto g = agent_.engine().GetGestionnaire(agent_.caf(), "cs-d", AsOf{.effective_date = date});
    EXPECT_TRUE(g.ok()) << g.status();
    return g.ok() && g->centre_social_agrement_end ? YmdFromDay(*g->centre_social_agrement_end) : 0;
  };
  const uint64_t head = agent_.log().HeadPosition();
  auto before_registration = agent_.RenewAgrement("cs-d", 20331231, 20191231);
  EXPECT_TRUE(IsRefusal(before_registration.status(), kFailedPrecondition, "R-CONV-2"))
      << before_registration.status();
  EXPECT_THAT(before_registration.status().message(), ::testing::HasSubstr("31/12/2019"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  EXPECT_EQ(end_as_of(kAsOfEndOfTime), 20291231);

  ASSERT_TRUE(agent_.RenewAgrement("cs-d", 20351231, 20290502).ok());
  // Dated before that renewal, with the day the agrément then ends: nothing would change.
  auto unchanged = agent_.RenewAgrement("cs-d", 20291231, 20280301);
  EXPECT_TRUE(IsRefusal(unchanged.status(), kFailedPrecondition, "R-CONV-2"))
      << unchanged.status();
  EXPECT_EQ(agent_.log().HeadPosition(), head + 1);
  // Dated before it with another day: the agrément between the two renewals' dates.
  auto between = agent_.RenewAgrement("cs-d", 20301231, 20280301);
  ASSERT_TRUE(between.ok()) << between.status();
  EXPECT_EQ(between->events[0].fact.centre_social_agrement_renewed().previous_agrement_end(),
            20291231);
  EXPECT_EQ(end_as_of(20280229), 20291231);
  EXPECT_EQ(end_as_of(20280301), 20301231);
  EXPECT_EQ(end_as_of(20290502), 20351231);
  EXPECT_EQ(end_as_of(kAsOfEndOfTime), 20351231);
}

// R-CONV-4: a request is filed by a gestionnaire the Caf has registered by the request's date, as
// a renewal is (above): one dated before the registration (01/01/2020) is refused, naming the
// day, and nothing is written; dated on the registration day, it is filed.
TEST_F(Prolongation, R_CONV_4_ARequestDatedBeforeItsGestionnairesRegistrationIsRefused) {
  ASSERT_TRUE(agent_.Register("asso-late", v1::ASSOCIATION).ok());
  const uint64_t head = agent_.log().HeadPosition();
  auto early = agent_.File(Agent::Request("conv-early", "asso-late", 2026, 1, 2, Eur(20000)),
                           20191231);
  EXPECT_TRUE(IsRefusal(early.status(), kFailedPrecondition, "R-CONV-4")) << early.status();
  EXPECT_THAT(early.status().message(), ::testing::HasSubstr("31/12/2019"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  auto on_the_day = agent_.File(Agent::Request("conv-early", "asso-late", 2026, 1, 2, Eur(20000)),
                                20200101);
  ASSERT_TRUE(on_the_day.ok()) << on_the_day.status();
}

}  // namespace
}  // namespace clas::testing
