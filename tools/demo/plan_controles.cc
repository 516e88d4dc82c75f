// Contrôles of school years paid in full (R-CTL-1..5): findings, a contradictory period, a
// decision; then a rappel paid, or an indu recovered partly by repayment and partly by offset
// against a later payment to the same gestionnaire.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "tools/demo/caf_planner.h"

namespace clas::demo {
namespace {

// Share of the school years paid in full that a contrôle examines (at least one per Caf).
constexpr int kControlledPerMille = 20;
// One contrôle in this many ends in a rappel, the others in an indu.
constexpr size_t kOneRappelEvery = 3;
// The decision retains figures between the findings and the bilan (the gestionnaire justified
// part of its charges during the contradictory period).
constexpr int kDecisionRevisedPercent = 40;

v1::ControlledYear Controlled(int32_t n, const v1::Figures& f) {
  v1::ControlledYear y;
  y.set_school_year(n);
  *y.mutable_figures() = f;
  return y;
}

}  // namespace

void CafPlanner::PlanControles() {
  std::vector<int> candidates;
  for (int i = 0; i < static_cast<int>(paid_years_.size()); ++i) {
    if (Kept(AddDays(paid_years_[i].solde_date, 60))) candidates.push_back(i);
  }
  if (candidates.empty()) return;
  const size_t wanted =
      std::max<size_t>(1, candidates.size() * kControlledPerMille / 1000);
  size_t done = 0;
  // A partial Fisher-Yates draw: each candidate at most once; a candidate whose figures cannot
  // give the outcome wanted is left alone.
  for (size_t i = 0; i < candidates.size() && done < wanted; ++i) {
    const size_t j = static_cast<size_t>(rng_.Between(i, candidates.size() - 1));
    std::swap(candidates[i], candidates[j]);
    if (EmitControle(paid_years_[candidates[i]], done % kOneRappelEvery == 1)) ++done;
  }
}

// Plans one contrôle of one school year, ending in a rappel or in an indu. False when this
// year's figures cannot give that outcome (the year is then left alone).
bool CafPlanner::EmitControle(const PaidYear& paid, bool rappel) {
  const int32_t n = paid.year.n;
  const v1::Figures& bilan = paid.bilan;
  v1::Figures found = bilan;
  if (rappel) {  // every notified collectif ran and more charges are justified
    found.set_collectifs(paid.year.notified);
    found.set_charges_cents(bilan.charges_cents() * 115 / 100);
    found.set_bonus_enfants_collectifs(std::min(paid.year.bonus_enfants, paid.year.notified));
    found.set_bonus_parents_collectifs(std::min(paid.year.bonus_parents, paid.year.notified));
    if (Droit(n, v1::DROIT_CONTROLE, found).droit_cents() <= paid.paid_cents) return false;
  } else {  // charges not justified, sometimes a collectif that did not run
    if (bilan.collectifs() >= 2 && rng_.Percent(40)) found.set_collectifs(bilan.collectifs() - 1);
    found.set_charges_cents(bilan.charges_cents() * rng_.Between(70, 85) / 100);
    found.set_bonus_enfants_collectifs(std::min(bilan.bonus_enfants_collectifs(), found.collectifs()));
    found.set_bonus_parents_collectifs(std::min(bilan.bonus_parents_collectifs(), found.collectifs()));
    if (Droit(n, v1::DROIT_CONTROLE, found).droit_cents() >= paid.paid_cents) return false;
  }
  v1::Figures retained = found;
  if (!rappel && rng_.Percent(kDecisionRevisedPercent)) {
    retained.set_charges_cents((found.charges_cents() + bilan.charges_cents()) / 2);
    if (Droit(n, v1::DROIT_CONTROLE, retained).droit_cents() >= paid.paid_cents) retained = found;
  }
  const int64_t dc = Droit(n, v1::DROIT_CONTROLE, retained).droit_cents();

  const std::string id = absl::StrCat("ctl-", n);
  const int32_t opened = DayBetween(rng_, AddDays(paid.solde_date, 60), AddDays(paid.solde_date, 240));
  const int32_t findings = AddDays(opened, static_cast<int>(rng_.Between(20, 60)));
  const int32_t decided = AddDays(findings, static_cast<int>(rng_.Between(45, 75)));
  v1::OpenControle open;
  open.set_caf_id(caf_id_);
  open.set_convention_id(paid.convention_id);
  open.set_controle_id(id);
  open.add_school_years(n);
  open.set_date(opened);
  Add(opened, Who::kControleur, Rid(paid.convention_id, id + "-ouverture"), open);
  v1::RecordControleFindings record;
  record.set_caf_id(caf_id_);
  record.set_convention_id(paid.convention_id);
  record.set_controle_id(id);
  *record.add_years() = Controlled(n, found);
  record.set_date(findings);
  Add(findings, Who::kControleur, Rid(paid.convention_id, id + "-constats"), record);
  v1::DecideControle decide;
  decide.set_caf_id(caf_id_);
  decide.set_convention_id(paid.convention_id);
  decide.set_controle_id(id);
  if (retained.charges_cents() != found.charges_cents()) *decide.add_years() = Controlled(n, retained);
  decide.set_date(decided);
  Add(decided, Who::kControleur, Rid(paid.convention_id, id + "-decision"), decide);
  if (Kept(opened)) ++plan_->shape.controles;

  if (rappel) {  // R-CTL-3: DC above what was paid
    v1::PayRappel pay;
    pay.set_caf_id(caf_id_);
    pay.set_convention_id(paid.convention_id);
    pay.set_payment_id(absl::StrCat("r", n));
    pay.set_school_year(n);
    pay.set_controle_id(id);
    pay.set_date(AddDays(decided, static_cast<int>(rng_.Between(20, 60))));
    Add(pay.date(), Who::kAgent, Rid(paid.convention_id, absl::StrCat("rappel-", n)), pay);
  } else {
    EmitRecoveries(paid, absl::StrCat(id, "-", n), paid.paid_cents - dc, decided);
  }
  return true;
}

// R-CTL-3, R-CTL-5: part of the indu repaid, the rest withheld from the gestionnaire's first
// later acompte that can bear it (left open when there is none yet).
void CafPlanner::EmitRecoveries(const PaidYear& paid, const std::string& indu_id,
                                int64_t indu_cents, int32_t decided) {
  const int32_t n = paid.year.n;
  int64_t repaid = indu_cents * rng_.Between(30, 70) / 100;
  if (repaid <= 0) repaid = indu_cents;
  v1::RecordRecovery cmd;
  cmd.set_caf_id(caf_id_);
  cmd.set_convention_id(paid.convention_id);
  cmd.set_recovery_id(absl::StrCat("rec-", n, "-1"));
  cmd.set_indu_id(indu_id);
  cmd.set_amount_cents(repaid);
  cmd.set_method(v1::REPAYMENT);
  cmd.set_date(AddDays(decided, static_cast<int>(rng_.Between(30, 75))));
  Add(cmd.date(), Who::kAgent, Rid(paid.convention_id, absl::StrCat("recouvrement-", n, "-1")), cmd);
  const int64_t rest = indu_cents - repaid;
  if (rest <= 0) return;
  PaymentRef* target = nullptr;
  for (PaymentRef& p : payments_[paid.gestionnaire]) {
    if (p.date <= decided || p.amount_cents - p.offset_cents < rest) continue;
    if (target == nullptr || p.date < target->date) target = &p;
  }
  if (target == nullptr) return;
  target->offset_cents += rest;
  cmd.set_recovery_id(absl::StrCat("rec-", n, "-2"));
  cmd.set_amount_cents(rest);
  cmd.set_method(v1::OFFSET);
  cmd.set_offset_payment_id(target->payment_id);
  cmd.set_offset_convention_id(target->convention_id);
  cmd.set_date(target->date);
  Add(cmd.date(), Who::kAgent, Rid(paid.convention_id, absl::StrCat("recouvrement-", n, "-2")), cmd)
      .rank = kRankAfterPayments;
}

}  // namespace clas::demo
