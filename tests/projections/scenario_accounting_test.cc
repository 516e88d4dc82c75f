// RULES.md §7's worked example lived by a Caf agent, end to end through the engine: an
// association, PS of DP 10 000,00 €, acomptes at their caps, the closing of 2026, a bilan with
// a PS of DR of 9 000,00 €, and the solde paid in 2027 (or in 2028).
#include <string>

#include "gtest/gtest.h"
#include "projections/rules/accounting.h"
#include "tests/projections/agent.h"
#include "tests/projections/report_text.h"

namespace clas::testing {
namespace {

// PS = (base × 13 + 20) div 40: a base of 30 769,22 € gives a PS of exactly 10 000,00 €, and a
// base of 27 692,30 € a PS of exactly 9 000,00 € (hand-computed from R-DROIT-3).
constexpr int64_t kChargesDp = Cents(30769, 22);
constexpr int64_t kChargesDr = Cents(27692, 30);

class WorkedExample : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(agent_.PublishBareme(2026, Eur(11000), Eur(1000), Eur(1500)).ok());
    ASSERT_TRUE(agent_.Register("asso-1", v1::ASSOCIATION).ok());
    auto filed = agent_.File(Agent::Request("conv-1", "asso-1", 2026, 1, 3, kChargesDp), 20260601);
    ASSERT_TRUE(filed.ok()) << filed.status();
    ASSERT_TRUE(agent_.Agree("conv-1", 2026, 2026, 3, 20260701).ok());
    auto signed_ = agent_.Sign("conv-1", 2026, 2026, 20260715);
    ASSERT_TRUE(signed_.ok()) << signed_.status();
    const v1::SchoolYearState& y = signed_->convention.years(0);
    ASSERT_TRUE(y.has_dp());
    ASSERT_EQ(y.dp().ps_cents(), Eur(10000));
  }

  Lines LinesOf(int32_t year) {
    auto books = agent_.engine().Books(agent_.caf(), AsOf{});
    EXPECT_TRUE(books.ok()) << books.status();
    auto lines = AllLines(*books);
    EXPECT_TRUE(lines.ok()) << lines.status();
    Lines out;
    for (const auto& l : *lines) {
      if (l.civil_year().y() == year) out.push_back(l);
    }
    return out;
  }

  void PayUpToTheBilan() {
    ASSERT_TRUE(agent_.Acompte("conv-1", "a1", 2026, Eur(2800), 20261015).ok());
    auto closed = agent_.Close(2026, 20261231);
    ASSERT_TRUE(closed.ok()) << closed.status();
    auto a2 = agent_.Acompte("conv-1", "a2", 2026, Eur(4200), 20270201);
    ASSERT_TRUE(a2.ok()) << a2.status();
    auto bilan = agent_.Bilan("conv-1", 2026, 3, kChargesDr, 20270915);
    ASSERT_TRUE(bilan.ok()) << bilan.status();
    ASSERT_EQ(bilan->convention.years(0).dr().ps_cents(), Eur(9000));
  }

  Agent agent_;
};

TEST_F(WorkedExample, R_PAY_2_AcompteOfExactly28PercentIsPaidAndOneCentMoreIsRefused) {
  auto over = agent_.Acompte("conv-1", "a0", 2026, Cents(2800, 1), 20261015);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(RuleIds(over.status()), ::testing::Contains("R-PAY-2"));
  const uint64_t head = agent_.log().HeadPosition();
  auto exact = agent_.Acompte("conv-1", "a1", 2026, Eur(2800), 20261015);
  ASSERT_TRUE(exact.ok()) << exact.status();
  EXPECT_EQ(exact->convention.years(0).room_n_cents(), 0);
  EXPECT_EQ(agent_.log().HeadPosition(), head + 1);
}

