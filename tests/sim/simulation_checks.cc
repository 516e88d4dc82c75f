// The invariants the simulation checks after every step and at the end of a run (simulation.h).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "ledger/base/absl_view.h"
#include "projections/history/recompute.h"
#include "tests/projections/own_offsets.h"
#include "tests/sim/simulation.h"

namespace clas::sim {
namespace {

// The books of a civil year that a closing fixes: accounts, codes, totals, payments. (The
// envelope follow-up of R-ACC-7 is left out: it reads the DP of today, not the DP of that year.)
std::string Signature(const rules::CivilYearReport& r) {
  std::string out;
  for (const auto& a : r.accounts) {
    absl::StrAppend(&out, base::ToAbsl(AccountName(a.account)), " ", a.opening.cents(), " ",
                    a.debits.cents(), " ", a.credits.cents(), " ", a.closing.cents(), "\n");
  }
  for (const auto& c : r.codes) {
    absl::StrAppend(&out, base::ToAbsl(CodeName(c.code)), " ", c.lines_amount.cents(), " ",
                    c.charge_debits.cents(), " ", c.charge_credits.cents(), "\n");
  }
  absl::StrAppend(&out, "debits ", r.total_debits.cents(), " credits ", r.total_credits.cents(),
                  " payments ", r.payments_from_lines.cents());
  return out;
}

v1::ConventionState Stamped(v1::ConventionState s, const AsOf& as_of) {
  s.set_as_of_date(as_of.effective_date);
  s.set_known_at_us(as_of.known_at_us);
  return s;
}

}  // namespace

void Simulation::Violation(const std::string& rule, const std::string& what) {
  ++summary_.violations_total;
  if (summary_.violations.size() >= kSimViolationsKeptMax) return;
  summary_.violations.push_back(
      absl::StrCat("seed ", seed_, ", step ", summary_.steps, ", ", rule, ": ", what));
}

bool Simulation::Same(const std::string& what, const google::protobuf::Message& want,
                      const google::protobuf::Message& got) {
  ++summary_.checks;
  google::protobuf::util::MessageDifferencer differencer;
  std::string diff;
  differencer.ReportDifferencesToString(&diff);
  if (differencer.Compare(want, got)) return true;
  Violation("R-HIST-2", absl::StrCat(what, ": ", diff.substr(0, 600)));
  return false;
}

void Simulation::CheckRefusal(const std::string& what, const Expectation& expected,
                              const absl::Status& status, const ledger::LogHead& before) {
  ++summary_.checks;
  const ledger::LogHead after = store_->Head();
  if (after.position != before.position || after.hash != before.hash) {
    Violation("R-HIST-1", absl::StrCat(what, ": refused (", status.ToString(),
                                       ") but the log moved from position ", before.position,
                                       " to ", after.position));
  }
  if (expected.accepted()) return;  // already reported
  const std::vector<std::string> named = testing::RuleIds(status);
  for (const auto& rule : expected.rules) {
    if (std::find(named.begin(), named.end(), rule) != named.end()) return;
    if (named.empty() && std::string(status.message()).rfind(rule + " ", 0) == 0) return;
  }
  std::string rules;
  for (const auto& r : expected.rules) absl::StrAppend(&rules, r, " ");
  Violation(rules, absl::StrCat(what, ": refused without naming the rule: ", status.ToString()));
}

void Simulation::CheckWarnings(const std::string& what, const Expectation& expected,
                              const CommandResult& result) {
  for (const auto& rule : expected.warnings) {
    ++summary_.checks;
    bool found = false;
    for (const auto& e : result.events) {
      for (const auto& w : e.fact.warnings()) found = found || w.rule_id() == rule;
    }
    if (!found) Violation(rule, absl::StrCat(what, ": accepted without the warning ", rule));
  }
}

void Simulation::CheckAccepted(const std::string& caf, const std::string& convention,
                               const CommandResult& result) {
  if (result.events.empty()) {
    Violation("R-HIST-1", "an accepted command recorded no event");
    return;
  }
  // The hash chain over the new events, and R-HIST-3 on what they computed (a closing is
  // recomputed at the end of the run, from the whole log).
  ++summary_.checks;
  auto verified = store_->Verify(result.events.front().position, result.events.back().position);
  if (!verified.ok() || !verified->ok) {
    Violation("chain", absl::StrCat("the new events do not verify: ",
                                    verified.ok() ? "bad hash" : verified.status().ToString()));
  }
  if (!convention.empty()) {
    ++summary_.checks;
    const auto differences = RecomputeCheck(result.events);
    if (!differences.empty()) Violation("R-HIST-3", differences.front().message);
  }
  if (!convention.empty()) {
    const std::string& caf_id = result.events.front().caf_id;
    auto now = engine_->GetConvention(caf_id, convention, AsOf{});
    if (!now.ok()) {
      Violation("R-HIST-2",
                absl::StrCat("GetConvention ", convention, ": ", now.status().ToString()));
      return;
    }
    // The answer's figures: those of the school years the command touched, as the convention
    // holds them now (nothing else was written since).
    std::optional<DomainEvent> target;
    if (result.events.front().fact.has_event_corrected()) {
      auto found = log_->FindEvent(result.events.front().fact.event_corrected().target_event_id());
      if (found.ok()) target = *std::move(found);
    }
    const DomainEvent& last = result.events.back();
    if (!result.figures.has_value()) {
      Violation("R-HIST-2", absl::StrCat("no figures in the answer of a command of ", convention));
    } else {
      Same(absl::StrCat("the answer's figures vs GetConvention of ", convention),
                  *result.figures,
                  FiguresOf(*now, TouchedYears(result.events, target ? &*target : nullptr, *now),
                            last.stream_version, last.position));
    }
    Engine fresh(log_.get());  // no cache: a fold from scratch of what the store holds
    auto rebuilt = fresh.GetConvention(caf_id, convention, AsOf{});
    if (!rebuilt.ok()) {
      Violation("R-HIST-2", absl::StrCat("fresh GetConvention: ", rebuilt.status().ToString()));
    } else {
      Same(absl::StrCat("a fold from scratch of ", convention), *now, *rebuilt);
    }
    CheckConvention(caf_id, convention, *now);
    // R-HIST-2: a fact effective on date D changes what "as of D" and later dates show.
    int32_t effective = today_;
    for (const auto& e : result.events) effective = std::min(effective, e.effective_date);
    std::vector<Snapshot>& snapshots = snapshots_[caf_id + "/" + convention];
    for (Snapshot& s : snapshots) s.as_of_date = s.as_of_date && s.date < effective;
    snapshots.push_back(Snapshot{result.events.back().recorded_at_us, today_, *now});
  }
  if (caf.empty()) return;
  for (const auto& e : result.events) {
    if (!e.fact.has_civil_year_closed()) continue;
    const int32_t year = e.fact.civil_year_closed().civil_year();
    auto report = engine_->GetCivilYear(caf, year, AsOf{});
    if (report.ok()) closed_reports_[caf][year] = e.event_id + "\n" + Signature(*report);
  }
  CheckCivilYear(caf, today_ / 10000);
  CheckClosedYears(caf);
}

void Simulation::CheckConvention(const std::string& caf, const std::string& id,
                                 const v1::ConventionState& s) {
  const ModelConvention& c = model_.cafs.at(caf).conventions.at(id);
  const std::string conv = caf + "/" + id;
  auto check = [&](bool ok, const std::string& rule, const std::string& what, int64_t want,
                   int64_t got) {
    ++summary_.checks;
    if (!ok) {
      Violation(rule,
                absl::StrCat(conv, " ", what, ": the model says ", want, ", the ledger ", got));
    }
  };
  auto equal = [&](const std::string& rule, const std::string& what, int64_t want, int64_t got) {
    check(want == got, rule, what, want, got);
  };
  if (!c.signed_) return;
  for (int32_t n = c.first; n <= c.last; ++n) {
    const ModelYear& m = c.years.at(n);
    const v1::SchoolYearState* y = FindYear(s, n);
    const std::string sy = absl::StrCat(n, " ");
    if (y == nullptr) {
      Violation("R-CONV-1", absl::StrCat(conv, " has no school year ", n));
      continue;
    }
    equal("R-CONV-5", sy + "collectifs notified", m.notified, y->notified_collectifs());
    const auto dp = model_.Dp(c, m);
    check(dp.has_value() == y->has_dp(), "R-DROIT-7", sy + "DP computed", dp.has_value(),
          y->has_dp());
    if (dp && y->has_dp()) {
      equal("R-DROIT-2", sy + "DP base", dp->base, y->dp().base_cents());
      equal("R-DROIT-3", sy + "DP PS", dp->ps, y->dp().ps_cents());
      equal("R-DROIT-5", sy + "DP droit", dp->droit, y->dp().droit_cents());
      equal("R-PAY-1", sy + "DP N share", dp->n_share, y->dp().n_share_cents());
      equal("R-DROIT-5", sy + "DP bonus enfants", dp->bonus_enfants, y->dp().bonus_enfants_cents());
      equal("R-DROIT-5", sy + "DP bonus parents", dp->bonus_parents, y->dp().bonus_parents_cents());
    }
    equal("R-PAY-4", sy + "acomptes N", m.AcomptesOfCivilYear(n), y->acomptes_n_cents());
    equal("R-PAY-4", sy + "acomptes N+1", m.AcomptesOfCivilYear(n + 1), y->acomptes_n1_cents());
    equal("R-PAY-2", sy + "acomptes count", m.acomptes.size(), y->acomptes_size());
    std::map<int32_t, int64_t> paid_share;  // R-PAY-2/3/6: each within the cap it was paid under
    for (int i = 0; i < y->acomptes_size() && i < static_cast<int>(m.acomptes.size()); ++i) {
      const auto& p = y->acomptes(i);
      paid_share[p.civil_year()] += p.amount_cents();
      const std::string rule = p.civil_year() == n ? "R-PAY-2" : "R-PAY-3";
      check(paid_share[p.civil_year()] <= p.cap_cents(), rule,
            sy + "acomptes of the share above the cap of " + p.payment_id(), p.cap_cents(),
            paid_share[p.civil_year()]);
      equal("R-PAY-6", sy + "cap of " + p.payment_id(), m.acomptes[i].cap, p.cap_cents());
    }
    check(m.bilan.has_value() == y->bilan_received(), "R-CONV-6", sy + "bilan received",
          m.bilan.has_value(), y->bilan_received());
    if (m.bilan && model_.baremes.count(n) > 0) {
      const auto dr = model_.Droit(m, model_.Within(c, m, *m.bilan));
      equal("R-DROIT-6", sy + "DR", dr->droit, y->has_dr() ? y->dr().droit_cents() : -1);
      equal("R-DROIT-5", sy + "DR bonus enfants", dr->bonus_enfants, y->dr().bonus_enfants_cents());
      equal("R-DROIT-5", sy + "DR bonus parents", dr->bonus_parents, y->dr().bonus_parents_cents());
      equal("R-PAY-1", sy + "DR N share", dr->n_share, y->dr().n_share_cents());
      // R-PAY-5, R-PAY-9: once the solde is paid, paid net and the complément still due make
      // the DR (as corrected since).
      if (m.solde && m.controle_id.empty()) {
        equal("R-PAY-9", sy + "paid net + complément due after the solde", dr->droit,
              m.Paid() - c.IndusNotified(n) + m.complement_due);
        equal("R-PAY-9", sy + "DR settled", m.settled_dr, dr->droit);
      }
    }
    check(m.solde.has_value() == y->solde_paid(), "R-PAY-5", sy + "solde paid", m.solde.has_value(),
          y->solde_paid());
    if (m.solde) equal("R-PAY-5", sy + "solde", m.solde->amount, y->solde().amount_cents());
    if (m.solde) {
      equal("R-PAY-9", sy + "solde settled", m.settled_dr - m.Acomptes(),
            y->solde_settled_cents());
    }
    equal("R-PAY-9", sy + "complément due", m.complement_due, y->complement_due_cents());
    equal("R-CTL-3", sy + "rappels", m.Rappels(), [&] {
      int64_t sum = 0;
      for (const auto& r : y->rappels()) sum += r.amount_cents();
      return sum;
    }());
    equal("R-CTL-3", sy + "rappel due", m.rappel_due, y->rappel_due_cents());
    // R-CTL-3, R-ACC-9: each payment shows the offsets withheld from it, by any convention of
    // its gestionnaire.
    const auto& paid = model_.cafs.at(caf).paid;
    auto offset = [&](const v1::PaymentRecord& r) {
      auto it = paid.find({id, r.payment_id()});
      equal("R-ACC-9", sy + "offset withheld from " + r.payment_id(),
            it == paid.end() ? 0 : it->second.withheld, r.offset_cents());
    };
    for (const auto& r : y->acomptes()) offset(r);
    for (const auto& r : y->rappels()) offset(r);
    if (y->solde_paid()) offset(y->solde());
    if (m.dc) {
      equal("R-CTL-2", sy + "DC", m.dc->droit, y->has_dc() ? y->dc().droit_cents() : -1);
      equal("R-DROIT-5", sy + "DC PS", m.dc->ps, y->dc().ps_cents());
      equal("R-DROIT-5", sy + "DC bonus parents", m.dc->bonus_parents,
            y->dc().bonus_parents_cents());
      // R-CTL-3: after the decision, what was paid net and the rappel still due make DC.
      equal("R-CTL-3", sy + "paid net + rappel due", m.dc->droit,
            m.Paid() - c.IndusNotified(n) + m.rappel_due);
    }
    equal("R-CTL-2", sy + "paid", m.Paid(), y->paid_cents());
    equal("R-CTL-2", sy + "paid net", m.Paid() - c.IndusNotified(n), y->paid_net_cents());
    equal("R-CTL-5", sy + "indus notified", c.IndusNotified(n), y->indus_notified_cents());
    equal("R-CTL-5", sy + "indus recovered", c.Recovered(n), y->indus_recovered_cents());
    equal("R-CTL-5", sy + "indus open", c.IndusNotified(n) - c.Recovered(n), y->indus_open_cents());
  }
  equal("R-CTL-5", "indus count", c.indus.size(), s.indus_size());
  for (const ModelIndu& i : c.indus) {
    const v1::InduState* found = nullptr;
    for (const auto& x : s.indus()) {
      if (x.indu_id() == i.id) found = &x;
    }
    if (found == nullptr) {
      Violation("R-CTL-3", absl::StrCat(conv, " indu ", i.id, " missing"));
      continue;
    }
    equal("R-CTL-3", "indu " + i.id, i.amount, found->amount_cents());
    equal("R-CTL-5", "indu recovered " + i.id, i.recovered, found->recovered_cents());
    equal("R-CTL-5", "indu open " + i.id, i.open(), found->open_cents());
  }
}

void Simulation::CheckCivilYear(const std::string& caf, int32_t year) {
  ++summary_.checks;
  auto report = engine_->GetCivilYear(caf, year, AsOf{});
  if (!report.ok()) {
    Violation("R-ACC-10", absl::StrCat(caf, " ", year, ": ", report.status().ToString()));
    return;
  }
  if (!report->balanced()) {
    Violation("R-ACC-10",
              absl::StrCat(caf, " ", year, " does not balance: ", report->failed_checks.front()));
  }
  // R-ACC-7: the DPs in force on 31 December of the year.
  const auto [n_shares, n1_shares] = model_.Envelope(caf, year);
  if (report->envelope.n_shares.cents() != n_shares ||
      report->envelope.n1_shares.cents() != n1_shares) {
    Violation("R-ACC-7", absl::StrCat(caf, " ", year, " envelope: the model says N shares ",
                                      n_shares, " and N+1 shares ", n1_shares, ", the ledger ",
                                      report->envelope.n_shares.cents(), " and ",
                                      report->envelope.n1_shares.cents()));
  }
  const auto& m = model_.cafs[caf].payments_by_civil_year;
  const int64_t want = m.count(year) > 0 ? m.at(year) : 0;
  if (report->payments_from_events.cents() != want || report->payments_from_lines.cents() != want) {
    Violation("R-ACC-10", absl::StrCat(caf, " ", year, " payments: the model says ", want,
                                       ", the events ", report->payments_from_events.cents(),
                                       ", the lines ", report->payments_from_lines.cents()));
  }
}

void Simulation::CheckClosedYears(const std::string& caf) {
  for (const auto& [year, signature] : closed_reports_[caf]) {
    ++summary_.checks;
    auto closing = log_->ReadStream(CivilYearStream(caf, year));
    auto report = engine_->GetCivilYear(caf, year, AsOf{});
    if (!closing.ok() || closing->size() != 1 || !report.ok() ||
        closing->front().event_id + "\n" + Signature(*report) != signature) {
      Violation("R-ACC-8",
                absl::StrCat(caf, " closed year ", year, " changed: was\n", signature, "\nis now\n",
                             report.ok() ? Signature(*report) : report.status().ToString()));
      closed_reports_[caf][year] = report.ok() && closing.ok() && !closing->empty()
                                       ? closing->front().event_id + "\n" + Signature(*report)
                                       : signature;  // report each change once
    }
  }
}

void Simulation::CheckAtTheEnd() {
  const ledger::LogHead head = store_->Head();
  ++summary_.checks;
  auto verified = store_->Verify(1, head.position);
  if (!verified.ok() || !verified->ok) {
    Violation("chain",
              verified.ok() ? "the hash chain does not verify" : verified.status().ToString());
  }
  std::vector<DomainEvent> all;
  for (uint64_t from = 1; from <= head.position;) {
    auto page = store_->ReadAll(from, ledger::kReadEventsMax);
    if (!page.ok() || page->empty()) break;
    for (const auto& r : *page) {
      auto e = FromRecord(r.body);
      if (e.ok()) all.push_back(*std::move(e));
    }
    from += page->size();
  }
  ++summary_.checks;
  const auto differences = RecomputeCheck(all);
  if (!differences.empty()) {
    Violation("R-HIST-3", absl::StrCat(differences.size(),
                                       " differences, the first: ", differences.front().message));
  }
  for (const auto& caf : cafs_) {
    for (int32_t year = 2025; year <= kSimEnd / 10000; ++year) CheckCivilYear(caf, year);
    CheckClosedYears(caf);
    CheckBooks(caf);
  }
  for (const auto& [key, snapshots] : snapshots_) CheckAsOf(key, snapshots);
}

// R-HIST-2: known at T = the state the step answered at T; as of the date of a step (when the
// next step of the convention is dated later) = the state after that step.
void Simulation::CheckAsOf(const std::string& key, const std::vector<Snapshot>& snapshots) {
  const std::string caf = key.substr(0, key.find('/'));
  const std::string id = key.substr(key.find('/') + 1);
  auto now = engine_->GetConvention(caf, id, AsOf{});
  // Offsets withheld from its payments by other conventions (R-ACC-9) show without an event of
  // its own: the last step is compared with what its own stream says.
  if (now.ok()) {
    Same(key + " as of the end = the last step",
         testing::WithOwnOffsetsOnly(snapshots.back().state), testing::WithOwnOffsetsOnly(*now));
  }
  for (int k = 0; k < 4; ++k) {
    const size_t i = dice_.Between(0, snapshots.size() - 1);
    const Snapshot& s = snapshots[i];
    const AsOf known{.known_at_us = s.known_at_us};
    auto then = engine_->GetConvention(caf, id, known);
    if (!then.ok()) {
      Violation("R-HIST-2",
                absl::StrCat(key, " known at ", s.known_at_us, ": ", then.status().ToString()));
      continue;
    }
    Same(absl::StrCat(key, " known at ", s.known_at_us), Stamped(s.state, known), *then);
    if (!s.as_of_date) continue;
    const AsOf dated{.effective_date = s.date};
    auto on_date = engine_->GetConvention(caf, id, dated);
    if (!on_date.ok()) {
      Violation("R-HIST-2",
                absl::StrCat(key, " as of ", s.date, ": ", on_date.status().ToString()));
      continue;
    }
    Same(absl::StrCat(key, " as of ", s.date),
         testing::WithOwnOffsetsOnly(Stamped(s.state, dated)), testing::WithOwnOffsetsOnly(*on_date));
  }
}

}  // namespace clas::sim
