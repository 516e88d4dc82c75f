// StreamCache: a read answers the whole stream as the log holds it now, asking the log only for
// the events appended since the last read (nothing when the log's head has not moved); the
// oldest streams are dropped past the limit.
#include "projections/engine/stream_cache.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace clas {
namespace {

// An in-memory log that counts what its readers ask for.
class CountingLog : public InMemoryEventLog {
 public:
  absl::StatusOr<std::vector<DomainEvent>> ReadStream(const std::string& stream) override {
    ++full_reads;
    return InMemoryEventLog::ReadStream(stream);
  }
  absl::StatusOr<std::vector<DomainEvent>> ReadStreamFrom(const std::string& stream,
                                                          uint64_t from_version) override {
    from_versions.push_back(from_version);
    return InMemoryEventLog::ReadStreamFrom(stream, from_version);
  }
  int full_reads = 0;
  std::vector<uint64_t> from_versions;
};

ledger::v1::EventData Data(const std::string& id) {
  v1::ClasEvent fact;
  fact.set_caf_id("caf-01");
  ledger::v1::Actor actor;
  actor.set_id("agent-1");
  actor.set_role("agent");
  return ToEventData(fact, id, 20250101, "caf-01", actor, "test");
}

void AppendTo(CountingLog& log, const std::string& stream, const std::vector<std::string>& ids) {
  auto current = log.InMemoryEventLog::ReadStream(stream);
  ASSERT_TRUE(current.ok());
  std::vector<ledger::v1::EventData> data;
  for (const auto& id : ids) data.push_back(Data(id));
  ASSERT_TRUE(log.Append(stream, current->size(), std::move(data)).ok());
}

std::vector<std::string> Ids(const StreamCache::Events& events) {
  std::vector<std::string> out;
  for (const auto& e : *events) out.push_back(e.event_id);
  return out;
}

TEST(StreamCacheTest, ReadsOnlyWhatWasAppendedSince) {
  CountingLog log;
  StreamCache cache;
  AppendTo(log, "s/a", {"e1", "e2"});
  auto first = cache.Read(log, "s/a");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Ids(*first), (std::vector<std::string>{"e1", "e2"}));
  AppendTo(log, "s/a", {"e3"});
  auto second = cache.Read(log, "s/a");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(Ids(*second), (std::vector<std::string>{"e1", "e2", "e3"}));
  auto third = cache.Read(log, "s/a");
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(Ids(*third), (std::vector<std::string>{"e1", "e2", "e3"}));
  // The first read from version 1, then from the version after the last one kept; the third
  // not at all: nothing was appended to the log since the second.
  EXPECT_EQ(log.from_versions, (std::vector<uint64_t>{1, 3}));
  AppendTo(log, "s/other", {"o1"});  // the log moved: the stream is asked for what is new
  auto fourth = cache.Read(log, "s/a");
  ASSERT_TRUE(fourth.ok());
  EXPECT_EQ(Ids(*fourth), (std::vector<std::string>{"e1", "e2", "e3"}));
  EXPECT_EQ(log.from_versions, (std::vector<uint64_t>{1, 3, 4}));
  EXPECT_EQ(log.full_reads, 0);
  // The earlier answer is not changed by the later append.
  EXPECT_EQ((*first)->size(), 2u);
}

TEST(StreamCacheTest, AnUnknownStreamIsEmptyAndNotKept) {
  CountingLog log;
  StreamCache cache;
  auto none = cache.Read(log, "s/none");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE((*none)->empty());
  AppendTo(log, "s/none", {"x1"});
  auto one = cache.Read(log, "s/none");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(Ids(*one), (std::vector<std::string>{"x1"}));
}

TEST(StreamCacheTest, PastTheLimitTheOldestStreamsAreReadAgain) {
  CountingLog log;
  StreamCache cache;
  // Two streams of more than half the limit each: keeping the second drops the first.
  const size_t half = kCachedStreamEventsMax / 2 + 1;
  for (const std::string stream : {"s/one", "s/two"}) {
    std::vector<std::string> ids;
    for (size_t i = 0; i < half; ++i) ids.push_back(absl::StrCat(stream, "-", i));
    AppendTo(log, stream, ids);
  }
  ASSERT_TRUE(cache.Read(log, "s/one").ok());
  ASSERT_TRUE(cache.Read(log, "s/two").ok());
  log.from_versions.clear();
  auto again = cache.Read(log, "s/one");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->size(), half);
  EXPECT_EQ(log.from_versions, (std::vector<uint64_t>{1}));  // dropped: read from the start
  auto two = cache.Read(log, "s/two");
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(log.from_versions, (std::vector<uint64_t>{1, 1}));  // dropped in turn
}

}  // namespace
}  // namespace clas
