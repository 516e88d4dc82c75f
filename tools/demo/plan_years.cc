// One school year's money: notification, acomptes at or under their caps (R-PAY-2/3), bilan
// (some late, some corrected: R-HIST-1), solde in N+1 or two civil years later (R-PAY-5), and the
// refusals of that stage sent on purpose.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "projections/core/money.h"
#include "tools/demo/caf_planner.h"

namespace clas::demo {
namespace {

constexpr int kNotifiedFewerPercent = 7;
constexpr int kNotificationMistypedPercent = 35;
constexpr int kNoAcompteNPercent = 6;
constexpr int kNoAcompteN1Percent = 5;
constexpr int kAcompteAtCapPercent = 70;
constexpr int kFewerCollectifsRanPercent = 8;
constexpr int kActivityCollapsedPercent = 1;
constexpr int kBilanMistypedPercent = 3;
// Bilans in the autumn of N+1 (solde the same year), in December (solde in N+2), or late.
constexpr int kBilanOnTimePercent = 65;
constexpr int kBilanInDecemberPercent = 25;

v1::ClasEvent NotificationFact(const std::string& id, int32_t n, int collectifs) {
  v1::ClasEvent e;
  auto* c = e.mutable_collectifs_notified();
  c->set_notification_id(id);
  c->set_school_year(n);
  c->set_collectifs(collectifs);
  return e;
}

}  // namespace

void CafPlanner::EmitYear(ConventionPlan& c, YearPlan& y) {
  if (!Kept(y.ready)) return;  // the year is not agreed yet: nothing else happened
  const int32_t from = EmitNotification(c, y);
  ++plan_->shape.actions_by_school_year[y.n];
  plan_->shape.dp_cents_by_school_year[y.n] +=
      Droit(y.n, v1::DROIT_PREVISIONNEL, Forecast(y)).droit_cents();
  int64_t acomptes = EmitAcompte(c, y, /*n_share=*/true, from);
  acomptes += EmitAcompte(c, y, /*n_share=*/false, Ymd(y.n + 1, 1, 20));
  EmitBilanAndSolde(c, y, acomptes);
}

// Notifies one collectif fewer than agreed, in early October; sometimes mistyped and corrected
// (R-HIST-1). Returns the first day an acompte may follow.
int32_t CafPlanner::EmitNotification(const ConventionPlan& c, YearPlan& y) {
  const int32_t n = y.n;
  if (y.notified < 2 || !rng_.Percent(kNotifiedFewerPercent)) return Ymd(n, 10, 1);
  const int right = y.notified - 1;
  v1::NotifyCollectifs cmd;
  cmd.set_caf_id(caf_id_);
  cmd.set_convention_id(c.id);
  cmd.set_notification_id(absl::StrCat("notif-", n));
  cmd.set_school_year(n);
  cmd.set_collectifs(right);
  cmd.set_date(DayBetween(rng_, Ymd(n, 10, 1), Ymd(n, 10, 10)));
  y.notified = right;
  const bool mistyped = right >= 2 && rng_.Percent(kNotificationMistypedPercent);
  if (mistyped) cmd.set_collectifs(right - 1);
  // Add() may move earlier steps: the handle is kept by value.
  const std::string handle = absl::StrCat(caf_id_, "/", c.id, "/notification-", n);
  Add(cmd.date(), Who::kAgent, Rid(c.id, absl::StrCat("notification-", n)), cmd).remember_as =
      mistyped ? handle : "";
  if (!mistyped) return Ymd(n, 10, 11);
  v1::CorrectEvent fix;
  fix.set_caf_id(caf_id_);
  fix.set_convention_id(c.id);
  fix.set_reason(absl::StrFormat("nombre de collectifs mal saisi : %d au lieu de %d", right - 1,
                                 right));
  *fix.mutable_replacement() = NotificationFact(cmd.notification_id(), n, right);
  fix.set_date(DayBetween(rng_, Ymd(n, 10, 11), Ymd(n, 10, 18)));
  Add(fix.date(), Who::kAgent, Rid(c.id, absl::StrCat("correction-notification-", n)), fix)
      .target_from = handle;
  return Ymd(n, 10, 19);
}

// An acompte of the N share (from October N, cap 28 % of DP's PS) or of the N+1 share (January
// to March N+1, cap 42 %): at its cap, or a round amount under it. Returns the amount planned.
int64_t CafPlanner::EmitAcompte(const ConventionPlan& c, const YearPlan& y, bool n_share,
                                int32_t from) {
  const int32_t n = y.n;
  if (rng_.Percent(n_share ? kNoAcompteNPercent : kNoAcompteN1Percent)) return 0;
  const int64_t ps = Droit(n, v1::DROIT_PREVISIONNEL, Forecast(y)).ps_cents();
  // R-PAY-2 / R-PAY-3, floored to the cent.
  const int64_t cap = Money::Cents(ps).MulDivFloor(n_share ? 28 : 42, 100).cents();
  if (cap <= 0) return 0;
  const int32_t date = n_share ? DayBetween(rng_, std::max(from, Ymd(n, 10, 1)), Ymd(n, 11, 25))
                               : DayBetween(rng_, from, Ymd(n + 1, 3, 20));
  const int64_t round = cap / 10000 * 10000;
  const int64_t amount = rng_.Percent(kAcompteAtCapPercent) || round == 0 ? cap : round;
  const std::string share = n_share ? "1" : "2";
  v1::PayAcompte cmd;
  cmd.set_caf_id(caf_id_);
  cmd.set_convention_id(c.id);
  cmd.set_payment_id(absl::StrCat("a", n, "-", share));
  cmd.set_school_year(n);
  cmd.set_date(date);
  const char* cap_rule = n_share ? "R-PAY-2" : "R-PAY-3";
  if (Kept(date) && Take(cap_rule)) {  // one cent over the cap
    v1::PayAcompte over = cmd;
    over.set_payment_id(absl::StrCat("a", n, "-", share, "x"));
    over.set_amount_cents(cap + 1);
    Add(date, Who::kAgent, Rid(c.id, absl::StrCat("acompte-", n, "-", share, "-plafond")), over)
        .expect_rule = cap_rule;
  }
  cmd.set_amount_cents(amount);
  Add(date, Who::kAgent, Rid(c.id, absl::StrCat("acompte-", n, "-", share)), cmd);
  payments_[projects_[c.project].gestionnaire].push_back(PaymentRef{
      .date = date, .convention_id = c.id, .payment_id = cmd.payment_id(), .amount_cents = amount});
  const int32_t after_closing = Ymd(n + 1, 1, 20);
  if (n_share && Kept(after_closing) && Take("R-PAY-7")) {  // dated in a closed civil year
    v1::PayAcompte late = cmd;
    late.set_payment_id(absl::StrCat("a", n, "-3"));
    late.set_amount_cents(10000);
    late.set_date(Ymd(n, 12, 15));
    Add(after_closing, Who::kAgent, Rid(c.id, absl::StrCat("acompte-", n, "-clos")), late)
        .expect_rule = "R-PAY-7";
  }
  return amount;
}

// The final figures: mostly as forecast, sometimes one collectif fewer, rarely an activity that
// collapsed (its solde is then negative: an indu, R-PAY-5). Bonuses never above the agrément.
v1::Figures CafPlanner::BilanFigures(const YearPlan& y) {
  v1::Figures f;
  int collectifs = y.notified;
  if (collectifs >= 2 && rng_.Percent(kFewerCollectifsRanPercent)) --collectifs;
  int64_t charges = y.charges_cents * rng_.Between(90, 108) / 100 / 100 * 100;
  if (rng_.Percent(kActivityCollapsedPercent)) {
    collectifs = std::max(1, y.notified / 3);
    charges = y.charges_cents * 35 / 100 / 100 * 100;
  }
  f.set_collectifs(collectifs);
  f.set_charges_cents(charges);
  f.set_autres_bf_cents(y.autres_bf_cents);
  int e = std::min(y.bonus_enfants, collectifs);
  int p = std::min(y.bonus_parents, collectifs);
  if (e > 0 && rng_.Percent(10)) --e;
  if (p > 0 && rng_.Percent(10)) --p;
  f.set_bonus_enfants_collectifs(e);
  f.set_bonus_parents_collectifs(p);
  return f;
}

void CafPlanner::EmitBilanAndSolde(const ConventionPlan& c, const YearPlan& y,
                                   int64_t acomptes_cents) {
  const int32_t n = y.n;
  const v1::Figures bilan = BilanFigures(y);
  const int timing = static_cast<int>(rng_.Between(0, 99));
  int32_t received = 0, solde = 0;
  if (timing < kBilanOnTimePercent) {
    received = DayBetween(rng_, Ymd(n + 1, 9, 15), Ymd(n + 1, 10, 31));
    solde = DayBetween(rng_, AddDays(received, 10), AddDays(received, 50));
  } else if (timing < kBilanOnTimePercent + kBilanInDecemberPercent) {
    received = DayBetween(rng_, Ymd(n + 1, 11, 1), Ymd(n + 1, 12, 10));
    solde = DayBetween(rng_, Ymd(n + 2, 2, 1), Ymd(n + 2, 4, 15));  // two civil years later
  } else {  // a late bilan, a year or more after the end of the school year
    received = DayBetween(rng_, Ymd(n + 2, 9, 15), Ymd(n + 3, 1, 31));
    solde = AddDays(received, static_cast<int>(rng_.Between(20, 60)));
  }
  const int32_t now = options_.today;
  if (!Kept(received) && now >= Ymd(n + 1, 1, 1) && now >= y.ready && Take("R-CONV-6")) {
    v1::PaySolde early;  // no bilan yet: no solde (pièce justificative obligatoire)
    early.set_caf_id(caf_id_);
    early.set_convention_id(c.id);
    early.set_payment_id(absl::StrCat("s", n));
    early.set_school_year(n);
    early.set_date(now);
    Add(now, Who::kAgent, Rid(c.id, absl::StrCat("solde-", n, "-sans-bilan")), early)
        .expect_rule = "R-CONV-6";
  }
  v1::ReceiveBilan cmd;
  cmd.set_caf_id(caf_id_);
  cmd.set_convention_id(c.id);
  cmd.set_school_year(n);
  *cmd.mutable_figures() = bilan;
  cmd.set_date(received);
  if (rng_.Percent(kBilanMistypedPercent)) {  // charges typed with one zero too many
    cmd.mutable_figures()->set_charges_cents(bilan.charges_cents() * 10);
    const std::string handle = absl::StrCat(caf_id_, "/", c.id, "/bilan-", n);
    Add(received, Who::kAgent, Rid(c.id, absl::StrCat("bilan-", n)), cmd).remember_as = handle;
    v1::CorrectEvent fix;
    fix.set_caf_id(caf_id_);
    fix.set_convention_id(c.id);
    fix.set_reason(absl::StrFormat("charges du compte de résultat mal saisies : %s au lieu de %s",
                                   Money::Cents(bilan.charges_cents() * 10).ToFrench(),
                                   Money::Cents(bilan.charges_cents()).ToFrench()));
    fix.mutable_replacement()->mutable_bilan_received()->set_school_year(n);
    *fix.mutable_replacement()->mutable_bilan_received()->mutable_figures() = bilan;
    fix.set_date(AddDays(received, static_cast<int>(rng_.Between(3, 8))));
    Add(fix.date(), Who::kAgent, Rid(c.id, absl::StrCat("correction-bilan-", n)), fix)
        .target_from = handle;
    solde = std::max(solde, AddDays(fix.date(), 1));
  } else {
    Add(received, Who::kAgent, Rid(c.id, absl::StrCat("bilan-", n)), cmd);
  }
  EmitSolde(c, y, bilan, solde, acomptes_cents);
}

// The solde (R-PAY-5): DR minus every acompte. A negative one pays nothing and is notified as an
// indu, repaid by the gestionnaire a few weeks later.
void CafPlanner::EmitSolde(const ConventionPlan& c, const YearPlan& y, const v1::Figures& bilan,
                           int32_t solde_date, int64_t acomptes_cents) {
  const int32_t n = y.n;
  const int64_t dr = Droit(n, v1::DROIT_REEL, bilan).droit_cents();
  v1::PaySolde cmd;
  cmd.set_caf_id(caf_id_);
  cmd.set_convention_id(c.id);
  cmd.set_payment_id(absl::StrCat("s", n));
  cmd.set_school_year(n);
  cmd.set_date(solde_date);
  Add(solde_date, Who::kAgent, Rid(c.id, absl::StrCat("solde-", n)), cmd);
  const int32_t again = AddDays(solde_date, 7);
  if (Kept(again) && Take("R-PAY-5")) {  // a solde is paid once
    v1::PaySolde twice = cmd;
    twice.set_payment_id(absl::StrCat("s", n, "-bis"));
    twice.set_date(again);
    Add(again, Who::kAgent, Rid(c.id, absl::StrCat("solde-", n, "-bis")), twice).expect_rule =
        "R-PAY-5";
  }
  if (dr < acomptes_cents) {
    v1::RecordRecovery repaid;
    repaid.set_caf_id(caf_id_);
    repaid.set_convention_id(c.id);
    repaid.set_recovery_id(absl::StrCat("rem-", n));
    repaid.set_indu_id(absl::StrCat(cmd.payment_id(), "-indu"));  // named by the engine
    repaid.set_amount_cents(acomptes_cents - dr);
    repaid.set_method(v1::REPAYMENT);
    repaid.set_date(AddDays(solde_date, static_cast<int>(rng_.Between(30, 90))));
    Add(repaid.date(), Who::kAgent, Rid(c.id, absl::StrCat("remboursement-", n)), repaid);
    return;
  }
  if (!Kept(solde_date)) return;
  paid_years_.push_back(PaidYear{.convention_id = c.id,
                                 .gestionnaire = projects_[c.project].gestionnaire,
                                 .year = y,
                                 .bilan = bilan,
                                 .paid_cents = dr,
                                 .solde_date = solde_date});
}

}  // namespace clas::demo
