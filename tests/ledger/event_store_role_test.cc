// The role changed at run time (EventStore::SetReplica): a store made a replica refuses appends
// as one opened so and takes replicated records; made a writer again, it refuses replicated
// records and appends from where replication left its streams; no append lands after
// SetReplica(true) returns, even with appends in flight: those a group took are written before
// it returns, those still queued are refused; a read-only store keeps its role.
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/event_store.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "tests/ledger/fork.h"
#include "tests/ledger/test_store.h"

namespace clas::ledger {
namespace {

using ::clas::ledger::testing::Event;
using ::clas::ledger::testing::Events;
using ::clas::ledger::testing::ExpectIntact;
using ::clas::ledger::testing::Message;
using ::clas::ledger::testing::OpenAt;
using ::clas::ledger::testing::SameRecords;
using ::clas::ledger::testing::ScopedTempDir;
using ::clas::ledger::testing::Stored;
using ::testing::HasSubstr;

class RoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    leader_ = OpenAt(leader_dir_.path(), /*replica=*/false);
    follower_ = OpenAt(follower_dir_.path(), /*replica=*/true);
    ASSERT_NE(leader_, nullptr);
    ASSERT_NE(follower_, nullptr);
  }

  ScopedTempDir leader_dir_;
  ScopedTempDir follower_dir_;
  std::unique_ptr<EventStore> leader_;
  std::unique_ptr<EventStore> follower_;
};

TEST_F(RoleTest, TheRoleIsTheOpenOptionUntilSetAndSettingItTwiceChangesNothing) {
  EXPECT_FALSE(leader_->is_replica());
  EXPECT_TRUE(follower_->is_replica());
  leader_->SetReplica(true);
  leader_->SetReplica(true);
  EXPECT_TRUE(leader_->is_replica());
  follower_->SetReplica(false);
  follower_->SetReplica(false);
  EXPECT_FALSE(follower_->is_replica());
}

TEST_F(RoleTest, AWriterMadeReplicaRefusesAppendsAsAnOpenedReplicaAndTakesReplicatedRecords) {
  const absl::Status opened_refusal =
      follower_->Append("a", ExpectedVersion::Any(), Events({"f-1"})).status();
  ASSERT_EQ(opened_refusal.code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(leader_->Append("a", ExpectedVersion::Any(), Events({"e-1", "e-2"})).ok());

  leader_->SetReplica(true);
  EXPECT_EQ(leader_->Append("a", ExpectedVersion::Any(), Events({"e-3"})).status(), opened_refusal);
  // As on an opened replica, the refusal comes before any check of the events.
  EXPECT_EQ(leader_->Append("a", ExpectedVersion::Any(), Events({""})).status(), opened_refusal);
  EXPECT_EQ(leader_->Head().position, 2u);

  // It takes the records of a new leader whose log continues its own.
  ASSERT_TRUE(follower_->AppendReplicated(Stored(*leader_, 1, 2)).ok());
  follower_->SetReplica(false);
  ASSERT_TRUE(follower_->Append("b", ExpectedVersion::Any(), Events({"e-3"})).ok());
  absl::StatusOr<LogHead> head = leader_->AppendReplicated(Stored(*follower_, 3, 3));
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->hash, follower_->Head().hash);
  EXPECT_TRUE(SameRecords(Stored(*leader_, 1, 3), Stored(*follower_, 1, 3)));
  ExpectIntact(*leader_);

  // Reopened as a replica, it holds them.
  leader_.reset();
  leader_ = OpenAt(leader_dir_.path(), /*replica=*/true);
  ASSERT_NE(leader_, nullptr);
  EXPECT_TRUE(SameRecords(Stored(*leader_, 1, 3), Stored(*follower_, 1, 3)));
  ExpectIntact(*leader_);
}

