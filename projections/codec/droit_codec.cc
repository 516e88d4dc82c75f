#include "projections/codec/droit_codec.h"

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

}  // namespace clas::codec
