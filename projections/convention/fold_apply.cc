// The fold's Apply (fold.h): how each fact changes a convention's state, then the figures
// derived from it recomputed (year_figures.h). fold.cc orders the facts (the timeline, as of a
// date and an instant) and finishes the state.
#include <algorithm>
#include <string>
#include <vector>

#include "projections/codec/state_codec.h"
#include "projections/convention/fold.h"
#include "projections/convention/fold_internal.h"
#include "projections/convention/year_figures.h"
#include "projections/core/calendar.h"
#include "projections/core/money.h"

namespace clas {
namespace fold_internal {

// Adds event `id` to the sources of `figure`, once. An event is applied once per fold, and adds
// a figure's source in one go: when it is there already, it is the last one added (looking at
// the last one only keeps an Apply's cost from growing with the year's history).
void AddSource(v1::SchoolYearState* year, const std::string& figure, const std::string& id) {
  auto* ids = (*year->mutable_sources())[figure].mutable_event_ids();
  if (ids->empty() || *ids->rbegin() != id) *ids->Add() = id;
}

v1::SchoolYearState* EnsureYear(v1::ConventionState* state, int32_t school_year) {
  if (auto* y = MutableYear(state, school_year)) return y;
  v1::SchoolYearState* y = state->add_years();
  y->set_school_year(school_year);
  std::sort(state->mutable_years()->begin(), state->mutable_years()->end(),
            [](const auto& a, const auto& b) { return a.school_year() < b.school_year(); });
  return MutableYear(state, school_year);
}

v1::PaymentRecord MakePayment(const DomainEvent& e, const std::string& id, int64_t amount,
                              const char* kind) {
  v1::PaymentRecord p;
  p.set_payment_id(id);
  p.set_event_id(e.event_id);
  p.set_date(e.effective_date);
  p.set_amount_cents(amount);
  p.set_civil_year(CivilYearOfYmd(e.effective_date));
  p.set_kind(kind);
  return p;
}

}  // namespace fold_internal

namespace {

using namespace fold_internal;  // NOLINT: the helpers of the fold's files

void AppendRef(v1::ConventionState* state, const DomainEvent& e) {
  v1::EventRef* ref = state->add_events();
  ref->set_event_id(e.event_id);
  ref->set_position(e.position);
  ref->set_effective_date(e.effective_date);
  ref->set_recorded_at_us(e.recorded_at_us);
  ref->set_type(FactName(e.fact));
  ref->set_actor_id(e.actor.id());
  ref->set_actor_role(e.actor.role());
  for (const auto& w : e.fact.warnings()) *ref->add_rule_ids() = w.rule_id();
  state->set_last_position(std::max(state->last_position(), e.position));
}

void ApplyRequest(v1::ConventionState* s, const DomainEvent& e, const FoldContext& ctx) {
  const auto& r = e.fact.funding_request_filed();
  s->set_convention_id(r.convention_id());
  s->set_caf_id(e.caf_id);
  s->set_gestionnaire_id(r.gestionnaire_id());
  if (ctx.gestionnaire != nullptr) {
    s->set_gestionnaire_name(ctx.gestionnaire->name);
    s->set_gestionnaire_kind(codec::Encode(ctx.gestionnaire->kind));
  }
  s->set_status(v1::DEMANDE_DEPOSEE);
  *s->mutable_request() = r;
  s->set_request_event_id(e.event_id);
  for (int32_t n = r.first_school_year(); n < r.first_school_year() + r.school_years(); ++n) {
    v1::SchoolYearState* y = EnsureYear(s, n);
    y->set_forecast_charges_cents(r.charges_cents());
    y->set_forecast_autres_bf_cents(r.autres_bf_cents());
    AddSource(y, "dp", e.event_id);
  }
}

void ApplyDecision(v1::ConventionState* s, const DomainEvent& e) {
  const auto& d = e.fact.committee_decision_recorded();
  const bool validated = d.outcome() == v1::VALIDATED;
  for (int32_t n = d.first_school_year(); n <= d.last_school_year(); ++n) {
    v1::SchoolYearState* y = EnsureYear(s, n);
    v1::AgrementState* a = y->mutable_agrement();
    a->set_validated(validated);
    a->set_mode(d.mode());
    a->set_agreed_collectifs(validated ? d.agreed_collectifs() : 0);
    a->set_derogation_single_session(d.derogation_single_session());
    a->set_bonus_enfants_collectifs(validated ? d.bonus_enfants_collectifs() : 0);
    a->set_bonus_parents_collectifs(validated ? d.bonus_parents_collectifs() : 0);
    a->set_event_id(e.event_id);
    a->set_date(e.effective_date);
    a->set_decision_id(d.decision_id());
    // [choice] The agrément fixes the number of collectifs notified until a notification or an
    // avenant says otherwise (the notification goes out with the agrément).
    y->set_notified_collectifs(a->agreed_collectifs());
    y->set_notification_event_id(e.event_id);
    AddSource(y, "dp", e.event_id);
  }
  if (s->status() == v1::DEMANDE_DEPOSEE || s->status() == v1::DEMANDE_REFUSEE ||
      s->status() == v1::AGREEE) {
    s->set_status(validated ? v1::AGREEE : v1::DEMANDE_REFUSEE);
  }
}

void ApplyConvention(v1::ConventionState* s, const DomainEvent& e) {
  const auto& c = e.fact.convention_signed();
  s->set_status(v1::SIGNEE);
  s->set_first_school_year(c.first_school_year());
  s->set_last_school_year(c.last_school_year());
  s->set_convention_event_id(e.event_id);
  s->set_signed_date(e.effective_date);
  const int64_t charges = c.charges_cents() > 0 ? c.charges_cents() : s->request().charges_cents();
  const int64_t autres =
      c.charges_cents() > 0 ? c.autres_bf_cents() : s->request().autres_bf_cents();
  s->set_convention_charges_cents(charges);
  s->set_convention_autres_bf_cents(autres);
  for (int32_t n = c.first_school_year(); n <= c.last_school_year(); ++n) {
    v1::SchoolYearState* y = EnsureYear(s, n);
    y->set_covered_by(s->convention_id());
    y->set_covered_by_event_id(e.event_id);
    y->set_forecast_charges_cents(charges);
    y->set_forecast_autres_bf_cents(autres);
    AddSource(y, "dp", e.event_id);
  }
}

void ApplyAvenant(v1::ConventionState* s, const DomainEvent& e) {
  const auto& a = e.fact.avenant_signed();
  v1::AvenantState* kept = s->add_avenants();
  *kept->mutable_avenant() = a;
  kept->set_event_id(e.event_id);
  kept->set_date(e.effective_date);
  v1::SchoolYearState* y = EnsureYear(s, a.school_year());
  y->set_covered_by(a.avenant_id());
  y->set_covered_by_event_id(e.event_id);
  y->set_forecast_charges_cents(a.charges_cents());
  y->set_forecast_autres_bf_cents(a.autres_bf_cents());
  if (a.kind() == v1::PROLONGATION_COLLECTIFS) {
    y->set_notified_collectifs(a.collectifs());
    y->set_notification_event_id(e.event_id);
  }
  s->set_last_school_year(std::max(s->last_school_year(), a.school_year()));
  if (s->status() == v1::SOLDEE) s->set_status(v1::SIGNEE);
  AddSource(y, "dp", e.event_id);
}

void ApplyAcompte(v1::ConventionState* s, const DomainEvent& e) {
  const auto& a = e.fact.acompte_paid();
  v1::SchoolYearState* y = EnsureYear(s, a.school_year());
  v1::PaymentRecord p = MakePayment(e, a.payment_id(), a.amount_cents(), "acompte");
  const bool n_share = p.civil_year() == a.school_year();
  p.set_share(n_share ? "N" : "N+1");
  p.set_cap_cents(a.cap_cents());
  *y->add_acomptes() = p;
  // The sums of each share, kept as acomptes are added (a cancelled one is never applied: the
  // fold of the stream again leaves it out), so that RecomputeYear does not add them up again.
  if (n_share) {
    y->set_acomptes_n_cents(
        (Money::Cents(y->acomptes_n_cents()) + Money::Cents(a.amount_cents())).cents());
  } else {
    y->set_acomptes_n1_cents(
        (Money::Cents(y->acomptes_n1_cents()) + Money::Cents(a.amount_cents())).cents());
  }
  AddSource(y, "acomptes", e.event_id);
}

void ApplyBilan(v1::ConventionState* s, const DomainEvent& e) {
  const auto& b = e.fact.bilan_received();
  v1::SchoolYearState* y = EnsureYear(s, b.school_year());
  y->set_bilan_received(true);
  *y->mutable_bilan() = b.figures();
  y->set_bilan_event_id(e.event_id);
  y->set_bilan_date(e.effective_date);
  AddSource(y, "dr", e.event_id);
}

void ApplySolde(v1::ConventionState* s, const DomainEvent& e) {
  const auto& p = e.fact.solde_paid();
  v1::SchoolYearState* y = EnsureYear(s, p.school_year());
  y->set_solde_paid(true);
  *y->mutable_solde() = MakePayment(e, p.payment_id(), p.amount_cents(), "solde");
  y->set_solde_settled_cents(p.amount_cents());
  AddSource(y, "solde", e.event_id);
}

// R-PAY-9: a bilan corrected after its solde; the indu of a negative delta is its own fact.
void ApplySoldeRevision(v1::ConventionState* s, const DomainEvent& e) {
  const v1::EventCorrected& c = e.fact.event_corrected();
  const v1::SoldeRevision& r = c.solde_revision();
  v1::SchoolYearState* y = EnsureYear(s, r.school_year());
  v1::SoldeRevisionState* kept = y->add_solde_revisions();
  kept->set_event_id(e.event_id);
  kept->set_bilan_event_id(c.target_event_id());
  kept->set_date(e.effective_date);
  *kept->mutable_revision() = r;
  y->set_solde_settled_cents(
      (Money::Cents(y->solde_settled_cents()) + Money::Cents(r.delta_cents())).cents());
  if (r.delta_cents() > 0) {
    y->set_rappel_due_cents(
        (Money::Cents(y->rappel_due_cents()) + Money::Cents(r.delta_cents())).cents());
    y->set_complement_due_cents(
        (Money::Cents(y->complement_due_cents()) + Money::Cents(r.delta_cents())).cents());
  }
  AddSource(y, "solde", e.event_id);
}

// The school years an event touches, whose derived figures must be recomputed.
std::vector<int32_t> TouchedYears(const v1::ConventionState& s, const v1::ClasEvent& f) {
  using C = v1::ClasEvent;
  switch (f.fact_case()) {
    case C::kAcomptePaid: return {f.acompte_paid().school_year()};
    case C::kBilanReceived: return {f.bilan_received().school_year()};
    case C::kSoldePaid: return {f.solde_paid().school_year()};
    case C::kCollectifsNotified: return {f.collectifs_notified().school_year()};
    case C::kRappelPaid: return {f.rappel_paid().school_year()};
    case C::kAvenantSigned: return {f.avenant_signed().school_year()};
    default: break;
  }
  std::vector<int32_t> all;
  for (const auto& y : s.years()) all.push_back(y.school_year());
  return all;
}

void ApplyNotification(v1::ConventionState* s, const DomainEvent& e) {
  const auto& n = e.fact.collectifs_notified();
  v1::SchoolYearState* y = EnsureYear(s, n.school_year());
  y->set_notified_collectifs(n.collectifs());
  y->set_notification_event_id(e.event_id);
  AddSource(y, "dp", e.event_id);
  *s->add_notification_ids() = n.notification_id();
}

void Dispatch(v1::ConventionState* s, const DomainEvent& e, const FoldContext& ctx) {
  using C = v1::ClasEvent;
  switch (e.fact.fact_case()) {
    case C::kFundingRequestFiled: ApplyRequest(s, e, ctx); break;
    case C::kCommitteeDecisionRecorded: ApplyDecision(s, e); break;
    case C::kConventionSigned: ApplyConvention(s, e); break;
    case C::kAvenantSigned: ApplyAvenant(s, e); break;
    case C::kCollectifsNotified: ApplyNotification(s, e); break;
    case C::kAcomptePaid: ApplyAcompte(s, e); break;
    case C::kBilanReceived: ApplyBilan(s, e); break;
    case C::kSoldePaid: ApplySolde(s, e); break;
    case C::kControleOpened: ApplyControleOpened(s, e); break;
    case C::kControleFindingsRecorded: ApplyControleFindings(s, e); break;
    case C::kControleDecided: ApplyControleDecided(s, e); break;
    case C::kInduNotified: ApplyIndu(s, e); break;
    case C::kRecoveryRecorded: ApplyRecovery(s, e); break;
    case C::kRappelPaid: ApplyRappel(s, e); break;
    case C::kEventCorrected:
      if (e.fact.event_corrected().has_solde_revision()) ApplySoldeRevision(s, e);
      break;
    default: break;  // corrections and facts of other streams only join the timeline
  }
}

void UpdateStatus(v1::ConventionState* s) {
  if (s->status() != v1::SIGNEE && s->status() != v1::SOLDEE) return;
  bool all_soldes = s->last_school_year() >= s->first_school_year();
  for (int32_t n = s->first_school_year(); n <= s->last_school_year(); ++n) {
    const v1::SchoolYearState* y = FindYear(*s, n);
    if (y == nullptr || !y->solde_paid()) all_soldes = false;
  }
  s->set_status(all_soldes ? v1::SOLDEE : v1::SIGNEE);
}

}  // namespace

void Apply(v1::ConventionState* state, const DomainEvent& event, const FoldContext& context) {
  Dispatch(state, event, context);
  AppendRef(state, event);
  for (const auto& w : event.fact.warnings()) *state->add_warnings() = w;
  for (int32_t n : TouchedYears(*state, event.fact)) {
    if (v1::SchoolYearState* y = MutableYear(state, n)) {
      RecomputeYear(y, event.effective_date, event.event_id, context);
    }
  }
  RecomputeTotals(state);
  UpdateStatus(state);
}

}  // namespace clas
