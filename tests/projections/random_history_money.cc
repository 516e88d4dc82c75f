// The generator of random histories (random_history.h): bilans, soldes, contrôles, rappels,
// recoveries and cancellations.
#include <algorithm>

#include "tests/projections/random_history.h"

namespace clas::testing {

absl::StatusOr<CommandResult> RandomHistory::CancelEvent(const std::string& id,
                                                         const std::string& target,
                                                         const std::string& reason) {
  v1::CorrectEvent cmd;
  cmd.set_caf_id(agent_.caf());
  cmd.set_convention_id(id);
  cmd.set_target_event_id(target);
  cmd.set_reason(reason);
  cmd.set_cancel(true);
  return agent_.engine().CorrectEvent(cmd, agent_.actor(), agent_.NextRequest());
}

void RandomHistory::Cancel(const std::string& id, int32_t n, const std::string& pid,
                           const std::string& target, int32_t date, bool rappel) {
  auto y = Year(id, n);
  Payment* payment = FindPayment(plans_[id].gestionnaire, id, pid);
  if (!y || payment == nullptr) return;
  const std::string what = absl::StrCat("annulation de ", pid, " de ", id, " le ", today_);
  if (payment->offset > 0) {
    ExpectRefused(what + " : une compensation y est retenue", "R-CTL-3",
                  [&] { return CancelEvent(id, target, "paiement versé par erreur"); });
    return;
  }
  if (closed_.count(date / 10000) > 0 || (!rappel && y->solde_paid())) return;
  if (!Accepted(what, id, CancelEvent(id, target, "paiement versé par erreur"))) return;
  payment->amount = 0;
  if (rappel) At(Dice::Plus(today_, dice_.Between(5, 60)), 1, [this, id, n] { PayRappel(id, n); });
}

void RandomHistory::CancelRecovery(size_t index) {
  Recovery& r = recoveries_made_[index];
  if (closed_.count(r.date / 10000) > 0 || r.amount == 0) return;
  if (!Accepted(absl::StrCat("annulation du recouvrement ", r.id, " le ", today_), r.convention,
                CancelEvent(r.convention, r.event_id, "recouvrement saisi par erreur"))) {
    return;
  }
  if (Payment* p = FindPayment(r.gestionnaire, r.offset_convention, r.offset_payment)) {
    p->offset -= r.amount;
  }
  r.amount = 0;
}

absl::StatusOr<CommandResult> RandomHistory::ReceiveBilan(const std::string& id, int32_t n,
                                                          const v1::Figures& figures) {
  v1::ReceiveBilan cmd;
  cmd.set_caf_id(agent_.caf());
  cmd.set_convention_id(id);
  cmd.set_school_year(n);
  *cmd.mutable_figures() = figures;
  cmd.set_date(today_);
  return agent_.engine().ReceiveBilan(cmd, agent_.actor(), agent_.NextRequest());
}

void RandomHistory::Bilan(const std::string& id, int32_t n) {
  auto y = Year(id, n);
  if (!y) return;
  auto result = ReceiveBilan(id, n, RandomFigures(*y));
  if (!Accepted(absl::StrCat("bilan ", id, " ", n, " le ", today_), id, result)) return;
  const std::string bilan = result->events.front().event_id;
  if (dice_.Chance(10)) {
    At(Dice::Plus(today_, dice_.Between(1, 20)), 1, [this, id, n, bilan] {
      auto y = Year(id, n);
      if (!y || y->solde_paid()) return;
      v1::CorrectEvent cmd;
      cmd.set_caf_id(agent_.caf());
      cmd.set_convention_id(id);
      cmd.set_target_event_id(bilan);
      cmd.set_reason("bilan rectifié par le gestionnaire");
      cmd.mutable_replacement()->mutable_bilan_received()->set_school_year(n);
      *cmd.mutable_replacement()->mutable_bilan_received()->mutable_figures() = RandomFigures(*y);
      Accepted(absl::StrCat("correction du bilan ", id, " ", n, " le ", today_), id,
               agent_.engine().CorrectEvent(cmd, agent_.actor(), agent_.NextRequest()));
    });
  }
  if (dice_.Chance(85)) {
    At(Dice::Plus(today_, dice_.Between(25, 120)), 1, [this, id, n] { Solde(id, n); });
  }
}

void RandomHistory::Solde(const std::string& id, int32_t n) {
  const std::string pid = absl::StrCat("s", n);
  auto y = Year(id, n);
  if (!y) return;
  const int32_t date = DateFrom(y->bilan_date());  // R-CONV-6: not before the bilan
  auto result = agent_.Solde(id, pid, n, date);
  if (!Accepted(absl::StrCat("solde ", id, " ", n, " le ", date, " (enregistré le ", today_, ")"),
                id, result)) {
    return;
  }
  for (const auto& e : result->events) {
    if (e.fact.has_solde_paid() && e.fact.solde_paid().amount_cents() > 0) {
      payments_[plans_[id].gestionnaire].push_back(
          Payment{id, pid, e.fact.solde_paid().amount_cents(), 0, date});
    }
    if (e.fact.has_indu_notified()) ScheduleRecoveries(id, e.fact.indu_notified().indu_id());
  }
  if (dice_.Chance(12)) {
    At(Dice::Plus(today_, dice_.Between(10, 150)), 1,
       [this, id, n] { CorrectBilanAfterSolde(id, n); });
  }
  if (dice_.Chance(35)) {
    At(Dice::Plus(today_, dice_.Between(20, 200)), 1, [this, id, n] { Controle(id, n); });
  }
}

void RandomHistory::CorrectBilanAfterSolde(const std::string& id, int32_t n) {
  auto y = Year(id, n);
  if (!y || !y->solde_paid() || closed_.count(today_ / 10000) > 0) return;
  v1::CorrectEvent cmd;
  cmd.set_caf_id(agent_.caf());
  cmd.set_convention_id(id);
  cmd.set_target_event_id(y->bilan_event_id());
  cmd.set_reason("bilan rectifié après le solde");
  cmd.mutable_replacement()->mutable_bilan_received()->set_school_year(n);
  *cmd.mutable_replacement()->mutable_bilan_received()->mutable_figures() = RandomFigures(*y);
  cmd.set_date(today_);
  auto result = agent_.engine().CorrectEvent(cmd, agent_.actor(), agent_.NextRequest());
  if (!Accepted(absl::StrCat("correction du bilan ", id, " ", n, " après le solde, le ", today_),
                id, result)) {
    return;
  }
  for (const auto& e : result->events) {
    if (e.fact.has_indu_notified()) ScheduleRecoveries(id, e.fact.indu_notified().indu_id());
    if (e.fact.event_corrected().solde_revision().delta_cents() > 0 && dice_.Chance(70)) {
      // Unless paid meanwhile, or replaced by a contrôle's decision (R-PAY-8).
      At(Dice::Plus(today_, dice_.Between(5, 60)), 1, [this, id, n] {
        auto y = Year(id, n);
        if (y && y->rappel_due_cents() > 0) PayRappel(id, n);
      });
    }
  }
}

void RandomHistory::Controle(const std::string& id, int32_t n) {
  const std::string ctl = absl::StrCat("ctl-", n);
  if (!Accepted(absl::StrCat("ouverture du contrôle ", ctl, " de ", id, " le ", today_), id,
                agent_.OpenControle(id, ctl, {n}, today_))) {
    return;
  }
  At(Dice::Plus(today_, dice_.Between(5, 40)), 1, [this, id, n, ctl] {
    auto y = Year(id, n);
    if (!y) return;
    v1::ControlledYear cy;
    cy.set_school_year(n);
    *cy.mutable_figures() = RandomFigures(*y);
    if (!Accepted(absl::StrCat("constats du contrôle ", ctl, " de ", id, " le ", today_), id,
                  agent_.Findings(id, ctl, {cy}, today_))) {
      return;
    }
    At(Dice::Plus(today_, dice_.Between(5, 40)), 1, [this, id, n, ctl] { Decide(id, n, ctl); });
  });
}

void RandomHistory::Decide(const std::string& id, int32_t n, const std::string& ctl) {
  auto result = agent_.DecideControle(id, ctl, today_);
  if (!Accepted(absl::StrCat("décision du contrôle ", ctl, " de ", id, " le ", today_), id,
                result)) {
    return;
  }
  for (const auto& e : result->events) {
    if (e.fact.has_indu_notified()) ScheduleRecoveries(id, e.fact.indu_notified().indu_id());
  }
  auto y = Year(id, n);
  if (y && y->rappel_due_cents() > 0) {
    At(Dice::Plus(today_, dice_.Between(5, 60)), 1, [this, id, n] { PayRappel(id, n); });
  }
}

void RandomHistory::PayRappel(const std::string& id, int32_t n) {
  Plan& p = plans_[id];
  const std::string pid = absl::StrCat("r", n, "-", ++p.payments);
  auto state = agent_.State(id);
  if (!state.ok()) return;
  int32_t decided = today_;
  for (const auto& c : state->controles()) {
    if (c.controle_id() == absl::StrCat("ctl-", n)) decided = c.decided_date();
  }
  const int32_t date = DateFrom(decided);
  auto paid = agent_.Rappel(id, pid, n, date);
  if (!Accepted(absl::StrCat("rappel ", pid, " de ", id, " ", n, " le ", date, " (enregistré le ",
                             today_, ")"),
                id, paid)) {
    return;
  }
  payments_[p.gestionnaire].push_back(
      Payment{id, pid, paid->events.front().fact.rappel_paid().amount_cents(), 0, date});
  if (dice_.Chance(10)) {
    const std::string target = paid->events.front().event_id;
    At(Dice::Plus(today_, dice_.Between(1, 40)), 2,
       [this, id, n, pid, target, date] { Cancel(id, n, pid, target, date, true); });
  }
}

void RandomHistory::ScheduleRecoveries(const std::string& id, const std::string& indu) {
  int32_t date = today_;
  for (int64_t k = dice_.Between(0, 3); k > 0; --k) {
    date = Dice::Plus(date, dice_.Between(10, 90));
    At(date, 1, [this, id, indu] { Recover(id, indu); });
  }
}

RandomHistory::Payment* RandomHistory::FindPayment(const std::string& g, const std::string& conv,
                                                   const std::string& pid) {
  for (auto& p : payments_[g]) {
    if (p.convention == conv && p.id == pid) return &p;
  }
  return nullptr;
}

void RandomHistory::Recover(const std::string& id, const std::string& indu_id) {
  auto state = agent_.State(id);
  if (!state.ok()) return;
  int64_t open = 0;
  int32_t notified = 0;
  for (const auto& i : state->indus()) {
    if (i.indu_id() != indu_id) continue;
    open = i.open_cents();
    notified = i.date();
  }
  if (open <= 0) return;
  const std::string rid = absl::StrCat("rec-", ++recoveries_);
  const int32_t date = DateFrom(notified);
  const std::string what = absl::StrCat("recouvrement ", rid, " de ", indu_id, " le ", date,
                                        " (enregistré le ", today_, ")");
  if (dice_.Chance(15)) {
    ExpectRefused(absl::StrCat(what, " : un centime au-delà du reste ", open), "R-CTL-5",
                  [&] { return agent_.Recover(id, rid, indu_id, open + 1, v1::REPAYMENT, date); });
  }
  int64_t amount = dice_.Chance(40) ? open : dice_.Between(1, open);
  Payment* offset = nullptr;
  if (dice_.Chance(30)) {
    for (auto& p : payments_[plans_[id].gestionnaire]) {
      // R-CTL-3: an offset is withheld from a payment made since the indu was notified.
      // and not dated after the recovery that is withheld from it.
      if (p.amount - p.offset > 0 && p.date >= notified && p.date <= date) offset = &p;
    }
  }
  if (offset != nullptr) amount = std::min(amount, offset->amount - offset->offset);
  auto result = offset == nullptr ? agent_.Recover(id, rid, indu_id, amount, v1::REPAYMENT, date)
                                  : agent_.Recover(id, rid, indu_id, amount, v1::OFFSET, date,
                                                   offset->id, offset->convention);
  if (!Accepted(absl::StrCat(what, " : ", amount, offset ? " par compensation" : ""), id, result)) {
    return;
  }
  if (offset != nullptr) offset->offset += amount;
  recoveries_made_.push_back(Recovery{id, rid, result->events.front().event_id,
                                      plans_[id].gestionnaire, offset ? offset->id : "",
                                      offset ? offset->convention : "", amount, date});
  if (dice_.Chance(8)) {
    const size_t index = recoveries_made_.size() - 1;
    At(Dice::Plus(today_, dice_.Between(1, 30)), 2, [this, index] { CancelRecovery(index); });
  }
}

}  // namespace clas::testing
