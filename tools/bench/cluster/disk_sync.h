// The floor under every durable write of a local cluster: one append of 4 KiB to a file and its
// fdatasync, as a write-ahead log does, on the disk that holds the nodes' data (the temporary
// directory). The three nodes of a local cluster share that disk, and its syncs.
//
// Thread-safety: a function; it writes a file of its own, removed before it returns.
#ifndef CLAS_TOOLS_BENCH_CLUSTER_DISK_SYNC_H_
#define CLAS_TOOLS_BENCH_CLUSTER_DISK_SYNC_H_

#include <filesystem>

#include "absl/status/statusor.h"
#include "tools/bench/cluster/figures.h"

namespace clas::bench {

// `count` synced appends to a new file under `dir`, one after the other, or as many as fit in
// `seconds`: each one's latency in milliseconds. Unavailable naming the file when a write or a
// sync fails.
absl::StatusOr<CallFigures> SyncedAppends(const std::filesystem::path& dir, int count,
                                          double seconds);

}  // namespace clas::bench

#endif  // CLAS_TOOLS_BENCH_CLUSTER_DISK_SYNC_H_
