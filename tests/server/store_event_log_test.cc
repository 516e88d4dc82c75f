// StoreEventLog, the engine's port on the ledger: ListStreams returns every id under a prefix,
// however many pages of the store's listing they take.
#include "server/store_event_log.h"

#include <unistd.h>

#include <filesystem>
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

}  // namespace
}  // namespace clas::server
