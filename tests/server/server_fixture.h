// A real server on a free loopback port, with a fresh data directory and demo tokens, and
// clients for each role: what the end-to-end tests talk to.
#ifndef CLAS_TESTS_SERVER_SERVER_FIXTURE_H_
#define CLAS_TESTS_SERVER_SERVER_FIXTURE_H_

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "clas/v1/service.grpc.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/grpc.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "server/call_log.h"
#include "server/demo_tokens.h"
#include "server/server_app.h"

namespace clas::testing {

inline constexpr char kCafA[] = "caf-75";
inline constexpr char kCafB[] = "caf-13";

// gRPC shuts itself down when its last object is destroyed, joining an executor thread that may
// sleep up to 10 s in a poll: a test's teardown then stalled that long, now and then. One
// reference held for the whole program keeps every teardown immediate.
inline void KeepGrpcInitialised() {
  static const bool initialised = [] {
    grpc_init();
    return true;
  }();
  (void)initialised;
}

// Unique within the process; with the process id, unique across test programs run in parallel.
inline int NextFixtureId() {
  static std::atomic<int> next{0};
  return next++;
}

class ServerTest : public ::testing::Test {
 public:
  void SetUp() override {
    KeepGrpcInitialised();
    server::CallLog::SetEnabled(false);
    dir_ = std::filesystem::path(::testing::TempDir()) /
           absl::StrCat("clas-server-", getpid(), "-", NextFixtureId());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    config_.data_dir = (dir_ / "data").string();
    config_.tokens_file = (dir_ / "tokens").string();
    config_.listen = "127.0.0.1:0";
    ASSERT_TRUE(server::EnsureDemoTokens(config_.tokens_file, {kCafA, kCafB}).ok());
    Start();
  }

  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Start() {
    auto started = server::LedgerServer::Start(config_);
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = std::move(*started);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
  }

  void Restart() {
    server_.reset();
    Start();
  }

  std::string Token(const std::string& user) {
    auto token = server::DemoToken(config_.tokens_file, user);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.ok() ? *token : "";
  }

  // A context carrying the bearer token of `user` ("" = no token).
  std::unique_ptr<grpc::ClientContext> As(const std::string& user) {
    auto context = std::make_unique<grpc::ClientContext>();
    if (!user.empty()) context->AddMetadata("authorization", absl::StrCat("Bearer ", Token(user)));
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return context;
  }

  static std::string Agent(const std::string& caf) { return absl::StrCat("agent-", caf); }
  static std::string Controleur(const std::string& caf) {
    return absl::StrCat("controleur-", caf);
  }

  // The violations a refusal carries in its rich details.
  static std::vector<v1::RuleViolation> Violations(const grpc::Status& status) {
    std::vector<v1::RuleViolation> out;
    google::rpc::Status rich;
    if (!rich.ParseFromString(status.error_details())) return out;
    for (const auto& any : rich.details()) {
      v1::RuleViolations list;
      if (any.UnpackTo(&list)) {
        out.insert(out.end(), list.violations().begin(), list.violations().end());
      }
    }
    return out;
  }

  // The rule ids a refusal carries in its rich details.
  static std::vector<std::string> RuleIds(const grpc::Status& status) {
    std::vector<std::string> out;
    for (const auto& v : Violations(status)) out.push_back(v.rule_id());
    return out;
  }

  std::unique_ptr<v1::Conventions::Stub> conventions() { return v1::Conventions::NewStub(channel_); }
  std::unique_ptr<v1::Queries::Stub> queries() { return v1::Queries::NewStub(channel_); }
  std::unique_ptr<v1::Audit::Stub> audit() { return v1::Audit::NewStub(channel_); }
  std::unique_ptr<v1::Ledger::Stub> ledger() { return v1::Ledger::NewStub(channel_); }

  // Public: the desks and helpers of the tests use them.
  std::filesystem::path dir_;
  server::ServerConfig config_;
  std::unique_ptr<server::LedgerServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace clas::testing

#endif  // CLAS_TESTS_SERVER_SERVER_FIXTURE_H_
