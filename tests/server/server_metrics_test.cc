// End-to-end, the metrics endpoint (server/metrics.h) of a real server: a few calls, one of each
// kind of refusal, then /metrics read over HTTP as Prometheus reads it, and the counts it must
// show: calls by method and code, the store's appends and writes, the head, the verified
// position, the subscriptions, the caches, the authentication failures, the token reloads.
// Nothing waits on a clock: every count asserted is final when its call has answered.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/metrics.h"
#include "tests/server/e2e_support.h"
#include "tests/server/grpc_desk.h"

namespace clas::testing {
namespace {

using ::testing::HasSubstr;
using Labels = std::vector<std::pair<std::string, std::string>>;

struct HttpAnswer {
  std::string status_line;
  std::string body;
};

// GET `path` from 127.0.0.1:`port` over HTTP/1.0: the server closes the connection when done.
HttpAnswer HttpGet(int port, const std::string& path) {
  HttpAnswer answer;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    ADD_FAILURE() << "cannot connect to port " << port;
    return answer;
  }
  const std::string request = absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  std::string raw;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof(buffer), 0)) > 0;) raw.append(buffer, n);
  ::close(fd);
  const size_t line_end = raw.find("\r\n");
  const size_t head_end = raw.find("\r\n\r\n");
  answer.status_line = raw.substr(0, line_end);
  if (head_end != std::string::npos) answer.body = raw.substr(head_end + 4);
  return answer;
}

// The samples of a text exposition, by "name{label="value",...}" with the labels sorted.
class Samples {
 public:
  explicit Samples(const std::string& text) {
    for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
      if (line.front() == '#') continue;
      const size_t space = line.rfind(' ');
      const absl::string_view series = line.substr(0, space);
      double value = 0;
      EXPECT_TRUE(absl::SimpleAtod(line.substr(space + 1), &value)) << line;
      const size_t brace = series.find('{');
      Labels labels;
      if (brace != absl::string_view::npos) {
        const absl::string_view inside = series.substr(brace + 1, series.size() - brace - 2);
        for (absl::string_view pair : absl::StrSplit(inside, ',', absl::SkipEmpty())) {
          const std::vector<std::string> kv = absl::StrSplit(pair, absl::MaxSplits('=', 1));
          labels.emplace_back(kv[0], kv[1].substr(1, kv[1].size() - 2));  // unquoted
        }
      }
      values_[Key(std::string(series.substr(0, brace)), labels)] = value;
    }
  }

  // The value of the series, or nullopt when the exposition does not hold it.
  std::optional<double> Get(const std::string& name, const Labels& labels = {}) const {
    auto it = values_.find(Key(name, labels));
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }

 private:
  static std::string Key(const std::string& name, Labels labels) {
    std::sort(labels.begin(), labels.end());
    std::vector<std::string> parts;
    for (const auto& [k, v] : labels) parts.push_back(absl::StrCat(k, "=", v));
    return absl::StrCat(name, "{", absl::StrJoin(parts, ","), "}");
  }
  std::map<std::string, double> values_;
};

Labels Call(const std::string& method, const std::string& code) {
  return {{"method", method}, {"code", code}};
}

class Metrics : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    config_.metrics_listen = "127.0.0.1:0";
    Restart();
    ASSERT_NE(server_->metrics_port(), 0);
  }

  Samples Scrape() {
    const HttpAnswer answer = HttpGet(server_->metrics_port(), "/metrics");
    EXPECT_THAT(answer.status_line, HasSubstr("200"));
    return Samples(answer.body);
  }

  // Ledger.Append with the header `authorization` as given ("" = none).
  grpc::Status AppendWithHeader(const std::string& authorization) {
    grpc::ClientContext context;
    if (!authorization.empty()) context.AddMetadata("authorization", authorization);
    v1::AppendRequest request;
    request.set_stream_id("ext/service-demo/notes");
    request.add_events()->set_event_id("never");
    v1::AppendResponse response;
    return ledger()->Append(&context, request, &response);
  }
};

