// A droit's breakdown as recorded (clas.v1.DroitBreakdown) read as the typed values the payments
// and the accounts use (core/droit_shares.h).
//
// Thread-safety: pure functions.
#ifndef CLAS_PROJECTIONS_CODEC_DROIT_CODEC_H_
#define CLAS_PROJECTIONS_CODEC_DROIT_CODEC_H_

#include "clas/v1/types.pb.h"
#include "projections/core/droit_shares.h"

namespace clas::codec {

// The amounts as recorded, unchecked: the rules that use them check what they rely on
// (rules/accounting.h lists the faults it reports).
DroitShares SharesOf(const v1::DroitBreakdown& d);

}  // namespace clas::codec

#endif  // CLAS_PROJECTIONS_CODEC_DROIT_CODEC_H_
