// A monotonic stopwatch for the loads of clas-bench-cluster: started when made.
#ifndef CLAS_TOOLS_BENCH_CLUSTER_LOAD_CLOCK_H_
#define CLAS_TOOLS_BENCH_CLUSTER_LOAD_CLOCK_H_

#include <chrono>

namespace clas::bench {

class LoadClock {
 public:
  using Clock = std::chrono::steady_clock;
  LoadClock() : start_(Clock::now()) {}
  Clock::time_point start() const { return start_; }
  double Seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
  double Milliseconds() const { return Seconds() * 1e3; }

 private:
  Clock::time_point start_;
};

}  // namespace clas::bench

#endif  // CLAS_TOOLS_BENCH_CLUSTER_LOAD_CLOCK_H_
