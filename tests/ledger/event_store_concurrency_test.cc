// Many threads appending into one store: positions stay gap-free, each stream's versions stay
// gap-free, optimistic concurrency resolves contention, and the chain verifies.
#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "ledger/event_store.h"
#include "tests/ledger/test_store.h"

namespace clas::ledger {
namespace {

using ::clas::ledger::testing::Event;

constexpr int kThreads = 8;
constexpr int kAppendsPerThread = 100;
constexpr int kEventsPerAppend = 2;
constexpr int kConflictRetriesMax = 10'000;  // a bound on the retry loop, never reached

class ConcurrencyTest : public testing::StoreTest {};

// Each thread appends to its own stream (Any) and to one shared stream (Exactly, retried on
// conflict with the version the conflict reports).
void AppendFromThread(EventStore& store, int thread, absl::Mutex& mu,
                      std::vector<AppendResult>& results) {
  for (int i = 0; i < kAppendsPerThread; ++i) {
    const std::string id = absl::StrCat("t", thread, "-", i);
    const bool shared = i % 4 == 0;
    std::vector<v1::EventData> events;
    for (int e = 0; e < kEventsPerAppend; ++e) events.push_back(Event(absl::StrCat(id, "-", e)));
    absl::StatusOr<AppendResult> result;
    if (shared) {
      uint64_t expected = 0;
      for (int attempt = 0; attempt < kConflictRetriesMax; ++attempt) {
        result = store.Append("shared", ExpectedVersion::Exactly(expected), events);
        if (result.ok() || !absl::IsAborted(result.status())) break;
        expected = CurrentVersionOf(result.status()).value();
      }
    } else {
      result = store.Append(absl::StrCat("own-", thread), ExpectedVersion::Any(), events);
    }
    ASSERT_TRUE(result.ok()) << result.status();
    absl::MutexLock lock(&mu);
    results.push_back(*result);
  }
}

TEST_F(ConcurrencyTest, EightThreadsKeepOrderGapFreeAndTheChainValid) {
  EventStore& store = OpenStore();
  absl::Mutex mu;
  std::vector<AppendResult> results;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] { AppendFromThread(store, t, mu, results); });
  }
  for (std::thread& thread : threads) thread.join();

  constexpr uint64_t kEvents = uint64_t{kThreads} * kAppendsPerThread * kEventsPerAppend;
  ASSERT_EQ(results.size(), size_t{kThreads} * kAppendsPerThread);
  // Every position 1..kEvents was handed out exactly once, each call's events contiguous.
  std::set<uint64_t> positions;
  for (const AppendResult& result : results) {
    EXPECT_EQ(result.last_position - result.first_position + 1, uint64_t{kEventsPerAppend});
    for (uint64_t p = result.first_position; p <= result.last_position; ++p) {
      EXPECT_TRUE(positions.insert(p).second) << "position " << p << " handed out twice";
    }
  }
  EXPECT_EQ(positions.size(), kEvents);
  EXPECT_EQ(*positions.begin(), 1u);
  EXPECT_EQ(*positions.rbegin(), kEvents);
  EXPECT_EQ(store.Head().position, kEvents);

  // The log reads back gap-free, with instants strictly increasing.
  const absl::StatusOr<std::vector<RecordedEvent>> all = store.ReadAll(1, kReadEventsMax);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), kEvents);
  for (size_t i = 0; i < all->size(); ++i) {
    EXPECT_EQ((*all)[i].position(), i + 1);
    if (i > 0) {
      EXPECT_GT((*all)[i].recorded_at_us(), (*all)[i - 1].recorded_at_us());
    }
  }

  // Each stream's versions are 1..n and each stream verifies alone.
  const std::vector<std::string> streams = store.ListStreams("").value();
  EXPECT_EQ(streams.size(), size_t{kThreads} + 1);
  uint64_t events_in_streams = 0;
  for (const std::string& stream : streams) {
    const std::vector<RecordedEvent> events =
        store.ReadStream(stream, 1, Direction::kForward, kReadEventsMax).value();
    for (size_t v = 0; v < events.size(); ++v) EXPECT_EQ(events[v].stream_version(), v + 1);
    events_in_streams += events.size();
    const absl::StatusOr<VerifyReport> report = store.VerifyStream(stream);
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->ok) << stream << ": " << report->problem;
  }
  EXPECT_EQ(events_in_streams, kEvents);

  const absl::StatusOr<VerifyReport> report = store.Verify(1, kEvents);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok) << report->first_bad_position << ": " << report->problem;
  EXPECT_EQ(report->events_checked, kEvents);
  EXPECT_EQ(report->last_hash, store.Head().hash);

  // The writer's counters balance; conflicts on the shared stream were rejected, not written.
  const StoreStats stats = store.Stats();
  EXPECT_EQ(stats.appends_written, uint64_t{kThreads} * kAppendsPerThread);
  EXPECT_EQ(stats.appends_requested, stats.appends_written + stats.appends_duplicate +
                                         stats.appends_rejected + stats.appends_failed);
  EXPECT_EQ(stats.appends_failed, 0u);
  EXPECT_EQ(stats.events_written, kEvents);
  EXPECT_GE(stats.batches_written, 1u);
  EXPECT_LE(stats.batches_written, stats.appends_written);
  EXPECT_LE(stats.group_size_max, kGroupCommitRequestsMax);
}

}  // namespace
}  // namespace clas::ledger
