#include "server/grpc_status.h"

#include <string>

#include "google/rpc/status.pb.h"
#include "projections/core/violation.h"

namespace clas::server {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  const std::string message(status.message());
  const auto violations = ViolationsOf(status);
  if (violations.empty()) return grpc::Status(code, message);
  v1::RuleViolations list;
  for (const auto& v : violations) *list.add_violations() = v;
  google::rpc::Status rich;
  rich.set_code(static_cast<int>(code));
  rich.set_message(message);
  rich.add_details()->PackFrom(list);
  return grpc::Status(code, message, rich.SerializeAsString());
}

}  // namespace clas::server
