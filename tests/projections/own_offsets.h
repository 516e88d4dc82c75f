// R-ACC-9 in the tests: a read of a convention shows, on each payment, the offsets withheld from
// it, recorded on that convention or on another one of the same gestionnaire (the engine's
// OffsetIndex). The fold of the convention's own stream sees the first only; the tests that
// compare a read with a fold (or with an earlier read, when the convention had no event since)
// compare them without the second.
#ifndef CLAS_TESTS_PROJECTIONS_OWN_OFFSETS_H_
#define CLAS_TESTS_PROJECTIONS_OWN_OFFSETS_H_

#include <map>
#include <string>

#include "clas/v1/state.pb.h"

namespace clas::testing {

// `state` with each payment's offset_cents limited to the offsets its own recoveries withheld.
inline v1::ConventionState WithOwnOffsetsOnly(v1::ConventionState state) {
  std::map<std::string, int64_t> own;  // payment id -> withheld by this convention's recoveries
  for (const auto& i : state.indus()) {
    for (const auto& r : i.recoveries()) {
      if (r.method() == v1::OFFSET && (r.offset_convention_id().empty() ||
                                       r.offset_convention_id() == state.convention_id())) {
        own[r.offset_payment_id()] += r.amount_cents();
      }
    }
  }
  auto keep = [&](v1::PaymentRecord& p) {
    auto it = own.find(p.payment_id());
    p.set_offset_cents(it == own.end() ? 0 : it->second);
  };
  for (auto& y : *state.mutable_years()) {
    for (auto& p : *y.mutable_acomptes()) keep(p);
    for (auto& p : *y.mutable_rappels()) keep(p);
    if (y.solde_paid()) keep(*y.mutable_solde());
  }
  return state;
}

}  // namespace clas::testing

#endif  // CLAS_TESTS_PROJECTIONS_OWN_OFFSETS_H_
