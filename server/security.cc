#include "server/security.h"

#include "absl/time/clock.h"
#include "ledger/base/status_macros.h"

namespace clas::server {
namespace {

Action ActionOf(Need need) {
  switch (need) {
    case Need::kCommand: return Action::kCommand;
    case Need::kControleCommand: return Action::kControleCommand;
    case Need::kBaremeCommand: return Action::kPublishBareme;
    case Need::kRead: return Action::kRead;
    case Need::kSimulateControle: return Action::kSimulateControle;
    case Need::kAudit: return Action::kAudit;
    case Need::kRecompute: return Action::kRecompute;
    case Need::kLedgerRead: return Action::kLedgerRead;
    case Need::kSubscribe: return Action::kSubscribe;
    case Need::kLedgerAppend: return Action::kLedgerAppend;
    case Need::kReplicate: return Action::kReplicate;
  }
  return Action::kUnknownMethod;
}

}  // namespace

absl::StatusOr<Caller> TokenGuard::Check(const grpc::ServerContext& context, Need need,
                                         const std::string& caf_id) const {
  const auto& metadata = context.client_metadata();
  if (metadata.count("authorization") > 1) {
    authenticator_.CountFailure(AuthFailure::kMalformed);
    return absl::UnauthenticatedError("plusieurs en-têtes authorization (several authorization headers)");
  }
  auto it = metadata.find("authorization");
  const std::string header = it == metadata.end() ? "" : std::string(it->second.data(), it->second.size());
  ASSIGN_OR_RETURN(Admission admission, authenticator_.Admit(header, absl::Now()));
  const Principal& p = admission.principal();
  // The barème is national: it names no Caf.
  const std::string caf = need == Need::kBaremeCommand ? "" : caf_id;
  absl::Status allowed = Authorize(p, ActionOf(need), caf);
  if (!allowed.ok()) return allowed;
  Caller caller;
  caller.user_id = p.user_id;
  caller.role = std::string(RoleName(p.role));
  caller.may_read = [p](const std::string& tenant) {
    // Never "tenant == p.user_id": a user id may spell a Caf's id, and would then open that Caf.
    // A service's own events are recognised by their stream instead (ledger_service.cc).
    return MayRead(p, tenant) || tenant == "cnaf";
  };
  caller.may_append = [p](const std::string& stream_id) {
    return AuthorizeLedgerAppend(p, stream_id);
  };
  // Only the digest of the token travels with the call: the header stays in gRPC's metadata.
  caller.still_valid = [authenticator = &authenticator_, admission]() mutable {
    return authenticator->Recheck(admission, absl::Now());
  };
  return caller;
}

}  // namespace clas::server
