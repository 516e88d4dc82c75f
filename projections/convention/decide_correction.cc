// Corrections and cancellations of earlier events (R-HIST-1, R-ACC-8).
//
// What may be corrected [choice]: the figures of a funding request, a bilan, a notification, a
// contrôle's findings, and the forecast budget of a convention: their replacement must pass the
// same checks as the original command. What may be cancelled: a bilan, a notification, and a
// payment or recovery recorded by mistake, as long as nothing was computed from it (no solde
// after a cancelled acompte, no contrôle decided on its year after a cancelled acompte, no solde
// of its year after a notification corrected or cancelled) and its civil year is open. A
// payment's amount is never "corrected": the wrong one is cancelled and the right one recorded.
// A fact once cancelled is neither corrected nor cancelled again.
#include <algorithm>
#include <optional>

#include "absl/strings/str_format.h"
#include "projections/convention/decide.h"
#include "projections/convention/decide_internal.h"
#include "projections/convention/year_figures.h"
#include "projections/rules/eligibility.h"
#include "projections/rules/payments.h"

namespace clas {

using namespace decide_internal;  // NOLINT: the helpers of this family of files

namespace {

using C = v1::ClasEvent;

bool Correctable(C::FactCase f) {
  return f == C::kFundingRequestFiled || f == C::kBilanReceived || f == C::kCollectifsNotified ||
         f == C::kControleFindingsRecorded || f == C::kConventionSigned;
}

// The replacement of a funding request: the same checks as filed, same dossier and gestionnaire
// (R-HIST-1).
void CheckRequestReplacement(Verdict& verdict, const DomainEvent& target, const v1::ClasEvent& r,
                             const v1::ConventionState& state) {
  rules::EligibilityOptions options;
  options.derogation_single_session =
      r.funding_request_filed().derogation_single_session_requested();  // R-ELIG-3
  verdict.malformed().AddAll(rules::ValidateFundingRequest(r.funding_request_filed(), options));
  if (r.funding_request_filed().convention_id() != state.convention_id() ||
      r.funding_request_filed().gestionnaire_id() != state.gestionnaire_id()) {
    verdict.malformed().Add(RuleError(rule::kHist1, "replacement.convention_id",
                                      r.funding_request_filed().convention_id(),
                                      "la correction ne change ni le dossier ni le gestionnaire"));
  }
}

// The replacement of a bilan: its school year kept, figures the rules accept.
void CheckBilanReplacement(Verdict& verdict, const DomainEvent& target, const v1::ClasEvent& r,
                           const v1::ConventionState& state) {
  const auto& b = r.bilan_received();
  if (b.school_year() != target.fact.bilan_received().school_year()) {
    verdict.malformed().Add(RuleError(rule::kHist1, "replacement.school_year", Str(b.school_year()),
                                      "la correction garde l'année scolaire"));
  }
  CheckFigures(verdict.malformed(), b.figures(), "replacement.figures.",
               FindYear(state, b.school_year()));
}

// The replacement of a notification: the same one (R-CONV-5), of the same year, within the agrément
// (R-CONV-3).
void CheckNotificationReplacement(Verdict& verdict, const DomainEvent& target,
                                  const v1::ClasEvent& r, const v1::ConventionState& state) {
  // A correction fixes the figures of a notification, not which one it is (R-CONV-5: each id
  // once in its convention) nor the year it notifies.
  const auto& was = target.fact.collectifs_notified();
  const auto& now = r.collectifs_notified();
  if (!now.notification_id().empty() && now.notification_id() != was.notification_id()) {
    verdict.forbidden().Add(
        RuleError(rule::kConv5, "replacement.notification_id", now.notification_id(),
                  absl::StrFormat("la correction garde l'identifiant de la notification (%s)",
                                  was.notification_id())));
  }
  if (now.school_year() != was.school_year()) {
    verdict.malformed().Add(RuleError(rule::kHist1, "replacement.school_year",
                                      Str(now.school_year()),
                                      "la correction garde l'année scolaire"));
  }
  const v1::SchoolYearState* y = FindYear(state, r.collectifs_notified().school_year());
  if (y == nullptr || r.collectifs_notified().collectifs() < 1 ||
      r.collectifs_notified().collectifs() > y->agrement().agreed_collectifs()) {
    verdict.forbidden().Add(RuleError(rule::kConv3, "replacement.collectifs",
                                      Str(r.collectifs_notified().collectifs()),
                                      "le nombre notifié va de 1 au nombre agréé"));
  }
}

// The replacement of contrôle findings: those of the same contrôle, before its decision (R-CTL-1,
// R-CTL-5).
void CheckFindingsReplacement(Verdict& verdict, const DomainEvent& target, const v1::ClasEvent& r,
                              const v1::ConventionState& state) {
  // The findings corrected stay those of their contrôle (R-CTL-1), until its decision fixes them.
  const std::string& of = target.fact.controle_findings_recorded().controle_id();
  // As findings recorded anew (DecideControleFindings): the decision stays as it is (R-CTL-5).
  const v1::ControleState* controle = FindControle(state, of);
  if (controle != nullptr && controle->decided_date() != 0) {
    verdict.forbidden().Add(RuleError(
        rule::kCtl5, "target_event_id", target.event_id,
        absl::StrFormat("le contrôle %s est décidé (le %s) : ses constats ne se corrigent plus, "
                        "sa décision reste telle quelle",
                        of, FrenchDate(controle->decided_date()))));
  }
  const std::string& now = r.controle_findings_recorded().controle_id();
  if (!now.empty() && now != of) {
    verdict.forbidden().Add(
        RuleError(rule::kCtl1, "replacement.controle_id", now,
                  absl::StrFormat("les constats corrigés restent ceux du contrôle %s", of)));
  }
  if (r.controle_findings_recorded().years().empty()) {
    verdict.malformed().Add(
        RuleError(rule::kCtl1, "replacement.years", "", "aucun chiffre constaté"));
  }
  CheckControlledYears(verdict, state, controle, r.controle_findings_recorded().years(),
                       "replacement.");
}

// The replacement of a convention's budget: the same gestionnaire and period (R-CONV-3), a budget
// the rules accept.
void CheckSignatureReplacement(Verdict& verdict, const DomainEvent& target, const v1::ClasEvent& r,
                               const v1::ConventionState& state) {
  const auto& o = target.fact.convention_signed();
  const auto& c = r.convention_signed();
  if (!c.gestionnaire_id().empty() && c.gestionnaire_id() != o.gestionnaire_id()) {
    verdict.malformed().Add(RuleError(rule::kHist1, "replacement.gestionnaire_id",
                                      c.gestionnaire_id(),
                                      "la correction ne change pas le gestionnaire"));
  }
  if (c.first_school_year() != o.first_school_year() ||
      c.last_school_year() != o.last_school_year()) {
    verdict.forbidden().Add(RuleError(rule::kConv3, "replacement.last_school_year",
                                      Str(c.last_school_year()),
                                      "la durée d'une convention change par avenant"));
  }
  CheckAmount(verdict.malformed(), rule::kDroit2, "replacement.charges_cents", c.charges_cents(),
              true);
  CheckForecastBudget(verdict.malformed(), "replacement.", c.charges_cents(), c.autres_bf_cents());
}

void CheckReplacement(Verdict& verdict, const DomainEvent& target, const v1::ClasEvent& r,
                      const v1::ConventionState& state) {
  if (target.fact.has_collectifs_notified()) {
    CheckNotificationYearOpen(verdict, target, state, "corrigée");
  }
  const auto f = target.fact.fact_case();
  if (!Correctable(f)) {
    verdict.forbidden().Add(
        RuleError(rule::kHist1, "target_event_id", target.event_id,
                  absl::StrFormat("un fait « %s » ne se corrige pas%s", FactName(target.fact),
                                  Cancellable(f) ? " : annulez-le puis enregistrez le bon" : "")));
    return;
  }
  if (r.fact_case() != f) {
    verdict.malformed().Add(
        RuleError(rule::kHist1, "replacement", FactName(r),
                  absl::StrFormat("la correction remplace un fait « %s » par un "
                                  "fait de même nature",
                                  FactName(target.fact))));
    return;
  }
  switch (f) {
    case C::kFundingRequestFiled:
      return CheckRequestReplacement(verdict, target, r, state);
    case C::kBilanReceived:
      return CheckBilanReplacement(verdict, target, r, state);
    case C::kCollectifsNotified:
      return CheckNotificationReplacement(verdict, target, r, state);
    case C::kControleFindingsRecorded:
      return CheckFindingsReplacement(verdict, target, r, state);
    case C::kConventionSigned:
      return CheckSignatureReplacement(verdict, target, r, state);
    default:
      return;
  }
}

// The ids a replacement leaves empty are its target's (a correction fixes figures, not which
// notification, contrôle or gestionnaire they are: CheckReplacement refuses other ids).
void KeepTargetIds(const v1::ClasEvent& target, v1::ClasEvent* r) {
  if (r->has_collectifs_notified() && r->collectifs_notified().notification_id().empty()) {
    r->mutable_collectifs_notified()->set_notification_id(
        target.collectifs_notified().notification_id());
  }
  if (r->has_controle_findings_recorded() &&
      r->controle_findings_recorded().controle_id().empty()) {
    r->mutable_controle_findings_recorded()->set_controle_id(
        target.controle_findings_recorded().controle_id());
  }
  if (r->has_convention_signed() && r->convention_signed().gestionnaire_id().empty()) {
    r->mutable_convention_signed()->set_gestionnaire_id(target.convention_signed().gestionnaire_id());
  }
}

// R-PAY-9 [choice], R-PAY-8: a bilan corrected after its solde. A year a contrôle settled is not
// reopened (a warning); otherwise the solde is computed again from the corrected DR, and what it
// changes against the year's signed settlement is due at once, on the correction's date: a
// complément de solde (paid like a rappel) or an indu notified with the correction.
std::optional<v1::SoldeRevision> ReviseSolde(Verdict& verdict, const v1::CorrectEvent& cmd,
                                             const v1::ConventionState& state,
                                             const DecideContext& ctx) {
  const int32_t school_year = cmd.replacement().bilan_received().school_year();
  const v1::SchoolYearState* y = FindYear(state, school_year);
  if (y == nullptr) return std::nullopt;
  const std::string sy = SchoolYear(school_year).ToString();
  if (y->has_dc()) {
    verdict.forbidden().Add(RuleWarning(
        rule::kPay8, "replacement.figures", sy,
        absl::StrFormat("l'année scolaire %s est réglée par la décision du contrôle %s : le bilan "
                        "corrigé est conservé, il ne rouvre pas ce règlement",
                        sy, y->controle_id())));
    return std::nullopt;
  }
  if (!y->solde_paid()) return std::nullopt;
  int32_t since = y->solde().date();
  for (const auto& r : y->solde_revisions()) since = std::max(since, r.date());
  if (cmd.date() == 0) {
    verdict.malformed().Add(RuleError(
        rule::kPay9, "date", "",
        absl::StrFormat("le solde %s est payé : la correction du bilan porte sa date, celle où le "
                        "complément ou l'indu qui en découle est dû",
                        sy)));
    return std::nullopt;
  }
  if (IsValidYmd(cmd.date()) && cmd.date() < since) {
    verdict.forbidden().Add(RuleError(
        rule::kPay9, "date", FrenchDate(cmd.date()),
        absl::StrFormat("la correction du bilan suit le solde %s et ses régularisations (le %s)",
                        sy, FrenchDate(since))));
  }
  const absl::StatusOr<v1::DroitBreakdown> dr_after = DroitOf(
      *y, v1::DROIT_REEL, ControlledFigures(*y, cmd.replacement().bilan_received().figures()),
      *ctx.baremes);
  if (!dr_after.ok()) {
    for (auto& v : ViolationsOf(dr_after.status())) verdict.forbidden().Add(v);
    return std::nullopt;
  }
  const Money acomptes = Money::Cents(y->acomptes_n_cents()) + Money::Cents(y->acomptes_n1_cents());
  const Money settled = Money::Cents(y->solde_settled_cents());
  const Money delta = Money::Cents(dr_after->droit_cents()) - acomptes - settled;
  if (delta != Money::Zero()) {
    verdict.forbidden().AddAll(
        rules::CheckPaymentYearOpen(cmd.date(), InClosedCivilYear(ctx, cmd.date()),
                                    delta > Money::Zero() ? "complément de solde" : "indu"));
  }
  v1::SoldeRevision r;
  r.set_school_year(school_year);
  *r.mutable_dr_before() = y->dr();
  *r.mutable_dr_after() = *dr_after;
  r.set_acomptes_cents(acomptes.cents());
  r.set_settled_before_cents(settled.cents());
  r.set_delta_cents(delta.cents());
  return r;
}

// The id of the indu a bilan correction notifies: "bilan-<N>-<k>", the k-th of its school year.
std::string BilanInduId(const v1::ConventionState& state, int32_t school_year) {
  for (int k = 1;; ++k) {
    std::string id = absl::StrFormat("bilan-%d-%d", school_year, k);
    bool used = false;
    for (const auto& i : state.indus()) used = used || i.indu_id() == id;
    if (!used) return id;
  }
}

// The fact as it should have been; what the ledger writes in every fact is its own
// (command_input.h: replaced), never the client's.
v1::ClasEvent Replacement(const v1::CorrectEvent& cmd, const v1::ConventionState& state,
                          const v1::ClasEvent& target) {
  v1::ClasEvent r = cmd.replacement();
  r.clear_warnings();
  r.clear_request_id();
  r.clear_request_digest();
  r.set_convention_id(state.convention_id());
  r.set_caf_id(cmd.caf_id());
  KeepTargetIds(target, &r);
  return r;
}

// R-PAY-9: the indu a bilan lowered after its solde notifies, named in `revision`.
NewFact BilanIndu(const v1::CorrectEvent& cmd, const v1::ConventionState& state,
                  v1::SoldeRevision& revision) {
  NewFact indu = ConventionFact(state, cmd.caf_id(), cmd.date());
  auto* i = indu.fact.mutable_indu_notified();
  i->set_indu_id(BilanInduId(state, revision.school_year()));
  i->set_school_year(revision.school_year());
  i->set_amount_cents(-revision.delta_cents());
  i->set_origin(v1::INDU_FROM_BILAN_CORRECTION);
  revision.set_indu_id(i->indu_id());
  return indu;
}

}  // namespace

absl::StatusOr<Facts> DecideCorrectEvent(const v1::CorrectEvent& cmd,
                                         const v1::ConventionState& state,
                                         const DomainEvent* target, const DecideContext& ctx) {
  RETURN_IF_ERROR(RequireConvention(state, cmd.convention_id()));
  if (target == nullptr || target->event_id != cmd.target_event_id()) {
    return RuleStatus(absl::StatusCode::kNotFound,
                      RuleError(rule::kHist1, "target_event_id", cmd.target_event_id(),
                                absl::StrFormat("aucun événement de ce nom dans la convention %s",
                                                cmd.convention_id())));
  }
  Verdict verdict;
  if (cmd.reason().empty()) {
    verdict.malformed().Add(
        RuleError(rule::kHist1, "reason", "", "une correction dit pourquoi elle est faite"));
  }
  if (cmd.date() != 0) CheckDate(verdict.malformed(), cmd.date());
  if (target->fact.has_event_corrected()) {
    verdict.forbidden().Add(RuleError(rule::kHist1, "target_event_id", target->event_id,
                                      "on corrige le fait d'origine, pas une correction"));
  } else if (const std::string cancelled = CancelledBy(state, ctx, target->event_id);
             !cancelled.empty()) {
    verdict.forbidden().Add(RuleError(
        rule::kHist1, "target_event_id", target->event_id,
        absl::StrFormat("ce fait a été annulé (événement %s) : un fait annulé ne se corrige ni ne "
                        "s'annule plus ; enregistrez le bon fait par sa commande",
                        cancelled)));
  } else if (cmd.cancel() == cmd.has_replacement()) {
    verdict.malformed().Add(
        RuleError(rule::kHist1, "cancel", cmd.cancel() ? "true" : "false",
                  "une correction annule le fait ou le remplace, l'un des deux"));
  } else if (cmd.cancel()) {
    CheckCancel(verdict, *target, state, ctx);
  } else {
    CheckReplacement(verdict, *target, cmd.replacement(), state);
  }
  std::optional<v1::SoldeRevision> revision;
  if (!cmd.cancel() && target->fact.has_bilan_received() &&
      cmd.replacement().has_bilan_received()) {
    revision = ReviseSolde(verdict, cmd, state, ctx);
  }
  RETURN_IF_ERROR(verdict.ToStatus());
  NewFact f = ConventionFact(state, cmd.caf_id(), cmd.date() != 0 ? cmd.date() : target->effective_date);
  for (auto& w : verdict.warnings()) *f.fact.add_warnings() = w;
  // R-ACC-8: the fact corrected keeps its place; in a closed civil year, what the correction
  // changes there is regularised in the first open one.
  WarnIfClosedYear(ctx, target->effective_date, &f.fact);
  auto* c = f.fact.mutable_event_corrected();
  c->set_target_event_id(cmd.target_event_id());
  c->set_reason(cmd.reason());
  c->set_cancel(cmd.cancel());
  if (!cmd.cancel()) *c->mutable_replacement() = Replacement(cmd, state, target->fact);
  Facts facts{f};
  if (revision.has_value()) {
    // R-PAY-9: a negative delta is an indu notified in the same append.
    if (revision->delta_cents() < 0) facts.push_back(BilanIndu(cmd, state, *revision));
    *facts.front().fact.mutable_event_corrected()->mutable_solde_revision() = *std::move(revision);
  }
  return facts;
}

}  // namespace clas
