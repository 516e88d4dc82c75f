// Property tests: random valid histories (random_history.h) driven through the engine, with the
// invariants of RULES.md checked after every step and at the end of each history. Every failure
// names its rule and the seed; replay one seed alone with CLAS_PROPERTY_SEED=<seed>.
#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "projections/history/recompute.h"
#include "projections/rules/accounting.h"
#include "projections/rules/payments.h"
#include "tests/projections/own_offsets.h"
#include "tests/projections/random_history.h"
#include "tests/projections/report_text.h"

namespace clas::testing {
namespace {

// 20 blocks of 25 seeds: 500 histories of 1 to 3 conventions each (about 20 000 commands).
constexpr int kBlocks = 20;
constexpr uint32_t kSeedsPerBlock = 25;
// As-of points sampled per convention at the end of a history.
constexpr int kAsOfSamples = 3;

::testing::AssertionResult SameState(const v1::ConventionState& want,
                                     const v1::ConventionState& got) {
  google::protobuf::util::MessageDifferencer differencer;
  std::string diff;
  differencer.ReportDifferencesToString(&diff);
  if (differencer.Compare(want, got)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << diff;
}

v1::ConventionState WithAsOf(v1::ConventionState s, const AsOf& as_of) {
  s.set_as_of_date(as_of.effective_date);
  s.set_known_at_us(as_of.known_at_us);
  return s;
}

// R-PAY-1 (and R-DROIT-6): a breakdown's shares add up to its droit.
void CheckShares(const v1::DroitBreakdown& d, const std::string& what) {
  SCOPED_TRACE(absl::StrCat("R-PAY-1 ", what));
  EXPECT_EQ(d.n_share_cents() + d.n1_share_cents(), d.droit_cents());
  EXPECT_EQ(d.n_share_cents(), (4 * d.ps_cents() + 5) / 10);
  EXPECT_EQ(d.ps_cents() + d.bonus_enfants_cents() + d.bonus_parents_cents(), d.droit_cents());
}

// R-PAY-2, R-PAY-3: each acompte within the cap recorded on it, counting the acomptes of its share
// folded before it. With `dated` (histories recorded in date order), R-PAY-6 too: that cap is the
// one of the DP in force at its date.
void CheckCaps(const v1::SchoolYearState& y, bool dated) {
  std::map<int32_t, int64_t> paid;  // by civil year, in fold order
  for (const auto& p : y.acomptes()) {
    const bool n_share = p.civil_year() == y.school_year();
    SCOPED_TRACE(absl::StrCat(n_share ? "R-PAY-2" : "R-PAY-3", " acompte ", p.payment_id()));
    paid[p.civil_year()] += p.amount_cents();
    EXPECT_LE(paid[p.civil_year()], p.cap_cents());
    EXPECT_EQ(p.share(), n_share ? "N" : "N+1");  // R-PAY-4
    if (!dated) continue;
    const v1::DroitBreakdown* dp = DpInForce(y, p.date());
    ASSERT_NE(dp, nullptr) << "R-PAY-6: no DP in force at " << p.date();
    const Money cap = rules::AcompteCap(n_share ? rules::Share::kN : rules::Share::kN1,
                                        Money::Cents(dp->ps_cents()));
    EXPECT_EQ(p.cap_cents(), cap.cents()) << "R-PAY-6: cap of the DP in force at " << p.date();
  }
}

// R-PAY-6, R-HIST-3: an acompte records the DP in force at its date as the ledger knew it when it
// was paid (`before`: the state just before), the cap of its share under that DP, and what the
// share had received.
void CheckAcompteDecision(const DomainEvent& e, const v1::ConventionState& before) {
  const v1::AcomptePaid& a = e.fact.acompte_paid();
  SCOPED_TRACE(absl::StrCat("R-PAY-6 acompte ", a.payment_id()));
  const v1::SchoolYearState* y = FindYear(before, a.school_year());
  ASSERT_NE(y, nullptr);
  const v1::DroitBreakdown* dp = DpInForce(*y, e.effective_date);
  ASSERT_NE(dp, nullptr);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*dp, a.dp()));
  const bool n_share = e.effective_date / 10000 == a.school_year();
  EXPECT_EQ(a.cap_cents(), rules::AcompteCap(n_share ? rules::Share::kN : rules::Share::kN1,
                                             Money::Cents(dp->ps_cents()))
                               .cents());
  int64_t paid = 0;
  for (const auto& p : y->acomptes()) {
    if (p.civil_year() == e.effective_date / 10000) paid += p.amount_cents();
  }
  EXPECT_EQ(a.paid_before_cents(), paid);
  EXPECT_LE(paid + a.amount_cents(), a.cap_cents()) << "R-PAY-2 / R-PAY-3";
}

void CheckYear(const v1::SchoolYearState& y, bool dated) {
  const std::string year = SchoolYear(y.school_year()).ToString();
  if (y.has_dp()) CheckShares(y.dp(), "DP " + year);
  for (const auto& v : y.dp_history()) CheckShares(v.dp(), "DP history " + year);
  if (y.has_dr()) CheckShares(y.dr(), "DR " + year);
  if (y.has_dc()) CheckShares(y.dc(), "DC " + year);
  CheckCaps(y, dated);
  const int64_t acomptes = y.acomptes_n_cents() + y.acomptes_n1_cents();
  if (y.solde_paid()) {
    SCOPED_TRACE("R-CONV-6 " + year);
    EXPECT_TRUE(y.bilan_received()) << "a solde without the bilan";
    EXPECT_LE(y.bilan_date(), y.solde().date()) << "a solde dated before the bilan";
  }
  if (y.solde_paid() && y.has_dr() && y.controle_id().empty()) {
    SCOPED_TRACE("R-PAY-5 R-PAY-9 " + year);
    const int64_t dr = y.dr().droit_cents();
    if (y.solde_revisions().empty()) {
      EXPECT_EQ(y.solde().amount_cents(), std::max<int64_t>(0, dr - acomptes));
    }
    // The settlement: what was paid, less the indus notified, plus the complément still due, is
    // DR (the corrected one after a revision).
    EXPECT_EQ(y.paid_net_cents() + y.rappel_due_cents(), dr);
    EXPECT_EQ(y.solde_settled_cents(), dr - acomptes);
    EXPECT_EQ(y.complement_due_cents(), y.rappel_due_cents());
  }
  if (!y.controle_id().empty()) {
    SCOPED_TRACE("R-CTL-2 R-CTL-3 " + year);
    ASSERT_TRUE(y.has_dc());
    // The rappel decided and not yet paid is what separates paid net from DC.
    EXPECT_EQ(y.paid_net_cents() + y.rappel_due_cents(), y.dc().droit_cents());
    EXPECT_GE(y.rappel_due_cents(), 0);
  }
}

void CheckIndus(const v1::ConventionState& s) {
  for (const auto& i : s.indus()) {
    SCOPED_TRACE("R-CTL-5 indu " + i.indu_id());
    int64_t recovered = 0;
    for (const auto& r : i.recoveries()) recovered += r.amount_cents();
    EXPECT_EQ(i.recovered_cents(), recovered);
    EXPECT_LE(recovered, i.amount_cents());
    EXPECT_EQ(i.open_cents(), i.amount_cents() - recovered);
    EXPECT_EQ(i.open_cents() == 0, recovered == i.amount_cents());
  }
}

class InvariantChecker : public HistoryObserver {
 public:
  InvariantChecker(uint32_t seed, RandomHistory* history) : seed_(seed), history_(history) {}

