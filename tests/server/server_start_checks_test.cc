// What the server's start refuses, and how: a missing data directory, one that is not a ledger,
// a read-only one, a ledger of a newer format, a missing token file; a damaged ledger, refused
// unless started read-only, which serves reads and audits and refuses every command and append.
// Each refusal names the path and what to do, and nothing is created or written.
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/key_layout.h"
#include "tests/ledger/damage.h"
#include "tests/ledger/test_store.h"
#include "tests/server/server_fixture.h"

namespace clas::testing {
namespace {

using ::clas::ledger::Family;
using ::clas::ledger::testing::FilesWith;
using ::clas::ledger::testing::FlipByte;
using ::clas::ledger::testing::List;
using ::clas::ledger::testing::Listing;
using ::clas::ledger::testing::RawDb;
using ::clas::ledger::testing::ReadBytes;
using ::testing::HasSubstr;
using ::testing::StartsWith;

namespace fs = std::filesystem;

constexpr char kStream[] = "ext/service-demo/s";

class StartChecksTest : public ServerTest {
 public:
  // The fixture's directories and tokens, no server yet.
  void SetUp() override {
    KeepGrpcInitialised();
    server::CallLog::SetEnabled(false);
    dir_ = fs::path(::testing::TempDir()) /
           absl::StrCat("clas-start-", getpid(), "-", NextFixtureId());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    config_.data_dir = (dir_ / "data").string();
    config_.tokens_file = (dir_ / "tokens").string();
    config_.listen = "127.0.0.1:0";
    config_.create_if_missing = false;  // as clas-ledgerd
    ASSERT_TRUE(server::EnsureDemoTokens(config_.tokens_file, {kCafA, kCafB}).ok());
  }

 protected:
  absl::Status StartStatus() { return server::LedgerServer::Start(config_).status(); }

  // A ledger of `events` raw appends (one event each) on stream kStream, the server stopped.
  void MakeLedger(int events) {
    config_.create_if_missing = true;
    Start();
    for (int i = 1; i <= events; ++i) {
      v1::AppendRequest request;
      request.set_stream_id(kStream);
      auto* event = request.add_events();
      event->set_event_id(absl::StrCat("ev-", i));
      event->set_event_type("thing_happened");
      event->set_payload(absl::StrCat("payload-", i));
      v1::AppendResponse response;
      const grpc::Status status = ledger()->Append(As("service-demo").get(), request, &response);
      ASSERT_TRUE(status.ok()) << status.error_message();
      ASSERT_EQ(response.first_position(), static_cast<uint64_t>(i));
    }
    server_.reset();
    config_.create_if_missing = false;
  }

