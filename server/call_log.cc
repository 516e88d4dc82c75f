#include "server/call_log.h"

#include <atomic>
#include <cstdio>

#include "absl/strings/str_format.h"

namespace clas::server {
namespace {

std::atomic<bool> enabled{true};

}  // namespace

const char* StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "ERROR";
  }
}

void CallLog::SetEnabled(bool on) { enabled.store(on); }

CallLog::~CallLog() {
  const absl::Time end = absl::Now();
  if (counter_ != nullptr) counter_->CallEnded(method_, code_, end - start_);
  if (!enabled.load() || (only_failures_ && code_ == grpc::StatusCode::OK)) return;
  const std::string line = absl::StrFormat(
      "%s rpc=%s caller=%s caf=%s status=%s duration_us=%d\n",
      absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", end, absl::UTCTimeZone()), method_, caller_,
      caf_id_.empty() ? "-" : caf_id_, StatusCodeName(code_),
      absl::ToInt64Microseconds(end - start_));
  std::fputs(line.c_str(), stderr);
}

}  // namespace clas::server
