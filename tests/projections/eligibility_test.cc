// Tests of projections/rules/eligibility.h: R-ELIG-1..9 and the structure of a funding request.
// Every expected outcome comes from RULES.md §2 and the circular's §2.1, not from the code.
#include "projections/rules/eligibility.h"

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "projections/core/identifiers.h"
#include "projections/core/money.h"
#include "projections/rules/request_limits.h"

namespace clas::rules {
namespace {

using Keys = std::multiset<std::string>;

// Each outcome as "RULE E|W field": the rule, error or warning, and the field at fault.
Keys KeysOf(const Violations& violations) {
  Keys out;
  for (const auto& v : violations.all()) {
    out.insert(
        absl::StrCat(v.rule_id(), v.severity() == v1::SEVERITY_ERROR ? " E " : " W ", v.field()));
  }
  return out;
}

v1::Collectif ValidCollectif(const std::string& id) {
  v1::Collectif c;
  c.set_collectif_id(id);
  c.set_children(10);
  c.set_animateurs(2);
  c.set_sessions_per_week(2);
  c.set_session_minutes(90);
  c.set_weeks(30);
  c.add_levels(v1::ELEMENTAIRE);
  c.set_single_accessible_place(true);
  return c;
}

// An eligible annual request for school year 2026-2027, two collectifs, no bonus.
v1::FundingRequestFiled ValidRequest() {
  v1::FundingRequestFiled r;
  r.set_convention_id("conv-2026-001");
  r.set_gestionnaire_id("asso-lecture");
  r.set_first_school_year(2026);
  r.set_school_years(1);
  *r.add_collectifs() = ValidCollectif("c1");
  *r.add_collectifs() = ValidCollectif("c2");
  r.mutable_axes()->set_children(true);
  r.mutable_axes()->set_parents(true);
  r.mutable_axes()->set_school(true);
  r.mutable_axes()->set_local_partners(true);
  r.set_family_participation_symbolic(true);
  r.set_action_start_date(20261102);
  r.set_action_end_date(20270630);
  r.set_charges_cents(2'000'000);  // 20 000,00 €
  return r;
}

// A change to the valid request and the outcomes RULES.md expects from it.
struct RequestCase {
  const char* name;
  std::function<void(v1::FundingRequestFiled*)> change;
  Keys expected;
};

void ExpectOutcomes(const std::vector<RequestCase>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    v1::FundingRequestFiled request = ValidRequest();
    c.change(&request);
    EXPECT_EQ(KeysOf(ValidateFundingRequest(request)), c.expected);
  }
}

// The figures of collectifs[0] (collectifs[1] stays valid) and the outcomes expected.
struct CollectifCase {
  const char* name;
  int32_t children;
  int32_t animateurs;
  int32_t sessions_per_week;
  int32_t session_minutes;
  int32_t weeks;
  bool rural;
  bool child_with_disability;
  bool derogation_single_session;
  Keys expected;
};

void ExpectCollectifOutcomes(const std::vector<CollectifCase>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    v1::FundingRequestFiled request = ValidRequest();
    v1::Collectif* collectif = request.mutable_collectifs(0);
    collectif->set_children(c.children);
    collectif->set_animateurs(c.animateurs);
    collectif->set_sessions_per_week(c.sessions_per_week);
    collectif->set_session_minutes(c.session_minutes);
    collectif->set_weeks(c.weeks);
    collectif->set_rural(c.rural);
    collectif->set_child_with_disability(c.child_with_disability);
    EligibilityOptions options{.derogation_single_session = c.derogation_single_session};
    EXPECT_EQ(KeysOf(ValidateFundingRequest(request, options)), c.expected);
  }
}

const char kChildren[] = "R-ELIG-1 E collectifs[0].children";
const char kAnimateurs[] = "R-ELIG-2 E collectifs[0].animateurs";
const char kSessions[] = "R-ELIG-3 E collectifs[0].sessions_per_week";
const char kMinutes[] = "R-ELIG-3 E collectifs[0].session_minutes";
const char kWeeks[] = "R-ELIG-3 E collectifs[0].weeks";

TEST(Eligibility, ValidRequestHasNoViolation) {
  Violations v = ValidateFundingRequest(ValidRequest());
  EXPECT_TRUE(v.all().empty()) << (v.all().empty() ? "" : Describe(v.all()[0]));
}

