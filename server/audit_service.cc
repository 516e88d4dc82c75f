// Audit: replay of a convention's history with the state after each event, diffs between two
// dates, chain verification, exports an auditor verifies offline, and the recompute check of
// recorded computations (R-HIST-3, recompute_page.h).
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "ledger/hash_chain.h"
#include "projections/core/calendar.h"
#include "projections/core/violation.h"
#include "server/call_log.h"
#include "server/convert.h"
#include "server/grpc_status.h"
#include "server/query_ids.h"
#include "server/recompute_page.h"
#include "server/services.h"
#include "server/state_diff.h"

namespace clas::server {
namespace {

// Runs an audit: check the caller (first), then the Caf and the convention the request names,
// then `body(caller)`.
template <typename Body>
grpc::Status RunAudit(const ServiceDeps& d, const char* method, grpc::ServerContext* context,
                      const std::string& caf_id, const std::string* convention_id, Body body) {
  CallLog log(method, caf_id, d.calls);
  auto caller = CheckCall(*d.guard, context, Need::kAudit, caf_id);
  if (!caller.ok()) return log.Done(ToGrpcStatus(caller.status()));
  log.set_caller(caller->user_id);
  QueryIds ids;
  if (convention_id != nullptr) ids = {{"caf_id", &caf_id}, {"convention_id", convention_id}};
  absl::Status valid = CheckQueryIds(ids);
  if (!valid.ok()) return log.Done(ToGrpcStatus(valid));
  return log.Done(body(*caller));
}

bool InBounds(const DomainEvent& e, const v1::ReplayHistoryRequest& r) {
  if (r.from_position() != 0 && e.position < r.from_position()) return false;
  if (r.to_position() != 0 && e.position > r.to_position()) return false;
  if (r.from_date() != 0 && e.effective_date < r.from_date()) return false;
  if (r.to_date() != 0 && e.effective_date > r.to_date()) return false;
  return r.known_at_us() == 0 || e.recorded_at_us <= r.known_at_us();
}

// R-HIST-2: a bound of effective dates is 0 (none) or a real day, and the first comes before
// the second (CONVENTIONS: external dates are parsed strictly, 30 February is an error).
absl::Status CheckDateBounds(int32_t from_date, int32_t to_date) {
  for (int32_t date : {from_date, to_date}) {
    if (date != 0 && !IsValidYmd(date)) {
      return RuleStatus(absl::StatusCode::kInvalidArgument,
                        RuleError(rule::kHist2, date == from_date ? "from_date" : "to_date",
                                  absl::StrCat(date), "date invalide (AAAAMMJJ, un jour réel)"));
    }
  }
  if (from_date != 0 && to_date != 0 && from_date > to_date) {
    return RuleStatus(absl::StatusCode::kInvalidArgument,
                      RuleError(rule::kHist2, "from_date", absl::StrCat(from_date),
                                absl::StrCat("après to_date (", to_date, ")")));
  }
  return absl::OkStatus();
}

// A range of positions: 0 is no bound; otherwise the first comes before the last.
absl::Status CheckPositionBounds(uint64_t from_position, uint64_t to_position) {
  if (from_position != 0 && to_position != 0 && from_position > to_position) {
    return absl::InvalidArgumentError(absl::StrCat("from_position ", from_position,
                                                   " après to_position ", to_position));
  }
  return absl::OkStatus();
}

// Sends one item of a replay: its event (with hashes), and the state or the changes (left out
// when the item would not fit the message limit). Ends the replay with UNAUTHENTICATED once the
// caller's token was revoked or expired (guard.h), RESOURCE_EXHAUSTED past replay_events_max,
// CANCELLED when the client went away.
grpc::Status SendItem(const DomainEvent& e, v1::ConventionState state, bool changes,
                      const Caller& caller, grpc::ServerContext* context, int32_t* sent,
                      v1::ReplayHistoryItem& item, grpc::ServerWriter<v1::ReplayHistoryItem>* writer,
                      const ServiceDeps& d) {
  if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "annulé");
  if (++*sent > d.limits.replay_events_max) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        absl::StrCat("au plus ", d.limits.replay_events_max,
                                     " événements par rejeu : bornez par positions ou dates"));
  }
  auto event = ToApi(e, *d.store);
  if (!event.ok()) return ToGrpcStatus(event.status());
  *item.mutable_event() = *std::move(event);
  if (!changes) *item.mutable_state_after() = std::move(state);
  if (static_cast<int64_t>(item.ByteSizeLong()) > d.limits.answer_bytes_max) {
    item.clear_state_after();
    item.clear_changes();
    item.set_state_omitted(true);
  }
  // The token may have been revoked or have expired since the call began.
  const absl::Status valid = caller.still_valid();
  if (!valid.ok()) return ToGrpcStatus(valid);
  if (!writer->Write(item)) return grpc::Status(grpc::StatusCode::CANCELLED, "client parti");
  return grpc::Status::OK;
}

}  // namespace

