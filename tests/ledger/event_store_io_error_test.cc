// The store when the write-ahead log's file fails with an I/O error that is not a full disk
// (injected through RocksDB's file system): the append is never reported as written (it fails
// UNAVAILABLE: its outcome is unknown, a retry with the same event ids is safe), reads keep
// working, nothing acknowledged is lost. RocksDB holds such an error fatal (the log may be
// inconsistent): appends stay refused until the store is reopened — the server restarted —,
// and then resume. What a crash would leave holds every acknowledged event, and of the failed
// appends at most whole events.
#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/event_store.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "tests/ledger/test_store.h"

namespace clas::ledger {
namespace {

using testing::Event;
using testing::Message;
using testing::ScopedTempDir;

// Write-ahead log files (*.log) whose appends or syncs fail while a flag is set.
class FaultyFileSystem : public rocksdb::FileSystemWrapper {
 public:
  FaultyFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  static const char* kClassName() { return "FaultyFileSystem"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus status = target()->NewWritableFile(name, options, file, dbg);
    if (status.ok() && absl::EndsWith(name, ".log")) {
      *file = std::make_unique<FaultyFile>(std::move(*file), this);
    }
    return status;
  }

  std::atomic<bool> fail_append{false};
  std::atomic<bool> fail_sync{false};

 private:
  class FaultyFile : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    FaultyFile(std::unique_ptr<rocksdb::FSWritableFile> file, FaultyFileSystem* fs)
        : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->fail_append) return rocksdb::IOStatus::IOError("injected write error");
      return FSWritableFileOwnerWrapper::Append(data, options, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->fail_append) return rocksdb::IOStatus::IOError("injected write error");
      return FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
      if (fs_->fail_sync) return rocksdb::IOStatus::IOError("injected sync error");
      return FSWritableFileOwnerWrapper::Sync(options, dbg);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      if (fs_->fail_sync) return rocksdb::IOStatus::IOError("injected sync error");
      return FSWritableFileOwnerWrapper::Fsync(options, dbg);
    }

   private:
    FaultyFileSystem* const fs_;
  };
};

// Every acknowledged event (position -> id) is there, the chain and the indexes verify, and any
// event past them is one of `unacknowledged` (sent, answered with an error), whole.
void ExpectAllThere(const EventStore& store, const std::map<uint64_t, std::string>& acked,
                    const std::set<std::string>& unacknowledged = {}) {
  for (const auto& [position, id] : acked) {
    absl::StatusOr<RecordedEvent> event = store.Read(position);
    ASSERT_TRUE(event.ok()) << "position " << position << ": " << event.status();
    EXPECT_EQ(event->event_id(), id) << "position " << position;
    EXPECT_EQ(event->payload(), "payload of " + id);
  }
  const LogHead head = store.Head();
  ASSERT_GE(head.position, acked.rbegin()->first);
  for (uint64_t position = 1; position <= head.position; ++position) {
    if (acked.contains(position)) continue;
    absl::StatusOr<RecordedEvent> event = store.Read(position);
    ASSERT_TRUE(event.ok()) << "position " << position << ": " << event.status();
    EXPECT_TRUE(unacknowledged.contains(event->event_id()))
        << "position " << position << " holds " << event->event_id() << ", never sent";
    EXPECT_EQ(event->payload(), "payload of " + event->event_id());
  }
  absl::StatusOr<VerifyReport> verified = store.Verify(1, head.position);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->ok) << verified->problem;
  absl::StatusOr<VerifyReport> indexes = store.VerifyIndexes(1, head.position);
  ASSERT_TRUE(indexes.ok()) << indexes.status();
  EXPECT_TRUE(indexes->ok) << indexes->problem;
}

class IoErrorTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    fs_ = std::make_shared<FaultyFileSystem>();
    env_ = rocksdb::NewCompositeEnv(fs_);
    Options options;
    options.path = dir_.path();
    options.env = env_.get();
    absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  void TearDown() override { store_.reset(); }

  absl::StatusOr<AppendResult> AppendOne(int i) {
    const std::string id = absl::StrCat("event-", i);
    return store_->Append(absl::StrCat("io-", i % 3), ExpectedVersion::Any(),
                          {Event(id, "payload of " + id)});
  }
  void AppendAcked(int from, int to) {
    for (int i = from; i < to; ++i) {
      absl::StatusOr<AppendResult> result = AppendOne(i);
      ASSERT_TRUE(result.ok()) << "append " << i << ": " << result.status();
      acked_[result->last_position] = absl::StrCat("event-", i);
    }
  }

  ScopedTempDir dir_;
  std::shared_ptr<FaultyFileSystem> fs_;
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<EventStore> store_;
  std::map<uint64_t, std::string> acked_;
};

// Param: the fault is in the sync (true) or in the write (false) of the write-ahead log.
TEST_P(IoErrorTest, NeverReportedAsWrittenNothingAcknowledgedLostAndWritingResumes) {
  const bool sync_fault = GetParam();
  AppendAcked(0, 10);
  const uint64_t head_before = store_->Head().position;

  (sync_fault ? fs_->fail_sync : fs_->fail_append) = true;
  absl::StatusOr<AppendResult> failed = AppendOne(10);
  ASSERT_FALSE(failed.ok()) << "an append whose write failed was reported as written";
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable) << failed.status();
  EXPECT_TRUE(absl::StrContains(Message(failed.status()), "storage I/O error")) << failed.status();
  absl::StatusOr<AppendResult> again = AppendOne(11);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(store_->Head().position, head_before);
  ExpectAllThere(*store_, acked_);  // reads keep working

  // The fault gone, appends stay refused in this process: never reported as written.
  (sync_fault ? fs_->fail_sync : fs_->fail_append) = false;
  absl::StatusOr<AppendResult> still = AppendOne(10);
  ASSERT_FALSE(still.ok());
  EXPECT_EQ(still.status().code(), absl::StatusCode::kUnavailable) << still.status();
  EXPECT_TRUE(absl::StrContains(Message(still.status()), "restart the server")) << still.status();
  EXPECT_EQ(store_->Head().position, head_before);
  ExpectAllThere(*store_, acked_);

  // What a crash would leave now: every acknowledged event; of the failed ones, whole events.
  const std::set<std::string> failed_ids = {"event-10", "event-11"};
  ScopedTempDir copy;
  ASSERT_TRUE(testing::CopyAtOneInstant(dir_.path(), copy.path()));
  std::filesystem::remove(copy.path() + "/LOCK");
  {
    Options options;
    options.path = copy.path();
    absl::StatusOr<std::unique_ptr<EventStore>> crashed = EventStore::Open(options);
    ASSERT_TRUE(crashed.ok()) << crashed.status();
    ExpectAllThere(**crashed, acked_, failed_ids);
  }

  // Reopened (the server restarted): the retries of the failed appends are answered once each,
  // and appends go on.
  store_.reset();
  Options options;
  options.path = dir_.path();
  absl::StatusOr<std::unique_ptr<EventStore>> reopened = EventStore::Open(options);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  store_ = *std::move(reopened);
  ExpectAllThere(*store_, acked_, failed_ids);
  AppendAcked(10, 20);
  ExpectAllThere(*store_, acked_);
}

INSTANTIATE_TEST_SUITE_P(WriteAheadLog, IoErrorTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "SyncFails" : "WriteFails"; });

}  // namespace
}  // namespace clas::ledger
