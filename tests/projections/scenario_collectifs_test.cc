// The number of collectifs changing during a convention, lived by a Caf agent: an association
// supported since 2023-2024 signs for 2026-2027 and 2027-2028 with 3 collectifs; in March 2028 a
// prolongation avenant adds 2028-2029 with 4 collectifs (R-CONV-3, R-CONV-5); in February 2028 a
// notification lowers 2027-2028 to 2 collectifs, which changes the cap of the later acomptes
// only (R-PAY-6).
//
// Barème (illustrative) 7 000,00 € of plafond for 2026, 2027 and 2028, so that only C moves the
// DP. Hand computation (R-DROIT-2/3, R-PAY-2/3, in cents):
//   C = 3, charges 30 000,00: base = min(30 000,00 ; 21 000,00) = 21 000,00;
//          PS = (2 100 000 × 13 + 20) div 40 = 682 500 → 6 825,00 €;
//          cap N = 682 500 × 28 div 100 = 1 911,00 €; cap N+1 = 682 500 × 42 div 100 = 2 866,50 €.
//   C = 2, charges 30 000,00: base = min(30 000,00 ; 14 000,00) = 14 000,00;
//          PS = (1 400 000 × 13 + 20) div 40 = 455 000 → 4 550,00 €;
//          cap N+1 = 455 000 × 42 div 100 = 1 911,00 €.
//   C = 4, charges 36 000,00: base = min(36 000,00 ; 28 000,00) = 28 000,00;
//          PS = (2 800 000 × 13 + 20) div 40 = 910 000 → 9 100,00 €;
//          cap N = 910 000 × 28 div 100 = 2 548,00 €. (80 % of 36 000,00 = 28 800,00: no cap.)
#include <string>

#include "gtest/gtest.h"
#include "projections/rules/accounting.h"
#include "tests/projections/agent.h"

namespace clas::testing {
namespace {

using ::testing::IsEmpty;
using absl::StatusCode::kFailedPrecondition;

class Collectifs : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int32_t year : {2026, 2027, 2028}) {
      ASSERT_TRUE(agent_.PublishBareme(year, Eur(7000), Eur(1000), Eur(1500)).ok());
    }
    // Supported since 2023-2024: three years before 2026-2027, a multi-year convention is allowed.
    ASSERT_TRUE(agent_.Register("asso-2", v1::ASSOCIATION, 2023).ok());
    ASSERT_TRUE(agent_.File(Agent::Request("conv-2", "asso-2", 2026, 2, 3, Eur(30000)), 20260515)
                    .ok());
    ASSERT_TRUE(agent_.Agree("conv-2", 2026, 2027, 3, 20260620).ok());
    auto signed_ = agent_.Sign("conv-2", 2026, 2027, 20260701);
    ASSERT_TRUE(signed_.ok()) << signed_.status();
    for (const auto& y : signed_->convention.years()) ASSERT_EQ(y.dp().ps_cents(), Eur(6825));
  }

  Agent agent_;
};

