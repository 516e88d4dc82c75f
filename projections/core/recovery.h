// How an indu is recovered (R-CTL-3): repaid by the gestionnaire, or deducted from a later
// payment of the Caf (an offset). Its wire form is clas.v1.RecoveryMethod (codec/state_codec.h).
//
// Thread-safety: constants.
#ifndef CLAS_PROJECTIONS_CORE_RECOVERY_H_
#define CLAS_PROJECTIONS_CORE_RECOVERY_H_

#include <cstdint>

namespace clas {

enum class RecoveryMethod : uint8_t {
  kRepayment,  // the gestionnaire pays the indu back
  kOffset,     // the indu is deducted from a payment the Caf owes
};

}  // namespace clas

#endif  // CLAS_PROJECTIONS_CORE_RECOVERY_H_
