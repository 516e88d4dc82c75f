// The calls a node makes to etcd's v3 API (Lease, Election and KV services), each one
// bounded: a unary call or a lease renewal has `call_timeout`, a Campaign or an Observe the
// duration its caller gives. Errors are values: gRPC's status as an absl::Status of the same
// code, with the endpoint in the message.
//
// Endpoints: several "host:port" of one etcd cluster, in plain text. Every call goes to the
// current one; a caller that sees it fail calls Rotate(), and the next call tries the next one.
// gRPC's own reconnection to an endpoint waits at most max(`reconnect_backoff_max`, 1 s) between
// attempts (its default grows to two minutes, far past a lease's TTL), and resolves the name
// again as often.
//
// Thread-safety: thread-safe. CloseBlocking() cancels the Campaign and Observe calls in flight
// and refuses new ones (CANCELLED); short calls stay possible, so that a stopping node can still
// resign and revoke its lease.
#ifndef CLAS_SERVER_CLUSTER_ETCD_CLIENT_H_
#define CLAS_SERVER_CLUSTER_ETCD_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "etcd/etcdserver/api/v3election/v3electionpb/v3election.pb.h"
#include "etcd/mvcc/mvccpb/kv.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace clas::server::cluster {

class EtcdClient {
 public:
  // A lease as etcd granted it: its TTL may be longer than asked (etcd's minimum).
  struct Lease {
    int64_t id = 0;
    absl::Duration ttl;
  };

  // REQUIRES: `endpoints` is not empty; durations are positive.
  EtcdClient(std::vector<std::string> endpoints, absl::Duration call_timeout,
             absl::Duration reconnect_backoff_max);
  EtcdClient(const EtcdClient&) = delete;
  EtcdClient& operator=(const EtcdClient&) = delete;
  ~EtcdClient();

  // LeaseGrant: a new lease of `ttl` (whole seconds, rounded up).
  absl::StatusOr<Lease> Grant(absl::Duration ttl);
  // LeaseRevoke: the lease and every key attached to it are gone. NOT_FOUND when the lease had
  // already expired or been revoked.
  absl::Status Revoke(int64_t lease_id);
  // One renewal on a LeaseKeepAlive stream of its own (one request, one answer, then closed):
  // one deadline bounds the whole exchange. Returns the TTL etcd renewed the lease for, counted
  // from when etcd received the request; zero when the lease no longer exists.
  absl::StatusOr<absl::Duration> KeepAliveOnce(int64_t lease_id);

  // Campaign: waits, at most `wait_max`, until the key this lease puts under `name` is the
  // oldest there, i.e. leads. DEADLINE_EXCEEDED when `wait_max` passed first (etcd then deletes
  // the key: a new campaign queues again).
  absl::StatusOr<v3electionpb::LeaderKey> Campaign(const std::string& name, int64_t lease_id,
                                                   const std::string& value,
                                                   absl::Duration wait_max);
  // Leader: the leading key-value under `name`, or nullopt when no one leads.
  absl::StatusOr<std::optional<mvccpb::KeyValue>> Leader(const std::string& name);
  // Resign: deletes the leader key, so that the next campaigner leads.
  absl::Status Resign(const v3electionpb::LeaderKey& key);
  // Observe: calls `on_leader` with each leader of `name` in order (the current one first, if
  // any) until `duration` has passed (then OK) or the stream fails. etcd says nothing when a
  // leader goes without a successor: a caller wanting to know calls Leader() again.
  absl::Status Observe(const std::string& name, absl::Duration duration,
                       const std::function<void(const mvccpb::KeyValue&)>& on_leader);

  // Put: `key` holds `value`, attached to `lease_id` (0: to none), so that it goes with the
  // lease.
  absl::Status Put(const std::string& key, const std::string& value, int64_t lease_id);
  // Range: every key-value whose key starts with `prefix`, in key order, at most `limit` of
  // them (more: RESOURCE_EXHAUSTED, never a silent cut).
  absl::StatusOr<std::vector<mvccpb::KeyValue>> RangePrefix(const std::string& prefix,
                                                            int64_t limit);

  // The next endpoint will be used by the next call.
  void Rotate();
  // Cancels the Campaign and Observe calls in flight; new ones return CANCELLED.
  void CloseBlocking();

 private:
  class BlockingCall;
  std::shared_ptr<grpc::Channel> Channel(std::string* endpoint);
  void SetDeadline(grpc::ClientContext* context, absl::Duration timeout) const;

  const std::vector<std::string> endpoints_;
  const absl::Duration call_timeout_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::atomic<size_t> current_{0};

  absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_set<grpc::ClientContext*> blocking_ ABSL_GUARDED_BY(mu_);
};

}  // namespace clas::server::cluster

#endif  // CLAS_SERVER_CLUSTER_ETCD_CLIENT_H_
