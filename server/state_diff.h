// Field-by-field differences between two states of a convention (Audit.DiffStates).
#ifndef CLAS_SERVER_STATE_DIFF_H_
#define CLAS_SERVER_STATE_DIFF_H_

#include <vector>

#include "clas/v1/service.pb.h"
#include "google/protobuf/message.h"

namespace clas::server {

// Every scalar field whose value differs, by path ("years[0].dp.ps_cents"), with both values as
// text. Repeated fields compare by index; a missing element shows as "". The bookkeeping
// fields of the query itself (as_of_date, known_at_us) are left out.
std::vector<v1::FieldChange> DiffStates(const google::protobuf::Message& before,
                                        const google::protobuf::Message& after);

}  // namespace clas::server

#endif  // CLAS_SERVER_STATE_DIFF_H_
