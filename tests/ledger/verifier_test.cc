// Tamper evidence (EventStore::Verify, VerifyStream): bytes rewritten behind the store's back,
// through the raw RocksDB API, are found at exactly the position that was touched; bad bytes are
// reported as DataLoss by reads, never a crash.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/event_store.h"
#include "ledger/hash_chain.h"
#include "ledger/key_layout.h"
#include "tests/ledger/test_store.h"

namespace clas::ledger {
namespace {

using ::clas::ledger::testing::Event;
using ::clas::ledger::testing::Message;
using ::clas::ledger::testing::RawDb;
using ::testing::HasSubstr;

constexpr uint64_t kEvents = 10;
constexpr uint64_t kTampered = 5;  // in stream "odd" (odd positions), its version 3

class VerifierTest : public testing::StoreTest {
 protected:
  // Positions 1..10 alternate between streams "odd" and "even"; payloads are "payload-<p>".
  void SetUp() override {
    EventStore& store = OpenStore();
    for (uint64_t p = 1; p <= kEvents; ++p) {
      const std::string stream = p % 2 == 1 ? "odd" : "even";
      const std::string id = "e-" + std::to_string(p);
      ASSERT_TRUE(store.Append(stream, ExpectedVersion::Any(),
                               {Event(id, "payload-" + std::to_string(p))}).ok());
    }
    CloseStore();
  }

  // Rewrites the stored record of `position` with `change`, through RocksDB directly.
  template <typename Change>
  void Tamper(uint64_t position, Change change) {
    RawDb raw(dir_.path());
    std::string value = raw.Get(Family::kEvents, EventKey(position));
    change(value);
    raw.Put(Family::kEvents, EventKey(position), value);
  }