TEST(Eligibility, R_ELIG_1_ChildrenPerCollectif) {
  ExpectCollectifOutcomes({
      // name, children, animateurs, sessions, minutes, weeks, rural, disability, derogation
      {"7 children", 7, 2, 2, 90, 30, false, false, false, {kChildren}},
      {"8 children", 8, 2, 2, 90, 30, false, false, false, {}},
      {"12 children", 12, 2, 2, 90, 30, false, false, false, {}},
      {"13 children", 13, 2, 2, 90, 30, false, false, false, {kChildren}},
      {"no child", 0, 2, 2, 90, 30, false, false, false, {kChildren}},
      {"negative", -8, 2, 2, 90, 30, false, false, false, {kChildren}},
      {"rural 4", 4, 2, 2, 90, 30, true, false, false, {kChildren}},
      {"rural 5", 5, 2, 2, 90, 30, true, false, false, {}},
      {"rural 13", 13, 2, 2, 90, 30, true, false, false, {kChildren}},
      {"disability 5", 5, 2, 2, 90, 30, false, true, false, {}},
      {"disability 4", 4, 2, 2, 90, 30, false, true, false, {kChildren}},
      {"disability 13", 13, 2, 2, 90, 30, false, true, false, {kChildren}},
  });
}

TEST(Eligibility, R_ELIG_1_RuralCollectifOfFiveChildrenIsAccepted) {
  v1::FundingRequestFiled request = ValidRequest();
  request.mutable_collectifs(1)->set_rural(true);
  request.mutable_collectifs(1)->set_children(5);
  EXPECT_TRUE(ValidateFundingRequest(request).all().empty());
}

TEST(Eligibility, R_ELIG_1_RequestWithoutCollectifIsRejected) {
  ExpectOutcomes({
      {"no collectif", [](auto* r) { r->clear_collectifs(); }, {"R-ELIG-1 E collectifs"}},
  });
}

TEST(Eligibility, R_ELIG_1_CollectifsBeyondTheLimitAreReportedOnce) {
  auto with_collectifs = [](int n) {
    return [n](v1::FundingRequestFiled* r) {
      r->clear_collectifs();
      for (int i = 0; i < n; ++i) *r->add_collectifs() = ValidCollectif(absl::StrCat("c", i));
    };
  };
  ExpectOutcomes({
      {"at the limit", with_collectifs(kCollectifsPerRequestMax), {}},
      {"beyond", with_collectifs(kCollectifsPerRequestMax + 1), {"R-ELIG-1 E collectifs"}},
  });
}

TEST(Eligibility, R_ELIG_2_AnimateursPerCollectif) {
  ExpectCollectifOutcomes({
      {"2 animateurs", 8, 2, 2, 90, 30, false, false, false, {}},
      {"3 animateurs: more than 2 is fine", 12, 3, 2, 90, 30, false, false, false, {}},
      {"1 animateur, 8 children", 8, 1, 2, 90, 30, false, false, false, {kAnimateurs}},
      {"1 animateur, rural, 7 children", 7, 1, 2, 90, 30, true, false, false, {}},
      {"1 animateur, rural, 8 children", 8, 1, 2, 90, 30, true, false, false, {kAnimateurs}},
      {"1 animateur, disability, 6 children, not rural",
       6,
       1,
       2,
       90,
       30,
       false,
       true,
       false,
       {kAnimateurs}},
      {"no animateur, rural, 5 children", 5, 0, 2, 90, 30, true, false, false, {kAnimateurs}},
      {"13 animateurs", 12, 13, 2, 90, 30, false, false, false, {kAnimateurs}},
  });
}

TEST(Eligibility, R_ELIG_2_And_3_RuralSixChildrenOneAnimateurOneTwoHourSessionIsAccepted) {
  ExpectCollectifOutcomes({
      {"rural, 6 children, 1 animateur, 1 session of 2 h, 27 weeks",
       6,
       1,
       1,
       120,
       27,
       true,
       false,
       false,
       {}},
  });
}

