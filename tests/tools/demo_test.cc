// The demo dataset: a small demo runs with no unexpected refusal, is reproducible byte for byte,
// balances every civil year of every Caf (R-ACC-10), and replays without writing anything when
// run again on the same log (request ids, R-HIST-1).
#include "tools/demo/demo.h"

#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "gtest/gtest.h"
#include "projections/codec/droit_codec.h"
#include "projections/codec/line_codec.h"
#include "projections/rules/accounting_report.h"

namespace clas {
namespace {

DemoOptions Small() {
  DemoOptions o;
  o.seed = 7;
  o.cafs = 3;
  o.actions_per_school_year = 30;
  o.first_school_year = 2023;
  o.last_school_year = 2024;
  return o;
}

std::string Bytes(const v1::ClasEvent& fact) {
  std::string out;
  google::protobuf::io::StringOutputStream raw(&out);
  google::protobuf::io::CodedOutputStream coded(&raw);
  coded.SetSerializationDeterministic(true);
  fact.SerializeToCodedStream(&coded);
  return out;
}

class SmallDemo : public ::testing::Test {
 protected:
  void SetUp() override {
    auto report = GenerateDemo(engine_, Small());
    ASSERT_TRUE(report.ok()) << report.status();
    report_ = *report;
  }

  InMemoryEventLog log_;
  Engine engine_{&log_};
  DemoReport report_;
};

TEST_F(SmallDemo, EveryCommandIsAcceptedButTheRefusalsSentOnPurpose) {
  EXPECT_EQ(report_.unexpected, 0) << FormatDemoReport(report_);
  EXPECT_GT(report_.accepted, 200);
  EXPECT_EQ(report_.replayed, 0);
  EXPECT_EQ(report_.accepted + report_.refused_as_intended, report_.commands);
  EXPECT_EQ(static_cast<int64_t>(log_.HeadPosition()), report_.events_written);
  // Three Caf show every kind of refusal between them, each naming its rule.
  EXPECT_GE(report_.refused_by_rule.size(), 8u) << FormatDemoReport(report_);
  EXPECT_EQ(report_.refused_by_rule.count("R-PAY-2"), 1u);
}

TEST_F(SmallDemo, ShapeHasEveryKindOfFact) {
  EXPECT_EQ(report_.shape.cafs, 3);
  EXPECT_EQ(report_.shape.actions_by_school_year.at(2023), 30);
  EXPECT_EQ(report_.shape.actions_by_school_year.at(2024), 30);
  for (const char* kind : {"RegisterGestionnaire", "PublishBareme", "FileFundingRequest",
                           "RecordCommitteeDecision", "SignConvention", "PayAcompte",
                           "ReceiveBilan", "PaySolde", "CloseCivilYear", "OpenControle",
                           "RecordControleFindings", "DecideControle", "RecordRecovery"}) {
    ASSERT_TRUE(report_.by_command.count(kind)) << kind << "\n" << FormatDemoReport(report_);
    EXPECT_GT(report_.by_command.at(kind).accepted, 0) << kind;
  }
}

TEST_F(SmallDemo, R_ACC_10_EveryCivilYearOfEveryCafBalances) {
  auto ids = engine_.ListConventionIds("");
  ASSERT_TRUE(ids.ok()) << ids.status();
  std::set<std::string> cafs;
  for (const auto& [caf, id] : *ids) cafs.insert(caf);
  ASSERT_EQ(cafs.size(), 3u);
  for (const std::string& caf : cafs) {
    for (int32_t year = 2023; year <= 2026; ++year) {
      auto report = engine_.GetCivilYear(caf, year, AsOf{});
      ASSERT_TRUE(report.ok()) << caf << " " << year << ": " << report.status();
      EXPECT_TRUE(report->balanced()) << caf << " " << year << "\n"
                                      << absl::StrJoin(report->failed_checks, "\n");
      EXPECT_EQ(report->payments_from_lines, report->payments_from_events) << caf << " " << year;
    }
  }
}

TEST_F(SmallDemo, R_HIST_1_RunningItAgainOnTheSameLogWritesNothing) {
  const uint64_t head = log_.HeadPosition();
  auto again = GenerateDemo(engine_, Small());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(log_.HeadPosition(), head);
  EXPECT_EQ(again->unexpected, 0) << FormatDemoReport(*again);
  EXPECT_EQ(again->events_written, 0);
  EXPECT_EQ(again->replayed, report_.accepted);
  EXPECT_EQ(again->refused_by_rule, report_.refused_by_rule);
}

TEST(Demo, ReproducibleOnAFreshLog) {
  InMemoryEventLog first_log, second_log;
  Engine first(&first_log), second(&second_log);
  ASSERT_TRUE(GenerateDemo(first, Small()).ok());
  ASSERT_TRUE(GenerateDemo(second, Small()).ok());
  const std::vector<DomainEvent> a = first_log.All(), b = second_log.All();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].event_id, b[i].event_id) << i;
    ASSERT_EQ(a[i].effective_date, b[i].effective_date) << a[i].event_id;
    ASSERT_EQ(Bytes(a[i].fact), Bytes(b[i].fact)) << a[i].event_id;
  }
}

TEST(Demo, AnotherSeedGivesOtherData) {
  InMemoryEventLog first_log, second_log;
  Engine first(&first_log), second(&second_log);
  DemoOptions other = Small();
  other.seed = 8;
  ASSERT_TRUE(GenerateDemo(first, Small()).ok());
  auto report = GenerateDemo(second, other);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->unexpected, 0) << FormatDemoReport(*report);
  EXPECT_NE(Bytes(first_log.All().back().fact), Bytes(second_log.All().back().fact));
}

