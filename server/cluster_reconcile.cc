#include "server/cluster_reconcile.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clas/v1/service.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "ledger/base/status_macros.h"
#include "server/cluster/election.h"
#include "server/cluster/etcd_client.h"

namespace clas::server {
namespace {

constexpr absl::Duration kPoll = absl::Milliseconds(200);
constexpr absl::Duration kCallTimeout = absl::Seconds(5);

// The first item of a Replicate stream from `from` on, as the leader sends it.
absl::StatusOr<v1::ReplicateResponse> FetchFrom(v1::Ledger::Stub& stub, const std::string& token,
                                                uint64_t from) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoMilliseconds(kCallTimeout));
  v1::ReplicateRequest request;
  request.set_from_position(from);
  auto reader = stub.Replicate(&context, request);
  v1::ReplicateResponse item;
  const bool read = reader->Read(&item);
  context.TryCancel();
  const grpc::Status status = reader->Finish();
  if (read) return item;
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat("the leader's Replicate from ", from, ": ",
                                   status.error_message()));
}

// How many records of `item`, from its first, are this log's own, byte for byte.
absl::StatusOr<size_t> SharedPrefix(const ledger::EventStore& store,
                                    const v1::ReplicateResponse& item) {
  if (item.records().empty()) return 0;
  ASSIGN_OR_RETURN(const std::vector<ledger::StoredRecord> mine,
                   store.ReadStored(item.records(0).position(),
                                    static_cast<size_t>(item.records_size()),
                                    ledger::kReplicatedBytesMax));
  size_t shared = 0;
  while (shared < mine.size() && mine[shared].position == item.records(shared).position() &&
         mine[shared].value == item.records(shared).stored_event()) {
    ++shared;
  }
  return shared;
}

// The last position this log shares with the leader's: the head itself when the leader holds it.
absl::StatusOr<uint64_t> LastSharedPosition(const ledger::EventStore& store,
                                            v1::Ledger::Stub& stub, const std::string& token) {
  const uint64_t head = store.Head().position;
  absl::StatusOr<v1::ReplicateResponse> at_head = FetchFrom(stub, token, head);
  if (at_head.ok()) {
    ASSIGN_OR_RETURN(const size_t shared, SharedPrefix(store, *at_head));
    if (shared > 0) return head;
  } else if (!absl::IsOutOfRange(at_head.status())) {
    return at_head.status();
  }
  // The leader's head bounds the search: its first item says it.
  ASSIGN_OR_RETURN(const v1::ReplicateResponse first, FetchFrom(stub, token, 1));
  uint64_t position = std::min(head, first.leader_head_position());
  uint64_t step = 1;
  // Back, by steps doubling, to a position both logs share (or none: 0) ...
  while (position > 0) {
    ASSIGN_OR_RETURN(const v1::ReplicateResponse item, FetchFrom(stub, token, position));
    ASSIGN_OR_RETURN(const size_t shared, SharedPrefix(store, item));
    if (shared > 0) break;
    position = position > step ? position - step : 0;
    step *= 2;
  }
  if (position == 0) return 0;
  // ... then forward to the last of them (fewer than `step` positions on).
  while (true) {
    ASSIGN_OR_RETURN(const v1::ReplicateResponse item, FetchFrom(stub, token, position));
    ASSIGN_OR_RETURN(const size_t shared, SharedPrefix(store, item));
    if (shared < static_cast<size_t>(item.records_size()) || shared == 0) {
      return position + shared - 1;
    }
    position += shared;
    if (position > head) return head;
  }
}

}  // namespace

absl::StatusOr<std::optional<ledger::SetAsideResult>> ReconcileWithLeader(
    ledger::EventStore* store, const ClusterSettings& settings, absl::Duration wait_max) {
  if (store->Head().position == 0) return std::nullopt;
  cluster::EtcdClient etcd(settings.etcd_endpoints, absl::Seconds(1), absl::Seconds(1));
  const absl::Time deadline = absl::Now() + wait_max;
  std::optional<cluster::LeaderInfo> leader;
  while (true) {
    const absl::StatusOr<std::optional<mvccpb::KeyValue>> kv =
        etcd.Leader(settings.prefix + "/leader");
    if (kv.ok() && !kv->has_value()) return std::nullopt;  // no leader: nothing to compare
    if (kv.ok()) {
      leader = cluster::DecodeLeaderValue((*kv)->value(), (*kv)->create_revision());
      if (leader->node_id != settings.node_id) break;
    } else {
      etcd.Rotate();
    }
    if (absl::Now() >= deadline) {
      if (!kv.ok()) return kv.status();
      return std::nullopt;  // still this node's former key: it leads nothing, nothing to do
    }
    absl::SleepFor(kPoll);
  }
  FollowSettings follow = settings.follow;
  auto stub = v1::Ledger::NewStub(grpc::CreateChannel(leader->address, follow.credentials));
  const absl::StatusOr<uint64_t> shared = LastSharedPosition(*store, *stub, follow.token);
  if (!shared.ok()) {
    return absl::Status(shared.status().code(),
                        absl::StrCat(shared.status().message(), " (comparing this log with the "
                                     "leader ", leader->node_id, " at ", leader->address, ")"));
  }
  if (*shared == store->Head().position) return std::nullopt;
  ASSIGN_OR_RETURN(ledger::SetAsideResult result,
                   store->SetAsideAfter(*shared, settings.set_aside_dir));
  return std::optional<ledger::SetAsideResult>(std::move(result));
}

}  // namespace clas::server
