#include "server/server_app.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "ledger/base/status_macros.h"

namespace clas::server {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(const ServerConfig& c) {
  if (c.tls_cert_file.empty() != c.tls_key_file.empty()) {
    return absl::InvalidArgumentError("tls_cert_file and tls_key_file go together");
  }
  if (c.tls_cert_file.empty()) {
    if (!IsLoopback(c.listen)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "listen = ", c.listen, ": plain text is served on loopback only; give "
          "tls_cert_file and tls_key_file to listen on another address"));
    }
    return grpc::InsecureServerCredentials();
  }
  ASSIGN_OR_RETURN(std::string cert, ReadFile(c.tls_cert_file));
  ASSIGN_OR_RETURN(std::string key, ReadFile(c.tls_key_file));
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back({key, cert});
  return grpc::SslServerCredentials(options);
}

absl::Status VerifyTail(const ledger::EventStore& store, int64_t events) {
  const uint64_t head = store.Head().position;
  if (events <= 0 || head == 0) return absl::OkStatus();
  const uint64_t from = head > static_cast<uint64_t>(events) ? head - events + 1 : 1;
  ASSIGN_OR_RETURN(ledger::VerifyReport report, store.Verify(from, head));
  if (report.ok) return absl::OkStatus();
  return absl::DataLossError(absl::StrFormat(
      "the hash chain does not verify at position %d: %s (start read-only to inspect)",
      report.first_bad_position, report.problem));
}

}  // namespace

bool IsLoopback(const std::string& address) {
  return absl::StartsWith(address, "127.") || absl::StartsWith(address, "[::1]:") ||
         absl::StartsWith(address, "localhost:");
}

absl::StatusOr<std::unique_ptr<LedgerServer>> LedgerServer::Start(const ServerConfig& config) {
  std::unique_ptr<LedgerServer> s(new LedgerServer());
  s->config_ = config;
  ASSIGN_OR_RETURN(auto credentials, Credentials(config));
  if (config.tokens_file.empty()) {
    return absl::InvalidArgumentError("tokens_file is required: every call needs a bearer token");
  }
  ASSIGN_OR_RETURN(TokenTable tokens, LoadTokenFile(config.tokens_file));
  ledger::Options options;
  options.path = config.data_dir;
  options.sync = config.sync;
  options.read_only = config.read_only;
  ASSIGN_OR_RETURN(s->store_, ledger::EventStore::Open(options));
  absl::Status chain = VerifyTail(*s->store_, config.verify_on_start_events);
  if (!chain.ok() && !config.read_only) return chain;
  s->log_ = std::make_unique<StoreEventLog>(s->store_.get());
  s->engine_ = std::make_unique<Engine>(s->log_.get());
  s->guard_ = std::make_unique<TokenGuard>(std::move(tokens));
  ServiceLimits limits = config.limits;
  limits.read_bytes_max =
      std::min<int64_t>(limits.read_bytes_max, int64_t{config.max_message_bytes} / 4 * 3);
  ServiceDeps deps{.engine = s->engine_.get(), .store = s->store_.get(),
                   .guard = s->guard_.get(), .limits = limits, .stopping = &s->stopping_};
  s->conventions_ = std::make_unique<ConventionsService>(deps);
  s->queries_ = std::make_unique<QueriesService>(deps);
  s->audit_ = std::make_unique<AuditService>(deps);
  s->ledger_ = std::make_unique<LedgerService>(deps);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen, credentials, &s->port_);
  builder.SetMaxReceiveMessageSize(config.max_message_bytes);
  builder.SetMaxSendMessageSize(config.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, config.max_concurrent_streams);
  builder.RegisterService(s->conventions_.get());
  builder.RegisterService(s->queries_.get());
  builder.RegisterService(s->audit_.get());
  builder.RegisterService(s->ledger_.get());
  for (grpc::Service* extra : config.extra_services) builder.RegisterService(extra);
  s->server_ = builder.BuildAndStart();
  if (s->server_ == nullptr || s->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config.listen));
  }
  return s;
}

void LedgerServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  stopping_.store(true);
  if (server_ != nullptr) {  // null when Start failed before listening
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::microseconds(absl::ToInt64Microseconds(grace)));
    server_->Wait();
  }
  engine_.reset();
  log_.reset();
  store_.reset();  // closes RocksDB: every acknowledged append was synced already
}

void LedgerServer::Wait() {
  if (server_ != nullptr && !shut_down_) server_->Wait();
}

absl::Status LedgerServer::ReloadTokens() {
  ASSIGN_OR_RETURN(TokenTable tokens, LoadTokenFile(config_.tokens_file));
  guard_->authenticator().Reload(std::move(tokens));
  return absl::OkStatus();
}

LedgerServer::~LedgerServer() { Shutdown(absl::Seconds(5)); }

}  // namespace clas::server
