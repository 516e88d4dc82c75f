// The wire form of a booked line: clas::Line <-> clas.v1.AccountingLine, the only place that
// converts one to the other (a closing records its lines in its event; the API shows lines).
//
// Encoding a decoded line gives back the same bytes: every field of the wire form is one of the
// line's, and civil_year, the one field a Line derives (from its date), is checked equal to it
// on decoding.
//
// Thread-safety: pure functions.
#ifndef CLAS_PROJECTIONS_CODEC_LINE_CODEC_H_
#define CLAS_PROJECTIONS_CODEC_LINE_CODEC_H_

#include "absl/status/statusor.h"
#include "clas/v1/types.pb.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "projections/core/accounting_line.h"

namespace clas::codec {

void Encode(const Line& line, v1::AccountingLine* out);
v1::AccountingLine Encode(const Line& line);
void Encode(const Lines& lines, google::protobuf::RepeatedPtrField<v1::AccountingLine>* out);

// A recorded line. kDataLoss, naming the field, when it is not one the rules can have booked: a
// date that is not a real day, a civil year other than its date's, a month other than its date's
// (or the closing period in December), an account or a statistical code the schéma does not
// have (R-ACC-1, R-ACC-6), the same account on both sides, or a rule that books no line.
absl::StatusOr<Line> Decode(const v1::AccountingLine& line);
absl::StatusOr<Lines> Decode(const google::protobuf::RepeatedPtrField<v1::AccountingLine>& lines);

}  // namespace clas::codec

#endif  // CLAS_PROJECTIONS_CODEC_LINE_CODEC_H_
