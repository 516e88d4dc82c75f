// The fold's Apply (fold.h) of the contrôles and of their money: the decision that settles a
// school year (R-PAY-8), the indus, their recoveries (offsets shown, R-ACC-9) and the rappels.
#include <algorithm>
#include <string>

#include "projections/convention/fold.h"
#include "projections/convention/fold_internal.h"
#include "projections/core/money.h"

namespace clas::fold_internal {
namespace {

v1::ControleState* FindControle(v1::ConventionState* s, const std::string& id) {
  for (auto& c : *s->mutable_controles()) {
    if (c.controle_id() == id) return &c;
  }
  v1::ControleState* c = s->add_controles();
  c->set_controle_id(id);
  return c;
}

v1::InduState* FindIndu(v1::ConventionState* s, const std::string& id) {
  for (auto& i : *s->mutable_indus()) {
    if (i.indu_id() == id) return &i;
  }
  return nullptr;
}

// R-ACC-9: an offset shows on the payment of this convention it was withheld from (the payment is
// folded before: an offset is never dated before its payment, R-CTL-3). One withheld from a
// payment of another convention is shown by the reads of that convention (the engine's
// OffsetIndex).
void ShowOffset(v1::ConventionState* s, const v1::RecoveryRecorded& r) {
  if (r.method() != v1::OFFSET) return;
  if (!r.offset_convention_id().empty() && r.offset_convention_id() != s->convention_id()) return;
  for (auto& y : *s->mutable_years()) {
    if (v1::PaymentRecord* p = MutablePayment(&y, r.offset_payment_id())) {
      p->set_offset_cents(
          (Money::Cents(p->offset_cents()) + Money::Cents(r.amount_cents())).cents());
      return;
    }
  }
}

}  // namespace

void ApplyControleOpened(v1::ConventionState* s, const DomainEvent& e) {
  const auto& o = e.fact.controle_opened();
  v1::ControleState* c = FindControle(s, o.controle_id());
  *c->mutable_school_years() = o.school_years();
  c->set_status("ouvert");
  c->set_opened_event_id(e.event_id);
  c->set_opened_date(e.effective_date);
}

void ApplyControleFindings(v1::ConventionState* s, const DomainEvent& e) {
  const auto& f = e.fact.controle_findings_recorded();
  v1::ControleState* c = FindControle(s, f.controle_id());
  *c->mutable_findings() = f.years();
  c->set_status("constats");
  c->set_findings_event_id(e.event_id);
}

void ApplyControleDecided(v1::ConventionState* s, const DomainEvent& e) {
  const auto& d = e.fact.controle_decided();
  v1::ControleState* c = FindControle(s, d.controle_id());
  *c->mutable_outcomes() = d.outcomes();
  c->set_status("décidé");
  c->set_decision_event_id(e.event_id);
  c->set_decided_date(e.effective_date);
  for (const auto& o : d.outcomes()) {
    v1::SchoolYearState* y = EnsureYear(s, o.school_year());
    *y->mutable_dc() = o.dc();
    y->set_controle_id(d.controle_id());
    y->set_rappels_decided(y->rappels_size());
    // R-PAY-8: the decision settles the year; a complément de solde not yet paid (R-PAY-9) is
    // not part of what was paid, so the decision's rappel already holds it.
    y->set_rappel_due_cents((Money::Cents(y->rappel_due_cents()) -
                             Money::Cents(y->complement_due_cents()) +
                             Money::Cents(o.rappel_cents()))
                                .cents());
    y->set_complement_due_cents(0);
    AddSource(y, "dc", e.event_id);
  }
}

void ApplyIndu(v1::ConventionState* s, const DomainEvent& e) {
  const auto& n = e.fact.indu_notified();
  v1::InduState* i = s->add_indus();
  i->set_indu_id(n.indu_id());
  i->set_event_id(e.event_id);
  i->set_date(e.effective_date);
  i->set_school_year(n.school_year());
  i->set_amount_cents(n.amount_cents());
  i->set_open_cents(n.amount_cents());
  i->set_origin(n.origin());
  i->set_controle_id(n.controle_id());
  v1::SchoolYearState* y = EnsureYear(s, n.school_year());
  if (n.origin() == v1::INDU_FROM_NEGATIVE_SOLDE) {  // R-PAY-5: the solde's signed settlement
    y->set_solde_settled_cents(
        (Money::Cents(y->solde_settled_cents()) - Money::Cents(n.amount_cents())).cents());
  }
  AddSource(y, "indus", e.event_id);
}

void ApplyRecovery(v1::ConventionState* s, const DomainEvent& e) {
  const auto& r = e.fact.recovery_recorded();
  v1::InduState* i = FindIndu(s, r.indu_id());
  if (i == nullptr) return;  // refused by Decide; a corrupt history only shows in the timeline
  v1::RecoveryState* kept = i->add_recoveries();
  kept->set_recovery_id(r.recovery_id());
  kept->set_event_id(e.event_id);
  kept->set_date(e.effective_date);
  kept->set_amount_cents(r.amount_cents());
  kept->set_method(r.method());
  kept->set_offset_payment_id(r.offset_payment_id());
  kept->set_offset_convention_id(r.offset_convention_id());
  i->set_recovered_cents(
      (Money::Cents(i->recovered_cents()) + Money::Cents(r.amount_cents())).cents());
  i->set_open_cents((Money::Cents(i->amount_cents()) - Money::Cents(i->recovered_cents())).cents());
  ShowOffset(s, r);
  AddSource(EnsureYear(s, i->school_year()), "indus", e.event_id);
}

void ApplyRappel(v1::ConventionState* s, const DomainEvent& e) {
  const auto& r = e.fact.rappel_paid();
  v1::SchoolYearState* y = EnsureYear(s, r.school_year());
  *y->add_rappels() = MakePayment(e, r.payment_id(), r.amount_cents(), "rappel");
  const Money paid = Money::Cents(r.amount_cents());
  y->set_rappel_due_cents(Max(Money::Zero(), Money::Cents(y->rappel_due_cents()) - paid).cents());
  y->set_complement_due_cents(
      Max(Money::Zero(), Money::Cents(y->complement_due_cents()) - paid).cents());
  AddSource(y, "rappels", e.event_id);
}

}  // namespace clas::fold_internal