TEST_F(WorkedExample, R_ACC_3_R_ACC_4_ClosingOf2026BooksChargeAPayerAndEngagement) {
  ASSERT_TRUE(agent_.Acompte("conv-1", "a1", 2026, Eur(2800), 20261015).ok());
  ASSERT_TRUE(agent_.Close(2026, 20261231).ok());
  auto lines = LinesOf(2026);
  // R-ACC-2: the acompte is a payment on the subsidy account of age 0.
  EXPECT_EQ(
      SumLines(lines, [](const auto& l) { return l.debit == Account::kSubsidyN && l.month != 13; }),
      Eur(2800));
  // R-ACC-3: charge à payer 4 000,00 − 2 800,00 = 1 200,00, debit SF N, credit T 408143111.
  EXPECT_EQ(SumLines(lines,
                     [](const auto& l) {
                       return l.month == 13 && l.debit == Account::kSubsidyN &&
                              l.credit == Account::kChargesAPayer;
                     }),
            Eur(1200));
  // R-ACC-4: engagement of 6/10 of the PS: 6 000,00, debit T 8091, credit T 80182.
  EXPECT_EQ(SumLines(lines,
                     [](const auto& l) {
                       return l.month == 13 && l.debit == Account::kEngagementDebit &&
                              l.credit == Account::kEngagementCredit;
                     }),
            Eur(6000));
}

TEST_F(WorkedExample, R_PAY_3_SecondAcompteCapIs42Percent) {
  ASSERT_TRUE(agent_.Acompte("conv-1", "a1", 2026, Eur(2800), 20261015).ok());
  auto over = agent_.Acompte("conv-1", "a2", 2026, Cents(4200, 1), 20270201);
  ASSERT_FALSE(over.ok());
  EXPECT_THAT(RuleIds(over.status()), ::testing::Contains("R-PAY-3"));
  EXPECT_TRUE(agent_.Acompte("conv-1", "a2", 2026, Eur(4200), 20270201).ok());
}

TEST_F(WorkedExample, R_ACC_5_SoldePaidIn2027) {
  PayUpToTheBilan();
  auto solde = agent_.Solde("conv-1", "s1", 2026, 20271105);
  ASSERT_TRUE(solde.ok()) << solde.status();
  EXPECT_EQ(solde->convention.years(0).solde().amount_cents(), Eur(2000));  // R-PAY-5
  auto lines = LinesOf(2027);
  auto of_solde = [&](auto pred) {
    return SumLines(lines, [&](const auto& l) { return l.rule.id == "R-ACC-5" && pred(l); });
  };
  // (b) 800,00 to the charge à payer still open, the rest of s_N (0) to SF of age 1.
  EXPECT_EQ(of_solde([](const auto& l) {
              return l.debit == Account::kChargesAPayer && l.credit != Account::kSubsidyN1;
            }),
            Eur(800));
  // (c) 1 200,00 on SF 6562322410 (the 2027 share, age 0).
  EXPECT_EQ(of_solde([](const auto& l) { return l.debit == Account::kSubsidyN; }), Eur(1200));
  // (d) the 400,00 left of the charge à payer cancelled, credit SF 65623224191 (age 1).
  EXPECT_EQ(of_solde([](const auto& l) {
              return l.debit == Account::kChargesAPayer && l.credit == Account::kSubsidyN1;
            }),
            Eur(400));
  // R-ACC-4: month 12 of 2027 reverses the engagement, 6 000,00.
  EXPECT_EQ(SumLines(lines,
                     [](const auto& l) {
                       return l.debit == Account::kEngagementCredit &&
                              l.credit == Account::kEngagementDebit;
                     }),
            Eur(6000));
}

TEST_F(WorkedExample, R_ACC_1_SoldePaidIn2028UsesTheAgedAccounts) {
  PayUpToTheBilan();
  ASSERT_TRUE(agent_.Close(2027, 20271231).ok());
  auto solde = agent_.Solde("conv-1", "s1", 2026, 20280310);
  ASSERT_TRUE(solde.ok()) << solde.status();
  auto lines = LinesOf(2028);
  EXPECT_EQ(SumLines(lines,
                     [](const auto& l) {
                       return l.rule.id == "R-ACC-5" && l.debit == Account::kChargesAPayer &&
                              l.credit != Account::kSubsidyOlder;
                     }),
            Eur(800));
  EXPECT_EQ(SumLines(lines,
                     [](const auto& l) {
                       return l.rule.id == "R-ACC-5" && l.debit == Account::kSubsidyN1;
                     }),
            Eur(1200));
  EXPECT_EQ(SumLines(lines,
                     [](const auto& l) {
                       return l.rule.id == "R-ACC-5" && l.debit == Account::kChargesAPayer &&
                              l.credit == Account::kSubsidyOlder;
                     }),
            Eur(400));
}

