// The simulation's generator (simulation.h): late facts. Notifications dated back (into a closed
// civil year too, R-ACC-8), corrected or cancelled (R-HIST-1, R-CONV-5); acomptes, rappels,
// recoveries and bilans cancelled; corrections the rules refuse. What RULES.md leaves open is not
// drawn (simulation.h says which).
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/sim/simulation_internal.h"

namespace clas::sim {

void Simulation::LateStep(Plan& p, int32_t n) {
  const int roll = static_cast<int>(dice_.Between(1, 100));
  // School year n closed, n+1 open, its solde not paid: most of all, what regularises the
  // closing of n in n+1 (R-ACC-8).
  const std::set<int32_t>& closed = model_.cafs[p.caf].closed;
  if (closed.count(n) > 0 && closed.count(n + 1) == 0 && !ModelOf(p)->years.at(n).solde &&
      roll <= 60) {
    if (roll <= 30) return Notify(p, n, true);
    return CorrectNotification(p, n, roll > 50);
  }
  if (roll <= 25) return Notify(p, n, true);
  if (roll <= 45) return CorrectNotification(p, n, false);
  if (roll <= 55) return CorrectNotification(p, n, true);
  if (roll <= 72) return CancelPayment(p, n);
  if (roll <= 80) return CancelRecovery(p, n);
  if (roll <= 88) return CancelBilan(p, n);
  CorrectionProbe(p, n);
}

// Not before the agrément nor the signature (both set the number in force: a notification placed
// before them is theirs to override). Civil year N+1 may be closed too: the closing of N is then
// regularised after its engagement was reversed (R-ACC-4), its charge à payer alone.
int32_t Simulation::EarliestNotification(const Plan& p, int32_t n) {
  const ModelConvention* c = ModelOf(p);
  const ModelYear& y = c->years.at(n);
  const int32_t from = std::max({y.agreement_date, c->signed_date, kSimStart});
  return std::min(from, today_);
}

void Simulation::Notify(Plan& p, int32_t n, bool backdated) {
  const ModelYear& y = ModelOf(p)->years.at(n);
  v1::NotifyCollectifs cmd;
  cmd.set_caf_id(p.caf);
  cmd.set_convention_id(p.id);
  cmd.set_notification_id(absl::StrCat("notif-", today_, "-", ++probes_));
  cmd.set_school_year(n);
  // Sometimes one more than agreed (R-CONV-3), or none.
  cmd.set_collectifs(static_cast<int32_t>(
      dice_.Between(dice_.Chance(5) ? 0 : 1, y.agreed_collectifs + (dice_.Chance(10) ? 1 : 0))));
  cmd.set_date(today_);
  if (backdated) {
    // Any day since the earliest; or, mostly, in civil year n when it is closed (the last one):
    // the DP in force on 31 December n changes what its closing used (R-ACC-8).
    const int32_t from = EarliestNotification(p, n);
    const std::set<int32_t>& closed = model_.cafs[p.caf].closed;
    const int32_t end_n = n * 10000 + 1231;
    if (closed.count(n) > 0 && from <= end_n && dice_.Chance(70)) {
      cmd.set_date(dice_.DateBetween(std::max(from, n * 10000 + 101), end_n));
      // Another number than the one in force, when the agrément leaves one.
      if (y.agreed_collectifs > 1 && cmd.collectifs() == y.notified) {
        cmd.set_collectifs(cmd.collectifs() == 1 ? 2 : cmd.collectifs() - 1);
      }
    } else {
      cmd.set_date(dice_.DateBetween(from, today_));
    }
  }
  Send(What(absl::StrCat("notification ", p.id, " ", n, " : ", cmd.collectifs(), " datée du ",
                         cmd.date())),
       cmd, &Engine::NotifyCollectifs, p.id);
}

// A notification of school year n corrected (its number of collectifs) or cancelled, as of its
// own date or of today; now and then refused (a number out of the agrément R-CONV-3, another
// notification's id R-CONV-5, another school year or no reason R-HIST-1).
void Simulation::CorrectNotification(Plan& p, int32_t n, bool cancel) {
  const ModelYear& y = ModelOf(p)->years.at(n);
  if (y.solde && !dice_.Chance(25)) return;  // after the solde: refused (R-CONV-5)
  const int32_t earliest = EarliestNotification(p, n);
  std::vector<const ModelNotification*> targets, cancelled;
  for (const ModelNotification& x : y.notifications) {
    if (x.event_id.empty() || x.date < earliest) continue;
    (x.cancelled ? cancelled : targets).push_back(&x);
  }
  // Now and then one already cancelled, corrected or cancelled again: refused (R-HIST-1).
  const bool again = !cancelled.empty() && dice_.Chance(15);
  if (again) targets = cancelled;
  if (targets.empty()) return;
  const ModelNotification& target = *targets[dice_.Between(0, targets.size() - 1)];
  v1::CorrectEvent cmd;
  cmd.set_caf_id(p.caf);
  cmd.set_convention_id(p.id);
  cmd.set_target_event_id(target.event_id);
  cmd.set_reason(cancel ? "notification envoyée par erreur" : "nombre de collectifs mal saisi");
  cmd.set_cancel(cancel);
  v1::CollectifsNotified* r = nullptr;
  if (!cancel) {
    r = cmd.mutable_replacement()->mutable_collectifs_notified();
    r->set_school_year(n);
    r->set_collectifs(static_cast<int32_t>(dice_.Between(1, y.agreed_collectifs)));
    if (dice_.Chance(50)) r->set_notification_id(target.id);
  }
  cmd.set_date(dice_.Chance(60) ? 0 : today_);
  std::string what = again ? " déjà annulée" : y.solde ? " après le solde" : "";
  const int roll = again ? 100 : static_cast<int>(dice_.Between(1, 100));
  if (roll <= 6 && r != nullptr) {
    r->set_collectifs(dice_.Chance(50) ? 0 : y.agreed_collectifs + 1);
    what = " hors de l'agrément";
  } else if (roll <= 10 && r != nullptr) {
    r->set_notification_id("notification-autre");
    what = " sous un autre identifiant";
  } else if (roll <= 14 && r != nullptr) {
    r->set_school_year(n + 1);
    what = " d'une autre année scolaire";
  } else if (roll <= 18) {
    cmd.set_reason("");
    what = " sans motif";
  } else if (roll <= 21) {  // cancelled and replaced at once: R-HIST-1
    if (cancel) {
      cmd.mutable_replacement()->mutable_collectifs_notified()->set_school_year(n);
    } else {
      cmd.set_cancel(true);
    }
    what = " annulée et remplacée à la fois";
  }
  Send(What(absl::StrCat(cancel ? "annulation" : "correction", " de la notification ", target.id,
                         " du ", target.date, " (", p.id, " ", n, ")",
                         r != nullptr ? absl::StrCat(" : ", r->collectifs()) : "",
                         cmd.date() == 0 ? "" : " datée du jour", what)),
       cmd, &Engine::CorrectEvent, p.id);
}

void Simulation::Cancel(Plan& p, const std::string& event_id, const std::string& what) {
  v1::CorrectEvent cmd;
  cmd.set_caf_id(p.caf);
  cmd.set_convention_id(p.id);
  cmd.set_target_event_id(event_id);
  cmd.set_reason("enregistré par erreur");
  cmd.set_cancel(true);
  cmd.set_date(dice_.Chance(50) ? 0 : today_);
  if (dice_.Chance(4)) cmd.set_reason("");  // a correction says why: R-HIST-1
  Send(What(absl::StrCat("annulation ", what, cmd.reason().empty() ? " sans motif" : "")), cmd,
       &Engine::CorrectEvent, p.id);
}

// An acompte or a rappel of school year n cancelled (refused in a closed civil year R-ACC-8, after
// the solde computed from an acompte R-HIST-3, when an offset was withheld from it R-CTL-3).
void Simulation::CancelPayment(Plan& p, int32_t n) {
  const ModelConvention* c = ModelOf(p);
  const ModelYear& y = c->years.at(n);
  std::vector<std::pair<std::string, std::string>> targets;  // event id, what
  for (const auto& [id, e] : c->events) {
    if (e.cancelled || e.school_year != n) continue;
    if (e.fact != ModelFact::kAcompte && e.fact != ModelFact::kRappel) continue;
    // An acompte, or a rappel paid before the contrôle decided from it: refused (R-HIST-3).
    const std::vector<ModelPayment>& paid = e.fact == ModelFact::kAcompte ? y.acomptes : y.rappels;
    const std::string& ref = e.ref;
    auto it =
        std::find_if(paid.begin(), paid.end(), [&](const ModelPayment& x) { return x.id == ref; });
    if (it == paid.end()) continue;
    targets.emplace_back(
        id, absl::StrCat(e.fact == ModelFact::kAcompte ? "de l'acompte " : "du rappel ", e.ref,
                         " du ", e.date, " (", p.id, " ", n, ")"));
  }
  if (targets.empty()) return;
  // Rappels are fewer than acomptes: one of them half the time there is one.
  std::vector<std::pair<std::string, std::string>> rappels;
  for (const auto& t : targets) {
    if (c->events.at(t.first).fact == ModelFact::kRappel) rappels.push_back(t);
  }
  if (!rappels.empty() && dice_.Chance(50)) targets = rappels;
  const auto& [id, what] = targets[dice_.Between(0, targets.size() - 1)];
  Cancel(p, id, what);
}

// A recovery of an indu of school year n cancelled (refused in a closed civil year, R-ACC-8).
void Simulation::CancelRecovery(Plan& p, int32_t n) {
  ModelConvention* c = ModelOf(p);
  std::vector<std::pair<std::string, std::string>> targets;
  for (const auto& [id, e] : c->events) {
    if (e.cancelled || e.fact != ModelFact::kRecovery || e.school_year != n) continue;
    targets.emplace_back(id,
                         absl::StrCat("du recouvrement ", e.ref, " de ", e.indu, " du ", e.date));
  }
  if (targets.empty()) return;
  const auto& [id, what] = targets[dice_.Between(0, targets.size() - 1)];
  const ModelEvent& e = c->events.at(id);
  std::string other;  // R-ACC-9: the convention of the payment an offset was withheld from
  for (const ModelRecovery& r : ModelOf(p)->Indu(e.indu)->recoveries) {
    if (r.id == e.ref && !r.cancelled) other = r.offset_convention;
  }
  Cancel(p, id, what);
  if (applied_.empty() || other.empty() || other == p.id) return;
  auto state = engine_->GetConvention(p.caf, other, AsOf{});  // the offset no longer shows there
  if (!state.ok()) {
    return Violation("R-ACC-9",
                     absl::StrCat("GetConvention ", other, ": ", state.status().ToString()));
  }
  CheckConvention(p.caf, other, *state);
}

// The bilan of school year n cancelled (refused after the solde computed from it, R-HIST-3; on a
// year a contrôle settled, with a warning R-PAY-8).
void Simulation::CancelBilan(Plan& p, int32_t n) {
  const ModelYear& y = ModelOf(p)->years.at(n);
  if (!y.bilan || y.bilan_event_id.empty()) return;
  Cancel(p, y.bilan_event_id,
         absl::StrCat("du bilan ", p.id, " ", n, y.solde ? " après le solde" : "",
                      y.dc ? " d'une année réglée par un contrôle" : ""));
}

// Corrections the rules refuse (R-HIST-1): a solde, a decision, an indu, an avenant or a
// correction cancelled or replaced; a payment "corrected"; a bilan or a notification replaced by
// a fact of another kind; an event the convention does not hold.
void Simulation::CorrectionProbe(Plan& p, int32_t n) {
  const ModelConvention* c = ModelOf(p);
  std::vector<std::pair<std::string, const ModelEvent*>> targets;
  for (const auto& [id, e] : c->events) {
    if (!e.cancelled) targets.emplace_back(id, &e);
  }
  v1::CorrectEvent cmd;
  cmd.set_caf_id(p.caf);
  cmd.set_convention_id(p.id);
  cmd.set_reason("erreur de saisie");
  cmd.set_date(today_);
  std::string what;
  if (targets.empty() || dice_.Chance(10)) {
    cmd.set_target_event_id("evt-inconnu");
    cmd.set_cancel(true);
    what = "d'un événement inconnu";
  } else {
    const auto& [id, e] = targets[dice_.Between(0, targets.size() - 1)];
    cmd.set_target_event_id(id);
    const bool stays = e->fact == ModelFact::kSolde || e->fact == ModelFact::kOther ||
                       e->fact == ModelFact::kCorrection;
    if (stays && dice_.Chance(60)) {
      cmd.set_cancel(true);
      what = "d'un fait qui ne s'annule pas";
    } else if (e->fact == ModelFact::kBilan || e->fact == ModelFact::kNotification) {
      // Replaced by a fact of another kind.
      auto* a = cmd.mutable_replacement()->mutable_acompte_paid();
      a->set_school_year(e->school_year);
      a->set_amount_cents(100);
      what = "par un fait d'une autre nature";
    } else {  // a payment, a solde, a decision... replaced by a fact of its kind
      auto* a = cmd.mutable_replacement()->mutable_acompte_paid();
      a->set_payment_id(e->ref);
      a->set_school_year(e->school_year);
      a->set_amount_cents(100);
      what = "d'un fait qui ne se corrige pas";
    }
  }
  Send(
      What(absl::StrCat("correction ", what, " (", p.id, " ", n, ", ", cmd.target_event_id(), ")")),
      cmd, &Engine::CorrectEvent, p.id);
}

// --- the ids the ledger gave -------------------------------------------------------------

void Simulation::RegisterEvents(const std::string& caf, const std::string& convention,
                                const std::vector<DomainEvent>& events) {
  auto k = model_.cafs.find(caf);
  if (k == model_.cafs.end() || k->second.conventions.count(convention) == 0) return;
  ModelConvention& c = k->second.conventions.at(convention);
  for (const DomainEvent& e : events) {
    const v1::ClasEvent& f = e.fact;
    ModelEvent m{.date = e.effective_date};
    if (f.has_bilan_received()) {
      m.fact = ModelFact::kBilan;
      m.school_year = f.bilan_received().school_year();
      c.years[m.school_year].bilan_event_id = e.event_id;
    } else if (f.has_collectifs_notified()) {
      m.fact = ModelFact::kNotification;
      m.school_year = f.collectifs_notified().school_year();
      m.ref = f.collectifs_notified().notification_id();
      for (ModelNotification& x : c.years[m.school_year].notifications) {
        if (x.id == m.ref && x.event_id.empty() && !x.cancelled) x.event_id = e.event_id;
      }
    } else if (f.has_acompte_paid()) {
      m = {ModelFact::kAcompte, f.acompte_paid().school_year(), e.effective_date,
           f.acompte_paid().payment_id(), ""};
    } else if (f.has_solde_paid()) {
      m = {ModelFact::kSolde, f.solde_paid().school_year(), e.effective_date,
           f.solde_paid().payment_id(), ""};
    } else if (f.has_rappel_paid()) {
      m = {ModelFact::kRappel, f.rappel_paid().school_year(), e.effective_date,
           f.rappel_paid().payment_id(), ""};
    } else if (f.has_recovery_recorded()) {
      const ModelIndu* indu = c.Indu(f.recovery_recorded().indu_id());
      m = {ModelFact::kRecovery, indu == nullptr ? 0 : indu->school_year, e.effective_date,
           f.recovery_recorded().recovery_id(), f.recovery_recorded().indu_id()};
    } else if (f.has_event_corrected()) {
      m.fact = ModelFact::kCorrection;
      const v1::EventCorrected& x = f.event_corrected();
      auto target = c.events.find(x.target_event_id());
      if (target != c.events.end() && target->second.fact == ModelFact::kBilan && !x.cancel()) {
        c.years[target->second.school_year].bilan_correction_event_id = e.event_id;
      }
    } else if (f.has_controle_findings_recorded()) {
      const auto& x = f.controle_findings_recorded();
      m = {ModelFact::kFindings, x.years().empty() ? 0 : x.years(0).school_year(),
           e.effective_date, x.controle_id(), ""};
      if (ModelControle* k = c.Controle(x.controle_id()); k != nullptr) {
        k->findings_event_id = e.event_id;
      }
    } else if (!f.has_committee_decision_recorded() && !f.has_controle_decided() &&
               !f.has_controle_opened() && !f.has_indu_notified() && !f.has_avenant_signed()) {
      continue;  // a request, a budget: correctable, never named here
    }
    c.events[e.event_id] = m;
  }
}

}  // namespace clas::sim
