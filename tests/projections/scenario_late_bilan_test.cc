// A late bilan lived by a Caf agent: school year 2026-2027 of an association, acomptes at their
// caps in 2026 and 2027, both civil years closed, the bilan received only in February 2028 and
// the solde paid in March 2028, two civil years after the N share's (R-ACC-1, R-ACC-5, R-ACC-10).
// Also: no solde without the bilan (R-CONV-6), one solde only, and a negative solde that pays
// nothing and is notified as an indu (R-PAY-5).
//
// Barème 2026 (illustrative): plafond 7 000,00 €. C = 2, forecast charges 10 000,00 €.
//   DP: base = min(10 000,00 ; 14 000,00) = 10 000,00; PS = (1 000 000 × 13 + 20) div 40 =
//       325 000 → 3 250,00 €; N share = (4 × 325 000 + 5) div 10 = 130 000 → 1 300,00 €.
//   Caps: 28 % → 910,00 € (paid 15/11/2026); 42 % → 1 365,00 € (paid 01/02/2027). Total 2 275,00.
//   Closing 2026: charge à payer 1 300,00 − 910,00 = 390,00; engagement 3 250,00 − 1 300,00 =
//   1 950,00, reversed in December 2027.
#include <string>

#include "gtest/gtest.h"
#include "projections/rules/accounting.h"
#include "tests/projections/agent.h"
#include "tests/projections/report_text.h"

namespace clas::testing {
namespace {

using absl::StatusCode::kFailedPrecondition;

class LateBilan : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(agent_.PublishBareme(2026, Eur(7000), Eur(1000), Eur(1500)).ok());
    ASSERT_TRUE(agent_.Register("asso-4", v1::ASSOCIATION).ok());
    ASSERT_TRUE(agent_.File(Agent::Request("conv-4", "asso-4", 2026, 1, 2, Eur(10000)), 20260515)
                    .ok());
    ASSERT_TRUE(agent_.Agree("conv-4", 2026, 2026, 2, 20260620).ok());
    auto signed_ = agent_.Sign("conv-4", 2026, 2026, 20260701);
    ASSERT_TRUE(signed_.ok()) << signed_.status();
    ASSERT_EQ(signed_->convention.years(0).dp().ps_cents(), Eur(3250));
    ASSERT_TRUE(agent_.Acompte("conv-4", "a1", 2026, Eur(910), 20261115).ok());
    ASSERT_TRUE(agent_.Close(2026, 20261231).ok());
    ASSERT_TRUE(agent_.Acompte("conv-4", "a2", 2026, Eur(1365), 20270201).ok());
  }

  void Expect(const Lines& lines, Account debit, Account credit, int64_t cents) {
    EXPECT_EQ(SumLines(lines,
                       [&](const Line& l) {
                         return l.rule.id == "R-ACC-5" && l.debit == debit && l.credit == credit;
                       }),
              cents)
        << debit << " / " << credit;
  }

  void ExpectBalanced(std::initializer_list<int32_t> years) {
    for (int32_t year : years) {
      auto report = agent_.engine().GetCivilYear(agent_.caf(), year, AsOf{});
      ASSERT_TRUE(report.ok()) << report.status();
      EXPECT_TRUE(report->balanced()) << FormatReport(*report);
      EXPECT_EQ(report->payments_from_lines, report->payments_from_events) << year;
    }
  }

  Agent agent_;
};

