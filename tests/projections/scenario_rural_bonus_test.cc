// A rural association's school year 2026-2027 with bonuses, lived by a Caf agent: a small rural
// collectif (R-ELIG-1/2/3), bonus projects meeting R-BON-1/2 granted by the comité (R-BON-3),
// the 80 % co-financing cap biting on the bonuses (R-DROIT-5), acomptes capped on the PS part
// only and the bonuses paid with the solde (R-BON-4), and their accounting (R-ACC-5, R-ACC-6).
//
// RULES.md §5's worked example, with its illustrative barème: plafond 7 000,00 €, bonus enfants
// 1 000,00 €, bonus parents 1 500,00 €; C = 3, charges 8 000,00 €, E = 3, P = 1.
//   base = min(8 000,00 ; 21 000,00) = 8 000,00            PS = (800 000 × 13 + 20) div 40
//        = 260 000 → 2 600,00; bonus = 3 000,00 + 1 500,00 = 4 500,00; PS + bonus = 7 100,00
//        > 80 % × 8 000,00 = 6 400,00: 700,00 taken from the bonus parents → 800,00;
//   droit = 2 600,00 + 3 000,00 + 800,00 = 6 400,00.
//   R-PAY-1: N share = (4 × 260 000 + 5) div 10 = 104 000 → 1 040,00; N+1 share = 1 560,00 +
//   3 800,00 = 5 360,00. Acompte caps on the PS only: 28 % → 728,00; 42 % → 1 092,00 (on the
//   whole droit they would be 1 792,00 and 2 688,00).
#include <string>

#include "gtest/gtest.h"
#include "projections/rules/accounting.h"
#include "tests/projections/agent.h"
#include "tests/projections/report_text.h"

namespace clas::testing {
namespace {

using absl::StatusCode::kFailedPrecondition;
using absl::StatusCode::kInvalidArgument;

// Three rural collectifs; the first has 6 children, 1 animateur and one 2-hour session a week.
v1::FundingRequestFiled RuralRequest(const std::string& convention, bool rural, bool bonuses) {
  v1::FundingRequestFiled r = Agent::Request(convention, "asso-r", 2026, 1, 3, Eur(8000));
  for (auto& c : *r.mutable_collectifs()) c.set_rural(rural);
  v1::Collectif* small = r.mutable_collectifs(0);
  small->set_children(6);
  small->set_animateurs(1);
  small->set_sessions_per_week(1);
  small->set_session_minutes(120);
  if (!bonuses) return r;
  auto* e = r.mutable_bonus_enfants();  // R-BON-1: structured project + teaching equipment
  e->set_requested(true);
  e->set_structured_project(true);
  e->set_teaching_equipment(true);
  e->set_collectifs(3);
  auto* p = r.mutable_bonus_parents();  // R-BON-2: parent support + allophone audience
  p->set_requested(true);
  p->set_parent_support_project(true);
  p->set_allophone_illiteracy_aef(true);
  p->set_collectifs(1);
  return r;
}

class RuralBonus : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(agent_.PublishBareme(2026, Eur(7000), Eur(1000), Eur(1500)).ok());
    ASSERT_TRUE(agent_.Register("asso-r", v1::ASSOCIATION).ok());
  }

  Agent agent_;
};

TEST_F(RuralBonus, R_ELIG_1_2_3_SmallRuralCollectifAcceptedAndRefusedInTown) {
  const uint64_t head = agent_.log().HeadPosition();
  auto town = agent_.File(RuralRequest("conv-r", /*rural=*/false, true), 20260515);
  for (const char* rule : {"R-ELIG-1", "R-ELIG-2", "R-ELIG-3"}) {
    EXPECT_TRUE(IsRefusal(town.status(), kInvalidArgument, rule)) << rule;
  }
  for (const auto& v : ViolationsOf(town.status())) {
    EXPECT_EQ(v.field().rfind("collectifs[0].", 0), 0u) << Describe(v);
  }
  EXPECT_EQ(agent_.log().HeadPosition(), head);

  auto rural = agent_.File(RuralRequest("conv-r", /*rural=*/true, true), 20260515);
  ASSERT_TRUE(rural.ok()) << rural.status();
  EXPECT_EQ(rural->events.size(), 1u);
  for (const auto& w : rural->events[0].fact.warnings()) ADD_FAILURE() << Describe(w);
  // The comité's agrément re-checks the sessions (R-ELIG-3): rural, no derogation needed.
  EXPECT_TRUE(agent_.Agree("conv-r", 2026, 2026, 3, 20260620, 3, 1).ok());
}

