// RULES.md §7's worked example lived by a Caf agent, end to end through the engine: an
// association, PS of DP 10 000,00 €, acomptes at their caps, the closing of 2026, a bilan with
// a PS of DR of 9 000,00 €, and the solde paid in 2027 (or in 2028).
#include <string>

#include "gtest/gtest.h"
#include "projections/rules/accounting.h"
#include "tests/projections/agent.h"

namespace clas::testing {
namespace {

using rules::kChargesAPayer;
using rules::kEngagementCredit;
using rules::kEngagementDebit;
using rules::kSubsidyN;
using rules::kSubsidyN1;
using rules::kSubsidyOlder;

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

  std::vector<v1::AccountingLine> LinesOf(int32_t year) {
    auto books = agent_.engine().Books(agent_.caf(), AsOf{});
    EXPECT_TRUE(books.ok()) << books.status();
    auto lines = AllLines(*books);
    EXPECT_TRUE(lines.ok()) << lines.status();
    std::vector<v1::AccountingLine> out;
    for (const auto& l : *lines) {
      if (l.civil_year() == year) out.push_back(l);
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
  EXPECT_EQ(SumLines(lines, [](const auto& l) {
              return l.debit_account() == kSubsidyN && l.month() != 13;
            }), Eur(2800));
  // R-ACC-3: charge à payer 4 000,00 − 2 800,00 = 1 200,00, debit SF N, credit T 408143111.
  EXPECT_EQ(SumLines(lines, [](const auto& l) {
              return l.month() == 13 && l.debit_account() == kSubsidyN &&
                     l.credit_account() == kChargesAPayer;
            }), Eur(1200));
  // R-ACC-4: engagement of 6/10 of the PS: 6 000,00, debit T 8091, credit T 80182.
  EXPECT_EQ(SumLines(lines, [](const auto& l) {
              return l.month() == 13 && l.debit_account() == kEngagementDebit &&
                     l.credit_account() == kEngagementCredit;
            }), Eur(6000));
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
    return SumLines(lines, [&](const auto& l) { return l.rule_id() == "R-ACC-5" && pred(l); });
  };
  // (b) 800,00 to the charge à payer still open, the rest of s_N (0) to SF of age 1.
  EXPECT_EQ(of_solde([](const auto& l) { return l.debit_account() == kChargesAPayer &&
                                                l.credit_account() != kSubsidyN1; }),
            Eur(800));
  // (c) 1 200,00 on SF 6562322410 (the 2027 share, age 0).
  EXPECT_EQ(of_solde([](const auto& l) { return l.debit_account() == kSubsidyN; }), Eur(1200));
  // (d) the 400,00 left of the charge à payer cancelled, credit SF 65623224191 (age 1).
  EXPECT_EQ(of_solde([](const auto& l) { return l.debit_account() == kChargesAPayer &&
                                                l.credit_account() == kSubsidyN1; }),
            Eur(400));
  // R-ACC-4: month 12 of 2027 reverses the engagement, 6 000,00.
  EXPECT_EQ(SumLines(lines, [](const auto& l) {
              return l.debit_account() == kEngagementCredit && l.credit_account() == kEngagementDebit;
            }), Eur(6000));
}

TEST_F(WorkedExample, R_ACC_1_SoldePaidIn2028UsesTheAgedAccounts) {
  PayUpToTheBilan();
  ASSERT_TRUE(agent_.Close(2027, 20271231).ok());
  auto solde = agent_.Solde("conv-1", "s1", 2026, 20280310);
  ASSERT_TRUE(solde.ok()) << solde.status();
  auto lines = LinesOf(2028);
  EXPECT_EQ(SumLines(lines, [](const auto& l) {
              return l.rule_id() == "R-ACC-5" && l.debit_account() == kChargesAPayer &&
                     l.credit_account() != kSubsidyOlder;
            }), Eur(800));
  EXPECT_EQ(SumLines(lines, [](const auto& l) {
              return l.rule_id() == "R-ACC-5" && l.debit_account() == kSubsidyN1;
            }), Eur(1200));
  EXPECT_EQ(SumLines(lines, [](const auto& l) {
              return l.rule_id() == "R-ACC-5" && l.debit_account() == kChargesAPayer &&
                     l.credit_account() == kSubsidyOlder;
            }), Eur(400));
}

TEST_F(WorkedExample, R_ACC_10_EveryYearBalancesAndPaymentsMatchTheEvents) {
  PayUpToTheBilan();
  ASSERT_TRUE(agent_.Solde("conv-1", "s1", 2026, 20271105).ok());
  for (int32_t year : {2026, 2027}) {
    auto report = agent_.engine().GetCivilYear(agent_.caf(), year, AsOf{});
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->balanced()) << rules::FormatReport(*report);
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

}  // namespace
}  // namespace clas::testing
