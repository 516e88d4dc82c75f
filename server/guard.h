// What the services ask of security: who is calling, may they do this for that Caf, and do the
// credentials the call was admitted with still hold. The services never parse tokens;
// security.h implements this over the token table (auth.h).
//
// Revocation: a call is authorised once, when it starts; a stream may then run for an hour.
// A streaming handler calls Caller::still_valid before each item it sends and at least every
// kCredentialsRecheckInterval (services.h) while it waits, and ends with its error
// (UNAUTHENTICATED) when it fails: a token removed from the token file and reloaded, or whose
// expiry passes, loses its open streams within a second.
//
// Thread-safety: implementations are thread-safe. A Caller is used by its call's thread only.
#ifndef CLAS_SERVER_GUARD_H_
#define CLAS_SERVER_GUARD_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
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
  kRecompute,        // the recompute check (R-HIST-3): agents, contrôleurs, auditors
  kLedgerRead,       // generic reads
  kSubscribe,        // Ledger.Subscribe
  kLedgerAppend,     // appends to the caller's own ext/ streams
  kReplicate,        // Ledger.Replicate: the whole log as stored (a follower node)
};

struct Caller {
  std::string user_id;
  std::string role;
  // May the caller read the objects of this Caf? (lists and streams are filtered with it)
  std::function<bool(const std::string& caf_id)> may_read;
  // OkStatus if the caller may append to this stream (only its own "ext/<user id>/" namespace),
  // PermissionDenied otherwise.
  std::function<absl::Status(const std::string& stream_id)> may_append;
  // OkStatus while the credentials the call was admitted with still stand for this caller now;
  // Unauthenticated ("jeton révoqué ou expiré : ... (token revoked or expired: ...)") once its
  // token was removed from the table, stands for another user, role or Caf list, or has
  // expired. Cheap enough for every item of a stream: an integer and an instant compared while
  // the table was not reloaded. It remembers the table it last checked against, hence the
  // call's thread only; it refers to the Guard, hence only during the call. REQUIRES: every
  // Guard sets it (a wrapping Guard passes its inner one's through).
  std::function<absl::Status()> still_valid;
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

// True for the needs that write to the log: the commands and Ledger.Append.
inline bool IsWrite(Need need) {
  return need == Need::kCommand || need == Need::kControleCommand ||
         need == Need::kBaremeCommand || need == Need::kLedgerAppend;
}

// The payload a refusal carries when another node serves the call, the leader of a follower
// (follower_guard.h): its address, "host:port". CheckCall copies it into the call's trailing
// metadata under kLeaderMetadataKey, where a client finds it (clasctl retries there once).
inline constexpr char kLeaderPayloadUrl[] = "type.clas-ledger/clas.server.Leader";
inline constexpr char kLeaderMetadataKey[] = "clas-leader";

// guard.Check(*context, need, caf_id), every service's first step; a refusal naming the leader
// (kLeaderPayloadUrl) also puts its address in the trailing metadata (kLeaderMetadataKey).
inline absl::StatusOr<Caller> CheckCall(const Guard& guard, grpc::ServerContext* context,
                                        Need need, const std::string& caf_id) {
  absl::StatusOr<Caller> caller = guard.Check(*context, need, caf_id);
  if (!caller.ok()) {
    if (auto leader = caller.status().GetPayload(kLeaderPayloadUrl)) {
      context->AddTrailingMetadata(kLeaderMetadataKey, std::string(*leader));
    }
  }
  return caller;
}

}  // namespace clas::server

#endif  // CLAS_SERVER_GUARD_H_
