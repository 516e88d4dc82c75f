// The droit of one school year: PS Clas + bonuses, after the co-financing cap (RULES.md §5,
// R-DROIT-1..7), and its split into the N and N+1 shares (R-PAY-1).
//
// One pure function computes the droit prévisionnel (DP), the droit réel (DR) and the droit
// contrôlé (DC) alike (R-DROIT-6): only the figures fed in differ, and the kind is recorded in
// the result. The result always carries every step (base, PS, each bonus, the cap, each
// reduction, the shares) so that a Caf agent can check it line by line, and it copies its inputs
// so that an event recording it is self-describing (R-HIST-3).
//
// Every amount is an exact number of cents; the rounding of each rate is written once, below,
// next to the rule that fixes it.
//
// Thread-safety: pure functions on values; safe to call from any thread.
#ifndef CLAS_PROJECTIONS_RULES_DROIT_H_
#define CLAS_PROJECTIONS_RULES_DROIT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "clas/v1/types.pb.h"
#include "projections/core/calendar.h"
#include "projections/core/droit.h"
#include "projections/core/money.h"

namespace clas::rules {

// The largest number of collectifs one action may declare (C, E or P). Far above any real Clas
// action (a few collectifs each); keeps plafond × C and bonus × E far from overflow.
inline constexpr int32_t kDroitCollectifsMax = 1000;

// Builds the calculator's inputs for school year `year` from the yearly figures of an action
// (forecast, final or controlled) and the barème the caller found for that year. The barème is
// copied as given: ComputeDroit checks it is the one of `year` (R-DROIT-1, R-DROIT-7).
v1::DroitInputs MakeDroitInputs(SchoolYear year, v1::DroitKind kind, const v1::Figures& figures,
                                const v1::BaremeFigures& bareme);

// Computes the droit of one school year from `in` (R-DROIT-1..6) and its shares (R-PAY-1).
//
// Steps, each filled into the breakdown:
//   base       = min(charges, plafond × C)                                   R-DROIT-2
//   PS         = 32.5 % of base, half away from zero: (base × 13 + 20) div 40  R-DROIT-3
//   bonuses    = bonus_enfants × E and bonus_parents × P                     R-DROIT-4
//   cap_cents  = floor(80 % × charges) = (charges × 4) div 5                 R-DROIT-5
//                This is the circular's ceiling on ALL Branche Famille money for the action
//                (§2.3): PS + bonuses + autres_bf ≤ cap_cents. The room left for the Clas droit
//                is therefore cap_cents − autres_bf, not below zero.
//   reductions = the excess of PS + bonuses over that room, taken first from the bonus parents,
//                then the bonus enfants, then the PS [choice of RULES.md]. When autres_bf alone
//                exceeds cap_cents the room is zero and every amount is reduced to 0: the ledger
//                never asks the other Branche Famille money back, it only pays no Clas money.
//   droit      = PS + bonus enfants + bonus parents (after the reductions)
//   n_share    = (4 × PS + 5) div 10; n1_share = PS − n_share + both bonuses  R-PAY-1
//                (bonuses are paid with the solde, "au titre de N+1": R-BON-4)
//
// Returns the breakdown on success. Guarantees: no field is negative; droit = ps + bonuses;
// n_share + n1_share = droit; ps + bonuses + autres_bf ≤ cap_cents unless all three are 0.
//
// Errors, every failure listed at once (Violations payload, French messages):
//   kInvalidArgument    an input is out of range: school_year, kind unspecified (R-DROIT-6);
//                       collectifs or charges negative or above the limits (R-DROIT-2); E or P
//                       negative, above the limit (R-DROIT-4) or above C (R-BON-3); autres_bf
//                       (R-DROIT-5) or a barème amount (R-DROIT-1) negative or above
//                       kAmountMaxCents. Barème violations found at the same time are listed too.
//   kFailedPrecondition the inputs are valid but no barème of year N is given: absent (no year
//                       or plafond 0: R-DROIT-7), or the barème of another year (R-DROIT-1 and
//                       R-DROIT-7). The message names the missing year; nothing is guessed.
absl::StatusOr<v1::DroitBreakdown> ComputeDroit(const v1::DroitInputs& in);

// The same calculation on typed inputs, every step as a value (core/droit.h).
// REQUIRES: `in` passes the checks above (the overload on clas.v1.DroitInputs makes them, then
// calls this one); a broken guarantee is a crash, not an error.
Droit ComputeDroit(const DroitInputs& in);

// French explanation of a breakdown for a Caf agent: a title, then one line per step, each
// naming its rule, amounts as "1 234,56 €". Lines are separated by '\n'.
std::string DescribeBreakdown(const v1::DroitBreakdown& b);

// "droit prévisionnel (DP)", "droit réel (DR)", "droit contrôlé (DC)".
std::string DroitKindName(v1::DroitKind kind);

}  // namespace clas::rules

#endif  // CLAS_PROJECTIONS_RULES_DROIT_H_