TEST(Eligibility, R_ELIG_3_SessionsAndWeeks) {
  ExpectCollectifOutcomes({
      {"2 x 89 min", 10, 2, 2, 89, 30, false, false, false, {kMinutes}},
      {"2 x 90 min", 10, 2, 2, 90, 30, false, false, false, {}},
      {"3 x 90 min", 10, 2, 3, 90, 30, false, false, false, {}},
      {"26 weeks", 10, 2, 2, 90, 26, false, false, false, {kWeeks}},
      {"27 weeks", 10, 2, 2, 90, 27, false, false, false, {}},
      {"53 weeks", 10, 2, 2, 90, 53, false, false, false, {}},
      {"54 weeks", 10, 2, 2, 90, 54, false, false, false, {kWeeks}},
      {"rural, 1 x 120 min", 10, 2, 1, 120, 30, true, false, false, {}},
      {"rural, 1 x 119 min", 10, 2, 1, 119, 30, true, false, false, {kMinutes}},
      {"rural, 1 x 120 min, 26 weeks", 10, 2, 1, 120, 26, true, false, false, {kWeeks}},
      {"not rural, 1 x 120 min", 10, 2, 1, 120, 30, false, false, false, {kSessions}},
      {"not rural, 1 x 120 min, derogation", 10, 2, 1, 120, 30, false, false, true, {}},
      {"not rural, 1 x 119 min, derogation", 10, 2, 1, 119, 30, false, false, true, {kMinutes}},
      {"derogation does not waive 2 x 90 min", 10, 2, 2, 89, 30, false, false, true, {kMinutes}},
      {"no session", 10, 2, 0, 90, 30, false, false, false, {kSessions}},
      {"11 sessions a week", 10, 2, 11, 90, 30, false, false, false, {kSessions}},
      {"a session of 481 min", 10, 2, 2, 481, 30, false, false, false, {kMinutes}},
  });
}

TEST(Eligibility, R_ELIG_3_ComiteDecisionRechecksTheSingleSessionDerogation) {
  v1::FundingRequestFiled request = ValidRequest();
  request.mutable_collectifs(0)->set_sessions_per_week(1);
  request.mutable_collectifs(0)->set_session_minutes(120);
  // Filed with the derogation asked for: accepted for examination by the comité.
  EXPECT_TRUE(ValidateFundingRequest(request, {.derogation_single_session = true}).all().empty());

  v1::CommitteeDecisionRecorded decision;
  decision.set_outcome(v1::VALIDATED);
  decision.set_agreed_collectifs(2);
  EXPECT_EQ(KeysOf(ValidateSessionsAtDecision(decision, request)), Keys{kSessions});
  decision.set_derogation_single_session(true);
  EXPECT_TRUE(ValidateSessionsAtDecision(decision, request).all().empty());
  decision.set_derogation_single_session(false);
  decision.set_outcome(v1::REFUSED);
  EXPECT_TRUE(ValidateSessionsAtDecision(decision, request).all().empty());
}

TEST(Eligibility, R_ELIG_4_EachMissingAxisIsOneError) {
  ExpectOutcomes({
      {"children",
       [](auto* r) { r->mutable_axes()->set_children(false); },
       {"R-ELIG-4 E axes.children"}},
      {"parents",
       [](auto* r) { r->mutable_axes()->set_parents(false); },
       {"R-ELIG-4 E axes.parents"}},
      {"school", [](auto* r) { r->mutable_axes()->set_school(false); }, {"R-ELIG-4 E axes.school"}},
      {"local partners",
       [](auto* r) { r->mutable_axes()->set_local_partners(false); },
       {"R-ELIG-4 E axes.local_partners"}},
      {"none",
       [](auto* r) { r->clear_axes(); },
       {"R-ELIG-4 E axes.children", "R-ELIG-4 E axes.parents", "R-ELIG-4 E axes.school",
        "R-ELIG-4 E axes.local_partners"}},
  });
}

TEST(Eligibility, R_ELIG_5_IndividualHomeAndHomeworkOnlyActionsAreThreeErrors) {
  ExpectOutcomes({
      {"individual",
       [](auto* r) { r->set_individual_action(true); },
       {"R-ELIG-5 E individual_action"}},
      {"at home", [](auto* r) { r->set_home_action(true); }, {"R-ELIG-5 E home_action"}},
      {"homework only", [](auto* r) { r->set_homework_only(true); }, {"R-ELIG-5 E homework_only"}},
      {"all three",
       [](auto* r) {
         r->set_individual_action(true);
         r->set_home_action(true);
         r->set_homework_only(true);
       },
       {"R-ELIG-5 E individual_action", "R-ELIG-5 E home_action", "R-ELIG-5 E homework_only"}},
  });
}