TEST_F(LateBilan, R_CONV_6_NoSoldeBeforeTheBilan) {
  const uint64_t head = agent_.log().HeadPosition();
  auto early = agent_.Solde("conv-4", "s1", 2026, 20271001);
  EXPECT_TRUE(IsRefusal(early.status(), kFailedPrecondition, "R-CONV-6"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  EXPECT_FALSE(agent_.State("conv-4")->years(0).solde_paid());
}

// Bilan of 10/02/2028: the charges were 12 000,00 €. DR: base 12 000,00; PS = (1 200 000 × 13 +
// 20) div 40 = 390 000 → 3 900,00; N share (4 × 390 000 + 5) div 10 = 156 000 → 1 560,00;
// N+1 share 2 340,00. Solde of 10/03/2028 = 3 900,00 − 2 275,00 = 1 625,00.
// R-ACC-5 in Y = 2028, N = 2026: (a) d_N = 1 560,00 − 910,00 = 650,00; s_N = min(650,00 ;
// 1 625,00) = 650,00. (b) 390,00 settle the charge à payer (debit T 408143111), 260,00 go to the
// N share's account, age 2028 − 2026 = 2: SF 65623224192. (c) 1 625,00 − 650,00 = 975,00 to the
// N+1 share's account, age 2028 − 2027 = 1: SF 65623224191 (no bonus; = 2 340,00 − 1 365,00).
// (d) nothing left of the charge à payer to cancel.
TEST_F(LateBilan, R_ACC_1_R_ACC_5_SoldePaidTwoCivilYearsLater) {
  ASSERT_TRUE(agent_.Close(2027, 20280115).ok());
  auto bilan = agent_.Bilan("conv-4", 2026, 2, Eur(12000), 20280210);
  ASSERT_TRUE(bilan.ok()) << bilan.status();
  EXPECT_EQ(bilan->convention.years(0).dr().ps_cents(), Eur(3900));
  EXPECT_EQ(bilan->convention.years(0).dr().n_share_cents(), Eur(1560));
  auto solde = agent_.Solde("conv-4", "s1", 2026, 20280310);
  ASSERT_TRUE(solde.ok()) << solde.status();
  EXPECT_EQ(solde->convention.years(0).solde().amount_cents(), Eur(1625));
  EXPECT_EQ(solde->convention.years(0).solde().civil_year(), 2028);
  EXPECT_EQ(solde->convention.status(), v1::SOLDEE);

  auto lines = agent_.Lines(2028);
  Expect(lines, Account::kChargesAPayer, Account::kSettlement, Eur(390));
  Expect(lines, Account::kSubsidyOlder, Account::kSettlement, Eur(260));
  Expect(lines, Account::kSubsidyN1, Account::kSettlement, Eur(975));
  Expect(lines, Account::kSubsidyN, Account::kSettlement, 0);
  Expect(lines, Account::kChargesAPayer, Account::kSubsidyOlder, 0);
  EXPECT_EQ(SumLines(lines, [](const auto& l) { return l.rule.id == "R-ACC-5"; }), Eur(1625));

  // R-ACC-10: every civil year balances; 2028 paid exactly the solde; the charge à payer of
  // the 2026 closing is settled (its balance carried to 2028 closes at zero).
  ExpectBalanced({2026, 2027, 2028});
  auto y2028 = agent_.engine().GetCivilYear(agent_.caf(), 2028, AsOf{});
  ASSERT_TRUE(y2028.ok());
  EXPECT_EQ(y2028->payments_from_events.cents(), Eur(1625));
  for (const auto& a : y2028->accounts) {
    if (a.account == Account::kChargesAPayer) {
      EXPECT_EQ(a.opening.cents(), -Eur(390));
      EXPECT_EQ(a.closing.cents(), 0);
    }
  }
  // The lines of 2026 and 2027 are those of the acomptes, the closing and the reversal only.
  EXPECT_EQ(SumLines(agent_.Lines(2027), [](const auto& l) { return l.rule.id == "R-ACC-5"; }), 0);

  // R-PAY-5: the solde is paid at most once.
  const uint64_t head = agent_.log().HeadPosition();
  auto again = agent_.Solde("conv-4", "s2", 2026, 20280410);
  EXPECT_TRUE(IsRefusal(again.status(), kFailedPrecondition, "R-PAY-5"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);
}

TEST_F(LateBilan, R_CONV_6_NoSoldeDatedBeforeTheBilan) {
  ASSERT_TRUE(agent_.Bilan("conv-4", 2026, 2, Eur(12000), 20280210).ok());
  const uint64_t head = agent_.log().HeadPosition();
  auto backdated = agent_.Solde("conv-4", "s1", 2026, 20280115);
  EXPECT_TRUE(IsRefusal(backdated.status(), kFailedPrecondition, "R-CONV-6"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  EXPECT_TRUE(agent_.Solde("conv-4", "s1", 2026, 20280210).ok());
}

TEST_F(LateBilan, R_PAY_7_NoSoldeDatedInAClosedCivilYear) {
  ASSERT_TRUE(agent_.Bilan("conv-4", 2026, 2, Eur(12000), 20271110).ok());
  ASSERT_TRUE(agent_.Close(2027, 20280115).ok());
  const uint64_t head = agent_.log().HeadPosition();
  auto in_closed = agent_.Solde("conv-4", "s1", 2026, 20271215);
  EXPECT_TRUE(IsRefusal(in_closed.status(), kFailedPrecondition, "R-PAY-7"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);
}

// Bilan of 10/02/2028: the charges were only 5 000,00 €. DR: base 5 000,00; PS = (500 000 × 13
// + 20) div 40 = 162 500 → 1 625,00; N share 650,00. Solde = 1 625,00 − 2 275,00 = −650,00:
// nothing is paid and an indu of 650,00 is notified (R-PAY-5). R-ACC-5 (d): the charge à payer
// of 390,00 is cancelled in 2028, credit the N share's account of age 2 (SF 65623224192).
// The indu repaid on 15/05/2028 is credited to the N+1 share's account, age 1 (R-ACC-9).
TEST_F(LateBilan, R_PAY_5_NegativeSoldePaysNothingAndNotifiesAnIndu) {
  ASSERT_TRUE(agent_.Close(2027, 20280115).ok());
  ASSERT_TRUE(agent_.Bilan("conv-4", 2026, 2, Eur(5000), 20280210).ok());
  auto solde = agent_.Solde("conv-4", "s1", 2026, 20280310);
  ASSERT_TRUE(solde.ok()) << solde.status();
  ASSERT_EQ(solde->events.size(), 2u);
  EXPECT_EQ(solde->events[0].fact.solde_paid().amount_cents(), 0);
  const v1::InduNotified& indu = solde->events[1].fact.indu_notified();
  EXPECT_EQ(indu.amount_cents(), Eur(650));
  EXPECT_EQ(indu.origin(), v1::INDU_FROM_NEGATIVE_SOLDE);
  EXPECT_EQ(indu.school_year(), 2026);
  const v1::SchoolYearState& y = solde->convention.years(0);
  EXPECT_EQ(y.dr().droit_cents(), Eur(1625));
  EXPECT_EQ(y.paid_cents(), Eur(2275));
  EXPECT_EQ(y.indus_open_cents(), Eur(650));
  EXPECT_EQ(y.paid_net_cents(), Eur(1625));  // = DR

  auto lines = agent_.Lines(2028);
  EXPECT_EQ(SumLines(lines, [](const auto& l) { return rules::IsPaymentLine(l); }), 0);
  Expect(lines, Account::kChargesAPayer, Account::kSubsidyOlder, Eur(390));
  ExpectBalanced({2026, 2027, 2028});

  // R-CTL-3 recovery rules apply: the gestionnaire repays; the indu is closed.
  auto repaid = agent_.Recover("conv-4", "r1", indu.indu_id(), Eur(650), v1::REPAYMENT, 20280515);
  ASSERT_TRUE(repaid.ok()) << repaid.status();
  EXPECT_EQ(repaid->convention.indus(0).open_cents(), 0);
  EXPECT_EQ(SumLines(agent_.Lines(2028),
                     [](const auto& l) {
                       return l.rule.id == "R-ACC-9" && l.debit == Account::kSettlement &&
                              l.credit == Account::kSubsidyN1;
                     }),
            Eur(650));
  ExpectBalanced({2028});
}

}  // namespace
}  // namespace clas::testing
