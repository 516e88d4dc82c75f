// What the services ask of security: who is calling, and may they do this for that Caf. The
// services never parse tokens; security.h implements this over the token table (auth.h).
//
// Thread-safety: implementations are thread-safe.
#ifndef CLAS_SERVER_GUARD_H_
#define CLAS_SERVER_GUARD_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "clas/ledger/v1/record.pb.h"
#include "grpcpp/server_context.h"

namespace clas::server {

// What a call needs.
enum class Need {
  kCommand,          // a command of the Conventions service (agent)
  kControleCommand,  // a contrôle command (controleur, agent)
  kBaremeCommand,    // publishing the national barème
  kRead,             // queries
  kSimulateControle, // Queries.SimulateControle (controllers, agents, auditors)
  kAudit,            // replay, diff, verification, export
  kLedgerRead,       // generic reads
  kSubscribe,        // Ledger.Subscribe
  kLedgerAppend,     // appends to the caller's own ext/ streams
};

struct Caller {
  std::string user_id;
  std::string role;
  // May the caller read the objects of this Caf? (lists and streams are filtered with it)
  std::function<bool(const std::string& caf_id)> may_read;
  // OkStatus if the caller may append to this stream (only its own "ext/<user id>/" namespace),
  // PermissionDenied otherwise.
  std::function<absl::Status(const std::string& stream_id)> may_append;
  // The actor recorded on the events the caller's command writes (R-HIST-4).
  ledger::v1::Actor ActorFor(const std::string& caf_id) const {
    ledger::v1::Actor a;
    a.set_id(user_id);
    a.set_role(role);
    a.set_tenant_id(caf_id);
    return a;
  }
};

class Guard {
 public:
  virtual ~Guard() = default;
  // Authenticates the call (kUnauthenticated) and checks that the caller may do `need` for
  // `caf_id` ("" = not Caf-specific) (kPermissionDenied).
  virtual absl::StatusOr<Caller> Check(const grpc::ServerContext& context, Need need,
                                       const std::string& caf_id) const = 0;
};

}  // namespace clas::server

#endif  // CLAS_SERVER_GUARD_H_
