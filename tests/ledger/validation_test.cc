// Input validation (ledger/validation.h): each malformed Append is refused with InvalidArgument
// naming the field, and a refused Append writes nothing.
#include "ledger/validation.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ledger/test_store.h"

namespace clas::ledger {
namespace {

using ::clas::ledger::testing::Event;
using ::clas::ledger::testing::Events;
using ::clas::ledger::testing::Message;
using ::testing::HasSubstr;
using ::testing::StartsWith;

struct Case {
  const char* name;
  std::string stream_id;
  std::vector<v1::EventData> events;
  const char* field;  // the message starts with it
};

std::vector<v1::EventData> With(void (*change)(v1::EventData&)) {
  std::vector<v1::EventData> events = Events({"e-1", "e-2"});
  change(events[1]);
  return events;
}

std::vector<Case> Cases() {
  const AppendLimits limits;
  std::vector<v1::EventData> too_many;
  for (size_t i = 0; i <= limits.events_per_append_max; ++i) {
    too_many.push_back(Event("e-" + std::to_string(i)));
  }
  return {
      {"empty stream id", "", Events({"e-1"}), "stream_id: must not be empty"},
      {"stream id too long", std::string(kStreamIdBytesMax + 1, 's'), Events({"e-1"}),
       "stream_id: 257 bytes"},
      {"stream id with a NUL", std::string("a\0b", 3), Events({"e-1"}), "stream_id: byte 1"},
      {"stream id with a newline", "a\nb", Events({"e-1"}), "stream_id: byte 1 is 0x0a"},
      {"stream id with UTF-8", "caf\xc3\xa9", Events({"e-1"}), "stream_id: byte 3 is 0xc3"},
      {"no event", "s", {}, "events: at least one"},
      {"too many events", "s", too_many, "events: 257 events"},
      {"empty event id", "s", With([](v1::EventData& e) { e.clear_event_id(); }),
       "events[1].event_id: must not be empty"},
      {"event id too long", "s",
       With([](v1::EventData& e) { e.set_event_id(std::string(kEventIdBytesMax + 1, 'i')); }),
       "events[1].event_id: 129 bytes"},
      {"empty event type", "s", With([](v1::EventData& e) { e.clear_event_type(); }),
       "events[1].event_type: must not be empty"},
      {"payload too big", "s",
       With([](v1::EventData& e) { e.set_payload(std::string(kPayloadBytesMax + 1, 'p')); }),
       "events[1].payload: 1048577 bytes"},
      {"30 February", "s", With([](v1::EventData& e) { e.set_effective_date(20260230); }),
       "events[1].effective_date: 20260230"},
      {"month 13", "s", With([](v1::EventData& e) { e.set_effective_date(20261301); }),
       "events[1].effective_date"},
      {"rule version too long", "s",
       With([](v1::EventData& e) { e.set_rule_version(std::string(kEventTextBytesMax + 1, 'r')); }),
       "events[1].rule_version"},
      {"actor id too long", "s",
       With([](v1::EventData& e) { e.mutable_actor()->set_id(std::string(300, 'a')); }),
       "events[1].actor.id"},
      {"event id repeated in the call", "s", Events({"e-1", "e-2", "e-1"}),
       "events[2].event_id: 'e-1' repeats events[0].event_id"},
  };
}

TEST(ValidationTest, EachMalformedAppendNamesItsField) {
  for (const Case& c : Cases()) {
    const absl::Status status = ValidateAppend(c.stream_id, c.events, AppendLimits());
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_THAT(Message(status), StartsWith(c.field)) << c.name;
  }
}

TEST(ValidationTest, AcceptsAWellFormedAppend) {
  std::vector<v1::EventData> events = Events({"e-1", "e-2"});
  events[0].set_effective_date(0);         // no date
  events[1].set_effective_date(20280229);  // a leap day
  events[1].clear_payload();               // an empty payload is a payload
  EXPECT_TRUE(ValidateAppend("dossier 42/acompte", events, AppendLimits()).ok());
}

TEST(ValidationTest, StoreLimitsMayBeStricter) {
  AppendLimits limits;
  limits.events_per_append_max = 2;
  limits.payload_bytes_max = 4;
  EXPECT_THAT(Message(ValidateAppend("s", Events({"a", "b", "c"}), limits)),
              HasSubstr("3 events, more than the 2 allowed"));
  EXPECT_THAT(Message(ValidateAppend("s", {Event("a", "12345")}, limits)),
              HasSubstr("5 bytes, more than the 4 allowed"));
}

TEST(ValidationTest, ReadCountIsBounded) {
  EXPECT_TRUE(ValidateReadCount(1).ok());
  EXPECT_TRUE(ValidateReadCount(kReadEventsMax).ok());
  EXPECT_THAT(Message(ValidateReadCount(0)), StartsWith("max_count"));
  EXPECT_THAT(Message(ValidateReadCount(kReadEventsMax + 1)), StartsWith("max_count"));
}

class RefusedAppendTest : public testing::StoreTest {};

TEST_F(RefusedAppendTest, WritesNothing) {
  EventStore& store = OpenStore();
  for (const Case& c : Cases()) {
    const absl::StatusOr<AppendResult> result =
        store.Append(c.stream_id, ExpectedVersion::Any(), c.events);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << c.name;
  }
  EXPECT_EQ(store.Head().position, 0u);
  EXPECT_EQ(store.Stats().appends_requested, 0u);  // refused before the writer queue
  EXPECT_TRUE(absl::IsNotFound(store.FindByEventId("e-1").status()));
  EXPECT_TRUE(store.ListStreams("")->empty());
}

}  // namespace
}  // namespace clas::ledger
