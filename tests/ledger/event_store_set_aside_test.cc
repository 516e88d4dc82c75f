// Setting a tail aside (EventStore::SetAsideAfter): a former leader copies the records no other
// node took into a file, byte for byte, then its log, indexes, versions, event-id look-ups, head
// and waiters are those of the log at the position kept, before and after a reopen; the new
// leader's records then replicate in. The refusals, which remove nothing.
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/event_store.h"
#include "ledger/hash_chain.h"
#include "ledger/set_aside.h"
#include "tests/ledger/fork.h"
#include "tests/ledger/test_store.h"

namespace clas::ledger {
namespace {

using ::clas::ledger::testing::Events;
using ::clas::ledger::testing::ExpectIntact;
using ::clas::ledger::testing::ForkTest;
using ::clas::ledger::testing::Message;
using ::clas::ledger::testing::OpenAt;
using ::clas::ledger::testing::SameRecords;
using ::clas::ledger::testing::Stored;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace fs = std::filesystem;

// The "key=value" lines of a manifest, after its magic line.
std::map<std::string, std::string> ReadManifest(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line + "\n", kSetAsideMagic);
  std::map<std::string, std::string> values;
  while (std::getline(in, line)) {
    std::vector<std::string> parts = absl::StrSplit(line, absl::MaxSplits('=', 1));
    EXPECT_EQ(parts.size(), 2u) << line;
    if (parts.size() == 2) values[parts[0]] = parts[1];
  }
  return values;
}

using SetAsideTest = ForkTest;

TEST_F(SetAsideTest, CopiesTheTailThenTheLogIsAsAtThePositionAndTakesTheNewLeaders) {
  const std::string directory = aside_dir_.path() + "/tails";  // created
  absl::StatusOr<SetAsideResult> result = old_->SetAsideAfter(4, directory);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->first_position, 5u);
  EXPECT_EQ(result->last_position, 7u);
  EXPECT_EQ(result->count, 3u);
  EXPECT_EQ(fs::path(result->path).parent_path(), fs::path(directory));
  absl::StatusOr<std::vector<StoredRecord>> copied = ReadSetAside(result->path);
  ASSERT_TRUE(copied.ok()) << copied.status();
  EXPECT_TRUE(SameRecords(*copied, tail_));

  // The log as it was at 4, which the new leader's log shares.
  ExpectOldIsNewUpTo(4);
  EXPECT_EQ(old_->Head().hash, new_->Read(4)->hash);
  EXPECT_EQ(old_->Head().recorded_at_us, new_->Read(4)->recorded_at_us());
  EXPECT_TRUE(absl::IsNotFound(old_->Read(5).status()));
  EXPECT_EQ(old_->ReadAll(1, 100)->size(), 4u);
  EXPECT_EQ(*old_->StreamVersion("a"), 2u);
  EXPECT_EQ(*old_->StreamVersion("b"), 1u);
  EXPECT_EQ(*old_->StreamVersion("d"), 0u);
  EXPECT_EQ(old_->ReadStream("a", 0, Direction::kForward, 10)->size(), 2u);
  EXPECT_THAT(*old_->ListStreams(""), ElementsAre("a", "b", "c"));
  EXPECT_TRUE(absl::IsNotFound(old_->FindByEventId("t-5").status()));
  EXPECT_TRUE(absl::IsNotFound(old_->FindByEventId("t-6").status()));
  EXPECT_TRUE(absl::IsNotFound(old_->VerifyStream("d").status()));

  // The new leader's 5 and 6 replicate in, t-6 with them (its id left the event id index).
  absl::StatusOr<LogHead> head = old_->AppendReplicated(Stored(*new_, 5, 6));
  ASSERT_TRUE(head.ok()) << head.status();
  ExpectOldIsNewUpTo(6);
  EXPECT_EQ(old_->FindByEventId("t-6")->stream_id(), "e");
  EXPECT_EQ(*old_->StreamVersion("a"), 3u);

  // Reopened, it is the same log.
  old_.reset();
  old_ = OpenAt(old_dir_.path(), /*replica=*/true);
  ASSERT_NE(old_, nullptr);
  ExpectOldIsNewUpTo(6);
}

