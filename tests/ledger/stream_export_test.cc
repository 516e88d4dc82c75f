// An exported stream verifies offline, and any change to it is found: a flipped byte, a missing
// event, a reordered pair, an event of another stream.
#include "ledger/stream_export.h"

#include "gtest/gtest.h"
#include "tests/ledger/test_store.h"

namespace clas::ledger::testing {
namespace {

class StreamExportTest : public StoreTest {
 protected:
  // Appends three events to "s" with others interleaved, and exports "s" as an auditor gets it.
  std::vector<v1::StoredEvent> Export() {
    EventStore& store = OpenStore();
    for (int i = 0; i < 3; ++i) {
      EXPECT_TRUE(store.Append("s", ExpectedVersion::Any(), Events({absl::StrCat("s-", i)})).ok());
      EXPECT_TRUE(store.Append("t", ExpectedVersion::Any(), Events({absl::StrCat("t-", i)})).ok());
    }
    auto events = store.ReadStream("s", 1, Direction::kForward, 10);
    EXPECT_TRUE(events.ok());
    std::vector<v1::StoredEvent> out;
    for (const auto& e : *events) {
      v1::StoredEvent stored;
      stored.set_body(e.body.SerializeAsString());
      stored.set_prev_hash(e.prev_hash);
      stored.set_prev_stream_hash(e.prev_stream_hash);
      stored.set_hash(e.hash);
      out.push_back(stored);
    }
    return out;
  }
};

TEST_F(StreamExportTest, AnIntactExportVerifies) {
  auto exported = Export();
  VerifyReport report = VerifyExportedStream(exported, "s");
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.events_checked, 3u);
  EXPECT_EQ(report.last_hash, exported.back().hash());
}

TEST_F(StreamExportTest, AFlippedByteIsFoundAtItsEvent) {
  auto exported = Export();
  std::string body = exported[1].body();
  body[body.size() / 2] ^= 0x01;
  exported[1].set_body(body);
  VerifyReport report = VerifyExportedStream(exported, "s");
  EXPECT_FALSE(report.ok);
  // The second event of "s" is at global position 3 (s, t, s, t, s, t).
  EXPECT_TRUE(report.first_bad_position == 3 || report.first_bad_position == 0) << report.problem;
}

TEST_F(StreamExportTest, AMissingEventIsFound) {
  auto exported = Export();
  exported.erase(exported.begin() + 1);
  VerifyReport report = VerifyExportedStream(exported, "s");
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_position, 5u);
}

TEST_F(StreamExportTest, ReorderedEventsAreFound) {
  auto exported = Export();
  std::swap(exported[1], exported[2]);
  EXPECT_FALSE(VerifyExportedStream(exported, "s").ok);
}

TEST_F(StreamExportTest, AnotherStreamsExportIsRefused) {
  auto exported = Export();
  VerifyReport report = VerifyExportedStream(exported, "t");
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_position, 1u);
}

}  // namespace
}  // namespace clas::ledger::testing