TEST_F(Collectifs, R_CONV_3_R_CONV_5_ProlongationWithFourCollectifs) {
  auto avenant = agent_.Avenant("conv-2", "av-1", v1::PROLONGATION_COLLECTIFS, 2028, 4,
                                Eur(36000), 20280315);
  ASSERT_TRUE(avenant.ok()) << avenant.status();
  // The avenant, the comité "pour information" updating the agrément, the new notification.
  ASSERT_EQ(avenant->events.size(), 3u);
  EXPECT_EQ(avenant->events[0].fact.avenant_signed().collectifs(), 4);
  EXPECT_EQ(avenant->events[0].fact.avenant_signed().charges_cents(), Eur(36000));
  EXPECT_EQ(avenant->events[1].fact.committee_decision_recorded().mode(), v1::POUR_INFORMATION);
  EXPECT_EQ(avenant->events[1].fact.committee_decision_recorded().agreed_collectifs(), 4);
  EXPECT_EQ(avenant->events[2].fact.collectifs_notified().school_year(), 2028);
  EXPECT_EQ(avenant->events[2].fact.collectifs_notified().collectifs(), 4);

  const v1::ConventionState& now = avenant->convention;
  EXPECT_EQ(now.last_school_year(), 2028);
  const v1::SchoolYearState* y2028 = FindYear(now, 2028);
  ASSERT_NE(y2028, nullptr);
  EXPECT_EQ(y2028->notified_collectifs(), 4);
  EXPECT_EQ(y2028->agrement().agreed_collectifs(), 4);
  // DP of 2028-2029 with C = 4: 9 100,00 (à l'identique it would have been 6 825,00).
  EXPECT_EQ(y2028->dp().inputs().collectifs(), 4);
  EXPECT_EQ(y2028->dp().ps_cents(), Eur(9100));
  // The years before keep their DP and its history.
  EXPECT_EQ(FindYear(now, 2027)->dp().ps_cents(), Eur(6825));
  EXPECT_EQ(FindYear(now, 2027)->dp_history_size(), 1);

  // R-CONV-5: as of the day before, the convention is the one signed in 2026.
  auto before = agent_.State("conv-2", AsOf{.effective_date = 20280314});
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->last_school_year(), 2027);
  EXPECT_THAT(before->avenants(), IsEmpty());
  EXPECT_EQ(FindYear(*before, 2028), nullptr);
  EXPECT_EQ(FindYear(*before, 2027)->dp().ps_cents(), Eur(6825));
  EXPECT_EQ(FindYear(*before, 2027)->notified_collectifs(), 3);

  // The first acompte of 2028-2029 is capped by the new DP: 2 548,00.
  const uint64_t head = agent_.log().HeadPosition();
  auto over = agent_.Acompte("conv-2", "a28", 2028, Cents(2548, 1), 20281015);
  EXPECT_TRUE(IsRefusal(over.status(), kFailedPrecondition, "R-PAY-2"));
  // A notification above the 4 collectifs agreed needs another avenant.
  auto five = agent_.Notify("conv-2", "n-5", 2028, 5, 20281001);
  EXPECT_TRUE(IsRefusal(five.status(), kFailedPrecondition, "R-CONV-3"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  EXPECT_TRUE(agent_.Acompte("conv-2", "a28", 2028, Eur(2548), 20281015).ok());
}

TEST_F(Collectifs, R_PAY_6_LoweringTheCollectifsCapsLaterAcomptesOnly) {
  // 2027-2028 under C = 3: the N share's acompte at its cap, then 2 000,00 in January 2028.
  ASSERT_TRUE(agent_.Acompte("conv-2", "a27-1", 2027, Eur(1911), 20271015).ok());
  auto jan = agent_.Acompte("conv-2", "a27-2", 2027, Eur(2000), 20280110);
  ASSERT_TRUE(jan.ok()) << jan.status();
  const v1::AcomptePaid jan_fact = jan->events[0].fact.acompte_paid();
  EXPECT_EQ(jan_fact.cap_cents(), Cents(2866, 50));

  // 01/02/2028: only 2 collectifs run. DP 4 550,00, cap N+1 1 911,00.
  auto lowered = agent_.Notify("conv-2", "n-2", 2027, 2, 20280201);
  ASSERT_TRUE(lowered.ok()) << lowered.status();
  const v1::SchoolYearState* y = FindYear(lowered->convention, 2027);
  ASSERT_NE(y, nullptr);
  EXPECT_EQ(y->notified_collectifs(), 2);
  EXPECT_EQ(y->dp().ps_cents(), Eur(4550));
  ASSERT_EQ(y->dp_history_size(), 2);
  EXPECT_EQ(y->dp_history(0).dp().ps_cents(), Eur(6825));
  EXPECT_EQ(y->dp_history(1).effective_date(), 20280201);
  EXPECT_EQ(y->dp_history(1).dp().ps_cents(), Eur(4550));
  EXPECT_EQ(y->cap_n1_cents(), Eur(1911));
  EXPECT_EQ(y->room_n1_cents(), 0);  // 2 000,00 already paid is above the new cap
  // The acomptes paid are not rewritten: same amounts, same caps, same DP recorded.
  ASSERT_EQ(y->acomptes_size(), 2);
  EXPECT_EQ(y->acomptes(0).amount_cents(), Eur(1911));
  EXPECT_EQ(y->acomptes(0).cap_cents(), Eur(1911));
  EXPECT_EQ(y->acomptes(1).amount_cents(), Eur(2000));
  EXPECT_EQ(y->acomptes(1).cap_cents(), Cents(2866, 50));
  auto recorded = agent_.log().FindEvent(jan->events[0].event_id);
  ASSERT_TRUE(recorded.ok() && recorded->has_value());
  EXPECT_EQ((*recorded)->fact.acompte_paid().SerializeAsString(), jan_fact.SerializeAsString());
  EXPECT_EQ((*recorded)->fact.acompte_paid().dp().ps_cents(), Eur(6825));

  // R-CONV-5: as of 31/01/2028 the old DP and cap still show.
  auto before = agent_.State("conv-2", AsOf{.effective_date = 20280131});
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(FindYear(*before, 2027)->dp().ps_cents(), Eur(6825));
  EXPECT_EQ(FindYear(*before, 2027)->cap_n1_cents(), Cents(2866, 50));

  // A later acompte, even of one cent, is above the new cap (R-PAY-3).
  const uint64_t head = agent_.log().HeadPosition();
  auto march = agent_.Acompte("conv-2", "a27-3", 2027, 1, 20280301);
  EXPECT_TRUE(IsRefusal(march.status(), kFailedPrecondition, "R-PAY-3"));
  // An acompte dated 20/01/2028, before the notification took effect, is capped by the DP in
  // force on its date (R-PAY-6): 2 866,50 − 2 000,00 = 866,50 left.
  auto late_entry = agent_.Acompte("conv-2", "a27-3", 2027, Cents(866, 51), 20280120);
  EXPECT_TRUE(IsRefusal(late_entry.status(), kFailedPrecondition, "R-PAY-3"));
  EXPECT_EQ(agent_.log().HeadPosition(), head);
  auto entered = agent_.Acompte("conv-2", "a27-3", 2027, Cents(866, 50), 20280120);
  ASSERT_TRUE(entered.ok()) << entered.status();
  EXPECT_EQ(entered->events[0].fact.acompte_paid().dp().ps_cents(), Eur(6825));
  EXPECT_EQ(entered->events[0].fact.acompte_paid().paid_before_cents(), Eur(2000));

  // The bilan: 3 collectifs ran, 2 notified → C = 2 (R-DROIT-2), DR = 4 550,00. Acomptes
  // 1 911,00 + 2 000,00 + 866,50 = 4 777,50 > DR: the solde pays nothing and notifies an
  // indu of 227,50 (R-PAY-5); nothing already paid is rewritten.
  ASSERT_TRUE(agent_.Bilan("conv-2", 2027, 3, Eur(30000), 20280915).ok());
  auto solde = agent_.Solde("conv-2", "s27", 2027, 20281020);
  ASSERT_TRUE(solde.ok()) << solde.status();
  const v1::SchoolYearState* after = FindYear(solde->convention, 2027);
  EXPECT_EQ(after->dr().inputs().collectifs(), 2);
  EXPECT_EQ(after->dr().ps_cents(), Eur(4550));
  EXPECT_EQ(after->solde().amount_cents(), 0);
  EXPECT_EQ(after->indus_notified_cents(), Cents(227, 50));
  EXPECT_EQ(after->paid_cents(), Cents(4777, 50));
  EXPECT_EQ(after->paid_net_cents(), Eur(4550));
}


// The closing of 2027 is recorded on 15/02/2028, after the notification of 01/02/2028: it books
// the year with the DP in force on 31/12/2027 (C = 3), since the notification takes effect from
// its date only (R-CONV-5, R-PAY-6). R-ACC-3: charge à payer = N share of DP's PS − acomptes
// dated in 2027 = (682 500 × 4 + 5) div 10 = 273 000 → 2 730,00 − 1 911,00 = 819,00.
// R-ACC-4: engagement = 6 825,00 − 2 730,00 = 4 095,00.
TEST_F(Collectifs, R_ACC_3_R_CONV_5_ClosingAfterANotificationUsesTheDpInForceOn31December) {
  ASSERT_TRUE(agent_.Close(2026, 20270115).ok());  // the years close in order (R-ACC-8)
  ASSERT_TRUE(agent_.Acompte("conv-2", "a27-1", 2027, Eur(1911), 20271015).ok());
  ASSERT_TRUE(agent_.Notify("conv-2", "n-2", 2027, 2, 20280201).ok());
  auto closed = agent_.Close(2027, 20280215);
  ASSERT_TRUE(closed.ok()) << closed.status();
  auto lines = agent_.Lines(2027);
  auto of_2027 = [](Account debit, Account credit) {
    return [=](const Line& l) {
      return l.month == 13 && l.school_year.n() == 2027 && l.debit == debit && l.credit == credit;
    };
  };
  EXPECT_EQ(SumLines(lines, of_2027(Account::kSubsidyN, Account::kChargesAPayer)), Eur(819));
  EXPECT_EQ(SumLines(lines, of_2027(Account::kEngagementDebit, Account::kEngagementCredit)),
            Eur(4095));
}

}  // namespace
}  // namespace clas::testing