TEST(Eligibility, R_ELIG_6_PupilsFromCpToLycee) {
  auto levels = [](std::vector<int> values) {
    return [values](v1::FundingRequestFiled* r) {
      r->mutable_collectifs(0)->clear_levels();
      for (int level : values) r->mutable_collectifs(0)->add_levels(v1::SchoolLevel(level));
    };
  };
  ExpectOutcomes({
      {"elementaire, college, lycee", levels({v1::ELEMENTAIRE, v1::COLLEGE, v1::LYCEE}), {}},
      {"no level", levels({}), {"R-ELIG-6 E collectifs[0].levels"}},
      {"maternelle", levels({v1::MATERNELLE}), {"R-ELIG-6 E collectifs[0].levels[0]"}},
      {"post-bac second",
       levels({v1::COLLEGE, v1::POST_BAC}),
       {"R-ELIG-6 E collectifs[0].levels[1]"}},
      {"unspecified",
       levels({v1::SCHOOL_LEVEL_UNSPECIFIED}),
       {"R-ELIG-6 E collectifs[0].levels[0]"}},
      {"unknown value", levels({42}), {"R-ELIG-6 E collectifs[0].levels[0]"}},
      {"six levels", levels({2, 2, 3, 3, 4, 4}), {"R-ELIG-6 E collectifs[0].levels"}},
  });
}

TEST(Eligibility, R_ELIG_6_ValueNamesTheLevel) {
  v1::FundingRequestFiled request = ValidRequest();
  request.mutable_collectifs(1)->set_levels(0, v1::MATERNELLE);
  Violations v = ValidateFundingRequest(request);
  ASSERT_EQ(v.all().size(), 1u);
  EXPECT_EQ(v.all()[0].field(), "collectifs[1].levels[0]");
  EXPECT_EQ(v.all()[0].value(), "MATERNELLE");
}

TEST(Eligibility, R_ELIG_7_NonSymbolicFamilyParticipationIsOnlyAWarning) {
  v1::FundingRequestFiled request = ValidRequest();
  request.set_family_participation_symbolic(false);
  Violations v = ValidateFundingRequest(request);
  EXPECT_EQ(KeysOf(v), Keys{"R-ELIG-7 W family_participation_symbolic"});
  EXPECT_FALSE(v.has_errors());
  EXPECT_TRUE(v.ToStatus(absl::StatusCode::kFailedPrecondition).ok());
}

TEST(Eligibility, R_ELIG_8_RecommendedWindowIsFirstNovemberToThirtyFirstAugust) {
  EXPECT_EQ(RecommendedStartDay(SchoolYear(2026)), absl::CivilDay(2026, 11, 1));
  EXPECT_EQ(RecommendedEndDay(SchoolYear(2026)), absl::CivilDay(2027, 8, 31));
}

TEST(Eligibility, R_ELIG_8_ActionDates) {
  auto dates = [](int32_t start, int32_t end) {
    return [start, end](v1::FundingRequestFiled* r) {
      r->set_action_start_date(start);
      r->set_action_end_date(end);
    };
  };
  ExpectOutcomes({
      {"1 Nov to 31 Aug", dates(20261101, 20270831), {}},
      {"starts 31 Oct", dates(20261031, 20270630), {"R-ELIG-8 W action_start_date"}},
      {"starts in September", dates(20260914, 20270630), {"R-ELIG-8 W action_start_date"}},
      {"ends 1 Sep", dates(20261102, 20270901), {"R-ELIG-8 W action_end_date"}},
      {"no start", dates(0, 20270630), {"R-ELIG-8 W action_start_date"}},
      {"no end", dates(20261102, 0), {"R-ELIG-8 W action_end_date"}},
      {"no dates", dates(0, 0), {"R-ELIG-8 W action_start_date", "R-ELIG-8 W action_end_date"}},
      {"30 February", dates(20261102, 20270230), {"R-ELIG-8 E action_end_date"}},
      {"month 13", dates(20261302, 20270630), {"R-ELIG-8 E action_start_date"}},
      {"end before start", dates(20270301, 20270201), {"R-ELIG-8 E action_end_date"}},
  });
}

TEST(Eligibility, R_ELIG_9_OnePlaceAccessibleToParents) {
  ExpectOutcomes({
      {"second collectif moves around",
       [](auto* r) { r->mutable_collectifs(1)->set_single_accessible_place(false); },
       {"R-ELIG-9 E collectifs[1].single_accessible_place"}},
  });
}

