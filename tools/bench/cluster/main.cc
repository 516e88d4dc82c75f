// clas-bench-cluster: a cluster of three clas-ledgerd nodes on one etcd, all started by this
// program on loopback ports (tools/cluster/local_cluster.h), measured through the public API,
// each figure beside its baseline in the same run:
//
//   cluster_disk_sync          the floor: a synced 4 KiB append on the nodes' disk, alone
//   cluster_append_batch       1 writer, batches of --batch events a Ledger.Append call, with
//                              --replication_acks=1 against =0 (a fresh cluster for each)
//   cluster_append_concurrent  --writers threads, 1 event a call, the same two clusters
//   cluster_follower_lag       the followers' lag behind the leader during the concurrent run,
//                              sampled every 50 ms from each node's head (ReadStream's
//                              head_position), beside the registry's records in etcd
//   cluster_reads              --readers threads reading one stream (Ledger.ReadStream), spread
//                              over the two followers, against the leader alone
//   cluster_failover           the leader killed (SIGKILL) --kills times under a light load,
//                              until the new leader acknowledges a write, against the lease TTL
//
//   clas-bench-cluster [--rows FILE] [--ledgerd PATH] [--seconds S] [--kills K] [--smoke]
//                      [--keep_files] ...
//
// Appends are durable (clas-ledgerd --sync, its default). Rows are APPENDED to FILE, one JSON
// object per line (rows.h). Exit status 77 (skipped) when /usr/bin/etcd is missing, 1 when a
// measurement fails (a load with no successful call, a failover that does not end).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "ledger/base/status_macros.h"
#include "tools/bench/cluster/cluster_load.h"
#include "tools/bench/cluster/cluster_rows.h"
#include "tools/bench/cluster/disk_sync.h"
#include "tools/bench/rows.h"
#include "tools/cluster/local_cluster.h"

ABSL_FLAG(std::string, rows, "", "file the rows are appended to, one JSON object per line");
ABSL_FLAG(std::string, ledgerd, CLAS_LEDGERD_PATH, "the clas-ledgerd binary the nodes run");
ABSL_FLAG(double, seconds, 10, "duration of each measured load");
ABSL_FLAG(int32_t, batch, 100, "events a Ledger.Append call in the batched run");
ABSL_FLAG(int32_t, writers, 16, "writer threads of the concurrent run (1 event a call)");
ABSL_FLAG(int32_t, readers, 16, "reader threads of the read runs");
ABSL_FLAG(int32_t, read_events, 20, "events of the stream the readers read whole");
ABSL_FLAG(int32_t, payload_bytes, 512, "payload of each event appended, in bytes");
ABSL_FLAG(int32_t, kills, 10, "times the leader is killed");
ABSL_FLAG(int32_t, lease_seconds, 5, "the nodes' --cluster_lease_seconds");
ABSL_FLAG(bool, keep_files, false,
          "leave each cluster's directory (the nodes' data and node.log) in the temporary "
          "directory");
ABSL_FLAG(bool, smoke, false,
          "short settings (CI): 1 s a load, 1 kill, a lease of 2 s; every row still written");

