// The identifiers a query or an audit request names (its Caf, a convention, a gestionnaire),
// checked with the classes of command_input.h after the caller is authenticated and before
// anything is read for them: a NUL byte or a megabyte of id is refused naming the field, never
// looked up.
//
// Thread-safety: pure functions.
#ifndef CLAS_SERVER_QUERY_IDS_H_
#define CLAS_SERVER_QUERY_IDS_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace clas::server {

// (field name, value): "caf_id", "convention_id" or "gestionnaire_id".
using QueryIds = std::vector<std::pair<std::string_view, const std::string*>>;

// OkStatus if each id keeps its class (an empty one is refused too); kInvalidArgument naming
// every field at fault (R-HIST-4 for the Caf, R-CONV-4 for the others) otherwise.
absl::Status CheckQueryIds(const QueryIds& ids);

// kInvalidArgument naming R-HIST-4 and the field caf_id: a request that must name its Caf names
// none.
absl::Status MissingCaf();

// What to answer when the guard refused a call naming `caf_id`: the guard's refusal, but for a
// request naming no Caf where one is required (the caller authenticated, the authorization
// refused "": kInvalidArgument), which MissingCaf names as the other malformed Cafs are.
absl::Status CafOrAuth(const absl::Status& refused, const std::string& caf_id);

}  // namespace clas::server

#endif  // CLAS_SERVER_QUERY_IDS_H_
