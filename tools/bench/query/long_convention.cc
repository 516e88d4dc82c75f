#include "tools/bench/query/long_convention.h"

#include <algorithm>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/base/status_macros.h"

namespace clas::bench {
namespace {

ledger::v1::Actor ActorOf(const std::string& id, const std::string& role,
                          const std::string& tenant) {
  ledger::v1::Actor a;
  a.set_id(id);
  a.set_role(role);
  a.set_tenant_id(tenant);
  return a;
}

// The commands of one convention, with the stream's event count kept, stopping at a maximum.
class Desk {
 public:
  Desk(Engine& engine, std::string caf, std::string convention, uint64_t events_max)
      : engine_(engine),
        caf_(std::move(caf)),
        convention_(std::move(convention)),
        agent_(ActorOf(absl::StrCat("agent-", caf_), "agent", caf_)),
        controleur_(ActorOf(absl::StrCat("controleur-", caf_), "controleur", caf_)),
        max_(events_max) {}

  bool full() const { return events_ >= max_; }
  uint64_t events() const { return events_; }
  int32_t last_date() const { return last_date_; }

  // Runs `command` (unless the stream is full): FailedPrecondition naming `what` when refused.
  absl::StatusOr<CommandResult> Run(
      const std::string& what, int32_t date,
      const std::function<absl::StatusOr<CommandResult>(const std::string& request_id)>& command) {
    if (full()) return absl::OutOfRangeError("full");
    absl::StatusOr<CommandResult> r = command(absl::StrCat(convention_, "/", ++requests_));
    if (!r.ok()) {
      return absl::FailedPreconditionError(
          absl::StrFormat("building the long convention: %s dated %d was refused: %s", what, date,
                          r.status().ToString()));
    }
    for (const DomainEvent& e : r->events) {
      if (e.stream_id == ConventionStream(caf_, convention_)) {
        ++events_;
        last_date_ = std::max(last_date_, e.effective_date);
      }
    }
    return r;
  }

  template <typename Cmd>
  Cmd Base(int32_t date) const {
    Cmd cmd;
    cmd.set_caf_id(caf_);
    cmd.set_convention_id(convention_);
    cmd.set_date(date);
    return cmd;
  }

  Engine& engine() { return engine_; }
  const ledger::v1::Actor& agent() const { return agent_; }
  const ledger::v1::Actor& controleur() const { return controleur_; }
  const std::string& caf() const { return caf_; }
  const std::string& convention() const { return convention_; }

