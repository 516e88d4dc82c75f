// The civil-year reports the engine keeps (report_cache.h): a report kept serves while nothing of
// its Caf, nor of the barème, was appended since it was computed, and nothing it cannot place
// either (another writer on the log). Every answer of Engine::GetCivilYear equals the report of a
// fold from scratch (a new engine on the same log): after appends to the same Caf, to another Caf,
// after a correction and a closing, as of dates and instants in the past (R-ACC-8, R-HIST-2,
// R-HIST-3).
#include "projections/engine/report_cache.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ledger/base/absl_view.h"
#include "projections/accounts/books.h"
#include "tests/projections/agent.h"

namespace clas::testing {
namespace {

// Every figure of a report, as text: two reports are equal when their texts are.
std::string Text(const rules::CivilYearReport& r) {
  std::string out = absl::StrCat(r.caf_id, " ", r.year.y(), "\n");
  for (const auto& a : r.accounts) {
    absl::StrAppend(&out, base::ToAbsl(AccountName(a.account)), " ", a.opening.cents(), " ",
                    a.debits.cents(), " ", a.credits.cents(), " ", a.closing.cents(), "\n");
  }
  for (const auto& c : r.codes) {
    absl::StrAppend(&out, "code ", base::ToAbsl(CodeName(c.code)), " ", c.lines_amount.cents(), " ",
                    c.charge_debits.cents(), " ", c.charge_credits.cents(), " ",
                    c.net_charge.cents(), "\n");
  }
  const auto& e = r.envelope;
  absl::StrAppend(&out, "totals ", r.total_debits.cents(), " ", r.total_credits.cents(),
                  " payments ", r.payments_from_lines.cents(), " ", r.payments_from_events.cents(),
                  " envelope ", e.year.y(), " ", e.n_shares.cents(), " ", e.n1_shares.cents(), " ",
                  e.envelope.cents(), " ", e.paid.cents(), " ", e.remaining.cents(), "\n");
  for (const auto& f : r.failed_checks) absl::StrAppend(&out, f, "\n");
  return out;
}

rules::CivilYearReport Report(const std::string& caf, int32_t year) {
  rules::CivilYearReport r;
  r.caf_id = caf;
  r.year = CivilYear(year);
  return r;
}

// --- The cache alone. ----------------------------------------------------------------------------

TEST(ReportCacheTest, ServesUntilItsCafIsAppendedTo) {
  ReportCache cache;
  cache.Appended("caf-75", 1, 10);
  cache.Keep("caf-75", 2026, AsOf{}, 10, Report("caf-75", 2026));
  cache.Keep("caf-13", 2026, AsOf{}, 10, Report("caf-13", 2026));
  EXPECT_TRUE(cache.Find("caf-75", 2026, AsOf{}, 10).has_value());
  // Another Caf's events: caf-75's report still serves, at the new head too.
  cache.Appended("caf-13", 11, 12);
  EXPECT_TRUE(cache.Find("caf-75", 2026, AsOf{}, 12).has_value());
  EXPECT_FALSE(cache.Find("caf-13", 2026, AsOf{}, 12).has_value());
  // Its own: no longer (and the entry is dropped).
  cache.Appended("caf-75", 13, 13);
  EXPECT_FALSE(cache.Find("caf-75", 2026, AsOf{}, 13).has_value());
  EXPECT_EQ(cache.stats().entries, 0u);
  // Only the exact question is answered: another year, another as-of point, are not.
  cache.Keep("caf-75", 2026, AsOf{}, 13, Report("caf-75", 2026));
  EXPECT_FALSE(cache.Find("caf-75", 2027, AsOf{}, 13).has_value());
  EXPECT_FALSE(cache.Find("caf-75", 2026, AsOf{.effective_date = 20261231}, 13).has_value());
  EXPECT_FALSE(cache.Find("caf-75", 2026, AsOf{.known_at_us = 5}, 13).has_value());
  EXPECT_EQ(cache.Find("caf-75", 2026, AsOf{}, 13)->caf_id, "caf-75");
}

TEST(ReportCacheTest, TheBaremeAndEventsNotToldOfMoveEveryCaf) {
  ReportCache cache;
  cache.Appended("caf-75", 1, 10);
  cache.Keep("caf-75", 2026, AsOf{}, 10, Report("caf-75", 2026));
  cache.Appended("", 11, 11);  // the barème
  EXPECT_FALSE(cache.Find("caf-75", 2026, AsOf{}, 11).has_value());
  cache.Keep("caf-75", 2026, AsOf{}, 11, Report("caf-75", 2026));
  EXPECT_TRUE(cache.Find("caf-75", 2026, AsOf{}, 11).has_value());
  // The head at 12 though nobody told of 12: another writer, any Caf's event.
  EXPECT_FALSE(cache.Find("caf-75", 2026, AsOf{}, 12).has_value());
  // A report computed from a head read before an append it was not told of is not kept.
  cache.Appended("caf-75", 13, 13);
  cache.Keep("caf-75", 2026, AsOf{}, 12, Report("caf-75", 2026));
  EXPECT_FALSE(cache.Find("caf-75", 2026, AsOf{}, 13).has_value());
}

TEST(ReportCacheTest, AppendsToldOutOfOrderAreJoined) {
  ReportCache cache;
  cache.Appended("caf-75", 1, 10);
  cache.Keep("caf-75", 2026, AsOf{}, 10, Report("caf-75", 2026));
  // Two commands of other Cafs, told in the order they finish, not the order they were written.
  cache.Appended("caf-13", 13, 14);
  cache.Appended("caf-69", 11, 12);
  EXPECT_TRUE(cache.Find("caf-75", 2026, AsOf{}, 14).has_value());
  // Told late, after a query saw the head beyond: caf-75's report computed before was dropped
  // (the event might have been anyone's), and one computed after serves.
  cache.Keep("caf-75", 2026, AsOf{}, 14, Report("caf-75", 2026));
  EXPECT_FALSE(cache.Find("caf-75", 2026, AsOf{}, 15).has_value());
  cache.Keep("caf-75", 2026, AsOf{}, 15, Report("caf-75", 2026));
  cache.Appended("caf-13", 15, 15);
  EXPECT_TRUE(cache.Find("caf-75", 2026, AsOf{}, 15).has_value());
}

TEST(ReportCacheTest, KeepsAtMostTheLimitLeastRecentlyUsedFirst) {
  ReportCache cache;
  cache.Appended("caf-75", 1, 1);
  for (size_t i = 0; i <= kCachedReportsMax; ++i) {
    const int32_t year = 1000 + static_cast<int32_t>(i);
    cache.Keep("caf-75", year, AsOf{}, 1, Report("caf-75", year));
    if (i == 0) continue;
    ASSERT_TRUE(cache.Find("caf-75", 1000, AsOf{}, 1).has_value());  // the first, used again
  }
  EXPECT_EQ(cache.stats().entries, kCachedReportsMax);
  EXPECT_TRUE(cache.Find("caf-75", 1000, AsOf{}, 1).has_value());
  EXPECT_FALSE(cache.Find("caf-75", 1001, AsOf{}, 1).has_value());  // the least recently used
}

// --- Through the engine: every answer equals a fold from scratch. ---------------------------------

int64_t MicrosAt(int y, int m, int d) {
  return absl::ToUnixMicros(
      absl::FromCivil(absl::CivilSecond(y, m, d, 10, 0, 0), absl::UTCTimeZone()));
}

class EngineReports : public ::testing::Test {
 protected:
  void SetUp() override {
    agent_.log().SetNowMicros(MicrosAt(2026, 5, 1));
    ASSERT_TRUE(agent_.PublishBareme(2026, Eur(7000), Eur(1000), Eur(1500)).ok());
    ASSERT_TRUE(agent_.Register("asso-6", v1::ASSOCIATION).ok());
    ASSERT_TRUE(
        agent_.File(Agent::Request("conv-6", "asso-6", 2026, 1, 2, Eur(14000)), 20260515).ok());
    ASSERT_TRUE(agent_.Agree("conv-6", 2026, 2026, 2, 20260620).ok());
    ASSERT_TRUE(agent_.Sign("conv-6", 2026, 2026, 20260701).ok());
    agent_.log().SetNowMicros(MicrosAt(2026, 11, 2));
    ASSERT_TRUE(agent_.Acompte("conv-6", "a1", 2026, Eur(1274), 20261102).ok());
  }

