#include "projections/codec/state_codec.h"

namespace clas::codec {

void Encode(const Gestionnaire& g, v1::GestionnaireState* out) {
  out->set_caf_id(g.caf_id);
  out->set_gestionnaire_id(g.gestionnaire_id);
  out->set_name(g.name);
  out->set_kind(g.kind);
  out->set_supported_since_school_year(g.supported_since ? g.supported_since->n() : 0);
  out->set_event_id(g.event_id);
  for (const std::string& id : g.convention_ids) out->add_convention_ids(id);
  out->set_centre_social_agrement_end(
      g.centre_social_agrement_end ? YmdFromDay(*g.centre_social_agrement_end) : 0);
}

v1::GestionnaireState Encode(const Gestionnaire& g) {
  v1::GestionnaireState out;
  Encode(g, &out);
  return out;
}

}  // namespace clas::codec
