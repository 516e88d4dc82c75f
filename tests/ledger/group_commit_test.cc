// Group commit (ledger/group_commit.h). The first appender leads a group; these tests hold the
// leader inside the store's clock (called as it decides its own request, the first of its
// group) until the other appenders are queued behind it: they join its group, which is then
// known exactly, and the assertions cannot depend on scheduling.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/event_store.h"
#include "ledger/group_commit.h"
#include "ledger/hash_chain.h"
#include "ledger/storage.h"
#include "tests/ledger/test_store.h"

namespace clas::ledger {
namespace {

using ::clas::ledger::testing::Event;
using ::clas::ledger::testing::Events;
using ::clas::ledger::testing::Message;
using ::testing::HasSubstr;

// A hang guard, not a speed expectation.
constexpr absl::Duration kQueueWaitMax = absl::Seconds(30);

class GroupCommitTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    Options options = MakeOptions();
    options.clock_us = [this] {
      gate_.WaitForNotification();
      return absl::ToUnixMicros(absl::Now());
    };
    OpenStore(options);
  }
  void TearDown() override {
    if (!gate_.HasBeenNotified()) gate_.Notify();
    for (std::thread& thread : threads_) thread.join();
  }

  // Starts an appender thread; its result lands in results_[index].
  void StartAppend(size_t index, std::string stream, ExpectedVersion expected,
                   std::vector<v1::EventData> events) {
    threads_.emplace_back([this, index, stream, expected, events = std::move(events)] {
      results_[index] = store_->Append(stream, expected, events);
    });
  }
  // Waits until `count` appends have entered the writer queue.
  void WaitForQueued(uint64_t count) {
    const absl::Time deadline = absl::Now() + kQueueWaitMax;
    while (store_->Stats().appends_requested < count) {
      ASSERT_LT(absl::Now(), deadline) << "appends never queued";
      absl::SleepFor(absl::Milliseconds(1));
    }
  }
  void JoinAll() {
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
  }

  absl::Notification gate_;  // opened: the clock answers
  std::vector<std::thread> threads_;
  std::vector<absl::StatusOr<AppendResult>> results_ =
      std::vector<absl::StatusOr<AppendResult>>(32, absl::UnknownError("not run"));
};

TEST_F(GroupCommitTest, SixteenConcurrentAppendsShareOneSync) {
  constexpr size_t kAppenders = 16;
  for (size_t i = 0; i < kAppenders; ++i) {
    StartAppend(i, "stream-" + std::to_string(i % 4), ExpectedVersion::Any(),
                Events({"e-" + std::to_string(i)}));
  }
  // The first leader decides its own call and waits in the clock; all others queue behind it
  // and join its group (kGroupCommitRequestsMax >= 16).
  WaitForQueued(kAppenders);
  gate_.Notify();
  JoinAll();
  for (size_t i = 0; i < kAppenders; ++i) EXPECT_TRUE(results_[i].ok()) << results_[i].status();
  const StoreStats stats = store_->Stats();
  EXPECT_EQ(stats.appends_requested, kAppenders);
  EXPECT_EQ(stats.appends_written, kAppenders);
  EXPECT_EQ(stats.events_written, kAppenders);
  EXPECT_EQ(stats.batches_written, 1u);
  EXPECT_EQ(stats.group_size_max, kAppenders);
  EXPECT_EQ(stats.writes_synced, 1u);  // Options::sync by default
  // One batch of 16 calls: in the bucket (8, 16]; one write timed.
  EXPECT_THAT(stats.group_calls.counts, ::testing::ElementsAre(0, 0, 0, 0, 1, 0, 0, 0, 0));
  EXPECT_EQ(stats.group_calls.sum, kAppenders);
  EXPECT_EQ(stats.write_time_us.count(), 1u);
  EXPECT_EQ(store_->Head().position, kAppenders);
  const absl::StatusOr<VerifyReport> report = store_->Verify(1, kAppenders);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok) << report->problem;
}