  // Rewrites one byte of the payload of `position`, keeping the record parseable.
  void AlterPayload(uint64_t position) {
    RawDb raw(config_.data_dir);
    std::string value = raw.Get(Family::kEvents, ledger::EventKey(position));
    const std::string payload = absl::StrCat("payload-", position);
    const size_t at = value.find(payload);
    ASSERT_NE(at, std::string::npos);
    value[at] = 'P';
    raw.Put(Family::kEvents, ledger::EventKey(position), value);
  }
};

TEST_F(StartChecksTest, AMissingDataDirectoryIsCreatedOnlyWhenAsked) {
  const absl::Status status = StartStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_EQ(std::string(status.message()),
            absl::StrCat("data directory '", config_.data_dir,
                         "' does not exist: give the data directory of an existing ledger, or "
                         "create_if_missing = true (--create_if_missing) on the first start of a "
                         "new one"));
  EXPECT_FALSE(fs::exists(config_.data_dir));
  config_.read_only = true;
  EXPECT_THAT(std::string(StartStatus().message()), HasSubstr("there is no ledger to inspect"));
  EXPECT_FALSE(fs::exists(config_.data_dir));

  config_.read_only = false;
  config_.create_if_missing = true;
  Start();
  EXPECT_TRUE(fs::exists(fs::path(config_.data_dir) / "CURRENT"));
}

TEST_F(StartChecksTest, AnEmptyDirectoryNeedsCreateIfMissingAndMayHoldTheTokenFile) {
  fs::create_directories(config_.data_dir);
  // The token file and its demo copy in clear may live in the data directory.
  config_.tokens_file = config_.data_dir + "/tokens";
  ASSERT_TRUE(server::EnsureDemoTokens(config_.tokens_file, {kCafA}).ok());
  const Listing before = List(config_.data_dir);
  const absl::Status status = StartStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("holds no ledger yet"));
  EXPECT_EQ(List(config_.data_dir), before);
  config_.create_if_missing = true;
  Start();
}

TEST_F(StartChecksTest, ADirectoryOfOtherFilesIsNotALedgerEvenWithCreateIfMissing) {
  fs::create_directories(config_.data_dir);
  std::ofstream(config_.data_dir + "/notes.txt") << "not a ledger\n";
  const Listing before = List(config_.data_dir);
  for (const bool create : {false, true}) {
    config_.create_if_missing = create;
    const absl::Status status = StartStatus();
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
    EXPECT_EQ(std::string(status.message()),
              absl::StrCat("data directory '", config_.data_dir,
                           "' is not a ledger: it has no RocksDB CURRENT file but holds other "
                           "files ('notes.txt', ...); give the ledger's directory, or an empty "
                           "or new one with create_if_missing = true"));
    EXPECT_EQ(List(config_.data_dir), before);
  }
}

TEST_F(StartChecksTest, ClusterSettingsAreCheckedBeforeAnythingIsOpened) {
  config_.create_if_missing = true;
  const auto refused = [&](const std::string& needle) {
    const absl::Status status = StartStatus();
    EXPECT_TRUE(absl::IsInvalidArgument(status)) << status;
    EXPECT_THAT(std::string(status.message()), HasSubstr(needle));
    EXPECT_FALSE(fs::exists(config_.data_dir)) << "nothing is created";
  };
  config_.replication_acks = 1;  // no cluster to wait for
  refused("replication_acks needs cluster_etcd");
  config_.cluster_etcd = {"127.0.0.1:2379"};
  config_.cluster_size = 3;
  config_.cluster_advertise = "127.0.0.1:50061";
  config_.follow = "127.0.0.1:50051";
  refused("cluster_etcd and follow go apart");
  config_.follow.clear();
  config_.follow_token_file = (dir_ / "replica.token").string();
  std::ofstream(config_.follow_token_file) << "a-token\n";
  config_.cluster_node_id = "node 1";  // a space
  refused("node id");
  config_.cluster_node_id = std::string(65, 'n');
  refused("node id");
  config_.cluster_node_id = "n1";
  config_.replication_acks = 9;
  refused("replication_acks: 0 to 8");
  config_.replication_acks = 1;
  config_.cluster_advertise.clear();
  refused("cluster_advertise is required");
  config_.cluster_advertise = "10.0.0.1:50061";  // plain text between nodes off loopback
  refused("plain text");
  config_.cluster_advertise = "127.0.0.1:50061";
  config_.cluster_lease_ttl = absl::Milliseconds(500);
  refused("lease TTL");
  config_.cluster_lease_ttl = absl::Seconds(5);
  config_.cluster_size = 0;  // not given
  refused("cluster_size is 0: required with cluster_etcd");
  config_.cluster_size = 10;
  refused("cluster_size is 10");
  config_.cluster_size = 1;  // replication_acks = 1: no follower to acknowledge
  refused("more than replication_acks (1)");
}

TEST_F(StartChecksTest, AMissingTokenFileIsNamedAndNothingIsCreated) {
  config_.tokens_file = (dir_ / "no-such-tokens").string();
  config_.create_if_missing = true;
  const absl::Status status = StartStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << status;
  EXPECT_THAT(std::string(status.message()),
              StartsWith(absl::StrCat("token file ", config_.tokens_file, ": open")));
  EXPECT_THAT(std::string(status.message()), HasSubstr("--demo_tokens makes a demo one"));
  EXPECT_FALSE(fs::exists(config_.data_dir));
}

TEST_F(StartChecksTest, ALedgerOfANewerFormatIsRefusedAndLeftAsItWas) {
  MakeLedger(2);
  RawDb(config_.data_dir).Put(Family::kMeta, std::string(ledger::kMetaFormatVersionKey), "2");
  const Listing before = List(config_.data_dir);
  for (const bool read_only : {false, true}) {
    config_.read_only = read_only;
    const absl::Status status = StartStatus();
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
    EXPECT_EQ(std::string(status.message()), "format version 2 is newer than this build's 1");
  }
  EXPECT_EQ(List(config_.data_dir), before);
}

// A read-only data directory: a read-only bind mount for root (for whom permissions do not
// forbid writes), the directory's mode otherwise.
TEST_F(StartChecksTest, AReadOnlyDataDirectoryIsRefusedUnlessServedReadOnly) {
  MakeLedger(3);
  bool mounted = false;
  if (geteuid() == 0) {
    if (mount(config_.data_dir.c_str(), config_.data_dir.c_str(), nullptr, MS_BIND, nullptr) != 0 ||
        mount(nullptr, config_.data_dir.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY,
              nullptr) != 0) {
      const std::string reason = std::strerror(errno);
      umount(config_.data_dir.c_str());
      GTEST_SKIP() << "running as root without the right to mount a read-only bind mount ("
                   << reason << "): a read-only directory cannot be made";
    }
    mounted = true;
  } else {
    ASSERT_EQ(chmod(config_.data_dir.c_str(), 0555), 0);
  }
  const absl::Status status = StartStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(
      std::string(status.message()),
      StartsWith(absl::StrCat("data directory '", config_.data_dir, "' is not writable (")));
  EXPECT_THAT(std::string(status.message()), HasSubstr("--read_only"));
  // Read-only, it is served for inspection.
  config_.read_only = true;
  auto served = server::LedgerServer::Start(config_);
  EXPECT_TRUE(served.ok()) << served.status();
  if (served.ok()) {
    EXPECT_EQ((*served)->store().Head().position, 3u);
    EXPECT_TRUE((*served)->findings().empty());
  }
  served = absl::UnknownError("closed");
  if (mounted) {
    EXPECT_EQ(umount(config_.data_dir.c_str()), 0) << std::strerror(errno);
  } else {
    chmod(config_.data_dir.c_str(), 0755);
  }
}

TEST_F(StartChecksTest, ABrokenChainIsRefusedNamingThePositionAndServedReadOnlyForInspection) {
  MakeLedger(6);
  AlterPayload(4);
  const absl::Status refused = StartStatus();
  EXPECT_EQ(refused.code(), absl::StatusCode::kDataLoss) << refused;
  const std::string message(refused.message());
  EXPECT_THAT(message, StartsWith(absl::StrCat("the ledger at '", config_.data_dir,
                                               "' does not verify: the hash chain breaks at "
                                               "position 4: stored hash ")));
  EXPECT_THAT(message, HasSubstr("(event id 'ev-4', version 4 of stream 'ext/service-demo/s'"));
  EXPECT_THAT(message, HasSubstr(absl::StrCat("clasctl verify --data ", config_.data_dir)));
  EXPECT_THAT(message, HasSubstr("--read_only"));

  config_.read_only = true;
  Start();
  ASSERT_EQ(server_->findings().size(), 1u);
  EXPECT_THAT(server_->findings()[0], StartsWith("the hash chain breaks at position 4"));
  // Reads and audits are served...
  v1::ReadAllRequest read;
  read.set_from_position(1);
  read.set_max_count(3);
  v1::ReadResponse events;
  ASSERT_TRUE(ledger()->ReadAll(As("auditeur").get(), read, &events).ok());
  EXPECT_EQ(events.events_size(), 3);
  v1::VerifyChainResponse verified;
  ASSERT_TRUE(audit()->VerifyChain(As("auditeur").get(), v1::VerifyChainRequest(), &verified).ok());
  EXPECT_FALSE(verified.ok());
  EXPECT_EQ(verified.first_bad_position(), 4u);
  // ...commands and appends are refused naming the mode, after authentication.
  v1::AppendRequest append;
  append.set_stream_id(kStream);
  append.add_events()->set_event_id("ev-7");
  v1::AppendResponse appended;
  grpc::Status status = ledger()->Append(As("service-demo").get(), append, &appended);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("the server is read-only"));
  EXPECT_EQ(ledger()->Append(As("").get(), append, &appended).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::RegisterGestionnaireRequest command;
  command.set_request_id("r-1");
  command.mutable_command()->set_caf_id(kCafA);
  v1::CommandResponse answer;
  status = conventions()->RegisterGestionnaire(As(Agent(kCafA)).get(), command, &answer);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("commands and appends are refused"));
  EXPECT_EQ(server_->store().Head().position, 6u);
}

