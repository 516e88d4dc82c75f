// StoreEventLog, the engine's port on the ledger: ListStreams returns every id under a prefix,
// however many pages of the store's listing they take; ReadStreamsUnder and ListFolders answer
// what the port's plain implementations (stream by stream) answer, a stream longer than a page
// of the store's batched read included.
#include "server/store_event_log.h"

#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/event_store.h"

namespace clas::server {
namespace {

using ::testing::ElementsAreArray;

class StoreEventLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = absl::StrCat(::testing::TempDir(), "clas-store-event-log-", getpid(), "-",
                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(path_);
    ledger::Options options;
    options.path = path_;
    options.sync = false;
    auto store = ledger::EventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(path_);
  }
  // Appends one event to each of `streams`.
  void Fill(const std::vector<std::string>& streams) {
    for (const std::string& stream : streams) {
      ledger::v1::EventData event;
      event.set_event_id("e-" + stream);
      event.set_event_type("thing_happened");
      event.set_payload("p");
      event.set_tenant_id("t");
      event.mutable_actor()->set_id("a");
      event.mutable_actor()->set_role("agent");
      event.set_rule_version("r1");
      event.set_effective_date(20261015);
      ASSERT_TRUE(store_->Append(stream, ledger::ExpectedVersion::NoStream(), {event}).ok());
    }
  }

  std::string path_;
  std::unique_ptr<ledger::EventStore> store_;
};

TEST_F(StoreEventLogTest, ListStreamsReturnsEveryIdAcrossPagesOfTheStore) {
  std::vector<std::string> cafs, all;
  for (int i = 0; i < 25; ++i) cafs.push_back(absl::StrFormat("clas/caf-%02d/convention/1", i));
  all = cafs;
  all.push_back("clas/bareme");
  all.push_back("other/1");
  Fill(all);
  // Pages of 10 ids: the 25 under "clas/caf-" take three pages, the last one short; by pages of
  // 20, a full page then a short one; the 10 under "clas/caf-1" one full page then an empty one.
  StoreEventLog log(store_.get(), /*list_page_max=*/10);
  const absl::StatusOr<std::vector<std::string>> listed = log.ListStreams("clas/caf-");
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_THAT(*listed, ElementsAreArray(cafs));
  StoreEventLog log_of_20(store_.get(), /*list_page_max=*/20);
  EXPECT_THAT(log_of_20.ListStreams("clas/caf-").value(), ElementsAreArray(cafs));
  EXPECT_EQ(log.ListStreams("").value().size(), all.size());
  EXPECT_THAT(log.ListStreams("clas/caf-1").value(),
              ElementsAreArray(std::vector<std::string>(cafs.begin() + 10, cafs.begin() + 20)));
  EXPECT_TRUE(log.ListStreams("nothing/").value().empty());
}

// A Caf's streams (gestionnaire, two conventions, one of 5 events) interleaved with another
// Caf's whose id starts with the same characters, and the barème.
TEST_F(StoreEventLogTest, ReadStreamsUnderAndListFoldersAnswerAsTheStreamByStreamReads) {
  const std::vector<std::string> order = {
      "clas/caf-01/convention/c1", "clas/bareme",   "clas/caf-011/convention/x",
      "clas/caf-01/convention/c1", "clas/caf-01/gestionnaire/g", "clas/caf-01/convention/c2",
      "clas/caf-01/convention/c1", "clas/caf-01/convention/c1", "clas/caf-01/convention/c2",
      "clas/caf-01/convention/c1"};
  std::map<std::string, uint64_t> versions;
  for (size_t i = 0; i < order.size(); ++i) {
    v1::ClasEvent fact;
    fact.mutable_gestionnaire_registered()->set_gestionnaire_id(absl::StrCat("g", i));
    ledger::v1::Actor actor;
    actor.set_id("a");
    actor.set_role("agent");
    const auto data = ToEventData(fact, absl::StrCat("e", i), 20261015, "caf-01", actor, "r1");
    ASSERT_TRUE(store_
                    ->Append(order[i], ledger::ExpectedVersion::Exactly(versions[order[i]]++),
                             {data})
                    .ok());
  }
  // Pages of 3 events: c1 (5 events) alone is longer than a page, read on its own.
  StoreEventLog log(store_.get(), /*list_page_max=*/2, /*streams_page_events_max=*/3);
  const auto batched = log.ReadStreamsUnder("clas/caf-01/");
  const auto one_by_one = log.EventLog::ReadStreamsUnder("clas/caf-01/");
  ASSERT_TRUE(batched.ok()) << batched.status();
  ASSERT_TRUE(one_by_one.ok()) << one_by_one.status();
  std::vector<uint64_t> positions, expected;
  for (const auto& e : *batched) positions.push_back(e.position);
  for (const auto& e : *one_by_one) expected.push_back(e.position);
  // Every event of caf-01 (positions 1, 4 to 10), none of caf-011 nor the barème, in log order.
  EXPECT_THAT(expected, ElementsAreArray(std::vector<uint64_t>{1, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_THAT(positions, ElementsAreArray(expected));

  const std::vector<std::string> folders = {"clas/bareme", "clas/caf-01/", "clas/caf-011/"};
  EXPECT_THAT(log.ListFolders("clas/", "", 10).value(), ElementsAreArray(folders));
  EXPECT_THAT(log.EventLog::ListFolders("clas/", "", 10).value(), ElementsAreArray(folders));
  EXPECT_THAT(log.ListFolders("clas/", "clas/caf-01/", 10).value(),
              ElementsAreArray({std::string("clas/caf-011/")}));
  EXPECT_THAT(log.EventLog::ListFolders("clas/", "clas/caf-01/", 10).value(),
              ElementsAreArray({std::string("clas/caf-011/")}));
  EXPECT_THAT(log.ListFolders("clas/", "", 1).value(),
              ElementsAreArray({std::string("clas/bareme")}));
  EXPECT_THAT(log.EventLog::ListFolders("clas/", "", 1).value(),
              ElementsAreArray({std::string("clas/bareme")}));
}

}  // namespace
}  // namespace clas::server