TEST(Eligibility, StructureOfTheRequest) {
  ExpectOutcomes({
      {"no convention id", [](auto* r) { r->clear_convention_id(); }, {"R-CONV-4 E convention_id"}},
      {"no gestionnaire id",
       [](auto* r) { r->clear_gestionnaire_id(); },
       {"R-CONV-4 E gestionnaire_id"}},
      {"gestionnaire id too long",
       [](auto* r) { r->set_gestionnaire_id(std::string(kIdBytesMax + 1, 'g')); },
       {"R-CONV-4 E gestionnaire_id"}},
      // The id policy of every input (identifiers.h), not a looser one of its own.
      {"gestionnaire id with a space",
       [](auto* r) { r->set_gestionnaire_id("asso 1"); },
       {"R-CONV-4 E gestionnaire_id"}},
      {"collectif id with a slash",
       [](auto* r) { r->mutable_collectifs(0)->set_collectif_id("c/1"); },
       {"R-CONV-4 E collectifs[0].collectif_id"}},
      {"school year 1999",
       [](auto* r) { r->set_first_school_year(1999); },
       {"R-CONV-2 E first_school_year"}},
      {"school year 2099 ends after the date range",
       [](auto* r) { r->set_first_school_year(2099); },
       {"R-CONV-2 E first_school_year"}},
      {"0 school years", [](auto* r) { r->set_school_years(0); }, {"R-CONV-2 E school_years"}},
      {"5 school years", [](auto* r) { r->set_school_years(5); }, {}},
      {"6 school years", [](auto* r) { r->set_school_years(6); }, {"R-CONV-2 E school_years"}},
      {"no charges", [](auto* r) { r->set_charges_cents(0); }, {"R-DROIT-2 E charges_cents"}},
      {"negative charges",
       [](auto* r) { r->set_charges_cents(-1); },
       {"R-DROIT-2 E charges_cents"}},
      {"charges at the maximum", [](auto* r) { r->set_charges_cents(kAmountMaxCents); }, {}},
      {"charges beyond",
       [](auto* r) { r->set_charges_cents(kAmountMaxCents + 1); },
       {"R-DROIT-2 E charges_cents"}},
      {"autres BF negative",
       [](auto* r) { r->set_autres_bf_cents(-1); },
       {"R-DROIT-5 E autres_bf_cents"}},
      {"autres BF = charges", [](auto* r) { r->set_autres_bf_cents(r->charges_cents()); }, {}},
      {"autres BF > charges",
       [](auto* r) { r->set_autres_bf_cents(r->charges_cents() + 1); },
       {"R-DROIT-5 E autres_bf_cents"}},
      {"collectif without id",
       [](auto* r) { r->mutable_collectifs(0)->clear_collectif_id(); },
       {"R-CONV-4 E collectifs[0].collectif_id"}},
      {"duplicate collectif id",
       [](auto* r) { r->mutable_collectifs(1)->set_collectif_id("c1"); },
       {"R-CONV-4 E collectifs[1].collectif_id"}},
  });
}

TEST(Eligibility, TooLongIdentifierIsQuotedOnACharacterBoundary) {
  v1::FundingRequestFiled request = ValidRequest();
  request.set_gestionnaire_id(std::string(kIdBytesMax - 1, 'g') + "éé");
  Violations v = ValidateFundingRequest(request);
  ASSERT_EQ(v.all().size(), 1u);
  EXPECT_EQ(v.all()[0].value(), std::string(kIdBytesMax - 1, 'g'));
  // The list travels as a proto payload: it must survive the round trip.
  EXPECT_EQ(ViolationsOf(v.ToStatus(absl::StatusCode::kInvalidArgument)).size(), 1u);
}

// Everything wrong at once: every failure is reported, none hides another.
v1::FundingRequestFiled RequestWithManyFaults() {
  v1::FundingRequestFiled r = ValidRequest();
  r.clear_convention_id();
  r.set_school_years(6);
  r.set_charges_cents(0);
  v1::Collectif* c0 = r.mutable_collectifs(0);
  c0->set_children(4);
  c0->set_animateurs(1);
  c0->set_sessions_per_week(1);
  c0->set_session_minutes(60);
  c0->set_weeks(20);
  c0->set_levels(0, v1::MATERNELLE);
  c0->set_single_accessible_place(false);
  r.mutable_collectifs(1)->set_collectif_id("c1");
  r.mutable_axes()->set_parents(false);
  r.set_homework_only(true);
  r.set_family_participation_symbolic(false);
  r.set_action_start_date(20261015);
  r.set_action_end_date(20270230);
  r.mutable_bonus_enfants()->set_requested(true);
  r.mutable_bonus_enfants()->set_teaching_equipment(true);
  r.mutable_bonus_enfants()->set_collectifs(5);
  return r;
}

