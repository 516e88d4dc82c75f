// Tests of projections/rules/bonus.h: R-BON-1..4. Every expected outcome comes from RULES.md §3
// and the circular's §2.2 / §3.3 / §4, not from the code.
#include "projections/rules/bonus.h"

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "projections/rules/eligibility.h"

namespace clas::rules {
namespace {

using Keys = std::multiset<std::string>;

// Each outcome as "RULE E|W field".
Keys KeysOf(const Violations& violations) {
  Keys out;
  for (const auto& v : violations.all()) {
    out.insert(
        absl::StrCat(v.rule_id(), v.severity() == v1::SEVERITY_ERROR ? " E " : " W ", v.field()));
  }
  return out;
}

// A request of three collectifs; only its bonus projects and its number of collectifs matter.
v1::FundingRequestFiled RequestOfThreeCollectifs() {
  v1::FundingRequestFiled r;
  for (const char* id : {"c1", "c2", "c3"}) r.add_collectifs()->set_collectif_id(id);
  return r;
}

// A bonus enfants project meeting R-BON-1 with teaching equipment, asked for `collectifs`.
v1::BonusEnfantsProject QualifyingEnfants(int32_t collectifs) {
  v1::BonusEnfantsProject p;
  p.set_requested(true);
  p.set_structured_project(true);
  p.set_teaching_equipment(true);
  p.set_collectifs(collectifs);
  return p;
}

// A bonus parents project meeting R-BON-2 with an allophone audience, asked for `collectifs`.
v1::BonusParentsProject QualifyingParents(int32_t collectifs) {
  v1::BonusParentsProject p;
  p.set_requested(true);
  p.set_parent_support_project(true);
  p.set_allophone_illiteracy_aef(true);
  p.set_collectifs(collectifs);
  return p;
}

struct ProjectCase {
  const char* name;
  std::function<void(v1::FundingRequestFiled*)> change;
  Keys expected;
};

void ExpectProjectOutcomes(const std::vector<ProjectCase>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    v1::FundingRequestFiled request = RequestOfThreeCollectifs();
    c.change(&request);
    EXPECT_EQ(KeysOf(ValidateBonusProjects(request)), c.expected);
  }
}

TEST(Bonus, R_BON_1_BonusEnfantsCriteria) {
  auto enfants = [](std::function<void(v1::BonusEnfantsProject*)> edit) {
    return [edit](v1::FundingRequestFiled* r) {
      *r->mutable_bonus_enfants() = QualifyingEnfants(2);
      edit(r->mutable_bonus_enfants());
    };
  };
  ExpectProjectOutcomes({
      {"not requested", [](auto*) {}, {}},
      {"structured + teaching equipment", enfants([](auto*) {}), {}},
      {"structured + paid intervenors",
       enfants([](auto* p) {
         p->set_teaching_equipment(false);
         p->set_paid_intervenors(true);
       }),
       {}},
      {"structured + cultural outings",
       enfants([](auto* p) {
         p->set_teaching_equipment(false);
         p->set_cultural_outings(true);
       }),
       {}},
      {"no structured project",
       enfants([](auto* p) { p->set_structured_project(false); }),
       {"R-BON-1 E bonus_enfants.structured_project"}},
      {"structured project alone",
       enfants([](auto* p) { p->set_teaching_equipment(false); }),
       {"R-BON-1 E bonus_enfants"}},
      {"all three collectifs", enfants([](auto* p) { p->set_collectifs(3); }), {}},
      // R-BON-3 (as RULES.md words it): a request asks a bonus for at most the collectifs it
      // requests, which is a rule of the grant, not of the criteria.
      {"four collectifs of three",
       enfants([](auto* p) { p->set_collectifs(4); }),
       {"R-BON-3 E bonus_enfants.collectifs"}},
      {"no collectif",
       enfants([](auto* p) { p->set_collectifs(0); }),
       {"R-BON-1 E bonus_enfants.collectifs"}},
      {"requested with nothing",
       enfants([](auto* p) {
         *p = v1::BonusEnfantsProject();
         p->set_requested(true);
       }),
       {"R-BON-1 E bonus_enfants.structured_project", "R-BON-1 E bonus_enfants",
        "R-BON-1 E bonus_enfants.collectifs"}},
      {"not requested but collectifs given",
       enfants([](auto* p) { p->set_requested(false); }),
       {"R-BON-1 E bonus_enfants.collectifs"}},
  });
}

TEST(Bonus, R_BON_2_BonusParentsCriteria) {
  auto parents = [](std::function<void(v1::BonusParentsProject*)> edit) {
    return [edit](v1::FundingRequestFiled* r) {
      *r->mutable_bonus_parents() = QualifyingParents(1);
      edit(r->mutable_bonus_parents());
    };
  };
  ExpectProjectOutcomes({
      {"support project + allophone audience", parents([](auto*) {}), {}},
      {"support project + paid intervenors",
       parents([](auto* p) {
         p->set_allophone_illiteracy_aef(false);
         p->set_paid_intervenors(true);
       }),
       {}},
      {"support project + specific actions",
       parents([](auto* p) {
         p->set_allophone_illiteracy_aef(false);
         p->set_specific_actions(true);
       }),
       {}},
      {"no support project",
       parents([](auto* p) { p->set_parent_support_project(false); }),
       {"R-BON-2 E bonus_parents.parent_support_project"}},
      {"support project alone",
       parents([](auto* p) { p->set_allophone_illiteracy_aef(false); }),
       {"R-BON-2 E bonus_parents"}},
      {"four collectifs of three",
       parents([](auto* p) { p->set_collectifs(4); }),
       {"R-BON-3 E bonus_parents.collectifs"}},
      {"not requested but collectifs given",
       parents([](auto* p) { p->set_requested(false); }),
       {"R-BON-2 E bonus_parents.collectifs"}},
  });
}

TEST(Bonus, R_BON_1_And_2_BothBonusesTogether) {
  ExpectProjectOutcomes({
      {"both qualify",
       [](auto* r) {
         *r->mutable_bonus_enfants() = QualifyingEnfants(3);
         *r->mutable_bonus_parents() = QualifyingParents(3);
       },
       {}},
      {"both lack their mandatory criterion",
       [](auto* r) {
         *r->mutable_bonus_enfants() = QualifyingEnfants(3);
         r->mutable_bonus_enfants()->set_structured_project(false);
         *r->mutable_bonus_parents() = QualifyingParents(3);
         r->mutable_bonus_parents()->set_parent_support_project(false);
       },
       {"R-BON-1 E bonus_enfants.structured_project",
        "R-BON-2 E bonus_parents.parent_support_project"}},
  });
}

TEST(Bonus, R_BON_1_FundingRequestValidationIncludesTheBonusProjects) {
  v1::FundingRequestFiled request = RequestOfThreeCollectifs();
  *request.mutable_bonus_enfants() = QualifyingEnfants(1);
  request.mutable_bonus_enfants()->set_structured_project(false);
  EXPECT_TRUE(ValidateFundingRequest(request).Names("R-BON-1"));
}

TEST(Bonus, R_BON_1_MessageNamesTheMissingCriterionInFrench) {
  v1::FundingRequestFiled request = RequestOfThreeCollectifs();
  *request.mutable_bonus_enfants() = QualifyingEnfants(1);
  request.mutable_bonus_enfants()->set_structured_project(false);
  Violations v = ValidateBonusProjects(request);
  ASSERT_EQ(v.all().size(), 1u);
  EXPECT_EQ(Describe(v.all()[0]),
            "R-BON-1 (§2.2) bonus_enfants.structured_project = false : le bonus enfants exige un "
            "projet socio-éducatif structuré, organisé sur l'année scolaire (critère "
            "obligatoire)");
}

// A decision of the comité on RequestOfThreeCollectifs() with a qualifying bonus enfants project
// asked for one collectif and no bonus parents project.
struct GrantCase {
  const char* name;
  v1::ComiteOutcome outcome;
  int32_t agreed_collectifs;
  int32_t bonus_enfants_collectifs;
  int32_t bonus_parents_collectifs;
  Keys expected;
};

TEST(Bonus, R_BON_3_BonusesOnlyOnAgreedCollectifsWithAProject) {
  v1::FundingRequestFiled request = RequestOfThreeCollectifs();
  *request.mutable_bonus_enfants() = QualifyingEnfants(1);
  const char kEnfants[] = "R-BON-3 E bonus_enfants_collectifs";
  const char kParents[] = "R-BON-3 E bonus_parents_collectifs";
  const std::vector<GrantCase> cases = {
      {"validated, no bonus", v1::VALIDATED, 3, 0, 0, {}},
      {"validated, bonus enfants as asked", v1::VALIDATED, 3, 1, 0, {}},
      {"more than asked, up to the agreed collectifs", v1::VALIDATED, 3, 3, 0, {}},
      {"more than the agreed collectifs", v1::VALIDATED, 2, 3, 0, {kEnfants}},
      {"refused: no agrément, no bonus", v1::REFUSED, 0, 1, 0, {kEnfants}},
      {"outcome not given", v1::COMITE_OUTCOME_UNSPECIFIED, 3, 1, 0, {kEnfants}},
      {"bonus parents without a project", v1::VALIDATED, 3, 0, 1, {kParents}},
      {"refused and without a project", v1::REFUSED, 0, 0, 2, {kParents, kParents}},
      {"negative count", v1::VALIDATED, 3, -1, 0, {kEnfants}},
      {"refused, nothing granted", v1::REFUSED, 0, 0, 0, {}},
      {"validated, no collectif agreed", v1::VALIDATED, 0, 0, 0, {"R-CONV-4 E agreed_collectifs"}},
      {"validated, more collectifs than requested",
       v1::VALIDATED,
       4,
       0,
       0,
       {"R-CONV-4 E agreed_collectifs"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    v1::CommitteeDecisionRecorded decision;
    decision.set_outcome(c.outcome);
    decision.set_agreed_collectifs(c.agreed_collectifs);
    decision.set_bonus_enfants_collectifs(c.bonus_enfants_collectifs);
    decision.set_bonus_parents_collectifs(c.bonus_parents_collectifs);
    EXPECT_EQ(KeysOf(ValidateBonusGrant(decision, request)), c.expected);
  }
}

TEST(Bonus, R_BON_3_ProjectNotMeetingTheCriteriaGetsNoBonus) {
  v1::FundingRequestFiled request = RequestOfThreeCollectifs();
  *request.mutable_bonus_enfants() = QualifyingEnfants(1);
  request.mutable_bonus_enfants()->set_teaching_equipment(false);  // structured project alone
  v1::CommitteeDecisionRecorded decision;
  decision.set_outcome(v1::VALIDATED);
  decision.set_agreed_collectifs(3);
  decision.set_bonus_enfants_collectifs(1);
  Violations v = ValidateBonusGrant(decision, request);
  ASSERT_EQ(v.all().size(), 1u);
  EXPECT_EQ(v.all()[0].rule_id(), "R-BON-3");
  EXPECT_EQ(v.all()[0].section(), "§3.3");
  EXPECT_NE(v.all()[0].message().find("un bonus sans projet spécifique répondant aux critères"),
            std::string::npos);
}

TEST(Bonus, R_BON_1_And_2_QualificationNeedsTheRequest) {
  v1::BonusEnfantsProject enfants = QualifyingEnfants(1);
  EXPECT_TRUE(QualifiesForBonusEnfants(enfants));
  enfants.set_requested(false);
  EXPECT_FALSE(QualifiesForBonusEnfants(enfants));
  v1::BonusParentsProject parents = QualifyingParents(1);
  EXPECT_TRUE(QualifiesForBonusParents(parents));
  parents.set_requested(false);
  EXPECT_FALSE(QualifiesForBonusParents(parents));
}

TEST(Bonus, R_BON_4_AcompteBaseIsThePsPartOnly) {
  v1::DroitBreakdown dp;
  dp.set_ps_cents(682'500);  // RULES.md §5 worked example: PS 6 825,00 €
  dp.set_bonus_enfants_cents(300'000);
  dp.set_bonus_parents_cents(150'000);
  dp.set_droit_cents(1'132'500);
  EXPECT_EQ(AcompteBase(dp), Money::Cents(682'500));

  v1::DroitBreakdown bonus_only;
  bonus_only.set_bonus_parents_cents(150'000);
  bonus_only.set_droit_cents(150'000);
  EXPECT_EQ(AcompteBase(bonus_only), Money::Zero());
}

}  // namespace
}  // namespace clas::rules
