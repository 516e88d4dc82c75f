// Helpers shared by engine.cc, engine_commands.cc and engine_queries.cc. Not part of the API.
#ifndef CLAS_PROJECTIONS_ENGINE_ENGINE_INTERNAL_H_
#define CLAS_PROJECTIONS_ENGINE_ENGINE_INTERNAL_H_

#include <memory>
#include <string>
#include <vector>

#include "projections/engine/engine.h"

namespace clas {

struct Engine::Loaded {
  StreamCache::Events stream;        // every event of the convention's stream (shared, read-only)
  std::vector<DomainEvent> events;   // a copy of them, when asked for
  v1::ConventionState state;
  BaremeBook baremes;
  std::optional<Gestionnaire> gestionnaire;
  DecideContext context;
};

struct Engine::Decision {
  std::string stream;                    // the convention's stream
  std::shared_ptr<ConventionHead> head;  // its state as known now (kept in heads_)
  BaremeBook baremes;
  std::optional<Gestionnaire> gestionnaire;
  DecideContext context;                 // points into this Decision: do not copy it
  std::optional<DomainEvent> corrected;  // the target of a correction, when found in the stream

  FoldContext fold() const {
    return FoldContext{.baremes = &baremes,
                       .gestionnaire = gestionnaire ? &*gestionnaire : nullptr};
  }
  // Points the decision context at the barèmes and gestionnaire held here.
  void Bind() {
    context.baremes = &baremes;
    context.gestionnaire = gestionnaire ? &*gestionnaire : nullptr;
  }
};

namespace engine_internal {

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
