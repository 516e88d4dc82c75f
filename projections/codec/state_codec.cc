#include "projections/codec/state_codec.h"

namespace clas::codec {

v1::GestionnaireKind Encode(std::optional<GestionnaireKind> kind) {
  if (!kind) return v1::GESTIONNAIRE_KIND_UNSPECIFIED;
  switch (*kind) {
    case GestionnaireKind::kAssociation: return v1::ASSOCIATION;
    case GestionnaireKind::kCentreSocial: return v1::CENTRE_SOCIAL;
    case GestionnaireKind::kEvs: return v1::EVS;
    case GestionnaireKind::kCommune: return v1::COMMUNE;
    case GestionnaireKind::kEntreprise: return v1::ENTREPRISE;
    case GestionnaireKind::kCafInterne: return v1::CAF_INTERNE;
  }
  return v1::GESTIONNAIRE_KIND_UNSPECIFIED;
}

std::optional<GestionnaireKind> KindOf(v1::GestionnaireKind kind) {
  switch (kind) {
    case v1::ASSOCIATION: return GestionnaireKind::kAssociation;
    case v1::CENTRE_SOCIAL: return GestionnaireKind::kCentreSocial;
    case v1::EVS: return GestionnaireKind::kEvs;
    case v1::COMMUNE: return GestionnaireKind::kCommune;
    case v1::ENTREPRISE: return GestionnaireKind::kEntreprise;
    case v1::CAF_INTERNE: return GestionnaireKind::kCafInterne;
    default: return std::nullopt;
  }
}

std::optional<RecoveryMethod> MethodOf(v1::RecoveryMethod method) {
  switch (method) {
    case v1::REPAYMENT: return RecoveryMethod::kRepayment;
    case v1::OFFSET: return RecoveryMethod::kOffset;
    default: return std::nullopt;
  }
}

void Encode(const Gestionnaire& g, v1::GestionnaireState* out) {
  out->set_caf_id(g.caf_id);
  out->set_gestionnaire_id(g.gestionnaire_id);
  out->set_name(g.name);
  out->set_kind(Encode(g.kind));
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