  void AfterStep(const Step& step) override {
    SCOPED_TRACE(absl::StrCat("seed ", seed_, ", after ", step.what));
    ++steps_;
    ++kinds_[step.what.substr(0, step.what.find(' '))];
    if (std::getenv("CLAS_PROPERTY_VERBOSE") != nullptr) std::printf("%s\n", step.what.c_str());
    for (const DomainEvent& e : step.result.events) {
      if (!e.fact.has_civil_year_closed()) continue;
      // R-ACC-8: what a closed year booked, to check at the end that nothing changed it.
      const int32_t year = e.fact.civil_year_closed().civil_year();
      closed_books_[year] = BookedLines(year);
    }
    if (step.convention.empty() || step.result.events.empty()) return;
    Tracked& t = tracked_[step.convention];
    for (const DomainEvent& e : step.result.events) {
      if (e.fact.has_acompte_paid() && !t.snapshots.empty()) {
        CheckAcompteDecision(e, t.snapshots.back().state);
      }
      if (e.fact.has_event_corrected() || e.effective_date < t.last_effective) {
        t.chronological = false;
      }
      t.last_effective = std::max(t.last_effective, e.effective_date);
      if (e.fact.has_acompte_paid())
        CheckShares(e.fact.acompte_paid().dp(), "acompte " + e.event_id);
      if (e.fact.has_solde_paid()) CheckShares(e.fact.solde_paid().dr(), "solde " + e.event_id);
      for (const auto& o : e.fact.controle_decided().outcomes()) CheckShares(o.dc(), "contrôle");
    }
    // The convention right after the command, folded from scratch (a fresh engine keeps no
    // head nor snapshot).
    Engine fresh(&history_->agent().log());
    const DomainEvent& last = step.result.events.back();
    auto after = fresh.GetConvention(history_->agent().caf(), step.convention,
                                     AsOf{.known_at_us = last.recorded_at_us});
    ASSERT_TRUE(after.ok()) << after.status();
    // The answer's figures are those of the school years the command touched, in that state.
    ASSERT_TRUE(step.result.figures.has_value()) << "a convention command answers its figures";
    std::optional<DomainEvent> target;
    if (step.result.events.front().fact.has_event_corrected()) {
      auto found = history_->agent().log().FindEvent(
          step.result.events.front().fact.event_corrected().target_event_id());
      ASSERT_TRUE(found.ok() && found->has_value());
      target = **found;
    }
    const v1::ConventionFigures expected =
        FiguresOf(*after, TouchedYears(step.result.events, target ? &*target : nullptr, *after),
                  last.stream_version, last.position);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*step.result.figures, expected))
        << "the answer's figures against a fold from scratch, seed " << seed_ << "\n"
        << step.result.figures->DebugString() << "\n" << expected.DebugString();
    if (t.chronological) {
      // R-HIST-2: rebuilding from scratch equals applying the new events one by one to the
      // state kept up to date.
      const FoldContext context = Context(step.convention);
      for (const DomainEvent& e : step.result.events) Apply(&t.incremental, e, context);
      EXPECT_TRUE(SameState(WithAsOf(t.incremental, AsOf{.known_at_us = last.recorded_at_us}),
                            WithOwnOffsetsOnly(*after)))
          << "R-HIST-2 rebuild = incremental, seed " << seed_;
      ++incremental_checks_;
    }
    t.snapshots.push_back(Snapshot{.known_at_us = last.recorded_at_us,
                                   .first_effective = step.result.events.front().effective_date,
                                   .last_effective = t.last_effective,
                                   .state = *after});
    for (const auto& y : after->years()) CheckYear(y, t.chronological);
    CheckIndus(*after);
  }

  void AfterProbe(const Probe& probe) override {
    SCOPED_TRACE(absl::StrCat("seed ", seed_, ", probe ", probe.what));
    ++probes_;
    EXPECT_FALSE(probe.status.ok()) << probe.rule << ": accepted";
    EXPECT_EQ(probe.status.code(), absl::StatusCode::kFailedPrecondition) << probe.status;
    EXPECT_THAT(RuleIds(probe.status), ::testing::Contains(probe.rule)) << probe.status;
    EXPECT_FALSE(probe.wrote) << probe.rule << ": a refused command wrote to the log";
  }

  void Unexpected(const std::string& what, const absl::Status& status) override {
    ADD_FAILURE() << "seed " << seed_ << ": " << what << " refused: " << status;
  }

  // The checks that need the whole history.
  void AtTheEnd() {
    SCOPED_TRACE(absl::StrCat("seed ", seed_, ", end of history"));
    Agent& agent = history_->agent();
    for (int32_t year = kFirstClosedYear; year <= kLastClosedYear; ++year) {
      auto report = agent.engine().GetCivilYear(agent.caf(), year, AsOf{});
      ASSERT_TRUE(report.ok()) << "R-ACC-10 " << year << ": " << report.status();
      EXPECT_TRUE(report->balanced()) << "R-ACC-10 " << year << ": " << FormatReport(*report);
      EXPECT_EQ(report->payments_from_lines, report->payments_from_events)
          << "R-ACC-10 " << year << ": payments check";
    }
    // R-ACC-9: each payment shows the offsets withheld from it, from whichever convention, as
    // the generator counted them.
    history_->ForEachPayment([&](const std::string& convention, const std::string& payment_id,
                                 int64_t offset_cents) {
      auto state = agent.State(convention);
      ASSERT_TRUE(state.ok()) << state.status();
      int64_t shown = -1;
      for (const auto& y : state->years()) {
        for (const auto& p : y.acomptes()) if (p.payment_id() == payment_id) shown = p.offset_cents();
        for (const auto& p : y.rappels()) if (p.payment_id() == payment_id) shown = p.offset_cents();
        if (y.solde_paid() && y.solde().payment_id() == payment_id) shown = y.solde().offset_cents();
      }
      if (shown >= 0) EXPECT_EQ(shown, offset_cents) << "R-ACC-9 " << convention << "/" << payment_id;
    });
    // R-ACC-3, R-ACC-5, R-ACC-8 over every civil year: the charge à payer of a school year whose
    // solde is paid is settled or cancelled to the cent, whatever closings, late notifications
    // and their regularisations came between.
    std::map<std::pair<std::string, int32_t>, int64_t> charge_a_payer;  // credits − debits
    for (int32_t year = kFirstClosedYear; year <= kLastClosedYear + 4; ++year) {
      for (const auto& l : agent.Lines(year)) {
        const auto key = std::make_pair(l.convention_id, l.school_year.n());
        if (l.credit == Account::kChargesAPayer) charge_a_payer[key] += l.amount.cents();
        if (l.debit == Account::kChargesAPayer) charge_a_payer[key] -= l.amount.cents();
      }
    }
    for (const auto& [id, t] : tracked_) {
      auto state = agent.State(id);
      ASSERT_TRUE(state.ok()) << state.status();
      for (const auto& y : state->years()) {
        if (!y.solde_paid()) continue;
        EXPECT_EQ(charge_a_payer[std::make_pair(id, y.school_year())], 0)
            << "R-ACC-5: the charge à payer of " << id << " " << y.school_year()
            << " once its solde is paid";
      }
    }
    // R-ACC-8: a closed year is never rewritten, whatever was corrected, backdated or revised
    // (R-PAY-9) afterwards: its lines are those booked when it was closed.
    for (const auto& [year, lines] : closed_books_) {
      EXPECT_EQ(BookedLines(year), lines) << "R-ACC-8: the lines of closed year " << year;
    }
    Dice dice(seed_ ^ 0x5eedu);
    for (auto& [id, t] : tracked_) CheckAsOf(id, t, dice);
    const auto differences = RecomputeCheck(agent.log().All());
    EXPECT_TRUE(differences.empty()) << "R-HIST-3: " << differences.front().message;
  }

  int steps() const { return steps_; }
  int probes() const { return probes_; }
  int incremental_checks() const { return incremental_checks_; }
  const std::map<std::string, int>& kinds() const { return kinds_; }

 private:
  struct Snapshot {
    int64_t known_at_us = 0;
    int32_t first_effective = 0;  // of the step's events
    int32_t last_effective = 0;   // of the stream after the step
    v1::ConventionState state;
  };
  struct Tracked {
    v1::ConventionState incremental;
    bool chronological = true;  // no correction, effective dates non-decreasing in log order
    int32_t last_effective = 0;
    std::vector<Snapshot> snapshots;
  };

  FoldContext Context(const std::string& convention) {
    if (!baremes_.has_value()) {
      auto book = history_->agent().engine().Baremes(AsOf{});
      EXPECT_TRUE(book.ok()) << book.status();
      baremes_ = book.ok() ? *book : BaremeBook();
    }
    const std::string g = history_->GestionnaireOf(convention);
    if (gestionnaires_.count(g) == 0) {
      auto state = history_->agent().engine().GetGestionnaire(history_->agent().caf(), g, AsOf{});
      EXPECT_TRUE(state.ok()) << state.status();
      gestionnaires_[g] = state.ok() ? *state : Gestionnaire();
    }
    return FoldContext{.baremes = &*baremes_, .gestionnaire = &gestionnaires_[g]};
  }

  // R-HIST-2: as of the end = the current state; known at T = what was answered at T = the fold
  // of the events recorded by T; as of a date D = the state once every event effective by D was
  // recorded (for histories recorded in date order).
  void CheckAsOf(const std::string& id, const Tracked& t, Dice& dice) {
    SCOPED_TRACE("R-HIST-2 as of, convention " + id);
    Agent& agent = history_->agent();
    auto now = agent.State(id);
    ASSERT_TRUE(now.ok()) << now.status();
    // Offsets other conventions withheld from its payments (R-ACC-9) show without an event of
    // its own: a read is compared with its own stream's fold, or a later read, without them.
    EXPECT_TRUE(SameState(WithOwnOffsetsOnly(WithAsOf(t.snapshots.back().state, AsOf{})),
                          WithOwnOffsetsOnly(*now)));
    if (t.chronological) {
      EXPECT_TRUE(SameState(WithAsOf(t.incremental, AsOf{}), WithOwnOffsetsOnly(*now)));
    }
    auto events = agent.engine().ConventionEvents(agent.caf(), id);
    ASSERT_TRUE(events.ok());
    const FoldContext context = Context(id);
    for (int k = 0; k < kAsOfSamples; ++k) {
      const size_t i = dice.Between(0, t.snapshots.size() - 1);
      const Snapshot& s = t.snapshots[i];
      const AsOf known{.known_at_us = s.known_at_us};
      auto then = agent.State(id, known);
      ASSERT_TRUE(then.ok()) << then.status();
      EXPECT_TRUE(SameState(WithAsOf(s.state, known), *then)) << "known at " << s.known_at_us;
      std::vector<DomainEvent> recorded;
      for (const auto& e : *events) {
        if (e.recorded_at_us <= s.known_at_us) recorded.push_back(e);
      }
      EXPECT_TRUE(SameState(WithOwnOffsetsOnly(*then), FoldConvention(recorded, known, context)));
      // Every state as of a date satisfies the invariants too (R-HIST-2).
      const int32_t d = (*events)[dice.Between(0, events->size() - 1)].effective_date;
      for (int32_t date : {d, Dice::Plus(d, -1)}) {
        SCOPED_TRACE(absl::StrCat("as of ", date));
        auto past = agent.State(id, AsOf{.effective_date = date});
        if (!past.ok()) continue;  // before the funding request
        for (const auto& y : past->years()) CheckYear(y, t.chronological);
        CheckIndus(*past);
      }
      const bool date_splits =
          i + 1 == t.snapshots.size() || t.snapshots[i + 1].first_effective > s.last_effective;
      if (!t.chronological || !date_splits) continue;
      const AsOf dated{.effective_date = s.last_effective};
      auto on_date = agent.State(id, dated);
      ASSERT_TRUE(on_date.ok()) << on_date.status();
      EXPECT_TRUE(SameState(WithOwnOffsetsOnly(WithAsOf(s.state, dated)),
                            WithOwnOffsetsOnly(*on_date)))
          << "as of " << s.last_effective;
    }
  }

  const uint32_t seed_;
  RandomHistory* const history_;
  std::map<std::string, Tracked> tracked_;
  std::map<int32_t, std::vector<std::string>> closed_books_;  // closed year -> its lines

  std::vector<std::string> BookedLines(int32_t year) {
    std::vector<std::string> out;
    for (const auto& l : history_->agent().Lines(year)) {
      out.push_back(absl::StrCat(rules::DescribeLine(l), " ", l.cause_event_id, " ", l.label));
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::optional<BaremeBook> baremes_;
  std::map<std::string, Gestionnaire> gestionnaires_;
  int steps_ = 0, probes_ = 0, incremental_checks_ = 0;
  std::map<std::string, int> kinds_;
};

std::vector<uint32_t> SeedsOfBlock(int block) {
  if (const char* only = std::getenv("CLAS_PROPERTY_SEED")) {
    if (block != 0) return {};
    return {static_cast<uint32_t>(std::strtoul(only, nullptr, 10))};
  }
  // CLAS_PROPERTY_SEEDS_PER_BLOCK=<n> runs n seeds per block (a longer run, e.g. nightly).
  uint32_t per_block = kSeedsPerBlock;
  if (const char* n = std::getenv("CLAS_PROPERTY_SEEDS_PER_BLOCK")) {
    per_block = static_cast<uint32_t>(std::strtoul(n, nullptr, 10));
  }
  std::vector<uint32_t> out;
  for (uint32_t s = 0; s < per_block; ++s) out.push_back(block * per_block + s);
  return out;
}

class RandomHistories : public ::testing::TestWithParam<int> {};

TEST_P(RandomHistories, R_PAY_R_CTL_R_ACC_10_R_HIST_2_R_HIST_3_InvariantsHoldAfterEveryStep) {
  int steps = 0, probes = 0, incremental = 0;
  std::map<std::string, int> kinds;
  for (uint32_t seed : SeedsOfBlock(GetParam())) {
    SCOPED_TRACE(absl::StrCat("seed ", seed, " (replay: CLAS_PROPERTY_SEED=", seed, ")"));
    RandomHistory history(seed);
    InvariantChecker checker(seed, &history);
    history.set_observer(&checker);
    history.Run();
    checker.AtTheEnd();
    steps += checker.steps();
    probes += checker.probes();
    incremental += checker.incremental_checks();
    for (const auto& [k, n] : checker.kinds()) kinds[k] += n;
    if (HasFailure()) break;  // one failing seed is enough to read
  }
  std::string counts;
  for (const auto& [k, n] : kinds) absl::StrAppend(&counts, " ", k, "=", n);
  std::printf("block %d: %d steps, %d probes, %d incremental checks;%s\n", GetParam(), steps,
              probes, incremental, counts.c_str());
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomHistories, ::testing::Range(0, kBlocks));

}  // namespace
}  // namespace clas::testing
