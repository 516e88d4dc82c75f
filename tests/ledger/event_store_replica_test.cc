// Replication (EventStore::ReadStored and AppendReplicated): a replica fed a source's records
// holds the same bytes, chains and indexes; a record out of position, tampered, or not chaining
// on the global or the stream chain is refused naming its position, and nothing of its batch is
// stored; a replica takes no local append, a writable store no replicated record; a waiter on
// the head sees replicated records.
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/event_store.h"
#include "ledger/hash_chain.h"
#include "tests/ledger/test_store.h"

namespace clas::ledger {
namespace {

using ::clas::ledger::testing::Event;
using ::clas::ledger::testing::Events;
using ::clas::ledger::testing::Message;
using ::clas::ledger::testing::ScopedTempDir;
using ::testing::HasSubstr;

constexpr size_t kAllBytes = size_t{1} << 30;

std::unique_ptr<EventStore> OpenAt(const std::string& path, bool replica) {
  Options options;
  options.path = path;
  options.replica = replica;
  absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

// A source store and a replica, each in its own directory.
class ReplicaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = OpenAt(source_dir_.path(), /*replica=*/false);
    replica_ = OpenAt(replica_dir_.path(), /*replica=*/true);
    ASSERT_NE(source_, nullptr);
    ASSERT_NE(replica_, nullptr);
  }

  // Positions 1..6 over the streams "a" (1, 2, 5), "b" (3, 6) and "c" (4).
  void FillSource() {
    ASSERT_TRUE(source_->Append("a", ExpectedVersion::Any(), Events({"e-1", "e-2"})).ok());
    ASSERT_TRUE(source_->Append("b", ExpectedVersion::Any(), Events({"e-3"})).ok());
    ASSERT_TRUE(source_->Append("c", ExpectedVersion::Any(), Events({"e-4"})).ok());
    ASSERT_TRUE(source_->Append("a", ExpectedVersion::Any(), Events({"e-5"})).ok());
    ASSERT_TRUE(source_->Append("b", ExpectedVersion::Any(), Events({"e-6"})).ok());
  }

  std::vector<StoredRecord> SourceRecords(uint64_t from, uint64_t to) {
    absl::StatusOr<std::vector<StoredRecord>> records =
        source_->ReadStored(from, to - from + 1, kAllBytes);
    EXPECT_TRUE(records.ok()) << records.status();
    return records.ok() ? *std::move(records) : std::vector<StoredRecord>();
  }

  // What the replica holds, as stored: empty when nothing.
  std::vector<StoredRecord> ReplicaRecords() {
    absl::StatusOr<std::vector<StoredRecord>> records =
        replica_->ReadStored(1, kReplicatedRecordsMax, kAllBytes);
    EXPECT_TRUE(records.ok()) << records.status();
    return records.ok() ? *std::move(records) : std::vector<StoredRecord>();
  }

  ScopedTempDir source_dir_;
  ScopedTempDir replica_dir_;
  std::unique_ptr<EventStore> source_;
  std::unique_ptr<EventStore> replica_;
};

bool SameRecords(const std::vector<StoredRecord>& a, const std::vector<StoredRecord>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].position != b[i].position || a[i].value != b[i].value) return false;
  }
  return true;
}

// `record` with its body or links changed by `change`; its hash recomputed from the changed
// fields when `rehash` (a forger who knows the hash function), else left as it was.
StoredRecord Forge(const StoredRecord& record,
                   const std::function<void(v1::StoredEvent&, v1::EventBody&)>& change,
                   bool rehash) {
  v1::StoredEvent stored;
  EXPECT_TRUE(stored.ParseFromString(record.value));
  v1::EventBody body;
  EXPECT_TRUE(body.ParseFromString(stored.body()));
  change(stored, body);
  stored.set_body(body.SerializeAsString());
  if (rehash) {
    stored.set_hash(EventHash(stored.prev_hash(), stored.prev_stream_hash(), stored.body()));
  }
  return StoredRecord{record.position, stored.SerializeAsString()};
}

TEST_F(ReplicaTest, StoresTheSourceRecordsByteForByteWithBothChainsAndIndexes) {
  FillSource();
  // In two batches, the second continuing the streams the first began.
  ASSERT_TRUE(replica_->AppendReplicated(SourceRecords(1, 3)).ok());
  absl::StatusOr<LogHead> head = replica_->AppendReplicated(SourceRecords(4, 6));
  ASSERT_TRUE(head.ok()) << head.status();

  EXPECT_TRUE(SameRecords(ReplicaRecords(), SourceRecords(1, 6)));
  EXPECT_EQ(head->position, 6u);
  EXPECT_EQ(head->hash, source_->Head().hash);
  EXPECT_EQ(head->recorded_at_us, source_->Head().recorded_at_us);
  EXPECT_EQ(replica_->Head().hash, source_->Head().hash);
  // The global chain and both indexes verify on the replica.
  absl::StatusOr<VerifyReport> chain = replica_->Verify(1, 6);
  ASSERT_TRUE(chain.ok()) << chain.status();
  EXPECT_TRUE(chain->ok) << chain->problem;
  absl::StatusOr<VerifyReport> indexes = replica_->VerifyIndexes(1, 6);
  ASSERT_TRUE(indexes.ok()) << indexes.status();
  EXPECT_TRUE(indexes->ok) << indexes->problem;
  // Each stream chain ends on the source's hash, its versions in the same places.
  for (const std::string stream : {"a", "b", "c"}) {
    absl::StatusOr<VerifyReport> here = replica_->VerifyStream(stream);
    absl::StatusOr<VerifyReport> there = source_->VerifyStream(stream);
    ASSERT_TRUE(here.ok() && there.ok()) << stream;
    EXPECT_TRUE(here->ok) << here->problem;
    EXPECT_EQ(here->events_checked, there->events_checked) << stream;
    EXPECT_EQ(here->last_hash, there->last_hash) << stream;
  }
  absl::StatusOr<RecordedEvent> found = replica_->FindByEventId("e-5");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->position(), 5u);
  EXPECT_EQ(found->stream_version(), 3u);
  EXPECT_EQ(*replica_->StreamVersion("b"), 2u);
}