TEST_F(WorkedExample, R_ACC_10_EveryYearBalancesAndPaymentsMatchTheEvents) {
  PayUpToTheBilan();
  ASSERT_TRUE(agent_.Solde("conv-1", "s1", 2026, 20271105).ok());
  for (int32_t year : {2026, 2027}) {
    auto report = agent_.engine().GetCivilYear(agent_.caf(), year, AsOf{});
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->balanced()) << FormatReport(*report);
    EXPECT_EQ(report->payments_from_lines, report->payments_from_events);
  }
  auto y2027 = agent_.engine().GetCivilYear(agent_.caf(), 2027, AsOf{});
  // 4 200,00 (acompte) + 2 000,00 (solde) paid in 2027.
  EXPECT_EQ(y2027->payments_from_events.cents(), Eur(6200));
}

TEST_F(WorkedExample, R_PAY_7_NoAcompteInAClosedCivilYear) {
  ASSERT_TRUE(agent_.Close(2026, 20261231).ok());
  auto late = agent_.Acompte("conv-1", "a1", 2026, Eur(1000), 20261220);
  ASSERT_FALSE(late.ok());
  EXPECT_THAT(RuleIds(late.status()), ::testing::Contains("R-PAY-7"));
}

TEST_F(WorkedExample, R_ACC_8_ClosingTwiceIsRefused) {
  ASSERT_TRUE(agent_.Close(2026, 20261231).ok());
  auto again = agent_.Close(2026, 20270105);
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(RuleIds(again.status()), ::testing::Contains("R-ACC-8"));
}

// R-ACC-7 as RULES.md words it: the envelope of civil year 2030 takes each DP as in force on
// 31 December 2030, not the latest. Barème 2030: plafond 7 000,00 €, no bonus; an association,
// 4 collectifs, charges 40 000,00 €: base 28 000,00, PS 9 100,00 €, N share 3 640,00 €; an
// acompte of 2 000,00 € on 01/10/2030. A notification of 2 collectifs effective 15/03/2031
// (PS 4 550,00 €, N share 1 820,00 €) leaves the 2030 envelope at 3 640,00 €, 1 640,00 € left.
TEST(EnvelopeFollowUp, R_ACC_7_EachDpAsInForceOnTheLastDayOfTheYear) {
  Agent agent;
  ASSERT_TRUE(agent.PublishBareme(2030, Eur(7000), 0, 0).ok());
  ASSERT_TRUE(agent.Register("asso-7", v1::ASSOCIATION).ok());
  ASSERT_TRUE(agent.File(Agent::Request("conv-7", "asso-7", 2030, 1, 4, Eur(40000)), 20300515)
                  .ok());
  ASSERT_TRUE(agent.Agree("conv-7", 2030, 2030, 4, 20300620).ok());
  auto signed_ = agent.Sign("conv-7", 2030, 2030, 20300701);
  ASSERT_TRUE(signed_.ok()) << signed_.status();
  ASSERT_EQ(signed_->convention.years(0).dp().ps_cents(), Eur(9100));
  ASSERT_TRUE(agent.Acompte("conv-7", "a1", 2030, Eur(2000), 20301001).ok());
  ASSERT_TRUE(agent.Notify("conv-7", "n-2031", 2030, 2, 20310315).ok());
  auto report = agent.engine().GetCivilYear(agent.caf(), 2030, AsOf{});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->envelope.n_shares, Money::Cents(Eur(3640)));
  EXPECT_EQ(report->envelope.paid, Money::Cents(Eur(2000)));
  EXPECT_EQ(report->envelope.remaining, Money::Cents(Eur(1640)));
  // The report of 2031 takes the DP in force on 31/12/2031: the N+1 share of 4 550,00 €.
  auto next = agent.engine().GetCivilYear(agent.caf(), 2031, AsOf{});
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->envelope.n1_shares, Money::Cents(Eur(4550) - Eur(1820)));
}

