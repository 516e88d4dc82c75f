// The version of the rules this code applies, recorded on every event it writes (R-HIST-3).
// Bump it whenever a rule's computation changes; a replay compares amounts computed by the
// current version with those recorded under an older one and reports any difference.
#ifndef CLAS_PROJECTIONS_RULES_RULE_VERSION_H_
#define CLAS_PROJECTIONS_RULES_RULE_VERSION_H_

namespace clas::rules {

inline constexpr char kRuleVersion[] = "C-2026-069/1";

// Returns kRuleVersion (a symbol, so that tools can print what a binary applies).
const char* RuleVersion();

}  // namespace clas::rules

#endif  // CLAS_PROJECTIONS_RULES_RULE_VERSION_H_
