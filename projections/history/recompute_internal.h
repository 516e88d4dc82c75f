// Helpers shared by recompute.cc and recompute_closing.cc. Not part of the public API.
#ifndef CLAS_PROJECTIONS_HISTORY_RECOMPUTE_INTERNAL_H_
#define CLAS_PROJECTIONS_HISTORY_RECOMPUTE_INTERNAL_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "projections/history/recompute.h"

namespace clas::recompute_internal {

// Collects the differences found on one event, each with its French sentence.
class Reporter {
 public:
  // `what_fr` names the event for a Caf agent ("l'acompte a1", "la clôture de l'exercice 2026").
  Reporter(const DomainEvent& event, std::string what_fr, std::vector<RecomputeDifference>* out);

  // `field` was recorded as `recorded`; the current code computes `recomputed`.
  void Differs(const std::string& field, int64_t recorded, int64_t recomputed);
  // The current code refuses to recompute `field` (recorded as `recorded`): `why`.
  void Refused(const std::string& field, int64_t recorded, const absl::Status& why);

 private:
  RecomputeDifference Base(const std::string& field, int64_t recorded, int64_t recomputed) const;

  const DomainEvent& event_;
  const std::string what_fr_;
  std::vector<RecomputeDifference>* const out_;
};

// R-ACC-3, R-ACC-4: the lines of a civil_year_closed event against a closing decided again on
// the events of `events` recorded before it (see recompute.h). False when `events` hold none of
// its inputs (no convention event of its Caf before it): nothing was recomputed.
bool CheckClosing(const DomainEvent& closing, const std::vector<DomainEvent>& events,
                  Reporter& reporter);

}  // namespace clas::recompute_internal

#endif  // CLAS_PROJECTIONS_HISTORY_RECOMPUTE_INTERNAL_H_
