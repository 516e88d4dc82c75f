// Appends (EventStore::Append): what the ledger assigns, optimistic concurrency for each
// ExpectedVersion, and that a refused append writes nothing.
#include <string>
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
using ::testing::HasSubstr;

class AppendTest : public testing::StoreTest {};

TEST_F(AppendTest, AssignsPositionsVersionsInstantsAndHashes) {
  Options options = MakeOptions();
  options.clock_us = [] { return int64_t{1'700'000'000'000'000}; };
  EventStore& store = OpenStore(options);

  absl::StatusOr<AppendResult> first = store.Append("a", ExpectedVersion::NoStream(),
                                                    Events({"a-1", "a-2"}));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->first_position, 1u);
  EXPECT_EQ(first->last_position, 2u);
  EXPECT_EQ(first->first_version, 1u);
  EXPECT_EQ(first->last_version, 2u);
  EXPECT_EQ(first->recorded_at_us, 1'700'000'000'000'000);
  EXPECT_FALSE(first->duplicate);

  absl::StatusOr<AppendResult> other = store.Append("b", ExpectedVersion::Any(), Events({"b-1"}));
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(other->first_position, 3u);
  EXPECT_EQ(other->first_version, 1u);
  // The clock stood still: the ledger still makes instants strictly increase with position.
  EXPECT_EQ(other->recorded_at_us, 1'700'000'000'000'002);

  const absl::StatusOr<RecordedEvent> a2 = store.Read(2);
  const absl::StatusOr<RecordedEvent> b1 = store.Read(3);
  ASSERT_TRUE(a2.ok() && b1.ok());
  EXPECT_EQ(a2->hash, first->last_hash);
  EXPECT_EQ(b1->prev_hash, a2->hash);             // the global link
  EXPECT_EQ(b1->prev_stream_hash, GenesisHash());  // first event of stream b
  EXPECT_EQ(b1->hash, other->last_hash);
  const LogHead head = store.Head();
  EXPECT_EQ(head.position, 3u);
  EXPECT_EQ(head.hash, other->last_hash);
  EXPECT_EQ(head.recorded_at_us, 1'700'000'000'000'002);
}

TEST_F(AppendTest, InstantsIncreaseEvenWhenTheClockGoesBack) {
  Options options = MakeOptions();
  auto now_us = std::make_shared<int64_t>(5'000);
  options.clock_us = [now_us] { return (*now_us)--; };
  EventStore& store = OpenStore(options);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store.Append("s", ExpectedVersion::Any(), Events({"e" + std::to_string(i)})).ok());
  }
  absl::StatusOr<std::vector<RecordedEvent>> events = store.ReadAll(1, 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 5u);
  for (size_t i = 1; i < events->size(); ++i) {
    EXPECT_GT((*events)[i].recorded_at_us(), (*events)[i - 1].recorded_at_us());
  }
}

// A call's events take consecutive positions and versions, and instants one microsecond apart
// from the first, whatever the clock says meanwhile (what a writer that cannot read its events
// back after the append rebuilds them from: server/store_event_log.cc).
TEST_F(AppendTest, ACallsEventsTakeConsecutivePositionsVersionsAndInstants) {
  Options options = MakeOptions();
  auto now_us = std::make_shared<int64_t>(9'000);
  options.clock_us = [now_us] { return (*now_us) += 1000; };
  EventStore& store = OpenStore(options);
  ASSERT_TRUE(store.Append("s", ExpectedVersion::Any(), Events({"x-1"})).ok());
  absl::StatusOr<AppendResult> call =
      store.Append("s", ExpectedVersion::Any(), Events({"x-2", "x-3", "x-4"}));
  ASSERT_TRUE(call.ok()) << call.status();
  absl::StatusOr<std::vector<RecordedEvent>> events = store.ReadAll(call->first_position, 3);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*events)[i].position(), call->first_position + i);
    EXPECT_EQ((*events)[i].stream_version(), call->first_version + i);
    EXPECT_EQ((*events)[i].recorded_at_us(), call->recorded_at_us + static_cast<int64_t>(i));
  }
}

TEST_F(AppendTest, KeepsTheWritersData) {
  EventStore& store = OpenStore();
  const v1::EventData data = Event("e-1", std::string("\0\xff payload", 10), "acompte_paid");
  ASSERT_TRUE(store.Append("s", ExpectedVersion::Any(), {data}).ok());
  const absl::StatusOr<RecordedEvent> event = store.FindByEventId("e-1");
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->data().SerializeAsString(), data.SerializeAsString());
  EXPECT_EQ(event->stream_id(), "s");
  EXPECT_EQ(event->event_type(), "acompte_paid");
}

