// Small helpers of the read benchmarks: latency samples and their percentiles, a monotonic clock.
#ifndef CLAS_TOOLS_BENCH_QUERY_MEASURE_H_
#define CLAS_TOOLS_BENCH_QUERY_MEASURE_H_

#include <algorithm>
#include <time.h>

#include <chrono>
#include <cstdint>
#include <vector>

namespace clas::bench {

inline int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// CPU time of the calling thread: what a call costs without the waits a loaded machine adds.
inline int64_t ThreadCpuNanos() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Latencies in nanoseconds.
class Samples {
 public:
  void Add(int64_t nanos) { values_.push_back(nanos); }
  size_t size() const { return values_.size(); }
  // The q-quantile (0 < q <= 1), nearest rank; 0 when empty.
  double Micros(double q) {
    if (values_.empty()) return 0;
    std::sort(values_.begin(), values_.end());
    size_t rank = static_cast<size_t>(q * values_.size() + 0.999999);
    rank = std::clamp<size_t>(rank, 1, values_.size());
    return values_[rank - 1] / 1000.0;
  }

 private:
  std::vector<int64_t> values_;
};

}  // namespace clas::bench

#endif  // CLAS_TOOLS_BENCH_QUERY_MEASURE_H_
