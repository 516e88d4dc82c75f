// A droit's shares as the accounting tests give them: a PS and a bonus enfants, with R-PAY-1
// written here by hand (N share = (4 × PS + 5) div 10, N+1 share = the rest of the PS + bonus),
// not taken from the code under test.
#ifndef CLAS_TESTS_PROJECTIONS_DROIT_SHARES_FOR_TESTS_H_
#define CLAS_TESTS_PROJECTIONS_DROIT_SHARES_FOR_TESTS_H_

#include <cstdint>

#include "projections/core/droit_shares.h"

namespace clas::testing {

inline DroitShares SharesOfPs(int64_t ps_cents, int64_t bonus_enfants_cents = 0) {
  const int64_t n_share = (4 * ps_cents + 5) / 10;
  return DroitShares{.ps = Money::Cents(ps_cents),
                     .bonus_enfants = Money::Cents(bonus_enfants_cents),
                     .droit = Money::Cents(ps_cents + bonus_enfants_cents),
                     .n_share = Money::Cents(n_share),
                     .n1_share = Money::Cents(ps_cents - n_share + bonus_enfants_cents)};
}

}  // namespace clas::testing

#endif  // CLAS_TESTS_PROJECTIONS_DROIT_SHARES_FOR_TESTS_H_
