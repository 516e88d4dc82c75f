#include "projections/rules/rule_version.h"

namespace clas::rules {

const char* RuleVersion() { return kRuleVersion; }

}  // namespace clas::rules