  // The report of `year` as of `as_of` from the engine under test, checked against a new engine
  // on the same log (nothing cached): equal, or the test fails.
  void ExpectAsFromScratch(int32_t year, AsOf as_of = {}) {
    SCOPED_TRACE(absl::StrCat("civil year ", year, " as of ", as_of.effective_date, " known at ",
                              as_of.known_at_us));
    auto kept = agent_.engine().GetCivilYear(agent_.caf(), year, as_of);
    ASSERT_TRUE(kept.ok()) << kept.status();
    Engine fresh(&agent_.log());
    auto books = fresh.Books(agent_.caf(), as_of);
    ASSERT_TRUE(books.ok()) << books.status();
    auto scratch = CivilYearReportOf(*books, year);
    ASSERT_TRUE(scratch.ok()) << scratch.status();
    EXPECT_EQ(Text(*kept), Text(*scratch));
  }

  uint64_t Hits() { return agent_.engine().report_stats().hits; }

  // An event of another Caf, through the same engine.
  void RegisterElsewhere(const std::string& caf, const std::string& id) {
    v1::RegisterGestionnaire cmd;
    cmd.set_caf_id(caf);
    cmd.set_gestionnaire_id(id);
    cmd.set_name("Ailleurs");
    cmd.set_kind(v1::ASSOCIATION);
    cmd.set_date(20200101);
    ledger::v1::Actor actor;
    actor.set_id("agent-13");
    actor.set_role("agent");
    actor.set_tenant_id(caf);
    ASSERT_TRUE(agent_.engine().RegisterGestionnaire(cmd, actor, absl::StrCat("other-", id)).ok());
  }

