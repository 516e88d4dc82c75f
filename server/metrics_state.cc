#include "server/metrics_state.h"

#include <limits>
#include <string>
#include <utility>

#include "ledger/base/status_macros.h"
#include "ledger/event_store.h"
#include "projections/engine/engine.h"
#include "server/auth.h"
#include "server/open_subscriptions.h"
#include "server/replicator.h"

namespace clas::server {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

MetricFamily Family(std::string name, std::string help, MetricType type) {
  return MetricFamily{std::move(name), std::move(help), type, {}};
}

void AddCounter(MetricFamily& family, uint64_t value, Labels labels = {}) {
  ClientMetric metric;
  metric.label = std::move(labels);
  metric.counter.value = static_cast<double>(value);
  family.metric.push_back(std::move(metric));
}

void AddGauge(MetricFamily& family, uint64_t value, Labels labels = {}) {
  ClientMetric metric;
  metric.label = std::move(labels);
  metric.gauge.value = static_cast<double>(value);
  family.metric.push_back(std::move(metric));
}

// A family of one value without labels, a counter or a gauge, added to `out`.
void AddOne(std::vector<MetricFamily>& out, std::string name, std::string help, MetricType type,
            uint64_t value) {
  MetricFamily family = Family(std::move(name), std::move(help), type);
  if (type == MetricType::Counter) {
    AddCounter(family, value);
  } else {
    AddGauge(family, value);
  }
  out.push_back(std::move(family));
}

// A distribution of the store as a Prometheus histogram, its values multiplied by `scale`
// (1e-6: microseconds to seconds): cumulative buckets, the last one +Inf.
template <size_t N>
void AddHistogram(MetricFamily& family, const ledger::Distribution<N>& d, double scale) {
  ClientMetric metric;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < N; ++i) {
    cumulative += d.counts[i];
    metric.histogram.bucket.push_back({cumulative, static_cast<double>(d.bounds[i]) * scale});
  }
  cumulative += d.counts[N];
  metric.histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
  metric.histogram.sample_count = cumulative;
  metric.histogram.sample_sum = static_cast<double>(d.sum) * scale;
  family.metric.push_back(std::move(metric));
}

void CollectStore(const ledger::EventStore& store, std::vector<MetricFamily>& out) {
  const ledger::StoreStats stats = store.Stats();
  MetricFamily appends =
      Family("clas_store_appends_total", "Append calls decided by the store, by outcome",
             MetricType::Counter);
  AddCounter(appends, stats.appends_written, {{"outcome", "written"}});
  AddCounter(appends, stats.appends_duplicate, {{"outcome", "duplicate"}});
  AddCounter(appends, stats.appends_rejected, {{"outcome", "rejected"}});
  AddCounter(appends, stats.appends_failed, {{"outcome", "failed"}});
  out.push_back(std::move(appends));
  AddOne(out, "clas_store_events_written_total", "Events written to the log", MetricType::Counter,
         stats.events_written);
  AddOne(out, "clas_store_batches_written_total", "Group commits written, one WriteBatch each",
         MetricType::Counter, stats.batches_written);
  AddOne(out, "clas_store_synced_writes_total",
         "Group commits written with an fsync before acknowledging", MetricType::Counter,
         stats.writes_synced);
  MetricFamily group =
      Family("clas_store_group_commit_calls", "Append calls carried by each written group commit",
             MetricType::Histogram);
  AddHistogram(group, stats.group_calls, 1.0);
  out.push_back(std::move(group));
  MetricFamily write = Family("clas_store_write_seconds",
                              "Time of a group commit's write, its fsync included when synced",
                              MetricType::Histogram);
  AddHistogram(write, stats.write_time_us, 1e-6);
  out.push_back(std::move(write));
  AddOne(out, "clas_store_disk_bytes", "Bytes of the ledger's table and write-ahead log files",
         MetricType::Gauge, store.DiskBytes());
}

void CollectSubscriptions(const OpenSubscriptions& subscriptions, uint64_t head,
                          std::vector<MetricFamily>& out) {
  const OpenSubscriptions::Lag lag = subscriptions.LagBehind(head);
  AddOne(out, "clas_subscriptions_open", "Ledger.Subscribe streams open now", MetricType::Gauge,
         static_cast<uint64_t>(lag.open));
  AddOne(out, "clas_subscription_lag_max_events",
         "Events of the log the open subscription furthest behind has yet to go past (head "
         "position minus its last position)",
         MetricType::Gauge, lag.events_max);
  AddOne(out, "clas_subscriptions_lag_events",
         "Events of the log the open subscriptions have yet to go past, added over them",
         MetricType::Gauge, lag.events_sum);
}