TEST_F(StartChecksTest, ACorruptLastEventIsServedReadOnlyWithTheDamageNamed) {
  MakeLedger(4);
  RawDb(config_.data_dir).Put(Family::kEvents, ledger::EventKey(4), "garbage");
  const absl::Status refused = StartStatus();
  EXPECT_EQ(refused.code(), absl::StatusCode::kDataLoss) << refused;
  EXPECT_THAT(std::string(refused.message()),
              StartsWith("event at position 4: the stored record does not parse; refusing to "
                         "serve it"));
  config_.read_only = true;
  Start();
  ASSERT_EQ(server_->findings().size(), 2u);
  EXPECT_EQ(server_->findings()[0],
            "the head of the log does not read: event at position 4: the stored record does not "
            "parse");
  EXPECT_EQ(server_->findings()[1],
            "the hash chain breaks at position 4: the stored record does not parse");
}

TEST_F(StartChecksTest, ADamagedWriteAheadLogIsRefusedAndItsIntactPrefixServedReadOnly) {
  MakeLedger(5);
  const std::vector<std::string> logs = FilesWith(config_.data_dir, ".log");
  ASSERT_EQ(logs.size(), 1u);
  const size_t at = ReadBytes(logs[0]).find("payload-3");
  ASSERT_NE(at, std::string::npos);
  FlipByte(logs[0], at + 4);
  const std::string log_name = fs::path(logs[0]).filename().string();
  const Listing before = List(config_.data_dir);
  const absl::Status refused = StartStatus();
  EXPECT_EQ(refused.code(), absl::StatusCode::kDataLoss) << refused;
  EXPECT_THAT(std::string(refused.message()),
              HasSubstr(absl::StrCat("(replaying its write-ahead log: ", log_name, ")")));
  EXPECT_EQ(List(config_.data_dir), before);

  config_.read_only = true;
  Start();
  EXPECT_EQ(server_->store().Head().position, 2u);
  ASSERT_EQ(server_->findings().size(), 1u);
  EXPECT_THAT(server_->findings()[0],
              StartsWith(absl::StrCat("the write-ahead log (", log_name, ") does not replay")));
  // The API's verification says the ledger is damaged, though what it can read verifies.
  v1::VerifyChainResponse verified;
  ASSERT_TRUE(audit()->VerifyChain(As("auditeur").get(), v1::VerifyChainRequest(), &verified).ok());
  EXPECT_FALSE(verified.ok());
  EXPECT_EQ(verified.events_checked(), 2u);
  EXPECT_EQ(verified.first_bad_position(), 3u);
  EXPECT_EQ(verified.problem(), server_->findings()[0]);
}

