// The full rebuild of clas-bench-store (tools/bench/rebuild.h), in both read orders, on a small
// demo ledger: both fold the same figures with no error, and an event in no stream the rebuild
// folds is an error of each (counted against the log's head), never skipped in silence.
#include "tools/bench/rebuild.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/event_store.h"
#include "projections/engine/engine.h"
#include "server/store_event_log.h"
#include "tools/demo/demo.h"

namespace clas::bench {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

class RebuildTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::path(::testing::TempDir()) /
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(path_);
    ledger::Options options;
    options.path = path_.string();
    options.sync = false;
    auto store = ledger::EventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    server::StoreEventLog log(store_.get());
    Engine engine(&log);
    DemoOptions demo;
    demo.seed = 7;
    demo.cafs = 3;
    demo.actions_per_school_year = 30;
    demo.first_school_year = 2023;
    demo.last_school_year = 2024;
    auto report = GenerateDemo(engine, demo);
    ASSERT_TRUE(report.ok()) << report.status();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(path_);
  }

  void AppendStray(const std::string& stream) {
    ledger::v1::EventData data;
    data.set_event_id(stream + "#stray");
    data.set_event_type("stray");
    ASSERT_TRUE(store_->Append(stream, ledger::ExpectedVersion::Any(), {data}).ok());
  }

  std::filesystem::path path_;
  std::unique_ptr<ledger::EventStore> store_;
};

TEST_F(RebuildTest, BothOrdersFoldTheSameFiguresFromEveryEvent) {
  const absl::StatusOr<RebuildReport> log = RebuildAll(*store_, 2);
  const absl::StatusOr<RebuildReport> by_caf = RebuildByCaf(*store_, 2);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_TRUE(by_caf.ok()) << by_caf.status();
  for (const RebuildReport* r : {&*log, &*by_caf}) {
    EXPECT_EQ(r->errors, 0u) << (r->samples.empty() ? "" : r->samples.front());
    EXPECT_EQ(r->unbalanced_reports, 0u);
    EXPECT_EQ(r->head, store_->Head().position);
    EXPECT_EQ(r->events, r->head);
    EXPECT_EQ(r->cafs, 3u);
    EXPECT_GT(r->civil_year_reports, 0u);
  }
  EXPECT_EQ(log->conventions, by_caf->conventions);
  EXPECT_GT(log->conventions, 0u);
  EXPECT_EQ(log->gestionnaires, by_caf->gestionnaires);
  EXPECT_EQ(log->civil_year_reports, by_caf->civil_year_reports);
}

TEST_F(RebuildTest, AnEventInNoStreamItFoldsIsAnErrorOfBothOrders) {
  AppendStray("elsewhere/x");
  AppendStray("clas/orphan");
  AppendStray("clas/caf-01/unknown-kind/1");
  for (const auto& rebuild : {RebuildAll, RebuildByCaf}) {
    const absl::StatusOr<RebuildReport> r = rebuild(*store_, 2);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->events + 3, r->head);
    EXPECT_GE(r->errors, 3u);
    EXPECT_THAT(r->samples, Contains(HasSubstr("3 of the log's")));
    EXPECT_THAT(r->samples, Contains(HasSubstr("clas/orphan is neither the barème nor a Caf's")));
    EXPECT_THAT(r->samples, Contains(HasSubstr(
                                "clas/caf-01/unknown-kind/1: a kind of stream the rebuild does "
                                "not fold")));
  }
}

}  // namespace
}  // namespace clas::bench