TEST_F(GroupCommitTest, AConflictInAGroupFailsAlone) {
  StartAppend(0, "leader", ExpectedVersion::Any(), Events({"l-1"}));
  WaitForQueued(1);
  StartAppend(1, "x", ExpectedVersion::NoStream(), Events({"x-1"}));
  WaitForQueued(2);
  StartAppend(2, "x", ExpectedVersion::NoStream(), Events({"x-2"}));  // x is at 1 by then
  WaitForQueued(3);
  StartAppend(3, "x", ExpectedVersion::Exactly(1), Events({"x-3"}));
  WaitForQueued(4);
  gate_.Notify();
  JoinAll();
  ASSERT_TRUE(results_[0].ok() && results_[1].ok() && results_[3].ok());
  EXPECT_EQ(results_[1]->first_position, 2u);
  EXPECT_EQ(results_[3]->first_position, 3u);
  EXPECT_EQ(results_[3]->first_version, 2u);
  EXPECT_EQ(results_[2].status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(CurrentVersionOf(results_[2].status()), 1u);
  const StoreStats stats = store_->Stats();
  EXPECT_EQ(stats.batches_written, 1u);  // {leader, x-1, x-3}, x-2 refused
  EXPECT_EQ(stats.group_size_max, 3u);
  EXPECT_EQ(stats.group_calls.sum, 3u);  // the refused call is not carried by the batch
  EXPECT_EQ(stats.group_calls.counts[2], 1u);  // (2, 4]
  EXPECT_EQ(stats.appends_rejected, 1u);
  EXPECT_EQ(store_->FindByEventId("x-2").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(GroupCommitTest, DuplicatesInsideOneGroupAreFound) {
  StartAppend(0, "leader", ExpectedVersion::Any(), Events({"l-1"}));
  WaitForQueued(1);
  StartAppend(1, "s", ExpectedVersion::Any(), Events({"d-1"}));
  WaitForQueued(2);
  StartAppend(2, "s", ExpectedVersion::NoStream(), Events({"d-1"}));  // the same call, retried
  WaitForQueued(3);
  StartAppend(3, "s", ExpectedVersion::Any(), {Event("d-1", "other payload")});
  WaitForQueued(4);
  gate_.Notify();
  JoinAll();
  ASSERT_TRUE(results_[1].ok() && results_[2].ok());
  EXPECT_FALSE(results_[1]->duplicate);
  EXPECT_TRUE(results_[2]->duplicate);
  EXPECT_EQ(results_[2]->first_position, results_[1]->first_position);
  EXPECT_EQ(results_[2]->last_hash, results_[1]->last_hash);
  EXPECT_EQ(results_[3].status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(Message(results_[3].status()), HasSubstr("event id 'd-1'"));
  EXPECT_EQ(store_->Head().position, 2u);
  const StoreStats stats = store_->Stats();
  EXPECT_EQ(stats.appends_written, 2u);
  EXPECT_EQ(stats.appends_duplicate, 1u);
  EXPECT_EQ(stats.appends_rejected, 1u);
}

// A caller appending one call after another is a group of its own each time: it never waits
// for anyone.
TEST_F(GroupCommitTest, ACallerAloneNeverWaits) {
  gate_.Notify();
  for (int i = 0; i < 20; ++i) {
    const absl::StatusOr<AppendResult> result =
        store_->Append("alone", ExpectedVersion::Any(), Events({"a-" + std::to_string(i)}));
    ASSERT_TRUE(result.ok()) << result.status();
  }
  const StoreStats stats = store_->Stats();
  EXPECT_EQ(stats.batches_written, 20u);
  EXPECT_EQ(stats.gather_waits, 0u);
  EXPECT_EQ(stats.gather_timeouts, 0u);
}

// The leader's clock holds while held_ is set: a gate that can be closed again.
class GroupCommitGatherTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    Options options = MakeOptions();
    options.clock_us = [this] {
      absl::MutexLock lock(&mu_);
      while (held_) released_.Wait(&mu_);
      return absl::ToUnixMicros(absl::Now());
    };
    OpenStore(options);
  }
  void TearDown() override {
    Hold(false);
    for (std::thread& thread : threads_) thread.join();
  }
  void Hold(bool held) {
    absl::MutexLock lock(&mu_);
    held_ = held;
    if (!held) released_.SignalAll();
  }
  // Appends `ids` from one thread each, the first leading a group that holds in the clock until
  // the others are queued behind it: one group of ids.size() calls.
  void AppendAsOneGroup(const std::vector<std::string>& ids) {
    const uint64_t requested = store_->Stats().appends_requested;
    Hold(true);
    for (size_t i = 0; i < ids.size(); ++i) {
      threads_.emplace_back([this, id = ids[i]] {
        const absl::StatusOr<AppendResult> result =
            store_->Append("s", ExpectedVersion::Any(), Events({id}));
        EXPECT_TRUE(result.ok()) << result.status();
      });
      const absl::Time deadline = absl::Now() + kQueueWaitMax;
      while (store_->Stats().appends_requested < requested + i + 1) {
        ASSERT_LT(absl::Now(), deadline) << "appends never queued";
        absl::SleepFor(absl::Milliseconds(1));
      }
    }
    Hold(false);
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
  }
  void AppendAlone(const std::string& id) {
    const absl::StatusOr<AppendResult> result =
        store_->Append("s", ExpectedVersion::Any(), Events({id}));
    EXPECT_TRUE(result.ok()) << result.status();
  }

  absl::Mutex mu_;
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  absl::CondVar released_;  // signalled when held_ is cleared
  std::vector<std::thread> threads_;
};

// After a group of four, the next leader waits for the callers of that group to come back; when
// they do not, its wait is bounded (a fraction of a sync), and the leader after it does not wait.
TEST_F(GroupCommitGatherTest, AWaitForCallersThatDoNotComeBackIsBoundedAndNotRepeated) {
  AppendAsOneGroup({"g-1", "g-2", "g-3", "g-4"});
  StoreStats stats = store_->Stats();
  EXPECT_EQ(stats.batches_written, 1u);
  EXPECT_EQ(stats.gather_waits, 0u);  // no group before it
  // Two of the four come back, as one group: its leader waits for the two others, in vain.
  AppendAsOneGroup({"b-1", "b-2"});
  stats = store_->Stats();
  EXPECT_EQ(stats.batches_written, 2u);
  EXPECT_EQ(stats.group_size_max, 4u);
  EXPECT_EQ(stats.gather_waits, 1u);
  EXPECT_EQ(stats.gather_timeouts, 1u);
  // One of the two comes back: its leader does not wait again, although one is missing.
  AppendAlone("c-1");
  // A caller alone after a group of one waits for no one.
  AppendAlone("c-2");
  stats = store_->Stats();
  EXPECT_EQ(stats.batches_written, 4u);
  EXPECT_EQ(stats.gather_waits, 1u);
  EXPECT_EQ(stats.gather_timeouts, 1u);
  EXPECT_EQ(store_->Head().position, 8u);
  const absl::StatusOr<VerifyReport> report = store_->Verify(1, 8);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok) << report->problem;
}

// GroupCommit alone, on a Storage without an EventStore: nothing in memory moves until
// PublishTips, and a failed write fails exactly the requests whose answer needed it.
class GroupCommitDecideTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Storage>> storage = Storage::Open(dir_.path(), false);
    ASSERT_TRUE(storage.ok()) << storage.status();
    storage_ = *std::move(storage);
    tips_ = std::make_unique<StreamTips>(storage_.get());
  }
  LogHead EmptyHead() const { return LogHead{0, GenesisHash(), 0}; }

  testing::ScopedTempDir dir_;
  std::unique_ptr<Storage> storage_;
  std::unique_ptr<StreamTips> tips_;
  std::function<int64_t()> clock_us_ = [] { return int64_t{1'000}; };
};

TEST_F(GroupCommitDecideTest, AFailedWriteFailsWhatNeededItAndChangesNothing) {
  AppendRequest first("s", ExpectedVersion::NoStream(), Events({"a"}));
  AppendRequest retry("s", ExpectedVersion::Any(), Events({"a"}));
  AppendRequest conflict("s", ExpectedVersion::NoStream(), Events({"b"}));
  {
    GroupCommit commit(storage_.get(), tips_.get(), EmptyHead(), &clock_us_);
    for (AppendRequest* request : {&first, &retry, &conflict}) commit.Decide(request);
    EXPECT_EQ(first.outcome, AppendOutcome::kWritten);
    EXPECT_TRUE(first.needs_write);
    EXPECT_EQ(retry.outcome, AppendOutcome::kDuplicate);  // of an event pending in this group
    EXPECT_TRUE(retry.needs_write);
    EXPECT_EQ(conflict.outcome, AppendOutcome::kRejected);
    EXPECT_FALSE(conflict.needs_write);
    EXPECT_EQ(commit.staged_events(), 1u);
    EXPECT_EQ(commit.head().position, 1u);
    // The batch is never written.
    const absl::Status write_error = absl::UnavailableError("the disk is gone");
    GroupCommit::FailWrite({&first, &retry, &conflict}, write_error);
    EXPECT_EQ(first.result.status(), write_error);
    EXPECT_EQ(retry.result.status(), write_error);
    EXPECT_EQ(conflict.result.status().code(), absl::StatusCode::kAborted);
  }
  EXPECT_EQ(tips_->Get("s")->version, 0u);
  AppendRequest again("s", ExpectedVersion::NoStream(), Events({"a"}));
  GroupCommit next(storage_.get(), tips_.get(), EmptyHead(), &clock_us_);
  next.Decide(&again);
  EXPECT_EQ(again.outcome, AppendOutcome::kWritten);
  EXPECT_EQ(again.result->first_position, 1u);
}

TEST_F(GroupCommitDecideTest, PublishedTipsMatchWhatStorageReadsBack) {
  AppendRequest request("s", ExpectedVersion::NoStream(), Events({"a", "b"}));
  GroupCommit commit(storage_.get(), tips_.get(), EmptyHead(), &clock_us_);
  commit.Decide(&request);
  ASSERT_TRUE(request.result.ok()) << request.result.status();
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  ASSERT_TRUE(storage_->Write(write_options, commit.batch()).ok());
  commit.PublishTips();
  const absl::StatusOr<StreamTip> cached = tips_->Get("s");
  const absl::StatusOr<StreamTip> on_disk = storage_->ReadStreamTip("s");
  ASSERT_TRUE(cached.ok() && on_disk.ok());
  EXPECT_EQ(cached->version, 2u);
  EXPECT_EQ(on_disk->version, 2u);
  EXPECT_EQ(cached->hash, on_disk->hash);
  EXPECT_EQ(cached->hash, request.result->last_hash);
  EXPECT_EQ(storage_->ReadHead()->hash, commit.head().hash);
}

}  // namespace
}  // namespace clas::ledger
