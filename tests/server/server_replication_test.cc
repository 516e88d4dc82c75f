// A leader and a follower (clas-ledgerd --follow) in one process, on loopback ports: commands at
// the leader reach the follower byte for byte and both chains verify there; a write at the
// follower is refused UNAVAILABLE naming the leader in the clas-leader trailer; a read with
// clas-min-position waits for the follower to get there; a follower restarted resumes from its
// head; a leader serving a forged record stops the follower, which stores nothing of it and
// says so (health, metrics, an ERROR line); the role replica alone may replicate.
#include <atomic>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/event_store.h"
#include "server/auth.h"
#include "server/follower_guard.h"
#include "tests/server/grpc_desk.h"

namespace clas::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kReplicaToken[] = "test-token-replica-1";
constexpr size_t kAllBytes = size_t{1} << 30;

// Long enough never to be reached by a working replication; a hang guard, not a speed goal.
constexpr absl::Duration kCatchUpMax = absl::Seconds(30);

// The value of `key` in the trailing metadata of a finished call; "" when absent.
std::string Trailer(const grpc::ClientContext& context, const std::string& key) {
  const auto& trailers = context.GetServerTrailingMetadata();
  const auto it = trailers.find(key);
  return it == trailers.end() ? "" : std::string(it->second.data(), it->second.size());
}

// grpc.health.v1.Health/Check of `service` at `channel`: the status field of the answer (1
// SERVING, 2 NOT_SERVING), -1 when the call fails.
int HealthOf(const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
  const std::string request = absl::StrCat(
      std::string("\x0a", 1), std::string(1, static_cast<char>(service.size())), service);
  std::string bytes;
  if (!RawUnaryCall(channel, "/grpc.health.v1.Health/Check", request, &bytes).ok()) return -1;
  return bytes.size() == 2 && bytes[0] == '\x08' ? bytes[1] : -1;
}

class ReplicationTest : public ServerTest {
 public:
  void SetUp() override {
    ServerTest::SetUp();
    // A replica user in the token file both nodes read, and its token for the follower.
    {
      std::ofstream tokens(config_.tokens_file, std::ios::app);
      tokens << server::HashToken(kReplicaToken) << " replica-1 replica *\n";
    }
    ASSERT_TRUE(server_->ReloadTokens().ok());
    token_file_ = (dir_ / "replica-token").string();
    std::ofstream(token_file_) << kReplicaToken << "\n";
    follower_config_ = config_;
    follower_config_.data_dir = (dir_ / "follower").string();
    follower_config_.follow_token_file = token_file_;
    follower_config_.min_position_wait_max = absl::Seconds(10);
    StartFollower();
  }

  void TearDown() override {
    follower_.reset();
    ServerTest::TearDown();
  }

  void StartFollower() {
    follower_config_.follow = absl::StrCat("127.0.0.1:", server_->port());
    auto started = server::LedgerServer::Start(follower_config_);
    ASSERT_TRUE(started.ok()) << started.status();
    follower_ = std::move(*started);
    follower_channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", follower_->port()),
                                            grpc::InsecureChannelCredentials());
  }

  // Waits until the follower holds the leader's head; false when it did not in kCatchUpMax.
  bool CaughtUp() {
    const uint64_t head = server_->store().Head().position;
    return head == 0 || follower_->store().WaitForHead(head - 1, absl::Now() + kCatchUpMax) >= head;
  }

  static std::vector<ledger::StoredRecord> Stored(const ledger::EventStore& store) {
    std::vector<ledger::StoredRecord> all;
    while (true) {
      auto page = store.ReadStored(all.size() + 1, ledger::kReplicatedRecordsMax, kAllBytes);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok() || page->empty()) return all;
      all.insert(all.end(), page->begin(), page->end());
    }
  }

  // A few facts of the Caf A at the leader: two gestionnaires and the barème.
  void RecordAtTheLeader(GrpcDesk& desk, const std::string& suffix) {
    ASSERT_TRUE(desk.Register("asso-" + suffix, v1::ASSOCIATION).status.ok());
    ASSERT_TRUE(desk.Register("cs-" + suffix, v1::CENTRE_SOCIAL).status.ok());
  }

  v1::RegisterGestionnaireRequest Gestionnaire(const std::string& id) {
    v1::RegisterGestionnaireRequest r;
    r.set_request_id("req-" + id);
    r.mutable_command()->set_caf_id(kCafA);
    r.mutable_command()->set_gestionnaire_id(id);
    r.mutable_command()->set_name("Gestionnaire " + id);
    r.mutable_command()->set_kind(v1::ASSOCIATION);
    r.mutable_command()->set_date(20200101);
    return r;
  }

  std::string token_file_;
  server::ServerConfig follower_config_;
  std::unique_ptr<server::LedgerServer> follower_;
  std::shared_ptr<grpc::Channel> follower_channel_;
};

