// The simulation's generator (simulation.h): set-up, the steps, and the sending of commands.
#include "tests/sim/simulation.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"

namespace clas::sim {

using testing::Dice;

void SimSummary::Add(const SimSummary& o) {
  steps += o.steps;
  accepted += o.accepted;
  refused += o.refused;
  replays += o.replays;
  events += o.events;
  checks += o.checks;
  violations_total += o.violations_total;
  for (const auto& v : o.violations) {
    if (violations.size() < kSimViolationsKeptMax) violations.push_back(v);
  }
}

Simulation::Simulation(uint32_t seed, std::string data_dir)
    : seed_(seed),
      dir_(std::move(data_dir)),
      dice_(seed),
      trace_(std::getenv("CLAS_SIM_TRACE") != nullptr) {
  summary_.seed = seed;
  actor_.set_id("sim-agent");
  actor_.set_role("agent");
}

Simulation::~Simulation() {
  engine_.reset();
  log_.reset();
  store_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string Simulation::What(const std::string& text) const {
  return absl::StrCat(text, " le ", today_);
}

ModelConvention* Simulation::ModelOf(const Plan& p) {
  auto k = model_.cafs.find(p.caf);
  if (k == model_.cafs.end()) return nullptr;
  auto c = k->second.conventions.find(p.id);
  return c == k->second.conventions.end() ? nullptr : &c->second;
}

template <typename Cmd>
void Simulation::Send(const std::string& what, const Cmd& cmd,
                      absl::StatusOr<CommandResult> (Engine::*method)(const Cmd&,
                                                                      const ledger::v1::Actor&,
                                                                      const std::string&),
                      const std::string& convention) {
  ++summary_.steps;
  const Expectation expected = model_.Expect(cmd);
  const ledger::LogHead before = store_->Head();
  const std::string request = NextRequest();
  auto result = (engine_.get()->*method)(cmd, actor_, request);
  if (trace_) {
    std::printf("%s -> %s\n", what.c_str(),
                result.ok() ? "accepted" : result.status().ToString().substr(0, 160).c_str());
  }
  if (result.ok() != expected.accepted()) {
    std::string rules;
    for (const auto& r : expected.rules) absl::StrAppend(&rules, r, " ");
    Violation(
        result.ok() ? rules : "model",
        absl::StrCat(what, ": the engine ", result.ok() ? "accepted" : "refused", " it, the model ",
                     result.ok() ? "refuses it (" + rules + ")" : "accepts it",
                     result.ok() ? "" : absl::StrCat(": ", result.status().ToString())));
  }
  if (!result.ok()) {
    ++summary_.refused;
    CheckRefusal(what, expected, result.status(), before);
    return;
  }
  if (!expected.accepted()) return;  // the model cannot follow a state it refuses
  ++summary_.accepted;
  model_.Apply(cmd);
  Sent sent;
  sent.request_id = request;
  for (const auto& e : result->events) sent.event_ids.push_back(e.event_id);
  sent.same = [this, cmd, method](const std::string& id) {
    return (engine_.get()->*method)(cmd, actor_, id);
  };
  sent.other = [this, cmd, method](const std::string& id) {
    Cmd other = cmd;
    other.set_date(cmd.date() == 20991231 ? 20000101 : cmd.date() + 1);
    return (engine_.get()->*method)(other, actor_, id);
  };
  sent_.push_back(std::move(sent));
  std::string caf;
  if constexpr (!std::is_same_v<Cmd, v1::PublishBareme>) caf = cmd.caf_id();
  CheckAccepted(caf, convention, *result);
}

// --- set-up -------------------------------------------------------------------------------

void Simulation::SetUp() {
  ledger::Options options;
  options.path = dir_;
  options.sync = false;  // a simulation is redone from its seed, never recovered
  options.clock_us = [this] { return clock_us_ += 1000; };
  auto store = ledger::EventStore::Open(options);
  if (!store.ok()) {
    Violation("setup", absl::StrCat("cannot open the store: ", store.status().ToString()));
    return;
  }
  store_ = *std::move(store);
  log_ = std::make_unique<server::StoreEventLog>(store_.get());
  engine_ = std::make_unique<Engine>(log_.get());
  // Barèmes of school years 2024..2031, one of 2026..2029 sometimes left out (R-DROIT-7).
  if (dice_.Chance(20)) missing_bareme_ = static_cast<int32_t>(dice_.Between(2026, 2029));
  for (int32_t n = 2024; n <= 2031; ++n) {
    if (n == missing_bareme_) continue;
    v1::PublishBareme cmd;
    cmd.mutable_bareme()->set_school_year(n);
    cmd.mutable_bareme()->set_plafond_cents(dice_.Between(500000, 900000));
    cmd.mutable_bareme()->set_bonus_enfants_cents(dice_.Between(0, 150000));
    cmd.mutable_bareme()->set_bonus_parents_cents(dice_.Between(0, 200000));
    cmd.set_date(20250101);
    Send(absl::StrCat("barème ", n), cmd, &Engine::PublishBareme, "");
    if (dice_.Chance(10)) {  // published twice: refused, R-DROIT-1
      cmd.mutable_bareme()->set_plafond_cents(cmd.bareme().plafond_cents() + 1);
      Send(absl::StrCat("barème ", n, " publié deux fois"), cmd, &Engine::PublishBareme, "");
    }
  }
  const v1::GestionnaireKind kinds[] = {v1::ASSOCIATION, v1::CENTRE_SOCIAL, v1::EVS,
                                        v1::COMMUNE,     v1::ENTREPRISE,    v1::CAF_INTERNE};
  for (int k = 0; k < kSimCafs; ++k) {
    const std::string caf = std::string("caf-") + char('a' + k);
    cafs_.push_back(caf);
    const int gestionnaires = static_cast<int>(dice_.Between(1, kSimGestionnairesMax));
    for (int g = 1; g <= gestionnaires; ++g) {
      v1::RegisterGestionnaire cmd;
      cmd.set_caf_id(caf);
      cmd.set_gestionnaire_id(absl::StrCat("g", g));
      cmd.set_name(absl::StrCat("Gestionnaire ", g));
      cmd.set_kind(kinds[dice_.Between(0, 5)]);
      cmd.set_supported_since_school_year(dice_.Chance(30) ? 2020 : 0);
      cmd.set_date(20200101);
      Send(absl::StrCat("gestionnaire ", caf, "/g", g), cmd, &Engine::RegisterGestionnaire, "");
      if (dice_.Chance(10)) {  // registered twice: refused, R-CONV-4
        Send(absl::StrCat("gestionnaire ", caf, "/g", g, " enregistré deux fois"), cmd,
             &Engine::RegisterGestionnaire, "");
      }
    }
    const int conventions = static_cast<int>(dice_.Between(1, kSimConventionsMax));
    for (int c = 1; c <= conventions; ++c) {
      Plan p;
      p.caf = caf;
      p.id = absl::StrCat(caf, "-conv-", c);  // unique across Cafs: another Caf never has it
      p.gestionnaire = absl::StrCat("g", dice_.Between(1, gestionnaires));
      p.first = static_cast<int32_t>(dice_.Between(2025, 2029));
      p.last = p.first + static_cast<int32_t>(dice_.Chance(50) ? dice_.Between(1, 2) : 0);
      p.file_date = dice_.DateBetween((p.first - 1) * 10000 + 601, p.first * 10000 + 630);
      p.collectifs = static_cast<int>(dice_.Between(1, 4));
      p.bonus_enfants = dice_.Chance(50);
      p.bonus_parents = dice_.Chance(40);
      p.charges = dice_.Between(200000, 4000000);
      if (dice_.Chance(20)) p.autres_bf = dice_.Between(0, p.charges * 9 / 10);
      plans_.push_back(p);
    }
  }
}

// --- steps --------------------------------------------------------------------------------

void Simulation::Step() {
  const int roll = static_cast<int>(dice_.Between(1, 100));
  if (roll <= 4 && !sent_.empty()) return ProbeReplay();
  if (roll <= 6) return ProbeWrongExpectedVersion();
  if (roll <= 12) return CloseStep(cafs_[dice_.Between(0, cafs_.size() - 1)]);
  Plan& p = plans_[dice_.Between(0, plans_.size() - 1)];
  if (roll <= 15) {  // the same act under another Caf's name: unknown there (R-CONV-4)
    Plan other = p;
    other.caf =
        cafs_[(std::find(cafs_.begin(), cafs_.end(), p.caf) - cafs_.begin() + 1) % cafs_.size()];
    return Acompte(other, p.first);
  }
  ConventionStep(p);
}

void Simulation::ConventionStep(Plan& p) {
  const ModelConvention* c = ModelOf(p);
  if (c == nullptr) {
    if (today_ >= p.file_date) return File(p);
    // Out of order: an agrément or an acompte on a file not yet filed (R-CONV-4).
    if (dice_.Chance(10)) return dice_.Chance(50) ? Agree(p) : Acompte(p, p.first);
    return;
  }
  if (!c->decided) return dice_.Chance(10) ? Acompte(p, p.first) : Agree(p);
  if (!c->signed_) return dice_.Chance(10) ? Acompte(p, p.first) : Sign(p);
  if (dice_.Chance(5)) {  // filed, agreed or signed twice: refused (R-CONV-4, R-CONV-3)
    const int64_t which = dice_.Between(0, 2);
    return which == 0 ? File(p) : which == 1 ? Agree(p) : Sign(p);
  }
  // A covered year whose school year has begun, or just before.
  if (dice_.Chance(3) && today_ >= c->last * 10000 + 301) return Avenant(p);
  // A covered year whose school year has begun; mostly one whose money is not settled yet.
  std::vector<int32_t> open, settled;
  for (int32_t n = c->first; n <= c->last; ++n) {
    if (today_ < n * 10000 + 101) continue;
    const ModelYear& y = c->years.at(n);
    const bool done = y.solde && y.rappel_due == 0 && c->IndusNotified(n) == c->Recovered(n) &&
                      !y.controle_id.empty();
    (done ? settled : open).push_back(n);
  }
  std::vector<int32_t>& years =
      open.empty() || (!settled.empty() && dice_.Chance(10)) ? settled : open;
  if (years.empty()) return dice_.Chance(20) ? Acompte(p, c->first) : void();
  YearStep(p, years[dice_.Between(0, years.size() - 1)]);
}

void Simulation::File(Plan& p) {
  v1::FileFundingRequest cmd;
  cmd.set_caf_id(p.caf);
  *cmd.mutable_request() = testing::Agent::Request(p.id, p.gestionnaire, p.first,
                                                   p.last - p.first + 1, p.collectifs, p.charges);
  auto& r = *cmd.mutable_request();
  r.set_autres_bf_cents(p.autres_bf);
  if (p.bonus_enfants) {
    r.mutable_bonus_enfants()->set_requested(true);
    r.mutable_bonus_enfants()->set_structured_project(true);
    r.mutable_bonus_enfants()->set_cultural_outings(true);
    r.mutable_bonus_enfants()->set_collectifs(p.collectifs);
  }
  if (p.bonus_parents) {
    r.mutable_bonus_parents()->set_requested(true);
    r.mutable_bonus_parents()->set_parent_support_project(true);
    r.mutable_bonus_parents()->set_specific_actions(true);
    r.mutable_bonus_parents()->set_collectifs(p.collectifs);
  }
  cmd.set_date(today_);
  std::string what = What(absl::StrCat("demande ", p.id));
  if (dice_.Chance(10)) {  // a collectif of 7 children in town: R-ELIG-1
    r.mutable_collectifs(0)->set_children(7);
    absl::StrAppend(&what, " avec un collectif de 7 enfants");
  } else if (dice_.Chance(5)) {
    r.set_gestionnaire_id("g-inconnu");
    absl::StrAppend(&what, " d'un gestionnaire inconnu");
  }
  Send(what, cmd, &Engine::FileFundingRequest, p.id);
}

void Simulation::Agree(Plan& p) {
  v1::RecordCommitteeDecision cmd;
  cmd.set_caf_id(p.caf);
  cmd.set_convention_id(p.id);
  auto* d = cmd.mutable_decision();
  d->set_outcome(v1::VALIDATED);
  d->set_mode(v1::POUR_VALIDATION);
  d->set_first_school_year(p.first);
  d->set_last_school_year(p.last);
  const auto agreed = static_cast<int32_t>(dice_.Between(1, p.collectifs));
  d->set_agreed_collectifs(agreed);
  if (p.bonus_enfants)
    d->set_bonus_enfants_collectifs(static_cast<int32_t>(dice_.Between(0, agreed)));
  if (p.bonus_parents)
    d->set_bonus_parents_collectifs(static_cast<int32_t>(dice_.Between(0, agreed)));
  cmd.set_date(today_);
  std::string what = What(absl::StrCat("agrément ", p.id));
  const int roll = static_cast<int>(dice_.Between(1, 100));
  if (roll <= 5 && !p.bonus_enfants) {  // a bonus with no project filed: R-BON-3
    d->set_bonus_enfants_collectifs(1);
    absl::StrAppend(&what, " avec un bonus enfants non demandé");
  } else if (roll <= 10) {
    d->set_last_school_year(p.last + 1);  // a year not requested: R-CONV-4
    absl::StrAppend(&what, " d'une année non demandée");
  } else if (roll <= 13) {
    d->set_mode(v1::POUR_INFORMATION);
    absl::StrAppend(&what, " pour information");
  }
  Send(what, cmd, &Engine::RecordCommitteeDecision, p.id);
}

void Simulation::Sign(Plan& p) {
  v1::SignConvention cmd;
  cmd.set_caf_id(p.caf);
  cmd.set_convention_id(p.id);
  cmd.set_first_school_year(p.first);
  // R-CONV-2: several years only for a centre social or a gestionnaire supported for two years;
  // now and then tried anyway.
  const ModelGestionnaire& g = model_.cafs[p.caf].gestionnaires[p.gestionnaire];
  const bool multi = g.centre_social || (g.supported_since > 0 && p.first - g.supported_since >= 2);
  cmd.set_last_school_year(multi || dice_.Chance(10) ? p.last : p.first);
  if (dice_.Chance(30)) {  // the convention's own forecast budget
    cmd.set_charges_cents(dice_.Between(200000, 4000000));
    if (dice_.Chance(30)) cmd.set_autres_bf_cents(dice_.Between(0, cmd.charges_cents() / 2));
  }
  cmd.set_date(today_);
  std::string what = What(absl::StrCat("signature ", p.id));
  if (dice_.Chance(10)) {  // one year more than agreed, or six years: R-CONV-4, R-CONV-2
    cmd.set_last_school_year(dice_.Chance(50) ? p.last + 1 : p.first + 5);
    absl::StrAppend(&what, " jusqu'en ", cmd.last_school_year());
  }
  Send(what, cmd, &Engine::SignConvention, p.id);
}

void Simulation::Avenant(Plan& p) {
  const ModelConvention* c = ModelOf(p);
  v1::SignAvenant cmd;
  cmd.set_caf_id(p.caf);
  cmd.set_convention_id(p.id);
  cmd.set_avenant_id(absl::StrCat("av-", c->last + 1));
  const bool identical = dice_.Chance(50);
  cmd.set_kind(identical ? v1::PROLONGATION_IDENTIQUE : v1::PROLONGATION_COLLECTIFS);
  cmd.set_school_year(c->last + 1);
  if (!identical) {
    cmd.set_collectifs(static_cast<int32_t>(dice_.Between(1, 5)));
    if (dice_.Chance(50)) cmd.set_charges_cents(dice_.Between(200000, 4000000));
  }
  cmd.set_date(today_);
  std::string what;
  const int roll = static_cast<int>(dice_.Between(1, 100));
  if (roll <= 8) {
    cmd.set_school_year(c->last + 2);  // not the year after the last: R-CONV-3
    what = " sautant une année";
  } else if (roll <= 14 && identical) {
    cmd.set_collectifs(c->years.at(c->last).notified + 1);  // "à l'identique" yet changed
    what = " à l'identique avec un autre nombre de collectifs";
  }
  Send(What(absl::StrCat("avenant ", p.id, " pour ", cmd.school_year(), what)), cmd,
       &Engine::SignAvenant, p.id);
}

void Simulation::YearStep(Plan& p, int32_t n) {
  const ModelConvention* c = ModelOf(p);
  const ModelYear& y = c->years.at(n);
  const int roll = static_cast<int>(dice_.Between(1, 100));
  if (roll <= (y.solde ? 2 : 8)) {  // after the solde: refused, R-CONV-5
    v1::NotifyCollectifs cmd;
    cmd.set_caf_id(p.caf);
    cmd.set_convention_id(p.id);
    cmd.set_notification_id(absl::StrCat("notif-", today_, "-", ++probes_));
    cmd.set_school_year(n);
    // Sometimes one more than agreed (R-CONV-3), or none.
    cmd.set_collectifs(static_cast<int32_t>(
        dice_.Between(dice_.Chance(5) ? 0 : 1, y.agreed_collectifs + (dice_.Chance(10) ? 1 : 0))));
    cmd.set_date(today_);
    return Send(What(absl::StrCat("notification ", p.id, " ", n, " : ", cmd.collectifs())), cmd,
                &Engine::NotifyCollectifs, p.id);
  }
  if (y.solde && dice_.Chance(3)) return Acompte(p, n);  // after the solde: R-PAY-4
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
  if (!y.solde || dice_.Chance(4)) return Solde(p, n);
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
  if (const ModelConvention* c = ModelOf(p);
      c != nullptr && !c->payment_ids.empty() && dice_.Chance(3)) {
    cmd.set_payment_id(*c->payment_ids.begin());  // a payment id used before: R-HIST-1
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
  ModelConvention* c = ModelOf(p);
  ModelYear& y = c->years.at(n);
  // An indu still open: a recovery (sometimes one cent too many, or dated before the indu).
  for (const ModelIndu& i : c->indus) {
    if (i.school_year != n || i.open() <= 0 || !dice_.Chance(60)) continue;
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
    return Send(What(absl::StrCat("recouvrement ", cmd.recovery_id(), " de ", cmd.indu_id(), " : ",
                                  cmd.amount_cents(), " daté ", cmd.date(), " ",
                                  cmd.method() == v1::OFFSET ? "compensé sur " : "",
                                  cmd.offset_convention_id(), " ", cmd.offset_payment_id())),
                cmd, &Engine::RecordRecovery, p.id);
  }
  if (y.rappel_due > 0 || dice_.Chance(3)) {
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
    }
    return Send(What(absl::StrCat("rappel ", p.id, " ", n, " : ", cmd.amount_cents())), cmd,
                &Engine::PayRappel, p.id);
  }
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
    if (!open->findings || dice_.Chance(10)) {
      v1::RecordControleFindings cmd;
      cmd.set_caf_id(p.caf);
      cmd.set_convention_id(p.id);
      cmd.set_controle_id(open->id);
      v1::ControlledYear* cy = cmd.add_years();
      cy->set_school_year(n);
      cy->mutable_figures()->set_collectifs(static_cast<int32_t>(dice_.Between(0, y.notified + 1)));
      cy->mutable_figures()->set_charges_cents(dice_.Between(0, 4000000));
      cy->mutable_figures()->set_bonus_enfants_collectifs(static_cast<int32_t>(
          dice_.Between(0, std::min(cy->figures().collectifs(), y.agreed_bonus_enfants))));
      cy->mutable_figures()->set_bonus_parents_collectifs(static_cast<int32_t>(
          dice_.Between(0, std::min(cy->figures().collectifs(), y.agreed_bonus_parents))));
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
  if (dice_.Chance(3)) {  // a decided contrôle decided again, or new findings: R-CTL-5
    v1::DecideControle cmd;
    cmd.set_caf_id(p.caf);
    cmd.set_convention_id(p.id);
    cmd.set_controle_id(y.controle_id);
    cmd.set_date(today_);
    Send(What(absl::StrCat("décision du contrôle ", y.controle_id, " une seconde fois")), cmd,
         &Engine::DecideControle, p.id);
  }
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

void Simulation::CloseStep(const std::string& caf) {
  ModelCaf& m = model_.cafs[caf];
  int32_t year = 2025;
  while (m.closed.count(year) > 0) ++year;
  v1::CloseCivilYear cmd;
  cmd.set_caf_id(caf);
  cmd.set_date(today_);
  const int roll = static_cast<int>(dice_.Between(1, 100));
  if (roll <= 10 && !m.closed.empty()) {
    cmd.set_civil_year(*m.closed.rbegin());  // closed twice: R-ACC-8
  } else if (roll <= 20) {
    cmd.set_civil_year(today_ / 10000);  // before its 31 December (unless today is): R-ACC-8
  } else if (roll <= 25 && today_ >= (year + 2) * 10000 + 115) {
    cmd.set_civil_year(year + 1);  // out of order: the next year closed first
  } else if (today_ >= (year + 1) * 10000 + 115) {
    cmd.set_civil_year(year);
  } else {
    return;
  }
  Send(What(absl::StrCat("clôture de ", caf, " ", cmd.civil_year())), cmd, &Engine::CloseCivilYear,
       "");
}

void Simulation::ProbeReplay() {
  ++summary_.steps;
  const Sent& s = sent_[dice_.Between(0, sent_.size() - 1)];
  const ledger::LogHead before = store_->Head();
  const bool same = dice_.Chance(60);
  auto result = same ? s.same(s.request_id) : s.other(s.request_id);
  const std::string what = absl::StrCat("requête ", s.request_id,
                                        same ? " rejouée" : " réutilisée avec un autre contenu");
  const ledger::LogHead after = store_->Head();
  if (after.position != before.position || after.hash != before.hash) {
    Violation("R-HIST-1", what + ": the log grew");
  }
  ++summary_.checks;
  if (same) {
    if (!result.ok() || !result->replayed) {
      return Violation("R-HIST-1",
                       absl::StrCat(what, ": not answered as a replay: ",
                                    result.ok() ? "executed" : result.status().ToString()));
    }
    std::vector<std::string> ids;
    for (const auto& e : result->events) ids.push_back(e.event_id);
    if (ids != s.event_ids) Violation("R-HIST-1", what + ": other events than the first answer");
    ++summary_.replays;
    return;
  }
  ++summary_.refused;
  if (result.ok() || !absl::IsAlreadyExists(result.status()) ||
      !testing::IsRefusal(result.status(), absl::StatusCode::kAlreadyExists, "R-HIST-1")) {
    Violation("R-HIST-1",
              absl::StrCat(what, ": ", result.ok() ? "accepted" : result.status().ToString()));
  }
}

void Simulation::ProbeWrongExpectedVersion() {
  const Plan& p = plans_[dice_.Between(0, plans_.size() - 1)];
  const std::string stream = ConventionStream(p.caf, p.id);
  auto events = log_->ReadStream(stream);
  if (!events.ok() || events->empty()) return;
  ++summary_.steps;
  ++summary_.refused;
  const uint64_t version = events->size();
  const uint64_t wrong = dice_.Chance(50) ? version + 1 : version - 1;
  v1::ClasEvent fact;
  fact.set_caf_id(p.caf);
  fact.set_convention_id(p.id);
  fact.mutable_collectifs_notified()->set_school_year(p.first);
  fact.mutable_collectifs_notified()->set_collectifs(1);
  const std::string id = absl::StrCat(p.caf, "/sim-conflict-", ++probes_);
  const ledger::LogHead before = store_->Head();
  std::vector<ledger::v1::EventData> data{ToEventData(fact, id, today_, p.caf, actor_, "sim")};
  auto appended = log_->Append(stream, wrong, std::move(data));
  const ledger::LogHead after = store_->Head();
  const std::string what =
      absl::StrCat("append to ", stream, " expecting version ", wrong, " (it is at ", version, ")");
  ++summary_.checks;
  if (appended.ok() || !absl::IsAborted(appended.status())) {
    Violation("expected version",
              absl::StrCat(what, ": ", appended.ok() ? "written" : appended.status().ToString()));
  }
  if (after.position != before.position || after.hash != before.hash) {
    Violation("expected version", what + ": the log grew");
  }
}

// --- runs ---------------------------------------------------------------------------------

SimSummary Simulation::Run() {
  SetUp();
  if (engine_ == nullptr) return summary_;
  while (today_ < kSimEnd && summary_.steps < kSimStepsMax) {
    today_ = Dice::Plus(today_, dice_.Between(0, 8));
    Step();
  }
  CheckAtTheEnd();
  summary_.events = static_cast<int64_t>(store_->Head().position);
  return summary_;
}

SimSummary RunSeeds(uint32_t first, uint32_t count, const std::string& work_dir,
                    const std::function<void(const SimSummary&)>& progress) {
  SimSummary total;
  for (uint32_t seed = first; seed < first + count; ++seed) {
    Simulation sim(seed, absl::StrCat(work_dir, "/seed-", seed));
    SimSummary s = sim.Run();
    if (progress) progress(s);
    total.Add(s);
  }
  return total;
}

std::string FormatSummary(const SimSummary& s, int64_t seeds) {
  return absl::StrCat("seeds ", seeds, ", steps ", s.steps, ", accepted ", s.accepted, ", refused ",
                      s.refused, ", replays ", s.replays, ", events ", s.events, ", checks ",
                      s.checks, ", violations: ", s.violations_total);
}

}  // namespace clas::sim