grpc::Status AuditService::RecomputeHistory(grpc::ServerContext* context,
                                            const v1::RecomputeHistoryRequest* request,
                                            v1::RecomputeHistoryResponse* response) {
  const std::string& caf_id = request->caf_id();
  CallLog log("RecomputeHistory", caf_id, d_.calls);
  auto caller = CheckCall(*d_.guard, context, Need::kRecompute, caf_id);
  if (!caller.ok()) return log.Done(ToGrpcStatus(caller.status()));
  log.set_caller(caller->user_id);
  QueryIds ids;  // "" names no Caf (every Caf the caller reads) or no convention (the whole Caf)
  if (!caf_id.empty()) ids.push_back({"caf_id", &caf_id});
  if (!request->convention_id().empty()) {
    ids.push_back({"convention_id", &request->convention_id()});
  }
  absl::Status valid = CheckQueryIds(ids);
  if (!valid.ok()) return log.Done(ToGrpcStatus(valid));
  // Asked before each Caf: a long national page stops for a revoked token or a client gone.
  auto proceed = [&]() -> absl::Status {
    if (context->IsCancelled()) return absl::CancelledError("annulé");
    return caller->still_valid();
  };
  return log.Done(ToGrpcStatus(RecomputePage(*d_.engine, d_.store->Head().position, *request,
                                             d_.limits, caller->may_read, proceed, response)));
}

grpc::Status AuditService::ReplayHistory(grpc::ServerContext* context,
                                         const v1::ReplayHistoryRequest* request,
                                         grpc::ServerWriter<v1::ReplayHistoryItem>* writer) {
  return RunAudit(d_, "ReplayHistory", context, request->caf_id(), &request->convention_id(),
                  [&](const Caller& caller) -> grpc::Status {
    absl::Status bounds = CheckDateBounds(request->from_date(), request->to_date());
    if (bounds.ok()) bounds = CheckPositionBounds(request->from_position(), request->to_position());
    if (bounds.ok() && !v1::ReplayView_IsValid(request->view())) {
      bounds = absl::InvalidArgumentError(absl::StrCat("view = ", request->view(), " : inconnue"));
    }
    if (!bounds.ok()) return ToGrpcStatus(bounds);
    const bool changes = request->view() == v1::REPLAY_VIEW_CHANGES;
    int32_t sent = 0;
    v1::ConventionState before;  // the state right before the event (CHANGES)
    grpc::Status ended = grpc::Status::OK;
    absl::Status replayed = d_.engine->ReplayConvention(
        request->caf_id(), request->convention_id(), request->to_position(),
        [&](const DomainEvent& e, v1::ConventionState state) -> absl::Status {
          if (request->known_at_us() != 0 && e.recorded_at_us > request->known_at_us()) {
            return absl::CancelledError("past known_at");  // the replay ends here
          }
          const bool shown = InBounds(e, *request);
          v1::ReplayHistoryItem item;
          if (shown && changes) {
            for (auto& c : server::DiffStates(before, state)) *item.add_changes() = std::move(c);
          }
          if (changes) before = state;
          if (!shown) return absl::OkStatus();
          ended = SendItem(e, std::move(state), changes, caller, context, &sent, item, writer, d_);
          return ended.ok() ? absl::OkStatus() : absl::CancelledError("stopped");
        });
    if (!ended.ok()) return ended;
    if (absl::IsCancelled(replayed)) return grpc::Status::OK;  // known_at reached
    return ToGrpcStatus(replayed);
  });
}

grpc::Status AuditService::DiffStates(grpc::ServerContext* context,
                                      const v1::DiffStatesRequest* request,
                                      v1::DiffStatesResponse* response) {
  return RunAudit(d_, "DiffStates", context, request->caf_id(), &request->convention_id(),
                  [&](const Caller&) -> grpc::Status {
    absl::Status bounds = CheckDateBounds(request->from_date(), request->to_date());
    if (!bounds.ok()) return ToGrpcStatus(bounds);
    const int64_t known = request->known_at_us() == 0 ? kKnownNow : request->known_at_us();
    auto before = d_.engine->GetConvention(request->caf_id(), request->convention_id(),
                                           AsOf{request->from_date(), known});
    auto after = d_.engine->GetConvention(request->caf_id(), request->convention_id(),
                                          AsOf{request->to_date(), known});
    if (!after.ok()) return ToGrpcStatus(after.status());
    v1::ConventionState empty;
    const v1::ConventionState& from = before.ok() ? *before : empty;
    for (auto& change : server::DiffStates(from, *after)) *response->add_changes() = change;
    // The changes first, within the answer; the events in what is left.
    response->set_changes_omitted(
        KeepFirstWithin(d_.limits.answer_bytes_max, 64, response->mutable_changes()));
    auto events = d_.engine->ConventionEvents(request->caf_id(), request->convention_id());
    if (!events.ok()) return ToGrpcStatus(events.status());
    for (const auto& e : *events) {
      if (e.effective_date > request->from_date() && e.effective_date <= request->to_date() &&
          e.recorded_at_us <= known) {
        if (response->events_omitted() > 0 ||
            static_cast<int64_t>(response->ByteSizeLong()) > d_.limits.answer_bytes_max) {
          response->set_events_omitted(response->events_omitted() + 1);
          continue;
        }
        auto event = ToApi(e, *d_.store);
        if (!event.ok()) return ToGrpcStatus(event.status());
        *response->add_events() = *std::move(event);
      }
    }
    response->set_log_position(PositionOf(AsOf{request->to_date(), known}, *d_.store));
    return grpc::Status::OK;
  });
}

