// The droit of one school year as the payments and the accounts use it: its PS, its bonuses and
// its split into the N share and the N+1 share (R-PAY-1). The whole breakdown, with its inputs
// and every step (rules/droit.h), stays in the events and states that record it; a DroitShares is
// read from it by codec/droit_codec.h.
//
// Thread-safety: value type.
#ifndef CLAS_PROJECTIONS_CORE_DROIT_SHARES_H_
#define CLAS_PROJECTIONS_CORE_DROIT_SHARES_H_

#include <cstdint>
#include <optional>

#include "projections/core/calendar.h"
#include "projections/core/money.h"

namespace clas {

// R-DROIT-6: which droit it is; the one calculator computes all three (rules/droit.h).
enum class DroitKind : uint8_t {
  kPrevisionnel,  // DP: forecast figures and the notified collectifs
  kReel,          // DR: the bilan's final figures
  kControle,      // DC: the figures a contrôle's decision retained
};

struct DroitShares {
  // The kind of droit, as its inputs recorded it; nullopt when they did not.
  std::optional<DroitKind> kind;
  // The school year of the droit, as its inputs recorded it; nullopt when they did not.
  std::optional<SchoolYear> school_year;
  Money ps;             // PS Clas, after the cap (R-DROIT-3, R-DROIT-5)
  Money bonus_enfants;  // R-DROIT-4
  Money bonus_parents;  // R-DROIT-4
  Money droit;          // ps + both bonuses
  Money n_share;        // R-PAY-1: (4 × PS + 5) div 10
  Money n1_share;       // R-PAY-1: PS − n_share + both bonuses (paid with the solde, R-BON-4)

  Money bonuses() const { return bonus_enfants + bonus_parents; }
  friend bool operator==(const DroitShares&, const DroitShares&) = default;
};

}  // namespace clas

#endif  // CLAS_PROJECTIONS_CORE_DROIT_SHARES_H_
