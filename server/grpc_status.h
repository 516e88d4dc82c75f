// The one place where absl::Status becomes grpc::Status.
//
// Codes map one to one (gRPC and Abseil share their numbering). A status that carries rule
// violations (projections/core/violation.h) becomes a gRPC status whose error_details hold a
// google.rpc.Status with one clas.v1.RuleViolations in its details: the standard
// "grpc-status-details-bin" trailer, readable by every gRPC client without parsing text.
#ifndef CLAS_SERVER_GRPC_STATUS_H_
#define CLAS_SERVER_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace clas::server {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace clas::server

#endif  // CLAS_SERVER_GRPC_STATUS_H_
