#include "tools/clasctl/remote.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "ledger/base/status_macros.h"
#include "tools/clasctl/text.h"

namespace clas::ctl {
namespace {

// A token or certificate file larger than this is a mistake, not a token.
constexpr std::streamsize kSmallFileBytesMax = 1 << 20;
constexpr int64_t kTimeoutSecondsMax = 3600;

absl::StatusOr<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::UnavailableError(absl::StrCat("cannot read ", path));
  std::string text(kSmallFileBytesMax + 1, '\0');
  in.read(text.data(), kSmallFileBytesMax + 1);
  if (in.gcount() > kSmallFileBytesMax) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is too large"));
  }
  text.resize(in.gcount());
  return text;
}

// The token in `text`: its only word, or with `user` the second word of the line "user token".
absl::StatusOr<std::string> TokenIn(const std::string& text, const std::string& user,
                                    const std::string& path) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (user.empty() && words.size() == 1) return std::string(words[0]);
    if (!user.empty() && words.size() == 2 && words[0] == user) return std::string(words[1]);
  }
  return absl::InvalidArgumentError(
      user.empty() ? absl::StrCat(path, " holds no single token (give --as USER for a list)")
                   : absl::StrCat(path, " holds no token for ", user));
}

absl::StatusOr<std::string> TokenOf(const Invocation& invocation) {
  const std::string path = invocation.Get("token-file");
  if (path.empty()) {
    const char* env = std::getenv("CLAS_TOKEN");
    if (env != nullptr && *env != '\0') return std::string(env);
    return absl::InvalidArgumentError("no token: give --token-file FILE or set CLAS_TOKEN");
  }
  ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path));
  return TokenIn(text, invocation.Get("as"), path);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> CredentialsOf(
    const Invocation& invocation) {
  const std::string ca = invocation.Get("tls-ca");
  if (ca.empty() && !invocation.Has("tls")) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  if (!ca.empty()) {
    ASSIGN_OR_RETURN(options.pem_root_certs, ReadSmallFile(ca));
  }
  return grpc::SslCredentials(options);
}

}  // namespace

absl::StatusOr<Remote> Remote::Connect(const Invocation& invocation) {
  Remote remote;
  remote.address_ = invocation.Get("server");
  if (remote.address_.empty() || remote.address_.find(':') == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--server '", remote.address_, "': expected HOST:PORT"));
  }
  ASSIGN_OR_RETURN(int64_t seconds, invocation.GetInt("timeout", 30));
  if (seconds < 1 || seconds > kTimeoutSecondsMax) {
    return absl::InvalidArgumentError(
        absl::StrCat("--timeout: from 1 to ", kTimeoutSecondsMax, " seconds"));
  }
  remote.timeout_ = absl::Seconds(seconds);
  ASSIGN_OR_RETURN(remote.token_, TokenOf(invocation));
  ASSIGN_OR_RETURN(remote.credentials_, CredentialsOf(invocation));
  remote.channel_ = grpc::CreateChannel(remote.address_, remote.credentials_);
  return remote;
}

Remote Remote::At(const std::string& address) const {
  Remote remote = *this;
  remote.address_ = address;
  remote.channel_ = grpc::CreateChannel(address, credentials_);
  return remote;
}

std::string LeaderOf(const grpc::ClientContext& context, const grpc::Status& status) {
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE) return "";
  const auto& trailers = context.GetServerTrailingMetadata();
  const auto it = trailers.find("clas-leader");
  if (it == trailers.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

std::unique_ptr<grpc::ClientContext> Remote::Context() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("authorization", absl::StrCat("Bearer ", token_));
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  return context;
}

int ExitCodeOf(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return kExitOk;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::UNIMPLEMENTED:
    case grpc::StatusCode::CANCELLED:
      return kExitUnreachable;
    default:
      return kExitRefused;
  }
}

int ExitCodeOf(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kInvalidArgument:
      return kExitUsage;
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kDataLoss:
      return kExitRefused;
    default:
      return kExitUnreachable;
  }
}

std::vector<v1::RuleViolation> RuleViolationsOf(const grpc::Status& status) {
  std::vector<v1::RuleViolation> out;
  google::rpc::Status rich;
  if (status.error_details().empty() || !rich.ParseFromString(status.error_details())) return out;
  for (const auto& any : rich.details()) {
    v1::RuleViolations list;
    if (!any.UnpackTo(&list)) continue;
    for (const auto& v : list.violations()) out.push_back(v);
  }
  return out;
}

int ReportRpcError(const grpc::Status& status, const std::string& what, Io& io) {
  static const char* const kCodes[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  const int code = static_cast<int>(status.error_code());
  const std::vector<v1::RuleViolation> violations = RuleViolationsOf(status);
  io.err << "clasctl: " << what << ": " << (code >= 0 && code <= 16 ? kCodes[code] : "?");
  // With violations the list says it all, one rule per line; the message repeats it.
  if (violations.empty()) io.err << ": " << status.error_message();
  io.err << "\n";
  for (const auto& v : violations) io.err << "  " << ViolationLine(v) << "\n";
  return ExitCodeOf(status);
}

int ReportError(const absl::Status& status, Io& io) {
  io.err << "clasctl: " << status.message() << "\n";
  const int code = ExitCodeOf(status);
  if (code == kExitUsage) io.err << "(clasctl help, or COMMAND --help, lists what it takes)\n";
  return code;
}

absl::StatusOr<v1::ConventionState> Remote::ConventionAt(const std::string& caf_id,
                                                         const std::string& convention_id,
                                                         uint64_t position) const {
  v1::GetConventionRequest request;
  request.set_caf_id(caf_id);
  request.set_convention_id(convention_id);
  request.mutable_as_of()->set_at_position(position);
  v1::GetConventionResponse response;
  grpc::Status status = queries()->GetConvention(Context().get(), request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        status.error_message());
  }
  return std::move(*response.mutable_convention());
}

}  // namespace clas::ctl