// R-ACC-8 as RULES.md words it: a notification effective inside a closed civil year shows as
// adjustment lines in the first open year, naming it, on the pairs of accounts of the lines it
// adjusts; the closed year's lines never change. Same set-up as above; 2030 closed (charge à
// payer 3 640,00 − 2 000,00 = 1 640,00; engagement 9 100,00 − 3 640,00 = 5 460,00); then 2
// collectifs effective 15/11/2030: in 2031 the charge à payer is brought to
// max(0; 1 820,00 − 2 000,00) = 0 (−1 640,00) and the engagement to 2 730,00 (−2 730,00).
TEST(LateNotification, R_ACC_8_ANotificationEffectiveInAClosedYearIsRegularisedInTheFirstOpen) {
  Agent agent;
  ASSERT_TRUE(agent.PublishBareme(2030, Eur(7000), 0, 0).ok());
  ASSERT_TRUE(agent.Register("asso-8", v1::ASSOCIATION).ok());
  ASSERT_TRUE(agent.File(Agent::Request("conv-8", "asso-8", 2030, 1, 4, Eur(40000)), 20300515)
                  .ok());
  ASSERT_TRUE(agent.Agree("conv-8", 2030, 2030, 4, 20300620).ok());
  ASSERT_TRUE(agent.Sign("conv-8", 2030, 2030, 20300701).ok());
  ASSERT_TRUE(agent.Acompte("conv-8", "a1", 2030, Eur(2000), 20301001).ok());
  ASSERT_TRUE(agent.Close(2030, 20301231).ok());
  const Lines closed_before = agent.Lines(2030);
  auto closing = [&](const Lines& lines, Account debit) {
    for (const auto& l : lines) {
      if (l.debit == debit && l.month == 13) return l.amount.cents();
    }
    return int64_t{-1};
  };
  ASSERT_EQ(closing(closed_before, Account::kSubsidyN), Eur(1640));         // charge à payer
  ASSERT_EQ(closing(closed_before, Account::kEngagementDebit), Eur(5460));  // engagement

  auto late = agent.Notify("conv-8", "n-late", 2030, 2, 20301115);
  ASSERT_TRUE(late.ok()) << late.status();
  ASSERT_EQ(late->events[0].fact.warnings_size(), 1);
  EXPECT_EQ(late->events[0].fact.warnings(0).rule_id(), "R-ACC-8");
  const std::string notification = late->events[0].event_id;

  // The closed year is never rewritten.
  const Lines closed_after = agent.Lines(2030);
  ASSERT_EQ(closed_after.size(), closed_before.size());
  for (size_t i = 0; i < closed_after.size(); ++i) {
    EXPECT_TRUE(closed_after[i] == closed_before[i])
        << i << ": " << rules::DescribeLine(closed_after[i]);
  }
  // 2031: each adjustment names the notification, on the pairs of the lines it adjusts.
  int64_t charge_a_payer = 0, engagement = 0;
  for (const auto& l : agent.Lines(2031)) {
    if (l.rule.id != "R-ACC-8") continue;
    EXPECT_EQ(l.cause_event_id, notification);
    if (l.debit == Account::kChargesAPayer) charge_a_payer += l.amount.cents();
    if (l.debit == Account::kEngagementCredit && l.credit == Account::kEngagementDebit) {
      engagement += l.amount.cents();
    }
  }
  EXPECT_EQ(charge_a_payer, Eur(1640)) << "the charge à payer brought to 0";
  EXPECT_EQ(engagement, Eur(2730)) << "the engagement brought to 2 730,00";
  auto report = agent.engine().GetCivilYear(agent.caf(), 2031, AsOf{});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->balanced()) << report->failed_checks.front();
}

}  // namespace
}  // namespace clas::testing
