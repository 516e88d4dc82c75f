// Damage behind the store's back, on a closed store: a value, an index entry or a position key
// rewritten through raw RocksDB, a table file flipped, truncated or deleted, the write-ahead log
// cut short or flipped, a format this build does not know. Each is named (position, stream and
// version, event id, file) by Verify / VerifyIndexes or by Open; a writable Open refuses what it
// cannot append after and writes nothing; an Open with tolerate_damage opens what it can read
// so that verification always reports.
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/event_store.h"
#include "ledger/hash_chain.h"
#include "ledger/key_layout.h"
#include "rocksdb/db.h"
#include "tests/ledger/damage.h"
#include "tests/ledger/test_store.h"

namespace clas::ledger {
namespace {

using ::clas::ledger::testing::Event;
using ::clas::ledger::testing::Message;
using ::clas::ledger::testing::RawDb;
using ::testing::HasSubstr;
using ::testing::StartsWith;

namespace fs = std::filesystem;
using ::clas::ledger::testing::FilesWith;
using ::clas::ledger::testing::FlipByte;
using ::clas::ledger::testing::FlushToTables;
using ::clas::ledger::testing::List;
using ::clas::ledger::testing::Listing;
using ::clas::ledger::testing::ReadBytes;

constexpr uint64_t kEvents = 10;
constexpr uint64_t kTampered = 5;  // version 3 of stream "odd" (odd positions), id "e-5"

class TamperTest : public testing::StoreTest {
 protected:
  // Positions 1..count, one append each, alternating between streams "odd" and "even"; the
  // payload of position p is "payload-<p>" padded to `payload_bytes`.
  void Fill(uint64_t count, size_t payload_bytes = 0) {
    EventStore& store = OpenStore();
    for (uint64_t p = 1; p <= count; ++p) {
      std::string payload = "payload-" + std::to_string(p) + ";";
      if (payload.size() < payload_bytes)
        payload.resize(payload_bytes, static_cast<char>('a' + p % 26));
      ASSERT_TRUE(store
                      .Append(p % 2 == 1 ? "odd" : "even", ExpectedVersion::Any(),
                              {Event("e-" + std::to_string(p), payload)})
                      .ok());
    }
    CloseStore();
  }
  void SetUp() override { Fill(kEvents); }

  absl::StatusOr<std::unique_ptr<EventStore>> OpenForInspection() {
    Options options = MakeOptions();
    options.read_only = true;
    options.tolerate_damage = true;
    return EventStore::Open(options);
  }