TEST_F(ReplicaTest, ReopenedReplicaContinuesFromItsHead) {
  FillSource();
  ASSERT_TRUE(replica_->AppendReplicated(SourceRecords(1, 4)).ok());
  replica_.reset();
  replica_ = OpenAt(replica_dir_.path(), /*replica=*/true);
  ASSERT_NE(replica_, nullptr);
  EXPECT_EQ(replica_->Head().position, 4u);
  ASSERT_TRUE(replica_->AppendReplicated(SourceRecords(5, 6)).ok());
  EXPECT_TRUE(SameRecords(ReplicaRecords(), SourceRecords(1, 6)));
}

TEST_F(ReplicaTest, RefusesAGapAndStoresNothing) {
  FillSource();
  absl::StatusOr<LogHead> head = replica_->AppendReplicated(SourceRecords(2, 4));
  EXPECT_EQ(head.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(head.status()), HasSubstr("position 2"));
  EXPECT_THAT(Message(head.status()), HasSubstr("expects position 1"));
  EXPECT_EQ(replica_->Head().position, 0u);
  EXPECT_TRUE(ReplicaRecords().empty());
}

TEST_F(ReplicaTest, RefusesAWrongPositionInsideABatchAndStoresNothingOfIt) {
  FillSource();
  ASSERT_TRUE(replica_->AppendReplicated(SourceRecords(1, 2)).ok());
  std::vector<StoredRecord> records = SourceRecords(3, 5);
  records.erase(records.begin() + 1);  // 3, 5
  absl::StatusOr<LogHead> head = replica_->AppendReplicated(records);
  EXPECT_EQ(head.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(head.status()), HasSubstr("position 5"));
  // A record already stored, sent again, is out of position too.
  EXPECT_EQ(replica_->AppendReplicated(SourceRecords(2, 3)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(SameRecords(ReplicaRecords(), SourceRecords(1, 2)));
}

TEST_F(ReplicaTest, RefusesATamperedPayloadAndStoresNothingOfTheBatch) {
  FillSource();
  std::vector<StoredRecord> records = SourceRecords(1, 4);
  records[2] = Forge(
      records[2],
      [](v1::StoredEvent&, v1::EventBody& body) {
        body.mutable_data()->set_payload("payload, but other");
      },
      /*rehash=*/false);
  absl::StatusOr<LogHead> head = replica_->AppendReplicated(records);
  EXPECT_EQ(head.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Message(head.status()), HasSubstr("position 3 does not chain"));
  EXPECT_THAT(Message(head.status()), HasSubstr("does not match the hash of the stored bytes"));
  EXPECT_EQ(replica_->Head().position, 0u);
  EXPECT_TRUE(ReplicaRecords().empty());
  EXPECT_TRUE(absl::IsNotFound(replica_->FindByEventId("e-1").status()));
  EXPECT_EQ(*replica_->StreamVersion("a"), 0u);
}

TEST_F(ReplicaTest, RefusesAWrongPreviousHashOnTheGlobalChain) {
  FillSource();
  ASSERT_TRUE(replica_->AppendReplicated(SourceRecords(1, 2)).ok());
  // Its own hash is consistent (recomputed), but it does not follow position 2.
  const StoredRecord forged = Forge(
      SourceRecords(3, 3)[0],
      [](v1::StoredEvent& stored, v1::EventBody&) { stored.set_prev_hash(std::string(32, 'x')); },
      /*rehash=*/true);
  absl::StatusOr<LogHead> head = replica_->AppendReplicated({forged});
  EXPECT_EQ(head.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Message(head.status()), HasSubstr("position 3 does not chain: prev_hash"));
  EXPECT_EQ(replica_->Head().position, 2u);
}

TEST_F(ReplicaTest, RefusesAWrongPreviousHashOnTheStreamChain) {
  FillSource();
  ASSERT_TRUE(replica_->AppendReplicated(SourceRecords(1, 4)).ok());
  // Version 3 of "a" whose stream link names not version 2 of "a": the global link holds.
  const StoredRecord forged = Forge(
      SourceRecords(5, 5)[0],
      [](v1::StoredEvent& stored, v1::EventBody&) { stored.set_prev_stream_hash(GenesisHash()); },
      /*rehash=*/true);
  absl::StatusOr<LogHead> head = replica_->AppendReplicated({forged});
  EXPECT_EQ(head.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Message(head.status()), HasSubstr("position 5 does not chain: prev_stream_hash"));
  // A stream version skipped is refused too.
  const StoredRecord skipped = Forge(
      SourceRecords(5, 5)[0],
      [](v1::StoredEvent&, v1::EventBody& body) { body.set_stream_version(4); },
      /*rehash=*/true);
  head = replica_->AppendReplicated({skipped});
  EXPECT_EQ(head.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Message(head.status()), HasSubstr("version 4 of stream 'a'"));
  EXPECT_EQ(replica_->Head().position, 4u);
}

TEST_F(ReplicaTest, RefusesAForkOfAnotherLog) {
  FillSource();
  ASSERT_TRUE(replica_->AppendReplicated(SourceRecords(1, 3)).ok());
  // Another log of four events, whose fourth is well formed but continues its own chain.
  ScopedTempDir other_dir;
  std::unique_ptr<EventStore> other = OpenAt(other_dir.path(), /*replica=*/false);
  ASSERT_TRUE(
      other->Append("z", ExpectedVersion::Any(), Events({"z-1", "z-2", "z-3", "z-4"})).ok());
  absl::StatusOr<std::vector<StoredRecord>> fork = other->ReadStored(4, 1, kAllBytes);
  ASSERT_TRUE(fork.ok());
  absl::StatusOr<LogHead> head = replica_->AppendReplicated(*fork);
  EXPECT_EQ(head.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Message(head.status()), HasSubstr("position 4 does not chain"));
  EXPECT_EQ(replica_->Head().position, 3u);
}

TEST_F(ReplicaTest, RefusesBytesOutsideTheHashAndAnEventIdAlreadyRecorded) {
  FillSource();
  ASSERT_TRUE(replica_->AppendReplicated(SourceRecords(1, 1)).ok());
  StoredRecord padded = SourceRecords(2, 2)[0];
  padded.value += std::string("\x28\x01", 2);  // field 5, varint 1: unknown, outside the hash
  absl::StatusOr<LogHead> head = replica_->AppendReplicated({padded});
  EXPECT_EQ(head.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Message(head.status()), HasSubstr("canonical"));
  const StoredRecord reused = Forge(
      SourceRecords(2, 2)[0],
      [](v1::StoredEvent&, v1::EventBody& body) { body.mutable_data()->set_event_id("e-1"); },
      /*rehash=*/true);
  head = replica_->AppendReplicated({reused});
  EXPECT_EQ(head.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Message(head.status()), HasSubstr("event id 'e-1' is already recorded"));
  EXPECT_EQ(replica_->Head().position, 1u);
}

TEST_F(ReplicaTest, AReplicaTakesNoAppendAndAWritableStoreNoReplicatedRecord) {
  FillSource();
  absl::StatusOr<AppendResult> appended =
      replica_->Append("a", ExpectedVersion::Any(), Events({"local-1"}));
  EXPECT_EQ(appended.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(appended.status()), HasSubstr("replica"));
  ScopedTempDir other_dir;
  std::unique_ptr<EventStore> writable = OpenAt(other_dir.path(), /*replica=*/false);
  EXPECT_EQ(writable->AppendReplicated(SourceRecords(1, 1)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(writable->Head().position, 0u);
  EXPECT_EQ(replica_->AppendReplicated({}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ReplicaTest, AWaiterOnTheHeadSeesReplicatedRecords) {
  FillSource();
  uint64_t woken_at = 0;
  std::thread waiter([&] { woken_at = replica_->WaitForHead(0, absl::Now() + absl::Seconds(30)); });
  ASSERT_TRUE(replica_->AppendReplicated(SourceRecords(1, 3)).ok());
  waiter.join();
  EXPECT_EQ(woken_at, 3u);
  absl::StatusOr<std::vector<RecordedEvent>> read = replica_->ReadAll(1, 10);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), 3u);
  EXPECT_EQ((*read)[2].event_id(), "e-3");
}

TEST_F(ReplicaTest, ReadStoredPagesByCountAndBytes) {
  FillSource();
  const std::vector<StoredRecord> all = SourceRecords(1, 6);
  ASSERT_EQ(all.size(), 6u);
  absl::StatusOr<std::vector<StoredRecord>> two = source_->ReadStored(3, 2, kAllBytes);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].position, 3u);
  // A byte bound below one record still gives one; one record and a byte more gives one.
  EXPECT_EQ(source_->ReadStored(1, 6, 1)->size(), 1u);
  EXPECT_EQ(source_->ReadStored(1, 6, all[0].value.size() + 1)->size(), 1u);
  EXPECT_TRUE(source_->ReadStored(7, 6, kAllBytes)->empty());
  EXPECT_EQ(source_->ReadStored(1, 0, kAllBytes).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace clas::ledger
