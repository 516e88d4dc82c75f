#include "server/metrics.h"

#include <array>
#include <exception>
#include <sstream>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "ledger/base/absl_view.h"
#include "ledger/base/status_macros.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"
#include "server/metrics_state.h"

namespace clas::server {
namespace {

// gRPC's codes are 0..16; any other number is counted under the last slot ("ERROR").
constexpr size_t kCodeSlots = 18;

// Upper bounds of clas_rpc_duration_seconds: from a cached query's fraction of a millisecond
// to a subscription's hour (subscribe_minutes_max).
const prometheus::Histogram::BucketBoundaries& DurationBounds() {
  static const auto* const kBounds = new prometheus::Histogram::BucketBoundaries{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
      1,      2.5,   5,      10,    30,   60,    300,  600, 1800, 3600};
  return *kBounds;
}

}  // namespace

struct ServerMetrics::Impl {
  // The counter and histogram of one method and code, made at its first call.
  struct Series {
    prometheus::Counter* calls = nullptr;
    prometheus::Histogram* seconds = nullptr;
  };

  explicit Impl(MetricsSources sources)
      : registry(std::make_shared<prometheus::Registry>()),
        state(std::make_shared<StateCollector>(sources)),
        calls(prometheus::BuildCounter()
                  .Name("clas_rpc_calls_total")
                  .Help("RPCs ended, by method and gRPC status code (streams counted at their end)")
                  .Register(*registry)),
        durations(prometheus::BuildHistogram()
                      .Name("clas_rpc_duration_seconds")
                      .Help("Time from an RPC's start to its end, by method and gRPC status code")
                      .Register(*registry)),
        reloads(prometheus::BuildCounter()
                    .Name("clas_token_reloads_total")
                    .Help("Re-reads of the token file (SIGHUP), by result")
                    .Register(*registry)),
        reloads_ok(reloads.Add({{"result", "ok"}})),
        reloads_error(reloads.Add({{"result", "error"}})) {}

  Series SeriesOf(std::string_view method, grpc::StatusCode code) ABSL_LOCKS_EXCLUDED(mu) {
    const size_t slot = static_cast<size_t>(code) < kCodeSlots - 1 ? static_cast<size_t>(code)
                                                                   : kCodeSlots - 1;
    absl::MutexLock lock(&mu);
    auto it = series.find(base::ToAbsl(method));
    if (it == series.end()) it = series.try_emplace(std::string(method)).first;
    Series& s = it->second[slot];
    if (s.calls == nullptr) {
      const prometheus::Labels labels = {{"method", std::string(method)},
                                         {"code", StatusCodeName(code)}};
      s.calls = &calls.Add(labels);
      s.seconds = &durations.Add(labels, DurationBounds());
    }
    return s;
  }

  const std::shared_ptr<prometheus::Registry> registry;
  const std::shared_ptr<StateCollector> state;
  prometheus::Family<prometheus::Counter>& calls;
  prometheus::Family<prometheus::Histogram>& durations;
  prometheus::Family<prometheus::Counter>& reloads;
  prometheus::Counter& reloads_ok;
  prometheus::Counter& reloads_error;
  absl::Mutex mu;
  // By method: the series of each code. Methods are the API's, a bounded set.
  absl::flat_hash_map<std::string, std::array<Series, kCodeSlots>> series ABSL_GUARDED_BY(mu);
  std::unique_ptr<prometheus::Exposer> exposer;  // set by Serve, from one thread
  int port = 0;
};

ServerMetrics::ServerMetrics(MetricsSources sources) : impl_(std::make_unique<Impl>(sources)) {}

ServerMetrics::~ServerMetrics() { impl_->exposer.reset(); }

void ServerMetrics::CallEnded(std::string_view method, grpc::StatusCode code,
                              absl::Duration elapsed) {
  const Impl::Series series = impl_->SeriesOf(method, code);
  series.calls->Increment();
  series.seconds->Observe(absl::ToDoubleSeconds(elapsed));
}

void ServerMetrics::TokensReloaded(bool ok) {
  (ok ? impl_->reloads_ok : impl_->reloads_error).Increment();
}

absl::Status ServerMetrics::Serve(const std::string& address) {
  if (impl_->exposer != nullptr) {
    return absl::FailedPreconditionError("the metrics are served already");
  }
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics_listen = ", address, ": expected host:port"));
  }
  try {
    impl_->exposer = std::make_unique<prometheus::Exposer>(address, kMetricsThreads);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("metrics_listen = ", address, ": cannot listen there (", e.what(),
                     "); give a free host:port, or an empty value to serve no metrics"));
  }
  const std::vector<int> ports = impl_->exposer->GetListeningPorts();
  impl_->port = ports.empty() ? 0 : ports.front();
  impl_->exposer->RegisterCollectable(impl_->registry);
  impl_->exposer->RegisterCollectable(impl_->state);
  return absl::OkStatus();
}

int ServerMetrics::port() const { return impl_->port; }

std::string ServerMetrics::Text() const {
  std::vector<prometheus::MetricFamily> families = impl_->registry->Collect();
  std::vector<prometheus::MetricFamily> state = impl_->state->Collect();
  families.insert(families.end(), std::make_move_iterator(state.begin()),
                  std::make_move_iterator(state.end()));
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace clas::server