TEST_F(Metrics, CountsCallsByMethodAndCodeAndTheStoreAsTheLogHoldsIt) {
  ASSERT_TRUE(AppendExt(*this, "service-demo", "ext/service-demo/notes", {"n-1", "n-2"}).status.ok());
  ASSERT_TRUE(AppendExt(*this, "service-demo", "ext/service-demo/notes", {"n-3"}).status.ok());
  // Refused: an event id of a Clas command, another service's stream, no token, a forged one.
  EXPECT_EQ(AppendExt(*this, "service-demo", "ext/service-demo/notes", {"caf/x"}).status.error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(AppendExt(*this, "service-demo", "ext/other/notes", {"n-4"}).status.error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(AppendWithHeader("").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(AppendWithHeader("Bearer forged-token").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  ASSERT_TRUE(ReadAll(*this, "auditeur", 1, 10).status.ok());
  const v1::VerifyChainRequest whole_chain;
  v1::VerifyChainResponse verified;
  ASSERT_TRUE(audit()->VerifyChain(As("auditeur").get(), whole_chain, &verified).ok());
  ASSERT_TRUE(verified.ok());

  const Samples samples = Scrape();
  EXPECT_EQ(samples.Get("clas_rpc_calls_total", Call("Append", "OK")), 2);
  EXPECT_EQ(samples.Get("clas_rpc_calls_total", Call("Append", "INVALID_ARGUMENT")), 1);
  EXPECT_EQ(samples.Get("clas_rpc_calls_total", Call("Append", "PERMISSION_DENIED")), 1);
  EXPECT_EQ(samples.Get("clas_rpc_calls_total", Call("Append", "UNAUTHENTICATED")), 2);
  EXPECT_EQ(samples.Get("clas_rpc_calls_total", Call("ReadAll", "OK")), 1);
  EXPECT_EQ(samples.Get("clas_rpc_calls_total", Call("VerifyChain", "OK")), 1);
  EXPECT_EQ(samples.Get("clas_rpc_calls_total", Call("ReadStream", "OK")), std::nullopt);
  EXPECT_EQ(samples.Get("clas_rpc_duration_seconds_count", Call("Append", "OK")), 2);
  Labels all_calls = Call("Append", "OK");
  all_calls.emplace_back("le", "+Inf");
  EXPECT_EQ(samples.Get("clas_rpc_duration_seconds_bucket", all_calls), 2);

  const double head = static_cast<double>(HeadOf(*this));
  EXPECT_EQ(head, 3);
  EXPECT_EQ(samples.Get("clas_log_head_position"), head);
  EXPECT_EQ(samples.Get("clas_chain_verified_position"), head);
  EXPECT_EQ(samples.Get("clas_store_appends_total", {{"outcome", "written"}}), 2);
  EXPECT_EQ(samples.Get("clas_store_appends_total", {{"outcome", "rejected"}}), 0);
  EXPECT_EQ(samples.Get("clas_store_events_written_total"), 3);
  // Each call waited for its answer before the next: one synced write each.
  EXPECT_EQ(samples.Get("clas_store_batches_written_total"), 2);
  EXPECT_EQ(samples.Get("clas_store_synced_writes_total"), 2);
  EXPECT_EQ(samples.Get("clas_store_group_commit_calls_count"), 2);
  EXPECT_EQ(samples.Get("clas_store_group_commit_calls_sum"), 2);
  EXPECT_EQ(samples.Get("clas_store_group_commit_calls_bucket", {{"le", "1"}}), 2);
  EXPECT_EQ(samples.Get("clas_store_write_seconds_count"), 2);
  EXPECT_GT(samples.Get("clas_store_disk_bytes").value_or(0), 0);
  EXPECT_EQ(samples.Get("clas_auth_failures_total", {{"cause", "missing"}}), 1);
  EXPECT_EQ(samples.Get("clas_auth_failures_total", {{"cause", "unknown"}}), 1);
  EXPECT_EQ(samples.Get("clas_auth_failures_total", {{"cause", "revoked"}}), 0);
  EXPECT_EQ(samples.Get("clas_subscriptions_open"), 0);
}

TEST_F(Metrics, SpeaksPrometheusTextWithTypesAndAnswersNothingElse) {
  // A family of calls shows once a call of it has ended.
  ASSERT_TRUE(ReadAll(*this, "auditeur", 1, 10).status.ok());
  const HttpAnswer answer = HttpGet(server_->metrics_port(), "/metrics");
  EXPECT_THAT(answer.body, HasSubstr("# TYPE clas_rpc_calls_total counter"));
  EXPECT_THAT(answer.body, HasSubstr("# TYPE clas_rpc_duration_seconds histogram"));
  EXPECT_THAT(answer.body, HasSubstr("# TYPE clas_log_head_position gauge"));
  EXPECT_THAT(answer.body, HasSubstr("# TYPE clas_store_write_seconds histogram"));
  EXPECT_THAT(answer.body, HasSubstr("# HELP clas_auth_failures_total"));
  // What the endpoint serves over HTTP is what the server's metrics hold.
  EXPECT_EQ(Samples(answer.body).Get("clas_log_head_position"),
            Samples(server_->metrics()->Text()).Get("clas_log_head_position"));
  EXPECT_THAT(HttpGet(server_->metrics_port(), "/").status_line, HasSubstr("404"));
}

TEST_F(Metrics, ShowsOpenSubscriptionsAndHowFarBehindTheyAre) {
  ASSERT_TRUE(AppendExt(*this, "service-demo", "ext/service-demo/notes", {"n-1"}).status.ok());
  v1::SubscribeRequest from_start;
  from_start.set_from_position(1);
  Subscription subscription(*this, "service-demo", from_start);
  ASSERT_TRUE(subscription.ReadUntilCaughtUp(HeadOf(*this)));
  // Caught up: every event up to the head was gone past before caught_up_to was sent.
  const Samples open = Scrape();
  EXPECT_EQ(open.Get("clas_subscriptions_open"), 1);
  EXPECT_EQ(open.Get("clas_subscription_lag_max_events"), 0);
  EXPECT_EQ(open.Get("clas_subscriptions_lag_events"), 0);
  subscription.Cancel();
}

TEST_F(Metrics, CountsCacheHitsOfAQueryAskedAgain) {
  GrpcDesk desk(this, kCafA);
  ASSERT_TRUE(desk.Bareme(2026, Eur(7000), Eur(1000), Eur(1500)).status.ok());
  ASSERT_TRUE(desk.Register("asso-75", v1::ASSOCIATION).status.ok());
  ASSERT_TRUE(desk.Convention("conv-75", "asso-75", 2026, 2, Eur(14000)).status.ok());
  v1::GetCivilYearRequest year;
  year.set_caf_id(kCafA);
  year.set_civil_year(2026);
  const auto ask = [&] {
    ASSERT_TRUE(GetConvention(*this, Agent(kCafA), kCafA, "conv-75").status.ok());
    v1::GetCivilYearResponse answer;
    ASSERT_TRUE(queries()->GetCivilYear(As(Agent(kCafA)).get(), year, &answer).ok());
  };
  ask();
  const Samples first = Scrape();
  ask();  // the same questions, nothing appended since: the folds kept answer them
  const Samples second = Scrape();
  const Labels snapshots = {{"cache", "snapshots"}};
  EXPECT_GT(first.Get("clas_cache_misses_total", snapshots).value_or(0), 0);
  EXPECT_GT(second.Get("clas_cache_hits_total", snapshots).value_or(0),
            first.Get("clas_cache_hits_total", snapshots).value_or(0));
  EXPECT_EQ(second.Get("clas_cache_misses_total", snapshots),
            first.Get("clas_cache_misses_total", snapshots));
  // The served GetCivilYear builds the books for its lines: the report cache is not asked.
  const Labels reports = {{"cache", "reports"}};
  EXPECT_EQ(second.Get("clas_cache_hits_total", reports), 0);
  EXPECT_EQ(second.Get("clas_cache_misses_total", reports), 0);
}

TEST_F(Metrics, CountsTokenReloadsByResult) {
  ASSERT_TRUE(server_->ReloadTokens().ok());
  {
    std::ofstream broken(config_.tokens_file, std::ios::trunc);
    broken << "not a token line\n";
  }
  EXPECT_FALSE(server_->ReloadTokens().ok());
  const Samples samples = Scrape();
  EXPECT_EQ(samples.Get("clas_token_reloads_total", {{"result", "ok"}}), 1);
  EXPECT_EQ(samples.Get("clas_token_reloads_total", {{"result", "error"}}), 1);
}

TEST_F(Metrics, AnAddressInUseRefusesTheStart) {
  server::ServerConfig other = config_;
  other.data_dir = (dir_ / "other").string();
  other.metrics_listen = absl::StrCat("127.0.0.1:", server_->metrics_port());
  auto started = server::LedgerServer::Start(other);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(started.status().message()), HasSubstr("metrics_listen"));
}

// The fixture's own servers have no metrics_listen: what embedders and tests get.
using MetricsOff = ServerTest;

TEST_F(MetricsOff, AnEmptyAddressServesNothing) {
  EXPECT_TRUE(config_.metrics_listen.empty());
  EXPECT_EQ(server_->metrics_port(), 0);
  EXPECT_EQ(server_->metrics(), nullptr);
}

TEST(MetricsDefault, ListensOnLoopbackOnly) {
  EXPECT_TRUE(server::IsLoopback(server::kMetricsListenDefault));
  EXPECT_TRUE(server::ServerConfig().metrics_listen.empty());
}

}  // namespace
}  // namespace clas::testing