  Agent agent_;
};

TEST_F(EngineReports, AskedAgainTheReportIsKeptAndEqual) {
  ExpectAsFromScratch(2026);
  const uint64_t hits = Hits();
  ExpectAsFromScratch(2026);
  EXPECT_EQ(Hits(), hits + 1);
}

TEST_F(EngineReports, AnAppendToTheCafMovesItsReport) {
  ExpectAsFromScratch(2027);
  agent_.log().SetNowMicros(MicrosAt(2027, 2, 1));
  auto paid = agent_.Acompte("conv-6", "a2", 2026, Eur(1911), 20270201);
  ASSERT_TRUE(paid.ok()) << paid.status();
  const uint64_t hits = Hits();
  ExpectAsFromScratch(2027);  // the second acompte is in it
  EXPECT_EQ(Hits(), hits);
  ExpectAsFromScratch(2027);
  EXPECT_EQ(Hits(), hits + 1);
}

TEST_F(EngineReports, AnAppendToAnotherCafKeepsIt) {
  ExpectAsFromScratch(2026);
  RegisterElsewhere("caf-13", "asso-13");
  const uint64_t hits = Hits();
  ExpectAsFromScratch(2026);
  EXPECT_EQ(Hits(), hits + 1);
}

TEST_F(EngineReports, AnotherWriterOnTheLogMovesEveryReport) {
  ExpectAsFromScratch(2026);
  ExpectAsFromScratch(2027);
  // Another engine on the same log: this one is not told, the log's head tells it.
  Engine other(&agent_.log());
  v1::PayAcompte cmd;
  cmd.set_caf_id(agent_.caf());
  cmd.set_convention_id("conv-6");
  cmd.set_payment_id("a2");
  cmd.set_school_year(2026);
  cmd.set_amount_cents(Eur(1911));
  cmd.set_date(20270201);
  agent_.log().SetNowMicros(MicrosAt(2027, 2, 1));
  auto paid = other.PayAcompte(cmd, agent_.actor(), "elsewhere-1");
  ASSERT_TRUE(paid.ok()) << paid.status();
  const uint64_t hits = Hits();
  ExpectAsFromScratch(2026);
  EXPECT_EQ(Hits(), hits);
  ExpectAsFromScratch(2027);
  EXPECT_EQ(Hits(), hits);
}

TEST_F(EngineReports, ABaremePublishedMovesEveryReport) {
  ExpectAsFromScratch(2026);
  ASSERT_TRUE(agent_.PublishBareme(2028, Eur(7500), Eur(1000), Eur(1500)).ok());
  const uint64_t hits = Hits();
  ExpectAsFromScratch(2026);
  EXPECT_EQ(Hits(), hits);
}

// R-ACC-3/4 and R-ACC-8: closings, then a correction of figures a closing used, each asked
// before and after, now and as of earlier points.
TEST_F(EngineReports, ClosingsAndACorrectionAsOfNowAndInThePast) {
  ExpectAsFromScratch(2026);
  agent_.log().SetNowMicros(MicrosAt(2027, 1, 5));
  ASSERT_TRUE(agent_.Close(2026, 20261231).ok());
  const int64_t after_first_closing = MicrosAt(2027, 1, 6);
  ExpectAsFromScratch(2026);
  ExpectAsFromScratch(2027);
  agent_.log().SetNowMicros(MicrosAt(2027, 2, 1));
  ASSERT_TRUE(agent_.Acompte("conv-6", "a2", 2026, Eur(1911), 20270201).ok());
  agent_.log().SetNowMicros(MicrosAt(2027, 9, 20));
  auto bilan = agent_.Bilan("conv-6", 2026, 2, Eur(12000), 20270920);
  ASSERT_TRUE(bilan.ok()) << bilan.status();
  agent_.log().SetNowMicros(MicrosAt(2027, 10, 15));
  ASSERT_TRUE(agent_.Solde("conv-6", "s1", 2026, 20271015).ok());
  agent_.log().SetNowMicros(MicrosAt(2028, 1, 15));
  ASSERT_TRUE(agent_.Close(2027, 20280115).ok());
  const int64_t before_correction = MicrosAt(2028, 2, 1);
  ExpectAsFromScratch(2027);
  ExpectAsFromScratch(2028);
  agent_.log().SetNowMicros(MicrosAt(2028, 3, 1));
  v1::ClasEvent typed_right;
  typed_right.mutable_bilan_received()->set_school_year(2026);
  typed_right.mutable_bilan_received()->mutable_figures()->set_collectifs(2);
  typed_right.mutable_bilan_received()->mutable_figures()->set_charges_cents(Eur(13000));
  agent_.ActAs("superviseur-1", "superviseur");
  auto corrected =
      agent_.Correct("conv-6", bilan->events[0].event_id, "charges mal saisies", typed_right,
                     20280301);
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  for (int32_t year : {2026, 2027, 2028}) {
    ExpectAsFromScratch(year);
    ExpectAsFromScratch(year);  // from the cache the second time
    ExpectAsFromScratch(year, AsOf{.known_at_us = before_correction});
    ExpectAsFromScratch(year, AsOf{.known_at_us = after_first_closing});
    ExpectAsFromScratch(year, AsOf{.effective_date = 20270630});
    ExpectAsFromScratch(year, AsOf{.effective_date = 20271231, .known_at_us = before_correction});
  }
  // Each question has its own answer: as of a date before the solde, 2027 paid less.
  auto now = agent_.engine().GetCivilYear(agent_.caf(), 2027, AsOf{});
  auto before = agent_.engine().GetCivilYear(agent_.caf(), 2027,
                                             AsOf{.effective_date = 20270630});
  ASSERT_TRUE(now.ok() && before.ok());
  EXPECT_GT(now->payments_from_events, before->payments_from_events);
}

}  // namespace
}  // namespace clas::testing
