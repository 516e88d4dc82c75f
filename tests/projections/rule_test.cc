// The rule constants (projections/core/rule.h): one per RULES.md id, each with one section, and
// the violations built from them.
#include "projections/core/rule.h"

#include <map>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "projections/core/violation.h"

namespace clas::testing {
namespace {

TEST(RuleConstants, R_HIST_1_EachIdOnce) {
  std::set<std::string_view> ids;
  for (const Rule& r : rule::kAll) EXPECT_TRUE(ids.insert(r.id).second) << r.id << " twice";
}

// The families of RULES.md, with as many rules as its tables list.
TEST(RuleConstants, R_HIST_3_EveryFamilyOfRulesMdIsComplete) {
  std::map<std::string, int> family;
  for (const Rule& r : rule::kAll) {
    const std::string id(r.id);
    ++family[id.substr(0, id.rfind('-'))];
  }
  EXPECT_EQ(family, (std::map<std::string, int>{{"R-ELIG", 9}, {"R-BON", 4}, {"R-CONV", 6},
                                                {"R-DROIT", 7}, {"R-PAY", 9}, {"R-ACC", 10},
                                                {"R-CTL", 5}, {"R-HIST", 4}}));
}

TEST(RuleConstants, R_PAY_2_AViolationNamesItsRuleAndSection) {
  const RuleViolation e = RuleError(rule::kPay2, "amount_cents", "2 800,01 €", "au-delà du plafond");
  EXPECT_EQ(e.rule_id(), "R-PAY-2");
  EXPECT_EQ(e.section(), "§4");
  EXPECT_EQ(e.severity(), v1::SEVERITY_ERROR);
  EXPECT_EQ(Describe(e), "R-PAY-2 (§4) amount_cents = 2 800,01 € : au-delà du plafond");
  const RuleViolation w = RuleWarning(rule::kElig8, "action_start_date", "", "démarrage tardif");
  EXPECT_EQ(w.rule_id(), "R-ELIG-8");
  EXPECT_EQ(w.section(), "§2.1");
  EXPECT_EQ(w.severity(), v1::SEVERITY_WARNING);
}

}  // namespace
}  // namespace clas::testing