TEST_F(ReplicationTest, CommandsAtTheLeaderReachTheFollowerByteForByteAndVerifyThere) {
  GrpcDesk desk(this, kCafA);
  ASSERT_TRUE(desk.Bareme(2026, Eur(30000), Eur(800), Eur(800)).status.ok());
  RecordAtTheLeader(desk, "1");
  ASSERT_TRUE(CaughtUp());
  const std::vector<ledger::StoredRecord> leader = Stored(server_->store());
  const std::vector<ledger::StoredRecord> follower = Stored(follower_->store());
  ASSERT_EQ(leader.size(), 3u);
  ASSERT_EQ(follower.size(), leader.size());
  for (size_t i = 0; i < leader.size(); ++i) {
    EXPECT_EQ(follower[i].position, leader[i].position);
    EXPECT_EQ(follower[i].value, leader[i].value) << "position " << leader[i].position;
  }
  // VerifyChain, through the API, on both nodes: the same chain, the same last hash.
  auto verify = [this](const std::shared_ptr<grpc::Channel>& channel) {
    v1::VerifyChainResponse response;
    const grpc::Status status = v1::Audit::NewStub(channel)->VerifyChain(
        As("auditeur").get(), v1::VerifyChainRequest(), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  };
  const v1::VerifyChainResponse at_leader = verify(channel_);
  const v1::VerifyChainResponse at_follower = verify(follower_channel_);
  EXPECT_TRUE(at_follower.ok());
  EXPECT_EQ(at_follower.events_checked(), 3u);
  EXPECT_EQ(at_follower.head_hash(), at_leader.head_hash());
  // A query at the follower answers from its own log, at its own position.
  v1::GetGestionnaireRequest get;
  get.set_caf_id(kCafA);
  get.set_gestionnaire_id("cs-1");
  v1::GetGestionnaireResponse got;
  const grpc::Status status =
      v1::Queries::NewStub(follower_channel_)->GetGestionnaire(As(Agent(kCafA)).get(), get, &got);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(got.gestionnaire().kind(), v1::CENTRE_SOCIAL);
  EXPECT_EQ(got.log_position(), 3u);
  v1::ReadAllRequest read_all;
  v1::ReadResponse read;
  ASSERT_TRUE(v1::Ledger::NewStub(follower_channel_)
                  ->ReadAll(As("auditeur").get(), read_all, &read)
                  .ok());
  EXPECT_EQ(read.head_position(), 3u);
  ASSERT_EQ(read.events_size(), 3);
  EXPECT_EQ(read.events(2).hash(), server_->store().Head().hash);
  EXPECT_EQ(follower_->replication()->errors_refused, 0u);
}

TEST_F(ReplicationTest, AWriteAtTheFollowerIsRefusedNamingTheLeader) {
  const std::string leader = absl::StrCat("127.0.0.1:", server_->port());
  v1::CommandResponse response;
  auto context = As(Agent(kCafA));
  const grpc::Status status =
      v1::Conventions::NewStub(follower_channel_)
          ->RegisterGestionnaire(context.get(), Gestionnaire("g-1"), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), HasSubstr("the leader is at " + leader));
  EXPECT_EQ(Trailer(*context, "clas-leader"), leader);
  // The generic append too; and a caller without a token is UNAUTHENTICATED first.
  v1::AppendRequest append;
  append.set_stream_id("ext/service-demo/orders");
  auto* event = append.add_events();
  event->set_event_id("o-1");
  event->set_event_type("order");
  v1::AppendResponse appended;
  auto service = As("service-demo");
  EXPECT_EQ(
      v1::Ledger::NewStub(follower_channel_)->Append(service.get(), append, &appended).error_code(),
      grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Trailer(*service, "clas-leader"), leader);
  EXPECT_EQ(v1::Conventions::NewStub(follower_channel_)
                ->RegisterGestionnaire(As("").get(), Gestionnaire("g-2"), &response)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(follower_->store().Head().position, 0u);
  EXPECT_EQ(server_->store().Head().position, 0u);
  // Health: writes are served at the leader, not at the follower; replication runs.
  EXPECT_EQ(HealthOf(channel_, "clas.v1.Conventions"), 1);
  EXPECT_EQ(HealthOf(follower_channel_, "clas.v1.Conventions"), 2);
  EXPECT_EQ(HealthOf(follower_channel_, server::kReplicationHealthService), 1);
}

TEST_F(ReplicationTest, AReadWithMinPositionWaitsForTheFollowerToGetThere) {
  GrpcDesk desk(this, kCafA);
  ASSERT_TRUE(desk.Register("asso-0", v1::ASSOCIATION).status.ok());
  ASSERT_TRUE(CaughtUp());
  // Ask the follower for the position the next command will take, before it is taken.
  const uint64_t next = server_->store().Head().position + 1;
  v1::GetGestionnaireRequest get;
  get.set_caf_id(kCafA);
  get.set_gestionnaire_id("asso-1");
  grpc::Status read_status;
  v1::GetGestionnaireResponse got;
  std::thread reader([&] {
    auto context = As(Agent(kCafA));
    context->AddMetadata(server::kMinPositionMetadataKey, std::to_string(next));
    read_status =
        v1::Queries::NewStub(follower_channel_)->GetGestionnaire(context.get(), get, &got);
  });
  const Reply written = desk.Register("asso-1", v1::ASSOCIATION);
  reader.join();
  ASSERT_TRUE(written.status.ok());
  ASSERT_EQ(written.response.log_position(), next);
  // Read after its write: without the wait it could be NOT_FOUND.
  ASSERT_TRUE(read_status.ok()) << read_status.error_message();
  EXPECT_EQ(got.gestionnaire().gestionnaire_id(), "asso-1");

  // A position no one writes: the call's deadline, then the node's own bound.
  auto short_call = As(Agent(kCafA));
  short_call->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
  short_call->AddMetadata(server::kMinPositionMetadataKey, std::to_string(next + 100));
  const grpc::Status late =
      v1::Queries::NewStub(follower_channel_)->GetGestionnaire(short_call.get(), get, &got);
  EXPECT_EQ(late.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  auto malformed = As(Agent(kCafA));
  malformed->AddMetadata(server::kMinPositionMetadataKey, "12a");
  EXPECT_EQ(v1::Queries::NewStub(follower_channel_)
                ->GetGestionnaire(malformed.get(), get, &got)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ReplicationTest, AReadWaitsNoLongerThanTheNodesBound) {
  follower_.reset();
  follower_config_.min_position_wait_max = absl::Milliseconds(100);
  StartFollower();
  v1::GetGestionnaireRequest get;
  get.set_caf_id(kCafA);
  get.set_gestionnaire_id("asso-1");
  v1::GetGestionnaireResponse got;
  auto context = As(Agent(kCafA));  // a deadline of 30 s
  context->AddMetadata(server::kMinPositionMetadataKey, "7");
  const grpc::Status status =
      v1::Queries::NewStub(follower_channel_)->GetGestionnaire(context.get(), get, &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), HasSubstr("before the position 7"));
  EXPECT_EQ(Trailer(*context, "clas-leader"), absl::StrCat("127.0.0.1:", server_->port()));
}

TEST_F(ReplicationTest, ARestartedFollowerResumesFromItsHead) {
  GrpcDesk desk(this, kCafA);
  RecordAtTheLeader(desk, "1");
  ASSERT_TRUE(CaughtUp());
  follower_.reset();
  RecordAtTheLeader(desk, "2");
  ASSERT_TRUE(desk.Bareme(2026, Eur(30000), Eur(800), Eur(800)).status.ok());
  StartFollower();
  EXPECT_GE(follower_->store().Head().position, 2u);  // kept what it had
  ASSERT_TRUE(CaughtUp());
  const std::vector<ledger::StoredRecord> leader = Stored(server_->store());
  const std::vector<ledger::StoredRecord> follower = Stored(follower_->store());
  ASSERT_EQ(leader.size(), 5u);
  ASSERT_EQ(follower.size(), 5u);
  for (size_t i = 0; i < leader.size(); ++i) EXPECT_EQ(follower[i].value, leader[i].value);
  // A leader restarted under it, on the same port: the follower reconnects and goes on.
  config_.listen = absl::StrCat("127.0.0.1:", server_->port());
  Restart();
  RecordAtTheLeader(desk, "3");
  ASSERT_TRUE(CaughtUp());
  EXPECT_EQ(follower_->store().Head().hash, server_->store().Head().hash);
  EXPECT_EQ(follower_->replication()->errors_refused, 0u);
  EXPECT_GE(follower_->replication()->errors_stream, 1u);
}

TEST_F(ReplicationTest, AForgedRecordStopsTheFollowerWhichStoresNothingOfIt) {
  GrpcDesk desk(this, kCafA);
  ASSERT_TRUE(desk.Register("asso-1", v1::ASSOCIATION).status.ok());
  ASSERT_TRUE(CaughtUp());
  follower_.reset();
  // The leader now forges the payload of the record at position 2 as it sends it.
  config_.replicate_hook_for_tests = [](ledger::StoredRecord& record) {
    if (record.position != 2) return;
    const size_t at = record.value.find("Gestionnaire asso-2");
    if (at != std::string::npos) record.value[at] = 'g';
  };
  Restart();
  ASSERT_TRUE(desk.Register("asso-2", v1::ASSOCIATION).status.ok());
  ASSERT_TRUE(desk.Register("asso-3", v1::ASSOCIATION).status.ok());
  // Metrics only here: their HTTP server takes two seconds to stop.
  follower_config_.metrics_listen = "127.0.0.1:0";
  ::testing::internal::CaptureStderr();
  StartFollower();
  const absl::Time until = absl::Now() + kCatchUpMax;
  while (!follower_->replication()->stopped && absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  const server::ReplicationProgress progress = *follower_->replication();
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(progress.stopped);
  EXPECT_THAT(progress.failure, HasSubstr("position 2 does not chain"));
  EXPECT_THAT(log, HasSubstr("ERROR: replication from 127.0.0.1:"));
  EXPECT_THAT(log, HasSubstr("position 2 does not chain"));
  // Nothing of the batch that held it: not even position 3.
  EXPECT_EQ(follower_->store().Head().position, 1u);
  EXPECT_EQ(HealthOf(follower_channel_, server::kReplicationHealthService), 2);
  const std::string metrics = follower_->metrics()->Text();
  EXPECT_THAT(metrics, HasSubstr("clas_replication_stopped 1"));
  EXPECT_THAT(metrics, HasSubstr("clas_replication_errors_total{kind=\"refused\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("clas_replication_position 1"));
  // Reads are still answered, from what was verified, at the follower's own position.
  v1::GetGestionnaireRequest get;
  get.set_caf_id(kCafA);
  get.set_gestionnaire_id("asso-1");
  v1::GetGestionnaireResponse got;
  ASSERT_TRUE(v1::Queries::NewStub(follower_channel_)
                  ->GetGestionnaire(As(Agent(kCafA)).get(), get, &got)
                  .ok());
  EXPECT_EQ(got.log_position(), 1u);
  EXPECT_EQ(server_->store().Head().position, 3u);
  v1::VerifyChainResponse verified;
  ASSERT_TRUE(v1::Audit::NewStub(follower_channel_)
                  ->VerifyChain(As("auditeur").get(), v1::VerifyChainRequest(), &verified)
                  .ok());
  EXPECT_TRUE(verified.ok());
}

TEST_F(ReplicationTest, OnlyTheRoleReplicaReplicates) {
  for (const std::string& user :
       std::vector<std::string>{"auditeur", "service-demo", Agent(kCafA)}) {
    auto context = As(user);
    v1::ReplicateRequest request;
    auto reader = ledger()->Replicate(context.get(), request);
    v1::ReplicateResponse item;
    EXPECT_FALSE(reader->Read(&item)) << user;
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED) << user;
  }
  // A follower ahead of the leader is refused: what it holds beyond is not the leader's.
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", kReplicaToken));
  v1::ReplicateRequest ahead;
  ahead.set_from_position(5);
  auto reader = ledger()->Replicate(&context, ahead);
  v1::ReplicateResponse item;
  EXPECT_FALSE(reader->Read(&item));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::OUT_OF_RANGE);
}

}  // namespace
}  // namespace clas::testing