  VerifyReport VerifyAll() {
    const absl::StatusOr<VerifyReport> report = store_->Verify(1, kEvents);
    EXPECT_TRUE(report.ok()) << report.status();
    return report.value_or(VerifyReport{});
  }
  VerifyReport VerifyStream(const std::string& stream) {
    const absl::StatusOr<VerifyReport> report = store_->VerifyStream(stream);
    EXPECT_TRUE(report.ok()) << report.status();
    return report.value_or(VerifyReport{});
  }
};

TEST_F(VerifierTest, AnIntactLogVerifies) {
  OpenStore();
  const VerifyReport all = VerifyAll();
  EXPECT_TRUE(all.ok) << all.problem;
  EXPECT_EQ(all.events_checked, kEvents);
  EXPECT_EQ(all.last_hash, store_->Head().hash);
  EXPECT_EQ(VerifyStream("odd").events_checked, 5u);
  EXPECT_TRUE(VerifyStream("even").ok);
  EXPECT_EQ(store_->VerifyStream("nobody").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Verify(0, 3).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Verify(4, 3).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Verify(1, kEvents + 1).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(VerifierTest, AFlippedPayloadByteIsFoundAtItsPosition) {
  Tamper(kTampered, [](std::string& value) {
    const size_t at = value.find("payload-5");
    ASSERT_NE(at, std::string::npos);
    value[at] ^= 0x20;  // 'p' -> 'P'
  });
  OpenStore();
  const VerifyReport all = VerifyAll();
  EXPECT_FALSE(all.ok);
  EXPECT_EQ(all.first_bad_position, kTampered);
  EXPECT_EQ(all.events_checked, kTampered - 1);
  EXPECT_THAT(all.problem, HasSubstr("does not match the hash of the stored bytes"));
  const VerifyReport odd = VerifyStream("odd");
  EXPECT_FALSE(odd.ok);
  EXPECT_EQ(odd.first_bad_position, kTampered);
  EXPECT_TRUE(VerifyStream("even").ok);
  // Ranges that do not hold the position stay clean: each is anchored on stored hashes.
  EXPECT_TRUE(store_->Verify(1, kTampered - 1)->ok);
  EXPECT_TRUE(store_->Verify(kTampered + 1, kEvents)->ok);
}

TEST_F(VerifierTest, AChangedStoredHashIsFoundAtItsPosition) {
  Tamper(kTampered, [](std::string& value) {
    v1::StoredEvent stored;
    ASSERT_TRUE(stored.ParseFromString(value));
    (*stored.mutable_hash())[0] ^= 0x01;
    value = stored.SerializeAsString();
  });
  OpenStore();
  EXPECT_EQ(VerifyAll().first_bad_position, kTampered);
  EXPECT_EQ(VerifyStream("odd").first_bad_position, kTampered);
}

TEST_F(VerifierTest, ARewrittenEventWithARecomputedHashBreaksItsSuccessorsLinks) {
  Tamper(kTampered, [](std::string& value) {
    v1::StoredEvent stored;
    ASSERT_TRUE(stored.ParseFromString(value));
    v1::EventBody body;
    ASSERT_TRUE(body.ParseFromString(stored.body()));
    body.mutable_data()->set_payload("forged");
    stored.set_body(body.SerializeAsString());
    stored.set_hash(EventHash(stored.prev_hash(), stored.prev_stream_hash(), stored.body()));
    value = stored.SerializeAsString();
  });
  OpenStore();
  const VerifyReport all = VerifyAll();
  EXPECT_EQ(all.first_bad_position, kTampered + 1);  // its prev_hash no longer links
  EXPECT_THAT(all.problem, HasSubstr("prev_hash"));
  const VerifyReport odd = VerifyStream("odd");
  EXPECT_EQ(odd.first_bad_position, kTampered + 2);  // the next event of stream "odd"
  EXPECT_THAT(odd.problem, HasSubstr("prev_stream_hash"));
}

TEST_F(VerifierTest, AnUnparsableRecordIsDataLossForReadsAndFoundByVerify) {
  Tamper(kTampered, [](std::string& value) { value = "\xff\xff\xff"; });
  OpenStore();
  const absl::Status read = store_->Read(kTampered).status();
  EXPECT_EQ(read.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Message(read), HasSubstr("event at position 5"));
  EXPECT_EQ(store_->ReadAll(1, 100).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(store_->ReadStream("odd", 1, Direction::kForward, 10).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(VerifyAll().first_bad_position, kTampered);
  EXPECT_THAT(VerifyAll().problem, HasSubstr("does not parse"));
  EXPECT_EQ(VerifyStream("odd").first_bad_position, kTampered);
}

TEST_F(VerifierTest, ADeletedEventIsFound) {
  RawDb(dir_.path()).Delete(Family::kEvents, EventKey(kTampered));
  OpenStore();
  EXPECT_EQ(VerifyAll().first_bad_position, kTampered);
  EXPECT_THAT(VerifyAll().problem, HasSubstr("missing"));
  EXPECT_EQ(VerifyStream("odd").first_bad_position, kTampered);
  EXPECT_THAT(Message(store_->ReadAll(1, 100).status()), HasSubstr("event at position 5"));
}

TEST_F(VerifierTest, AStreamIndexPointingElsewhereIsFound) {
  // Version 3 of "odd" now points to position 6, an event of "even".
  RawDb(dir_.path()).Put(Family::kStreams, StreamKey("odd", 3), EncodeU64(6));
  OpenStore();
  const VerifyReport odd = VerifyStream("odd");
  EXPECT_EQ(odd.first_bad_position, 6u);
  EXPECT_THAT(odd.problem, HasSubstr("indexed as version 3"));
  EXPECT_TRUE(VerifyAll().ok);  // the global chain itself is intact
}

TEST_F(VerifierTest, ACorruptLastEventRefusesOpen) {
  Tamper(kEvents, [](std::string& value) { value = "garbage"; });
  const absl::Status status = EventStore::Open(MakeOptions()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Message(status), HasSubstr("event at position 10"));
}

}  // namespace
}  // namespace clas::ledger
