#include "tools/clasctl/import.h"

#include <cmath>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "projections/core/identifiers.h"

namespace clas::ctl {
namespace {

namespace pb = google::protobuf;

// Integers a JSON number carries exactly (a double's mantissa); larger ones are strings.
constexpr double kJsonIntegerMax = 9007199254740992.0;  // 2^53
constexpr int kBodyDepthMax = 32;

using SendFn = grpc::Status (*)(v1::Conventions::Stub&, grpc::ClientContext&, const pb::Message&,
                                v1::CommandResponse&);

// One Conventions RPC: its request type and how to call it.
struct RpcDef {
  const char* name;
  const pb::Message* prototype;
  SendFn send;
};

#define CLAS_IMPORT_RPC(Name)                                                                 \
  RpcDef {                                                                                    \
    #Name, &v1::Name##Request::default_instance(),                                            \
        [](v1::Conventions::Stub& stub, grpc::ClientContext& context, const pb::Message& request, \
           v1::CommandResponse& response) {                                                   \
          return stub.Name(&context, static_cast<const v1::Name##Request&>(request), &response); \
        }                                                                                     \
  }

const std::vector<RpcDef>& Rpcs() {
  static const auto* const kRpcs = new std::vector<RpcDef>{
      CLAS_IMPORT_RPC(RegisterGestionnaire),   CLAS_IMPORT_RPC(PublishBareme),
      CLAS_IMPORT_RPC(FileFundingRequest),     CLAS_IMPORT_RPC(RecordCommitteeDecision),
      CLAS_IMPORT_RPC(SignConvention),         CLAS_IMPORT_RPC(SignAvenant),
      CLAS_IMPORT_RPC(NotifyCollectifs),       CLAS_IMPORT_RPC(PayAcompte),
      CLAS_IMPORT_RPC(ReceiveBilan),           CLAS_IMPORT_RPC(PaySolde),
      CLAS_IMPORT_RPC(OpenControle),           CLAS_IMPORT_RPC(RecordControleFindings),
      CLAS_IMPORT_RPC(DecideControle),         CLAS_IMPORT_RPC(RecordRecovery),
      CLAS_IMPORT_RPC(PayRappel),              CLAS_IMPORT_RPC(CloseCivilYear),
      CLAS_IMPORT_RPC(CorrectEvent),           CLAS_IMPORT_RPC(RenewCentreSocialAgrement),
  };
  return *kRpcs;
}

#undef CLAS_IMPORT_RPC

const RpcDef* FindRpc(std::string_view name) {
  for (const RpcDef& rpc : Rpcs()) {
    if (name == rpc.name) return &rpc;
  }
  return nullptr;
}

// An error when a number of `value` cannot be an exact integer of JSON.
absl::Status CheckNumbers(const pb::Value& value, int depth) {
  if (depth > kBodyDepthMax) return absl::InvalidArgumentError("body nested too deep");
  switch (value.kind_case()) {
    case pb::Value::kNumberValue:
      if (std::fabs(value.number_value()) >= kJsonIntegerMax) {
        return absl::InvalidArgumentError(
            "a number beyond 2^53 loses digits in JSON: write it as a string");
      }
      return absl::OkStatus();
    case pb::Value::kStructValue:
      for (const auto& [key, v] : value.struct_value().fields()) {
        absl::Status s = CheckNumbers(v, depth + 1);
        if (!s.ok()) return s;
      }
      return absl::OkStatus();
    case pb::Value::kListValue:
      for (const auto& v : value.list_value().values()) {
        absl::Status s = CheckNumbers(v, depth + 1);
        if (!s.ok()) return s;
      }
      return absl::OkStatus();
    default:
      return absl::OkStatus();
  }
}

// Sets the command's caf_id to `caf` when empty; an error when it names another Caf.
absl::Status ApplyCaf(pb::Message& command, std::string_view caf) {
  const pb::FieldDescriptor* field = command.GetDescriptor()->FindFieldByName("caf_id");
  if (caf.empty() || field == nullptr || field->type() != pb::FieldDescriptor::TYPE_STRING) {
    return absl::OkStatus();
  }
  const std::string given = command.GetReflection()->GetString(command, field);
  if (given.empty()) {
    command.GetReflection()->SetString(&command, field, std::string(caf));
  } else if (given != caf) {
    return absl::InvalidArgumentError(
        absl::StrCat("caf_id '", given, "' is not the Caf of --caf (", std::string(caf), ")"));
  }
  return absl::OkStatus();
}

// The request of one non-blank line, or why it cannot be sent.
absl::StatusOr<ImportLine> ParseImportLine(std::string_view text, int line_number,
                                     std::string_view file_name, std::string_view caf) {
  if (text.size() > kImportLineBytesMax) {
    return absl::InvalidArgumentError(absl::StrCat("longer than ", kImportLineBytesMax, " bytes"));
  }
  pb::Struct outer;
  const auto parsed = pb::util::JsonStringToMessage(std::string(text), &outer);
  if (!parsed.ok()) return absl::InvalidArgumentError(absl::StrCat("bad JSON: ", parsed.ToString()));
  const auto& fields = outer.fields();
  for (const auto& [key, value] : fields) {
    if (key != "command" && key != "request_id" && key != "body") {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown key '", key, "' (expected command, request_id, body)"));
    }
  }
  const auto command_it = fields.find("command");
  if (command_it == fields.end() || !command_it->second.has_string_value()) {
    return absl::InvalidArgumentError("no \"command\" string");
  }
  const RpcDef* rpc = FindRpc(command_it->second.string_value());
  if (rpc == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown command '", command_it->second.string_value(), "'"));
  }
  const auto body_it = fields.find("body");
  if (body_it == fields.end() || !body_it->second.has_struct_value()) {
    return absl::InvalidArgumentError("no \"body\" object");
  }
  absl::Status numbers = CheckNumbers(body_it->second, 0);
  if (!numbers.ok()) return numbers;
  std::string request_id = DefaultRequestId(file_name, line_number);
  if (const auto it = fields.find("request_id"); it != fields.end()) {
    if (!it->second.has_string_value() || it->second.string_value().empty() ||
        it->second.string_value().size() > kIdBytesMax) {
      return absl::InvalidArgumentError(
          absl::StrCat("request_id: a string of 1 to ", kIdBytesMax, " bytes"));
    }
    request_id = it->second.string_value();
  }

  ImportLine line;
  line.line_number = line_number;
  line.rpc = rpc->name;
  line.request.reset(rpc->prototype->New());
  const pb::Descriptor* type = line.request->GetDescriptor();
  const pb::Reflection* reflection = line.request->GetReflection();
  reflection->SetString(line.request.get(), type->FindFieldByName("request_id"), request_id);
  pb::Message* command =
      reflection->MutableMessage(line.request.get(), type->FindFieldByName("command"));
  std::string body_json;
  const auto printed = pb::util::MessageToJsonString(body_it->second.struct_value(), &body_json);
  if (!printed.ok()) return absl::InvalidArgumentError(printed.ToString());
  const auto body = pb::util::JsonStringToMessage(body_json, command);
  if (!body.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("body is not a clas.v1.", rpc->name, ": ",
                                                   body.ToString()));
  }
  absl::Status caf_ok = ApplyCaf(*command, caf);
  if (!caf_ok.ok()) return caf_ok;
  return line;
}

uint64_t Fnv1a(std::string_view text) {
  uint64_t hash = 14695981039346656037ull;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace

std::string DefaultRequestId(std::string_view file_name, int line_number) {
  const size_t slash = file_name.find_last_of('/');
  std::string_view base = slash == std::string_view::npos ? file_name : file_name.substr(slash + 1);
  std::string id = absl::StrCat("import:", std::string(base), ":", line_number);
  if (id.size() > kIdBytesMax) {
    id = absl::StrCat("import:", absl::Hex(Fnv1a(base), absl::kZeroPad16), ":", line_number);
  }
  return id;
}

ParsedImport ParseImport(std::string_view text, std::string_view file_name, std::string_view caf) {
  ParsedImport out;
  std::set<std::string> request_ids;
  int line_number = 0;
  for (absl::string_view raw : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++line_number;
    const absl::string_view stripped = absl::StripAsciiWhitespace(raw);
    const std::string_view trimmed(stripped.data(), stripped.size());
    if (trimmed.empty() || trimmed[0] == '#') continue;
    if (out.lines.size() + out.errors.size() >= kImportLinesMax) {
      out.errors.push_back({line_number, absl::StrCat("more than ", kImportLinesMax, " lines")});
      break;
    }
    absl::StatusOr<ImportLine> line = ParseImportLine(trimmed, line_number, file_name, caf);
    if (!line.ok()) {
      out.errors.push_back({line_number, std::string(line.status().message())});
      continue;
    }
    const pb::Message& request = *line->request;
    const std::string id = request.GetReflection()->GetString(
        request, request.GetDescriptor()->FindFieldByName("request_id"));
    // A repeated id would silently replay the first line instead of recording this one.
    if (!request_ids.insert(id).second) {
      out.errors.push_back({line_number, absl::StrCat("request_id '", id, "' used twice")});
      continue;
    }
    out.lines.push_back(std::move(*line));
  }
  return out;
}

std::map<std::string, int> CountByRpc(const std::vector<ImportLine>& lines) {
  std::map<std::string, int> out;
  for (const ImportLine& line : lines) ++out[line.rpc];
  return out;
}

grpc::Status SendImportLine(v1::Conventions::Stub& stub, grpc::ClientContext& context,
                            const ImportLine& line, v1::CommandResponse& response) {
  const RpcDef* rpc = FindRpc(line.rpc);
  if (rpc == nullptr) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "unknown command");
  return rpc->send(stub, context, *line.request, response);
}

}  // namespace clas::ctl
