// Ledger.Replicate: the leader's side of replication. The records are sent as stored (the
// follower checks and stores the same bytes, ledger/replica_batch.h), catch-up then live, as
// Subscribe does: one page in memory at a time, credentials rechecked while it waits, a
// heartbeat with the head every idle tick, an end with the position to resume from at
// shutdown and after subscribe_duration_max.
#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "server/call_log.h"
#include "server/grpc_status.h"
#include "server/services.h"

namespace clas::server {
namespace {

// The term of every item until leaders are elected (service.proto).
constexpr uint64_t kTermUnelected = 0;
// How often an idle stream looks whether its follower went away (the stream's cancellation
// does not wake WaitForHead): a follower that stops or restarts frees its thread, and the
// leader's shutdown waits no longer, than this.
constexpr absl::Duration kCancelPollInterval = absl::Milliseconds(100);

// Waits until the head passes `after`, `until` passes, the call is cancelled or the server
// stops, rechecking the caller's credentials (and the rest) every kCancelPollInterval, within
// the promise of kCredentialsRecheckInterval. OkStatus, or the credentials' error.
absl::Status WaitForRecords(const ServiceDeps& d, const Caller& caller,
                            const grpc::ServerContext& context, uint64_t after, absl::Time until) {
  const ledger::EventStore& store = *d.store;
  while (true) {
    const absl::Time now = absl::Now();
    const bool stopping = d.stopping != nullptr && d.stopping->load();
    if (now >= until || context.IsCancelled() || stopping) return absl::OkStatus();
    const uint64_t head = store.WaitForHead(after, std::min(until, now + kCancelPollInterval));
    if (absl::Status valid = caller.still_valid(); !valid.ok()) return valid;
    if (head > after) return absl::OkStatus();
  }
}

// One item: the records, their position and bytes as stored (after the test hook, if any).
v1::ReplicateResponse ItemOf(std::vector<ledger::StoredRecord>& records, const ServiceDeps& d) {
  v1::ReplicateResponse item;
  item.set_term(kTermUnelected);
  for (ledger::StoredRecord& record : records) {
    if (d.replicate_hook_for_tests) d.replicate_hook_for_tests(record);
    v1::ReplicatedRecord* out = item.add_records();
    out->set_position(record.position);
    out->set_stored_event(std::move(record.value));
  }
  item.set_leader_head_position(d.store->Head().position);
  return item;
}

// The stream itself, once the caller is admitted.
grpc::Status Stream(const ServiceDeps& d, const Caller& caller, grpc::ServerContext* context,
                    uint64_t from, grpc::ServerWriter<v1::ReplicateResponse>* writer) {
  const uint64_t head = d.store->Head().position;
  uint64_t next = std::max<uint64_t>(from, 1);
  if (next > head + 1) {
    return ToGrpcStatus(absl::OutOfRangeError(absl::StrCat(
        "from_position ", next, " is past this node's head ", head,
        " + 1: the follower holds positions this log does not (another ledger, or a fork); "
        "stop it and start it again from an empty directory or a backup of this ledger")));
  }
  const std::unique_ptr<OpenSubscriptions::Slot> slot =
      d.subscriptions->Open(d.limits.subscriptions_max, next - 1);
  if (slot == nullptr) {
    return ToGrpcStatus(absl::ResourceExhaustedError(absl::StrCat(
        "déjà ", d.limits.subscriptions_max, " abonnements ouverts : réessayer plus tard")));
  }
  const absl::Time opened = absl::Now();
  const size_t bytes_max = static_cast<size_t>(std::max<int64_t>(d.limits.read_bytes_max, 1));
  const size_t count_max = static_cast<size_t>(
      std::clamp<int64_t>(d.limits.replicate_records_max, 1, ledger::kReplicatedRecordsMax));
  while (!context->IsCancelled()) {
    const bool stopping = d.stopping != nullptr && d.stopping->load();
    if (absl::Status valid = caller.still_valid(); !valid.ok()) return ToGrpcStatus(valid);
    auto records = d.store->ReadStored(next, count_max, bytes_max);
    if (!records.ok()) return ToGrpcStatus(records.status());
    const bool idle = records->empty();
    if (!idle) next = records->back().position + 1;
    if (!writer->Write(ItemOf(*records, d))) return grpc::Status::OK;  // follower gone
    slot->Passed(next - 1);
    if (!idle) continue;
    if (stopping || absl::Now() - opened > d.limits.subscribe_duration_max) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          absl::StrCat(stopping ? "server shutting down" : "longest stream reached",
                                       ": resume from position ", next));
    }
    const absl::Status waited =
        WaitForRecords(d, caller, *context, next - 1, absl::Now() + d.limits.subscribe_idle_tick);
    if (!waited.ok()) return ToGrpcStatus(waited);
  }
  return grpc::Status(grpc::StatusCode::CANCELLED, "replication cancelled");
}

}  // namespace

grpc::Status LedgerService::Replicate(grpc::ServerContext* context,
                                      const v1::ReplicateRequest* request,
                                      grpc::ServerWriter<v1::ReplicateResponse>* writer) {
  CallLog log("Replicate", "", d_.calls);
  auto caller = CheckCall(*d_.guard, context, Need::kReplicate, "");
  if (!caller.ok()) return log.Done(ToGrpcStatus(caller.status()));
  log.set_caller(caller->user_id);
  return log.Done(Stream(d_, *caller, context, request->from_position(), writer));
}

}  // namespace clas::server