// One row per expectation: the stream's state, the expectation, whether it is admitted.
struct ConflictCase {
  const char* name;
  uint64_t current_version;  // events already in the stream
  ExpectedVersion expected;
  bool admitted;
};

TEST_F(AppendTest, ExpectedVersionDecidesAndAConflictWritesNothing) {
  const ConflictCase cases[] = {
      {"any on a new stream", 0, ExpectedVersion::Any(), true},
      {"any on a stream at 2", 2, ExpectedVersion::Any(), true},
      {"no stream on a new stream", 0, ExpectedVersion::NoStream(), true},
      {"no stream on a stream at 2", 2, ExpectedVersion::NoStream(), false},
      {"exactly 0 on a new stream", 0, ExpectedVersion::Exactly(0), true},
      {"exactly 2 on a stream at 2", 2, ExpectedVersion::Exactly(2), true},
      {"exactly 1 on a stream at 2", 2, ExpectedVersion::Exactly(1), false},
      {"exactly 3 on a stream at 2", 2, ExpectedVersion::Exactly(3), false},
      {"exactly 1 on a new stream", 0, ExpectedVersion::Exactly(1), false},
  };
  EventStore& store = OpenStore();
  int stream = 0;
  for (const ConflictCase& c : cases) {
    const std::string stream_id = "stream-" + std::to_string(stream++);
    for (uint64_t v = 1; v <= c.current_version; ++v) {
      ASSERT_TRUE(store.Append(stream_id, ExpectedVersion::Any(),
                               Events({stream_id + "-" + std::to_string(v)})).ok());
    }
    const LogHead before = store.Head();
    const absl::StatusOr<AppendResult> result =
        store.Append(stream_id, c.expected, Events({stream_id + "-new"}));
    EXPECT_EQ(result.ok(), c.admitted) << c.name << ": " << result.status();
    if (c.admitted) continue;
    EXPECT_EQ(result.status().code(), absl::StatusCode::kAborted) << c.name;
    EXPECT_THAT(Message(result.status()),
                HasSubstr("stream '" + stream_id + "': expected " + c.expected.ToString() +
                          ", but the current version is " +
                          std::to_string(c.current_version)))
        << c.name;
    EXPECT_EQ(CurrentVersionOf(result.status()), c.current_version) << c.name;
    EXPECT_EQ(store.Head().position, before.position) << c.name;
    EXPECT_EQ(store.StreamVersion(stream_id).value(), c.current_version) << c.name;
    EXPECT_TRUE(absl::IsNotFound(store.FindByEventId(stream_id + "-new").status())) << c.name;
  }
}

TEST_F(AppendTest, CurrentVersionOfIgnoresOtherStatuses) {
  EXPECT_EQ(CurrentVersionOf(absl::OkStatus()), std::nullopt);
  EXPECT_EQ(CurrentVersionOf(absl::AbortedError("no payload")), std::nullopt);
  EXPECT_EQ(CurrentVersionOf(VersionConflictError("s", ExpectedVersion::NoStream(), 9)), 9u);
}

TEST_F(AppendTest, ReadOnlyStoreRefusesAppends) {
  OpenStore();
  ASSERT_TRUE(store_->Append("s", ExpectedVersion::Any(), Events({"e-1"})).ok());
  CloseStore();
  Options options = MakeOptions();
  options.read_only = true;
  EventStore& store = OpenStore(options);
  const absl::StatusOr<AppendResult> result =
      store.Append("s", ExpectedVersion::Any(), Events({"e-2"}));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store.Head().position, 1u);
  EXPECT_EQ(store.Read(1)->event_id(), "e-1");
}

TEST_F(AppendTest, OpenRefusesBadOptions) {
  Options options = MakeOptions();
  options.path.clear();
  EXPECT_THAT(Message(EventStore::Open(options).status()), HasSubstr("path"));
  options = MakeOptions();
  options.limits.events_per_append_max = kEventsPerAppendMax + 1;
  EXPECT_THAT(Message(EventStore::Open(options).status()),
              HasSubstr("limits.events_per_append_max"));
}

}  // namespace
}  // namespace clas::ledger
