// The simulation's generator (simulation.h): late facts, corrections of a bilan before and after
// its solde (R-HIST-1, R-PAY-9, R-PAY-8).
#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "tests/sim/simulation_internal.h"

namespace clas::sim {

using testing::Dice;

// The figures of a corrected bilan: mostly its charges moved by up to a fifth either way (the
// figures of a real mistake), now and then another number of collectifs or bonuses.
void Simulation::CorrectBilan(Plan& p, int32_t n) {
  const ModelYear& y = ModelOf(p)->years.at(n);
  v1::CorrectEvent cmd;
  cmd.set_caf_id(p.caf);
  cmd.set_convention_id(p.id);
  cmd.set_target_event_id(y.bilan_event_id);
  cmd.set_reason("charges du compte de résultat mal saisies");
  auto* b = cmd.mutable_replacement()->mutable_bilan_received();
  b->set_school_year(n);
  v1::Figures& f = *b->mutable_figures();
  f.set_collectifs(y.bilan->collectifs);
  f.set_bonus_enfants_collectifs(y.bilan->bonus_enfants);
  f.set_bonus_parents_collectifs(y.bilan->bonus_parents);
  f.set_autres_bf_cents(y.bilan->autres_bf);
  const int64_t fifth = std::max<int64_t>(1, y.bilan->charges / 5);
  f.set_charges_cents(std::max<int64_t>(0, y.bilan->charges + dice_.Between(-fifth, fifth)));
  if (dice_.Chance(15)) {
    f.set_collectifs(static_cast<int32_t>(dice_.Between(1, y.notified)));
    f.set_bonus_enfants_collectifs(std::min(f.bonus_enfants_collectifs(), f.collectifs()));
    f.set_bonus_parents_collectifs(std::min(f.bonus_parents_collectifs(), f.collectifs()));
  }
  cmd.set_date(today_);
  std::string what;
  const std::set<int32_t>& closed = model_.cafs[p.caf].closed;
  const int roll = static_cast<int>(dice_.Between(1, 100));
  if (roll <= 8) {  // undated: the bilan's own date; after the solde, refused (R-PAY-9)
    cmd.set_date(0);
    what = " sans date";
  } else if (roll <= 14 && y.solde) {  // before the solde or its last revision: R-PAY-9
    cmd.set_date(Dice::Plus(y.settled_date, -static_cast<int>(dice_.Between(1, 40))));
    what = absl::StrCat(" datée du ", cmd.date(), ", avant le solde ou sa dernière révision");
  } else if (roll <= 20 && !closed.empty()) {
    // In the last closed civil year, after the solde when it was paid there: with money to
    // move, R-PAY-7 alone.
    const int32_t last_day = *closed.rbegin() * 10000 + 1231;
    cmd.set_date(std::min(last_day, std::max(*closed.rbegin() * 10000 + 1220, y.settled_date)));
    what = absl::StrCat(" datée du ", cmd.date(), ", dans un exercice clos");
  } else if (roll <= 23) {
    cmd.set_reason("");  // a correction says why: R-HIST-1
    what = " sans motif";
  } else if (roll <= 26) {  // not the original fact: R-HIST-1
    cmd.set_target_event_id(y.bilan_correction_event_id.empty() ? "evt-inconnu"
                                                                : y.bilan_correction_event_id);
    what = " d'une correction ou d'un événement inconnu";
  } else if (roll <= 29) {
    b->set_school_year(n + 1);  // the correction keeps the school year: R-HIST-1
    what = " d'une autre année scolaire";
  } else if (roll <= 32) {  // a bonus beyond the agrément or the collectifs: R-BON-3, R-DROIT-4
    f.set_bonus_enfants_collectifs(f.bonus_enfants_collectifs() + 1);
    what = " avec un bonus enfants de trop";
  } else if (roll <= 36) {
    f.set_charges_cents(y.bilan->charges);  // the same DR: nothing moves
    what = " sans changement du droit";
  }
  Send(What(absl::StrCat("correction du bilan ", p.id, " ", n, " (charges ", y.bilan->charges,
                         " -> ", f.charges_cents(), ")", what, y.solde ? " après le solde" : "",
                         y.dc ? " d'une année réglée par un contrôle" : "")),
       cmd, &Engine::CorrectEvent, p.id);
}

}  // namespace clas::sim
