// A set-aside that fails part way (faults injected through RocksDB's file system, which the
// set-aside file is written through too): a failed copy removes nothing and leaves no file; a
// removal whose write fails, after the copy, leaves the log whole — in the process, in what a
// crash would leave, and after a reopen — and the copy readable; the set-aside then succeeds.
#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/event_store.h"
#include "ledger/set_aside.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "tests/ledger/fork.h"
#include "tests/ledger/test_store.h"

namespace clas::ledger {
namespace {

using ::clas::ledger::testing::ExpectIntact;
using ::clas::ledger::testing::ForkTest;
using ::clas::ledger::testing::Message;
using ::clas::ledger::testing::OpenAt;
using ::clas::ledger::testing::SameRecords;
using ::clas::ledger::testing::ScopedTempDir;
using ::clas::ledger::testing::Stored;
using ::testing::HasSubstr;

namespace fs = std::filesystem;

// Writes to set-aside files, or to write-ahead log files, fail while their flag is set.
class FaultyFileSystem : public rocksdb::FileSystemWrapper {
 public:
  FaultyFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  static const char* kClassName() { return "SetAsideFaultyFileSystem"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus status = target()->NewWritableFile(name, options, file, dbg);
    if (!status.ok()) return status;
    if (absl::StrContains(name, "set-aside")) {
      *file = std::make_unique<FaultyFile>(std::move(*file), &fail_set_aside);
    } else if (absl::EndsWith(name, ".log")) {
      *file = std::make_unique<FaultyFile>(std::move(*file), &fail_wal);
    }
    return status;
  }

  std::atomic<bool> fail_set_aside{false};
  std::atomic<bool> fail_wal{false};

 private:
  class FaultyFile : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    FaultyFile(std::unique_ptr<rocksdb::FSWritableFile> file, const std::atomic<bool>* fail)
        : FSWritableFileOwnerWrapper(std::move(file)), fail_(fail) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      if (*fail_) return rocksdb::IOStatus::IOError("injected write error");
      return FSWritableFileOwnerWrapper::Append(data, options, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* dbg) override {
      if (*fail_) return rocksdb::IOStatus::IOError("injected write error");
      return FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
    }

   private:
    const std::atomic<bool>* const fail_;
  };
};

// The records files in `directory`.
std::vector<std::string> RecordsFiles(const std::string& directory) {
  std::vector<std::string> files;
  if (!fs::exists(directory)) return files;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory)) {
    if (entry.path().extension() == kSetAsideRecordsSuffix) files.push_back(entry.path());
  }
  return files;
}

class SetAsideFaultTest : public ForkTest {
 protected:
  SetAsideFaultTest()
      : faulty_(std::make_shared<FaultyFileSystem>()),
        faulty_env_(rocksdb::NewCompositeEnv(faulty_)) {
    env_ = faulty_env_.get();
  }
  void TearDown() override { old_.reset(); }  // before the environment it uses

  // The old leader holds its whole log, tail included, and it verifies.
  void ExpectWhole(const EventStore& store) {
    EXPECT_EQ(store.Head().position, 7u);
    EXPECT_EQ(store.Head().hash, head_before_.hash);
    EXPECT_TRUE(SameRecords(Stored(store, 1, 4), Stored(*new_, 1, 4)));
    EXPECT_TRUE(SameRecords(Stored(store, 5, 7), tail_));
    EXPECT_EQ(store.FindByEventId("t-6")->stream_id(), "d");
    EXPECT_EQ(*store.StreamVersion("a"), 3u);
    ExpectIntact(store);
  }

  std::shared_ptr<FaultyFileSystem> faulty_;
  std::unique_ptr<rocksdb::Env> faulty_env_;
};

TEST_F(SetAsideFaultTest, AFailedCopyRemovesNothingAndLeavesNoFile) {
  faulty_->fail_set_aside = true;
  absl::StatusOr<SetAsideResult> failed = old_->SetAsideAfter(4, aside_dir_.path());
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable) << failed.status();
  EXPECT_THAT(Message(failed.status()), HasSubstr("injected write error"));
  ExpectWhole(*old_);
  EXPECT_TRUE(RecordsFiles(aside_dir_.path()).empty());

  faulty_->fail_set_aside = false;
  absl::StatusOr<SetAsideResult> result = old_->SetAsideAfter(4, aside_dir_.path());
  ASSERT_TRUE(result.ok()) << result.status();
  ExpectOldIsNewUpTo(4);
}

TEST_F(SetAsideFaultTest, AFailedRemovalAfterTheCopyLeavesTheLogWholeAndTheCopyReadable) {
  faulty_->fail_wal = true;
  absl::StatusOr<SetAsideResult> failed = old_->SetAsideAfter(4, aside_dir_.path());
  faulty_->fail_wal = false;
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(Message(failed.status()), HasSubstr("positions 5..7 were copied to"));
  // The copy is whole, and named in the error.
  const std::vector<std::string> files = RecordsFiles(aside_dir_.path());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_THAT(Message(failed.status()), HasSubstr(files[0]));
  absl::StatusOr<std::vector<StoredRecord>> copied = ReadSetAside(files[0]);
  ASSERT_TRUE(copied.ok()) << copied.status();
  EXPECT_TRUE(SameRecords(*copied, tail_));
  // The log is whole: in this process, ...
  ExpectWhole(*old_);
  // ... in what a crash would leave now, ...
  {
    ScopedTempDir copy;
    ASSERT_TRUE(testing::CopyAtOneInstant(old_dir_.path(), copy.path()));
    fs::remove(copy.path() + "/LOCK");
    std::unique_ptr<EventStore> crashed = OpenAt(copy.path(), /*replica=*/true);
    ASSERT_NE(crashed, nullptr);
    ExpectWhole(*crashed);
  }
  // ... and once reopened (RocksDB takes no write after a write-ahead log error until then).
  old_.reset();
  old_ = OpenAt(old_dir_.path(), /*replica=*/true);
  ASSERT_NE(old_, nullptr);
  ExpectWhole(*old_);

  absl::StatusOr<SetAsideResult> result = old_->SetAsideAfter(4, aside_dir_.path());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_NE(result->path, files[0]);
  EXPECT_TRUE(SameRecords(*ReadSetAside(result->path), tail_));
  ExpectOldIsNewUpTo(4);
  ASSERT_TRUE(old_->AppendReplicated(Stored(*new_, 5, 6)).ok());
  ExpectOldIsNewUpTo(6);
}

}  // namespace
}  // namespace clas::ledger
