// The gestionnaire fold: a gestionnaire's stream (its registration, then the renewals of a
// centre social's agrément délivré par la Caf) → GestionnaireState, as of a bitemporal point.
//
// Thread-safety: pure functions.
#ifndef CLAS_PROJECTIONS_CONVENTION_GESTIONNAIRE_H_
#define CLAS_PROJECTIONS_CONVENTION_GESTIONNAIRE_H_

#include <optional>
#include <string>
#include <vector>

#include "clas/v1/state.pb.h"
#include "projections/convention/domain_event.h"
#include "projections/convention/fold.h"

namespace clas {

// The gestionnaire of Caf `caf_id` as its registration `e` (a gestionnaire_registered fact) says.
v1::GestionnaireState GestionnaireStateOf(const std::string& caf_id, const DomainEvent& e);

// The gestionnaire as its stream says as of `as_of` (Timeline: corrections applied, effective
// dates ordered): its registration, then each renewal of its agrément (R-CONV-2). nullopt when
// it is not registered as of then.
std::optional<v1::GestionnaireState> FoldGestionnaire(const std::string& caf_id,
                                                      const std::vector<DomainEvent>& stream,
                                                      const AsOf& as_of);

}  // namespace clas

#endif  // CLAS_PROJECTIONS_CONVENTION_GESTIONNAIRE_H_