grpc::Status AuditService::VerifyChain(grpc::ServerContext* context,
                                       const v1::VerifyChainRequest* request,
                                       v1::VerifyChainResponse* response) {
  return RunAudit(d_, "VerifyChain", context, "", nullptr, [&](const Caller&) -> grpc::Status {
    const ledger::LogHead head = d_.store->Head();
    response->set_head_position(head.position);
    response->set_head_hash(head.hash);
    if (head.position == 0) {
      response->set_ok(true);
      return grpc::Status::OK;
    }
    const uint64_t from = request->from_position() == 0 ? 1 : request->from_position();
    const uint64_t to = request->to_position() == 0 ? head.position : request->to_position();
    auto report = d_.store->Verify(from, to);
    if (!report.ok()) return ToGrpcStatus(report.status());
    response->set_ok(report->ok);
    response->set_events_checked(report->events_checked);
    response->set_first_bad_position(report->first_bad_position);
    response->set_problem(report->problem);
    // A ledger served read-only for inspection may be damaged past what can be read: a chain
    // that verifies up to the head read is then not the whole answer.
    const std::vector<std::string>& damage = d_.store->Damage();
    if (report->ok && !damage.empty() && to == head.position) {
      response->set_ok(false);
      response->set_first_bad_position(head.position + 1);
      response->set_problem(absl::StrJoin(damage, "; "));
    }
    if (response->ok() && d_.chain_verified_to != nullptr) {
      uint64_t before = d_.chain_verified_to->load();
      while (before < to && !d_.chain_verified_to->compare_exchange_weak(before, to)) {
      }
    }
    return grpc::Status::OK;
  });
}

grpc::Status AuditService::ExportConvention(grpc::ServerContext* context,
                                            const v1::ExportConventionRequest* request,
                                            v1::ConventionExport* response) {
  return RunAudit(d_, "ExportConvention", context, request->caf_id(), &request->convention_id(),
                  [&](const Caller&) -> grpc::Status {
    const std::string stream = ConventionStream(request->caf_id(), request->convention_id());
    const ledger::LogHead head = d_.store->Head();
    const uint64_t from = request->from_version() == 0 ? 1 : request->from_version();
    const int32_t max = request->max_count() <= 0 || request->max_count() > d_.limits.read_events_max
                            ? d_.limits.read_events_max
                            : request->max_count();
    auto page = d_.store->ReadStream(stream, from, ledger::Direction::kForward, max);
    if (!page.ok()) return ToGrpcStatus(page.status());
    if (page->empty() && from == 1) {
      return ToGrpcStatus(absl::NotFoundError(
          absl::StrCat("convention ", request->convention_id(), " inconnue")));
    }
    response->set_caf_id(request->caf_id());
    response->set_convention_id(request->convention_id());
    response->set_stream_id(stream);
    int64_t bytes = 0;
    for (size_t i = 0; i < page->size(); ++i) {
      const auto& e = (*page)[i];
      clas::ledger::v1::StoredEvent stored;
      stored.set_body(e.body.SerializeAsString());
      stored.set_prev_hash(e.prev_hash);
      stored.set_prev_stream_hash(e.prev_stream_hash);
      stored.set_hash(e.hash);
      const int64_t size = static_cast<int64_t>(stored.ByteSizeLong()) + 8;
      // A page ends at the answer limit (at least one event a page) or at max_count events.
      if (i > 0 && bytes + size > d_.limits.answer_bytes_max) {
        response->set_next_version(e.body.stream_version());
        break;
      }
      bytes += size;
      *response->add_events() = std::move(stored);
      if (i + 1 == static_cast<size_t>(max)) {
        // A full page: the next one exists when the stream goes on.
        auto more = d_.store->ReadStream(stream, e.body.stream_version() + 1,
                                         ledger::Direction::kForward, 1);
        if (!more.ok()) return ToGrpcStatus(more.status());
        if (!more->empty()) response->set_next_version(e.body.stream_version() + 1);
      }
    }
    response->set_head_position(head.position);
    response->set_head_hash(head.hash);
    response->set_exported_at_us(absl::ToUnixMicros(absl::Now()));
    return grpc::Status::OK;
  });
}

}  // namespace clas::server
