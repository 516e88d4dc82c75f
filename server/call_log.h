// One log line per request: method, caller, Caf, status, duration. Written to stderr when the
// scope ends (so the status is known).
#ifndef CLAS_SERVER_CALL_LOG_H_
#define CLAS_SERVER_CALL_LOG_H_

#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"

namespace clas::server {

class CallLog {
 public:
  CallLog(const char* method, std::string caf_id)
      : method_(method), caf_id_(std::move(caf_id)), start_(absl::Now()) {}
  CallLog(const CallLog&) = delete;
  CallLog& operator=(const CallLog&) = delete;
  ~CallLog();

  void set_caller(std::string caller) { caller_ = std::move(caller); }
  // Records the status returned and returns it (for `return log.Done(status);`).
  grpc::Status Done(grpc::Status status) {
    code_ = status.error_code();
    return status;
  }
  // Turns request logging off (tests, benchmarks) or on; default on.
  static void SetEnabled(bool enabled);

 private:
  const char* method_;
  std::string caf_id_;
  std::string caller_ = "-";
  grpc::StatusCode code_ = grpc::StatusCode::UNKNOWN;
  absl::Time start_;
};

}  // namespace clas::server

#endif  // CLAS_SERVER_CALL_LOG_H_
