// Derived figures of a convention's school years: DP, DR, caps and room of the acomptes, totals
// paid and indus. Recomputed by the fold after each event from the year's facts; never stored as
// facts themselves (the amounts that were *paid* are facts, recorded with their inputs).
//
// Thread-safety: pure functions.
#ifndef CLAS_PROJECTIONS_CONVENTION_YEAR_FIGURES_H_
#define CLAS_PROJECTIONS_CONVENTION_YEAR_FIGURES_H_

#include <string>

#include "absl/status/statusor.h"
#include "clas/v1/state.pb.h"
#include "projections/convention/fold.h"

namespace clas {

// The figures DP is computed from (R-DROIT-2: C is the notified number; E and P the collectifs
// holding each bonus by the agrément, never more than C).
v1::Figures ForecastFigures(const v1::SchoolYearState& year);

// The figures DR is computed from: the bilan's, with C the notified number or the actual one if
// lower (R-DROIT-2), and E and P at most the agrément's and at most C (R-BON-3).
v1::Figures FinalFigures(const v1::SchoolYearState& year);

// Same for controlled figures (DC): C is at most the notified number; E and P at most the
// agrément's and at most C.
v1::Figures ControlledFigures(const v1::SchoolYearState& year, const v1::Figures& controlled);

// Computes a droit of `kind` for the year from `figures` with the barème of the book.
// kFailedPrecondition naming R-DROIT-7 when the barème of the year is not published.
absl::StatusOr<v1::DroitBreakdown> DroitOf(const v1::SchoolYearState& year, v1::DroitKind kind,
                                           const v1::Figures& figures, const BaremeBook& book);

// Per-year totals that depend on convention-level facts (indus): notified, recovered, open, and
// paid net (R-CTL-2). Called by the fold after every event.
void RecomputeTotals(v1::ConventionState* state);

}  // namespace clas

#endif  // CLAS_PROJECTIONS_CONVENTION_YEAR_FIGURES_H_
