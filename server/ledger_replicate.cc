// Ledger.Replicate: the leader's side of replication. The records are sent as stored (the
// follower checks and stores the same bytes, ledger/replica_batch.h), catch-up then live, as
// Subscribe does: one page in memory at a time, credentials rechecked while it waits, a
// heartbeat with the head every idle tick, an end with the position to resume from at
// shutdown and after subscribe_duration_max.
#include <algorithm>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/call_log.h"
#include "server/grpc_status.h"
#include "server/services.h"

namespace clas::server {
namespace {

// The longest node id a follower reports (ReportReplicatedRequest.node_id).
constexpr size_t kNodeIdBytesMax = 64;

// The term of every item outside a cluster (service.proto).
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

// This node's term, or Unavailable when it is a node of a cluster that does not lead now.
absl::StatusOr<uint64_t> TermOf(const ServiceDeps& d) {
  if (!d.leader_term) return kTermUnelected;
  const std::optional<uint64_t> term = d.leader_term();
  if (!term.has_value()) {
    return absl::UnavailableError(
        "this node does not lead the cluster: replicate from the leader (clas-leader metadata "
        "of a refused write, or clasctl cluster status)");
  }
  return *term;
}

// One item: the records, their position and bytes as stored (after the test hook, if any).
v1::ReplicateResponse ItemOf(std::vector<ledger::StoredRecord>& records, const ServiceDeps& d,
                             uint64_t term) {
  v1::ReplicateResponse item;
  item.set_term(term);
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
    // Every item carries the term it is sent under; a leader deposed meanwhile sends no more.
    const absl::StatusOr<uint64_t> term = TermOf(d);
    if (!term.ok()) return ToGrpcStatus(term.status());
    auto records = d.store->ReadStored(next, count_max, bytes_max);
    if (!records.ok()) return ToGrpcStatus(records.status());
    const bool idle = records->empty();
    if (!idle) next = records->back().position + 1;
    if (!writer->Write(ItemOf(*records, d, *term))) return grpc::Status::OK;  // follower gone
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

absl::Status AwaitReplicated(const ServiceDeps& d, const grpc::ServerContext& context,
                             uint64_t position) {
  if (d.acks == nullptr || position == 0) return absl::OkStatus();
  const absl::Time deadline =
      std::min(absl::FromChrono(context.deadline()), absl::Now() + d.replication_ack_timeout);
  return d.acks->Await(position, deadline);
}

grpc::Status LedgerService::ReportReplicated(grpc::ServerContext* context,
                                             const v1::ReportReplicatedRequest* request,
                                             v1::ReportReplicatedResponse* response) {
  CallLog log("ReportReplicated", "", d_.calls);
  log.LogOnlyFailures();
  auto caller = CheckCall(*d_.guard, context, Need::kReplicate, "");
  if (!caller.ok()) return log.Done(ToGrpcStatus(caller.status()));
  log.set_caller(caller->user_id);
  const std::string& node = request->node_id();
  const bool valid_node =
      node.size() <= kNodeIdBytesMax &&
      std::all_of(node.begin(), node.end(), [](char c) {
        return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
               c == '-';
      });
  if (!valid_node) {
    return log.Done(ToGrpcStatus(absl::InvalidArgumentError(
        "node_id : 64 caractères au plus parmi [A-Za-z0-9._-] (node_id: at most 64 of "
        "[A-Za-z0-9._-])")));
  }
  if (d_.acks != nullptr && !node.empty()) {
    d_.acks->Reported(node, request->term(), request->position());
  }
  const std::optional<uint64_t> term = d_.leader_term ? d_.leader_term() : std::nullopt;
  response->set_leader_term(term.value_or(0));
  response->set_head_position(d_.store->Head().position);
  return log.Done(grpc::Status::OK);
}

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