TEST_F(StartChecksTest, ALedgerThatLostItsCurrentFileIsNamedDamagedNotForeign) {
  MakeLedger(2);
  fs::remove(fs::path(config_.data_dir) / "CURRENT");
  const Listing before = List(config_.data_dir);
  for (const bool read_only : {false, true}) {
    config_.read_only = read_only;
    config_.create_if_missing = !read_only;
    const absl::Status status = StartStatus();
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
    EXPECT_THAT(std::string(status.message()),
                StartsWith(absl::StrCat("the ledger at '", config_.data_dir,
                                        "' has lost its CURRENT file (it holds MANIFEST-")));
  }
  EXPECT_EQ(List(config_.data_dir), before);
}

TEST_F(StartChecksTest, AStreamIndexEntryInTheTailIsFoundAtStart) {
  MakeLedger(5);
  RawDb(config_.data_dir)
      .Put(Family::kStreams, ledger::StreamKey(kStream, 5), ledger::EncodeU64(2));
  const absl::Status refused = StartStatus();
  EXPECT_EQ(refused.code(), absl::StatusCode::kDataLoss) << refused;
  EXPECT_THAT(std::string(refused.message()),
              HasSubstr("the indexes break at position 5: stream 'ext/service-demo/s' version 5 "
                        "is indexed at position 2"));
}

// [choice] The start verifies the tail by default (verify_on_start events); damage before it is
// found by verify_all_on_start, or by clasctl verify --data.
TEST_F(StartChecksTest, DamageBeforeTheVerifiedTailNeedsTheFullVerification) {
  MakeLedger(6);
  AlterPayload(1);
  config_.verify_on_start_events = 3;
  Start();
  EXPECT_EQ(server_->verified_on_start(), 3u);
  server_.reset();
  config_.verify_all_on_start = true;
  const absl::Status refused = StartStatus();
  EXPECT_EQ(refused.code(), absl::StatusCode::kDataLoss) << refused;
  EXPECT_THAT(std::string(refused.message()), HasSubstr("the hash chain breaks at position 1"));
}

}  // namespace
}  // namespace clas::testing
