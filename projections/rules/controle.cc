#include "projections/rules/controle.h"

namespace clas::rules {

ControleBalance BalanceOfControle(Money dc_droit, Money paid_net) {
  const Money diff = dc_droit - paid_net;
  ControleBalance out;
  if (diff > Money::Zero()) out.rappel = diff;                 // R-CTL-3: rappel
  if (diff < Money::Zero()) out.indu = Money::Zero() - diff;   // R-CTL-3: indu
  return out;
}

}  // namespace clas::rules
