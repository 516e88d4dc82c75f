// Ledger: the generic log for other services. Appends go only to the caller's own ext/
// namespace (a Clas fact enters only through Conventions and its rules); reads and
// subscriptions never show an event of a Caf the caller may not read.
#include <algorithm>
#include <memory>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ledger/base/status_macros.h"
#include "ledger/errors.h"
#include "ledger/limits.h"
#include "ledger/base/status_macros.h"
#include "server/call_log.h"
#include "server/convert.h"
#include "server/grpc_status.h"
#include "server/query_ids.h"
#include "server/services.h"

namespace clas::server {
namespace {

template <typename Body>
grpc::Status RunLedger(const ServiceDeps& d, const char* method, grpc::ServerContext* context,
                       Need need, Body body) {
  CallLog log(method, "", d.calls);
  auto caller = CheckCall(*d.guard, context, need, "");
  if (!caller.ok()) return log.Done(ToGrpcStatus(caller.status()));
  log.set_caller(caller->user_id);
  return log.Done(body(*caller));
}

// An event the caller may see: one of its own streams (ext/<its id>/...), or of a tenant it may
// read (a Caf, the national barème; other services' events are tagged with their own id as
// tenant, which only a reader of every Caf may read).
bool Visible(const Caller& caller, const ledger::RecordedEvent& e) {
  return absl::StartsWith(e.stream_id(), absl::StrCat("ext/", caller.user_id, "/")) ||
         caller.may_read(e.data().tenant_id());
}

bool Wanted(const v1::SubscribeRequest& r, const ledger::RecordedEvent& e) {
  if (!r.caf_ids().empty() &&
      std::find(r.caf_ids().begin(), r.caf_ids().end(), e.data().tenant_id()) == r.caf_ids().end()) {
    return false;
  }
  return r.event_types().empty() || std::find(r.event_types().begin(), r.event_types().end(),
                                              e.event_type()) != r.event_types().end();
}

int32_t PageSize(int32_t asked, int32_t max) { return asked <= 0 || asked > max ? max : asked; }

// Adds `event` to `response` unless the answer would then hold more than `bytes_max` bytes
// (counted in `bytes`); the first event always goes in (one event fits a message). False when
// the answer is full: the caller reads on from the last event it got.
bool AddWithin(v1::RecordedEvent event, int64_t bytes_max, int64_t& bytes,
               v1::ReadResponse* response) {
  constexpr int64_t kFramingBytes = 16;  // tag and length of one repeated element, generously
  const int64_t size = static_cast<int64_t>(event.ByteSizeLong()) + kFramingBytes;
  if (response->events_size() > 0 && bytes + size > bytes_max) return false;
  bytes += size;
  *response->add_events() = std::move(event);
  return true;
}

// Event ids are unique across the whole log, and a Clas command records its facts under
// "<caf>/<key>#<rank>" (request_key.h; Caf ids hold no '/'). An id of another service holding a '/' could
// take the id of a Caf's next command and block it: such ids are refused.
absl::Status CheckExtEventIds(const v1::AppendRequest& request) {
  for (int i = 0; i < request.events_size(); ++i) {
    if (absl::StrContains(request.events(i).event_id(), '/')) {
      return absl::InvalidArgumentError(absl::StrCat(
          "events[", i, "].event_id : « / » est réservé aux identifiants des commandes Clas "
          "(\"/\" is reserved to the ids of Clas commands)"));
    }
  }
  return absl::OkStatus();
}

// A stream of another service is a name, never a path; but tools that export or show streams
// may take it for one: no empty, "." or ".." segment after ext/<id>/.
absl::Status CheckExtStreamId(const std::string& stream_id) {
  for (absl::string_view segment : absl::StrSplit(stream_id, '/')) {
    if (segment.empty() || segment == "." || segment == "..") {
      return absl::InvalidArgumentError(absl::StrCat(
          "stream_id : segment vide, « . » ou « .. » refusé (stream_id: no empty, \".\" or "
          "\"..\" segment)"));
    }
  }
  return absl::OkStatus();
}

// A subscription's request: a resume position the log can have reached, bounded filters.
absl::Status CheckSubscribe(const v1::SubscribeRequest& r, uint64_t head,
                            const ServiceLimits& limits) {
  if (r.from_position() > head + 1) {
    return absl::OutOfRangeError(absl::StrCat(
        "from_position ", r.from_position(), " au-delà de la tête du journal (", head,
        ") + 1 : une position de reprise est la dernière reçue + 1"));
  }
  if (r.caf_ids_size() > limits.subscribe_filter_max) {
    return absl::InvalidArgumentError(absl::StrCat("caf_ids : ", r.caf_ids_size(),
                                                   " Caf, au plus ", limits.subscribe_filter_max));
  }
  if (r.event_types_size() > limits.subscribe_filter_max) {
    return absl::InvalidArgumentError(absl::StrCat("event_types : ", r.event_types_size(),
                                                   " types, au plus ",
                                                   limits.subscribe_filter_max));
  }
  // Each entry is matched against every event: a Caf id, an event type of the log's size.
  QueryIds cafs;
  for (const std::string& caf : r.caf_ids()) cafs.emplace_back("caf_ids", &caf);
  RETURN_IF_ERROR(CheckQueryIds(cafs));
  for (const std::string& type : r.event_types()) {
    if (type.empty() || type.size() > ledger::kEventTypeBytesMax) {
      return absl::InvalidArgumentError(absl::StrCat(
          "event_types : un type d'événement de 1 à ", ledger::kEventTypeBytesMax, " octets"));
    }
  }
  return absl::OkStatus();
}

// Sends `item` if the caller's credentials still stand, so that nothing more reaches a token
// revoked or expired since the call began. nullopt once sent; otherwise the status that ends
// the stream: UNAUTHENTICATED, or OK when the client is gone.
std::optional<grpc::Status> Send(const Caller& caller, const v1::SubscribeItem& item,
                                 grpc::ServerWriter<v1::SubscribeItem>* writer) {
  const absl::Status valid = caller.still_valid();
  if (!valid.ok()) return ToGrpcStatus(valid);
  if (!writer->Write(item)) return grpc::Status::OK;  // client gone
  return std::nullopt;
}

// Waits until the head of the log passes `after`, `until` passes or the call is cancelled, in
// waits of at most kCredentialsRecheckInterval each followed by a check of the caller's
// credentials: an idle subscription learns of a revocation within that interval, not at its
// next event or idle tick. OkStatus when it is time to read on, the credentials' error
// otherwise. Bounded by `until`: every wait but the last lasts a whole interval.
absl::Status WaitForEvents(const ledger::EventStore& store, const Caller& caller,
                           const grpc::ServerContext& context, uint64_t after, absl::Time until) {
  while (true) {
    const absl::Time now = absl::Now();
    if (now >= until || context.IsCancelled()) return absl::OkStatus();
    const uint64_t head =
        store.WaitForHead(after, std::min(until, now + kCredentialsRecheckInterval));
    RETURN_IF_ERROR(caller.still_valid());
    if (head > after) return absl::OkStatus();
  }
}

}  // namespace

grpc::Status LedgerService::Append(grpc::ServerContext* context, const v1::AppendRequest* request,
                                   v1::AppendResponse* response) {
  return RunLedger(d_, "Append", context, Need::kLedgerAppend, [&](const Caller& caller) {
    absl::Status allowed = caller.may_append(request->stream_id());
    if (!allowed.ok()) return ToGrpcStatus(allowed);
    absl::Status ids = CheckExtStreamId(request->stream_id());
    if (ids.ok()) ids = CheckExtEventIds(*request);
    if (!ids.ok()) return ToGrpcStatus(ids);
    if (!v1::ExpectedVersionKind_IsValid(request->expected_kind())) {
      return ToGrpcStatus(absl::InvalidArgumentError(
          absl::StrCat("expected_kind = ", request->expected_kind(), " : valeur inconnue")));
    }
    std::vector<clas::ledger::v1::EventData> events(request->events().begin(),
                                                    request->events().end());
    for (auto& e : events) {
      *e.mutable_actor() = caller.ActorFor(caller.user_id);  // R-HIST-4: from the token
      e.set_tenant_id(caller.user_id);
    }
    ledger::ExpectedVersion expected = ledger::ExpectedVersion::Any();
    if (request->expected_kind() == v1::EXPECTED_NO_STREAM) expected = ledger::ExpectedVersion::NoStream();
    if (request->expected_kind() == v1::EXPECTED_EXACTLY) {
      expected = ledger::ExpectedVersion::Exactly(request->expected_version());
    }
    auto result = d_.store->Append(request->stream_id(), expected, std::move(events));
    if (!result.ok()) return ToGrpcStatus(result.status());
    if (absl::Status held = AwaitReplicated(d_, *context, result->last_position); !held.ok()) {
      return ToGrpcStatus(held);
    }
    response->set_first_position(result->first_position);
    response->set_last_position(result->last_position);
    response->set_first_version(result->first_version);
    response->set_last_version(result->last_version);
    response->set_duplicate(result->duplicate);
    response->set_last_hash(result->last_hash);
    return grpc::Status::OK;
  });
}

grpc::Status LedgerService::ReadStream(grpc::ServerContext* context,
                                       const v1::ReadStreamRequest* request,
                                       v1::ReadResponse* response) {
  return RunLedger(d_, "ReadStream", context, Need::kLedgerRead, [&](const Caller& caller) {
    const int32_t max = PageSize(request->max_count(), d_.limits.read_events_max);
    const uint64_t from = request->backward() && request->from_version() == 0
                              ? ledger::kStreamEnd : request->from_version();
    auto events = d_.store->ReadStream(
        request->stream_id(), from,
        request->backward() ? ledger::Direction::kBackward : ledger::Direction::kForward, max);
    if (!events.ok()) return ToGrpcStatus(events.status());
    // A stream the caller may not read answers as an unknown stream does: no events. Refusing
    // it (while an unknown stream reads as empty) would tell which streams exist in that Caf.
    if (!events->empty() && !Visible(caller, events->front())) events->clear();
    int64_t bytes = 0;
    for (const auto& e : *events) {
      if (!AddWithin(ToApi(e), d_.limits.read_bytes_max, bytes, response)) break;
    }
    response->set_head_position(d_.store->Head().position);
    return grpc::Status::OK;
  });
}

grpc::Status LedgerService::ReadAll(grpc::ServerContext* context,
                                    const v1::ReadAllRequest* request,
                                    v1::ReadResponse* response) {
  return RunLedger(d_, "ReadAll", context, Need::kLedgerRead, [&](const Caller& caller) {
    const int32_t max = PageSize(request->max_count(), d_.limits.read_events_max);
    auto events = d_.store->ReadAll(request->from_position(), max);
    if (!events.ok()) return ToGrpcStatus(events.status());
    int64_t bytes = 0;
    for (const auto& e : *events) {
      if (Visible(caller, e) && !AddWithin(ToApi(e), d_.limits.read_bytes_max, bytes, response)) {
        break;
      }
    }
    response->set_head_position(d_.store->Head().position);
    return grpc::Status::OK;
  });
}

grpc::Status LedgerService::Subscribe(grpc::ServerContext* context,
                                      const v1::SubscribeRequest* request,
                                      grpc::ServerWriter<v1::SubscribeItem>* writer) {
  return RunLedger(d_, "Subscribe", context, Need::kSubscribe, [&](const Caller& caller) {
    absl::Status valid = CheckSubscribe(*request, d_.store->Head().position, d_.limits);
    if (!valid.ok()) return ToGrpcStatus(valid);
    uint64_t next = request->from_position() == 0 ? 1 : request->from_position();
    const std::unique_ptr<OpenSubscriptions::Slot> slot =
        d_.subscriptions->Open(d_.limits.subscriptions_max, next - 1);
    if (slot == nullptr) {
      return ToGrpcStatus(absl::ResourceExhaustedError(absl::StrCat(
          "déjà ", d_.limits.subscriptions_max, " abonnements ouverts : réessayer plus tard")));
    }
    const absl::Time opened = absl::Now();
    // One page in memory at a time: a slow subscriber blocks only its own Write, never the
    // appenders, and holds at most read_events_max events. The caller's credentials are
    // checked before each page read (a page may hold nothing the caller sees), each item sent
    // and after each wait (WaitForEvents): a revoked token stops receiving at once and loses
    // its stream within kCredentialsRecheckInterval.
    while (!context->IsCancelled()) {
      const bool stopping = d_.stopping != nullptr && d_.stopping->load();
      const absl::Status valid = caller.still_valid();
      if (!valid.ok()) return ToGrpcStatus(valid);
      auto page = d_.store->ReadAll(next, d_.limits.read_events_max);
      if (!page.ok()) return ToGrpcStatus(page.status());
      for (const auto& e : *page) {
        next = e.position() + 1;
        if (Visible(caller, e) && Wanted(*request, e)) {
          v1::SubscribeItem item;
          *item.mutable_event() = ToApi(e);
          if (auto end = Send(caller, item, writer)) return *end;
        }
        slot->Passed(e.position());
      }
      if (!page->empty()) continue;
      v1::SubscribeItem caught_up;
      caught_up.set_caught_up_to(next - 1);
      if (auto end = Send(caller, caught_up, writer)) return *end;
      if (stopping) {
        return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                            absl::StrCat("arrêt du serveur : reprendre à la position ", next));
      }
      if (absl::Now() - opened > d_.limits.subscribe_duration_max) {
        return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                            absl::StrCat("durée maximale d'abonnement atteinte : reprendre à la "
                                         "position ", next));
      }
      const absl::Status waited = WaitForEvents(*d_.store, caller, *context, next - 1,
                                                absl::Now() + d_.limits.subscribe_idle_tick);
      if (!waited.ok()) return ToGrpcStatus(waited);
    }
    return grpc::Status(grpc::StatusCode::CANCELLED, "abonnement annulé");
  });
}

}  // namespace clas::server
