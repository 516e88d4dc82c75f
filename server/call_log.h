// One log line per request: method, caller, Caf, status, duration. Written to stderr when the
// scope ends (so the status is known), and counted in the server's metrics (metrics.h) when
// it has any.
#ifndef CLAS_SERVER_CALL_LOG_H_
#define CLAS_SERVER_CALL_LOG_H_

#include <string>
#include <string_view>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"

namespace clas::server {

// Where calls are counted when they end (the server's metrics). Thread-safe.
class CallCounter {
 public:
  virtual ~CallCounter() = default;
  // A call of `method` ended with `code` after `elapsed`.
  virtual void CallEnded(std::string_view method, grpc::StatusCode code,
                         absl::Duration elapsed) = 0;
};

// The name of a gRPC status code as gRPC spells it ("OK", "INVALID_ARGUMENT", ...); "ERROR"
// for a number that is no code.
const char* StatusCodeName(grpc::StatusCode code);

class CallLog {
 public:
  // `counter`, if not null, counts the call when it ends and must outlive it.
  CallLog(const char* method, std::string caf_id, CallCounter* counter = nullptr)
      : method_(method), caf_id_(std::move(caf_id)), counter_(counter), start_(absl::Now()) {}
  CallLog(const CallLog&) = delete;
  CallLog& operator=(const CallLog&) = delete;
  ~CallLog();

  void set_caller(std::string caller) { caller_ = std::move(caller); }
  // A routine call (a follower's report, twice a second): its line is written only when it
  // fails; it is counted all the same.
  void LogOnlyFailures() { only_failures_ = true; }
  // Records the status returned and returns it (for `return log.Done(status);`).
  grpc::Status Done(grpc::Status status) {
    code_ = status.error_code();
    return status;
  }
  // Turns request logging off (tests, benchmarks) or on; default on. Counting goes on.
  static void SetEnabled(bool enabled);

 private:
  const char* method_;
  std::string caf_id_;
  CallCounter* const counter_;
  std::string caller_ = "-";
  grpc::StatusCode code_ = grpc::StatusCode::UNKNOWN;
  bool only_failures_ = false;
  absl::Time start_;
};

}  // namespace clas::server

#endif  // CLAS_SERVER_CALL_LOG_H_