void CollectCaches(const Engine& engine, std::vector<MetricFamily>& out) {
  const ConventionCache::Stats snapshots = engine.snapshot_stats();
  const ReportCache::Stats reports = engine.report_stats();
  MetricFamily hits = Family("clas_cache_hits_total",
                             "Queries answered from a cache of the engine (snapshots: folds of "
                             "conventions; reports: civil-year reports)",
                             MetricType::Counter);
  AddCounter(hits, snapshots.hits, {{"cache", "snapshots"}});
  AddCounter(hits, reports.hits, {{"cache", "reports"}});
  out.push_back(std::move(hits));
  MetricFamily misses =
      Family("clas_cache_misses_total",
             "Queries a cache of the engine could not answer, computed again", MetricType::Counter);
  AddCounter(misses, snapshots.misses, {{"cache", "snapshots"}});
  AddCounter(misses, reports.misses, {{"cache", "reports"}});
  out.push_back(std::move(misses));
}

void CollectAuth(const Authenticator& authenticator, std::vector<MetricFamily>& out) {
  MetricFamily failures =
      Family("clas_auth_failures_total",
             "Calls refused UNAUTHENTICATED, or streams ended so, by cause", MetricType::Counter);
  const auto counts = authenticator.failures();
  for (size_t i = 0; i < kAuthFailureCount; ++i) {
    AddCounter(failures, counts[i],
               {{"cause", std::string(AuthFailureName(static_cast<AuthFailure>(i)))}});
  }
  out.push_back(std::move(failures));
}

void CollectReplication(const ReplicationProgress& progress, std::vector<MetricFamily>& out) {
  AddOne(out, "clas_replication_position",
         "Position of the last record this follower stored from its leader (its head)",
         MetricType::Gauge, progress.position);
  AddOne(out, "clas_replication_leader_position",
         "The leader's head position, as its last replication item said (0: none yet)",
         MetricType::Gauge, progress.leader_position);
  AddOne(out, "clas_replication_lag_events",
         "Events the leader holds that this follower has not stored yet",
         MetricType::Gauge,
         progress.leader_position > progress.position
             ? progress.leader_position - progress.position
             : 0);
  MetricFamily errors = Family("clas_replication_errors_total",
                               "Replication failures by kind: stream (broken or not opened, then "
                               "resumed), refused (a record that does not chain: replication "
                               "stopped)",
                               MetricType::Counter);
  AddCounter(errors, progress.errors_stream, {{"kind", "stream"}});
  AddCounter(errors, progress.errors_refused, {{"kind", "refused"}});
  out.push_back(std::move(errors));
  AddOne(out, "clas_replication_stopped",
         "1 once replication stopped on a record that does not chain, else 0", MetricType::Gauge,
         progress.stopped ? 1 : 0);
}

}  // namespace

StateCollector::StateCollector(MetricsSources sources) : sources_(sources) {
  CLAS_CHECK(sources_.store != nullptr && sources_.engine != nullptr &&
             sources_.authenticator != nullptr && sources_.subscriptions != nullptr &&
             sources_.chain_verified_to != nullptr)
      << "a metrics source is missing";
}

std::vector<MetricFamily> StateCollector::Collect() const {
  std::vector<MetricFamily> out;
  const uint64_t head = sources_.store->Head().position;
  AddOne(out, "clas_log_head_position", "Position of the last event of the log", MetricType::Gauge,
         head);
  AddOne(out, "clas_chain_verified_position",
         "Highest position a verification of the hash chain that passed has reached since start "
         "(at start, or Audit.VerifyChain)",
         MetricType::Gauge, sources_.chain_verified_to->load());
  CollectStore(*sources_.store, out);
  CollectSubscriptions(*sources_.subscriptions, head, out);
  CollectCaches(*sources_.engine, out);
  CollectAuth(*sources_.authenticator, out);
  if (sources_.replication) {
    if (const std::optional<ReplicationProgress> progress = sources_.replication();
        progress.has_value()) {
      CollectReplication(*progress, out);
    }
  }
  return out;
}

}  // namespace clas::server