  // Verify then VerifyIndexes over the whole log, as `clasctl verify --data` runs them.
  static VerifyReport VerifyWhole(const EventStore& store) {
    const uint64_t head = store.Head().position;
    absl::StatusOr<VerifyReport> chain = store.Verify(1, head);
    EXPECT_TRUE(chain.ok()) << chain.status();
    if (!chain.ok() || !chain->ok) return chain.value_or(VerifyReport{});
    absl::StatusOr<VerifyReport> indexes = store.VerifyIndexes(1, head);
    EXPECT_TRUE(indexes.ok()) << indexes.status();
    return indexes.value_or(VerifyReport{});
  }
};

TEST_F(TamperTest, AnIntactLedgerHasNoFinding) {
  auto store = OpenForInspection();
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE((*store)->Damage().empty());
  const VerifyReport report = VerifyWhole(**store);
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.events_checked, kEvents);
  // Ranges: only the whole log also counts the entries.
  EXPECT_TRUE((*store)->VerifyIndexes(3, 7)->ok);
  EXPECT_EQ((*store)->VerifyIndexes(3, kEvents + 1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(TamperTest, AnAlteredPayloadIsNamedWithItsEventAndBothHashes) {
  std::string forged_hash;
  {
    RawDb raw(dir_.path());
    std::string value = raw.Get(Family::kEvents, EventKey(kTampered));
    const size_t at = value.find("payload-5;");
    ASSERT_NE(at, std::string::npos);
    value[at + 8] = '6';  // "payload-6;"
    v1::StoredEvent stored;
    ASSERT_TRUE(stored.ParseFromString(value));
    forged_hash = EventHash(stored.prev_hash(), stored.prev_stream_hash(), stored.body());
    raw.Put(Family::kEvents, EventKey(kTampered), value);
  }
  EventStore& store = OpenStore();
  const VerifyReport report = VerifyWhole(store);
  EXPECT_EQ(report.first_bad_position, kTampered);
  const std::string stored_hash = store.Read(kTampered)->hash;
  EXPECT_EQ(report.problem,
            absl::StrCat("stored hash ", ShortHashHex(stored_hash),
                         " does not match the hash of the stored bytes ", ShortHashHex(forged_hash),
                         " (event id 'e-5', version 3 of stream 'odd', as its body reads)"));
}

TEST_F(TamperTest, AStreamIndexEntryPointingElsewhereNamesTheStreamVersionAndBothPositions) {
  // Version 3 of "odd" (position 5) now points to position 7.
  RawDb(dir_.path()).Put(Family::kStreams, StreamKey("odd", 3), EncodeU64(7));
  EventStore& store = OpenStore();
  EXPECT_TRUE(store.Verify(1, kEvents)->ok);  // the chain alone does not see it
  const VerifyReport report = VerifyWhole(store);
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_position, kTampered);
  EXPECT_EQ(report.events_checked, kTampered - 1);
  EXPECT_EQ(report.problem, "stream 'odd' version 3 is indexed at position 7");
}

TEST_F(TamperTest, ReadStreamRefusesAnIndexEntryPointingToAnotherStreamsEvent) {
  RawDb(dir_.path()).Put(Family::kStreams, StreamKey("odd", 3), EncodeU64(4));  // "even" v2
  EventStore& store = OpenStore();
  const absl::StatusOr<std::vector<RecordedEvent>> read =
      store.ReadStream("odd", 1, Direction::kForward, kReadEventsMax);
  EXPECT_TRUE(absl::IsDataLoss(read.status())) << read.status();
  EXPECT_THAT(Message(read.status()),
              HasSubstr("indexed as version 3 of stream 'odd' but holds version 2 of 'even'"));
}

TEST_F(TamperTest, ReadStreamsUnderRefusesAnIndexEntryPointingElsewhereOrToNothing) {
  {
    RawDb raw(dir_.path());
    raw.Put(Family::kStreams, StreamKey("odd", 3), EncodeU64(4));  // "even" v2
    raw.Delete(Family::kEvents, EventKey(6));                       // "even" v3
  }
  Options options = MakeOptions();
  options.read_only = true;
  EventStore& store = OpenStore(options);
  const absl::StatusOr<StreamsPage> odd = store.ReadStreamsUnder("odd", "", 100);
  EXPECT_TRUE(absl::IsDataLoss(odd.status())) << odd.status();
  EXPECT_THAT(Message(odd.status()),
              HasSubstr("indexed as version 3 of stream 'odd' but holds version 2 of 'even'"));
  const absl::StatusOr<StreamsPage> even = store.ReadStreamsUnder("even", "", 100);
  EXPECT_TRUE(absl::IsDataLoss(even.status())) << even.status();
  EXPECT_THAT(Message(even.status()),
              HasSubstr("missing, but indexed as version 3 of stream 'even'"));
}

TEST_F(TamperTest, ReadStreamNamesAnIndexedEventThatIsMissing) {
  // Position 7 (version 4 of "odd") deleted from the log, its index entry kept; the batched
  // read finds it missing and the error names its version, as a read of it alone does.
  RawDb(dir_.path()).Delete(Family::kEvents, EventKey(7));
  Options options = MakeOptions();
  options.read_only = true;
  EventStore& store = OpenStore(options);
  for (const Direction direction : {Direction::kForward, Direction::kBackward}) {
    const absl::StatusOr<std::vector<RecordedEvent>> read = store.ReadStream(
        "odd", direction == Direction::kForward ? 1 : kStreamEnd, direction, kReadEventsMax);
    EXPECT_TRUE(absl::IsDataLoss(read.status())) << read.status();
    EXPECT_THAT(Message(read.status()), HasSubstr("7"));
    EXPECT_THAT(Message(read.status()),
                HasSubstr("missing, but indexed as version 4 of stream 'odd'"));
  }
  // The versions before it still read.
  EXPECT_EQ(store.ReadStream("odd", 1, Direction::kForward, 3)->size(), 3u);
}

TEST_F(TamperTest, ADeletedStreamIndexEntryIsNamed) {
  RawDb(dir_.path()).Delete(Family::kStreams, StreamKey("even", 2));  // position 4
  EventStore& store = OpenStore();
  const VerifyReport report = VerifyWhole(store);
  EXPECT_EQ(report.first_bad_position, 4u);
  EXPECT_EQ(report.problem, "stream 'even' version 2 has no entry in the index");
}

TEST_F(TamperTest, AnEventIdIndexEntryPointingElsewhereIsNamed) {
  RawDb(dir_.path()).Put(Family::kEventIds, "e-5", EncodeU64(9));
  EventStore& store = OpenStore();
  const VerifyReport report = VerifyWhole(store);
  EXPECT_EQ(report.first_bad_position, kTampered);
  EXPECT_EQ(report.problem, "event id 'e-5' is indexed at position 9");
}

TEST_F(TamperTest, AnExtraStreamIndexEntryIsNamed) {
  RawDb(dir_.path()).Put(Family::kStreams, StreamKey("odd", 9), EncodeU64(3));
  EventStore& store = OpenStore();
  const VerifyReport report = VerifyWhole(store);
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_position, 3u);
  EXPECT_EQ(report.problem, "the stream index holds version 9 of stream 'odd', which no event is");
}

TEST_F(TamperTest, AnExtraEventIdEntryIsNamed) {
  RawDb(dir_.path()).Put(Family::kEventIds, "forged-id", EncodeU64(2));
  EventStore& store = OpenStore();
  const VerifyReport report = VerifyWhole(store);
  EXPECT_EQ(report.first_bad_position, 2u);
  EXPECT_EQ(report.problem, "the event id index holds 'forged-id', which no event has");
}

TEST_F(TamperTest, AnEventMovedToAnotherPositionKeyIsNamed) {
  {
    RawDb raw(dir_.path());
    const std::string value = raw.Get(Family::kEvents, EventKey(kTampered));
    raw.Delete(Family::kEvents, EventKey(kTampered));
    raw.Put(Family::kEvents, EventKey(kEvents + 1), value);
  }
  // The last key now holds an event naming position 5: a writer cannot append after it.
  const absl::Status refused = EventStore::Open(MakeOptions()).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kDataLoss) << refused;
  EXPECT_EQ(Message(refused), "event at position 11: the body names position 5");

