// Opening and reopening (EventStore::Open): everything survives a close, the format version is
// enforced, and the read-only and locked cases answer clearly.
#include <filesystem>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/event_store.h"
#include "ledger/key_layout.h"
#include "tests/ledger/test_store.h"

namespace clas::ledger {
namespace {

using ::clas::ledger::testing::Events;
using ::clas::ledger::testing::Message;
using ::clas::ledger::testing::RawDb;
using ::testing::HasSubstr;

class ReopenTest : public testing::StoreTest {
 protected:
  void AppendSome(EventStore& store) {
    ASSERT_TRUE(store.Append("a", ExpectedVersion::NoStream(), Events({"a-1", "a-2"})).ok());
    ASSERT_TRUE(store.Append("b", ExpectedVersion::NoStream(), Events({"b-1"})).ok());
    ASSERT_TRUE(store.Append("a", ExpectedVersion::Exactly(2), Events({"a-3"})).ok());
  }
};

TEST_F(ReopenTest, KeepsHeadStreamsHashesAndIds) {
  AppendSome(OpenStore());
  const LogHead head = store_->Head();
  const std::vector<RecordedEvent> before = store_->ReadAll(1, 100).value();
  CloseStore();

  EventStore& store = OpenStore();
  EXPECT_EQ(store.Head().position, head.position);
  EXPECT_EQ(store.Head().hash, head.hash);
  EXPECT_EQ(store.Head().recorded_at_us, head.recorded_at_us);
  EXPECT_EQ(store.StreamVersion("a").value(), 3u);
  const std::vector<RecordedEvent> after = store.ReadAll(1, 100).value();
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].hash, before[i].hash);
    EXPECT_EQ(after[i].body.SerializeAsString(), before[i].body.SerializeAsString());
  }
  // The writer resumes where it stopped: next position, next version, linked hashes.
  const absl::StatusOr<AppendResult> next =
      store.Append("a", ExpectedVersion::Exactly(3), Events({"a-4"}));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->first_position, 5u);
  EXPECT_EQ(next->first_version, 4u);
  EXPECT_GT(next->recorded_at_us, head.recorded_at_us);
  EXPECT_EQ(store.Read(5)->prev_hash, head.hash);
  EXPECT_EQ(store.Read(5)->prev_stream_hash, store.Read(4)->hash);
  EXPECT_TRUE(store.Verify(1, 5)->ok);
  EXPECT_TRUE(store.VerifyStream("a")->ok);
}

// The ".log" files of RocksDB's write-ahead log in `path`, with their sizes.
std::vector<uintmax_t> WalSizes(const std::string& path) {
  std::vector<uintmax_t> sizes;
  for (const auto& entry : std::filesystem::directory_iterator(path)) {
    if (entry.path().extension() == ".log") sizes.push_back(entry.file_size());
  }
  return sizes;
}

size_t TableFiles(const std::string& path) {
  size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(path)) {
    count += entry.path().extension() == ".sst";
  }
  return count;
}

TEST_F(ReopenTest, CompactMovesTheLogFromTheWriteAheadLogIntoTablesAndReadsTheSame) {
  // Two streams interleaved, one of them longer than the batched read's chunk (256 events),
  // so that a read of it crosses chunks and tables.
  EventStore& store = OpenStore();
  constexpr uint64_t kLong = 600;
  for (uint64_t v = 1; v <= kLong; ++v) {
    ASSERT_TRUE(
        store.Append("long", ExpectedVersion::Any(), Events({"l-" + std::to_string(v)})).ok());
    if (v % 3 == 0) {
      ASSERT_TRUE(
          store.Append("short", ExpectedVersion::Any(), Events({"s-" + std::to_string(v)})).ok());
    }
  }
  const std::vector<RecordedEvent> forward =
      store.ReadStream("long", 1, Direction::kForward, kReadEventsMax).value();
  const std::vector<RecordedEvent> backward =
      store.ReadStream("long", kStreamEnd, Direction::kBackward, kReadEventsMax).value();
  ASSERT_EQ(forward.size(), kLong);
  ASSERT_EQ(backward.size(), kLong);
  EXPECT_EQ(TableFiles(dir_.path()), 0u);  // all of it in the write-ahead log so far

  ASSERT_TRUE(store.Compact().ok());
  EXPECT_GT(TableFiles(dir_.path()), 0u);
  CloseStore();
  for (const uintmax_t size : WalSizes(dir_.path())) EXPECT_EQ(size, 0u);

  Options options = MakeOptions();
  options.read_only = true;
  EventStore& reopened = OpenStore(options);
  EXPECT_EQ(reopened.Head().position, kLong + kLong / 3);
  const std::vector<RecordedEvent> forward_after =
      reopened.ReadStream("long", 1, Direction::kForward, kReadEventsMax).value();
  const std::vector<RecordedEvent> backward_after =
      reopened.ReadStream("long", kStreamEnd, Direction::kBackward, kReadEventsMax).value();
  ASSERT_EQ(forward_after.size(), kLong);
  ASSERT_EQ(backward_after.size(), kLong);
  for (uint64_t i = 0; i < kLong; ++i) {
    EXPECT_EQ(forward_after[i].stream_version(), i + 1);
    EXPECT_EQ(forward_after[i].event_id(), "l-" + std::to_string(i + 1));
    EXPECT_EQ(forward_after[i].hash, forward[i].hash);
    EXPECT_EQ(backward_after[i].stream_version(), kLong - i);
    EXPECT_EQ(backward_after[i].hash, backward[i].hash);
  }
  // A page in the middle, across the chunk boundary.
  const std::vector<RecordedEvent> page =
      reopened.ReadStream("long", 250, Direction::kForward, 20).value();
  ASSERT_EQ(page.size(), 20u);
  EXPECT_EQ(page.front().stream_version(), 250u);
  EXPECT_EQ(page.back().stream_version(), 269u);
  EXPECT_TRUE(reopened.Verify(1, reopened.Head().position)->ok);
  EXPECT_TRUE(reopened.VerifyIndexes(1, reopened.Head().position)->ok);
}

