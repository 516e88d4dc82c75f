#include "projections/rules/droit.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "ledger/base/status_macros.h"
#include "projections/codec/droit_codec.h"
#include "projections/core/violation.h"

namespace clas::rules {
namespace {

// The rates of RULES.md as exact fractions; each is used once, with its rounding rule.
constexpr int64_t kPsRateNum = 13;  // R-DROIT-3: 32.5 % = 13/40, half away from zero
constexpr int64_t kPsRateDen = 40;
constexpr int64_t kCapRateNum = 4;  // R-DROIT-5: 80 % = 4/5, floor to the cent
constexpr int64_t kCapRateDen = 5;
constexpr int64_t kNShareNum = 4;  // R-PAY-1: 4/10 of the PS, half away from zero
constexpr int64_t kNShareDen = 10;

// The school years a date of the ledger can belong to (see kDateMin, kDateMax).
constexpr int32_t kSchoolYearFirst = kYearMin;
constexpr int32_t kSchoolYearLast = kYearMax - 1;

std::string SchoolYearText(int32_t n) { return SchoolYear(n).ToString(); }

// Adds an error naming `rule` when a count of collectifs is outside [0, kDroitCollectifsMax].
void CheckCount(const Rule& rule, std::string_view field, int32_t count, std::string_view what,
                Violations* out) {
  if (count >= 0 && count <= kDroitCollectifsMax) return;
  out->Add(RuleError(rule, field, absl::StrFormat("%d", count),
                     absl::StrFormat("%s doit être compris entre 0 et %d", std::string(what),
                                     kDroitCollectifsMax)));
}

// Adds an error naming `rule` when an amount is outside [0, kAmountMaxCents].
void CheckAmount(const Rule& rule, std::string_view field, int64_t cents, std::string_view what,
                 Violations* out) {
  if (cents >= 0 && cents <= kAmountMaxCents) return;
  out->Add(RuleError(rule, field, Money::Cents(cents).ToFrench(),
                     absl::StrFormat("%s doit être compris entre 0,00 € et %s", std::string(what),
                                     Money::Cents(kAmountMaxCents).ToFrench())));
}

// R-BON-3: a bonus is granted on financed collectifs only, so E ≤ C and P ≤ C. Not checked
// when C itself is out of range (already reported).
void CheckBonusCount(std::string_view field, int32_t bonus_count, int32_t collectifs,
                     std::string_view bonus_name, Violations* out) {
  if (collectifs < 0 || collectifs > kDroitCollectifsMax || bonus_count <= collectifs) return;
  out->Add(RuleError(rule::kBon3, field, absl::StrFormat("%d", bonus_count),
                     absl::StrFormat("le %s ne peut porter que sur les collectifs financés : %d "
                                     "collectifs avec bonus pour %d collectifs (C)",
                                     std::string(bonus_name), bonus_count, collectifs)));
}

// Every input out of range (kInvalidArgument), the barème's amounts included.
Violations ValidateInputs(const v1::DroitInputs& in) {
  Violations out;
  if (in.school_year() < kSchoolYearFirst || in.school_year() > kSchoolYearLast) {
    out.Add(RuleError(rule::kDroit1, "school_year", absl::StrFormat("%d", in.school_year()),
                      absl::StrFormat("l'année scolaire d'ouverture du droit doit être comprise "
                                      "entre %d et %d",
                                      kSchoolYearFirst, kSchoolYearLast)));
  }
  if (in.kind() == v1::DROIT_KIND_UNSPECIFIED || !v1::DroitKind_IsValid(in.kind())) {
    out.Add(RuleError(rule::kDroit6, "kind", absl::StrFormat("%d", static_cast<int>(in.kind())),
                      "le type de droit (prévisionnel, réel ou contrôlé) doit être indiqué"));
  }
  CheckCount(rule::kDroit2, "collectifs", in.collectifs(), "le nombre de collectifs (C)", &out);
  CheckAmount(rule::kDroit2, "charges_cents", in.charges_cents(),
              "le prix de revient de la fonction d'accompagnement à la scolarité", &out);
  CheckCount(rule::kDroit4, "bonus_enfants_collectifs", in.bonus_enfants_collectifs(),
             "le nombre de collectifs avec bonus enfants (E)", &out);
  CheckCount(rule::kDroit4, "bonus_parents_collectifs", in.bonus_parents_collectifs(),
             "le nombre de collectifs avec bonus parents (P)", &out);
  CheckBonusCount("bonus_enfants_collectifs", in.bonus_enfants_collectifs(), in.collectifs(),
                  "bonus enfants", &out);
  CheckBonusCount("bonus_parents_collectifs", in.bonus_parents_collectifs(), in.collectifs(),
                  "bonus parents", &out);
  CheckAmount(rule::kDroit5, "autres_bf_cents", in.autres_bf_cents(),
              "le montant des autres financements de la Branche Famille", &out);
  const v1::BaremeFigures& bareme = in.bareme();
  CheckAmount(rule::kDroit1, "bareme.plafond_cents", bareme.plafond_cents(),
              "le prix plafond du barème", &out);
  CheckAmount(rule::kDroit1, "bareme.bonus_enfants_cents", bareme.bonus_enfants_cents(),
              "le montant du bonus enfants du barème", &out);
  CheckAmount(rule::kDroit1, "bareme.bonus_parents_cents", bareme.bonus_parents_cents(),
              "le montant du bonus parents du barème", &out);
  return out;
}

// R-DROIT-7, R-DROIT-1: the barème of year N must be the one given (kFailedPrecondition).
Violations CheckBaremeOfYear(const v1::DroitInputs& in) {
  Violations out;
  const v1::BaremeFigures& bareme = in.bareme();
  const std::string year = SchoolYearText(in.school_year());
  const bool absent = !in.has_bareme() || bareme.school_year() == 0 || bareme.plafond_cents() == 0;
  if (absent) {
    out.Add(RuleError(rule::kDroit7, "bareme", "",
                      absl::StrFormat("aucun barème publié pour l'année scolaire %s : le droit "
                                      "n'est pas calculé",
                                      year)));
    return out;
  }
  if (bareme.school_year() != in.school_year()) {
    out.Add(RuleError(rule::kDroit1, "bareme.school_year", SchoolYearText(bareme.school_year()),
                      absl::StrFormat("le droit de l'année scolaire %s se calcule avec le barème "
                                      "de son année d'ouverture, pas avec celui de %s",
                                      year, SchoolYearText(bareme.school_year()))));
    out.Add(RuleError(rule::kDroit7, "bareme", "",
                      absl::StrFormat("le barème de l'année scolaire %s n'est pas fourni : le "
                                      "droit n'est pas calculé, aucun autre barème n'en tient lieu",
                                      year)));
  }
  return out;
}

// R-DROIT-2, R-DROIT-3, R-DROIT-4: base, PS and bonuses before the cap.
void FillBeforeCap(Droit* d) {
  const DroitInputs& in = d->inputs;
  // R-DROIT-2 [choice]: the plafond applies to the whole action (plafond × C).
  d->base = Min(in.charges, in.bareme.plafond * in.collectifs);
  // R-DROIT-3 [choice]: half away from zero; for base ≥ 0 this is (base × 13 + 20) div 40.
  d->ps_before_cap = d->base.MulDivRoundHalfAway(kPsRateNum, kPsRateDen);
  // R-DROIT-4
  d->bonus_enfants_before_cap = in.bareme.bonus_enfants * in.bonus_enfants_collectifs;
  d->bonus_parents_before_cap = in.bareme.bonus_parents * in.bonus_parents_collectifs;
}

// Takes min(*amount, *excess) off both and returns it.
Money TakeFrom(Money* amount, Money* excess) {
  const Money taken = Min(*amount, *excess);
  *amount -= taken;
  *excess -= taken;
  return taken;
}

// R-DROIT-5: PS + bonuses + autres_bf ≤ floor(80 % × charges); the excess is taken from the
// bonus parents, then the bonus enfants, then the PS [choice].
void FillCap(Droit* d) {
  d->cap = d->inputs.charges.MulDivFloor(kCapRateNum, kCapRateDen);
  const Money room = Max(Money::Zero(), d->cap - d->inputs.autres_bf);
  Money ps = d->ps_before_cap;
  Money enfants = d->bonus_enfants_before_cap;
  Money parents = d->bonus_parents_before_cap;
  Money excess = Max(Money::Zero(), ps + enfants + parents - room);
  d->reduction_bonus_parents = TakeFrom(&parents, &excess);
  d->reduction_bonus_enfants = TakeFrom(&enfants, &excess);
  d->reduction_ps = TakeFrom(&ps, &excess);
  CLAS_CHECK(excess == Money::Zero()) << "R-DROIT-5: excess left after reducing everything";
  d->ps = ps;
  d->bonus_enfants = enfants;
  d->bonus_parents = parents;
  d->droit = ps + enfants + parents;
}

// R-PAY-1: N share = 4/10 of the PS, half away from zero ((4 × PS + 5) div 10 for PS ≥ 0);
// N+1 share = the rest of the PS + every bonus (R-BON-4), so the two add up to the droit.
void FillShares(Droit* d) {
  d->n_share = d->ps.MulDivRoundHalfAway(kNShareNum, kNShareDen);
  d->n1_share = d->ps - d->n_share + d->bonus_enfants + d->bonus_parents;
}

void CheckInvariants(const Droit& d) {
  for (Money m : {d.base, d.ps, d.bonus_enfants, d.bonus_parents, d.n_share, d.n1_share}) {
    CLAS_CHECK(m >= Money::Zero()) << "droit: negative amount in the breakdown";
  }
  CLAS_CHECK(d.n_share + d.n1_share == d.droit) << "R-PAY-1";
  CLAS_CHECK(d.droit == Money::Zero() || d.droit + d.inputs.autres_bf <= d.cap) << "R-DROIT-5";
}

// "0 collectif", "1 collectif", "3 collectifs".
std::string Collectifs(int32_t n) { return absl::StrFormat("%d collectif%s", n, n > 1 ? "s" : ""); }

std::string Fr(int64_t cents) { return Money::Cents(cents).ToFrench(); }

}  // namespace

v1::DroitInputs MakeDroitInputs(SchoolYear year, v1::DroitKind kind, const v1::Figures& figures,
                                const v1::BaremeFigures& bareme) {
  v1::DroitInputs in;
  in.set_school_year(year.n());
  in.set_kind(kind);
  in.set_collectifs(figures.collectifs());
  in.set_charges_cents(figures.charges_cents());
  in.set_bonus_enfants_collectifs(figures.bonus_enfants_collectifs());
  in.set_bonus_parents_collectifs(figures.bonus_parents_collectifs());
  in.set_autres_bf_cents(figures.autres_bf_cents());
  *in.mutable_bareme() = bareme;
  return in;
}

Droit ComputeDroit(const DroitInputs& in) {
  Droit d{.inputs = in};
  FillBeforeCap(&d);
  FillCap(&d);
  FillShares(&d);
  CheckInvariants(d);
  return d;
}

absl::StatusOr<v1::DroitBreakdown> ComputeDroit(const v1::DroitInputs& in) {
  Violations invalid = ValidateInputs(in);
  const Violations no_bareme = CheckBaremeOfYear(in);
  if (invalid.has_errors()) {
    invalid.AddAll(no_bareme);
    return invalid.ToStatus(absl::StatusCode::kInvalidArgument);
  }
  if (no_bareme.has_errors()) return no_bareme.ToStatus(absl::StatusCode::kFailedPrecondition);
  // Checked above: a kind of the three and the barème of the year, every amount in range.
  const absl::StatusOr<DroitInputs> typed = codec::Decode(in);
  CLAS_CHECK(typed.ok()) << typed.status();
  v1::DroitBreakdown b;
  codec::Encode(ComputeDroit(*typed), &b);
  *b.mutable_inputs() = in;  // the inputs as given (R-HIST-3)
  return b;
}

std::string DroitKindName(v1::DroitKind kind) {
  switch (kind) {
    case v1::DROIT_PREVISIONNEL:
      return "droit prévisionnel (DP)";
    case v1::DROIT_REEL:
      return "droit réel (DR)";
    case v1::DROIT_CONTROLE:
      return "droit contrôlé (DC)";
    default:
      return "droit de type non précisé";
  }
}

std::string DescribeBreakdown(const v1::DroitBreakdown& b) {
  const v1::DroitInputs& in = b.inputs();
  const v1::BaremeFigures& bareme = in.bareme();
  std::vector<std::string> lines;
  lines.push_back(absl::StrFormat("Calcul du %s de l'année scolaire %s, barème %s",
                                  DroitKindName(in.kind()), SchoolYearText(in.school_year()),
                                  SchoolYearText(bareme.school_year())));
  lines.push_back(absl::StrFormat(
      "R-DROIT-2 base = min(charges %s ; plafond %s × %s = %s) = %s", Fr(in.charges_cents()),
      Fr(bareme.plafond_cents()), Collectifs(in.collectifs()),
      (Money::Cents(bareme.plafond_cents()) * in.collectifs()).ToFrench(), Fr(b.base_cents())));
  lines.push_back(absl::StrFormat("R-DROIT-3 Ps = 32,5 %% de la base, arrondie au centime = %s",
                                  Fr(b.ps_before_cap_cents())));
  lines.push_back(absl::StrFormat(
      "R-DROIT-4 bonus enfants = %s × %s = %s ; bonus parents = %s × %s = %s",
      Fr(bareme.bonus_enfants_cents()), Collectifs(in.bonus_enfants_collectifs()),
      Fr(b.bonus_enfants_before_cap_cents()), Fr(bareme.bonus_parents_cents()),
      Collectifs(in.bonus_parents_collectifs()), Fr(b.bonus_parents_before_cap_cents())));
  const Money room =
      Max(Money::Zero(), Money::Cents(b.cap_cents()) - Money::Cents(in.autres_bf_cents()));
  lines.push_back(absl::StrFormat(
      "R-DROIT-5 plafond de cofinancement = 80 %% des charges = %s ; autres financements de la "
      "Branche Famille %s ; reste pour la Ps et les bonus %s",
      Fr(b.cap_cents()), Fr(in.autres_bf_cents()), room.ToFrench()));
  const Money reductions = Money::Cents(b.reduction_bonus_parents_cents()) +
                           Money::Cents(b.reduction_bonus_enfants_cents()) +
                           Money::Cents(b.reduction_ps_cents());
  if (reductions == Money::Zero()) {
    lines.push_back("R-DROIT-5 aucune réduction");
  } else {
    lines.push_back(
        absl::StrFormat("R-DROIT-5 réductions : bonus parents %s, bonus enfants %s, Ps %s",
                        Fr(b.reduction_bonus_parents_cents()),
                        Fr(b.reduction_bonus_enfants_cents()), Fr(b.reduction_ps_cents())));
  }
  lines.push_back(absl::StrFormat("droit = Ps %s + bonus enfants %s + bonus parents %s = %s",
                                  Fr(b.ps_cents()), Fr(b.bonus_enfants_cents()),
                                  Fr(b.bonus_parents_cents()), Fr(b.droit_cents())));
  lines.push_back(absl::StrFormat(
      "R-PAY-1 part %d (4/10 de la Ps) = %s ; part %d (reste de la Ps et bonus) = %s",
      in.school_year(), Fr(b.n_share_cents()), in.school_year() + 1, Fr(b.n1_share_cents())));
  return absl::StrJoin(lines, "\n");
}

}  // namespace clas::rules
