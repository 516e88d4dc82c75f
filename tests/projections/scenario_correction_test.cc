// History lived by a Caf agent (RULES.md §9): a bilan typed wrong, paid, its civil year closed,
// then corrected on 01/03/2028 (R-HIST-1, R-PAY-9). The state answers "as of D, known at T" (R-HIST-2):
// known now the corrected DR, known before the correction the old one; the closed year's lines
// stay as they were (R-ACC-8) and the solde paid keeps the figures it was computed from
// (R-HIST-3). Also: a correction says why, retries of a request are idempotent, and every event
// names who recorded it (R-HIST-4).
//
// Barème 2026 (illustrative): plafond 7 000,00 €. An association, C = 2, forecast charges
// 14 000,00 €: DP PS = (1 400 000 × 13 + 20) div 40 = 455 000 → 4 550,00 €, N share 1 820,00 €.
// Acomptes 1 274,00 € (02/11/2026, 28 %) and 1 911,00 € (01/02/2027, 42 %): 3 185,00 €.
// Closing 2026: charge à payer 1 820,00 − 1 274,00 = 546,00.
// Bilan of 20/09/2027 typed with charges 12 000,00 € instead of 13 000,00 €:
//   DR typed:     base 12 000,00, PS = (1 200 000 × 13 + 20) div 40 = 390 000 → 3 900,00.
//   DR corrected: base 13 000,00, PS = (1 300 000 × 13 + 20) div 40 = 422 500 → 4 225,00.
// Solde of 15/10/2027 on the typed DR: 3 900,00 − 3 185,00 = 715,00. R-ACC-5 in 2027: d_N =
// 1 560,00 − 1 274,00 = 286,00 settles the charge à payer; 429,00 on SF 6562322410 (the 2027
// share); 546,00 − 286,00 = 260,00 of charge à payer cancelled (credit SF 65623224191).
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/rules/accounting.h"
#include "tests/projections/agent.h"
#include "tests/projections/report_text.h"

namespace clas::testing {
namespace {

using absl::StatusCode::kAlreadyExists;
using absl::StatusCode::kInvalidArgument;

int64_t MicrosAt(int y, int m, int d) {
  return absl::ToUnixMicros(absl::FromCivil(absl::CivilSecond(y, m, d, 10, 0, 0),
                                            absl::UTCTimeZone()));
}

std::vector<std::string> Described(const Lines& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) {
    out.push_back(absl::StrCat(rules::DescribeLine(l), " ", l.cause_event_id, " ", l.label));
  }
  return out;
}

class Correction : public ::testing::Test {
 protected:
  void SetUp() override {
    agent_.log().SetNowMicros(MicrosAt(2026, 5, 1));
    ASSERT_TRUE(agent_.PublishBareme(2026, Eur(7000), Eur(1000), Eur(1500)).ok());
    ASSERT_TRUE(agent_.Register("asso-6", v1::ASSOCIATION).ok());
    ASSERT_TRUE(agent_.File(Agent::Request("conv-6", "asso-6", 2026, 1, 2, Eur(14000)), 20260515)
                    .ok());
    ASSERT_TRUE(agent_.Agree("conv-6", 2026, 2026, 2, 20260620).ok());
    ASSERT_TRUE(agent_.Sign("conv-6", 2026, 2026, 20260701).ok());
  }