TEST_F(SetAsideTest, AReopenRightAfterShowsTheShortenedLog) {
  ASSERT_TRUE(old_->SetAsideAfter(4, aside_dir_.path()).ok());
  old_.reset();
  old_ = OpenAt(old_dir_.path(), /*replica=*/true);
  ASSERT_NE(old_, nullptr);
  ExpectOldIsNewUpTo(4);
  EXPECT_EQ(*old_->StreamVersion("a"), 2u);
  EXPECT_TRUE(absl::IsNotFound(old_->FindByEventId("t-7").status()));
  ASSERT_TRUE(old_->AppendReplicated(Stored(*new_, 5, 6)).ok());
  ExpectOldIsNewUpTo(6);
}

TEST_F(SetAsideTest, TheManifestSaysWhatWasSetAsideAndFromWhichHeads) {
  ASSERT_TRUE(old_->RaiseTerm(2).ok());
  absl::StatusOr<SetAsideResult> result = old_->SetAsideAfter(4, aside_dir_.path());
  ASSERT_TRUE(result.ok()) << result.status();
  std::map<std::string, std::string> manifest = ReadManifest(result->manifest_path);
  EXPECT_EQ(manifest["records_file"], fs::path(result->path).filename().string());
  EXPECT_EQ(manifest["first_position"], "5");
  EXPECT_EQ(manifest["last_position"], "7");
  EXPECT_EQ(manifest["count"], "3");
  EXPECT_EQ(manifest["head_before_position"], "7");
  EXPECT_EQ(manifest["head_before_hash"], HashHex(head_before_.hash));
  EXPECT_EQ(manifest["head_after_position"], "4");
  EXPECT_EQ(manifest["head_after_hash"], HashHex(new_->Read(4)->hash));
  EXPECT_EQ(manifest["term"], "2");
  EXPECT_FALSE(manifest["set_aside_at_us"].empty());
}

TEST_F(SetAsideTest, AtTheHeadThereIsNothingToDoAndNothingIsCreated) {
  const std::string directory = aside_dir_.path() + "/never";
  absl::StatusOr<SetAsideResult> result = old_->SetAsideAfter(7, directory);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->count, 0u);
  EXPECT_TRUE(result->path.empty());
  EXPECT_FALSE(fs::exists(directory));
  EXPECT_EQ(old_->Head().position, 7u);
}

TEST_F(SetAsideTest, RefusalsRemoveNothing) {
  absl::StatusOr<SetAsideResult> past = old_->SetAsideAfter(8, aside_dir_.path());
  EXPECT_EQ(past.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(past.status()), HasSubstr("position: 8 is past the head, 7"));
  EXPECT_EQ(old_->SetAsideAfter(4, "").status().code(), absl::StatusCode::kInvalidArgument);
  // A writer sets nothing aside: its appends could land meanwhile.
  absl::StatusOr<SetAsideResult> writer = new_->SetAsideAfter(4, aside_dir_.path());
  EXPECT_EQ(writer.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(writer.status()), HasSubstr("not a replica"));
  EXPECT_EQ(new_->Head().position, 6u);
  EXPECT_EQ(old_->Head().position, 7u);
  EXPECT_TRUE(SameRecords(Stored(*old_, 5, 7), tail_));
  EXPECT_TRUE(!fs::exists(aside_dir_.path()) || fs::is_empty(aside_dir_.path()));

  old_.reset();
  Options options;
  options.path = old_dir_.path();
  options.read_only = true;
  std::unique_ptr<EventStore> read_only = *EventStore::Open(options);
  EXPECT_THAT(Message(read_only->SetAsideAfter(4, aside_dir_.path()).status()),
              HasSubstr("read-only"));
}

