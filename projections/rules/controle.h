// The outcome of a contrôle for one school year (RULES.md §8, R-CTL-2, R-CTL-3; circular §4
// "Le contrôle"): the droit contrôlé (DC) against what was paid net. Written once, here, so that
// the decision of a contrôle and the replay of a recorded decision (R-HIST-3) apply the same code.
//
// Thread-safety: pure functions on values.
#ifndef CLAS_PROJECTIONS_RULES_CONTROLE_H_
#define CLAS_PROJECTIONS_RULES_CONTROLE_H_

#include "projections/core/money.h"

namespace clas::rules {

struct ControleBalance {
  Money rappel;  // due to the gestionnaire: DC − paid when positive, else 0
  Money indu;    // to recover: paid − DC when positive, else 0
};

// R-CTL-3: DC > paid gives a rappel of DC − paid; DC < paid an indu of paid − DC; equal gives
// nothing. `paid_net` is what was paid net (R-CTL-2: acomptes + solde + rappels − indus already
// notified); it may be negative only on inconsistent data, and is then treated like any number.
// At most one of the two amounts is positive.
ControleBalance BalanceOfControle(Money dc_droit, Money paid_net);

}  // namespace clas::rules

#endif  // CLAS_PROJECTIONS_RULES_CONTROLE_H_