  // The whole school year up to the closing of 2027; the bilan typed with 12 000,00 €.
  void PaidAndClosed() {
    agent_.log().SetNowMicros(MicrosAt(2026, 11, 2));
    ASSERT_TRUE(agent_.Acompte("conv-6", "a1", 2026, Eur(1274), 20261102).ok());
    agent_.log().SetNowMicros(MicrosAt(2027, 1, 5));
    ASSERT_TRUE(agent_.Close(2026, 20261231).ok());
    agent_.log().SetNowMicros(MicrosAt(2027, 2, 1));
    ASSERT_TRUE(agent_.Acompte("conv-6", "a2", 2026, Eur(1911), 20270201).ok());
    agent_.log().SetNowMicros(MicrosAt(2027, 9, 20));
    auto bilan = agent_.Bilan("conv-6", 2026, 2, Eur(12000), 20270920);
    ASSERT_TRUE(bilan.ok()) << bilan.status();
    bilan_ = bilan->events[0];
    agent_.log().SetNowMicros(MicrosAt(2027, 10, 15));
    auto solde = agent_.Solde("conv-6", "s1", 2026, 20271015);
    ASSERT_TRUE(solde.ok()) << solde.status();
    ASSERT_EQ(solde->convention.years(0).solde().amount_cents(), Eur(715));
    agent_.log().SetNowMicros(MicrosAt(2028, 1, 15));
    ASSERT_TRUE(agent_.Close(2027, 20280115).ok());
  }

  v1::ClasEvent Bilan(int64_t charges) {
    v1::ClasEvent e;
    e.mutable_bilan_received()->set_school_year(2026);
    e.mutable_bilan_received()->mutable_figures()->set_collectifs(2);
    e.mutable_bilan_received()->mutable_figures()->set_charges_cents(charges);
    return e;
  }

