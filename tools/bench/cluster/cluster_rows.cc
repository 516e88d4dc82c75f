#include "tools/bench/cluster/cluster_rows.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace clas::bench {
namespace {

constexpr char kCluster[] = "cluster of 3 nodes";

std::string Ms(double ms) {
  return ms < 10 ? absl::StrFormat("%.2f ms", ms) : absl::StrFormat("%.1f ms", ms);
}

// "12 345 events/s, p50 1.20 ms, p99 4.50 ms a call" (and the errors, when any).
std::string Calls(const CallFigures& f, double rate, const std::string& unit) {
  std::string out = absl::StrCat(Grouped(rate), " ", unit, ", p50 ", Ms(f.latency_ms.p50), ", p99 ",
                                 Ms(f.latency_ms.p99), " a call");
  if (f.errors > 0) absl::StrAppend(&out, ", ", f.errors, " failed (", f.first_error, ")");
  return out;
}

std::string Percent(double ratio) { return absl::StrFormat("%.0f %%", ratio * 100); }

std::string CaughtUp(double seconds) {
  return absl::StrFormat("; followers caught up %.1f s after", seconds);
}

Row ThroughputRow(const std::string& id, const std::string& what, const CallFigures& acks1,
                  double acks1_catch_up, const CallFigures& acks0, double acks0_catch_up) {
  Row row{.row = id, .what = what};
  row.ours =
      absl::StrCat(Calls(acks1, acks1.events_per_second(), "events/s"), CaughtUp(acks1_catch_up));
  row.baseline = absl::StrCat(Calls(acks0, acks0.events_per_second(), "events/s"),
                              CaughtUp(acks0_catch_up), " (--replication_acks=0, a fresh cluster)");
  if (acks0.events_per_second() > 0) {
    row.ratio = Percent(acks1.events_per_second() / acks0.events_per_second());
  }
  return row;
}

Row LagRow(const std::string& id, int acks, const ClusterSettings& s, const AppendRun& run) {
  const Distribution& heads = run.lag.from_heads;
  const Distribution& registry = run.lag.from_registry;
  const double rate = run.concurrent.events_per_second();
  Row row{.row = id,
          .what = absl::StrCat(kCluster, ", follower lag during the ", s.writers,
                               "-writer append, --replication_acks=", acks,
                               " (both followers, every 50 ms)")};
  row.ours = absl::StrFormat(
      "p50 %.0f, p99 %.0f, max %.0f events, from each node's head (%d samples; p99 %s of "
      "appends at %s events/s)",
      heads.p50, heads.p99, heads.max, heads.count, Ms(rate > 0 ? heads.p99 / rate * 1e3 : 0),
      Grouped(rate));
  row.baseline = absl::StrFormat(
      "p50 %.0f, p99 %.0f, max %.0f events in the registry's records (published every 100 ms)",
      registry.p50, registry.p99, registry.max);
  return row;
}

Row ReadRow(const ClusterSettings& s, const ReadRun& reads) {
  Row row{.row = "cluster_reads",
          .what = absl::StrCat(kCluster, ", reads: Ledger.ReadStream of a ", s.read_events,
                               "-event stream, ", s.readers,
                               " reader threads spread over the two followers")};
  row.ours = Calls(reads.followers, reads.followers.calls_per_second(), "reads/s");
  row.baseline = absl::StrCat(Calls(reads.leader, reads.leader.calls_per_second(), "reads/s"),
                              " (the leader alone)");
  if (reads.leader.calls_per_second() > 0) {
    row.ratio = absl::StrFormat(
        "%.2f×", reads.followers.calls_per_second() / reads.leader.calls_per_second());
  }
  return row;
}

Row FailoverRow(const ClusterSettings& s, const FailoverFigures& failover) {
  const Distribution d = Summarise(failover.seconds);
  Row row{.row = "cluster_failover",
          .what = absl::StrCat(kCluster,
                               ", failover: the leader killed (SIGKILL) under a light "
                               "load (1 writer, 1 event a call), until the new leader "
                               "acknowledges a write; --replication_acks=1")};
  row.ours = absl::StrFormat("p50 %.2f s, p99 %.2f s, max %.2f s (%d %s)", d.p50, d.p99, d.max,
                             d.count, d.count == 1 ? "kill" : "kills");
  row.baseline = absl::StrFormat(
      "lease TTL %d s (--cluster_lease_seconds: how long etcd keeps a dead leader's key)",
      s.lease_seconds);
  row.ratio = absl::StrFormat("%.2f× (p50)", d.p50 / s.lease_seconds);
  return row;
}

}  // namespace

std::vector<Row> ClusterRows(const ClusterSettings& s, const ClusterFigures& f) {
  std::vector<Row> rows;
  rows.push_back(
      Row{.row = "cluster_disk_sync",
          .what = "the disk under the nodes' data: a 4 KiB append and its fdatasync, alone (the "
                  "floor of a durable write; the three nodes share this disk)",
          .ours = absl::StrFormat("p50 %s, p99 %s (%d syncs)", Ms(f.disk_sync.latency_ms.p50),
                                  Ms(f.disk_sync.latency_ms.p99), f.disk_sync.calls)});
  rows.push_back(ThroughputRow(
      "cluster_append_batch",
      absl::StrCat(kCluster, ", durable append, batches of ", s.batch,
                   " events, 1 writer: --replication_acks=1 (each write held by a follower too)"),
      f.acks1.batches, f.acks1.batches_catch_up_seconds, f.acks0.batches,
      f.acks0.batches_catch_up_seconds));
  const double acks0 = f.acks0.batches.events_per_second();
  rows.back().goal = absl::StrCat("≥ ", Percent(kBatchAcksRatioMin));
  rows.back().met = acks0 > 0 && f.acks1.batches.events_per_second() >= kBatchAcksRatioMin * acks0;
  rows.push_back(ThroughputRow("cluster_append_concurrent",
                               absl::StrCat(kCluster, ", durable append, 1 event per call, ",
                                            s.writers, " concurrent writers: --replication_acks=1"),
                               f.acks1.concurrent, f.acks1.concurrent_catch_up_seconds,
                               f.acks0.concurrent, f.acks0.concurrent_catch_up_seconds));
  rows.push_back(LagRow("cluster_follower_lag", 1, s, f.acks1));
  rows.push_back(LagRow("cluster_follower_lag_acks0", 0, s, f.acks0));
  rows.push_back(ReadRow(s, f.reads));
  rows.push_back(FailoverRow(s, f.failover));
  return rows;
}

}  // namespace clas::bench
