// Reads (EventStore::ReadStream, ReadAll, Read, FindByEventId, StreamVersion, ListStreams) on a
// small log, rendered as text: "position:stream@version".
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/event_store.h"
#include "tests/ledger/test_store.h"

namespace clas::ledger {
namespace {

using ::clas::ledger::testing::Events;
using ::clas::ledger::testing::Message;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Render(const absl::StatusOr<std::vector<RecordedEvent>>& events) {
  if (!events.ok()) return events.status().ToString();
  std::vector<std::string> parts;
  for (const RecordedEvent& event : *events) {
    parts.push_back(absl::StrCat(event.position(), ":", event.stream_id(), "@",
                                 event.stream_version()));
  }
  return absl::StrJoin(parts, " ");
}

class ReadTest : public testing::StoreTest {
 protected:
  // Positions: 1:a@1 2:b@1 3:a@2 4:a@3 5:b@2 6:a b@1 7:a@4 8:c/x@1 9:a@5
  void SetUp() override {
    EventStore& store = OpenStore();
    const std::pair<const char*, const char*> appends[] = {
        {"a", "a-1"}, {"b", "b-1"}, {"a", "a-2"},   {"a", "a-3"}, {"b", "b-2"},
        {"a b", "ab-1"}, {"a", "a-4"}, {"c/x", "cx-1"}, {"a", "a-5"}};
    for (const auto& [stream, id] : appends) {
      ASSERT_TRUE(store.Append(stream, ExpectedVersion::Any(), Events({id})).ok());
    }
  }
};

TEST_F(ReadTest, ReadStreamForward) {
  EXPECT_EQ(Render(store_->ReadStream("a", 0, Direction::kForward, 10)),
            "1:a@1 3:a@2 4:a@3 7:a@4 9:a@5");
  EXPECT_EQ(Render(store_->ReadStream("a", 1, Direction::kForward, 2)), "1:a@1 3:a@2");
  EXPECT_EQ(Render(store_->ReadStream("a", 3, Direction::kForward, 2)), "4:a@3 7:a@4");
  EXPECT_EQ(Render(store_->ReadStream("a", 6, Direction::kForward, 10)), "");
  EXPECT_EQ(Render(store_->ReadStream("a b", 1, Direction::kForward, 10)), "6:a b@1");
}

TEST_F(ReadTest, ReadStreamBackward) {
  EXPECT_EQ(Render(store_->ReadStream("a", kStreamEnd, Direction::kBackward, 2)), "9:a@5 7:a@4");
  EXPECT_EQ(Render(store_->ReadStream("a", 3, Direction::kBackward, 10)), "4:a@3 3:a@2 1:a@1");
  EXPECT_EQ(Render(store_->ReadStream("a", 99, Direction::kBackward, 1)), "9:a@5");
  EXPECT_EQ(Render(store_->ReadStream("a", 0, Direction::kBackward, 10)), "");
  EXPECT_EQ(Render(store_->ReadStream("b", kStreamEnd, Direction::kBackward, 10)), "5:b@2 2:b@1");
}

// "stream:position,position... | ..." and whether the page is the last.
std::string Render(const absl::StatusOr<StreamsPage>& page) {
  if (!page.ok()) return page.status().ToString();
  std::vector<std::string> parts;
  for (const StreamEvents& stream : page->streams) {
    std::vector<std::string> positions;
    for (const RecordedEvent& event : stream.events) {
      EXPECT_EQ(event.stream_id(), stream.stream_id);
      EXPECT_EQ(event.stream_version(), positions.size() + 1);  // every version, in order
      positions.push_back(absl::StrCat(event.position()));
    }
    parts.push_back(absl::StrCat(stream.stream_id, ":", absl::StrJoin(positions, ",")));
  }
  return absl::StrCat(absl::StrJoin(parts, " | "), page->last ? " (last)" : " (more)");
}

TEST_F(ReadTest, ReadStreamsUnderReadsWholeStreamsInIdOrder) {
  EXPECT_EQ(Render(store_->ReadStreamsUnder("", "", 100)),
            "a:1,3,4,7,9 | a b:6 | b:2,5 | c/x:8 (last)");
  EXPECT_EQ(Render(store_->ReadStreamsUnder("a", "", 100)), "a:1,3,4,7,9 | a b:6 (last)");
  EXPECT_EQ(Render(store_->ReadStreamsUnder("c/", "", 100)), "c/x:8 (last)");
  EXPECT_EQ(Render(store_->ReadStreamsUnder("d", "", 100)), " (last)");
}

TEST_F(ReadTest, ReadStreamsUnderPagesByWholeStreams) {
  // a (5 events) and "a b" (1) fill 6; b would not fit: the page ends before it.
  EXPECT_EQ(Render(store_->ReadStreamsUnder("", "", 6)), "a:1,3,4,7,9 | a b:6 (more)");
  EXPECT_EQ(Render(store_->ReadStreamsUnder("", "", 7)), "a:1,3,4,7,9 | a b:6 (more)");
  EXPECT_EQ(Render(store_->ReadStreamsUnder("", "a b", 6)), "b:2,5 | c/x:8 (last)");
  EXPECT_EQ(Render(store_->ReadStreamsUnder("", "b", 1)), "c/x:8 (last)");
  EXPECT_EQ(Render(store_->ReadStreamsUnder("a", "a", 1)), "a b:6 (last)");
  EXPECT_EQ(Render(store_->ReadStreamsUnder("a", "zz", 10)), " (last)");
}

TEST_F(ReadTest, ReadStreamsUnderRefusesAStreamLongerThanAPageAndBadArguments) {
  const absl::StatusOr<StreamsPage> too_long = store_->ReadStreamsUnder("", "", 4);
  EXPECT_TRUE(absl::IsResourceExhausted(too_long.status())) << too_long.status();
  EXPECT_THAT(Message(too_long.status()), HasSubstr("stream 'a'"));
  EXPECT_THAT(Message(store_->ReadStreamsUnder("", "", 0).status()), HasSubstr("max_events"));
  EXPECT_THAT(Message(store_->ReadStreamsUnder("", "", kReadStreamsEventsMax + 1).status()),
              HasSubstr("max_events"));
  EXPECT_THAT(Message(store_->ReadStreamsUnder("a\x01", "", 10).status()), HasSubstr("prefix"));
  EXPECT_THAT(Message(store_->ReadStreamsUnder("", "b\n", 10).status()),
              HasSubstr("start_after"));
}

TEST_F(ReadTest, ReadStreamOfAnUnknownStreamIsEmpty) {
  EXPECT_EQ(Render(store_->ReadStream("zz", 0, Direction::kForward, 10)), "");
  EXPECT_EQ(Render(store_->ReadStream("zz", kStreamEnd, Direction::kBackward, 10)), "");
}

TEST_F(ReadTest, ReadStreamRefusesBadArguments) {
  EXPECT_THAT(Message(store_->ReadStream("a", 0, Direction::kForward, 0).status()),
              HasSubstr("max_count"));
  EXPECT_THAT(Message(store_->ReadStream("a", 0, Direction::kForward, kReadEventsMax + 1).status()),
              HasSubstr("max_count"));
  EXPECT_THAT(Message(store_->ReadStream("", 0, Direction::kForward, 1).status()),
              HasSubstr("stream_id"));
}

TEST_F(ReadTest, ReadAllForward) {
  EXPECT_EQ(Render(store_->ReadAll(0, 3)), "1:a@1 2:b@1 3:a@2");
  EXPECT_EQ(Render(store_->ReadAll(7, 100)), "7:a@4 8:c/x@1 9:a@5");
  EXPECT_EQ(Render(store_->ReadAll(10, 100)), "");
  EXPECT_EQ(store_->ReadAll(1, 0).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ReadTest, ReadOnePosition) {
  EXPECT_EQ(store_->Read(8)->event_id(), "cx-1");
  EXPECT_EQ(store_->Read(0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Read(10).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ReadTest, FindByEventId) {
  const absl::StatusOr<RecordedEvent> event = store_->FindByEventId("b-2");
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->position(), 5u);
  EXPECT_EQ(event->stream_version(), 2u);
  EXPECT_EQ(store_->FindByEventId("nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->FindByEventId("").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ReadTest, StreamVersion) {
  EXPECT_EQ(store_->StreamVersion("a").value(), 5u);
  EXPECT_EQ(store_->StreamVersion("a b").value(), 1u);
  EXPECT_EQ(store_->StreamVersion("unknown").value(), 0u);
  EXPECT_EQ(store_->StreamVersion("bad\n").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ReadTest, ListStreamsSortedByPrefix) {
  EXPECT_THAT(store_->ListStreams("").value(), ElementsAre("a", "a b", "b", "c/x"));
  EXPECT_THAT(store_->ListStreams("a").value(), ElementsAre("a", "a b"));
  EXPECT_THAT(store_->ListStreams("c/").value(), ElementsAre("c/x"));
  EXPECT_THAT(store_->ListStreams("z").value(), ElementsAre());
  EXPECT_THAT(store_->ListStreams("", 2).value(), ElementsAre("a", "a b"));
  EXPECT_EQ(store_->ListStreams("", 0).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ReadTest, ListStreamsPagesAfterStartAfter) {
  EXPECT_THAT(store_->ListStreams({.start_after = "a", .max_count = 2}).value(),
              ElementsAre("a b", "b"));
  EXPECT_THAT(store_->ListStreams({.start_after = "b"}).value(), ElementsAre("c/x"));
  EXPECT_THAT(store_->ListStreams({.start_after = "c/x"}).value(), ElementsAre());
  // start_after need not be a stream: "a a" sorts between "a" and "a b".
  EXPECT_THAT(store_->ListStreams({.start_after = "a a"}).value(),
              ElementsAre("a b", "b", "c/x"));
  // Before the prefix, it does not matter; after every id of the prefix, nothing is left.
  EXPECT_THAT(store_->ListStreams({.prefix = "c/", .start_after = "a"}).value(),
              ElementsAre("c/x"));
  EXPECT_THAT(store_->ListStreams({.prefix = "a", .start_after = "b"}).value(), ElementsAre());
  // Pages of one, each starting after the last entry of the page before, list every stream.
  std::vector<std::string> all;
  for (std::string after;;) {
    const std::vector<std::string> page =
        store_->ListStreams({.start_after = after, .max_count = 1}).value();
    if (page.empty()) break;
    all.push_back(page.back());
    after = page.back();
  }
  EXPECT_THAT(all, ElementsAre("a", "a b", "b", "c/x"));
}

TEST_F(ReadTest, ListStreamsRollsUpIdsSharingASegment) {
  for (const char* stream : {"c/y/1", "c/y/2", "c/y.k1/1", "c/z", "c/y/3/4", "d/"}) {
    ASSERT_TRUE(
        store_->Append(stream, ExpectedVersion::Any(), Events({absl::StrCat(stream, "-1")})).ok());
  }
  EXPECT_THAT(store_->ListStreams({.delimiter = '/'}).value(),
              ElementsAre("a", "a b", "b", "c/", "d/"));
  EXPECT_THAT(store_->ListStreams({.prefix = "c/", .delimiter = '/'}).value(),
              ElementsAre("c/x", "c/y.k1/", "c/y/", "c/z"));
  EXPECT_THAT(store_->ListStreams({.prefix = "c/y/", .delimiter = '/'}).value(),
              ElementsAre("c/y/1", "c/y/2", "c/y/3/"));
  // After a rolled-up entry, the next page starts past every id it covers.
  EXPECT_THAT(store_->ListStreams({.prefix = "c/", .start_after = "c/y/", .delimiter = '/'})
                  .value(),
              ElementsAre("c/z"));
  EXPECT_THAT(store_->ListStreams({.prefix = "c/", .start_after = "c/y.k1/", .delimiter = '/',
                                   .max_count = 1})
                  .value(),
              ElementsAre("c/y/"));
  // An id inside a rolled-up entry starts the page after it, the entry not listed again.
  EXPECT_THAT(store_->ListStreams({.prefix = "c/", .start_after = "c/y/1", .delimiter = '/'})
                  .value(),
              ElementsAre("c/z"));
  // Without a delimiter, every id is listed.
  EXPECT_THAT(store_->ListStreams({.prefix = "c/y"}).value(),
              ElementsAre("c/y.k1/1", "c/y/1", "c/y/2", "c/y/3/4"));
}

TEST_F(ReadTest, ListStreamsRefusesBadListings) {
  EXPECT_THAT(Message(store_->ListStreams({.delimiter = '\n'}).status()), HasSubstr("delimiter"));
  EXPECT_THAT(Message(store_->ListStreams({.start_after = "a\n"}).status()),
              HasSubstr("start_after"));
  EXPECT_THAT(Message(store_->ListStreams({.prefix = "a\n"}).status()), HasSubstr("prefix"));
  EXPECT_THAT(Message(store_->ListStreams({.max_count = 0}).status()), HasSubstr("max_count"));
  EXPECT_THAT(Message(store_->ListStreams({.max_count = kListStreamsMax + 1}).status()),
              HasSubstr("max_count"));
}

}  // namespace
}  // namespace clas::ledger
