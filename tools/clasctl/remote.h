// clasctl's side of the gRPC API: the channel and the caller's token taken from the command
// line, and the one mapping from a call's status to an exit code and a message.
//
// Thread-safety: a Remote may be shared; each call takes its own context.
#ifndef CLAS_TOOLS_CLASCTL_REMOTE_H_
#define CLAS_TOOLS_CLASCTL_REMOTE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clas/v1/service.grpc.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/credentials.h"
#include "tools/clasctl/cli.h"

namespace clas::ctl {

class Remote {
 public:
  // From --server, --tls-ca / --tls, --timeout, and the token: --token-file (its only word, or
  // with --as the token on the line "USER TOKEN"), else $CLAS_TOKEN. InvalidArgument for a bad
  // flag or no token at all; Unavailable for a file that cannot be read.
  static absl::StatusOr<Remote> Connect(const Invocation& invocation);

  // A context with the bearer token and the deadline.
  std::unique_ptr<grpc::ClientContext> Context() const;

  std::unique_ptr<v1::Queries::Stub> queries() const { return v1::Queries::NewStub(channel_); }
  std::unique_ptr<v1::Audit::Stub> audit() const { return v1::Audit::NewStub(channel_); }
  std::unique_ptr<v1::Conventions::Stub> conventions() const {
    return v1::Conventions::NewStub(channel_);
  }
  const std::string& address() const { return address_; }
  // The same caller (token, TLS, timeout) at another node of the ledger, `address`
  // ("host:port"): the leader a follower named.
  Remote At(const std::string& address) const;

  // The convention as the log held it at `position` (Queries.GetConvention at that position),
  // with its timeline: what a replay's items leave out. The call's error otherwise.
  absl::StatusOr<v1::ConventionState> ConventionAt(const std::string& caf_id,
                                                   const std::string& convention_id,
                                                   uint64_t position) const;

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::string address_;
  std::string token_;
  absl::Duration timeout_;
};

// The leader's address a follower gave when it refused a write (UNAVAILABLE, with the
// "clas-leader" trailing metadata, server/follower_guard.h); "" for any other outcome.
// REQUIRES: the call of `context` has finished.
std::string LeaderOf(const grpc::ClientContext& context, const grpc::Status& status);

// Exit code of a call's status: 0 ok; 3 when no answer came (unavailable, deadline, internal,
// unknown, unimplemented, cancelled); 1 when the server answered no (every other code).
int ExitCodeOf(const grpc::Status& status);
// Exit code of a local failure (arguments, files, store): 2 for InvalidArgument, 1 for
// FailedPrecondition, AlreadyExists and DataLoss, 3 otherwise.
int ExitCodeOf(const absl::Status& status);

// The rule violations a refusal carries in its rich details (google.rpc.Status).
std::vector<v1::RuleViolation> RuleViolationsOf(const grpc::Status& status);

// Prints "clasctl: <what>: <CODE>: <message>" and one line per rule violation on io.err;
// returns ExitCodeOf(status).
int ReportRpcError(const grpc::Status& status, const std::string& what, Io& io);
// Prints "clasctl: <message>" on io.err (and a hint to --help for usage errors); returns
// ExitCodeOf(status).
int ReportError(const absl::Status& status, Io& io);

}  // namespace clas::ctl

#endif  // CLAS_TOOLS_CLASCTL_REMOTE_H_