  Agent agent_;
  DomainEvent bilan_;
};

TEST_F(Correction, R_HIST_1_R_HIST_2_R_ACC_8_BilanCorrectedAfterItsYearWasClosed) {
  PaidAndClosed();
  const std::vector<std::string> lines_2026 = Described(agent_.Lines(2026));
  const std::vector<std::string> lines_2027 = Described(agent_.Lines(2027));
  EXPECT_EQ(SumLines(agent_.Lines(2027), [](const auto& l) { return l.rule.id == "R-ACC-5"; }),
            Eur(715) + Eur(260));  // the payment lines and the cancelled charge à payer

  // A correction says why (R-HIST-1).
  uint64_t head = agent_.log().HeadPosition();
  auto no_reason = agent_.Correct("conv-6", bilan_.event_id, "", Bilan(Eur(13000)));
  EXPECT_TRUE(IsRefusal(no_reason.status(), kInvalidArgument, "R-HIST-1"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);

  agent_.log().SetNowMicros(MicrosAt(2028, 3, 1));
  agent_.ActAs("superviseur-1", "superviseur");
  auto corrected = agent_.Correct("conv-6", bilan_.event_id,
                                  "charges du compte de résultat mal saisies : 13 000 € et non "
                                  "12 000 €",
                                  Bilan(Eur(13000)), 20280301);
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  EXPECT_EQ(agent_.log().HeadPosition(), head + 1);
  const DomainEvent& correction = corrected->events[0];
  EXPECT_EQ(correction.effective_date, 20280301);  // R-PAY-9: the day the difference is due
  const int64_t before_correction = correction.recorded_at_us - 1;

  // Known now: the corrected DR; the solde paid keeps its amount (R-HIST-3), and what the
  // corrected DR adds to it is due as a complément (R-PAY-9): 4 225,00 − 3 185,00 − 715,00.
  const v1::SchoolYearState& now = corrected->convention.years(0);
  EXPECT_EQ(now.bilan().charges_cents(), Eur(13000));
  EXPECT_EQ(now.dr().ps_cents(), Eur(4225));
  EXPECT_EQ(now.solde().amount_cents(), Eur(715));
  EXPECT_EQ(now.rappel_due_cents(), Eur(325));
  // Known just before the correction was recorded: the typed DR.
  auto then = agent_.State("conv-6", AsOf{.known_at_us = before_correction});
  ASSERT_TRUE(then.ok()) << then.status();
  EXPECT_EQ(then->years(0).bilan().charges_cents(), Eur(12000));
  EXPECT_EQ(then->years(0).dr().ps_cents(), Eur(3900));

  // Nothing is deleted: the typed bilan is still in the log, marked as corrected.
  auto original = agent_.log().FindEvent(bilan_.event_id);
  ASSERT_TRUE(original.ok() && original->has_value());
  EXPECT_EQ((*original)->fact.bilan_received().figures().charges_cents(), Eur(12000));
  bool marked = false;
  for (const auto& e : corrected->convention.events()) {
    if (e.event_id() == bilan_.event_id) marked = e.corrected_by() == correction.event_id;
  }
  EXPECT_TRUE(marked);

  // R-ACC-8: the closed years' lines are unchanged, known now as known then.
  EXPECT_EQ(Described(agent_.Lines(2026)), lines_2026);
  EXPECT_EQ(Described(agent_.Lines(2027)), lines_2027);
  EXPECT_EQ(Described(agent_.Lines(2027, AsOf{.known_at_us = before_correction})), lines_2027);
  for (int32_t year : {2026, 2027, 2028}) {
    auto report = agent_.engine().GetCivilYear(agent_.caf(), year, AsOf{});
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->balanced()) << FormatReport(*report);
  }
}

// R-ACC-8: a notification of 2026 corrected once 2026 is closed: the correction is kept, with a
// warning that the closed year is regularised in the first open one.
TEST_F(Correction, R_ACC_8_ACorrectionOfAFactInAClosedYearIsWarnedOf) {
  auto notified = agent_.Notify("conv-6", "n1", 2026, 1, 20261001);
  ASSERT_TRUE(notified.ok()) << notified.status();
  ASSERT_TRUE(agent_.Close(2026, 20270105).ok());
  v1::ClasEvent two;
  two.mutable_collectifs_notified()->set_school_year(2026);
  two.mutable_collectifs_notified()->set_collectifs(2);
  auto corrected = agent_.Correct("conv-6", notified->events[0].event_id, "deux collectifs", two);
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  std::vector<std::string> warned;
  for (const auto& w : corrected->events[0].fact.warnings()) warned.push_back(w.rule_id());
  EXPECT_THAT(warned, ::testing::Contains("R-ACC-8"));
}

TEST_F(Correction, R_HIST_2_AsOfADateOrAnInstantBeforeAnEventIgnoresIt) {
  PaidAndClosed();
  // As of 19/09/2027, the day before the bilan's effective date: no bilan, no DR, no solde.
  auto before_d = agent_.State("conv-6", AsOf{.effective_date = 20270919});
  ASSERT_TRUE(before_d.ok()) << before_d.status();
  EXPECT_FALSE(before_d->years(0).bilan_received());
  EXPECT_FALSE(before_d->years(0).has_dr());
  EXPECT_FALSE(before_d->years(0).solde_paid());
  EXPECT_EQ(before_d->years(0).acomptes_size(), 2);
  // As of 15/10/2027, the solde's own day: it is seen.
  auto on_d = agent_.State("conv-6", AsOf{.effective_date = 20271015});
  ASSERT_TRUE(on_d.ok());
  EXPECT_TRUE(on_d->years(0).solde_paid());
  // Known at one microsecond before the bilan was recorded: the bilan is ignored, whatever D.
  auto before_t = agent_.State("conv-6", AsOf{.known_at_us = bilan_.recorded_at_us - 1});
  ASSERT_TRUE(before_t.ok());
  EXPECT_FALSE(before_t->years(0).bilan_received());
  EXPECT_EQ(before_t->known_at_us(), bilan_.recorded_at_us - 1);
  auto at_t = agent_.State("conv-6", AsOf{.known_at_us = bilan_.recorded_at_us});
  ASSERT_TRUE(at_t.ok());
  EXPECT_TRUE(at_t->years(0).bilan_received());
  EXPECT_FALSE(at_t->years(0).solde_paid());
  // Before the request was filed, the convention does not exist.
  auto unknown = agent_.State("conv-6", AsOf{.effective_date = 20260514});
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(Correction, R_HIST_1_RetryOfARequestIsIdempotent) {
  auto first = agent_.Acompte("conv-6", "a1", 2026, Eur(1274), 20261102, "desk-42");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->replayed);
  const uint64_t head = agent_.log().HeadPosition();

  auto retry = agent_.Acompte("conv-6", "a1", 2026, Eur(1274), 20261102, "desk-42");
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->replayed);
  ASSERT_EQ(retry->events.size(), first->events.size());
  EXPECT_EQ(retry->events[0].event_id, first->events[0].event_id);
  EXPECT_EQ(retry->events[0].recorded_at_us, first->events[0].recorded_at_us);
  EXPECT_EQ(retry->events[0].position, first->events[0].position);
  EXPECT_EQ(retry->convention.years(0).acomptes_size(), 1);
  EXPECT_EQ(agent_.log().HeadPosition(), head);

