// The server with its data directory on a disk that fills up (a small tmpfs): appends and
// commands get RESOURCE_EXHAUSTED saying the disk is full, reads keep working, nothing
// acknowledged is lost, and once space is freed the same requests succeed without a restart.
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/ledger/small_disk.h"
#include "tests/server/e2e_support.h"
#include "tests/server/grpc_desk.h"
#include "tests/server/server_fixture.h"

namespace clas::testing {
namespace {

constexpr size_t kDiskBytes = 12 << 20;
constexpr size_t kBallastBytes = 6 << 20;  // freed later: room for RocksDB's recovery flush
constexpr size_t kPayloadBytes = 256 << 10;
constexpr int kAppendsMax = 200;  // 50 MiB: far more than the disk holds
constexpr char kStream[] = "ext/service-demo/disk";

// A payload unique to `i`, not compressible to nothing.
std::string Payload(int i) {
  std::string payload(kPayloadBytes, '\0');
  uint64_t x = 0x9e3779b97f4a7c15ull * static_cast<uint64_t>(i + 1);
  for (char& c : payload) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x & 0xff);
  }
  return payload;
}

class ServerDiskFullTest : public ServerTest {
 public:
  void SetUp() override {
    if (!disk_.mounted()) GTEST_SKIP() << "no small disk to fill: " << disk_.error();
    ASSERT_TRUE(disk_.AddBallast(kBallastBytes));
    ServerTest::SetUp();
    server_.reset();
    config_.data_dir = disk_.path() + "/data";
    Start();
  }

  Answer<v1::AppendResponse> AppendOne(int i) {
    return AppendExt(*this, "service-demo", kStream, {absl::StrCat("disk-", i)}, Payload(i));
  }

  // Every acknowledged raw append is in the stream with its bytes, and the chain verifies.
  void ExpectAllThere(int acked) {
    for (int i = 0; i < acked; ++i) {
      auto read = ReadStream(*this, "service-demo", kStream, i + 1, false, 1);
      ASSERT_TRUE(read.status.ok()) << read.status.error_message();
      ASSERT_EQ(read.response.events_size(), 1) << "version " << i + 1;
      EXPECT_EQ(read.response.events(0).event_id(), absl::StrCat("disk-", i));
      EXPECT_TRUE(read.response.events(0).payload() == Payload(i)) << "version " << i + 1;
    }
    v1::VerifyChainRequest request;
    v1::VerifyChainResponse verified;
    ASSERT_TRUE(audit()->VerifyChain(As("auditeur").get(), request, &verified).ok());
    EXPECT_TRUE(verified.ok()) << verified.problem();
  }

  SmallDisk disk_{kDiskBytes};
};

TEST_F(ServerDiskFullTest, ClearStatusReadsWorkAndWritesResumeWithoutARestart) {
  GrpcDesk desk(this, kCafA);
  ASSERT_TRUE(desk.Bareme(2026, Eur(11000), Eur(1000), Eur(1500)).status.ok());
  ASSERT_TRUE(desk.Register("asso-1", v1::ASSOCIATION).status.ok());
  Reply signed_ = desk.Convention("conv-1", "asso-1", 2026, 3, Cents(30769, 22));
  ASSERT_TRUE(signed_.status.ok()) << signed_.status.error_message();

  int acked = 0;
  grpc::Status failure;
  for (; acked < kAppendsMax; ++acked) {
    auto answer = AppendOne(acked);
    if (!answer.status.ok()) {
      failure = answer.status;
      break;
    }
  }
  ASSERT_LT(acked, kAppendsMax) << "the disk never filled";
  ASSERT_GE(acked, 1);
  EXPECT_EQ(failure.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << failure.error_message();
  EXPECT_TRUE(absl::StrContains(failure.error_message(), "disk is full"))
      << failure.error_message();

  // A Clas command is refused the same way, and writes nothing.
  const uint64_t head_when_full = HeadOf(*this);
  const v1::PayAcompteRequest acompte =
      desk.AcompteRequest("conv-1", "a1", 2026, Eur(100), 20261015);
  Reply refused = desk.Send(Agent(kCafA), acompte, &v1::Conventions::Stub::PayAcompte);
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << refused.status.error_message();
  EXPECT_TRUE(absl::StrContains(refused.status.error_message(), "disk is full"))
      << refused.status.error_message();
  EXPECT_EQ(HeadOf(*this), head_when_full);

  // Reads keep working.
  auto convention = GetConvention(*this, Agent(kCafA), kCafA, "conv-1");
  ASSERT_TRUE(convention.status.ok()) << convention.status.error_message();
  // As the last acknowledged command left it.
  EXPECT_EQ(convention.response.convention().last_position(), signed_.response.log_position());
  EXPECT_EQ(convention.response.convention().years(0).dp().ps_cents(),
            signed_.response.figures().years(0).dp().ps_cents());
  ExpectAllThere(acked);

  // Space freed: the same requests succeed, on the same server, each recorded once.
  disk_.FreeBallast();
  Reply paid = desk.Send(Agent(kCafA), acompte, &v1::Conventions::Stub::PayAcompte);
  for (int attempt = 0; attempt < 100 && !paid.status.ok(); ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    paid = desk.Send(Agent(kCafA), acompte, &v1::Conventions::Stub::PayAcompte);
  }
  ASSERT_TRUE(paid.status.ok()) << paid.status.error_message();
  EXPECT_FALSE(paid.response.replayed());
  EXPECT_EQ(paid.response.log_position(), head_when_full + 1);
  auto resumed = AppendOne(acked);
  ASSERT_TRUE(resumed.status.ok()) << resumed.status.error_message();
  EXPECT_FALSE(resumed.response.duplicate());
  EXPECT_EQ(resumed.response.last_version(), static_cast<uint64_t>(acked + 1));
  ++acked;
  ExpectAllThere(acked);

  // And after a restart.
  Restart();
  ExpectAllThere(acked);
  convention = GetConvention(*this, Agent(kCafA), kCafA, "conv-1");
  ASSERT_TRUE(convention.status.ok()) << convention.status.error_message();
  EXPECT_EQ(convention.response.convention().last_position(), paid.response.log_position());
  EXPECT_EQ(convention.response.convention().years(0).acomptes_n_cents(),
            paid.response.figures().years(0).acomptes_n_cents());
}

}  // namespace
}  // namespace clas::testing