TEST_F(RuralBonus, R_DROIT_5_R_BON_4_BonusesCappedAt80PercentAndPaidWithTheSolde) {
  ASSERT_TRUE(agent_.File(RuralRequest("conv-r", true, true), 20260515).ok());
  auto agreed = agent_.Agree("conv-r", 2026, 2026, 3, 20260620, /*bonus_e=*/3, /*bonus_p=*/1);
  ASSERT_TRUE(agreed.ok()) << agreed.status();
  auto signed_ = agent_.Sign("conv-r", 2026, 2026, 20260701);
  ASSERT_TRUE(signed_.ok()) << signed_.status();
  const v1::DroitBreakdown& dp = signed_->convention.years(0).dp();
  EXPECT_EQ(dp.base_cents(), Eur(8000));
  EXPECT_EQ(dp.ps_cents(), Eur(2600));
  EXPECT_EQ(dp.bonus_enfants_before_cap_cents(), Eur(3000));
  EXPECT_EQ(dp.bonus_parents_before_cap_cents(), Eur(1500));
  EXPECT_EQ(dp.cap_cents(), Eur(6400));
  EXPECT_EQ(dp.reduction_bonus_parents_cents(), Eur(700));
  EXPECT_EQ(dp.reduction_bonus_enfants_cents(), 0);
  EXPECT_EQ(dp.reduction_ps_cents(), 0);
  EXPECT_EQ(dp.bonus_enfants_cents(), Eur(3000));
  EXPECT_EQ(dp.bonus_parents_cents(), Eur(800));
  EXPECT_EQ(dp.droit_cents(), Eur(6400));
  EXPECT_EQ(dp.n_share_cents(), Eur(1040));
  EXPECT_EQ(dp.n1_share_cents(), Eur(5360));

  // R-BON-4: the acomptes are capped on the PS part only.
  uint64_t head = agent_.log().HeadPosition();
  auto over_n = agent_.Acompte("conv-r", "a1", 2026, Cents(728, 1), 20261115);
  EXPECT_TRUE(IsRefusal(over_n.status(), kFailedPrecondition, "R-PAY-2"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  ASSERT_TRUE(agent_.Acompte("conv-r", "a1", 2026, Eur(728), 20261115).ok());
  ASSERT_TRUE(agent_.Close(2026, 20261231).ok());
  head = agent_.log().HeadPosition();
  auto over_n1 = agent_.Acompte("conv-r", "a2", 2026, Cents(1092, 1), 20270201);
  EXPECT_TRUE(IsRefusal(over_n1.status(), kFailedPrecondition, "R-PAY-3"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  ASSERT_TRUE(agent_.Acompte("conv-r", "a2", 2026, Eur(1092), 20270201).ok());

  // The bilan confirms the forecast: DR = 6 400,00 with the same reduction.
  auto bilan = agent_.Bilan("conv-r", 2026, 3, Eur(8000), 20270915, 3, 1);
  ASSERT_TRUE(bilan.ok()) << bilan.status();
  EXPECT_EQ(bilan->convention.years(0).dr().droit_cents(), Eur(6400));
  EXPECT_EQ(bilan->convention.years(0).dr().bonus_parents_cents(), Eur(800));
  // Solde = 6 400,00 − (728,00 + 1 092,00) = 4 580,00, bonuses 3 800,00 included.
  auto solde = agent_.Solde("conv-r", "s1", 2026, 20271015);
  ASSERT_TRUE(solde.ok()) << solde.status();
  EXPECT_EQ(solde->convention.years(0).solde().amount_cents(), Eur(4580));
  EXPECT_EQ(solde->convention.status(), v1::SOLDEE);

  // R-ACC-5 in 2027 (N = 2026): d_N = 1 040,00 − 728,00 = 312,00 = s_N, all of it on the
  // charge à payer booked at the closing (1 040,00 − 728,00 = 312,00). The rest, 4 268,00, is
  // the 2027 share (age 0): bonus 3 800,00 with the bonus code, 468,00 with the PS code
  // (1 560,00 − 1 092,00). Nothing left to cancel.
  auto lines = agent_.Lines(2027);
  auto solde_line = [&](Account debit, StatisticalCode code) {
    return SumLines(lines, [&](const Line& l) {
      return l.rule.id == "R-ACC-5" && l.debit == debit && l.code == code;
    });
  };
  EXPECT_EQ(solde_line(Account::kChargesAPayer, StatisticalCode::kPsGestionnaires), Eur(312));
  EXPECT_EQ(solde_line(Account::kSubsidyN, StatisticalCode::kBonusGestionnaires), Eur(3800));
  EXPECT_EQ(solde_line(Account::kSubsidyN, StatisticalCode::kPsGestionnaires), Eur(468));
  EXPECT_EQ(solde_line(Account::kSubsidyN1, StatisticalCode::kPsGestionnaires), 0);
  // No acompte line carries the bonus code.
  for (int32_t year : {2026, 2027}) {
    EXPECT_EQ(SumLines(agent_.Lines(year),
                       [](const Line& l) {
                         return l.rule.id == "R-ACC-2" &&
                                l.code == StatisticalCode::kBonusGestionnaires;
                       }),
              0);
  }
  // R-ACC-10: both years balance; 2027 paid 1 092,00 + 4 580,00 = 5 672,00.
  for (int32_t year : {2026, 2027}) {
    auto report = agent_.engine().GetCivilYear(agent_.caf(), year, AsOf{});
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->balanced()) << FormatReport(*report);
    EXPECT_EQ(report->payments_from_lines, report->payments_from_events);
    if (year == 2027) {
      EXPECT_EQ(report->payments_from_events.cents(), Eur(5672));
      for (const auto& c : report->codes) {
        if (c.code == StatisticalCode::kBonusGestionnaires) {
          EXPECT_EQ(c.net_charge.cents(), Eur(3800));
        }
      }
    }
  }
}

TEST_F(RuralBonus, R_BON_3_ABonusWithoutItsCriteriaOrBeyondTheAgreedCollectifsIsRefused) {
  // A request with no bonus project at all.
  ASSERT_TRUE(agent_.File(RuralRequest("conv-r", true, /*bonuses=*/false), 20260515).ok());
  const uint64_t head = agent_.log().HeadPosition();
  // The comité cannot grant a bonus enfants no project filed with the request supports: the
  // decision itself is well formed, the file forbids it.
  auto no_project = agent_.Agree("conv-r", 2026, 2026, 3, 20260620, /*bonus_e=*/1, 0);
  EXPECT_TRUE(IsRefusal(no_project.status(), kFailedPrecondition, "R-BON-3"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  // Nor (with the projects) a bonus on more collectifs than it agrees: a malformed decision.
  ASSERT_TRUE(agent_.File(RuralRequest("conv-r2", true, true), 20260515).ok());
  const uint64_t head2 = agent_.log().HeadPosition();
  auto beyond = agent_.Agree("conv-r2", 2026, 2026, 2, 20260620, /*bonus_e=*/3, 0);
  EXPECT_TRUE(IsRefusal(beyond.status(), kInvalidArgument, "R-BON-3"));
  EXPECT_EQ(agent_.log().HeadPosition(), head2);
  // Without any bonus the comité validates the first request.
  auto plain = agent_.Agree("conv-r", 2026, 2026, 3, 20260620);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->convention.years(0).agrement().bonus_enfants_collectifs(), 0);
}

}  // namespace
}  // namespace clas::testing
