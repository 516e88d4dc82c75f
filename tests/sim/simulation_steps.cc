// The simulation's generator (simulation.h): the set-up, the steps, and the sending of commands.
#include <algorithm>
#include <cstdio>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/sim/simulation_internal.h"

namespace clas::sim {

using testing::Dice;

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
      // R-CONV-2: most centres sociaux have an agrément délivré par la Caf, ending on a random
      // 31 December; now and then one is given to another gestionnaire (refused).
      if (cmd.kind() == v1::CENTRE_SOCIAL ? dice_.Chance(80) : dice_.Chance(3)) {
        cmd.set_centre_social_agrement_end(static_cast<int32_t>(dice_.Between(2023, 2032)) * 10000 +
                                           1231);
      }
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
  if (roll == 13) return RenewAgrement(cafs_[dice_.Between(0, cafs_.size() - 1)]);
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
    // Settled by a contrôle (after the solde or before it), its rappel paid, its indus recovered.
    const bool done = y.dc && y.rappel_due == 0 && c->IndusNotified(n) == c->Recovered(n);
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
  const bool multi = (g.centre_social && g.agrement_end > 0) ||
                     (g.supported_since > 0 && p.first - g.supported_since >= 2);
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

void Simulation::RenewAgrement(const std::string& caf) {
  // Mostly one of the Caf's centres sociaux; else any of its gestionnaires (another kind is
  // refused), now and then one the Caf does not know.
  std::vector<std::string> all, centres;
  for (const auto& [id, g] : model_.cafs[caf].gestionnaires) {
    all.push_back(id);
    if (g.centre_social) centres.push_back(id);
  }
  const std::vector<std::string>& pool = !centres.empty() && dice_.Chance(80) ? centres : all;
  if (pool.empty()) return;  // every registration of the Caf was refused: none to renew
  v1::RenewCentreSocialAgrement cmd;
  cmd.set_caf_id(caf);
  cmd.set_gestionnaire_id(dice_.Chance(5) ? "g-inconnu" : pool[dice_.Between(0, pool.size() - 1)]);
  // A 31 December from 2024 to 2034: before the day of the act, or the day already recorded,
  // it is refused.
  cmd.set_centre_social_agrement_end(static_cast<int32_t>(dice_.Between(2024, 2034)) * 10000 +
                                     1231);
  cmd.set_date(today_);
  Send(What(absl::StrCat("renouvellement de l'agrément de ", caf, "/", cmd.gestionnaire_id(),
                         " jusqu'au ", cmd.centre_social_agrement_end())),
       cmd, &Engine::RenewCentreSocialAgrement, "");
}

void Simulation::CloseStep(const std::string& caf) {
  ModelCaf& m = model_.cafs[caf];
  const int32_t year = m.closed.empty() ? 2025 : *m.closed.rbegin() + 1;
  v1::CloseCivilYear cmd;
  cmd.set_caf_id(caf);
  cmd.set_date(today_);
  const int roll = static_cast<int>(dice_.Between(1, 100));
  if (roll <= 10 && !m.closed.empty()) {
    cmd.set_civil_year(*m.closed.rbegin());  // closed twice: R-ACC-8
  } else if (roll <= 20) {
    cmd.set_civil_year(today_ / 10000);  // before its 31 December (unless today is): R-ACC-8
  } else if (roll <= 25 && today_ >= (year + 2) * 10000 + 115) {
    cmd.set_civil_year(year + 1);  // a year skipped: R-ACC-8 once the Caf has books before it
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

}  // namespace clas::sim