  auto store = OpenForInspection();
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_EQ((*store)->Damage().size(), 1u);
  EXPECT_EQ((*store)->Damage()[0],
            "the head of the log does not read: event at position 11: the body names position 5");
  EXPECT_EQ((*store)->Head().position, kEvents + 1);
  const VerifyReport report = VerifyWhole(**store);
  EXPECT_EQ(report.first_bad_position, kTampered);
  EXPECT_EQ(report.problem, "the position is missing (the next stored is 6)");
}

TEST_F(TamperTest, ACorruptLastEventOpensForInspectionAndVerifyNamesIt) {
  RawDb(dir_.path()).Put(Family::kEvents, EventKey(kEvents), "garbage");
  auto store = OpenForInspection();
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_EQ((*store)->Damage().size(), 1u);
  EXPECT_THAT((*store)->Damage()[0], HasSubstr("event at position 10"));
  EXPECT_EQ((*store)->Head().position, kEvents);
  const VerifyReport report = VerifyWhole(**store);
  EXPECT_EQ(report.first_bad_position, kEvents);
  EXPECT_EQ(report.events_checked, kEvents - 1);
  EXPECT_EQ(report.problem, "the stored record does not parse");
  // Inspection reads what is intact and refuses to append.
  EXPECT_EQ((*store)->Read(9)->event_id(), "e-9");
  EXPECT_EQ((*store)->Append("odd", ExpectedVersion::Any(), {Event("e-11")}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(TamperTest, ToleranceIsForReadOnlyOpensOnly) {
  Options options = MakeOptions();
  options.tolerate_damage = true;
  const absl::Status status = EventStore::Open(options).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(Message(status), StartsWith("tolerate_damage"));
}

// A flipped byte in the middle of the events' table file: a block checksum fails; Verify names
// the first position it could not read, the file and the offset.
class TamperManyTest : public TamperTest {
 protected:
  static constexpr uint64_t kMany = 400;
  void SetUp() override { Fill(kMany, 200); }  // about 100 KB: some 25 data blocks of 4 KiB
};

TEST_F(TamperManyTest, AFlippedByteInATableFileIsNamedWithItsFileAndPosition) {
  const std::string table = FlushToTables(dir_.path());
  FlipByte(table, fs::file_size(table) / 3);  // in a data block, away from the index and footer
  const std::string file_name = fs::path(table).filename().string();

  EventStore& store = OpenStore();  // the head's block is intact: the store opens
  const absl::StatusOr<VerifyReport> report = store.Verify(1, kMany);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_FALSE(report->ok);
  EXPECT_GT(report->first_bad_position, 1u);
  EXPECT_LT(report->first_bad_position, kMany);
  EXPECT_EQ(report->events_checked, report->first_bad_position - 1);
  EXPECT_THAT(report->problem, StartsWith("RocksDB cannot read it: Corruption: block checksum "
                                          "mismatch"));
  EXPECT_THAT(report->problem, HasSubstr(file_name));
  // A read of that position is DataLoss naming the file too, never a crash.
  const absl::Status read = store.Read(report->first_bad_position).status();
  EXPECT_EQ(read.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Message(read), HasSubstr(file_name));
}

TEST_F(TamperTest, ATruncatedTableFileRefusesEveryOpenNamingTheFile) {
  const std::string table = FlushToTables(dir_.path());
  fs::resize_file(table, fs::file_size(table) / 2);
  const std::string file_name = fs::path(table).filename().string();
  const Listing before = List(dir_.path());
  for (const bool inspect : {false, true}) {
    absl::StatusOr<std::unique_ptr<EventStore>> store =
        inspect ? OpenForInspection() : EventStore::Open(MakeOptions());
    EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss) << store.status();
    EXPECT_THAT(Message(store.status()), HasSubstr(file_name));
    EXPECT_THAT(Message(store.status()), HasSubstr("opening the ledger at"));
  }
  EXPECT_EQ(List(dir_.path()), before);
}

TEST_F(TamperTest, ADeletedTableFileRefusesEveryOpenNamingTheFile) {
  const std::string table = FlushToTables(dir_.path());
  fs::remove(table);
  const std::string number = fs::path(table).stem().string();  // RocksDB may name it .ldb
  for (const bool inspect : {false, true}) {
    absl::StatusOr<std::unique_ptr<EventStore>> store =
        inspect ? OpenForInspection() : EventStore::Open(MakeOptions());
    EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss) << store.status();
    EXPECT_THAT(Message(store.status()), HasSubstr(number));
  }
}

TEST_F(TamperTest, ADeletedCurrentFileRefusesEveryOpenAndCreatesNoNewLedger) {
  fs::remove(fs::path(dir_.path()) / "CURRENT");
  const Listing before = List(dir_.path());
  for (const bool inspect : {false, true}) {
    absl::StatusOr<std::unique_ptr<EventStore>> store =
        inspect ? OpenForInspection() : EventStore::Open(MakeOptions());
    EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss) << store.status();
    EXPECT_THAT(Message(store.status()),
                HasSubstr("has lost its CURRENT file (it holds MANIFEST-"));
  }
  EXPECT_EQ(List(dir_.path()), before);
}

// [choice] Every acknowledged append was synced before its answer: a write-ahead log whose last
// record is cut short holds a write that was never acknowledged. The store drops that record and
// opens; everything before it is there, byte for byte, and the chain verifies.
TEST_F(TamperTest, AWriteAheadLogCutShortLosesOnlyItsTornLastRecord) {
  // Read-only: a writable open would replay the log into a table file and start a new one.
  const std::vector<RecordedEvent> before = OpenForInspection().value()->ReadAll(1, 100).value();
  const std::vector<std::string> logs = FilesWith(dir_.path(), ".log");
  ASSERT_EQ(logs.size(), 1u);
  const std::string wal = logs[0];
  const std::string bytes = ReadBytes(wal);
  const size_t last_payload = bytes.rfind("payload-10;");
  ASSERT_NE(last_payload, std::string::npos);
  fs::resize_file(wal, last_payload);  // mid-way through the last append's record

  EventStore& store = OpenStore();
  ASSERT_EQ(store.Head().position, kEvents - 1);
  const std::vector<RecordedEvent> after = store.ReadAll(1, 100).value();
  ASSERT_EQ(after.size(), kEvents - 1);
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].hash, before[i].hash);
    EXPECT_EQ(after[i].body.SerializeAsString(), before[i].body.SerializeAsString());
  }
  EXPECT_TRUE(VerifyWhole(store).ok);
  // The writer resumes after the last intact event.
  const absl::StatusOr<AppendResult> next =
      store.Append("even", ExpectedVersion::Exactly(4), {Event("e-10b")});
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->first_position, kEvents);
  EXPECT_EQ(store.Read(kEvents)->prev_hash, before[kEvents - 2].hash);
}

