// Conventions: one RPC per command. Check the caller, run the command, convert the result.
#include <algorithm>

#include "server/call_log.h"
#include "server/convert.h"
#include "server/grpc_status.h"
#include "server/query_ids.h"
#include "server/services.h"

namespace clas::server {
namespace {

// The national barème is published under this tenant.
constexpr char kBaremeTenant[] = "cnaf";

template <typename Request, typename Run>
grpc::Status RunCommand(const ServiceDeps& d, const char* method, grpc::ServerContext* context,
                        const Request& request, const std::string& caf_id, Need need,
                        v1::CommandResponse* response, Run run) {
  CallLog log(method, caf_id, d.calls);
  auto caller = CheckCall(*d.guard, context, need, caf_id);
  if (!caller.ok()) return log.Done(ToGrpcStatus(CafOrAuth(caller.status(), caf_id)));
  log.set_caller(caller->user_id);
  // The engine checks the input (command_input.h), then writes, or refuses and writes nothing.
  absl::StatusOr<CommandResult> result = run(caller->ActorFor(caf_id), request.request_id());
  if (!result.ok()) return log.Done(ToGrpcStatus(result.status()));
  // A retry answered from the log waits too: its original may not be replicated yet.
  uint64_t last_position = 0;
  for (const DomainEvent& event : result->events) {
    last_position = std::max(last_position, event.position);
  }
  if (absl::Status held = AwaitReplicated(d, *context, last_position); !held.ok()) {
    return log.Done(ToGrpcStatus(held));
  }
  FillCommandResponse(*result, *d.store, d.limits.answer_bytes_max, response);
  return log.Done(grpc::Status::OK);
}

}  // namespace

#define CLAS_COMMAND(Method, NeedValue)                                                    \
  grpc::Status ConventionsService::Method(grpc::ServerContext* context,                   \
                                          const v1::Method##Request* request,             \
                                          v1::CommandResponse* response) {                \
    return RunCommand(d_, #Method, context, *request, request->command().caf_id(),        \
                      NeedValue, response,                                                \
                      [&](const ledger::v1::Actor& actor, const std::string& request_id) { \
                        return d_.engine->Method(request->command(), actor, request_id);  \
                      });                                                                 \
  }

CLAS_COMMAND(RegisterGestionnaire, Need::kCommand)
CLAS_COMMAND(RenewCentreSocialAgrement, Need::kCommand)
CLAS_COMMAND(FileFundingRequest, Need::kCommand)
CLAS_COMMAND(RecordCommitteeDecision, Need::kCommand)
CLAS_COMMAND(SignConvention, Need::kCommand)
CLAS_COMMAND(SignAvenant, Need::kCommand)
CLAS_COMMAND(NotifyCollectifs, Need::kCommand)
CLAS_COMMAND(PayAcompte, Need::kCommand)
CLAS_COMMAND(ReceiveBilan, Need::kCommand)
CLAS_COMMAND(PaySolde, Need::kCommand)
CLAS_COMMAND(OpenControle, Need::kControleCommand)
CLAS_COMMAND(RecordControleFindings, Need::kControleCommand)
CLAS_COMMAND(DecideControle, Need::kControleCommand)
CLAS_COMMAND(RecordRecovery, Need::kControleCommand)
CLAS_COMMAND(PayRappel, Need::kControleCommand)
CLAS_COMMAND(CloseCivilYear, Need::kCommand)
CLAS_COMMAND(CorrectEvent, Need::kCommand)

#undef CLAS_COMMAND

grpc::Status ConventionsService::PublishBareme(grpc::ServerContext* context,
                                               const v1::PublishBaremeRequest* request,
                                               v1::CommandResponse* response) {
  return RunCommand(d_, "PublishBareme", context, *request, kBaremeTenant, Need::kBaremeCommand,
                    response,
                    [&](const ledger::v1::Actor& actor, const std::string& request_id) {
                      return d_.engine->PublishBareme(request->command(), actor, request_id);
                    });
}

}  // namespace clas::server