  // The same request id with another amount is refused, nothing written.
  auto other = agent_.Acompte("conv-6", "a1", 2026, Eur(1000), 20261102, "desk-42");
  EXPECT_TRUE(IsRefusal(other.status(), kAlreadyExists, "R-HIST-1"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  EXPECT_EQ(agent_.State("conv-6")->years(0).acomptes(0).amount_cents(), Eur(1274));
}

TEST_F(Correction, R_HIST_4_EveryEventNamesWhoRecordedIt) {
  PaidAndClosed();
  agent_.ActAs("superviseur-1", "superviseur");
  auto corrected =
      agent_.Correct("conv-6", bilan_.event_id, "erreur de saisie", Bilan(Eur(13000)), 20280301);
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  const std::vector<DomainEvent> all = agent_.log().All();
  ASSERT_FALSE(all.empty());
  for (const DomainEvent& e : all) {
    const bool correction = e.fact.has_event_corrected();
    EXPECT_EQ(e.actor.id(), correction ? "superviseur-1" : "agent-1") << e.event_id;
    EXPECT_EQ(e.actor.role(), correction ? "superviseur" : "agent") << e.event_id;
    EXPECT_EQ(e.actor.tenant_id(), agent_.caf()) << e.event_id;
    EXPECT_FALSE(e.rule_version.empty()) << e.event_id;
  }
  // The state's timeline shows the actor of each event too.
  for (const auto& ref : corrected->convention.events()) {
    EXPECT_FALSE(ref.actor_id().empty()) << ref.event_id();
    EXPECT_FALSE(ref.actor_role().empty()) << ref.event_id();
  }
}

// [choice] R-HIST-1: a fact once cancelled stays cancelled. Corrected, a cancelled notification
// would come back into force with other figures; cancelled twice, nothing would change. Both
// are refused, naming the cancellation, and nothing is written.
TEST_F(Correction, R_HIST_1_ACancelledFactIsNeitherCorrectedNorCancelledAgain) {
  agent_.log().SetNowMicros(MicrosAt(2026, 10, 1));
  auto notified = agent_.Notify("conv-6", "n-1", 2026, 1, 20261001);
  ASSERT_TRUE(notified.ok()) << notified.status();
  const std::string notification = notified->events[0].event_id;
  auto cancelled = agent_.Cancel("conv-6", notification, "notification saisie par erreur");
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  const std::string cancellation = cancelled->events[0].event_id;
  const uint64_t head = agent_.log().HeadPosition();

  auto again = agent_.Cancel("conv-6", notification, "deuxième annulation");
  EXPECT_TRUE(IsRefusal(again.status(), absl::StatusCode::kFailedPrecondition, "R-HIST-1"))
      << again.status();
  EXPECT_THAT(again.status().message(), ::testing::HasSubstr(cancellation));
  v1::ClasEvent replacement;
  replacement.mutable_collectifs_notified()->set_school_year(2026);
  replacement.mutable_collectifs_notified()->set_collectifs(2);
  auto revived = agent_.Correct("conv-6", notification, "deux collectifs en fait", replacement);
  EXPECT_TRUE(IsRefusal(revived.status(), absl::StatusCode::kFailedPrecondition, "R-HIST-1"))
      << revived.status();
  EXPECT_EQ(agent_.log().HeadPosition(), head);

  auto state = agent_.engine().GetConvention(agent_.caf(), "conv-6", AsOf{});
  ASSERT_TRUE(state.ok()) << state.status();
  bool still_cancelled = false;
  for (const auto& ref : state->events()) {
    if (ref.event_id() == notification) still_cancelled = ref.cancelled();
  }
  EXPECT_TRUE(still_cancelled);
  // A fact that was corrected, not cancelled, is corrected again.
  auto bilan = agent_.Bilan("conv-6", 2026, 2, Eur(12000), 20270920);
  ASSERT_TRUE(bilan.ok()) << bilan.status();
  const std::string bilan_id = bilan->events[0].event_id;
  ASSERT_TRUE(agent_.Correct("conv-6", bilan_id, "charges mal saisies", Bilan(Eur(11000))).ok());
  ASSERT_TRUE(agent_.Correct("conv-6", bilan_id, "charges encore", Bilan(Eur(11500))).ok());
}

// R-HIST-1: a payment's id is used once in its convention, a cancelled payment's too: the
// acompte recorded again after a cancellation takes an id of its own. The 1 274,00 € acompte a1
// cancelled, another acompte under a1 is refused (nothing written), under a1-bis it is paid.
TEST_F(Correction, R_HIST_1_ACancelledPaymentsIdIsNotUsedAgain) {
  agent_.log().SetNowMicros(MicrosAt(2026, 11, 2));
  auto paid = agent_.Acompte("conv-6", "a1", 2026, Eur(1274), 20261102);
  ASSERT_TRUE(paid.ok()) << paid.status();
  ASSERT_TRUE(agent_.Cancel("conv-6", paid->events[0].event_id, "montant mal saisi").ok());
  const uint64_t head = agent_.log().HeadPosition();
  auto again = agent_.Acompte("conv-6", "a1", 2026, Eur(1000), 20261103);
  EXPECT_TRUE(IsRefusal(again.status(), absl::StatusCode::kFailedPrecondition, "R-HIST-1"))
      << again.status();
  EXPECT_THAT(again.status().message(), ::testing::HasSubstr("a1"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  EXPECT_TRUE(agent_.Acompte("conv-6", "a1-bis", 2026, Eur(1000), 20261103).ok());
}

// R-CONV-5: once the solde of 2026-2027 is paid, no notification of that year takes effect; one
// corrected or cancelled would move the DR the solde settled (715,00 €) with no complément nor
// indu. Both refused, nothing written. (Notified at the agreed 2 collectifs: the figures of
// PaidAndClosed stay.)
TEST_F(Correction, R_CONV_5_ANotificationIsNeitherCorrectedNorCancelledOnceItsYearsSoldeIsPaid) {
  agent_.log().SetNowMicros(MicrosAt(2026, 10, 1));
  auto notified = agent_.Notify("conv-6", "n-2", 2026, 2, 20261001);
  ASSERT_TRUE(notified.ok()) << notified.status();
  const std::string notification = notified->events[0].event_id;
  PaidAndClosed();
  const uint64_t head = agent_.log().HeadPosition();
  auto cancelled = agent_.Cancel("conv-6", notification, "notification envoyée par erreur");
  EXPECT_TRUE(IsRefusal(cancelled.status(), absl::StatusCode::kFailedPrecondition, "R-CONV-5"))
      << cancelled.status();
  v1::ClasEvent one;
  one.mutable_collectifs_notified()->set_school_year(2026);
  one.mutable_collectifs_notified()->set_collectifs(1);
  auto corrected = agent_.Correct("conv-6", notification, "un seul collectif", one, 20280201);
  EXPECT_TRUE(IsRefusal(corrected.status(), absl::StatusCode::kFailedPrecondition, "R-CONV-5"))
      << corrected.status();
  EXPECT_EQ(agent_.log().HeadPosition(), head);
}

}  // namespace
}  // namespace clas::testing
