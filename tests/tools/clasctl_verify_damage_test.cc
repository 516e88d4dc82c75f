// clasctl verify --data on a damaged ledger (the server stopped, its files altered behind its
// back): every kind of damage is reported, never refused, with exit 1 and the position, the
// event, the stream and version, or the file at fault.
#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "ledger/hash_chain.h"
#include "ledger/key_layout.h"
#include "tests/ledger/damage.h"
#include "tests/ledger/test_store.h"
#include "tests/tools/clasctl_fixture.h"

namespace clas::testing {
namespace {

using ::clas::ledger::Family;
using ::clas::ledger::testing::FilesWith;
using ::clas::ledger::testing::FlipByte;
using ::clas::ledger::testing::FlushToTables;
using ::clas::ledger::testing::RawDb;
using ::clas::ledger::testing::ReadBytes;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class VerifyDamageTest : public ClasctlTest {
 protected:
  // The worked example (10 events), then the server stopped: its ledger is closed.
  void SetUp() override {
    ClasctlTest::SetUp();
    WorkedExample();
    ASSERT_EQ(Head(), 10u);
    for (uint64_t p = 1; p <= 10; ++p) events_.push_back(*server_->store().Read(p));
    StopServer();
  }
  Ran VerifyData(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"verify", "--data", config_.data_dir};
    args.insert(args.end(), extra.begin(), extra.end());
    return Run(args);
  }
  std::vector<ledger::RecordedEvent> events_;  // positions 1..10 at index 0..9
};

TEST_F(VerifyDamageTest, AnAlteredPayloadNamesThePositionTheEventAndBothHashes) {
  const ledger::RecordedEvent& target = events_[7];  // position 8: the second acompte
  std::string found_hash;
  {
    RawDb raw(config_.data_dir);
    std::string value = raw.Get(Family::kEvents, ledger::EventKey(8));
    ledger::v1::StoredEvent stored;
    ASSERT_TRUE(stored.ParseFromString(value));
    ledger::v1::EventBody body;
    ASSERT_TRUE(body.ParseFromString(stored.body()));
    body.mutable_data()->mutable_payload()->back() ^= 0x01;
    stored.set_body(body.SerializeAsString());
    found_hash = ledger::EventHash(stored.prev_hash(), stored.prev_stream_hash(), stored.body());
    raw.Put(Family::kEvents, ledger::EventKey(8), stored.SerializeAsString());
  }
  const Ran ran = VerifyData();
  EXPECT_EQ(ran.code, 1) << ran.err;
  EXPECT_EQ(
      ran.out,
      absl::StrCat("Chain BROKEN at position 8: stored hash ", ledger::ShortHashHex(target.hash),
                   " does not match the hash of the stored bytes ",
                   ledger::ShortHashHex(found_hash), " (event id '", target.event_id(),
                   "', version ", target.stream_version(), " of stream '", target.stream_id(),
                   "', as its body reads)\n", "  7 events intact before it; head position 10\n"));
}

TEST_F(VerifyDamageTest, AStreamIndexEntryPointingElsewhereIsNamed) {
  const ledger::RecordedEvent& target = events_[7];
  RawDb(config_.data_dir)
      .Put(Family::kStreams, ledger::StreamKey(target.stream_id(), target.stream_version()),
           ledger::EncodeU64(3));
  const Ran ran = VerifyData();
  EXPECT_EQ(ran.code, 1) << ran.err;
  EXPECT_THAT(ran.out, StartsWith("Chain OK: 10 events checked"));  // the chain itself is intact
  EXPECT_THAT(ran.out, HasSubstr(absl::StrCat(
                           "Indexes BROKEN at position 8: stream '", target.stream_id(),
                           "' version ", target.stream_version(), " is indexed at position 3\n")));
  const Ran json = VerifyData({"--json"});
  EXPECT_EQ(json.code, 1);
  v1::VerifyChainResponse response;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.out, &response).ok()) << json.out;
  EXPECT_FALSE(response.ok());
  EXPECT_EQ(response.first_bad_position(), 8u);
  EXPECT_THAT(response.problem(), StartsWith("index: stream '"));
}