TEST(Demo, NothingIsDatedAfterToday) {
  InMemoryEventLog log;
  Engine engine(&log);
  DemoOptions o = Small();
  o.today = 20250620;
  auto report = GenerateDemo(engine, o);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->unexpected, 0) << FormatDemoReport(*report);
  for (const DomainEvent& e : log.All()) EXPECT_LE(e.effective_date, o.today) << e.event_id;
}

TEST(Demo, ProgressIsReportedUpToTheTotal) {
  InMemoryEventLog log;
  Engine engine(&log);
  DemoOptions o = Small();
  o.cafs = 1;
  int64_t calls = 0, last_done = -1, last_total = -1;
  o.progress = [&](int64_t done, int64_t total) {
    EXPECT_GE(done, last_done);
    ++calls;
    last_done = done;
    last_total = total;
  };
  auto report = GenerateDemo(engine, o);
  ASSERT_TRUE(report.ok());
  EXPECT_GT(calls, 10);
  EXPECT_EQ(last_done, last_total);
  EXPECT_EQ(last_total, report->commands);
}

TEST(Demo, OptionsOutOfRangeAreRefused) {
  InMemoryEventLog log;
  Engine engine(&log);
  DemoOptions o = Small();
  o.cafs = 102;
  EXPECT_EQ(GenerateDemo(engine, o).status().code(), absl::StatusCode::kInvalidArgument);
  o = Small();
  o.last_school_year = 2022;
  EXPECT_EQ(GenerateDemo(engine, o).status().code(), absl::StatusCode::kInvalidArgument);
  o = Small();
  o.today = 20260230;
  EXPECT_EQ(GenerateDemo(engine, o).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log.HeadPosition(), 0u);
}

// The national demo (101 Caf, 3 700 actions a school year, 2021 to 2026), run by hand to
// measure it: --gtest_also_run_disabled_tests --gtest_filter=*National*.
TEST(Demo, DISABLED_National) {
  InMemoryEventLog log;
  Engine engine(&log);
  DemoOptions o;
  o.progress = [](int64_t done, int64_t total) {
    if (done % 20000 < 700 || done == total) std::fprintf(stderr, "%ld / %ld\n", done, total);
  };
  const auto start = std::chrono::steady_clock::now();
  auto report = GenerateDemo(engine, o);
  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(report.ok()) << report.status();
  std::printf("%s%.1f s\n", FormatDemoReport(*report).c_str(), seconds);
  EXPECT_EQ(report->unexpected, 0);
}

// Every line the demo's closings recorded comes back from the codec with the same bytes
// (codec/line_codec.h): the books read the lines a closing wrote, and nothing else.
TEST_F(SmallDemo, R_ACC_3_EveryRecordedLineDecodesAndEncodesToTheSameBytes) {
  auto events = log_.ReadStreamsUnder("clas/");
  ASSERT_TRUE(events.ok()) << events.status();
  int closings = 0, lines = 0;
  for (const DomainEvent& e : *events) {
    if (!e.fact.has_civil_year_closed()) continue;
    ++closings;
    for (const v1::AccountingLine& wire : e.fact.civil_year_closed().lines()) {
      ++lines;
      const absl::StatusOr<Line> line = codec::Decode(wire);
      ASSERT_TRUE(line.ok()) << e.event_id << ": " << line.status();
      EXPECT_EQ(codec::Encode(*line).SerializeAsString(), wire.SerializeAsString()) << e.event_id;
    }
  }
  EXPECT_GT(closings, 0);
  EXPECT_GT(lines, closings);
}

// Every clas.v1.DroitBreakdown inside `m`, however deep.
void Breakdowns(const google::protobuf::Message& m, std::vector<const v1::DroitBreakdown*>* out) {
  if (m.GetDescriptor() == v1::DroitBreakdown::descriptor()) {
    out->push_back(static_cast<const v1::DroitBreakdown*>(&m));
    return;
  }
  const google::protobuf::Reflection* reflection = m.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(m, &fields);
  for (const google::protobuf::FieldDescriptor* f : fields) {
    if (f->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (!f->is_repeated()) {
      Breakdowns(reflection->GetMessage(m, f), out);
      continue;
    }
    for (int i = 0; i < reflection->FieldSize(m, f); ++i) {
      Breakdowns(reflection->GetRepeatedMessage(m, f, i), out);
    }
  }
}

// Every droit the demo's events recorded (a DP, DR or DC with the inputs it was computed from,
// R-HIST-3) comes back from the codec with the same bytes, and its shares are its amounts.
TEST_F(SmallDemo, R_HIST_3_EveryRecordedDroitDecodesAndEncodesToTheSameBytes) {
  auto events = log_.ReadStreamsUnder("clas/");
  ASSERT_TRUE(events.ok()) << events.status();
  std::set<v1::DroitKind> kinds;
  size_t droits = 0;
  for (const DomainEvent& e : *events) {
    std::vector<const v1::DroitBreakdown*> found;
    Breakdowns(e.fact, &found);
    for (const v1::DroitBreakdown* wire : found) {
      ++droits;
      kinds.insert(wire->inputs().kind());
      const absl::StatusOr<Droit> droit = codec::Decode(*wire);
      ASSERT_TRUE(droit.ok()) << e.event_id << ": " << droit.status();
      v1::DroitBreakdown again;
      codec::Encode(*droit, &again);
      EXPECT_EQ(again.SerializeAsString(), wire->SerializeAsString()) << e.event_id;
      EXPECT_EQ(droit->shares(), codec::SharesOf(*wire)) << e.event_id;
    }
  }
  EXPECT_GT(droits, 100u);
  EXPECT_EQ(kinds,
            (std::set<v1::DroitKind>{v1::DROIT_PREVISIONNEL, v1::DROIT_REEL, v1::DROIT_CONTROLE}));
}

}  // namespace
}  // namespace clas