// A damaged record before the log's end is not a torn write: RocksDB's default recovery would
// silently drop it and every acknowledged record after it. The store refuses to open, names the
// log file and writes nothing; opened for inspection it shows the log up to the damage and says so.
TEST_F(TamperTest, AFlippedRecordInsideTheWriteAheadLogRefusesOpenAndIsShownUpToTheDamage) {
  const std::vector<std::string> logs = FilesWith(dir_.path(), ".log");
  ASSERT_EQ(logs.size(), 1u);
  const std::string bytes = ReadBytes(logs[0]);
  const size_t at = bytes.find("payload-5;");
  ASSERT_NE(at, std::string::npos);
  FlipByte(logs[0], at + 3);
  const std::string log_name = fs::path(logs[0]).filename().string();
  const Listing before = List(dir_.path());

  const absl::Status refused = EventStore::Open(MakeOptions()).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kDataLoss) << refused;
  EXPECT_THAT(Message(refused), HasSubstr("replaying its write-ahead log: " + log_name));
  EXPECT_EQ(List(dir_.path()), before);

  auto store = OpenForInspection();
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_EQ((*store)->Damage().size(), 1u);
  EXPECT_THAT((*store)->Damage()[0],
              StartsWith("the write-ahead log (" + log_name + ") does not replay"));
  EXPECT_EQ((*store)->Head().position, kTampered - 1);
  EXPECT_TRUE(VerifyWhole(**store).ok);
  EXPECT_EQ(List(dir_.path()), before);
}

TEST_F(TamperTest, ANewerFormatIsRefusedBeforeAnythingIsWritten) {
  RawDb(dir_.path()).Put(Family::kMeta, std::string(kMetaFormatVersionKey), "7");
  const Listing before = List(dir_.path());
  const absl::Status status = EventStore::Open(MakeOptions()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Message(status), "format version 7 is newer than this build's 1");
  EXPECT_EQ(List(dir_.path()), before);
}

}  // namespace
}  // namespace clas::ledger