TEST_F(ReopenTest, CompactIsRefusedReadOnly) {
  AppendSome(OpenStore());
  CloseStore();
  Options options = MakeOptions();
  options.read_only = true;
  EXPECT_TRUE(absl::IsFailedPrecondition(OpenStore(options).Compact()));
}

TEST_F(ReopenTest, RefusesABlockCacheBelowOneMebibyte) {
  Options options = MakeOptions();
  options.block_cache_bytes = 4096;
  const absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
  EXPECT_TRUE(absl::IsInvalidArgument(store.status()));
  EXPECT_THAT(Message(store.status()), HasSubstr("block_cache_bytes"));
  options.block_cache_bytes = size_t{1} << 20;
  EXPECT_TRUE(EventStore::Open(options).ok());
}

TEST_F(ReopenTest, CreatesMissingDirectories) {
  Options options = MakeOptions();
  options.path += "/nested/deeper";
  EventStore& store = OpenStore(options);
  EXPECT_EQ(store.Head().position, 0u);
  EXPECT_TRUE(std::filesystem::exists(options.path));
}

TEST_F(ReopenTest, ReadOnlyNeedsAnExistingLedger) {
  Options options = MakeOptions();
  options.read_only = true;
  const absl::Status status = EventStore::Open(options).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << status;
  EXPECT_FALSE(std::filesystem::exists(options.path));
}

TEST_F(ReopenTest, ReadOnlyOpensBesideAWriter) {
  AppendSome(OpenStore());
  Options options = MakeOptions();
  options.read_only = true;
  absl::StatusOr<std::unique_ptr<EventStore>> reader = EventStore::Open(options);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ((*reader)->Head().position, 4u);
  EXPECT_EQ((*reader)->Head().hash, store_->Head().hash);
}

TEST_F(ReopenTest, ASecondWriterIsRefused) {
  OpenStore();
  const absl::Status status = EventStore::Open(MakeOptions()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
}

TEST_F(ReopenTest, RefusesANewerFormat) {
  AppendSome(OpenStore());
  CloseStore();
  {
    RawDb raw(dir_.path());
    EXPECT_EQ(raw.Get(Family::kMeta, std::string(kMetaFormatVersionKey)), "1");
    raw.Put(Family::kMeta, std::string(kMetaFormatVersionKey), "2");
  }
  const absl::Status status = EventStore::Open(MakeOptions()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Message(status), "format version 2 is newer than this build's 1");
}

TEST_F(ReopenTest, RefusesANewerFormatWithFamiliesThisBuildDoesNotKnow) {
  OpenStore();
  CloseStore();
  {
    rocksdb::DB* db = nullptr;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name : kFamilyNames) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir_.path(), families, &handles, &db).ok());
    rocksdb::ColumnFamilyHandle* future = nullptr;
    ASSERT_TRUE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "future", &future).ok());
    handles.push_back(future);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[static_cast<size_t>(Family::kMeta)],
                        std::string(kMetaFormatVersionKey), "2")
                    .ok());
    for (rocksdb::ColumnFamilyHandle* handle : handles) db->DestroyColumnFamilyHandle(handle);
    ASSERT_TRUE(db->Close().ok());
    delete db;
  }
  const absl::Status status = EventStore::Open(MakeOptions()).status();
  EXPECT_EQ(Message(status), "format version 2 is newer than this build's 1");
}

TEST_F(ReopenTest, AnUnreadableFormatVersionIsDataLoss) {
  OpenStore();
  CloseStore();
  RawDb(dir_.path()).Put(Family::kMeta, std::string(kMetaFormatVersionKey), "one");
  const absl::Status status = EventStore::Open(MakeOptions()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
  EXPECT_THAT(Message(status), HasSubstr("meta.format_version 'one'"));
}

}  // namespace
}  // namespace clas::ledger
