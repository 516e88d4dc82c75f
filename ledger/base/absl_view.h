// Debian 12's Abseil is built without std aliases: absl::string_view is its own type, not
// std::string_view. These convert explicitly at the boundary with absl APIs that take only
// absl::string_view (heterogeneous lookup, Status payloads, escaping).
#ifndef CLAS_LEDGER_BASE_ABSL_VIEW_H_
#define CLAS_LEDGER_BASE_ABSL_VIEW_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace clas::base {

inline absl::string_view ToAbsl(std::string_view view) { return {view.data(), view.size()}; }
inline std::string_view ToStd(absl::string_view view) { return {view.data(), view.size()}; }

}  // namespace clas::base

#endif  // CLAS_LEDGER_BASE_ABSL_VIEW_H_