TEST_F(SetAsideTest, ATailLongerThanTheBoundIsRefusedWhole) {
  old_.reset();
  Options options;
  options.path = old_dir_.path();
  options.replica = true;
  options.set_aside_records_max = 2;
  std::unique_ptr<EventStore> store = *EventStore::Open(options);
  absl::StatusOr<SetAsideResult> refused = store->SetAsideAfter(4, aside_dir_.path());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(refused.status()), HasSubstr("3 records follow position 4"));
  EXPECT_EQ(store->Head().position, 7u);
  EXPECT_FALSE(fs::exists(aside_dir_.path()) && !fs::is_empty(aside_dir_.path()));
  absl::StatusOr<SetAsideResult> two = store->SetAsideAfter(5, aside_dir_.path());
  ASSERT_TRUE(two.ok()) << two.status();
  EXPECT_EQ(two->count, 2u);
  EXPECT_EQ(store->Head().position, 5u);
  ExpectIntact(*store);

  options.set_aside_records_max = 0;
  EXPECT_EQ(EventStore::Open(options).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SetAsideTest, AfterPositionZeroTheLogIsEmptyAndTakesTheNewLeadersFromOne) {
  const std::vector<StoredRecord> all = Stored(*old_, 1, 7);
  absl::StatusOr<SetAsideResult> result = old_->SetAsideAfter(0, aside_dir_.path());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->first_position, 1u);
  EXPECT_EQ(result->last_position, 7u);
  EXPECT_EQ(result->count, 7u);
  EXPECT_TRUE(SameRecords(*ReadSetAside(result->path), all));
  EXPECT_EQ(old_->Head().position, 0u);
  EXPECT_EQ(old_->Head().hash, GenesisHash());
  EXPECT_TRUE(old_->ListStreams("")->empty());
  ExpectIntact(*old_);
  ASSERT_TRUE(old_->AppendReplicated(Stored(*new_, 1, 6)).ok());
  ExpectOldIsNewUpTo(6);
}

TEST_F(SetAsideTest, EachSetAsideOfTheSameRangeGetsAFreshFile) {
  absl::StatusOr<SetAsideResult> first = old_->SetAsideAfter(4, aside_dir_.path());
  ASSERT_TRUE(first.ok()) << first.status();
  // The new leader's 5..7 replicate in, and are set aside in turn.
  AppendTo(*new_, "f", {"n-7"});
  ASSERT_TRUE(old_->AppendReplicated(Stored(*new_, 5, 7)).ok());
  absl::StatusOr<SetAsideResult> second = old_->SetAsideAfter(4, aside_dir_.path());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE(second->path, first->path);
  EXPECT_NE(second->manifest_path, first->manifest_path);
  EXPECT_TRUE(SameRecords(*ReadSetAside(first->path), tail_));
  EXPECT_TRUE(SameRecords(*ReadSetAside(second->path), Stored(*new_, 5, 7)));
  ExpectOldIsNewUpTo(4);
}

TEST_F(SetAsideTest, WaitersOnTheHeadWaitForTheNewLeadersRecords) {
  ASSERT_TRUE(old_->SetAsideAfter(4, aside_dir_.path()).ok());
  EXPECT_EQ(old_->WaitForHead(4, absl::Now() + absl::Milliseconds(10)), 4u);
  uint64_t woken_at = 0;
  std::thread waiter([&] { woken_at = old_->WaitForHead(4, absl::Now() + absl::Seconds(30)); });
  absl::SleepFor(absl::Milliseconds(10));
  ASSERT_TRUE(old_->AppendReplicated(Stored(*new_, 5, 6)).ok());
  waiter.join();
  EXPECT_EQ(woken_at, 6u);
}

TEST_F(SetAsideTest, MadeWriterAgainItAppendsFromTheKeptStreamVersions) {
  ASSERT_TRUE(old_->SetAsideAfter(4, aside_dir_.path()).ok());
  old_->SetReplica(false);
  // Stream "a" stood at 3 (t-5) in the writer's memory before; it is at 2 again.
  absl::StatusOr<AppendResult> appended =
      old_->Append("a", ExpectedVersion::Exactly(2), Events({"again-5"}));
  ASSERT_TRUE(appended.ok()) << appended.status();
  EXPECT_EQ(appended->first_position, 5u);
  EXPECT_EQ(appended->first_version, 3u);
  // t-5 was set aside: a retry of it is a new event, not a duplicate.
  absl::StatusOr<AppendResult> retried = old_->Append("a", ExpectedVersion::Any(), Events({"t-5"}));
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_FALSE(retried->duplicate);
  EXPECT_EQ(retried->first_position, 6u);
  ExpectIntact(*old_);
}

}  // namespace
}  // namespace clas::ledger
