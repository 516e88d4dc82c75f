#include "projections/engine/engine.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "projections/engine/engine_internal.h"
#include "projections/rules/rule_version.h"

namespace clas {

using engine_internal::EventId;
Engine::Engine(EventLog* log) : log_(log) { CLAS_CHECK(log_ != nullptr); }

absl::Mutex* Engine::CafMutex(const std::string& caf_id) {
  absl::MutexLock lock(&mutexes_mu_);
  auto& m = caf_mutexes_[caf_id];
  if (m == nullptr) m = std::make_unique<absl::Mutex>();
  return m.get();
}

absl::StatusOr<BaremeBook> Engine::Baremes(const AsOf& as_of) {
  ASSIGN_OR_RETURN(StreamCache::Events events, streams_.Read(*log_, BaremeStream()));
  return BaremeBook::FromEvents(*events, as_of);
}

absl::StatusOr<std::optional<v1::GestionnaireState>> Engine::LoadGestionnaire(
    const std::string& caf_id, const std::string& gestionnaire_id, const AsOf& as_of) {
  ASSIGN_OR_RETURN(StreamCache::Events events,
                   streams_.Read(*log_, GestionnaireStream(caf_id, gestionnaire_id)));
  std::optional<v1::GestionnaireState> out;
  for (const DomainEvent& e : Timeline(*events, as_of)) {
    if (!e.fact.has_gestionnaire_registered()) continue;
    const auto& g = e.fact.gestionnaire_registered();
    out.emplace();
    out->set_caf_id(caf_id);
    out->set_gestionnaire_id(g.gestionnaire_id());
    out->set_name(g.name());
    out->set_kind(g.kind());
    out->set_supported_since_school_year(g.supported_since_school_year());
    out->set_event_id(e.event_id);
  }
  return out;
}

absl::StatusOr<std::set<int32_t>> Engine::ClosedYears(const std::string& caf_id) {
  ASSIGN_OR_RETURN(auto streams, log_->ListStreams(CivilYearStream(caf_id, 0).substr(
                                     0, CivilYearStream(caf_id, 0).size() - 1)));
  // A civil-year stream is written by its closing alone: its existence is the closing, and its
  // id names the year (no need to read the closing's lines on every command).
  std::set<int32_t> out;
  for (const auto& s : streams) {
    int32_t year = 0;
    if (absl::SimpleAtoi(absl::string_view(s).substr(s.rfind('/') + 1), &year)) out.insert(year);
  }
  return out;
}

absl::StatusOr<Engine::Loaded> Engine::FoldConventionAt(const std::string& caf_id,
                                                        const std::string& convention_id,
                                                        const AsOf& as_of,
                                                        bool keep_events) {
  Loaded out;
  ASSIGN_OR_RETURN(StreamCache::Events events,
                   streams_.Read(*log_, ConventionStream(caf_id, convention_id)));
  ASSIGN_OR_RETURN(out.baremes, Baremes(as_of));
  const std::string gestionnaire_id = engine_internal::GestionnaireIdOf(*events);
  if (!gestionnaire_id.empty()) {
    ASSIGN_OR_RETURN(out.gestionnaire, LoadGestionnaire(caf_id, gestionnaire_id, as_of));
  }
  FoldContext fold{.baremes = &out.baremes,
                   .gestionnaire = out.gestionnaire ? &*out.gestionnaire : nullptr};
  out.state = cache_.Fold(*events, as_of, fold);  // == FoldConvention, with snapshots
  if (keep_events) out.events = *events;
  out.stream = std::move(events);
  return out;
}

absl::StatusOr<Engine::Loaded> Engine::LoadConvention(const std::string& caf_id,
                                                      const std::string& convention_id,
                                                      const AsOf& as_of) {
  ASSIGN_OR_RETURN(Loaded out, FoldConventionAt(caf_id, convention_id, as_of, /*keep_events=*/true));
  ASSIGN_OR_RETURN(out.context.closed_civil_years, ClosedYears(caf_id));
  out.context.find_payment = [this, caf_id](const std::string& conv,
                                            const std::string& payment) {
    return FindOffsetTarget(caf_id, conv, payment);
  };
  return out;
}

std::optional<OffsetTarget> Engine::FindOffsetTarget(const std::string& caf_id,
                                                     const std::string& convention_id,
                                                     const std::string& payment_id) {
  auto paying = GetConvention(caf_id, convention_id, AsOf{});
  if (!paying.ok()) return std::nullopt;
  std::optional<OffsetTarget> out;
  for (const auto& y : paying->years()) {
    std::vector<const v1::PaymentRecord*> all;
    for (const auto& p : y.acomptes()) all.push_back(&p);
    for (const auto& p : y.rappels()) all.push_back(&p);
    if (y.solde_paid()) all.push_back(&y.solde());
    for (const auto* p : all) {
      if (p->payment_id() == payment_id) {
        out = OffsetTarget{.gestionnaire_id = paying->gestionnaire_id(),
                           .amount_cents = p->amount_cents(),
                           .date = p->date()};
      }
    }
  }
  if (!out.has_value()) return out;
  // Offsets already withheld from that payment, recorded on any convention of the Caf.
  auto ids = ListConventionIds(caf_id);
  if (!ids.ok()) return std::nullopt;
  for (const auto& [caf, id] : *ids) {
    auto c = GetConvention(caf, id, AsOf{});
    if (!c.ok() || c->gestionnaire_id() != out->gestionnaire_id) continue;
    for (const auto& i : c->indus()) {
      for (const auto& r : i.recoveries()) {
        if (r.method() == v1::OFFSET && r.offset_payment_id() == payment_id &&
            r.offset_convention_id() == convention_id) {
          out->offset_cents += r.amount_cents();
        }
      }
    }
  }
  return out;
}

absl::StatusOr<std::optional<CommandResult>> Engine::Replay(const std::string& caf_id,
                                                            const std::string& request_id,
                                                            const std::string& digest) {
  ASSIGN_OR_RETURN(auto first, log_->FindEvent(EventId(caf_id, request_id, 0)));
  if (!first.has_value()) return std::optional<CommandResult>();
  if (first->fact.request_digest() != digest) {
    return RuleStatus(absl::StatusCode::kAlreadyExists,
                      RuleError("R-HIST-1", "§9", "request_id", request_id,
                                absl::StrFormat("cette requête a déjà été exécutée avec un autre "
                                                "contenu (événement %s) ; une nouvelle commande "
                                                "prend un nouvel identifiant de requête",
                                                first->event_id)));
  }
  CommandResult out;
  out.replayed = true;
  ASSIGN_OR_RETURN(auto stream, log_->ReadStream(first->stream_id));
  const std::string prefix = absl::StrCat(caf_id, "/", request_id, "#");
  for (const auto& e : stream) {
    if (absl::StartsWith(e.event_id, prefix)) out.events.push_back(e);
  }
  if (!first->fact.convention_id().empty()) {
    AsOf then{.known_at_us = out.events.back().recorded_at_us};
    ASSIGN_OR_RETURN(out.convention, GetConvention(caf_id, first->fact.convention_id(), then));
  }
  return std::optional<CommandResult>(std::move(out));
}

absl::StatusOr<CommandResult> Engine::Record(const std::string& stream, uint64_t expected_version,
                                             Facts facts, const std::string& digest,
                                             const std::string& caf_id,
                                             const ledger::v1::Actor& actor,
                                             const std::string& request_id) {
  std::vector<ledger::v1::EventData> data;
  for (size_t i = 0; i < facts.size(); ++i) {
    facts[i].fact.set_request_id(request_id);
    facts[i].fact.set_request_digest(digest);
    data.push_back(ToEventData(facts[i].fact, EventId(caf_id, request_id, i),
                               facts[i].effective_date, caf_id, actor, rules::kRuleVersion));
  }
  ASSIGN_OR_RETURN(auto appended, log_->Append(stream, expected_version, std::move(data)));
  if (!appended.duplicate && !appended.events.empty()) {
    // The reports kept of this Caf (of every Caf, for the barème) no longer serve.
    uint64_t first = appended.events.front().position, last = first;
    for (const auto& e : appended.events) {
      first = std::min(first, e.position);
      last = std::max(last, e.position);
    }
    const bool of_caf = absl::StartsWith(stream, absl::StrCat("clas/", caf_id, "/"));
    reports_.Appended(of_caf ? caf_id : "", first, last);
  }
  CommandResult out;
  out.events = std::move(appended.events);
  out.replayed = appended.duplicate;
  return out;
}

}  // namespace clas
