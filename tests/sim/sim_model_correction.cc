// The simulation's model (sim_model.h): corrections and cancellations (R-HIST-1). A bilan is
// corrected before its solde (the DR simply changes) and after it (R-PAY-9: the revision of the
// solde), or on a school year a contrôle settled (R-PAY-8: kept with a warning, no money); a
// notification is corrected (its number of collectifs) or cancelled, from its own place in the
// history (R-CONV-5); a bilan, an acompte, a rappel or a recovery recorded by mistake is cancelled
// while nothing was computed from it and its civil year is open (README's [choice]: a payment is
// never corrected but cancelled and recorded again). Whatever a correction changes in a closed
// civil year is regularised in the first open one (R-ACC-8).
#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "tests/sim/sim_model_internal.h"

namespace clas::sim {

using namespace model_internal;  // NOLINT: the helpers of the model's files
namespace {

bool Cancellable(ModelFact f) {
  return f == ModelFact::kBilan || f == ModelFact::kNotification || f == ModelFact::kAcompte ||
         f == ModelFact::kRappel || f == ModelFact::kRecovery;
}

bool IsMovement(ModelFact f) {  // money recorded on its own date
  return f == ModelFact::kAcompte || f == ModelFact::kRappel || f == ModelFact::kRecovery;
}

}  // namespace

Expectation Model::Expect(const v1::CorrectEvent& cmd) const {
  const ModelConvention* c = Find(cmd.caf_id(), cmd.convention_id());
  if (c == nullptr) return Refuse("R-CONV-4");
  // R-HIST-1: a correction names an event of the convention.
  auto it = c->events.find(cmd.target_event_id());
  if (it == c->events.end()) return Refuse("R-HIST-1");
  const ModelEvent& t = it->second;
  Expectation e;
  if (cmd.reason().empty()) Add(&e, "R-HIST-1");  // a correction says why
  if (cmd.date() != 0 && !ModelValidDate(cmd.date())) Add(&e, "R-HIST-2");
  if (t.fact == ModelFact::kCorrection) {
    Add(&e, "R-HIST-1");  // the original fact is corrected, never a correction of it
  } else if (t.cancelled) {
    Add(&e, "R-HIST-1");  // [choice] a fact once cancelled is neither corrected nor cancelled
  } else if (cmd.cancel() == cmd.has_replacement()) {
    Add(&e, "R-HIST-1");  // it cancels the fact or replaces it, one of the two
  } else if (cmd.cancel()) {
    ExpectCancel(cmd, *c, t, &e);
  } else {
    ExpectReplacement(cmd, *c, t, &e);
  }
  // R-ACC-8: a fact of a closed civil year keeps its place; what changes there is regularised.
  if (e.accepted() && Closed(cmd.caf_id(), t.date)) e.warnings.push_back("R-ACC-8");
  return e;
}

void Model::ExpectCancel(const v1::CorrectEvent& cmd, const ModelConvention& c, const ModelEvent& t,
                         Expectation* e) const {
  if (!Cancellable(t.fact)) return Add(e, "R-HIST-1");  // a solde, a decision... stay
  // R-CONV-5: no notification changes once its year's solde is paid.
  if (t.fact == ModelFact::kNotification && c.years.at(t.school_year).solde) Add(e, "R-CONV-5");
  // R-ACC-8: a movement of a closed civil year is never rewritten.
  if (IsMovement(t.fact) && Closed(cmd.caf_id(), t.date)) Add(e, "R-ACC-8");
  // R-HIST-3: the solde was computed from the acompte or the bilan.
  auto y = c.years.find(t.school_year);
  const bool solde = y != c.years.end() && y->second.solde.has_value();
  if ((t.fact == ModelFact::kAcompte || t.fact == ModelFact::kBilan) && solde) {
    Add(e, "R-HIST-3");
  }
  // [choice] R-HIST-3: nor an acompte a contrôle's decision was computed from.
  if (t.fact == ModelFact::kAcompte && y != c.years.end() && y->second.dc) Add(e, "R-HIST-3");
  // [choice] R-HIST-3: nor a rappel paid before the decision, which counted it as paid.
  if (t.fact == ModelFact::kRappel && y != c.years.end() && y->second.dc) {
    for (const ModelPayment& r : y->second.rappels) {
      if (r.id == t.ref && r.seq < y->second.dc_seq) Add(e, "R-HIST-3");
    }
  }
  // [choice] R-PAY-8: a bilan of a year a contrôle settled is cancelled, the settlement stays.
  if (t.fact == ModelFact::kBilan && y != c.years.end() && y->second.dc && !solde) {
    e->warnings.push_back("R-PAY-8");
  }
  // R-CTL-3, R-CTL-5: a payment an offset was withheld from bears a recovery.
  if (t.fact == ModelFact::kAcompte || t.fact == ModelFact::kRappel) {
    const auto& paid = cafs.at(cmd.caf_id()).paid;
    auto p = paid.find({c.id, t.ref});
    if (p != paid.end() && p->second.withheld > 0) Add(e, "R-CTL-3");
  }
}

void Model::ExpectReplacement(const v1::CorrectEvent& cmd, const ModelConvention& c,
                              const ModelEvent& t, Expectation* e) const {
  const v1::ClasEvent& r = cmd.replacement();
  // [choice] figures are corrected (a bilan, a notification, findings...), a payment is
  // cancelled.
  if (t.fact == ModelFact::kFindings) return ExpectFindingsReplacement(cmd, c, t, e);
  if (t.fact != ModelFact::kBilan && t.fact != ModelFact::kNotification) {
    return Add(e, "R-HIST-1");
  }
  if (t.fact == ModelFact::kNotification) {  // replaced by a notification of the same
    if (c.years.at(t.school_year).solde) Add(e, "R-CONV-5");  // the year's solde is paid
    if (!r.has_collectifs_notified()) return Add(e, "R-HIST-1");
    const v1::CollectifsNotified& now = r.collectifs_notified();
    const ModelNotification* was = c.years.at(t.school_year).Notification(cmd.target_event_id());
    if (!now.notification_id().empty() && now.notification_id() != was->id) Add(e, "R-CONV-5");
    if (now.school_year() != t.school_year) Add(e, "R-HIST-1");
    auto y = c.years.find(now.school_year());  // R-CONV-3: from 1 to the agreed number
    if (y == c.years.end() || now.collectifs() < 1 ||
        now.collectifs() > y->second.agreed_collectifs) {
      Add(e, "R-CONV-3");
    }
    return;
  }
  if (!r.has_bilan_received()) return Add(e, "R-HIST-1");  // a bilan is replaced by a bilan
  const ModelYear* y = &c.years.at(t.school_year);
  const v1::BilanReceived& b = r.bilan_received();
  if (b.school_year() != y->n) Add(e, "R-HIST-1");  // the correction keeps its school year
  CheckFigures(e, FromProto(b.figures()), y);
  // [choice] R-PAY-8: a school year a contrôle settled is not reopened: a warning, no money.
  if (y->dc) {
    e->warnings.push_back("R-PAY-8");
    return;
  }
  if (!y->solde) return;  // before the solde: the DR it will be computed from changes
  // R-PAY-9 [choice]: after the solde, the correction is dated (the day its delta is due), not
  // before the solde nor before the previous revision.
  if (cmd.date() == 0) return Add(e, "R-PAY-9");
  if (ModelValidDate(cmd.date()) && cmd.date() < y->settled_date) Add(e, "R-PAY-9");
  if (!e->accepted()) return;  // figures the rules refuse have no DR
  const ModelDroit dr = *Droit(*y, Within(c, *y, FromProto(b.figures())));
  // R-PAY-7: a delta due (complément) or notified (indu) is not dated in a closed civil year.
  if (dr.droit != y->settled_dr && Closed(cmd.caf_id(), cmd.date())) Add(e, "R-PAY-7");
}

// R-CTL-1: findings corrected keep their contrôle and its school year; R-CTL-5: not once it is
// decided (as findings recorded anew are not).
void Model::ExpectFindingsReplacement(const v1::CorrectEvent& cmd, const ModelConvention& c,
                                      const ModelEvent& t, Expectation* e) const {
  const v1::ClasEvent& r = cmd.replacement();
  if (!r.has_controle_findings_recorded()) return Add(e, "R-HIST-1");
  const v1::ControleFindingsRecorded& now = r.controle_findings_recorded();
  if (!now.controle_id().empty() && now.controle_id() != t.ref) Add(e, "R-CTL-1");
  const ModelControle* k = nullptr;
  for (const ModelControle& x : c.controles) {
    if (x.id == t.ref) k = &x;
  }
  if (k != nullptr && k->decided) Add(e, "R-CTL-5");
  if (now.years().empty()) Add(e, "R-CTL-1");
  for (const auto& cy : now.years()) {
    if (k != nullptr && cy.school_year() != k->school_year) Add(e, "R-CTL-1");
    auto y = c.years.find(cy.school_year());
    CheckFigures(e, FromProto(cy.figures()), y == c.years.end() ? nullptr : &y->second);
  }
}

void Model::Apply(const v1::CorrectEvent& cmd) {
  ModelConvention& c = Get(cmd.caf_id(), cmd.convention_id());
  ModelEvent& t = c.events.at(cmd.target_event_id());
  if (cmd.cancel()) {
    ApplyCancel(cmd, c, t);
  } else if (t.fact == ModelFact::kBilan) {
    ApplyBilanCorrection(cmd, c, t.school_year);
  } else if (t.fact == ModelFact::kFindings) {  // the last findings make the figures
    ModelControle* k = c.Controle(t.ref);
    if (k->findings_event_id == cmd.target_event_id()) {
      k->figures = FromProto(cmd.replacement().controle_findings_recorded().years(0).figures());
    }
  } else {  // a notification: its number, from its own place (R-CONV-5)
    ModelYear& y = c.years.at(t.school_year);
    y.Notification(cmd.target_event_id())->collectifs =
        cmd.replacement().collectifs_notified().collectifs();
    RefreshNotified(y);
  }
  Regularise(cmd.caf_id(), cmd.convention_id());  // R-ACC-8: every correction is looked at
}

void Model::ApplyBilanCorrection(const v1::CorrectEvent& cmd, ModelConvention& c, int32_t n) {
  ModelYear& y = c.years.at(n);
  y.bilan = FromProto(cmd.replacement().bilan_received().figures());
  if (y.dc || !y.solde) return;
  // R-PAY-9: DR' − DR is due at once, on the correction's date.
  const int64_t dr = Droit(y, Within(c, y, *y.bilan))->droit;
  const int64_t delta = dr - y.settled_dr;
  y.settled_dr = dr;
  y.settled_date = cmd.date();
  if (delta > 0) {  // a complément de solde, paid like a rappel (R-ACC-9)
    y.rappel_due += delta;
    y.complement_due += delta;
    y.complement_dates.push_back(cmd.date());
  } else if (delta < 0) {  // an indu notified with the correction (R-CTL-3 recovery rules)
    c.indus.push_back(ModelIndu{.id = absl::StrCat("bilan-", y.n, "-", ++y.bilan_indus),
                                .school_year = y.n,
                                .amount = -delta,
                                .date = cmd.date()});
  }
}

// R-HIST-1: the fact cancelled no longer counts, from its own place; its ids stay used.
void Model::ApplyCancel(const v1::CorrectEvent& cmd, ModelConvention& c, ModelEvent& t) {
  t.cancelled = true;
  ModelCaf& k = cafs.at(cmd.caf_id());
  ModelYear* y = c.Year(t.school_year);
  // A payment no longer paid: out of its civil year's payments (R-ACC-10) and of the offsets'
  // targets.
  auto unpay = [&](std::vector<ModelPayment>& payments) -> int64_t {
    auto p = std::find_if(payments.begin(), payments.end(),
                          [&](const ModelPayment& x) { return x.id == t.ref; });
    if (p == payments.end()) return 0;
    const int64_t amount = p->amount;
    k.payments_by_civil_year[p->date / 10000] -= amount;
    k.paid.erase({c.id, t.ref});
    payments.erase(p);
    return amount;
  };
  switch (t.fact) {
    case ModelFact::kBilan:
      y->bilan.reset();
      y->bilan_event_id.clear();
      y->bilan_correction_event_id.clear();
      break;
    case ModelFact::kNotification:
      y->Notification(cmd.target_event_id())->cancelled = true;
      RefreshNotified(*y);
      break;
    case ModelFact::kAcompte:
      unpay(y->acomptes);
      break;
    case ModelFact::kRappel: {
      // What it paid is due again: the decision's rappel, or a complément de solde (R-PAY-9).
      const int64_t amount = unpay(y->rappels);
      y->rappel_due += amount;
      if (!y->dc) y->complement_due += amount;
      break;
    }
    case ModelFact::kRecovery: {
      ModelIndu* indu = c.Indu(t.indu);
      for (ModelRecovery& r : indu->recoveries) {
        if (r.id != t.ref || r.cancelled) continue;
        r.cancelled = true;
        indu->recovered -= r.amount;
        if (!r.offset_payment.empty()) {
          k.paid[{r.offset_convention, r.offset_payment}].withheld -= r.amount;
        }
        break;
      }
      break;
    }
    default:
      break;
  }
}

}  // namespace clas::sim