TEST(Eligibility, RequestWithManyFaultsReturnsAllOfThemAtOnce) {
  Violations v = ValidateFundingRequest(RequestWithManyFaults());
  EXPECT_EQ(KeysOf(v), (Keys{
                           "R-CONV-4 E convention_id",
                           "R-CONV-2 E school_years",
                           "R-DROIT-2 E charges_cents",
                           "R-CONV-4 E collectifs[1].collectif_id",
                           kChildren,
                           kAnimateurs,
                           kSessions,
                           kWeeks,
                           "R-ELIG-6 E collectifs[0].levels[0]",
                           "R-ELIG-9 E collectifs[0].single_accessible_place",
                           "R-ELIG-4 E axes.parents",
                           "R-ELIG-5 E homework_only",
                           "R-ELIG-7 W family_participation_symbolic",
                           "R-ELIG-8 W action_start_date",
                           "R-ELIG-8 E action_end_date",
                           "R-BON-1 E bonus_enfants.structured_project",
                           "R-BON-3 E bonus_enfants.collectifs",
                       }));
  EXPECT_TRUE(v.has_errors());
  EXPECT_EQ(v.warnings().size(), 2u);
}

TEST(Eligibility, MessagesAreFrenchAndNameTheRuleAndTheSection) {
  v1::FundingRequestFiled request = ValidRequest();
  request.mutable_collectifs(0)->set_children(4);
  Violations v = ValidateFundingRequest(request);
  ASSERT_EQ(v.all().size(), 1u);
  EXPECT_EQ(Describe(v.all()[0]),
            "R-ELIG-1 (§2.1) collectifs[0].children = 4 : un collectif compte de 8 à 12 enfants, "
            "5 minimum en milieu rural ou s'il accueille un enfant en situation de handicap");

  // The section each rule belongs to, in the circular.
  const std::map<std::string, std::string> sections = {
      {"R-ELIG-1", "§2.1"},  {"R-ELIG-2", "§2.1"},  {"R-ELIG-3", "§2.1"}, {"R-ELIG-4", "§2.1"},
      {"R-ELIG-5", "§2.1"},  {"R-ELIG-6", "§2.1"},  {"R-ELIG-7", "§2.1"}, {"R-ELIG-8", "§2.1"},
      {"R-ELIG-9", "§2.1"},  {"R-BON-1", "§2.2"},   {"R-CONV-2", "§2.3"}, {"R-CONV-4", "§3.1"},
      {"R-DROIT-2", "§3.2"}, {"R-DROIT-5", "§2.3"},  {"R-BON-3", "§3.3"},
  };
  const Violations many = ValidateFundingRequest(RequestWithManyFaults());
  for (const auto& violation : many.all()) {
    SCOPED_TRACE(Describe(violation));
    ASSERT_EQ(sections.count(violation.rule_id()), 1u);
    EXPECT_EQ(violation.section(), sections.at(violation.rule_id()));
    EXPECT_FALSE(violation.message().empty());
    EXPECT_EQ(Describe(violation).rfind(
                  absl::StrCat(violation.rule_id(), " (", violation.section(), ")"), 0),
              0u);
  }
}

TEST(Eligibility, R_ELIG_8_WarningMessageGivesTheWindowInFrench) {
  v1::FundingRequestFiled request = ValidRequest();
  request.set_action_start_date(20261015);
  Violations v = ValidateFundingRequest(request);
  ASSERT_EQ(v.all().size(), 1u);
  EXPECT_EQ(Describe(v.all()[0]),
            "R-ELIG-8 (§2.1) action_start_date = 15/10/2026 : une action Clas démarre après les "
            "vacances de la Toussaint de l'année 2026 (au plus tôt le 01/11/2026) et se termine au "
            "plus tard le 31/08/2027 [avertissement]");
}

}  // namespace
}  // namespace clas::rules
