// The gRPC rows: the ledger server (LedgerServer, with a bench-only Echo service on the same
// port) runs in a child process of the benchmark, so that its peak RSS is its own; the parent
// drives it from client threads sharing one channel.
//
// Thread-safety: RunLoad runs its calls on `threads` threads; the rest from one thread.
#ifndef CLAS_TOOLS_BENCH_QUERY_GRPC_LOAD_H_
#define CLAS_TOOLS_BENCH_QUERY_GRPC_LOAD_H_

#include <sys/types.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

#include "absl/status/statusor.h"

namespace clas::bench {

// The child's side: starts the server on `data_dir` with `tokens_file` on a free loopback port,
// writes "port <n>" on stdout, serves until its stdin closes, then shuts down. Exit code 0, or 3
// when the server does not start (the reason on stderr).
int ServeChild(const std::string& data_dir, const std::string& tokens_file);

struct ServerProcess {
  pid_t pid = -1;
  int port = 0;
  int to_child = -1;  // closing it stops the child
};

// Starts `self` (this program) as a server child; returns once it listens.
absl::StatusOr<ServerProcess> SpawnServer(const std::string& self, const std::string& data_dir,
                                          const std::string& tokens_file);
// The child's peak resident set (VmHWM) in KiB, 0 when unknown.
int64_t PeakRssKib(pid_t pid);
// Stops the child and waits for it; its exit status.
int StopServer(ServerProcess& server);

struct Rate {
  int64_t calls = 0;   // successful calls
  int64_t errors = 0;  // failed calls (counted, not timed)
  double seconds = 0;
  double per_second() const { return seconds > 0 ? calls / seconds : 0; }
  std::string first_error;
};

// Runs `call(thread, i)` in a loop on `threads` threads for `seconds`; call returns "" on
// success or the error's text.
Rate RunLoad(int threads, double seconds,
             const std::function<std::string(int thread, int64_t i)>& call);

}  // namespace clas::bench

#endif  // CLAS_TOOLS_BENCH_QUERY_GRPC_LOAD_H_