TEST_F(RoleTest, AReplicaMadeWriterRefusesReplicatedRecordsAndContinuesTheStreams) {
  ASSERT_TRUE(leader_->Append("a", ExpectedVersion::Any(), Events({"e-1", "e-2"})).ok());
  ASSERT_TRUE(leader_->Append("b", ExpectedVersion::Any(), Events({"e-3"})).ok());
  ASSERT_TRUE(follower_->AppendReplicated(Stored(*leader_, 1, 3)).ok());

  follower_->SetReplica(false);
  absl::StatusOr<LogHead> refused = follower_->AppendReplicated(Stored(*leader_, 1, 1));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(refused.status()), HasSubstr("not a replica"));
  // Stream "a" stands at version 2 as replication left it: an append expecting 2 is taken.
  absl::StatusOr<AppendResult> appended =
      follower_->Append("a", ExpectedVersion::Exactly(2), Events({"f-4"}));
  ASSERT_TRUE(appended.ok()) << appended.status();
  EXPECT_EQ(appended->first_position, 4u);
  EXPECT_EQ(appended->first_version, 3u);
  // A replicated event id is known to the writer: its retry is answered, not written again.
  absl::StatusOr<AppendResult> retry =
      follower_->Append("b", ExpectedVersion::Any(), Events({"e-3"}));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->first_position, 3u);
  ExpectIntact(*follower_);

  // Reopened (the role is not persisted: the option decides), both roles' records are there.
  follower_.reset();
  follower_ = OpenAt(follower_dir_.path(), /*replica=*/false);
  ASSERT_NE(follower_, nullptr);
  EXPECT_EQ(follower_->Head().position, 4u);
  EXPECT_TRUE(SameRecords(Stored(*follower_, 1, 3), Stored(*leader_, 1, 3)));
  ExpectIntact(*follower_);
}

TEST_F(RoleTest, NoAppendLandsAfterSetReplicaReturnsWithAppendsInFlight) {
  constexpr int kThreads = 4;
  std::atomic<bool> stop{false};
  std::atomic<int> before_switch{0};
  absl::Mutex mu;
  std::vector<AppendResult> written;  // guarded by mu
  std::vector<absl::Status> failures;
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        absl::StatusOr<AppendResult> result = leader_->Append(
            absl::StrCat("s-", t), ExpectedVersion::Any(), {Event(absl::StrCat("w", t, "-", i))});
        absl::MutexLock lock(&mu);
        if (result.ok()) {
          written.push_back(*result);
          ++before_switch;
        } else {
          failures.push_back(result.status());
        }
      }
    });
  }
  while (before_switch < 50) std::this_thread::yield();
  leader_->SetReplica(true);
  const LogHead at_switch = leader_->Head();
  // The writers go on trying for a while: every try is refused, and the head does not move.
  absl::SleepFor(absl::Milliseconds(50));
  stop = true;
  for (std::thread& writer : writers) writer.join();

  EXPECT_EQ(leader_->Head().position, at_switch.position);
  EXPECT_EQ(leader_->Head().hash, at_switch.hash);
  uint64_t highest = 0;
  for (const AppendResult& result : written) highest = std::max(highest, result.last_position);
  EXPECT_EQ(highest, at_switch.position) << "an acknowledged append is not the last one written";
  EXPECT_EQ(written.size(), at_switch.position) << "one event per append, each acknowledged";
  ASSERT_FALSE(failures.empty());
  for (const absl::Status& failure : failures) {
    EXPECT_EQ(failure.code(), absl::StatusCode::kFailedPrecondition) << failure;
    EXPECT_THAT(Message(failure), HasSubstr("replica"));
  }
  const StoreStats stats = leader_->Stats();
  EXPECT_EQ(stats.appends_requested, stats.appends_written + stats.appends_duplicate +
                                         stats.appends_rejected + stats.appends_failed);
  ExpectIntact(*leader_);

  // A writer again: appends resume after the last one written.
  leader_->SetReplica(false);
  absl::StatusOr<AppendResult> again =
      leader_->Append("s-0", ExpectedVersion::Any(), {Event("after")});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->first_position, at_switch.position + 1);
  ExpectIntact(*leader_);
}

TEST_F(RoleTest, SwitchingBackAndForthUnderLoadKeepsOneChain) {
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      (void)leader_->Append("w", ExpectedVersion::Any(), {Event(absl::StrCat("w-", i))});
    }
  });
  for (int round = 0; round < 20; ++round) {
    leader_->SetReplica(round % 2 == 0);
    absl::SleepFor(absl::Milliseconds(2));
  }
  stop = true;
  writer.join();
  leader_->SetReplica(false);
  ASSERT_TRUE(leader_->Append("w", ExpectedVersion::Any(), {Event("last")}).ok());
  ExpectIntact(*leader_);
  absl::StatusOr<VerifyReport> stream = leader_->VerifyStream("w");
  ASSERT_TRUE(stream.ok()) << stream.status();
  EXPECT_TRUE(stream->ok) << stream->problem;
  EXPECT_EQ(stream->events_checked, leader_->Head().position);
}