 private:
  Engine& engine_;
  const std::string caf_, convention_;
  const ledger::v1::Actor agent_, controleur_;
  const uint64_t max_;
  uint64_t events_ = 0;
  int32_t last_date_ = 0;
  int requests_ = 0;
};

// Stops the caller when the desk is full (not an error), returns other errors.
#define BENCH_STEP(expr)                                            \
  do {                                                              \
    if (desk.full()) return absl::OkStatus();                       \
    auto bench_step_result = (expr);                                \
    if (!bench_step_result.ok()) {                                  \
      if (desk.full()) return absl::OkStatus();                     \
      return bench_step_result.status();                            \
    }                                                               \
  } while (false)

absl::Status EnsureBaremes(Engine& engine, int32_t first, int32_t last) {
  ASSIGN_OR_RETURN(BaremeBook book, engine.Baremes(AsOf{}));
  const ledger::v1::Actor cnaf = ActorOf("cnaf-bareme-bench", "cnaf", "cnaf");
  for (int32_t n = first; n <= last; ++n) {
    if (book.Find(n) != nullptr) continue;
    v1::PublishBareme cmd;
    cmd.mutable_bareme()->set_school_year(n);
    cmd.mutable_bareme()->set_plafond_cents(760000 + 10000 * (n - 2021));
    cmd.mutable_bareme()->set_bonus_enfants_cents(80000);
    cmd.mutable_bareme()->set_bonus_parents_cents(60000);
    cmd.set_date((n - 1) * 10000 + 601);
    RETURN_IF_ERROR(engine.PublishBareme(cmd, cnaf, absl::StrCat("bench-bareme-", n)).status());
  }
  return absl::OkStatus();
}

v1::FundingRequestFiled Request(const std::string& convention, const std::string& g,
                                int32_t first_year, int32_t years, int collectifs,
                                int64_t charges) {
  v1::FundingRequestFiled r;
  r.set_convention_id(convention);
  r.set_gestionnaire_id(g);
  r.set_first_school_year(first_year);
  r.set_school_years(years);
  for (int i = 0; i < collectifs; ++i) {
    v1::Collectif* c = r.add_collectifs();
    c->set_collectif_id(absl::StrCat("C", i + 1));
    c->set_children(10);
    c->set_animateurs(2);
    c->set_sessions_per_week(2);
    c->set_session_minutes(90);
    c->set_weeks(30);
    c->add_levels(v1::ELEMENTAIRE);
    c->add_levels(v1::COLLEGE);
    c->set_single_accessible_place(true);
  }
  r.mutable_axes()->set_children(true);
  r.mutable_axes()->set_parents(true);
  r.mutable_axes()->set_school(true);
  r.mutable_axes()->set_local_partners(true);
  r.set_family_participation_symbolic(true);
  r.set_action_start_date(first_year * 10000 + 1105);
  r.set_action_end_date((first_year + 1) * 10000 + 630);
  r.set_charges_cents(charges);
  return r;
}

absl::Status Register(Engine& engine, const std::string& caf, const std::string& g,
                      const ledger::v1::Actor& agent) {
  v1::RegisterGestionnaire cmd;
  cmd.set_caf_id(caf);
  cmd.set_gestionnaire_id(g);
  cmd.set_name(absl::StrCat("Centre social ", g));
  cmd.set_kind(v1::CENTRE_SOCIAL);
  cmd.set_supported_since_school_year(2018);
  cmd.set_date(20210301);
  return engine.RegisterGestionnaire(cmd, agent, absl::StrCat("bench-register-", g)).status();
}

// Request, comité, signature of a convention for school years first..last.
absl::Status Open(Desk& desk, const std::string& g, int32_t first, int32_t last, int collectifs,
                  int32_t year_before) {
  Engine& engine = desk.engine();
  BENCH_STEP(desk.Run("the request", year_before * 10000 + 401, [&](const std::string& rid) {
    v1::FileFundingRequest cmd;
    cmd.set_caf_id(desk.caf());
    *cmd.mutable_request() =
        Request(desk.convention(), g, first, last - first + 1, collectifs, 4'000'000);
    cmd.set_date(year_before * 10000 + 401);
    return engine.FileFundingRequest(cmd, desk.agent(), rid);
  }));
  BENCH_STEP(desk.Run("the comité", year_before * 10000 + 515, [&](const std::string& rid) {
    auto cmd = desk.Base<v1::RecordCommitteeDecision>(year_before * 10000 + 515);
    auto* d = cmd.mutable_decision();
    d->set_outcome(v1::VALIDATED);
    d->set_mode(v1::POUR_VALIDATION);
    d->set_first_school_year(first);
    d->set_last_school_year(last);
    d->set_agreed_collectifs(collectifs);
    d->set_bonus_enfants_collectifs(0);
    d->set_bonus_parents_collectifs(0);
    return engine.RecordCommitteeDecision(cmd, desk.agent(), rid);
  }));
  BENCH_STEP(desk.Run("the signature", year_before * 10000 + 601, [&](const std::string& rid) {
    auto cmd = desk.Base<v1::SignConvention>(year_before * 10000 + 601);
    cmd.set_first_school_year(first);
    cmd.set_last_school_year(last);
    return engine.SignConvention(cmd, desk.agent(), rid);
  }));
  return absl::OkStatus();
}

absl::StatusOr<CommandResult> Notify(Desk& desk, int32_t n, int32_t collectifs, int32_t date,
                                     const std::string& id) {
  return desk.Run(absl::StrCat("notification ", id), date, [&](const std::string& rid) {
    auto cmd = desk.Base<v1::NotifyCollectifs>(date);
    cmd.set_notification_id(id);
    cmd.set_school_year(n);
    cmd.set_collectifs(collectifs);
    return desk.engine().NotifyCollectifs(cmd, desk.agent(), rid);
  });
}

absl::StatusOr<CommandResult> Acompte(Desk& desk, int32_t n, const std::string& id,
                                      int64_t amount, int32_t date) {
  return desk.Run(absl::StrCat("acompte ", id), date, [&](const std::string& rid) {
    auto cmd = desk.Base<v1::PayAcompte>(date);
    cmd.set_payment_id(id);
    cmd.set_school_year(n);
    cmd.set_amount_cents(amount);
    return desk.engine().PayAcompte(cmd, desk.agent(), rid);
  });
}

absl::StatusOr<CommandResult> Correct(Desk& desk, const std::string& target, bool cancel,
                                      const v1::ClasEvent& replacement, int32_t date,
                                      const std::string& reason) {
  return desk.Run(absl::StrCat("correction of ", target), date, [&](const std::string& rid) {
    auto cmd = desk.Base<v1::CorrectEvent>(0);
    cmd.set_target_event_id(target);
    cmd.set_reason(reason);
    cmd.set_cancel(cancel);
    if (!cancel) *cmd.mutable_replacement() = replacement;
    return desk.engine().CorrectEvent(cmd, desk.agent(), rid);
  });
}

// The day of the `i`-th of `count` events spread in order over `months` months of `year` from
// `first_month` (days 1..28): the dates never go back, as an agent's days do not.
int32_t Spread(int32_t year, int32_t first_month, int32_t months, int i, int count) {
  const int64_t slot = int64_t{i} * months * 28 / std::max(count, 1);
  return year * 10000 + static_cast<int32_t>(first_month + slot / 28) * 100 +
         static_cast<int32_t>(1 + slot % 28);
}


// School year n: notifications (one corrected), acomptes in civil years n and n+1 (a few
// cancelled), the bilan (corrected twice), the solde.
absl::Status SchoolYear(Desk& desk, int32_t n, int acomptes_per_civil_year) {
  ASSIGN_OR_RETURN(CommandResult first, Notify(desk, n, 4, n * 10000 + 910, absl::StrCat("n", n, "-1")));
  BENCH_STEP(Notify(desk, n, 3, n * 10000 + 1105, absl::StrCat("n", n, "-2")));
  if (desk.full()) return absl::OkStatus();
  // The first notification said 4 collectifs; it was 4 indeed, but the correction records the
  // date the comité's letter left (same figures: a correction may replace with equal figures).
  v1::ClasEvent same = first.events.front().fact;
  BENCH_STEP(Correct(desk, first.events.front().event_id, false, same, 0,
                     "notification : erreur de saisie"));
  BENCH_STEP(Notify(desk, n, 4, n * 10000 + 1201, absl::StrCat("n", n, "-3")));
  // Acomptes of 15 € each, less when there are many: together under the caps of R-PAY-2/3
  // for four collectifs (2 766,40 € for the N share), in date order.
  const int64_t amount = std::min<int64_t>(1500, 200'000 / std::max(acomptes_per_civil_year, 1));
  std::vector<std::string> paid;
  for (int i = 0; i < acomptes_per_civil_year; ++i) {
    const std::string id = absl::StrCat("a", n, "-1-", i);
    const int32_t date = Spread(n, 12, 1, i, acomptes_per_civil_year);
    if (desk.full()) return absl::OkStatus();
    ASSIGN_OR_RETURN(CommandResult r, Acompte(desk, n, id, amount, date));
    paid.push_back(r.events.front().event_id);
  }
  for (int i = 0; i < acomptes_per_civil_year; ++i) {
    BENCH_STEP(Acompte(desk, n, absl::StrCat("a", n, "-2-", i), amount,
                       Spread(n + 1, 1, 6, i, acomptes_per_civil_year)));
  }
  // Acomptes of civil year n cancelled while n is open (the Caf of the bench never closes).
  for (size_t i = 0; i < paid.size() && i < 4; ++i) {
    BENCH_STEP(Correct(desk, paid[paid.size() - 1 - i], true, v1::ClasEvent(), 0,
                       "acompte versé en double"));
  }
  if (desk.full()) return absl::OkStatus();
  const int32_t bilan_date = (n + 1) * 10000 + 915;
  ASSIGN_OR_RETURN(CommandResult bilan,
                   desk.Run(absl::StrCat("bilan ", n), bilan_date, [&](const std::string& rid) {
                     auto cmd = desk.Base<v1::ReceiveBilan>(bilan_date);
                     cmd.set_school_year(n);
                     cmd.mutable_figures()->set_collectifs(4);
                     cmd.mutable_figures()->set_charges_cents(3'900'000);
                     cmd.mutable_figures()->set_bonus_enfants_collectifs(0);
                     cmd.mutable_figures()->set_bonus_parents_collectifs(0);
                     return desk.engine().ReceiveBilan(cmd, desk.agent(), rid);
                   }));
  for (int k = 0; k < 2; ++k) {
    v1::ClasEvent fixed = bilan.events.front().fact;
    fixed.mutable_bilan_received()->mutable_figures()->set_charges_cents(3'800'000 - 50'000 * k);
    BENCH_STEP(Correct(desk, bilan.events.front().event_id, false, fixed, 0,
                       "bilan : charges rectifiées"));
  }
  const int32_t solde_date = (n + 1) * 10000 + 1015;
  BENCH_STEP(desk.Run(absl::StrCat("solde ", n), solde_date, [&](const std::string& rid) {
    auto cmd = desk.Base<v1::PaySolde>(solde_date);
    cmd.set_payment_id(absl::StrCat("s", n));
    cmd.set_school_year(n);
    return desk.engine().PaySolde(cmd, desk.agent(), rid);
  }));
  return absl::OkStatus();
}

// A contrôle of school year n that finds fewer collectifs: an indu, recovered in instalments.
absl::Status Controle(Desk& desk, int32_t n) {
  const std::string id = absl::StrCat("ctl-", n);
  const int32_t open = (n + 2) * 10000 + 115, found = (n + 2) * 10000 + 215,
                decided = (n + 2) * 10000 + 301;
  BENCH_STEP(desk.Run("contrôle " + id, open, [&](const std::string& rid) {
    auto cmd = desk.Base<v1::OpenControle>(open);
    cmd.set_controle_id(id);
    cmd.add_school_years(n);
    return desk.engine().OpenControle(cmd, desk.controleur(), rid);
  }));
  BENCH_STEP(desk.Run("findings " + id, found, [&](const std::string& rid) {
    auto cmd = desk.Base<v1::RecordControleFindings>(found);
    cmd.set_controle_id(id);
    v1::ControlledYear* y = cmd.add_years();
    y->set_school_year(n);
    y->mutable_figures()->set_collectifs(3);
    y->mutable_figures()->set_charges_cents(2'400'000);
    return desk.engine().RecordControleFindings(cmd, desk.controleur(), rid);
  }));
  if (desk.full()) return absl::OkStatus();
  ASSIGN_OR_RETURN(CommandResult decision,
                   desk.Run("decision " + id, decided, [&](const std::string& rid) {
                     auto cmd = desk.Base<v1::DecideControle>(decided);
                     cmd.set_controle_id(id);
                     return desk.engine().DecideControle(cmd, desk.controleur(), rid);
                   }));
  for (const DomainEvent& e : decision.events) {
    if (!e.fact.has_indu_notified()) continue;
    const std::string indu = e.fact.indu_notified().indu_id();
    const int64_t amount = e.fact.indu_notified().amount_cents();
    constexpr int kInstalments = 12;
    for (int i = 0; i < kInstalments; ++i) {
      const int64_t part = amount / kInstalments + (i < amount % kInstalments ? 1 : 0);
      if (part == 0) continue;
      const int32_t date = Spread(n + 2, 4, 5, i, kInstalments);
      BENCH_STEP(desk.Run("recovery", date, [&](const std::string& rid) {
        auto cmd = desk.Base<v1::RecordRecovery>(date);
        cmd.set_recovery_id(absl::StrCat("r-", indu, "-", i));
        cmd.set_indu_id(indu);
        cmd.set_amount_cents(part);
        cmd.set_method(v1::REPAYMENT);
        return desk.engine().RecordRecovery(cmd, desk.agent(), rid);
      }));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<CommandResult> Avenant(Desk& desk, const std::string& id, v1::AvenantKind kind,
                                      int32_t year, int32_t collectifs, int32_t date) {
  return desk.Run("avenant " + id, date, [&](const std::string& rid) {
    auto cmd = desk.Base<v1::SignAvenant>(date);
    cmd.set_avenant_id(id);
    cmd.set_kind(kind);
    cmd.set_school_year(year);
    cmd.set_collectifs(collectifs);
    if (kind == v1::PROLONGATION_COLLECTIFS) cmd.set_charges_cents(4'100'000);
    return desk.engine().SignAvenant(cmd, desk.agent(), rid);
  });
}

absl::Status History(Desk& desk, const std::string& g, int acomptes_per_civil_year) {
  RETURN_IF_ERROR(Open(desk, g, kLongFirstSchoolYear, kLongFirstSchoolYear + 2, 4, 2021));
  // Year by year: the contrôle of the year two before (dated from January), the avenant before
  // the year it adds, the year itself. The stream stops at the wanted count, in the last year.
  for (int32_t n = kLongFirstSchoolYear; n <= kLongLastSchoolYear; ++n) {
    if (n - 2 >= kLongFirstSchoolYear && n - 2 <= kLongFirstSchoolYear + 2) {
      RETURN_IF_ERROR(Controle(desk, n - 2));
    }
    if (n == kLongFirstSchoolYear + 3) {
      BENCH_STEP(Avenant(desk, "av-1", v1::PROLONGATION_IDENTIQUE, n, 0, n * 10000 + 615));
    }
    if (n == kLongFirstSchoolYear + 4) {
      BENCH_STEP(Avenant(desk, "av-2", v1::PROLONGATION_COLLECTIFS, n, 4, n * 10000 + 615));
    }
    RETURN_IF_ERROR(SchoolYear(desk, n, acomptes_per_civil_year));
    if (desk.full()) return absl::OkStatus();
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<LongConvention> BuildLongConvention(Engine& engine, uint64_t events_wanted) {
  events_wanted = std::max<uint64_t>(events_wanted, 20);
  LongConvention out{.caf_id = kBenchCaf, .convention_id = kLongConvention,
                     .gestionnaire_id = "cs-bench-long"};
  ASSIGN_OR_RETURN(auto existing, engine.ConventionEvents(out.caf_id, out.convention_id));
  if (!existing.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("convention ", out.convention_id, " exists already in this log"));
  }
  RETURN_IF_ERROR(EnsureBaremes(engine, kLongFirstSchoolYear, kLongLastSchoolYear));
  Desk desk(engine, out.caf_id, out.convention_id, events_wanted);
  RETURN_IF_ERROR(Register(engine, out.caf_id, out.gestionnaire_id, desk.agent()));
  // Fixed events: 3 to open, 2 avenants, per year 4 notifications and corrections, 4
  // cancellations, 3 bilan events and a solde (12 x 5), 3 contrôles of up to 15 events. The rest
  // are acomptes, 2 x k per school year, with a margin so that the count is reached in the last
  // year.
  const uint64_t fixed = 3 + 2 + 12 * 5 + 15 * 3;
  const int k = static_cast<int>(
      std::max<uint64_t>(4, (events_wanted > fixed ? events_wanted - fixed : 0) / 10 + 4));
  RETURN_IF_ERROR(History(desk, out.gestionnaire_id, k));
  if (!desk.full()) {
    return absl::InternalError(absl::StrFormat(
        "the long convention's history gave %d events, short of %d", desk.events(), events_wanted));
  }
  return FindLongConvention(engine);
}

absl::StatusOr<LongConvention> FindLongConvention(Engine& engine) {
  LongConvention out{.caf_id = kBenchCaf, .convention_id = kLongConvention,
                     .gestionnaire_id = "cs-bench-long"};
  ASSIGN_OR_RETURN(auto events, engine.ConventionEvents(out.caf_id, out.convention_id));
  if (events.empty()) {
    return absl::NotFoundError(absl::StrCat("no convention ", out.convention_id, " in this log"));
  }
  out.events = events.size();
  out.first_date = events.front().effective_date;
  for (const auto& e : events) out.last_date = std::max(out.last_date, e.effective_date);
  return out;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> BuildPayableConventions(
    Engine& engine, int count) {
  RETURN_IF_ERROR(EnsureBaremes(engine, 2025, 2025));
  std::vector<std::pair<std::string, std::string>> out;
  for (int i = 1; i <= count; ++i) {
    const std::string caf = absl::StrFormat("caf-bench-%02d", i);
    const std::string conv = "conv-bench-pay";
    ASSIGN_OR_RETURN(auto existing, engine.ConventionEvents(caf, conv));
    if (existing.empty()) {
      Desk desk(engine, caf, conv, 1'000'000);
      RETURN_IF_ERROR(Register(engine, caf, "cs-bench-pay", desk.agent()));
      RETURN_IF_ERROR(Open(desk, "cs-bench-pay", 2025, 2025, 4, 2025));
      RETURN_IF_ERROR(Notify(desk, 2025, 4, 20250910, "n2025").status());
    }
    out.emplace_back(caf, conv);
  }
  return out;
}

}  // namespace clas::bench
