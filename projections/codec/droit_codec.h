// A droit's breakdown as recorded (clas.v1.DroitBreakdown) and the typed values of the core:
// the whole calculation (core/droit.h) and the shares the payments and the accounts use
// (core/droit_shares.h).
//
// Encoding a decoded breakdown gives back its bytes: every field of the wire form is one of the
// values', and a breakdown the calculator did not make is refused rather than read.
//
// Thread-safety: pure functions.
#ifndef CLAS_PROJECTIONS_CODEC_DROIT_CODEC_H_
#define CLAS_PROJECTIONS_CODEC_DROIT_CODEC_H_

#include "absl/status/statusor.h"
#include "clas/v1/types.pb.h"
#include "projections/core/droit.h"
#include "projections/core/droit_shares.h"

namespace clas::codec {

// The amounts as recorded, unchecked: the rules that use them check what they rely on
// (rules/accounting.h lists the faults it reports).
DroitShares SharesOf(const v1::DroitBreakdown& d);

v1::DroitKind Encode(DroitKind kind);
void Encode(const DroitInputs& in, v1::DroitInputs* out);
void Encode(const Droit& d, v1::DroitBreakdown* out);

// Inputs the calculator accepted. kDataLoss, naming the field, when the kind is not one of the
// three or the barème is missing (ComputeDroit refuses both).
absl::StatusOr<DroitInputs> Decode(const v1::DroitInputs& in);
// A breakdown the calculator made: its inputs as above. kDataLoss when it has none.
absl::StatusOr<Droit> Decode(const v1::DroitBreakdown& d);

}  // namespace clas::codec

#endif  // CLAS_PROJECTIONS_CODEC_DROIT_CODEC_H_
