// The server's metrics for Prometheus (README, "Metrics"): per RPC method and status code, the
// calls ended and their durations; the store's appends, events, synced writes, group sizes and
// write (fsync) times, its size on disk and head; the last position a verification of the chain
// reached; the open subscriptions and how far they are behind the head; the hits and misses of
// the engine's snapshot and report caches; the token reloads and the authentication failures
// by cause. Served in Prometheus' text format over HTTP at /metrics (Serve), on a loopback
// address by default: they tell how busy the ledger is, never an id, a token or an amount.
//
// Only the server links a metrics library: ledger/ and projections/ keep plain counters
// (EventStore::Stats, Engine::report_stats and snapshot_stats), which are read at each scrape.
// Labels take bounded values only: a method name, a gRPC code name, a cause, a cache's name.
//
// Thread-safety: thread-safe. CallEnded costs a short lock to find the call's series, then
// atomic increments: nothing is held across a call.
#ifndef CLAS_SERVER_METRICS_H_
#define CLAS_SERVER_METRICS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "server/call_log.h"
#include "server/replicator.h"

namespace clas {
class Engine;
namespace ledger {
class EventStore;
}  // namespace ledger
}  // namespace clas

namespace clas::server {

class Authenticator;
class OpenSubscriptions;

// clas-ledgerd's --metrics_listen by default: loopback only, on the port registered for
// Prometheus exporters of this kind.
inline constexpr char kMetricsListenDefault[] = "127.0.0.1:9464";
// Threads of the HTTP server that answers scrapes.
inline constexpr int kMetricsThreads = 2;

// What the metrics read at each scrape; not owned.
struct MetricsSources {
  const ledger::EventStore* store = nullptr;
  const Engine* engine = nullptr;
  const Authenticator* authenticator = nullptr;
  const OpenSubscriptions* subscriptions = nullptr;
  const std::atomic<uint64_t>* chain_verified_to = nullptr;
  // A follower's replication; empty, or nullopt while leading (no replication series then).
  std::function<std::optional<ReplicationProgress>()> replication;
};

class ServerMetrics final : public CallCounter {
 public:
  // REQUIRES: every source is set and outlives this object.
  explicit ServerMetrics(MetricsSources sources);
  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;
  // Stops serving first: no scrape runs once it returns.
  ~ServerMetrics() override;

  // Counts a call of `method` that ended with `code` after `elapsed`.
  void CallEnded(std::string_view method, grpc::StatusCode code,
                 absl::Duration elapsed) override;
  // Counts a re-read of the token file, which succeeded or not.
  void TokensReloaded(bool ok);

  // Serves the metrics at http://<address>/metrics ("host:port"; port 0: a free one, then
  // port()). InvalidArgument for an address without a port; Unavailable naming the address when
  // it cannot listen there; FailedPrecondition when already serving.
  absl::Status Serve(const std::string& address);
  // The port Serve listens on; 0 when not serving.
  int port() const;

  // Every metric now, in Prometheus' text format: what /metrics answers.
  std::string Text() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace clas::server

#endif  // CLAS_SERVER_METRICS_H_
