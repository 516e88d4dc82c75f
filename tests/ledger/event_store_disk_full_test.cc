// The store on a full disk: a tmpfs that fills up. Appends then fail with RESOURCE_EXHAUSTED
// saying the disk is full, reads keep working, nothing acknowledged is lost, and appends resume
// once space is freed, without reopening the store. A copy of the data directory taken while
// the store is open (what a crash would leave) holds every acknowledged event.
#include <filesystem>
#include <map>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/event_store.h"
#include "tests/ledger/small_disk.h"
#include "tests/ledger/test_store.h"

namespace clas::ledger {
namespace {

using clas::testing::SmallDisk;
using testing::Event;
using testing::Message;
using testing::ScopedTempDir;

constexpr size_t kDiskBytes = 12 << 20;
constexpr size_t kBallastBytes = 6 << 20;  // freed later: room for the flush that recovery does
constexpr size_t kPayloadBytes = 8 << 10;
constexpr int kAppendsMax = 5000;  // 40 MiB: far more than the disk holds

struct Acked {
  std::string event_id;
  std::string payload;
};

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

// Every acknowledged event is at its position with its id and bytes, and the chain verifies.
void ExpectAllThere(const EventStore& store, const std::map<uint64_t, Acked>& acked) {
  for (const auto& [position, a] : acked) {
    absl::StatusOr<RecordedEvent> event = store.Read(position);
    ASSERT_TRUE(event.ok()) << "position " << position << ": " << event.status();
    EXPECT_EQ(event->event_id(), a.event_id) << "position " << position;
    EXPECT_TRUE(event->payload() == a.payload) << "position " << position << ": other bytes";
  }
  const LogHead head = store.Head();
  ASSERT_GE(head.position, acked.rbegin()->first);
  absl::StatusOr<VerifyReport> verified = store.Verify(1, head.position);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->ok) << verified->problem;
}

class DiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!disk_.mounted()) GTEST_SKIP() << "no small disk to fill: " << disk_.error();
    ASSERT_TRUE(disk_.AddBallast(kBallastBytes));
    Options options;
    options.path = disk_.path() + "/ledger";
    absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  absl::StatusOr<AppendResult> AppendOne(int i) {
    return store_->Append(absl::StrCat("disk-", i % 4), ExpectedVersion::Any(),
                          {Event(absl::StrCat("event-", i), Payload(i))});
  }

  // Appends until the disk is full; the index of the append that failed.
  int FillDisk() {
    for (int i = 0; i < kAppendsMax; ++i) {
      absl::StatusOr<AppendResult> result = AppendOne(i);
      if (!result.ok()) {
        first_failure_ = result.status();
        return i;
      }
      acked_[result->last_position] = {absl::StrCat("event-", i), Payload(i)};
    }
    ADD_FAILURE() << kAppendsMax << " appends did not fill a disk of " << kDiskBytes << " bytes";
    return -1;
  }

  SmallDisk disk_{kDiskBytes};
  std::unique_ptr<EventStore> store_;
  std::map<uint64_t, Acked> acked_;
  absl::Status first_failure_;
};

TEST_F(DiskFullTest, AppendsFailClearlyReadsWorkAndWritingResumesOnceSpaceIsFreed) {
  const int failed = FillDisk();
  ASSERT_GE(failed, 1);
  EXPECT_EQ(first_failure_.code(), absl::StatusCode::kResourceExhausted) << first_failure_;
  EXPECT_TRUE(absl::StrContains(Message(first_failure_), "disk is full")) << first_failure_;

  // Still full: the next append fails the same way, and writes nothing.
  const uint64_t head_when_full = store_->Head().position;
  absl::StatusOr<AppendResult> again = AppendOne(failed);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kResourceExhausted) << again.status();
  EXPECT_EQ(store_->Head().position, head_when_full);

  // Reads keep working and nothing acknowledged is lost.
  ExpectAllThere(*store_, acked_);
  absl::StatusOr<std::vector<RecordedEvent>> all = store_->ReadAll(1, 10);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->front().event_id(), "event-0");

  // Space freed: the same append succeeds (its retry finds no trace of the failed attempts), with
  // no reopen. RocksDB recovers by flushing its memtables, which needs the freed space.
  disk_.FreeBallast();
  absl::StatusOr<AppendResult> resumed = AppendOne(failed);
  for (int attempt = 0; attempt < 100 && !resumed.ok(); ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    resumed = AppendOne(failed);
  }
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_FALSE(resumed->duplicate);
  EXPECT_EQ(resumed->last_position, head_when_full + 1);
  acked_[resumed->last_position] = {absl::StrCat("event-", failed), Payload(failed)};
  for (int i = failed + 1; i < failed + 20; ++i) {
    absl::StatusOr<AppendResult> result = AppendOne(i);
    ASSERT_TRUE(result.ok()) << "append " << i << ": " << result.status();
    acked_[result->last_position] = {absl::StrCat("event-", i), Payload(i)};
  }
  ExpectAllThere(*store_, acked_);

  // What a crash would leave now: the files as they are, the store still open.
  ScopedTempDir copy;
  ASSERT_TRUE(testing::CopyAtOneInstant(disk_.path() + "/ledger", copy.path()));
  std::filesystem::remove(copy.path() + "/LOCK");
  {
    Options options;
    options.path = copy.path();
    absl::StatusOr<std::unique_ptr<EventStore>> crashed = EventStore::Open(options);
    ASSERT_TRUE(crashed.ok()) << crashed.status();
    ExpectAllThere(**crashed, acked_);
    EXPECT_EQ((*crashed)->Head().position, acked_.rbegin()->first);
  }

  // And after a clean reopen.
  store_.reset();
  Options options;
  options.path = disk_.path() + "/ledger";
  absl::StatusOr<std::unique_ptr<EventStore>> reopened = EventStore::Open(options);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  ExpectAllThere(**reopened, acked_);
  EXPECT_EQ((*reopened)->Head().position, acked_.rbegin()->first);
}

}  // namespace
}  // namespace clas::ledger
