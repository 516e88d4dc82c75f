// The droit of one school year as C++ values (RULES.md §5, R-DROIT-1..7, R-PAY-1): the inputs
// the calculator reads and every step it records. rules/droit.h computes it; its wire form,
// clas.v1.DroitBreakdown, recorded with the facts that used it (R-HIST-3), is read and written in
// codec/droit_codec.h only.
//
// Thread-safety: value types.
#ifndef CLAS_PROJECTIONS_CORE_DROIT_H_
#define CLAS_PROJECTIONS_CORE_DROIT_H_

#include <cstdint>

#include "projections/core/calendar.h"
#include "projections/core/droit_shares.h"
#include "projections/core/money.h"

namespace clas {

// The barème of a school year (R-DROIT-1), per collectif.
struct Bareme {
  SchoolYear school_year{0};
  Money plafond;        // prix plafond (R-DROIT-2)
  Money bonus_enfants;  // R-DROIT-4
  Money bonus_parents;  // R-DROIT-4
  friend bool operator==(const Bareme&, const Bareme&) = default;
};

// What the calculator reads: the figures of one school year and the barème of that year.
struct DroitInputs {
  SchoolYear school_year{0};
  DroitKind kind = DroitKind::kPrevisionnel;
  int32_t collectifs = 0;  // C
  Money charges;           // prix de revient de la fonction d'accompagnement à la scolarité
  int32_t bonus_enfants_collectifs = 0;  // E
  int32_t bonus_parents_collectifs = 0;  // P
  Money autres_bf;                       // other Branche Famille money (R-DROIT-5)
  Bareme bareme;
  friend bool operator==(const DroitInputs&, const DroitInputs&) = default;
};

// Every step of the calculation, each named by its rule in rules/droit.h.
struct Droit {
  DroitInputs inputs;
  Money base;                      // R-DROIT-2
  Money ps_before_cap;             // R-DROIT-3
  Money bonus_enfants_before_cap;  // R-DROIT-4
  Money bonus_parents_before_cap;  // R-DROIT-4
  Money cap;                       // R-DROIT-5
  Money reduction_bonus_parents;   // R-DROIT-5, taken first
  Money reduction_bonus_enfants;
  Money reduction_ps;
  Money ps;
  Money bonus_enfants;
  Money bonus_parents;
  Money droit;     // ps + both bonuses
  Money n_share;   // R-PAY-1
  Money n1_share;  // R-PAY-1

  DroitShares shares() const {
    return DroitShares{.kind = inputs.kind,
                       .school_year = inputs.school_year,
                       .ps = ps,
                       .bonus_enfants = bonus_enfants,
                       .bonus_parents = bonus_parents,
                       .droit = droit,
                       .n_share = n_share,
                       .n1_share = n1_share};
  }
  friend bool operator==(const Droit&, const Droit&) = default;
};

}  // namespace clas

#endif  // CLAS_PROJECTIONS_CORE_DROIT_H_
