// Tests of the droit calculator (RULES.md §5, R-DROIT-1..7, and R-PAY-1 for the shares).
// Expected amounts are worked out by hand from RULES.md; the worked examples are RULES.md's own.
#include "projections/rules/droit.h"

#include <cstdint>
#include <random>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/core/violation.h"

namespace clas::rules {
namespace {

using ::testing::HasSubstr;

constexpr int32_t kYear = 2026;

// The illustrative barème of RULES.md §5: plafond 7 000,00 €, bonus enfants 1 000,00 €, bonus
// parents 1 500,00 €.
v1::BaremeFigures Bareme(int32_t school_year = kYear) {
  v1::BaremeFigures b;
  b.set_school_year(school_year);
  b.set_plafond_cents(700'000);
  b.set_bonus_enfants_cents(100'000);
  b.set_bonus_parents_cents(150'000);
  return b;
}

v1::DroitInputs Inputs(int64_t charges_cents, int32_t c, int32_t e, int32_t p,
                       int64_t autres_bf_cents = 0, v1::DroitKind kind = v1::DROIT_PREVISIONNEL) {
  v1::Figures f;
  f.set_collectifs(c);
  f.set_charges_cents(charges_cents);
  f.set_bonus_enfants_collectifs(e);
  f.set_bonus_parents_collectifs(p);
  f.set_autres_bf_cents(autres_bf_cents);
  return MakeDroitInputs(SchoolYear(kYear), kind, f, Bareme());
}

v1::DroitBreakdown Compute(const v1::DroitInputs& in) {
  absl::StatusOr<v1::DroitBreakdown> b = ComputeDroit(in);
  EXPECT_TRUE(b.ok()) << b.status();
  return b.ok() ? *b : v1::DroitBreakdown();
}

// The rule ids a refusal names, in order, joined by spaces.
std::string RulesOf(const absl::Status& status) {
  std::string out;
  for (const auto& v : ViolationsOf(status)) out += (out.empty() ? "" : " ") + v.rule_id();
  return out;
}

// The fields a refusal names, in order, joined by spaces.
std::string FieldsOf(const absl::Status& status) {
  std::string out;
  for (const auto& v : ViolationsOf(status)) out += (out.empty() ? "" : " ") + v.field();
  return out;
}

// ---- RULES.md §5 worked examples: C = 3, E = 3, P = 1 ----

TEST(Droit, WorkedExampleCharges24000) {
  v1::DroitBreakdown b = Compute(Inputs(2'400'000, 3, 3, 1));
  EXPECT_EQ(b.base_cents(), 2'100'000);         // min(24 000, 21 000)
  EXPECT_EQ(b.ps_before_cap_cents(), 682'500);  // 6 825,00
  EXPECT_EQ(b.bonus_enfants_before_cap_cents(), 300'000);
  EXPECT_EQ(b.bonus_parents_before_cap_cents(), 150'000);
  EXPECT_EQ(b.cap_cents(), 1'920'000);  // 80 % × 24 000 = 19 200,00
  EXPECT_EQ(b.reduction_bonus_parents_cents() + b.reduction_bonus_enfants_cents() +
                b.reduction_ps_cents(),
            0);
  EXPECT_EQ(b.droit_cents(), 1'132'500);   // 11 325,00
  EXPECT_EQ(b.n_share_cents(), 273'000);   // 4/10 × 6 825,00 = 2 730,00
  EXPECT_EQ(b.n1_share_cents(), 859'500);  // 4 095,00 + 4 500,00
}

TEST(Droit, WorkedExampleCharges12000) {
  v1::DroitBreakdown b = Compute(Inputs(1'200'000, 3, 3, 1));
  EXPECT_EQ(b.base_cents(), 1'200'000);
  EXPECT_EQ(b.ps_before_cap_cents(), 390'000);  // 3 900,00
  EXPECT_EQ(b.bonus_enfants_cents() + b.bonus_parents_cents(), 450'000);
  EXPECT_EQ(b.cap_cents(), 960'000);    // 9 600,00
  EXPECT_EQ(b.droit_cents(), 840'000);  // 8 400,00
}

TEST(Droit, WorkedExampleCharges8000) {
  v1::DroitBreakdown b = Compute(Inputs(800'000, 3, 3, 1));
  EXPECT_EQ(b.base_cents(), 800'000);
  EXPECT_EQ(b.ps_before_cap_cents(), 260'000);           // 2 600,00
  EXPECT_EQ(b.cap_cents(), 640'000);                     // 6 400,00
  EXPECT_EQ(b.reduction_bonus_parents_cents(), 70'000);  // 700,00
  EXPECT_EQ(b.reduction_bonus_enfants_cents(), 0);
  EXPECT_EQ(b.reduction_ps_cents(), 0);
  EXPECT_EQ(b.bonus_parents_cents(), 80'000);  // 800,00
  EXPECT_EQ(b.bonus_enfants_cents(), 300'000);
  EXPECT_EQ(b.ps_cents(), 260'000);
  EXPECT_EQ(b.droit_cents(), 640'000);  // 6 400,00
}

TEST(Droit, DescribeBreakdownReadsStepByStep) {
  EXPECT_EQ(DescribeBreakdown(Compute(Inputs(800'000, 3, 3, 1))),
            "Calcul du droit prévisionnel (DP) de l'année scolaire 2026-2027, barème 2026-2027\n"
            "R-DROIT-2 base = min(charges 8 000,00 € ; plafond 7 000,00 € × 3 collectifs = "
            "21 000,00 €) = 8 000,00 €\n"
            "R-DROIT-3 Ps = 32,5 % de la base, arrondie au centime = 2 600,00 €\n"
            "R-DROIT-4 bonus enfants = 1 000,00 € × 3 collectifs = 3 000,00 € ; bonus parents = "
            "1 500,00 € × 1 collectif = 1 500,00 €\n"
            "R-DROIT-5 plafond de cofinancement = 80 % des charges = 6 400,00 € ; autres "
            "financements de la Branche Famille 0,00 € ; reste pour la Ps et les bonus "
            "6 400,00 €\n"
            "R-DROIT-5 réductions : bonus parents 700,00 €, bonus enfants 0,00 €, Ps 0,00 €\n"
            "droit = Ps 2 600,00 € + bonus enfants 3 000,00 € + bonus parents 800,00 € = "
            "6 400,00 €\n"
            "R-PAY-1 part 2026 (4/10 de la Ps) = 1 040,00 € ; part 2027 (reste de la Ps et "
            "bonus) = 5 360,00 €");
}

// ---- One test per rule ----

TEST(Droit, R_DROIT_1_UsesTheBaremeOfTheYearOfOpening) {
  v1::DroitInputs in = Inputs(2'400'000, 3, 0, 0);
  in.set_school_year(2027);
  in.mutable_bareme()->set_school_year(2027);
  in.mutable_bareme()->set_plafond_cents(710'000);  // a 2027 plafond of 7 100,00 €
  v1::DroitBreakdown b = Compute(in);
  EXPECT_EQ(b.base_cents(), 2'130'000);  // 3 × 7 100,00
  EXPECT_EQ(b.inputs().bareme().school_year(), 2027);
}

TEST(Droit, R_DROIT_1_RefusesTheBaremeOfAnotherYear) {
  v1::DroitInputs in = Inputs(2'400'000, 3, 3, 1);
  *in.mutable_bareme() = Bareme(2025);
  absl::Status status = ComputeDroit(in).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(RulesOf(status), "R-DROIT-1 R-DROIT-7");
  EXPECT_THAT(std::string(status.message()), HasSubstr("2026-2027"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("2025-2026"));
}

TEST(Droit, R_DROIT_2_BaseIsChargesCappedByPlafondTimesCollectifs) {
  struct Case {
    int64_t charges_cents;
    int32_t collectifs;
    int64_t base_cents;
  } cases[] = {
      {2'400'000, 3, 2'100'000},  // above 3 × 7 000,00
      {2'100'001, 3, 2'100'000},  // one cent above
      {2'100'000, 3, 2'100'000},  // exactly the plafond
      {2'099'999, 3, 2'099'999},  // one cent below
      {2'400'000, 1, 700'000},    // one collectif
      {2'400'000, 0, 0},          // no collectif ran: nothing is due
  };
  for (const Case& c : cases) {
    v1::DroitBreakdown b = Compute(Inputs(c.charges_cents, c.collectifs, 0, 0));
    EXPECT_EQ(b.base_cents(), c.base_cents) << c.charges_cents << " " << c.collectifs;
  }
}

TEST(Droit, R_DROIT_3_RoundsHalfAwayFromZero) {
  // PS = 32.5 % of base = 13/40 of it; by hand: base × 13 / 40, then rounded.
  struct Case {
    int64_t base_cents;
    int64_t ps_cents;
  } cases[] = {
      {0, 0},                // nothing
      {1, 0},                // 0.325
      {2, 1},                // 0.65
      {3, 1},                // 0.975
      {19, 6},               // 6.175
      {20, 7},               // 6.5: half, away from zero
      {21, 7},               // 6.825
      {40, 13},              // exact
      {60, 20},              // 19.5
      {100, 33},             // 32.5
      {2'100'000, 682'500},  // exact
  };
  for (const Case& c : cases) {
    v1::DroitBreakdown b = Compute(Inputs(c.base_cents, 3, 0, 0));  // plafond × 3 ≥ charges
    ASSERT_EQ(b.base_cents(), c.base_cents);
    EXPECT_EQ(b.ps_before_cap_cents(), c.ps_cents) << "base " << c.base_cents;
  }
}

TEST(Droit, R_DROIT_4_BonusIsAmountTimesCollectifs) {
  v1::DroitBreakdown b = Compute(Inputs(10'000'000, 3, 2, 0));
  EXPECT_EQ(b.bonus_enfants_cents(), 200'000);
  EXPECT_EQ(b.bonus_parents_cents(), 0);
  b = Compute(Inputs(10'000'000, 3, 0, 3));
  EXPECT_EQ(b.bonus_enfants_cents(), 0);
  EXPECT_EQ(b.bonus_parents_cents(), 450'000);
  EXPECT_EQ(b.droit_cents(), 682'500 + 450'000);
}

TEST(Droit, R_DROIT_5_CapReducesBonusParentsOnly) {
  v1::DroitBreakdown b = Compute(Inputs(800'000, 3, 3, 1));  // RULES.md's third example
  EXPECT_EQ(b.reduction_bonus_parents_cents(), 70'000);
  EXPECT_EQ(b.reduction_bonus_enfants_cents(), 0);
  EXPECT_EQ(b.reduction_ps_cents(), 0);
}

TEST(Droit, R_DROIT_5_CapReducesBonusParentsThenEnfants) {
  // Charges 6 000,00: PS 1 950,00; bonuses 3 000,00 + 1 500,00; sum 6 450,00 > cap 4 800,00.
  v1::DroitBreakdown b = Compute(Inputs(600'000, 3, 3, 1));
  EXPECT_EQ(b.ps_before_cap_cents(), 195'000);
  EXPECT_EQ(b.cap_cents(), 480'000);
  EXPECT_EQ(b.reduction_bonus_parents_cents(), 150'000);  // all of it
  EXPECT_EQ(b.reduction_bonus_enfants_cents(), 15'000);   // the remaining 150,00
  EXPECT_EQ(b.reduction_ps_cents(), 0);
  EXPECT_EQ(b.bonus_parents_cents(), 0);
  EXPECT_EQ(b.bonus_enfants_cents(), 285'000);
  EXPECT_EQ(b.ps_cents(), 195'000);
  EXPECT_EQ(b.droit_cents(), 480'000);
}

TEST(Droit, R_DROIT_5_CapReducesEveryBonusThenPs) {
  // Charges 10 000,00, autres_bf 6 000,00: cap 8 000,00 leaves 2 000,00 for PS 3 250,00 +
  // bonuses 1 000,00 + 1 500,00 = 5 750,00: 3 750,00 too much.
  v1::DroitBreakdown b = Compute(Inputs(1'000'000, 3, 1, 1, 600'000));
  EXPECT_EQ(b.cap_cents(), 800'000);
  EXPECT_EQ(b.reduction_bonus_parents_cents(), 150'000);
  EXPECT_EQ(b.reduction_bonus_enfants_cents(), 100'000);
  EXPECT_EQ(b.reduction_ps_cents(), 125'000);
  EXPECT_EQ(b.ps_cents(), 200'000);
  EXPECT_EQ(b.droit_cents(), 200'000);
  EXPECT_EQ(b.n_share_cents(), 80'000);
  EXPECT_EQ(b.n1_share_cents(), 120'000);
}

TEST(Droit, R_DROIT_5_AutresBfAboveTheCapLeavesNothing) {
  v1::DroitBreakdown b = Compute(Inputs(1'000'000, 3, 1, 1, 900'000));
  EXPECT_EQ(b.reduction_bonus_parents_cents(), 150'000);
  EXPECT_EQ(b.reduction_bonus_enfants_cents(), 100'000);
  EXPECT_EQ(b.reduction_ps_cents(), 325'000);
  EXPECT_EQ(b.droit_cents(), 0);
  EXPECT_EQ(b.n_share_cents(), 0);
  EXPECT_EQ(b.n1_share_cents(), 0);
}

TEST(Droit, R_DROIT_5_CapIsFlooredAndBitesAtTheCent) {
  EXPECT_EQ(Compute(Inputs(999, 1, 0, 0)).cap_cents(), 799);  // 799.2
  // PS 3 250,00 + autres_bf 4 750,00 = 8 000,00 = the cap: nothing reduced.
  v1::DroitBreakdown b = Compute(Inputs(1'000'000, 3, 0, 0, 475'000));
  EXPECT_EQ(b.reduction_ps_cents(), 0);
  EXPECT_EQ(b.ps_cents(), 325'000);
  // One more cent of autres_bf takes one cent off the PS.
  b = Compute(Inputs(1'000'000, 3, 0, 0, 475'001));
  EXPECT_EQ(b.reduction_ps_cents(), 1);
  EXPECT_EQ(b.ps_cents(), 324'999);
}

TEST(Droit, R_DROIT_6_OneFunctionForDpDrDc) {
  for (v1::DroitKind kind : {v1::DROIT_PREVISIONNEL, v1::DROIT_REEL, v1::DROIT_CONTROLE}) {
    v1::DroitBreakdown b = Compute(Inputs(800'000, 3, 3, 1, 0, kind));
    EXPECT_EQ(b.inputs().kind(), kind);
    EXPECT_EQ(b.droit_cents(), 640'000);
    EXPECT_EQ(b.inputs().bareme().school_year(), kYear);
    EXPECT_THAT(DescribeBreakdown(b), HasSubstr(DroitKindName(kind)));
  }
  absl::Status status =
      ComputeDroit(Inputs(800'000, 3, 3, 1, 0, v1::DROIT_KIND_UNSPECIFIED)).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RulesOf(status), "R-DROIT-6");
}

TEST(Droit, R_DROIT_7_NoBaremeNoDroit) {
  v1::DroitInputs in = Inputs(2'400'000, 3, 3, 1);
  in.clear_bareme();
  absl::Status status = ComputeDroit(in).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(RulesOf(status), "R-DROIT-7");
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("aucun barème publié pour l'année scolaire 2026-2027 : le droit n'est "
                        "pas calculé"));
  // A barème without plafond is no barème either.
  in = Inputs(2'400'000, 3, 3, 1);
  in.mutable_bareme()->set_plafond_cents(0);
  EXPECT_EQ(RulesOf(ComputeDroit(in).status()), "R-DROIT-7");
}

TEST(Droit, RejectsAbsurdInputsAllAtOnce) {
  v1::DroitInputs in = Inputs(-1, kDroitCollectifsMax + 1, -2, 0, kAmountMaxCents + 1);
  in.mutable_bareme()->set_bonus_parents_cents(-5);
  absl::Status status = ComputeDroit(in).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldsOf(status),
            "collectifs charges_cents bonus_enfants_collectifs autres_bf_cents "
            "bareme.bonus_parents_cents");
  EXPECT_EQ(RulesOf(status), "R-DROIT-2 R-DROIT-2 R-DROIT-4 R-DROIT-5 R-DROIT-1");
}

TEST(Droit, RejectsBonusOnMoreCollectifsThanFinanced) {
  absl::Status status = ComputeDroit(Inputs(2'400'000, 3, 4, 5)).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RulesOf(status), "R-BON-3 R-BON-3");
  EXPECT_EQ(FieldsOf(status), "bonus_enfants_collectifs bonus_parents_collectifs");
}

TEST(Droit, InvalidInputsAndMissingBaremeAreListedTogether) {
  v1::DroitInputs in = Inputs(2'400'000, -1, 0, 0);
  in.clear_bareme();
  absl::Status status = ComputeDroit(in).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RulesOf(status), "R-DROIT-2 R-DROIT-7");
}

TEST(Droit, AcceptsTheLimits) {
  v1::DroitInputs in = Inputs(kAmountMaxCents, kDroitCollectifsMax, kDroitCollectifsMax,
                              kDroitCollectifsMax, kAmountMaxCents);
  in.mutable_bareme()->set_plafond_cents(kAmountMaxCents);
  in.mutable_bareme()->set_bonus_enfants_cents(kAmountMaxCents);
  in.mutable_bareme()->set_bonus_parents_cents(kAmountMaxCents);
  v1::DroitBreakdown b = Compute(in);
  EXPECT_EQ(b.base_cents(), kAmountMaxCents);
  EXPECT_EQ(b.droit_cents(), 0);  // autres_bf alone is above the cap
}

// ---- R-PAY-1: the shares ----

TEST(Droit, R_PAY_1_SharesAddUpToTheDroit) {
  struct Case {
    int64_t charges_cents;
    int64_t ps_cents;
    int64_t n_share_cents;  // 4/10 of the PS, half away from zero
  } cases[] = {
      {2, 1, 0},                        // 0.4
      {5, 2, 1},                        // PS 1.625 → 2; 0.8 → 1
      {20, 7, 3},                       // 2.8
      {40, 13, 5},                      // 5.2
      {3'076'923, 1'000'000, 400'000},  // PS 10 000,00 → 4 000,00
  };
  for (const Case& c : cases) {
    v1::DroitBreakdown b = Compute(Inputs(c.charges_cents, 5, 0, 0));
    ASSERT_EQ(b.ps_cents(), c.ps_cents) << c.charges_cents;
    EXPECT_EQ(b.n_share_cents(), c.n_share_cents) << c.charges_cents;
    EXPECT_EQ(b.n1_share_cents(), c.ps_cents - c.n_share_cents) << c.charges_cents;
  }
  // Bonuses belong to the N+1 share (R-BON-4): 8 000 € example, PS 2 600,00, bonuses 3 800,00.
  v1::DroitBreakdown b = Compute(Inputs(800'000, 3, 3, 1));
  EXPECT_EQ(b.n_share_cents(), 104'000);
  EXPECT_EQ(b.n1_share_cents(), 156'000 + 380'000);
}

// A deterministic draw in [lo, hi] (mt19937_64's output is fixed by the standard).
int64_t Draw(std::mt19937_64& rng, int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo + 1));
}

v1::DroitInputs RandomInputs(std::mt19937_64& rng) {
  v1::DroitInputs in = Inputs(Draw(rng, 0, 10'000'000), 0, 0, 0);
  in.set_collectifs(static_cast<int32_t>(Draw(rng, 0, 20)));
  in.set_bonus_enfants_collectifs(static_cast<int32_t>(Draw(rng, 0, in.collectifs())));
  in.set_bonus_parents_collectifs(static_cast<int32_t>(Draw(rng, 0, in.collectifs())));
  in.set_autres_bf_cents(Draw(rng, 0, 1) == 0 ? 0 : Draw(rng, 0, in.charges_cents()));
  in.mutable_bareme()->set_plafond_cents(Draw(rng, 1, 1'000'000));
  in.mutable_bareme()->set_bonus_enfants_cents(Draw(rng, 0, 300'000));
  in.mutable_bareme()->set_bonus_parents_cents(Draw(rng, 0, 300'000));
  return in;
}

// Every invariant of droit.h, checked with plain integer formulas written here independently.
void ExpectInvariants(const v1::DroitInputs& in, const v1::DroitBreakdown& b) {
  const int64_t plafond_total = in.bareme().plafond_cents() * in.collectifs();
  const int64_t base = in.charges_cents() < plafond_total ? in.charges_cents() : plafond_total;
  ASSERT_EQ(b.base_cents(), base);
  ASSERT_EQ(b.ps_before_cap_cents(), (base * 13 + 20) / 40);
  ASSERT_EQ(b.cap_cents(), in.charges_cents() * 4 / 5);
  ASSERT_LE(b.ps_cents(), (base * 13 + 20) / 40);
  for (int64_t cents : {b.ps_cents(), b.bonus_enfants_cents(), b.bonus_parents_cents(),
                        b.reduction_ps_cents(), b.reduction_bonus_enfants_cents(),
                        b.reduction_bonus_parents_cents(), b.n_share_cents(), b.n1_share_cents()}) {
    ASSERT_GE(cents, 0);
  }
  ASSERT_EQ(b.ps_cents() + b.reduction_ps_cents(), b.ps_before_cap_cents());
  ASSERT_EQ(b.bonus_enfants_cents() + b.reduction_bonus_enfants_cents(),
            b.bonus_enfants_before_cap_cents());
  ASSERT_EQ(b.bonus_parents_cents() + b.reduction_bonus_parents_cents(),
            b.bonus_parents_before_cap_cents());
  ASSERT_EQ(b.droit_cents(), b.ps_cents() + b.bonus_enfants_cents() + b.bonus_parents_cents());
  ASSERT_EQ(b.n_share_cents(), (4 * b.ps_cents() + 5) / 10);
  ASSERT_EQ(b.n_share_cents() + b.n1_share_cents(), b.droit_cents());
  if (in.autres_bf_cents() == 0) {
    ASSERT_LE(b.droit_cents(), b.cap_cents());
  }
  if (b.droit_cents() > 0) {
    ASSERT_LE(b.droit_cents() + in.autres_bf_cents(), b.cap_cents());
  }
  // Order of the reductions, and a cap that bites exactly.
  if (b.reduction_bonus_enfants_cents() > 0) {
    ASSERT_EQ(b.bonus_parents_cents(), 0);
  }
  if (b.reduction_ps_cents() > 0) {
    ASSERT_EQ(b.bonus_enfants_cents(), 0);
  }
  const bool reduced = b.reduction_ps_cents() + b.reduction_bonus_enfants_cents() +
                           b.reduction_bonus_parents_cents() >
                       0;
  if (reduced && b.droit_cents() > 0) {
    ASSERT_EQ(b.droit_cents() + in.autres_bf_cents(), b.cap_cents());
  }
}

TEST(Droit, R_PAY_1_InvariantsHoldOnRandomInputs) {
  constexpr int kRandomCases = 5000;
  std::mt19937_64 rng(20260326);  // the circular's date: a fixed seed, a reproducible run
  for (int i = 0; i < kRandomCases; ++i) {
    const v1::DroitInputs in = RandomInputs(rng);
    absl::StatusOr<v1::DroitBreakdown> b = ComputeDroit(in);
    ASSERT_TRUE(b.ok()) << b.status() << "\n" << in.DebugString();
    ExpectInvariants(in, *b);
    if (::testing::Test::HasFatalFailure()) {
      FAIL() << "case " << i << ":\n" << in.DebugString();
    }
  }
}

}  // namespace
}  // namespace clas::rules
