// The metrics read from the server's parts at each scrape (metrics.h): the store's counters,
// size and head, the chain's verified position, the open subscriptions, the engine's caches,
// the authentication failures. A prometheus::Collectable; internal to metrics.cc.
//
// Thread-safety: Collect may run on several scrape threads at once; it only reads the sources,
// each of which is thread-safe.
#ifndef CLAS_SERVER_METRICS_STATE_H_
#define CLAS_SERVER_METRICS_STATE_H_

#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"
#include "server/metrics.h"

namespace clas::server {

class StateCollector final : public prometheus::Collectable {
 public:
  // REQUIRES: every source is set and outlives this object.
  explicit StateCollector(MetricsSources sources);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const MetricsSources sources_;
};

}  // namespace clas::server

#endif  // CLAS_SERVER_METRICS_STATE_H_
