// The fencing term (EventStore::term, RaiseTerm): 0 for a new log, raised with a synced write,
// never lowered, kept across a reopen as decimal text under meta "term" without a new format
// version, read by a read-only open; a term that does not read refuses the open but not an
// inspection. (A backup carries it: backup_test.cc.)
#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/event_store.h"
#include "ledger/key_layout.h"
#include "tests/ledger/fork.h"
#include "tests/ledger/test_store.h"

namespace clas::ledger {
namespace {

using ::clas::ledger::testing::Events;
using ::clas::ledger::testing::ExpectIntact;
using ::clas::ledger::testing::Message;
using ::clas::ledger::testing::RawDb;
using ::clas::ledger::testing::ScopedTempDir;
using ::clas::ledger::testing::StoreTest;
using ::testing::AllOf;
using ::testing::HasSubstr;

using TermTest = StoreTest;

TEST_F(TermTest, ANewLogIsAtTermZero) { EXPECT_EQ(OpenStore().term(), 0u); }

TEST_F(TermTest, RaisedNeverLoweredAndTheSameTermWritesNothing) {
  EventStore& store = OpenStore();
  ASSERT_TRUE(store.RaiseTerm(3).ok());
  EXPECT_EQ(store.term(), 3u);
  EXPECT_TRUE(store.RaiseTerm(3).ok());
  const absl::Status lower = store.RaiseTerm(2);
  EXPECT_EQ(lower.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(lower), AllOf(HasSubstr("term 2"), HasSubstr("term 3")));
  EXPECT_EQ(store.term(), 3u);
  ASSERT_TRUE(store.RaiseTerm(1'000'000'000'000).ok());
  EXPECT_EQ(store.term(), 1'000'000'000'000u);
}

TEST_F(TermTest, KeptAcrossAReopenAsDecimalTextBesideTheFormatVersion) {
  EventStore& store = OpenStore();
  ASSERT_TRUE(store.Append("a", ExpectedVersion::Any(), Events({"e-1"})).ok());
  ASSERT_TRUE(store.RaiseTerm(7).ok());
  CloseStore();
  {
    RawDb raw(dir_.path());
    EXPECT_EQ(raw.Get(Family::kMeta, std::string(kMetaTermKey)), "7");
    EXPECT_EQ(raw.Get(Family::kMeta, std::string(kMetaFormatVersionKey)), "1");
  }
  EventStore& reopened = OpenStore();
  EXPECT_EQ(reopened.term(), 7u);
  EXPECT_EQ(reopened.RaiseTerm(6).code(), absl::StatusCode::kFailedPrecondition);
  ExpectIntact(reopened);  // the meta key is no index entry
}

TEST_F(TermTest, AReadOnlyStoreReadsTheTermAndRefusesToRaiseIt) {
  ASSERT_TRUE(OpenStore().RaiseTerm(5).ok());
  CloseStore();
  Options options = MakeOptions();
  options.read_only = true;
  EventStore& store = OpenStore(options);
  EXPECT_EQ(store.term(), 5u);
  const absl::Status refused = store.RaiseTerm(6);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(refused), HasSubstr("read-only"));
  EXPECT_EQ(store.term(), 5u);
}

TEST_F(TermTest, ConcurrentRaisesEndOnTheHighestAndOnlyLowerOnesAreRefused) {
  EventStore& store = OpenStore();
  constexpr int kThreads = 4;
  constexpr uint64_t kRaisesPerThread = 50;
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (uint64_t i = 1; i <= kRaisesPerThread; ++i) {
        const absl::Status raised = store.RaiseTerm(i * kThreads + t);
        if (!raised.ok() && raised.code() != absl::StatusCode::kFailedPrecondition) ++unexpected;
        if (store.term() < i * kThreads + t) ++unexpected;  // never below what was asked
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(unexpected, 0);
  EXPECT_EQ(store.term(), kRaisesPerThread * kThreads + kThreads - 1);
  CloseStore();
  EXPECT_EQ(OpenStore().term(), kRaisesPerThread * kThreads + kThreads - 1);
}

TEST_F(TermTest, ATermThatDoesNotReadRefusesTheOpenButNotAnInspection) {
  ASSERT_TRUE(OpenStore().Append("a", ExpectedVersion::Any(), Events({"e-1"})).ok());
  CloseStore();
  RawDb(dir_.path()).Put(Family::kMeta, std::string(kMetaTermKey), "seven");
  absl::StatusOr<std::unique_ptr<EventStore>> refused = EventStore::Open(MakeOptions());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Message(refused.status()), HasSubstr("meta.term 'seven'"));
  Options options = MakeOptions();
  options.read_only = true;
  options.tolerate_damage = true;
  EventStore& inspected = OpenStore(options);
  EXPECT_EQ(inspected.term(), 0u);
  ASSERT_EQ(inspected.Damage().size(), 1u);
  EXPECT_THAT(inspected.Damage()[0], HasSubstr("term"));
  EXPECT_EQ(inspected.Head().position, 1u);
}

}  // namespace
}  // namespace clas::ledger
