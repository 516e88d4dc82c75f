#include "server/query_ids.h"

#include "ledger/base/status_macros.h"
#include "projections/core/violation.h"
#include "projections/engine/command_input.h"

namespace clas::server {

absl::Status CheckQueryIds(const QueryIds& ids) {
  Violations all;
  for (const auto& [field, value] : ids) {
    const bool caf = field == "caf_id" || field == "caf_ids";
    absl::Status one =
        CheckQueryIdentifier(field, *value, caf ? InputClass::kCafId : InputClass::kIdentifier,
                             caf ? rule::kHist4 : rule::kConv4);
    for (auto& v : ViolationsOf(one)) all.Add(std::move(v));
  }
  return all.ToStatus(absl::StatusCode::kInvalidArgument);
}

absl::Status MissingCaf() {
  Violations v;
  v.Add(RuleError(rule::kHist4, "caf_id", "", "la Caf est obligatoire pour cette requête"));
  return v.ToStatus(absl::StatusCode::kInvalidArgument);
}

absl::Status CafOrAuth(const absl::Status& refused, const std::string& caf_id) {
  return caf_id.empty() && absl::IsInvalidArgument(refused) ? MissingCaf() : refused;
}

}  // namespace clas::server
