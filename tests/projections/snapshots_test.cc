// R-HIST-2: the snapshots of ConventionCache answer every as-of query exactly as a fold from
// scratch (FoldConvention), on streams that grow event by event, with backdated events and
// corrections; and they save the work they are for.
#include "projections/history/snapshots.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/projections/random_history.h"

namespace clas::testing {
namespace {

constexpr int kSyntheticStreams = 20;
constexpr int kSyntheticEventsMax = 200;
constexpr int kEngineSeeds = 60;

::testing::AssertionResult Same(const v1::ConventionState& want, const v1::ConventionState& got) {
  google::protobuf::util::MessageDifferencer differencer;
  std::string diff;
  differencer.ReportDifferencesToString(&diff);
  if (differencer.Compare(want, got)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << diff;
}

// A convention's stream written by hand, as a log would record it: positions and instants grow;
// effective dates mostly grow, sometimes go back (backdated facts); corrections replace or cancel
// earlier facts. The barème of 2027 is published halfway (a context that changes with T).
class SyntheticStream {
 public:
  // `bareme_2027`: the barème of 2027 is published once the stream has 40 events.
  explicit SyntheticStream(uint32_t seed, bool bareme_2027 = true)
      : rng_(seed), bareme_2027_(bareme_2027) {
    Bareme(2026);
    Add(20250601, Request());
    v1::ClasEvent decision;
    auto* d = decision.mutable_committee_decision_recorded();
    d->set_outcome(v1::VALIDATED);
    d->set_first_school_year(2026);
    d->set_last_school_year(2027);
    d->set_agreed_collectifs(3);
    d->set_bonus_enfants_collectifs(1);
    Add(20250701, decision);
    v1::ClasEvent convention;
    convention.mutable_convention_signed()->set_first_school_year(2026);
    convention.mutable_convention_signed()->set_last_school_year(2027);
    convention.mutable_convention_signed()->set_charges_cents(Eur(20000));
    Add(20250715, convention);
  }

  // Appends one random event.
  void Grow() {
    if (stream_.size() == 40 && bareme_2027_) Bareme(2027);
    const int32_t n = static_cast<int32_t>(Between(2026, 2027));
    // Mostly forward in time, one event in eight backdated.
    date_ = Between(1, 8) == 1 ? Plus(date_, -Between(1, 200)) : Plus(date_, Between(0, 6));
    v1::ClasEvent f;
    switch (Between(0, 11)) {
      case 0:
      case 1: {
        auto* x = f.mutable_collectifs_notified();
        x->set_school_year(n);
        x->set_collectifs(static_cast<int32_t>(Between(1, 3)));
        break;
      }
      case 2:
      case 3:
      case 4:
      case 5:
      case 6: {
        auto* a = f.mutable_acompte_paid();
        a->set_payment_id(absl::StrCat("p", stream_.size()));
        a->set_school_year(n);
        a->set_amount_cents(Between(1, Eur(500)));
        a->set_cap_cents(Eur(1000));
        break;
      }
      case 7:
      case 8: {
        auto* b = f.mutable_bilan_received();
        b->set_school_year(n);
        b->mutable_figures()->set_collectifs(static_cast<int32_t>(Between(1, 3)));
        b->mutable_figures()->set_charges_cents(Between(Eur(1000), Eur(30000)));
        break;
      }
      default:
        f = Correction();
        break;
    }
    Add(date_, f);
  }

  // Appends an acompte of 2026 dated after everything: a fact that touches neither 2027 nor any
  // earlier fact.
  void GrowInOrder() {
    date_ = Plus(date_, 1);
    v1::ClasEvent f;
    f.mutable_acompte_paid()->set_payment_id(absl::StrCat("q", stream_.size()));
    f.mutable_acompte_paid()->set_school_year(2026);
    f.mutable_acompte_paid()->set_amount_cents(Eur(10));
    Add(date_, f);
  }

  const std::vector<DomainEvent>& events() const { return stream_; }
  // Publishes the barème of a school year (recorded now, effective since 2025).
  void Bareme(int32_t year) {
    DomainEvent e;
    e.event_id = absl::StrCat("b", year);
    e.position = ++position_;
    e.recorded_at_us = 1'000'000 + 10 * static_cast<int64_t>(position_);
    e.effective_date = 20250101;
    auto* b = e.fact.mutable_bareme_published()->mutable_bareme();
    b->set_school_year(year);
    b->set_plafond_cents(Between(Eur(5000), Eur(9000)));
    b->set_bonus_enfants_cents(Eur(1000));
    baremes_.push_back(std::move(e));
  }
  // The barèmes as known at (D, T), as the engine reads them.
  BaremeBook Book(const AsOf& as_of) const { return BaremeBook::FromEvents(baremes_, as_of); }
  int64_t Between(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }

 private:
  static int32_t Plus(int32_t date, int64_t days) {
    const int32_t out = YmdFromDay(*DayFromYmd(date) + days);
    return std::max(out, 20250801);
  }

  static v1::ClasEvent Request() {
    v1::ClasEvent f;
    *f.mutable_funding_request_filed() = Agent::Request("conv-s", "g1", 2026, 2, 3, Eur(20000));
    return f;
  }

  // A correction of a random earlier fact: its figures replaced, or the fact cancelled.
  v1::ClasEvent Correction() {
    const DomainEvent& target = stream_[Between(0, stream_.size() - 1)];
    v1::ClasEvent f;
    auto* c = f.mutable_event_corrected();
    c->set_target_event_id(target.event_id);
    if (target.fact.has_bilan_received() || target.fact.has_collectifs_notified()) {
      *c->mutable_replacement() = target.fact;
      if (target.fact.has_bilan_received()) {
        c->mutable_replacement()->mutable_bilan_received()->mutable_figures()->set_charges_cents(
            Between(Eur(1000), Eur(30000)));
      } else {
        c->mutable_replacement()->mutable_collectifs_notified()->set_collectifs(
            static_cast<int32_t>(Between(1, 3)));
      }
      if (Between(0, 2) == 0) c->set_cancel(true), c->clear_replacement();
    } else if (target.fact.has_acompte_paid()) {
      c->set_cancel(true);
    } else {
      *c->mutable_replacement() = Request();
      c->mutable_replacement()->mutable_funding_request_filed()->set_charges_cents(
          Between(Eur(5000), Eur(40000)));
    }
    return f;
  }

  void Add(int32_t date, v1::ClasEvent fact) {
    date_ = date;
    fact.set_convention_id("conv-s");
    DomainEvent e;
    e.event_id = absl::StrCat("e", ++position_);
    e.stream_id = "clas/caf-s/convention/conv-s";
    e.position = position_;
    e.stream_version = stream_.size() + 1;
    e.recorded_at_us = 1'000'000 + 10 * static_cast<int64_t>(position_);
    e.effective_date = date;
    e.caf_id = "caf-s";
    e.fact = std::move(fact);
    stream_.push_back(std::move(e));
  }

  std::mt19937_64 rng_;
  const bool bareme_2027_;
  std::vector<DomainEvent> stream_, baremes_;
  uint64_t position_ = 0;
  int32_t date_ = 20250801;
};

// Every as-of point worth asking of `stream`: now, known at some instants, as of some dates.
std::vector<AsOf> Points(SyntheticStream& s, const std::vector<DomainEvent>& stream) {
  std::vector<AsOf> out = {AsOf{}};
  for (int k = 0; k < 3; ++k) {
    const DomainEvent& a = stream[s.Between(0, stream.size() - 1)];
    const DomainEvent& b = stream[s.Between(0, stream.size() - 1)];
    out.push_back(AsOf{.known_at_us = a.recorded_at_us});
    out.push_back(AsOf{.known_at_us = a.recorded_at_us - 1});
    out.push_back(AsOf{.effective_date = b.effective_date});
    out.push_back(AsOf{.effective_date = b.effective_date, .known_at_us = a.recorded_at_us});
  }
  return out;
}

TEST(ConventionCacheTest, R_HIST_2_EveryAsOfAnswerEqualsAFoldFromScratch) {
  Gestionnaire g;
  g.name = "Centre social";
  g.kind = GestionnaireKind::kCentreSocial;
  for (uint32_t seed = 0; seed < kSyntheticStreams; ++seed) {
    SCOPED_TRACE(absl::StrCat("synthetic stream, seed ", seed));
    SyntheticStream s(seed);
    ConventionCache cache;
    const int events = static_cast<int>(s.Between(kSyntheticEventsMax / 2, kSyntheticEventsMax));
    for (int i = 0; i < events; ++i) {
      s.Grow();
      if (s.Between(0, 3) != 0) continue;  // queries now and then: several events per sync
      for (const AsOf& as_of : Points(s, s.events())) {
        const BaremeBook book = s.Book(as_of);
        const FoldContext context{.baremes = &book, .gestionnaire = &g};
        ASSERT_TRUE(Same(FoldConvention(s.events(), as_of, context),
                         cache.Fold(s.events(), as_of, context)))
            << "after " << s.events().size() << " events, as of " << as_of.effective_date
            << " known at " << as_of.known_at_us;
      }
    }
  }
}

// The engine's own histories (random_history.h): after every command, the convention it changed
// asked as of now, as known at an earlier instant and as of an earlier date, with the barèmes and
// the gestionnaire the engine would read then.
class CacheChecker : public HistoryObserver {
 public:
  CacheChecker(uint32_t seed, RandomHistory* history)
      : seed_(seed), history_(history), rng_(seed) {}

  void AfterStep(const Step& step) override {
    if (step.convention.empty() || HasFailure()) return;
    Agent& agent = history_->agent();
    auto stream = agent.engine().ConventionEvents(agent.caf(), step.convention);
    ASSERT_TRUE(stream.ok());
    const DomainEvent& e =
        (*stream)[std::uniform_int_distribution<size_t>(0, stream->size() - 1)(rng_)];
    for (const AsOf& as_of : {AsOf{}, AsOf{.known_at_us = e.recorded_at_us},
                              AsOf{.effective_date = e.effective_date}}) {
      auto book = agent.engine().Baremes(as_of);
      ASSERT_TRUE(book.ok());
      auto g = agent.engine().GetGestionnaire(agent.caf(),
                                              history_->GestionnaireOf(step.convention), as_of);
      const FoldContext context{.baremes = &*book, .gestionnaire = g.ok() ? &*g : nullptr};
      EXPECT_TRUE(
          Same(FoldConvention(*stream, as_of, context), cache_.Fold(*stream, as_of, context)))
          << "seed " << seed_ << ", after " << step.what << ", as of " << as_of.effective_date
          << " known at " << as_of.known_at_us;
    }
  }
  void AfterProbe(const Probe&) override {}
  void Unexpected(const std::string& what, const absl::Status& status) override {
    ADD_FAILURE() << "seed " << seed_ << ": " << what << " refused: " << status;
  }
  static bool HasFailure() { return ::testing::Test::HasFailure(); }

 private:
  const uint32_t seed_;
  RandomHistory* const history_;
  std::mt19937_64 rng_;
  ConventionCache cache_;
};

TEST(ConventionCacheTest, R_HIST_2_EngineHistoriesAskedAsOfAnyPointMatchAFoldFromScratch) {
  for (uint32_t seed = 0; seed < kEngineSeeds; ++seed) {
    RandomHistory history(seed);
    CacheChecker checker(seed, &history);
    history.set_observer(&checker);
    history.Run();
    if (::testing::Test::HasFailure()) break;
  }
}

TEST(ConventionCacheTest, R_HIST_2_AQueryAsOfNowAppliesOnlyTheNewEvents) {
  SyntheticStream s(7);
  Gestionnaire g;
  std::vector<DomainEvent> chronological;
  for (int i = 0; i < 300; ++i) s.Grow();
  for (const auto& e : s.events()) {
    if (!e.fact.has_event_corrected()) chronological.push_back(e);
  }
  std::stable_sort(chronological.begin(), chronological.end(), [](const auto& a, const auto& b) {
    return a.effective_date < b.effective_date;
  });
  for (size_t i = 0; i < chronological.size(); ++i) {  // a log recorded in date order
    chronological[i].position = i + 1;
    chronological[i].recorded_at_us = 1'000'000 + 10 * static_cast<int64_t>(i);
  }
  const BaremeBook book = s.Book(AsOf{});
  const FoldContext context{.baremes = &book, .gestionnaire = &g};
  ConventionCache cache;
  std::vector<DomainEvent> stream(chronological.begin(), chronological.end() - 1);
  cache.Fold(stream, AsOf{}, context);
  EXPECT_EQ(cache.stats().misses, 1u);  // nothing kept: folded from scratch
  EXPECT_EQ(cache.stats().hits, 0u);
  const uint64_t before = cache.stats().events_applied;
  stream.push_back(chronological.back());
  EXPECT_TRUE(Same(FoldConvention(stream, AsOf{}, context), cache.Fold(stream, AsOf{}, context)));
  EXPECT_EQ(cache.stats().events_applied - before, 1u);
  EXPECT_EQ(cache.stats().hits, 1u);  // the new event applied to what was kept
  // Known at the instant of the 200th event: from the checkpoint after 192 events.
  const AsOf then{.known_at_us = stream[199].recorded_at_us};
  const uint64_t at = cache.stats().events_applied;
  EXPECT_TRUE(Same(FoldConvention(stream, then, context), cache.Fold(stream, then, context)));
  EXPECT_LE(cache.stats().events_applied - at, kCheckpointEveryEvents);
  EXPECT_EQ(cache.stats().hits, 2u);
  EXPECT_EQ(cache.stats().misses, 1u);
  EXPECT_EQ(cache.stats().queries, 3u);
}

TEST(ConventionCacheTest, R_HIST_2_LongStreamsKeepBoundedCheckpointsAndStayExact) {
  SyntheticStream s(11);
  Gestionnaire g;
  ConventionCache cache;
  const size_t events = kCheckpointEveryEvents * (kCheckpointsPerStreamMax + 10);
  for (size_t i = 0; i < events; ++i) {
    s.Grow();
    if (i % 500 != 499) continue;
    for (const AsOf& as_of : Points(s, s.events())) {
      const BaremeBook book = s.Book(as_of);
      const FoldContext context{.baremes = &book, .gestionnaire = &g};
      ASSERT_TRUE(
          Same(FoldConvention(s.events(), as_of, context), cache.Fold(s.events(), as_of, context)));
    }
  }
  EXPECT_LE(cache.stats().checkpoints_max, kCheckpointsPerStreamMax);
  EXPECT_GT(cache.stats().checkpoints_max, kCheckpointsPerStreamMax / 2);
}

TEST(ConventionCacheTest, R_HIST_2_ABaremePublishedLaterRefoldsTheCache) {
  SyntheticStream s(3, /*bareme_2027=*/false);
  Gestionnaire g;
  ConventionCache cache;
  for (int i = 0; i < 20; ++i) s.Grow();
  const BaremeBook without = s.Book(AsOf{});  // no barème of 2027: no DP for 2027 (R-DROIT-7)
  const FoldContext before{.baremes = &without, .gestionnaire = &g};
  ASSERT_TRUE(
      Same(FoldConvention(s.events(), AsOf{}, before), cache.Fold(s.events(), AsOf{}, before)));
  s.Bareme(2027);
  s.GrowInOrder();
  const BaremeBook with = s.Book(AsOf{});
  const FoldContext after{.baremes = &with, .gestionnaire = &g};
  ASSERT_NE(with.Find(2027), nullptr);
  EXPECT_TRUE(
      Same(FoldConvention(s.events(), AsOf{}, after), cache.Fold(s.events(), AsOf{}, after)));
  // Known before the publication: an entry of that context's own, exact too.
  const AsOf then{.known_at_us = s.events()[10].recorded_at_us};
  EXPECT_TRUE(Same(FoldConvention(s.events(), then, before), cache.Fold(s.events(), then, before)));
}

TEST(ConventionCacheTest, R_HIST_2_QueriesBeforeABaremeWasPublishedStartFromTheirOwnCheckpoints) {
  SyntheticStream s(5, /*bareme_2027=*/false);
  Gestionnaire g;
  ConventionCache cache;
  for (int i = 0; i < 300; ++i) s.GrowInOrder();  // nothing backdated: checkpoints serve T
  s.Bareme(2027);
  for (int i = 0; i < 10; ++i) s.GrowInOrder();
  const BaremeBook now_book = s.Book(AsOf{});
  const FoldContext now{.baremes = &now_book, .gestionnaire = &g};
  ASSERT_TRUE(Same(FoldConvention(s.events(), AsOf{}, now), cache.Fold(s.events(), AsOf{}, now)));
  // Known at the 250th event: no barème of 2027 then, another context than now's.
  const AsOf then{.known_at_us = s.events()[249].recorded_at_us};
  const BaremeBook then_book = s.Book(then);
  ASSERT_EQ(then_book.Find(2027), nullptr);
  const FoldContext before{.baremes = &then_book, .gestionnaire = &g};
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round);
    const uint64_t at = cache.stats().events_applied;
    EXPECT_TRUE(
        Same(FoldConvention(s.events(), then, before), cache.Fold(s.events(), then, before)));
    // The second time, from that context's checkpoint after 224 events: at most one interval.
    if (round == 1) EXPECT_LE(cache.stats().events_applied - at, kCheckpointEveryEvents);
  }
  // As known now, still the entry of now's context.
  const uint64_t at = cache.stats().events_applied;
  EXPECT_TRUE(Same(FoldConvention(s.events(), AsOf{}, now), cache.Fold(s.events(), AsOf{}, now)));
  EXPECT_EQ(cache.stats().events_applied - at, 0u);
  // Misses: the first query of each context; hits: the second of the earlier context, the last.
  EXPECT_EQ(cache.stats().misses, 2u);
  EXPECT_EQ(cache.stats().hits, 2u);
}

}  // namespace
}  // namespace clas::testing
