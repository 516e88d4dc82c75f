#include "projections/convention/gestionnaire.h"

namespace clas {

v1::GestionnaireState GestionnaireStateOf(const std::string& caf_id, const DomainEvent& e) {
  const v1::GestionnaireRegistered& g = e.fact.gestionnaire_registered();
  v1::GestionnaireState out;
  out.set_caf_id(caf_id);
  out.set_gestionnaire_id(g.gestionnaire_id());
  out.set_name(g.name());
  out.set_kind(g.kind());
  out.set_supported_since_school_year(g.supported_since_school_year());
  out.set_centre_social_agrement_end(g.centre_social_agrement_end());
  out.set_event_id(e.event_id);
  return out;
}

std::optional<v1::GestionnaireState> FoldGestionnaire(const std::string& caf_id,
                                                      const std::vector<DomainEvent>& stream,
                                                      const AsOf& as_of) {
  std::optional<v1::GestionnaireState> out;
  for (const DomainEvent& e : Timeline(stream, as_of)) {
    if (e.fact.has_gestionnaire_registered()) {
      out = GestionnaireStateOf(caf_id, e);
    } else if (e.fact.has_centre_social_agrement_renewed() && out.has_value()) {
      out->set_centre_social_agrement_end(
          e.fact.centre_social_agrement_renewed().centre_social_agrement_end());
    }
  }
  return out;
}

}  // namespace clas
