// Conventions: one RPC per command. Check the caller, run the command, convert the result.
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "projections/core/violation.h"
#include "projections/rules/request_limits.h"
#include "server/call_log.h"
#include "server/convert.h"
#include "server/grpc_status.h"
#include "server/services.h"

namespace clas::server {
namespace {

// The national barème is published under this tenant.
constexpr char kBaremeTenant[] = "cnaf";

// Identifiers become keys of the log (streams, event ids) or are shown to agents and auditors:
// 1 to 128 printable ASCII characters, never "." or "..". A NUL byte, a line break, a letter
// from another alphabet that looks like a Latin one, or a 10 000-character id is refused here,
// naming the field, before any rule runs (the log itself would refuse some of them, but without
// a rule, and only after the command was decided).
constexpr size_t kIdentifierBytesMax = 128;
constexpr size_t kShownBytesMax = 48;

bool IsIdentifierField(const std::string& name) {
  return absl::EndsWith(name, "_id") || absl::EndsWith(name, "_ids");
}

std::string_view IdentifierRule(const std::string& name) {
  if (name == "request_id") return "R-HIST-1";
  if (name == "caf_id") return "R-HIST-4";
  return "R-CONV-4";
}

void CheckIdentifier(const std::string& path, const std::string& name, const std::string& id,
                     Violations& out) {
  if (id.empty()) return;  // a missing id is the rules' to name
  bool printable = true;
  for (const char c : id) printable = printable && c >= 0x20 && c <= 0x7e;
  // Event ids ("<caf>/<request id>#<i>") hold a '/'; the ids that name streams may not.
  const bool slash_allowed = name == "request_id" || name == "target_event_id";
  if (id.size() <= kIdentifierBytesMax && printable && id != "." && id != ".." &&
      (slash_allowed || !absl::StrContains(id, '/'))) {
    return;
  }
  const std::string shown =
      absl::StrCat(absl::CHexEscape(id.substr(0, kShownBytesMax)), id.size() > kShownBytesMax ? "..." : "");
  out.Add(RuleError(IdentifierRule(name), "§9", path, shown,
                    absl::StrCat("identifiant de 1 à ", kIdentifierBytesMax,
                                 " caractères ASCII imprimables, sans « / », ni « . » ni « .. »")));
}

// A school year is named by the year it opens in; school_years alone is a count (of a request),
// unless repeated (the years a contrôle covers).
bool IsSchoolYearField(const std::string& name, bool repeated) {
  return absl::EndsWith(name, "school_year") || (repeated && name == "school_years");
}

// R-CONV-2: a school year of a command is 0 (none) or within the ledger's range; beyond it the
// rules would compute N+1 past INT32_MAX.
void CheckSchoolYear(const std::string& path, int32_t year, Violations& out) {
  if (year == 0 || (year >= rules::kSchoolYearMin && year <= rules::kSchoolYearMax)) return;
  out.Add(RuleError("R-CONV-2", "§3.1", path, absl::StrCat(year),
                    absl::StrCat("année scolaire hors des dates du registre (", rules::kSchoolYearMin,
                                 " à ", rules::kSchoolYearMax, ")")));
}

void CheckIdentifiers(const google::protobuf::Message& message, const std::string& prefix,
                      Violations& out) {
  const auto* reflection = message.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const auto* field : fields) {
    const std::string path = absl::StrCat(prefix, field->name());
    if (field->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
        IsIdentifierField(field->name())) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          CheckIdentifier(absl::StrCat(path, "[", i, "]"), field->name(),
                          reflection->GetRepeatedString(message, field, i), out);
        }
      } else {
        CheckIdentifier(path, field->name(), reflection->GetString(message, field), out);
      }
    } else if (field->type() == google::protobuf::FieldDescriptor::TYPE_INT32 &&
               IsSchoolYearField(field->name(), field->is_repeated())) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          CheckSchoolYear(absl::StrCat(path, "[", i, "]"),
                          reflection->GetRepeatedInt32(message, field, i), out);
        }
      } else {
        CheckSchoolYear(path, reflection->GetInt32(message, field), out);
      }
    } else if (field->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          CheckIdentifiers(reflection->GetRepeatedMessage(message, field, i),
                           absl::StrCat(path, "[", i, "]."), out);
        }
      } else {
        CheckIdentifiers(reflection->GetMessage(message, field), absl::StrCat(path, "."), out);
      }
    }
  }
}

absl::Status CheckIdentifiers(const std::string& request_id,
                              const google::protobuf::Message& command) {
  Violations v;
  CheckIdentifier("request_id", "request_id", request_id, v);
  CheckIdentifiers(command, "", v);
  return v.ToStatus(absl::StatusCode::kInvalidArgument);
}

template <typename Request, typename Run>
grpc::Status RunCommand(const ServiceDeps& d, const char* method, grpc::ServerContext* context,
                        const Request& request, const std::string& caf_id, Need need,
                        v1::CommandResponse* response, Run run) {
  CallLog log(method, caf_id);
  auto caller = d.guard->Check(*context, need, caf_id);
  if (!caller.ok()) return log.Done(ToGrpcStatus(caller.status()));
  log.set_caller(caller->user_id);
  absl::Status ids = CheckIdentifiers(request.request_id(), request.command());
  if (!ids.ok()) return log.Done(ToGrpcStatus(ids));
  absl::StatusOr<CommandResult> result = run(caller->ActorFor(caf_id), request.request_id());
  if (!result.ok()) return log.Done(ToGrpcStatus(result.status()));
  return log.Done(ToGrpcStatus(FillCommandResponse(*result, *d.store, response)));
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
