// Tests of the payment decisions (RULES.md §6, R-PAY-1..7, R-CONV-6). Expected amounts are worked
// out by hand from RULES.md; the figures of §7's worked example (PS of DP 10 000,00 €, acomptes
// 2 800,00 and 4 200,00, PS of DR 9 000,00, solde 2 000,00) are RULES.md's own.
#include "projections/rules/payments.h"

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/rules/droit.h"

namespace clas::rules {
namespace {

using ::testing::HasSubstr;

constexpr int32_t kYear = 2026;  // school year 2026-2027

// A droit of school year 2026-2027 whose PS and droit are given (the rest is not used here).
DroitShares Droit(DroitKind kind, int64_t ps_cents, int64_t droit_cents) {
  return DroitShares{.kind = kind,
                     .school_year = SchoolYear(kYear),
                     .ps = Money::Cents(ps_cents),
                     .droit = Money::Cents(droit_cents)};
}
DroitShares Dp(int64_t ps_cents) { return Droit(DroitKind::kPrevisionnel, ps_cents, ps_cents); }
DroitShares Dr(int64_t ps_cents, int64_t bonus_cents = 0) {
  return Droit(DroitKind::kReel, ps_cents, ps_cents + bonus_cents);
}

AcompteRequest Acompte(int32_t date, int64_t amount_cents, const DroitShares* dp,
                       int64_t paid_same_share_cents = 0) {
  return AcompteRequest{.school_year = SchoolYear(kYear),
                        .date = date,
                        .amount = Money::Cents(amount_cents),
                        .dp_in_force = dp,
                        .paid_same_share = Money::Cents(paid_same_share_cents),
                        .solde_paid = false,
                        .civil_year_closed = false};
}

SoldeDecision Solde(int32_t date, const DroitShares* dr, int64_t acomptes_cents,
                    bool already_paid = false, bool closed = false) {
  return DecideSolde(SchoolYear(kYear), date, dr, Money::Cents(acomptes_cents), already_paid,
                     closed);
}

// The rule ids of every outcome, in order, joined by spaces.
std::string RulesOf(const Violations& v) {
  std::string out;
  for (const auto& one : v.all()) out += (out.empty() ? "" : " ") + one.rule_id();
  return out;
}

std::string MessagesOf(const Violations& v) {
  std::string out;
  for (const auto& one : v.all()) out += Describe(one) + "\n";
  return out;
}

// ---- R-PAY-1: the shares of §7's worked example, from the droit calculator ----

v1::DroitInputs InputsWithCharges(v1::DroitKind kind, int64_t charges_cents) {
  v1::Figures f;
  f.set_collectifs(5);
  f.set_charges_cents(charges_cents);
  v1::BaremeFigures bareme;
  bareme.set_school_year(kYear);
  bareme.set_plafond_cents(700'000);  // × 5 collectifs = 35 000,00 €, above the charges
  return MakeDroitInputs(SchoolYear(kYear), kind, f, bareme);
}

TEST(Payments, R_PAY_1_SharesOfTheWorkedExample) {
  // Charges 30 769,23 €: PS = (3 076 923 × 13 + 20) div 40 = 1 000 000 cents = 10 000,00 €.
  auto dp = ComputeDroit(InputsWithCharges(v1::DROIT_PREVISIONNEL, 3'076'923));
  ASSERT_TRUE(dp.ok()) << dp.status();
  ASSERT_EQ(dp->ps_cents(), 1'000'000);
  EXPECT_EQ(dp->n_share_cents(), 400'000);   // the 4 000,00 of the charge à payer (R-ACC-3)
  EXPECT_EQ(dp->n1_share_cents(), 600'000);  // the 6 000,00 of the engagement (R-ACC-4)
  // Charges 27 692,31 €: PS = (2 769 231 × 13 + 20) div 40 = 900 000 cents = 9 000,00 €.
  auto dr = ComputeDroit(InputsWithCharges(v1::DROIT_REEL, 2'769'231));
  ASSERT_TRUE(dr.ok()) << dr.status();
  ASSERT_EQ(dr->ps_cents(), 900'000);
  EXPECT_EQ(dr->n_share_cents(), 360'000);  // the 3 600,00 of d_N (R-ACC-5)
  EXPECT_EQ(dr->n_share_cents() + dr->n1_share_cents(), dr->droit_cents());
}

// ---- R-PAY-2: 28 % of the PS of DP for the acomptes dated in civil year N ----

TEST(Payments, R_PAY_2_CapIs28PercentFloored) {
  EXPECT_EQ(AcompteCapN(Money::Cents(1'000'000)), Money::Cents(280'000));
  EXPECT_EQ(AcompteCapN(Money::Cents(357)), Money::Cents(99));  // 99.96 → 99
  EXPECT_EQ(AcompteCapN(Money::Cents(3)), Money::Cents(0));     // 0.84 → 0
  EXPECT_EQ(AcompteCapN(Money::Zero()), Money::Zero());
}

TEST(Payments, R_PAY_2_WorkedExampleAcompteAtTheCap) {
  const DroitShares dp = Dp(1'000'000);
  AcompteDecision d = DecideAcompte(Acompte(20261015, 280'000, &dp));
  EXPECT_FALSE(d.violations.has_errors()) << MessagesOf(d.violations);
  EXPECT_TRUE(d.ToStatus().ok());
  EXPECT_EQ(d.share, Share::kN);
  EXPECT_EQ(d.cap, Money::Cents(280'000));
  EXPECT_EQ(d.room_after, Money::Zero());
}

TEST(Payments, R_PAY_2_OneCentOverTheCapIsRefused) {
  const DroitShares dp = Dp(1'000'000);
  AcompteDecision d = DecideAcompte(Acompte(20261015, 280'001, &dp));
  EXPECT_EQ(RulesOf(d.violations), "R-PAY-2");
  EXPECT_EQ(d.room_after, Money::Cents(-1));
  EXPECT_EQ(d.ToStatus().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(d.violations.all()[0].section(), "§4");
  EXPECT_THAT(d.violations.all()[0].message(),
              HasSubstr("acompte de 2 800,01 € au-delà du plafond des acomptes datés de 2026 "
                        "pour l'année scolaire 2026-2027 : 28 % de la Ps du droit prévisionnel "
                        "(10 000,00 €), soit 2 800,00 € ; déjà versé 0,00 €, reste possible "
                        "2 800,00 €"));
}

TEST(Payments, R_PAY_2_SeveralAcomptesUpToTheCapThenOneCentMore) {
  const DroitShares dp = Dp(1'000'000);
  int64_t paid = 0;
  for (int64_t amount : {100'000, 150'000, 30'000}) {  // 1 000,00 + 1 500,00 + 300,00
    AcompteDecision d = DecideAcompte(Acompte(20261120, amount, &dp, paid));
    ASSERT_FALSE(d.violations.has_errors()) << MessagesOf(d.violations);
    paid += amount;
  }
  EXPECT_EQ(paid, 280'000);
  AcompteDecision d = DecideAcompte(Acompte(20261215, 1, &dp, paid));
  EXPECT_EQ(RulesOf(d.violations), "R-PAY-2");
  EXPECT_THAT(d.violations.all()[0].message(),
              HasSubstr("déjà versé 2 800,00 €, reste possible 0,00 €"));
}

TEST(Payments, R_PAY_2_NoDpNoAcompte) {
  AcompteDecision d = DecideAcompte(Acompte(20261015, 100'000, nullptr));
  EXPECT_EQ(RulesOf(d.violations), "R-PAY-2");
  EXPECT_THAT(d.violations.all()[0].message(),
              HasSubstr("pas de droit prévisionnel en vigueur au 15/10/2026"));
  EXPECT_EQ(d.cap, Money::Zero());
  EXPECT_EQ(d.ToStatus().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(Payments, R_PAY_2_AmountMustBePositiveAndBounded) {
  const DroitShares dp = Dp(1'000'000);
  for (int64_t amount : {int64_t{0}, int64_t{-100}, kAmountMaxCents + 1}) {
    AcompteDecision d = DecideAcompte(Acompte(20261015, amount, &dp));
    EXPECT_EQ(RulesOf(d.violations), "R-PAY-2") << amount;
    EXPECT_EQ(d.violations.all()[0].field(), "amount_cents");
    EXPECT_EQ(d.ToStatus().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(d.room_after, Money::Cents(280'000));  // the invalid amount is left out
  }
}

// ---- R-PAY-3: 42 % of the PS of DP for the acomptes dated in civil year N+1 ----

TEST(Payments, R_PAY_3_CapIs42PercentFloored) {
  EXPECT_EQ(AcompteCapN1(Money::Cents(1'000'000)), Money::Cents(420'000));
  EXPECT_EQ(AcompteCapN1(Money::Cents(357)), Money::Cents(149));  // 149.94 → 149
  EXPECT_EQ(AcompteCapN1(Money::Cents(2)), Money::Cents(0));      // 0.84 → 0
}

TEST(Payments, R_PAY_3_WorkedExampleAcompteAtTheCap) {
  const DroitShares dp = Dp(1'000'000);
  // 2 800,00 paid in 2026 count toward the N share only: the N+1 share starts from 0.
  AcompteDecision d = DecideAcompte(Acompte(20270201, 420'000, &dp, 0));
  EXPECT_FALSE(d.violations.has_errors()) << MessagesOf(d.violations);
  EXPECT_EQ(d.share, Share::kN1);
  EXPECT_EQ(d.cap, Money::Cents(420'000));
  EXPECT_EQ(d.room_after, Money::Zero());
}

TEST(Payments, R_PAY_3_OneCentOverTheCapIsRefused) {
  const DroitShares dp = Dp(1'000'000);
  AcompteDecision d = DecideAcompte(Acompte(20270201, 420'001, &dp));
  EXPECT_EQ(RulesOf(d.violations), "R-PAY-3");
  EXPECT_THAT(d.violations.all()[0].message(),
              HasSubstr("acompte de 4 200,01 € au-delà du plafond des acomptes datés de 2027 "
                        "pour l'année scolaire 2026-2027 : 42 % de la Ps du droit prévisionnel "
                        "(10 000,00 €), soit 4 200,00 €"));
  // Several acomptes up to the cap, then one cent more.
  EXPECT_FALSE(DecideAcompte(Acompte(20270301, 20'000, &dp, 400'000)).violations.has_errors());
  EXPECT_EQ(RulesOf(DecideAcompte(Acompte(20270401, 1, &dp, 420'000)).violations), "R-PAY-3");
}

// ---- R-PAY-4: the date fixes the share; nothing outside the window or after the solde ----

TEST(Payments, R_PAY_4_ShareOfDateAtTheBoundaries) {
  const SchoolYear year(kYear);
  struct Case {
    int32_t date;
    bool ok;
    Share share;
  } cases[] = {
      {20251231, false, Share::kN},  // before 1 January N
      {20260101, true, Share::kN},   // first day of civil year N
      {20261231, true, Share::kN},   // last day of civil year N
      {20270101, true, Share::kN1},  // first day of civil year N+1
      {20270831, true, Share::kN1},  // last day of the school year
      {20270901, false, Share::kN},  // after 31 August N+1
      {20270230, false, Share::kN},  // not a day
  };
  for (const Case& c : cases) {
    absl::StatusOr<Share> share = ShareOfDate(year, c.date);
    ASSERT_EQ(share.ok(), c.ok) << c.date;
    if (c.ok) {
      EXPECT_EQ(*share, c.share) << c.date;
    } else {
      EXPECT_EQ(share.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(ViolationsOf(share.status()).at(0).rule_id(), "R-PAY-4") << c.date;
    }
  }
}

TEST(Payments, R_PAY_4_AcompteOutsideTheWindowIsRefused) {
  const DroitShares dp = Dp(1'000'000);
  AcompteDecision d = DecideAcompte(Acompte(20251231, 100'000, &dp));
  EXPECT_EQ(RulesOf(d.violations), "R-PAY-4");
  EXPECT_THAT(d.violations.all()[0].message(),
              HasSubstr("ne peut pas être daté avant le 01/01/2026"));
  EXPECT_EQ(d.ToStatus().code(), absl::StatusCode::kInvalidArgument);
  d = DecideAcompte(Acompte(20270901, 100'000, &dp));
  EXPECT_EQ(RulesOf(d.violations), "R-PAY-4");
  EXPECT_THAT(d.violations.all()[0].message(),
              HasSubstr("ne peut pas être daté après le 31/08/2027"));
  EXPECT_FALSE(DecideAcompte(Acompte(20270831, 100'000, &dp)).violations.has_errors());
}

TEST(Payments, R_PAY_4_NoAdvanceInNForTheNPlus1Share) {
  // 3 000,00 on 31/12/2026 is within the N+1 cap (4 200,00) but counts toward N (2 800,00).
  const DroitShares dp = Dp(1'000'000);
  AcompteDecision d = DecideAcompte(Acompte(20261231, 300'000, &dp));
  EXPECT_EQ(d.share, Share::kN);
  EXPECT_EQ(RulesOf(d.violations), "R-PAY-2");
  d = DecideAcompte(Acompte(20270101, 300'000, &dp));
  EXPECT_EQ(d.share, Share::kN1);
  EXPECT_FALSE(d.violations.has_errors());
  EXPECT_EQ(CivilYearOfShare(SchoolYear(kYear), Share::kN1), CivilYear(2027));
}

TEST(Payments, R_PAY_4_NoAcompteAfterTheSolde) {
  const DroitShares dp = Dp(1'000'000);
  AcompteRequest r = Acompte(20270301, 100'000, &dp);
  r.solde_paid = true;
  AcompteDecision d = DecideAcompte(r);
  EXPECT_EQ(RulesOf(d.violations), "R-PAY-4");
  EXPECT_THAT(d.violations.all()[0].message(), HasSubstr("le solde de l'année scolaire "
                                                         "2026-2027 est déjà versé"));
  EXPECT_EQ(d.ToStatus().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(Payments, EveryAcompteFailureIsListedAtOnce) {
  AcompteRequest r = Acompte(20270901, -1, nullptr);
  r.solde_paid = true;
  r.civil_year_closed = true;
  AcompteDecision d = DecideAcompte(r);
  // Date, amount (N+1 share: R-PAY-3), solde, no DP, closed year.
  EXPECT_EQ(RulesOf(d.violations), "R-PAY-4 R-PAY-3 R-PAY-4 R-PAY-3 R-PAY-7");
  EXPECT_EQ(d.ToStatus().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ViolationsOf(d.ToStatus()).size(), 5u);
}

// ---- R-PAY-5 and R-CONV-6: the solde ----

TEST(Payments, R_PAY_5_WorkedExampleSolde) {
  const DroitShares dr = Dr(900'000);               // PS of DR 9 000,00
  SoldeDecision d = Solde(20271105, &dr, 700'000);  // acomptes 2 800,00 + 4 200,00
  EXPECT_FALSE(d.violations.has_errors()) << MessagesOf(d.violations);
  EXPECT_EQ(d.amount, Money::Cents(200'000));  // 2 000,00
  EXPECT_EQ(d.indu, Money::Zero());
}

TEST(Payments, R_PAY_5_SoldeCarriesTheBonuses) {
  // R-BON-4: bonuses are paid with the solde only; DR = PS 9 000,00 + bonuses 1 500,00.
  const DroitShares dr = Dr(900'000, 150'000);
  SoldeDecision d = Solde(20271105, &dr, 700'000);
  EXPECT_EQ(d.amount, Money::Cents(350'000));
}

TEST(Payments, R_PAY_5_NegativeSoldePaysNothingAndIsAnIndu) {
  const DroitShares dr = Dr(650'000);
  SoldeDecision d = Solde(20271105, &dr, 700'000);
  EXPECT_FALSE(d.violations.has_errors());
  EXPECT_EQ(d.amount, Money::Zero());
  EXPECT_EQ(d.indu, Money::Cents(50'000));  // 7 000,00 − 6 500,00
  const DroitShares exact = Dr(700'000);
  d = Solde(20271105, &exact, 700'000);
  EXPECT_EQ(d.amount, Money::Zero());
  EXPECT_EQ(d.indu, Money::Zero());
}

TEST(Payments, R_PAY_5_AtMostOneSolde) {
  const DroitShares dr = Dr(900'000);
  SoldeDecision d = Solde(20271105, &dr, 700'000, /*already_paid=*/true);
  EXPECT_EQ(RulesOf(d.violations), "R-PAY-5");
  EXPECT_EQ(d.ToStatus().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(Payments, R_PAY_5_SoldeIsNotDatedBeforeTheNPlus1Share) {
  const DroitShares dr = Dr(900'000);
  SoldeDecision d = Solde(20261231, &dr, 0);
  EXPECT_EQ(RulesOf(d.violations), "R-PAY-5");
  EXPECT_THAT(d.violations.all()[0].message(),
              HasSubstr("ne peut pas être daté avant le 01/01/2027"));
  EXPECT_EQ(d.ToStatus().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(Solde(20270101, &dr, 0).violations.has_errors());
  EXPECT_EQ(RulesOf(Solde(20270229, &dr, 0).violations), "R-PAY-5");  // not a day
}

TEST(Payments, R_CONV_6_SoldeNeedsTheBilan) {
  SoldeDecision d = Solde(20271105, nullptr, 700'000);
  EXPECT_EQ(RulesOf(d.violations), "R-CONV-6");
  EXPECT_EQ(d.violations.all()[0].section(), "§3.1");
  EXPECT_THAT(d.violations.all()[0].message(),
              HasSubstr("le solde exige le bilan de l'année scolaire 2026-2027"));
  EXPECT_EQ(d.ToStatus().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(Payments, EverySoldeFailureIsListedAtOnce) {
  SoldeDecision d = Solde(20271105, nullptr, 700'000, /*already_paid=*/true, /*closed=*/true);
  EXPECT_EQ(RulesOf(d.violations), "R-CONV-6 R-PAY-5 R-PAY-7");
}

// ---- R-PAY-6: the DP in force at the acompte's date gives the cap ----

TEST(Payments, R_PAY_6_ChangedDpChangesTheCapOfLaterAcomptesOnly) {
  const DroitShares dp_before = Dp(1'000'000);  // cap N: 2 800,00
  const DroitShares dp_after = Dp(1'200'000);   // after an avenant: cap N 3 360,00
  AcompteDecision first = DecideAcompte(Acompte(20261015, 100'000, &dp_before));
  ASSERT_FALSE(first.violations.has_errors());
  // 2 360,00 more on 20/11/2026: over the old cap, exactly the new one.
  AcompteDecision later = DecideAcompte(Acompte(20261120, 236'000, &dp_after, 100'000));
  EXPECT_FALSE(later.violations.has_errors()) << MessagesOf(later.violations);
  EXPECT_EQ(later.cap, Money::Cents(336'000));
  EXPECT_EQ(later.room_after, Money::Zero());
  EXPECT_EQ(RulesOf(DecideAcompte(Acompte(20261120, 236'000, &dp_before, 100'000)).violations),
            "R-PAY-2");
  // The first acompte is decided again under its own DP: unchanged.
  EXPECT_FALSE(DecideAcompte(Acompte(20261015, 100'000, &dp_before)).violations.has_errors());
  // A lower DP (PS 3 000,00: cap 840,00) leaves the 1 000,00 paid alone and refuses more.
  const DroitShares dp_lower = Dp(300'000);
  AcompteDecision after_cut = DecideAcompte(Acompte(20261201, 1, &dp_lower, 100'000));
  EXPECT_EQ(RulesOf(after_cut.violations), "R-PAY-2");
  EXPECT_THAT(after_cut.violations.all()[0].message(),
              HasSubstr("soit 840,00 € ; déjà versé 1 000,00 €, reste possible 0,00 €"));
}

// ---- R-PAY-7: nothing dated in a closed civil year ----

TEST(Payments, R_PAY_7_NoPaymentInAClosedCivilYear) {
  Violations v = CheckPaymentYearOpen(20270105, /*civil_year_closed=*/true, "rappel");
  EXPECT_EQ(RulesOf(v), "R-PAY-7");
  EXPECT_THAT(v.all()[0].message(),
              HasSubstr("l'exercice 2027 est clos par la Caf : aucun rappel ne peut y être daté"));
  EXPECT_TRUE(CheckPaymentYearOpen(20270105, false, "rappel").all().empty());

  const DroitShares dp = Dp(1'000'000);
  AcompteRequest r = Acompte(20261015, 100'000, &dp);
  r.civil_year_closed = true;
  AcompteDecision d = DecideAcompte(r);
  EXPECT_EQ(RulesOf(d.violations), "R-PAY-7");
  EXPECT_EQ(d.ToStatus().code(), absl::StatusCode::kFailedPrecondition);

  const DroitShares dr = Dr(900'000);
  EXPECT_EQ(RulesOf(Solde(20271105, &dr, 700'000, false, /*closed=*/true).violations), "R-PAY-7");
}

}  // namespace
}  // namespace clas::rules
