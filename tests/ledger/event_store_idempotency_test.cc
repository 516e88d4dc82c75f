// Idempotency on event ids: a retry of a recorded call gets the original answer and writes
// nothing; reusing an id for other content, or mixing recorded and new ids, is refused.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/event_store.h"
#include "tests/ledger/test_store.h"

namespace clas::ledger {
namespace {

using ::clas::ledger::testing::Event;
using ::clas::ledger::testing::Events;
using ::clas::ledger::testing::Message;
using ::testing::HasSubstr;

class IdempotencyTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    EventStore& store = OpenStore();
    ASSERT_TRUE(store.Append("other", ExpectedVersion::Any(), Events({"o-1"})).ok());
    absl::StatusOr<AppendResult> original =
        store.Append("s", ExpectedVersion::NoStream(), Events({"x", "y"}));
    ASSERT_TRUE(original.ok()) << original.status();
    original_ = *original;
    ASSERT_TRUE(store.Append("s", ExpectedVersion::Exactly(2), Events({"z"})).ok());
    head_before_ = store.Head();
  }

  // Nothing was written since SetUp.
  void ExpectNothingWritten() {
    EXPECT_EQ(store_->Head().position, head_before_.position);
    EXPECT_EQ(store_->Head().hash, head_before_.hash);
    EXPECT_EQ(store_->StreamVersion("s").value(), 3u);
  }

  AppendResult original_;
  LogHead head_before_;
};

TEST_F(IdempotencyTest, RetryGetsTheOriginalAnswer) {
  // The retry's expected version is stale (the stream is at 3 now): it is still a retry.
  const absl::StatusOr<AppendResult> retry =
      store_->Append("s", ExpectedVersion::NoStream(), Events({"x", "y"}));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->first_position, original_.first_position);
  EXPECT_EQ(retry->last_position, original_.last_position);
  EXPECT_EQ(retry->first_version, 1u);
  EXPECT_EQ(retry->last_version, 2u);
  EXPECT_EQ(retry->recorded_at_us, original_.recorded_at_us);
  EXPECT_EQ(retry->last_hash, original_.last_hash);
  ExpectNothingWritten();
  EXPECT_EQ(store_->Stats().appends_duplicate, 1u);
}

TEST_F(IdempotencyTest, RetryOfPartOfACallGetsThoseEvents) {
  const absl::StatusOr<AppendResult> retry =
      store_->Append("s", ExpectedVersion::Any(), Events({"y"}));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->first_position, original_.last_position);
  EXPECT_EQ(retry->first_version, 2u);
  ExpectNothingWritten();
}

TEST_F(IdempotencyTest, SameIdWithOtherPayloadIsRefused) {
  const absl::StatusOr<AppendResult> result =
      store_->Append("s", ExpectedVersion::Any(), {Event("x"), Event("y", "changed")});
  EXPECT_EQ(result.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(Message(result.status()),
              HasSubstr("event id 'y' was already recorded at position 3 with other content"));
  ExpectNothingWritten();
}

TEST_F(IdempotencyTest, SameIdInAnotherStreamIsRefused) {
  const absl::StatusOr<AppendResult> result =
      store_->Append("elsewhere", ExpectedVersion::Any(), Events({"x", "y"}));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(Message(result.status()), HasSubstr("event id 'x' was already recorded at position 2"));
  ExpectNothingWritten();
  EXPECT_EQ(store_->StreamVersion("elsewhere").value(), 0u);
}

TEST_F(IdempotencyTest, MixingRecordedAndNewIdsIsRefused) {
  const absl::StatusOr<AppendResult> result =
      store_->Append("s", ExpectedVersion::Any(), Events({"new-1", "x"}));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(Message(result.status()),
              HasSubstr("event id 'x' was already recorded at position 2 but event id 'new-1' "
                        "is new"));
  ExpectNothingWritten();
  EXPECT_EQ(store_->FindByEventId("new-1").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(IdempotencyTest, RetryAfterReopenGetsTheOriginalAnswer) {
  CloseStore();
  OpenStore();
  const absl::StatusOr<AppendResult> retry =
      store_->Append("s", ExpectedVersion::NoStream(), Events({"x", "y"}));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->last_hash, original_.last_hash);
  ExpectNothingWritten();
}

}  // namespace
}  // namespace clas::ledger