// Write-ahead log files whose syncs wait while `hold` is set.
class HeldSyncFileSystem : public rocksdb::FileSystemWrapper {
 public:
  HeldSyncFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  static const char* kClassName() { return "HeldSyncFileSystem"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus status = target()->NewWritableFile(name, options, file, dbg);
    if (status.ok() && absl::EndsWith(name, ".log")) {
      *file = std::make_unique<HeldFile>(std::move(*file), this);
    }
    return status;
  }

  std::atomic<bool> hold{false};
  std::atomic<int> held{0};  // syncs waiting now

 private:
  class HeldFile : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    HeldFile(std::unique_ptr<rocksdb::FSWritableFile> file, HeldSyncFileSystem* fs)
        : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs) {}
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
      Wait();
      return FSWritableFileOwnerWrapper::Sync(options, dbg);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      Wait();
      return FSWritableFileOwnerWrapper::Fsync(options, dbg);
    }

   private:
    void Wait() {
      ++fs_->held;
      while (fs_->hold) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      --fs_->held;
    }
    HeldSyncFileSystem* const fs_;
  };
};

// One append is being written (its sync held) and two wait behind it when SetReplica(true) is
// called: it returns only once the first is written, and the two queued ones are refused.
TEST(RoleSwitchTest, SetReplicaWaitsForTheGroupBeingWrittenAndRefusesTheQueuedAppends) {
  ScopedTempDir dir;
  auto held_fs = std::make_shared<HeldSyncFileSystem>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(held_fs);
  std::unique_ptr<EventStore> store = OpenAt(dir.path(), /*replica=*/false, env.get());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Append("a", ExpectedVersion::Any(), Events({"e-1"})).ok());

  held_fs->hold = true;
  absl::StatusOr<AppendResult> writing, queued_1, queued_2;
  std::thread writer(
      [&] { writing = store->Append("a", ExpectedVersion::Any(), Events({"e-2"})); });
  while (held_fs->held == 0) std::this_thread::yield();
  std::thread waiter_1(
      [&] { queued_1 = store->Append("b", ExpectedVersion::Any(), Events({"e-3"})); });
  std::thread waiter_2(
      [&] { queued_2 = store->Append("c", ExpectedVersion::Any(), Events({"e-4"})); });
  while (store->Stats().appends_requested < 4) std::this_thread::yield();

  std::atomic<bool> switched{false};
  std::thread switcher([&] {
    store->SetReplica(true);
    switched = true;
  });
  // An append with a bad event id is refused as a replica's once appends are refused, as a bad
  // input before: a probe that never queues.
  while (store->Append("a", ExpectedVersion::Any(), Events({""})).status().code() !=
         absl::StatusCode::kFailedPrecondition) {
    std::this_thread::yield();
  }
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_FALSE(switched) << "SetReplica returned while an accepted append was being written";
  EXPECT_FALSE(store->is_replica());
  held_fs->hold = false;
  switcher.join();
  writer.join();
  waiter_1.join();
  waiter_2.join();

  EXPECT_TRUE(store->is_replica());
  ASSERT_TRUE(writing.ok()) << writing.status();
  EXPECT_EQ(writing->last_position, 2u);
  for (const absl::StatusOr<AppendResult>* queued : {&queued_1, &queued_2}) {
    EXPECT_EQ(queued->status().code(), absl::StatusCode::kFailedPrecondition) << queued->status();
    EXPECT_THAT(Message(queued->status()), HasSubstr("replica"));
  }
  EXPECT_EQ(store->Head().position, 2u);
  EXPECT_EQ(store->Stats().appends_rejected, 2u);
  ExpectIntact(*store);
  store.reset();  // before its environment
}

TEST(RoleReadOnlyTest, SetReplicaOnAReadOnlyStoreIsANoOp) {
  ScopedTempDir dir;
  {
    std::unique_ptr<EventStore> store = OpenAt(dir.path(), /*replica=*/false);
    ASSERT_TRUE(store->Append("a", ExpectedVersion::Any(), Events({"e-1"})).ok());
  }
  Options options;
  options.path = dir.path();
  options.read_only = true;
  absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  (*store)->SetReplica(true);
  EXPECT_FALSE((*store)->is_replica());
  absl::StatusOr<LogHead> replicated = (*store)->AppendReplicated({StoredRecord{2, "x"}});
  EXPECT_THAT(Message(replicated.status()), HasSubstr("read-only"));
  (*store)->SetReplica(false);
  EXPECT_THAT(Message((*store)->Append("a", ExpectedVersion::Any(), Events({"e-2"})).status()),
              HasSubstr("read-only"));
  EXPECT_EQ((*store)->Head().position, 1u);
}

}  // namespace
}  // namespace clas::ledger
