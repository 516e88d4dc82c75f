// Helpers shared by engine.cc and engine_commands.cc. Not part of the public API.
#ifndef CLAS_PROJECTIONS_ENGINE_ENGINE_INTERNAL_H_
#define CLAS_PROJECTIONS_ENGINE_ENGINE_INTERNAL_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "projections/engine/engine.h"

namespace clas {

struct Engine::Loaded {
  StreamCache::Events stream;        // every event of the convention's stream (shared, read-only)
  std::vector<DomainEvent> events;   // a copy of them, for the decisions (LoadConvention)
  v1::ConventionState state;
  BaremeBook baremes;
  std::optional<v1::GestionnaireState> gestionnaire;
  DecideContext context;
};

namespace engine_internal {

// The event id of the i-th fact of a request: unique per Caf and request.
inline std::string EventId(const std::string& caf_id, const std::string& request_id, size_t i) {
  return absl::StrCat(caf_id, "/", request_id, "#", i);
}

// The gestionnaire a convention's stream names (its last funding request), or "".
inline std::string GestionnaireIdOf(const std::vector<DomainEvent>& stream) {
  std::string out;
  for (const auto& e : stream) {
    if (e.fact.has_funding_request_filed()) out = e.fact.funding_request_filed().gestionnaire_id();
  }
  return out;
}

}  // namespace engine_internal
}  // namespace clas

#endif  // CLAS_PROJECTIONS_ENGINE_ENGINE_INTERNAL_H_
