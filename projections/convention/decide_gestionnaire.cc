// Decisions on a gestionnaire after its registration: the renewal of a centre social's agrément
// délivré par la Caf (R-CONV-2).
#include "absl/strings/str_format.h"
#include "projections/convention/decide.h"
#include "projections/convention/decide_internal.h"

namespace clas {

using namespace decide_internal;  // NOLINT: the helpers of this family of files

absl::StatusOr<Facts> DecideRenewCentreSocialAgrement(const v1::RenewCentreSocialAgrement& cmd,
                                                      const Gestionnaire* existing,
                                                      const Gestionnaire* on_date) {
  Verdict verdict;
  Violations& bad = verdict.malformed();
  if (cmd.gestionnaire_id().empty()) {
    bad.Add(RuleError(rule::kConv2, "gestionnaire_id", "",
                      "l'identifiant du centre social est obligatoire"));
  }
  CheckDate(bad, cmd.date());
  const int32_t end = cmd.centre_social_agrement_end();
  if (!IsValidYmd(end)) {
    bad.Add(RuleError(rule::kConv2, "centre_social_agrement_end", Str(end),
                      "la fin de l'agrément renouvelé est une date réelle (AAAAMMJJ)"));
  } else if (IsValidYmd(cmd.date()) && end <= cmd.date()) {
    bad.Add(RuleError(rule::kConv2, "centre_social_agrement_end", FrenchDate(end),
                      absl::StrFormat("l'agrément renouvelé court au-delà du jour où il est "
                                      "délivré (%s)",
                                      FrenchDate(cmd.date()))));
  }
  RETURN_IF_ERROR(verdict.ToStatus());
  if (existing == nullptr) {
    return RuleStatus(absl::StatusCode::kNotFound,
                      RuleError(rule::kConv2, "gestionnaire_id", cmd.gestionnaire_id(),
                                absl::StrFormat("aucun gestionnaire de ce nom n'est enregistré "
                                                "auprès de la Caf %s",
                                                cmd.caf_id())));
  }
  // Folded from its date on, a renewal changes the agrément the centre social holds that day
  // (and until a renewal dated later): dated before the registration, or ending when that
  // agrément already does, it would be recorded and change nothing at any date.
  Violations& forbidden = verdict.forbidden();
  if (existing->kind != GestionnaireKind::kCentreSocial) {
    forbidden.Add(RuleError(rule::kConv2, "gestionnaire_id", cmd.gestionnaire_id(),
                            "seul un centre social a un agrément délivré par la Caf"));
  } else if (on_date == nullptr) {
    forbidden.Add(RuleError(rule::kConv2, "date", FrenchDate(cmd.date()),
                            "le centre social n'est pas encore enregistré auprès de la Caf ce "
                            "jour-là : son agrément se renouvelle après son enregistrement"));
  } else if (on_date->centre_social_agrement_end == *DayFromYmd(end)) {
    forbidden.Add(RuleError(rule::kConv2, "centre_social_agrement_end", FrenchDate(end),
                            absl::StrFormat("l'agrément enregistré au %s finit déjà ce jour-là : "
                                            "rien ne change",
                                            FrenchDate(cmd.date()))));
  }
  RETURN_IF_ERROR(verdict.ToStatus());
  NewFact f;
  f.effective_date = cmd.date();
  f.fact.set_caf_id(cmd.caf_id());
  auto* r = f.fact.mutable_centre_social_agrement_renewed();
  r->set_gestionnaire_id(cmd.gestionnaire_id());
  r->set_centre_social_agrement_end(end);
  r->set_previous_agrement_end(
      on_date->centre_social_agrement_end ? YmdFromDay(*on_date->centre_social_agrement_end) : 0);
  return Facts{f};
}

}  // namespace clas
