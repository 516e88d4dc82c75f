// The start of a node of a cluster that was a leader before: what it wrote that no other node
// took (the leader stopped, or was cut off, before replicating it) is not the cluster's log. Before
// the node serves anything, its log is compared with the leader's, and what it holds beyond the
// last position both share is set aside (EventStore::SetAsideAfter: into a file of
// `set_aside_dir`, kept for audit, never deleted), so that the node can follow.
#ifndef CLAS_SERVER_CLUSTER_RECONCILE_H_
#define CLAS_SERVER_CLUSTER_RECONCILE_H_

#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ledger/event_store.h"
#include "server/cluster_node.h"

namespace clas::server {

// Waits, at most `wait_max`, for etcd to show a leader other than this node (a key of this
// node's former life lingers until its lease ends); with none, or this node's log empty, or its
// head the leader's own record, nothing is done (nullopt). Otherwise finds the last position the
// two logs share, comparing records byte for byte (their hashes chain all before them), and sets
// aside every record after it. REQUIRES: `store` is a replica (Options::replica). Errors: the
// leader unreachable or refusing (Unavailable, naming it), the set-aside's.
absl::StatusOr<std::optional<ledger::SetAsideResult>> ReconcileWithLeader(
    ledger::EventStore* store, const ClusterSettings& settings, absl::Duration wait_max);

}  // namespace clas::server

#endif  // CLAS_SERVER_CLUSTER_RECONCILE_H_
