// Rule outcomes: every failed rule of a command, as errors (reject) or warnings (kept).
//
// A command's validation collects *every* failure before answering (RULES.md §2: "the complete
// list of failures is returned at once"). A rejection becomes one absl::Status whose message
// lists every rule in French and whose payload carries the same list as a clas.v1.RuleViolations
// message, for client programs.
//
// Thread-safety: value types.
#ifndef CLAS_PROJECTIONS_CORE_VIOLATION_H_
#define CLAS_PROJECTIONS_CORE_VIOLATION_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "clas/v1/types.pb.h"
#include "projections/core/rule.h"

namespace clas {

// Status payload type URL of the structured list of violations.
inline constexpr char kRuleViolationsPayloadUrl[] =
    "type.googleapis.com/clas.v1.RuleViolations";

using v1::RuleViolation;

// Builds one outcome of `rule` (a constant of rule.h): the field at fault, the value found as
// text, and a French sentence.
RuleViolation RuleError(const Rule& rule, std::string_view field, std::string_view value,
                        std::string_view message_fr);
RuleViolation RuleWarning(const Rule& rule, std::string_view field, std::string_view value,
                          std::string_view message_fr);

// "R-ELIG-1 (§2.1) collectifs[0].children = 4 : un collectif compte de 8 à 12 enfants ..."
std::string Describe(const RuleViolation& v);

class Violations {
 public:
  void Add(RuleViolation v) { all_.push_back(std::move(v)); }
  void AddAll(const Violations& other) {
    all_.insert(all_.end(), other.all_.begin(), other.all_.end());
  }
  bool has_errors() const;
  const std::vector<RuleViolation>& all() const { return all_; }
  std::vector<RuleViolation> errors() const;
  std::vector<RuleViolation> warnings() const;
  // True when some outcome names rule_id.
  bool Names(std::string_view rule_id) const;

  // OK when there is no error; otherwise a status of `code` listing every error (and the
  // warnings after them) with the list attached as payload.
  absl::Status ToStatus(absl::StatusCode code) const;

 private:
  std::vector<RuleViolation> all_;
};

// A status of `code` for one failed rule (e.g. kNotFound, kAlreadyExists), carrying it as
// payload like Violations::ToStatus does.
absl::Status RuleStatus(absl::StatusCode code, RuleViolation violation);

// The violations carried by a status built by Violations::ToStatus (empty if none).
std::vector<RuleViolation> ViolationsOf(const absl::Status& status);

}  // namespace clas

#endif  // CLAS_PROJECTIONS_CORE_VIOLATION_H_
