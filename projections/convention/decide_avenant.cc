// Decisions on avenants and notifications (R-CONV-2, R-CONV-3, R-CONV-5).
#include <algorithm>

#include "absl/strings/str_format.h"
#include "projections/convention/decide.h"
#include "projections/convention/decide_internal.h"
#include "projections/rules/droit.h"
#include "projections/rules/request_limits.h"

namespace clas {

using namespace decide_internal;  // NOLINT: the helpers of this family of files

namespace {

using rules::kConventionSchoolYearsMax;  // R-CONV-2

void CheckAvenantShape(Verdict& verdict, const v1::SignAvenant& cmd,
                       const v1::ConventionState& state, const v1::SchoolYearState* previous) {
  Violations& bad = verdict.malformed();
  Violations& forbidden = verdict.forbidden();
  CheckDate(bad, cmd.date());
  if (cmd.avenant_id().empty()) {
    bad.Add(
        RuleError(rule::kConv3, "avenant_id", "", "l'identifiant de l'avenant est obligatoire"));
  }
  for (const auto& a : state.avenants()) {
    if (a.avenant().avenant_id() == cmd.avenant_id()) {
      forbidden.Add(
          RuleError(rule::kConv3, "avenant_id", cmd.avenant_id(), "cet avenant est déjà signé"));
    }
  }
  if (cmd.kind() != v1::PROLONGATION_IDENTIQUE && cmd.kind() != v1::PROLONGATION_COLLECTIFS) {
    bad.Add(RuleError(rule::kConv3, "kind", Str(cmd.kind()),
                      "un avenant prolonge d'une année à l'identique ou avec un nouveau nombre de "
                      "collectifs"));
  }
  CheckAmount(bad, rule::kDroit2, "charges_cents", cmd.charges_cents(), false);
  CheckAmount(bad, rule::kDroit5, "autres_bf_cents", cmd.autres_bf_cents(), false);
  if (cmd.kind() == v1::PROLONGATION_COLLECTIFS && cmd.charges_cents() > 0) {
    CheckForecastBudget(bad, "", cmd.charges_cents(), cmd.autres_bf_cents());
  }
  if (cmd.school_year() != state.last_school_year() + 1) {
    forbidden.Add(RuleError(
        rule::kConv3, "school_year", SchoolYear(cmd.school_year()).ToString(),
        absl::StrFormat("un avenant de prolongation ajoute exactement l'année scolaire qui suit "
                        "la dernière couverte (%s)",
                        SchoolYear(state.last_school_year() + 1).ToString())));
  }
  const int32_t years_after = cmd.school_year() - state.first_school_year() + 1;
  if (years_after > kConventionSchoolYearsMax) {
    forbidden.Add(RuleError(
        rule::kConv2, "school_year", SchoolYear(cmd.school_year()).ToString(),
        absl::StrFormat("une convention couvre au plus %d années scolaires : l'avenant en "
                        "ajouterait une %de",
                        kConventionSchoolYearsMax, years_after)));
  }
  if (cmd.kind() == v1::PROLONGATION_COLLECTIFS &&
      (cmd.collectifs() < 1 || cmd.collectifs() > rules::kDroitCollectifsMax)) {
    bad.Add(
        RuleError(rule::kConv3, "collectifs", Str(cmd.collectifs()),
                  "l'avenant avec évolution notifie le nouveau nombre de collectifs (au moins 1)"));
  }
  if (cmd.kind() == v1::PROLONGATION_IDENTIQUE && previous != nullptr &&
      ((cmd.collectifs() != 0 && cmd.collectifs() != previous->notified_collectifs()) ||
       (cmd.charges_cents() != 0 && cmd.charges_cents() != previous->forecast_charges_cents()))) {
    forbidden.Add(RuleError(
        rule::kConv3, cmd.collectifs() != 0 ? "collectifs" : "charges_cents",
        cmd.collectifs() != 0 ? Str(cmd.collectifs()) : Euros(cmd.charges_cents()),
        "un avenant à l'identique ne change rien d'autre que la durée ; un nouveau nombre de "
        "collectifs passe par un avenant avec évolution"));
  }
}

// R-CONV-2 [reading]: a centre social whose convention rests on its agrément délivré par la Caf
// (not supported by the Caf for two years) is prolonged within that agrément: the school year
// added ends no later than the agrément's last day as known when the avenant is signed
// (RenewCentreSocialAgrement records a renewal). The circular lets any known gestionnaire
// prolong an annual or multi-year convention, so others are not bound; nor is a centre social
// with no agrément recorded (nothing to check against).
void CheckWithinAgrement(Violations& forbidden, const v1::SignAvenant& cmd,
                         const v1::ConventionState& state, const DecideContext& ctx) {
  if (ctx.gestionnaire == nullptr) return;
  const Gestionnaire& g = *ctx.gestionnaire;
  const bool supported =
      g.SupportedFor(kSupportedYearsForMultiYear, SchoolYear(state.first_school_year()));
  if (g.kind != GestionnaireKind::kCentreSocial || supported || !g.centre_social_agrement_end)
    return;
  const absl::CivilDay ends = SchoolYear(cmd.school_year()).last_day();
  if (ends <= *g.centre_social_agrement_end) return;
  forbidden.Add(RuleError(
      rule::kConv2, "school_year", SchoolYear(cmd.school_year()).ToString(),
      absl::StrFormat("la prolongation finirait le %s, après l'agrément du centre social délivré "
                      "par la Caf (jusqu'au %s) : enregistrer d'abord son renouvellement",
                      FrenchDate(YmdFromDay(ends)),
                      FrenchDate(YmdFromDay(*g.centre_social_agrement_end)))));
}

}  // namespace

absl::StatusOr<Facts> DecideSignAvenant(const v1::SignAvenant& cmd,
                                        const v1::ConventionState& state,
                                        const DecideContext& ctx) {
  RETURN_IF_ERROR(RequireConvention(state, cmd.convention_id()));
  Verdict verdict;
  if (state.status() != v1::SIGNEE && state.status() != v1::SOLDEE) {
    verdict.forbidden().Add(RuleError(rule::kConv3, "convention_id", cmd.convention_id(),
                                      "un avenant modifie une convention signée"));
    return verdict.ToStatus();
  }
  const v1::SchoolYearState* previous = FindYear(state, state.last_school_year());
  CheckAvenantShape(verdict, cmd, state, previous);
  CheckWithinAgrement(verdict.forbidden(), cmd, state, ctx);
  RETURN_IF_ERROR(verdict.ToStatus());
  CLAS_CHECK(previous != nullptr) << "a signed convention covers its last school year";

  const bool identical = cmd.kind() == v1::PROLONGATION_IDENTIQUE;
  const int32_t collectifs = identical ? previous->notified_collectifs() : cmd.collectifs();
  NewFact avenant = ConventionFact(state, cmd.caf_id(), cmd.date());
  WarnIfClosedYear(ctx, cmd.date(), &avenant.fact);
  auto* a = avenant.fact.mutable_avenant_signed();
  a->set_avenant_id(cmd.avenant_id());
  a->set_kind(cmd.kind());
  a->set_school_year(cmd.school_year());
  a->set_collectifs(collectifs);
  const bool keep_budget = identical || cmd.charges_cents() == 0;
  a->set_charges_cents(keep_budget ? previous->forecast_charges_cents() : cmd.charges_cents());
  a->set_autres_bf_cents(keep_budget ? previous->forecast_autres_bf_cents() : cmd.autres_bf_cents());

  // R-CONV-3: the comité is informed ("pour information"); the agrément of the year added
  // carries over the previous one, with the new number of collectifs when it changes.
  NewFact agrement = ConventionFact(state, cmd.caf_id(), cmd.date());
  auto* d = agrement.fact.mutable_committee_decision_recorded();
  const auto& prev = previous->agrement();
  d->set_decision_id(absl::StrCat("information-", cmd.avenant_id()));
  d->set_outcome(v1::VALIDATED);
  d->set_mode(v1::POUR_INFORMATION);
  d->set_first_school_year(cmd.school_year());
  d->set_last_school_year(cmd.school_year());
  d->set_agreed_collectifs(collectifs);
  d->set_derogation_single_session(prev.derogation_single_session());
  d->set_bonus_enfants_collectifs(std::min(prev.bonus_enfants_collectifs(), collectifs));
  d->set_bonus_parents_collectifs(std::min(prev.bonus_parents_collectifs(), collectifs));
  Facts facts{avenant, agrement};
  if (!identical) {
    NewFact notification = ConventionFact(state, cmd.caf_id(), cmd.date());
    auto* n = notification.fact.mutable_collectifs_notified();
    n->set_notification_id(absl::StrCat("notification-", cmd.avenant_id()));
    n->set_school_year(cmd.school_year());
    n->set_collectifs(collectifs);
    facts.push_back(notification);
  }
  return facts;
}

absl::StatusOr<Facts> DecideNotifyCollectifs(const v1::NotifyCollectifs& cmd,
                                             const v1::ConventionState& state,
                                             const DecideContext& ctx) {
  RETURN_IF_ERROR(RequireConvention(state, cmd.convention_id()));
  Verdict verdict;
  CheckDate(verdict.malformed(), cmd.date());
  const v1::SchoolYearState* y = FindYear(state, cmd.school_year());
  const std::string sy = SchoolYear(cmd.school_year()).ToString();
  if (y == nullptr || y->covered_by().empty()) {
    verdict.forbidden().Add(
        RuleError(rule::kConv5, "school_year", sy,
                  "la notification porte sur une année couverte par la convention"));
  } else if (cmd.collectifs() < 1 || cmd.collectifs() > y->agrement().agreed_collectifs()) {
    verdict.forbidden().Add(RuleError(
        rule::kConv3, "collectifs", Str(cmd.collectifs()),
        absl::StrFormat("le nombre notifié va de 1 au nombre agréé (%d) ; au-delà, un avenant "
                        "met à jour l'agrément",
                        y->agrement().agreed_collectifs())));
  } else if (y->solde_paid()) {
    verdict.forbidden().Add(
        RuleError(rule::kConv5, "school_year", sy,
                  "le solde de l'année est versé : la notification ne peut plus "
                  "prendre effet"));
  }
  if (!cmd.notification_id().empty() && NotificationIdUsed(state, cmd.notification_id())) {
    verdict.forbidden().Add(RuleError(rule::kConv5, "notification_id", cmd.notification_id(),
                                      "identifiant de notification déjà utilisé dans cette "
                                      "convention"));
  }
  RETURN_IF_ERROR(verdict.ToStatus());
  NewFact f = ConventionFact(state, cmd.caf_id(), cmd.date());
  auto* n = f.fact.mutable_collectifs_notified();
  n->set_notification_id(cmd.notification_id().empty() ? FreeNotificationId(state, cmd.date())
                                                        : cmd.notification_id());
  n->set_school_year(cmd.school_year());
  n->set_collectifs(cmd.collectifs());
  WarnIfClosedYear(ctx, cmd.date(), &f.fact);
  return Facts{f};
}

}  // namespace clas