TEST_F(VerifyDamageTest, ACorruptLastEventIsReportedNotRefused) {
  RawDb(config_.data_dir).Put(Family::kEvents, ledger::EventKey(10), "garbage");
  const Ran ran = VerifyData();
  EXPECT_EQ(ran.code, 1) << ran.err;
  EXPECT_EQ(ran.out, absl::StrCat("Ledger ", config_.data_dir,
                                  " DAMAGED: the head of the log does not read: event at "
                                  "position 10: the stored record does not parse\n",
                                  "Chain BROKEN at position 10: the stored record does not parse\n"
                                  "  9 events intact before it; head position 10\n"));
}

TEST_F(VerifyDamageTest, AFlippedRecordInTheWriteAheadLogIsReportedWithTheIntactPrefix) {
  const std::vector<std::string> logs = FilesWith(config_.data_dir, ".log");
  ASSERT_EQ(logs.size(), 1u);
  const std::string& id = events_[5].event_id();  // position 6
  const size_t at = ReadBytes(logs[0]).find(id);
  ASSERT_NE(at, std::string::npos);
  FlipByte(logs[0], at + id.size() / 2);
  const std::string log_name = std::filesystem::path(logs[0]).filename().string();
  const Ran ran = VerifyData();
  EXPECT_EQ(ran.code, 1) << ran.err;
  EXPECT_THAT(ran.out, StartsWith(absl::StrCat("Ledger ", config_.data_dir,
                                               " DAMAGED: the write-ahead log (", log_name,
                                               ") does not replay: Corruption: ")));
  // What replays is shown and verified: the five events written before the damaged record.
  EXPECT_THAT(ran.out, HasSubstr("\nChain OK: 5 events checked; head position 5, hash " +
                                 ledger::HashHex(events_[4].hash)));
}

// A write-ahead log deleted (or cut at a record's end) leaves a shorter log that is intact in
// itself: only a position and hash known from before, a receipt, shows the loss.
TEST_F(VerifyDamageTest, ADeletedWriteAheadLogIsFoundOnlyAgainstAKnownHash) {
  const std::vector<std::string> logs = FilesWith(config_.data_dir, ".log");
  ASSERT_EQ(logs.size(), 1u);
  std::filesystem::remove(logs[0]);
  const std::string receipt = absl::StrCat("10:", ledger::HashHex(events_[9].hash));
  const Ran silent = VerifyData();
  EXPECT_EQ(silent.code, 0) << silent.err;  // what remains verifies
  const Ran ran = VerifyData({"--expect", receipt});
  EXPECT_EQ(ran.code, 1) << ran.err;
  EXPECT_EQ(ran.out, absl::StrCat("Ledger ", config_.data_dir, " DAMAGED: position 10 (hash ",
                                  ledger::ShortHashHex(events_[9].hash),
                                  ", given by --expect) is missing: the log ends at position 0, "
                                  "events were lost\n",
                                  "Chain OK: the log is empty\n"));
}

TEST_F(VerifyDamageTest, AnExpectedHashIsCheckedAgainstTheLedger) {
  const Ran ok = VerifyData({"--expect", absl::StrCat("4:", ledger::HashHex(events_[3].hash))});
  EXPECT_EQ(ok.code, 0) << ok.out << ok.err;
  const Ran other = VerifyData({"--expect", absl::StrCat("5:", ledger::HashHex(events_[3].hash))});
  EXPECT_EQ(other.code, 1);
  EXPECT_THAT(other.out, HasSubstr(absl::StrCat("DAMAGED: position 5 holds hash ",
                                                ledger::ShortHashHex(events_[4].hash), ", not ",
                                                ledger::ShortHashHex(events_[3].hash))));
  EXPECT_EQ(VerifyData({"--expect", "5:abc"}).code, 2);
}

TEST_F(VerifyDamageTest, ATruncatedTableFileIsReportedWithItsName) {
  const std::string table = FlushToTables(config_.data_dir);
  std::filesystem::resize_file(table, std::filesystem::file_size(table) - 7);
  const Ran ran = VerifyData();
  EXPECT_EQ(ran.code, 1) << ran.err;
  EXPECT_THAT(ran.out, StartsWith(absl::StrCat("Ledger ", config_.data_dir,
                                               " DAMAGED: it cannot be opened, even read-only: ")));
  EXPECT_THAT(ran.out, HasSubstr(std::filesystem::path(table).filename().string()));
}

}  // namespace
}  // namespace clas::testing
