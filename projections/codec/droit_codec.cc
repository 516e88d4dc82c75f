#include "projections/codec/droit_codec.h"

#include <string_view>

#include "absl/strings/str_cat.h"
#include "ledger/base/absl_view.h"

namespace clas::codec {

namespace {

std::optional<DroitKind> KindOf(v1::DroitKind kind) {
  switch (kind) {
    case v1::DROIT_PREVISIONNEL: return DroitKind::kPrevisionnel;
    case v1::DROIT_REEL: return DroitKind::kReel;
    case v1::DROIT_CONTROLE: return DroitKind::kControle;
    default: return std::nullopt;
  }
}

absl::Status Bad(std::string_view field, int64_t value, std::string_view why) {
  return absl::DataLossError(absl::StrCat("clas.v1.DroitBreakdown.", base::ToAbsl(field), " « ",
                                          value, " » : ", base::ToAbsl(why)));
}

}  // namespace

DroitShares SharesOf(const v1::DroitBreakdown& d) {
  const int32_t n = d.inputs().school_year();
  return DroitShares{.kind = KindOf(d.inputs().kind()),
                     .school_year = n != 0 ? std::optional(SchoolYear(n)) : std::nullopt,
                     .ps = Money::Cents(d.ps_cents()),
                     .bonus_enfants = Money::Cents(d.bonus_enfants_cents()),
                     .bonus_parents = Money::Cents(d.bonus_parents_cents()),
                     .droit = Money::Cents(d.droit_cents()),
                     .n_share = Money::Cents(d.n_share_cents()),
                     .n1_share = Money::Cents(d.n1_share_cents())};
}

v1::DroitKind Encode(DroitKind kind) {
  switch (kind) {
    case DroitKind::kPrevisionnel: return v1::DROIT_PREVISIONNEL;
    case DroitKind::kReel: return v1::DROIT_REEL;
    case DroitKind::kControle: return v1::DROIT_CONTROLE;
  }
  return v1::DROIT_KIND_UNSPECIFIED;
}

void Encode(const DroitInputs& in, v1::DroitInputs* out) {
  out->set_school_year(in.school_year.n());
  out->set_kind(Encode(in.kind));
  out->set_collectifs(in.collectifs);
  out->set_charges_cents(in.charges.cents());
  out->set_bonus_enfants_collectifs(in.bonus_enfants_collectifs);
  out->set_bonus_parents_collectifs(in.bonus_parents_collectifs);
  out->set_autres_bf_cents(in.autres_bf.cents());
  v1::BaremeFigures* b = out->mutable_bareme();
  b->set_school_year(in.bareme.school_year.n());
  b->set_plafond_cents(in.bareme.plafond.cents());
  b->set_bonus_enfants_cents(in.bareme.bonus_enfants.cents());
  b->set_bonus_parents_cents(in.bareme.bonus_parents.cents());
}

void Encode(const Droit& d, v1::DroitBreakdown* out) {
  Encode(d.inputs, out->mutable_inputs());
  out->set_base_cents(d.base.cents());
  out->set_ps_before_cap_cents(d.ps_before_cap.cents());
  out->set_bonus_enfants_before_cap_cents(d.bonus_enfants_before_cap.cents());
  out->set_bonus_parents_before_cap_cents(d.bonus_parents_before_cap.cents());
  out->set_cap_cents(d.cap.cents());
  out->set_reduction_bonus_parents_cents(d.reduction_bonus_parents.cents());
  out->set_reduction_bonus_enfants_cents(d.reduction_bonus_enfants.cents());
  out->set_reduction_ps_cents(d.reduction_ps.cents());
  out->set_ps_cents(d.ps.cents());
  out->set_bonus_enfants_cents(d.bonus_enfants.cents());
  out->set_bonus_parents_cents(d.bonus_parents.cents());
  out->set_droit_cents(d.droit.cents());
  out->set_n_share_cents(d.n_share.cents());
  out->set_n1_share_cents(d.n1_share.cents());
}

absl::StatusOr<DroitInputs> Decode(const v1::DroitInputs& in) {
  const std::optional<DroitKind> kind = KindOf(in.kind());
  if (!kind) return Bad("inputs.kind", in.kind(), "pas un type de droit (R-DROIT-6)");
  if (!in.has_bareme()) return Bad("inputs.bareme", 0, "aucun barème (R-DROIT-7)");
  const v1::BaremeFigures& b = in.bareme();
  return DroitInputs{.school_year = SchoolYear(in.school_year()),
                     .kind = *kind,
                     .collectifs = in.collectifs(),
                     .charges = Money::Cents(in.charges_cents()),
                     .bonus_enfants_collectifs = in.bonus_enfants_collectifs(),
                     .bonus_parents_collectifs = in.bonus_parents_collectifs(),
                     .autres_bf = Money::Cents(in.autres_bf_cents()),
                     .bareme = Bareme{.school_year = SchoolYear(b.school_year()),
                                      .plafond = Money::Cents(b.plafond_cents()),
                                      .bonus_enfants = Money::Cents(b.bonus_enfants_cents()),
                                      .bonus_parents = Money::Cents(b.bonus_parents_cents())}};
}

absl::StatusOr<Droit> Decode(const v1::DroitBreakdown& d) {
  if (!d.has_inputs()) return Bad("inputs", 0, "aucune donnée d'entrée (R-HIST-3)");
  absl::StatusOr<DroitInputs> inputs = Decode(d.inputs());
  if (!inputs.ok()) return inputs.status();
  return Droit{.inputs = *std::move(inputs),
               .base = Money::Cents(d.base_cents()),
               .ps_before_cap = Money::Cents(d.ps_before_cap_cents()),
               .bonus_enfants_before_cap = Money::Cents(d.bonus_enfants_before_cap_cents()),
               .bonus_parents_before_cap = Money::Cents(d.bonus_parents_before_cap_cents()),
               .cap = Money::Cents(d.cap_cents()),
               .reduction_bonus_parents = Money::Cents(d.reduction_bonus_parents_cents()),
               .reduction_bonus_enfants = Money::Cents(d.reduction_bonus_enfants_cents()),
               .reduction_ps = Money::Cents(d.reduction_ps_cents()),
               .ps = Money::Cents(d.ps_cents()),
               .bonus_enfants = Money::Cents(d.bonus_enfants_cents()),
               .bonus_parents = Money::Cents(d.bonus_parents_cents()),
               .droit = Money::Cents(d.droit_cents()),
               .n_share = Money::Cents(d.n_share_cents()),
               .n1_share = Money::Cents(d.n1_share_cents())};
}

}  // namespace clas::codec