namespace clas::bench {
namespace {

// The synced appends that measure the disk (at most 2 s of them).
constexpr int kSyncedAppendsMax = 200;
// How long a cluster may take to elect a leader and take a first write, or to come back whole
// after a kill, before the run fails.
constexpr absl::Duration kClusterWait = absl::Seconds(60);

ClusterSettings FromFlags() {
  ClusterSettings s;
  s.ledgerd = absl::GetFlag(FLAGS_ledgerd);
  s.seconds = absl::GetFlag(FLAGS_seconds);
  s.batch = absl::GetFlag(FLAGS_batch);
  s.writers = absl::GetFlag(FLAGS_writers);
  s.readers = absl::GetFlag(FLAGS_readers);
  s.read_events = absl::GetFlag(FLAGS_read_events);
  s.payload_bytes = absl::GetFlag(FLAGS_payload_bytes);
  s.kills = absl::GetFlag(FLAGS_kills);
  s.lease_seconds = absl::GetFlag(FLAGS_lease_seconds);
  s.keep_files = absl::GetFlag(FLAGS_keep_files);
  if (absl::GetFlag(FLAGS_smoke)) {
    s.seconds = 1;
    s.kills = 1;
    s.lease_seconds = 2;
  }
  return s;
}

absl::Status Check(const ClusterSettings& s) {
  const bool ok = s.seconds > 0 && s.seconds <= 3600 && s.batch >= 1 &&
                  s.batch <= kBatchEventsMax && s.writers >= 1 && s.writers <= kLoadThreadsMax &&
                  s.readers >= 1 && s.readers <= kLoadThreadsMax && s.read_events >= 1 &&
                  s.read_events <= kBatchEventsMax && s.payload_bytes >= 1 &&
                  s.payload_bytes <= 65536 && s.kills >= 1 && s.kills <= 1000 &&
                  s.lease_seconds >= 1 && s.lease_seconds <= 60;
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(
      "a flag out of bounds: --seconds 0 to 3600, --batch and --read_events 1 to 256, "
      "--writers and --readers 1 to 64, --payload_bytes 1 to 65536, --kills 1 to 1000, "
      "--lease_seconds 1 to 60");
}

// Starts a cluster with `acks` and waits until it takes writes; the leader's index.
absl::StatusOr<int> StartCluster(const ClusterSettings& s, int acks,
                                 std::unique_ptr<local_cluster::LocalCluster>* cluster,
                                 std::unique_ptr<ClusterLoad>* load) {
  ASSIGN_OR_RETURN(*cluster, local_cluster::LocalCluster::Start({.ledgerd_binary = s.ledgerd,
                                                                 .nodes = 3,
                                                                 .lease_seconds = s.lease_seconds,
                                                                 .replication_acks = acks,
                                                                 .extra_flags = {"--sync=true"}}));
  std::printf("--replication_acks=%d: a cluster under %s%s\n", acks, (*cluster)->dir().c_str(),
              s.keep_files ? " (kept)" : "");
  if (s.keep_files) (*cluster)->KeepFiles();
  ASSIGN_OR_RETURN(const std::string token, (*cluster)->Token("service-demo"));
  *load = std::make_unique<ClusterLoad>(cluster->get(), token, s.payload_bytes);
  return (*load)->AwaitReady(kClusterWait);
}

absl::Status NotEmpty(const CallFigures& figures, const std::string& load) {
  if (figures.calls > 0) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat(load, ": no successful call (", figures.errors,
                                             " errors: ", figures.first_error, ")"));
}

// The two append runs (and the lag during the second) on a fresh cluster with `acks`.
absl::StatusOr<AppendRun> RunAppends(const ClusterSettings& s, int acks, ClusterLoad& load,
                                     int leader) {
  AppendRun run;
  RETURN_IF_ERROR(load.AwaitFollowers(leader, kClusterWait).status());  // every run from there
  std::printf("--replication_acks=%d: batches of %d, 1 writer, %.0f s\n", acks, s.batch, s.seconds);
  run.batches = load.AppendBatches(leader, s.batch, s.seconds);
  RETURN_IF_ERROR(NotEmpty(run.batches, "batched append"));
  ASSIGN_OR_RETURN(run.batches_catch_up_seconds, load.AwaitFollowers(leader, kClusterWait));
  std::printf("--replication_acks=%d: 1 event a call, %d writers, %.0f s\n", acks, s.writers,
              s.seconds);
  run.concurrent = load.AppendConcurrent(leader, s.writers, s.seconds, &run.lag);
  RETURN_IF_ERROR(NotEmpty(run.concurrent, "concurrent append"));
  ASSIGN_OR_RETURN(run.concurrent_catch_up_seconds, load.AwaitFollowers(leader, kClusterWait));
  if (run.lag.from_heads.count == 0) return absl::UnavailableError("no lag sample");
  return run;
}

absl::StatusOr<ReadRun> RunReads(const ClusterSettings& s, local_cluster::LocalCluster& cluster,
                                 ClusterLoad& load, int leader) {
  ASSIGN_OR_RETURN(const std::string stream,
                   load.PrepareReadStream(leader, s.read_events, kClusterWait));
  std::vector<int> followers;
  for (int i = 0; i < cluster.size(); ++i) {
    if (i != leader) followers.push_back(i);
  }
  ReadRun run;
  std::printf("reads: %d readers on the leader, %.0f s\n", s.readers, s.seconds);
  run.leader = load.Reads({leader}, stream, s.read_events, s.readers, s.seconds);
  RETURN_IF_ERROR(NotEmpty(run.leader, "reads from the leader"));
  std::printf("reads: %d readers on the %zu followers, %.0f s\n", s.readers, followers.size(),
              s.seconds);
  run.followers = load.Reads(followers, stream, s.read_events, s.readers, s.seconds);
  RETURN_IF_ERROR(NotEmpty(run.followers, "reads from the followers"));
  return run;
}

absl::StatusOr<std::vector<Row>> Run(const ClusterSettings& s) {
  RETURN_IF_ERROR(Check(s));
  std::printf(
      "clas-bench-cluster: 3 nodes and etcd on loopback, durable appends (--sync), events of "
      "%d bytes, %.0f s a load, %d %s of the leader, a lease of %d s\n",
      s.payload_bytes, s.seconds, s.kills, s.kills == 1 ? "kill" : "kills", s.lease_seconds);
  ClusterFigures figures;
  std::printf("the disk: synced appends of 4 KiB\n");
  ASSIGN_OR_RETURN(figures.disk_sync, SyncedAppends(std::filesystem::temp_directory_path(),
                                                    kSyncedAppendsMax, std::min(2.0, s.seconds)));
  {
    std::unique_ptr<local_cluster::LocalCluster> cluster;
    std::unique_ptr<ClusterLoad> load;
    ASSIGN_OR_RETURN(const int leader, StartCluster(s, 0, &cluster, &load));
    ASSIGN_OR_RETURN(figures.acks0, RunAppends(s, 0, *load, leader));
  }
  std::unique_ptr<local_cluster::LocalCluster> cluster;
  std::unique_ptr<ClusterLoad> load;
  ASSIGN_OR_RETURN(const int leader, StartCluster(s, 1, &cluster, &load));
  ASSIGN_OR_RETURN(figures.acks1, RunAppends(s, 1, *load, leader));
  ASSIGN_OR_RETURN(figures.reads, RunReads(s, *cluster, *load, leader));
  std::printf("failover: %d %s of the leader, lease %d s\n", s.kills,
              s.kills == 1 ? "kill" : "kills", s.lease_seconds);
  ASSIGN_OR_RETURN(figures.failover, load->Failovers(s.kills, kClusterWait));
  return ClusterRows(s, figures);
}

// Appends the rows to `path`, then reads the file back: every row must be there.
absl::Status WriteRows(const std::string& path, const std::vector<Row>& rows) {
  for (const Row& row : rows) RETURN_IF_ERROR(AppendRow(path, row));
  ASSIGN_OR_RETURN(const std::vector<Row> written, ReadRows(path));
  for (const Row& row : rows) {
    bool found = false;
    for (const Row& w : written) found = found || (w.row == row.row && w.ours == row.ours);
    if (!found) return absl::DataLossError(absl::StrCat("row ", row.row, " not read back"));
  }
  return absl::OkStatus();
}

int Main() {
  if (!std::filesystem::exists(local_cluster::kEtcdBinary)) {
    std::fprintf(stderr,
                 "clas-bench-cluster: skipped: %s is missing (tools/setup.sh installs "
                 "etcd-server)\n",
                 local_cluster::kEtcdBinary);
    return 77;
  }
  const absl::StatusOr<std::vector<Row>> rows = Run(FromFlags());
  if (!rows.ok()) {
    std::fprintf(stderr, "clas-bench-cluster: FAILED: %s (--keep_files keeps the nodes' logs)\n",
                 rows.status().ToString().c_str());
    return 1;
  }
  for (const Row& row : *rows) {
    std::printf("%s: %s | baseline: %s | %s\n", row.row.c_str(), row.ours.c_str(),
                row.baseline.c_str(), row.ratio.c_str());
  }
  const std::string path = absl::GetFlag(FLAGS_rows);
  if (!path.empty()) {
    if (const absl::Status written = WriteRows(path, *rows); !written.ok()) {
      std::fprintf(stderr, "clas-bench-cluster: %s\n", written.ToString().c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace
}  // namespace clas::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "clas-bench-cluster [--rows FILE] [--seconds S] [--kills K] [--smoke]: a three-node "
      "cluster on etcd, measured (tools/bench/cluster/main.cc)");
  absl::ParseCommandLine(argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  return clas::bench::Main();
}
