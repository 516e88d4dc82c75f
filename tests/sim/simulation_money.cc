// The simulation's generator (simulation.h): the steps of a school year's money (acomptes,
// bilan, solde, recoveries, rappels, contrôle).
#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/sim/simulation_internal.h"

namespace clas::sim {

using testing::Dice;

void Simulation::YearStep(Plan& p, int32_t n) {
  const ModelConvention* c = ModelOf(p);
  const ModelYear& y = c->years.at(n);
  const int roll = static_cast<int>(dice_.Between(1, 100));
  // A notification (after the solde: refused, R-CONV-5), dated back now and then.
  if (roll <= (y.solde ? 2 : 8)) return Notify(p, n, dice_.Chance(30));
  // Late facts; more of them while civil year n is closed and n+1 open, before the solde: what
  // they change in the closing of n is regularised in n+1 (R-ACC-8).
  const std::set<int32_t>& closed = model_.cafs[p.caf].closed;
  const bool regularised = closed.count(n) > 0 && closed.count(n + 1) == 0 && !y.solde;
  if (roll <= (y.solde ? 2 : 8) + (regularised ? 25 : 7)) return LateStep(p, n);
  if (y.solde && dice_.Chance(3)) return Acompte(p, n);  // after the solde: R-PAY-4
  if (!y.solde && y.controle_id.empty()) {  // a contrôle before the solde, now and then
    bool open = false;
    for (const auto& k : ModelOf(p)->controles) open = open || (k.school_year == n && !k.decided);
    if (open ? dice_.Chance(30) : dice_.Chance(2)) return ControleStep(p, n);
  }
  if (y.dc && !y.solde) return SettledStep(p, n);
  if (today_ <= (n + 1) * 10000 + 831 && !y.solde && roll <= 70 &&
      (Room(p, n) > 0 || dice_.Chance(10))) {
    return Acompte(p, n);
  }
  if (!y.bilan) {
    if (today_ >= (n + 1) * 10000 + 901 || dice_.Chance(3)) return Bilan(p, n);
    if (dice_.Chance(10)) Solde(p, n);  // out of order: before the bilan (R-CONV-6)
    return;
  }
  if (dice_.Chance(4)) return Bilan(p, n);  // received twice: R-HIST-1
  if (dice_.Chance(y.solde ? 10 : 6)) return CorrectBilan(p, n);  // R-HIST-1, R-PAY-9
  if (!y.solde || dice_.Chance(4)) return Solde(p, n);
  MoneyStep(p, n);
}

// A school year a contrôle settled before its solde (R-PAY-8): the bilan received after the
// decision (kept with a warning) or corrected (the same), a solde or an acompte (refused), the
// decision's rappel or indu.
void Simulation::SettledStep(Plan& p, int32_t n) {
  const ModelYear& y = ModelOf(p)->years.at(n);
  const int roll = static_cast<int>(dice_.Between(1, 100));
  if (roll <= 15 && !y.bilan) return Bilan(p, n);
  if (roll <= 22) return Solde(p, n);
  if (roll <= 27) return Acompte(p, n);
  if (roll <= 32 && y.bilan) return CorrectBilan(p, n);
  MoneyStep(p, n);
}

void Simulation::Bilan(Plan& p, int32_t n) {
  const ModelYear& y = ModelOf(p)->years.at(n);
  v1::ReceiveBilan cmd;
  cmd.set_caf_id(p.caf);
  cmd.set_convention_id(p.id);
  cmd.set_school_year(n);
  auto* f = cmd.mutable_figures();
  f->set_collectifs(static_cast<int32_t>(dice_.Between(1, y.notified + 1)));
  f->set_charges_cents(dice_.Between(100000, 4000000));
  if (dice_.Chance(20)) f->set_autres_bf_cents(dice_.Between(0, f->charges_cents() / 2));
  f->set_bonus_enfants_collectifs(
      static_cast<int32_t>(dice_.Between(0, std::min(f->collectifs(), y.agreed_bonus_enfants))));
  f->set_bonus_parents_collectifs(
      static_cast<int32_t>(dice_.Between(0, std::min(f->collectifs(), y.agreed_bonus_parents))));
  if (dice_.Chance(8)) f->set_bonus_enfants_collectifs(f->bonus_enfants_collectifs() + 1);
  cmd.set_date(today_);
  Send(What(absl::StrCat("bilan ", p.id, " ", n)), cmd, &Engine::ReceiveBilan, p.id);
}

int64_t Simulation::Room(Plan& p, int32_t n) {
  const ModelConvention* c = ModelOf(p);
  if (c == nullptr || c->years.count(n) == 0) return 0;
  const ModelYear& y = c->years.at(n);
  auto dp = model_.Dp(*c, y);
  if (!dp) return 0;
  const int64_t cap = today_ / 10000 <= n ? CapN(dp->ps) : CapN1(dp->ps);
  return std::max<int64_t>(0, cap - y.AcomptesOfCivilYear(today_ / 10000));
}

void Simulation::Acompte(Plan& p, int32_t n) {
  v1::PayAcompte cmd;
  cmd.set_caf_id(p.caf);
  cmd.set_convention_id(p.id);
  cmd.set_payment_id(absl::StrCat("a", ++p.payments));
  cmd.set_school_year(n);
  cmd.set_date(today_);
  const int64_t room = Room(p, n);  // of the share dated today, as the model sees it
  if (const ModelConvention* c = ModelOf(p); c != nullptr && dice_.Chance(3)) {
    // A payment id used before, by a payment cancelled since too: R-HIST-1.
    std::vector<std::string> used;
    for (const auto& [id, e] : c->events) {
      if (e.fact == ModelFact::kAcompte || e.fact == ModelFact::kSolde ||
          e.fact == ModelFact::kRappel) {
        used.push_back(e.ref);
      }
    }
    if (!used.empty()) cmd.set_payment_id(used[dice_.Between(0, used.size() - 1)]);
  }
  std::string what;
  const int roll = static_cast<int>(dice_.Between(1, 100));
  if (roll <= 8) {
    cmd.set_amount_cents(room + 1);
    what = "un centime au-delà du plafond";
  } else if (roll <= 11) {
    cmd.set_amount_cents(dice_.Chance(50) ? 0 : -dice_.Between(1, 100000));
    what = "montant nul ou négatif";
  } else if (roll <= 14) {
    cmd.set_amount_cents(std::max<int64_t>(1, room));
    cmd.set_date(dice_.Chance(50) ? (n - 1) * 10000 + 1215 : (n + 1) * 10000 + 901);
    what = "hors de l'année scolaire";
  } else if (roll <= 16) {
    cmd.set_amount_cents(std::max<int64_t>(1, room));
    cmd.set_date(n * 10000 + 230);  // 30 February
    what = "daté d'un jour qui n'existe pas";
  } else if (roll <= 19 && !model_.cafs[p.caf].closed.empty()) {
    const int32_t closed = *model_.cafs[p.caf].closed.rbegin();
    cmd.set_amount_cents(std::max<int64_t>(1, room / 2));
    cmd.set_date(closed * 10000 + 1215);
    what = "daté dans un exercice clos";
  } else {
    cmd.set_amount_cents(room == 0 ? 1 : dice_.Chance(25) ? room : dice_.Between(1, room));
  }
  Send(What(absl::StrCat("acompte ", cmd.payment_id(), " de ", p.caf, "/", p.id, " ", n, " : ",
                         cmd.amount_cents(), " daté ", cmd.date(), " ", what)),
       cmd, &Engine::PayAcompte, p.id);
}

void Simulation::Solde(Plan& p, int32_t n) {
  v1::PaySolde cmd;
  cmd.set_caf_id(p.caf);
  cmd.set_convention_id(p.id);
  cmd.set_payment_id(absl::StrCat("s", ++p.payments));
  cmd.set_school_year(n);
  cmd.set_date(today_);
  std::string what;
  if (dice_.Chance(5)) {
    cmd.set_date(n * 10000 + 1220);  // before 1 January N+1 [choice]
    what = " daté en N";
  } else if (dice_.Chance(5) && !model_.cafs[p.caf].closed.empty()) {
    cmd.set_date(*model_.cafs[p.caf].closed.rbegin() * 10000 + 1220);
    what = " daté dans un exercice clos";
  }
  Send(What(absl::StrCat("solde ", p.id, " ", n, what)), cmd, &Engine::PaySolde, p.id);
}

void Simulation::MoneyStep(Plan& p, int32_t n) {
  const ModelConvention* c = ModelOf(p);
  for (const ModelIndu& i : c->indus) {
    if (i.school_year == n && i.open() > 0 && dice_.Chance(60)) return Recover(p, ModelIndu(i));
  }
  if (c->years.at(n).rappel_due > 0 || dice_.Chance(3)) return Rappel(p, n);
  ControleStep(p, n);
}

// A recovery of an open indu, sometimes one cent too many, dated before the indu or in a closed
// year, or of an unknown indu.
void Simulation::Recover(Plan& p, const ModelIndu& i) {
  v1::RecordRecovery cmd;
  cmd.set_caf_id(p.caf);
  cmd.set_convention_id(p.id);
  cmd.set_recovery_id(absl::StrCat("rec-", ++p.recoveries));
  cmd.set_indu_id(dice_.Chance(3) ? "indu-inconnu" : i.id);
  cmd.set_amount_cents(dice_.Chance(8)    ? i.open() + 1
                       : dice_.Chance(40) ? i.open()
                                          : dice_.Between(1, i.open()));
  cmd.set_method(v1::REPAYMENT);
  if (dice_.Chance(35)) Offset(p, i, &cmd);
  cmd.set_date(dice_.Chance(4) ? Dice::Plus(i.date, -1) : today_);  // before the indu: R-CTL-3
  if (!model_.cafs[p.caf].closed.empty() && dice_.Chance(5)) {
    cmd.set_date(*model_.cafs[p.caf].closed.rbegin() * 10000 + 1220);  // closed: R-ACC-8
  }
  Send(What(absl::StrCat("recouvrement ", cmd.recovery_id(), " de ", cmd.indu_id(), " : ",
                         cmd.amount_cents(), " daté ", cmd.date(), " ",
                         cmd.method() == v1::OFFSET ? "compensé sur " : "",
                         cmd.offset_convention_id(), " ", cmd.offset_payment_id())),
       cmd, &Engine::RecordRecovery, p.id);
  // R-ACC-9: an offset withheld from a payment of another convention shows on that payment.
  if (!applied_.empty() && cmd.method() == v1::OFFSET && !cmd.offset_convention_id().empty() &&
      cmd.offset_convention_id() != p.id) {
    auto other = engine_->GetConvention(p.caf, cmd.offset_convention_id(), AsOf{});
    if (!other.ok()) {
      return Violation("R-ACC-9", absl::StrCat("GetConvention ", cmd.offset_convention_id(), ": ",
                                               other.status().ToString()));
    }
    CheckConvention(p.caf, cmd.offset_convention_id(), *other);
  }
}

// A rappel: the whole due (amount 0), part of it, one cent too many, or none due.
void Simulation::Rappel(Plan& p, int32_t n) {
  const ModelYear& y = ModelOf(p)->years.at(n);
  v1::PayRappel cmd;
  cmd.set_caf_id(p.caf);
  cmd.set_convention_id(p.id);
  cmd.set_payment_id(absl::StrCat("r", ++p.payments));
  cmd.set_school_year(n);
  const int roll = static_cast<int>(dice_.Between(1, 100));
  cmd.set_amount_cents(roll <= 40   ? 0
                       : roll <= 48 ? y.rappel_due + 1
                                    : dice_.Between(1, std::max<int64_t>(1, y.rappel_due)));
  cmd.set_date(today_);
  if (!model_.cafs[p.caf].closed.empty() && dice_.Chance(5)) {
    cmd.set_date(*model_.cafs[p.caf].closed.rbegin() * 10000 + 1220);  // closed: R-PAY-7
  } else if (!y.complement_dates.empty() && dice_.Chance(8)) {
    // Before the correction that made a complément de solde due: R-PAY-9 (while one is due).
    cmd.set_date(Dice::Plus(y.complement_dates.back(), -1));
  }
  return Send(What(absl::StrCat("rappel ", p.id, " ", n, " : ", cmd.amount_cents(), " daté ",
                                cmd.date())),
              cmd,
              &Engine::PayRappel, p.id);
}

// A contrôle of a school year, before or after its solde: opened, findings, decided (and decided
// again).
void Simulation::ControleStep(Plan& p, int32_t n) {
  const ModelConvention* c = ModelOf(p);
  const ModelYear& y = c->years.at(n);
  if (y.controle_id.empty()) {
    const ModelControle* open = nullptr;
    for (const auto& k : c->controles) {
      if (k.school_year == n && !k.decided) open = &k;
    }
    if (open == nullptr) {
      if (!dice_.Chance(30)) return;
      v1::OpenControle cmd;
      cmd.set_caf_id(p.caf);
      cmd.set_convention_id(p.id);
      cmd.set_controle_id(absl::StrCat("ctl-", n, "-", ++p.controles));
      cmd.add_school_years(dice_.Chance(5) ? p.last + 1 : n);  // a year not covered: R-CTL-1
      cmd.set_date(today_);
      return Send(What(absl::StrCat("ouverture du contrôle ", cmd.controle_id())), cmd,
                  &Engine::OpenControle, p.id);
    }
    if (open->findings && !open->findings_event_id.empty() && dice_.Chance(12)) {
      return CorrectFindings(p, *open, n);
    }
    if (!open->findings || dice_.Chance(10)) {
      v1::RecordControleFindings cmd;
      cmd.set_caf_id(p.caf);
      cmd.set_convention_id(p.id);
      cmd.set_controle_id(open->id);
      *cmd.add_years() = DrawControlledYear(y, n);
      cmd.set_date(today_);
      return Send(What(absl::StrCat("constats du contrôle ", open->id)), cmd,
                  &Engine::RecordControleFindings, p.id);
    }
    v1::DecideControle cmd;
    cmd.set_caf_id(p.caf);
    cmd.set_convention_id(p.id);
    cmd.set_controle_id(dice_.Chance(4) ? "ctl-inconnu" : open->id);
    cmd.set_date(today_);
    return Send(What(absl::StrCat("décision du contrôle ", cmd.controle_id())), cmd,
                &Engine::DecideControle, p.id);
  }
  for (const ModelControle& k : c->controles) {  // its findings corrected after: R-CTL-5
    if (k.id == y.controle_id && !k.findings_event_id.empty() && dice_.Chance(2)) {
      return CorrectFindings(p, k, n);
    }
  }
  if (dice_.Chance(3)) {  // a decided contrôle decided again: R-CTL-5
    v1::DecideControle cmd;
    cmd.set_caf_id(p.caf);
    cmd.set_convention_id(p.id);
    cmd.set_controle_id(y.controle_id);
    cmd.set_date(today_);
    Send(What(absl::StrCat("décision du contrôle ", y.controle_id, " une seconde fois")), cmd,
         &Engine::DecideControle, p.id);
  }
}

v1::ControlledYear Simulation::DrawControlledYear(const ModelYear& y, int32_t n) {
  v1::ControlledYear cy;
  cy.set_school_year(n);
  v1::Figures* f = cy.mutable_figures();
  f->set_collectifs(static_cast<int32_t>(dice_.Between(0, y.notified + 1)));
  f->set_charges_cents(dice_.Between(0, 4000000));
  f->set_bonus_enfants_collectifs(
      static_cast<int32_t>(dice_.Between(0, std::min(f->collectifs(), y.agreed_bonus_enfants))));
  f->set_bonus_parents_collectifs(
      static_cast<int32_t>(dice_.Between(0, std::min(f->collectifs(), y.agreed_bonus_parents))));
  return cy;
}

void Simulation::CorrectFindings(Plan& p, const ModelControle& k, int32_t n) {
  v1::CorrectEvent cmd;
  cmd.set_caf_id(p.caf);
  cmd.set_convention_id(p.id);
  cmd.set_target_event_id(k.findings_event_id);
  cmd.set_reason("constats mal relevés");
  cmd.set_date(today_);
  auto* r = cmd.mutable_replacement()->mutable_controle_findings_recorded();
  *r->add_years() = DrawControlledYear(ModelOf(p)->years.at(n), n);
  std::string what;
  const int roll = static_cast<int>(dice_.Between(1, 100));
  if (roll <= 5) {
    r->mutable_years(0)->set_school_year(n + 1);
    what = " d'une autre année scolaire";
  } else if (roll <= 8) {
    r->clear_years();
    what = " sans chiffres";
  } else if (roll <= 11) {
    r->set_controle_id("ctl-autre");
    what = " sous un autre contrôle";
  } else if (roll <= 30) {
    r->set_controle_id(k.id);
  }
  Send(What(absl::StrCat("correction des constats du contrôle ", k.id, k.decided ? " décidé" : "",
                         what)),
       cmd, &Engine::CorrectEvent, p.id);
}

void Simulation::Offset(const Plan& p, const ModelIndu& indu, v1::RecordRecovery* cmd) {
  // A payment to the same gestionnaire since the indu with something left; now and then any
  // payment of the Caf (before the indu, another gestionnaire's, nothing left: R-CTL-3).
  const ModelCaf& caf = model_.cafs[p.caf];
  const bool any = dice_.Chance(15);
  std::vector<std::pair<std::pair<std::string, std::string>, ModelPaid>> targets;
  for (const auto& [key, paid] : caf.paid) {
    if (any || (paid.gestionnaire == p.gestionnaire && paid.date >= indu.date &&
                paid.amount > paid.withheld)) {
      targets.emplace_back(key, paid);
    }
  }
  if (targets.empty()) return;
  const auto& [key, paid] = targets[dice_.Between(0, targets.size() - 1)];
  cmd->set_method(v1::OFFSET);
  cmd->set_offset_convention_id(key.first == p.id && dice_.Chance(50) ? "" : key.first);
  cmd->set_offset_payment_id(key.second);
  if (!any && cmd->amount_cents() <= indu.open()) {
    cmd->set_amount_cents(
        std::max<int64_t>(1, std::min(cmd->amount_cents(), paid.amount - paid.withheld)));
  }
}

}  // namespace clas::sim
