// The gestionnaire fold: a gestionnaire's stream (its registration, then the renewals of a
// centre social's agrément délivré par la Caf) → Gestionnaire, as of a bitemporal point.
//
// Thread-safety: pure functions.
#ifndef CLAS_PROJECTIONS_CONVENTION_GESTIONNAIRE_H_
#define CLAS_PROJECTIONS_CONVENTION_GESTIONNAIRE_H_

#include <optional>
#include <string>
#include <vector>

#include "projections/convention/domain_event.h"
#include "projections/convention/fold.h"
#include "projections/core/gestionnaire.h"

namespace clas {

// The gestionnaire as its stream says as of `as_of` (Timeline: corrections applied, effective
// dates ordered): its registration, then each renewal of its agrément (R-CONV-2). nullopt when
// it is not registered as of then.
std::optional<Gestionnaire> FoldGestionnaire(const std::string& caf_id,
                                             const std::vector<DomainEvent>& stream,
                                             const AsOf& as_of);

}  // namespace clas

#endif  // CLAS_PROJECTIONS_CONVENTION_GESTIONNAIRE_H_
