#include "projections/rules/eligibility.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "projections/core/identifiers.h"
#include "projections/core/money.h"
#include "projections/rules/bonus.h"
#include "projections/rules/request_limits.h"

namespace clas::rules {
namespace {

std::string CollectifField(int index, absl::string_view name) {
  return absl::StrCat("collectifs[", index, "].", name);
}

// A duration in French words: 90 -> "1 h 30", 120 -> "2 h".
std::string DurationFr(int32_t minutes) {
  if (minutes % 60 == 0) return absl::StrFormat("%d h", minutes / 60);
  return absl::StrFormat("%d h %02d", minutes / 60, minutes % 60);
}

// An amount as text; an absurd figure (beyond kAmountMaxCents) is printed raw, in cents.
std::string AmountText(int64_t cents) {
  if (cents < -kAmountMaxCents || cents > kAmountMaxCents) return absl::StrCat(cents, " centimes");
  return Money::Cents(cents).ToFrench();
}

// The first `max_bytes` bytes of a UTF-8 text, cut on a character boundary (a violation is a
// proto message: its strings must stay valid UTF-8).
std::string_view Utf8Prefix(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut);
}

// --- The request's structure ---------------------------------------------------------------

// R-CONV-4: a request names its convention, its gestionnaire, and each collectif.
void CheckIdentifier(std::string_view field, std::string_view id, const char* what_fr,
                     Violations* out) {
  if (id.empty()) {
    out->Add(RuleError(rule::kConv4, field, "",
                       absl::StrCat("la demande de financement doit indiquer ", what_fr)));
  } else if (std::string problem = IdProblem(id, IdKind::kIdentifier); !problem.empty()) {
    out->Add(RuleError(rule::kConv4, field, Utf8Prefix(id, kIdBytesMax), problem));
  }
}

// R-CONV-2: the school years a request covers.
void CheckSchoolYears(const v1::FundingRequestFiled& r, Violations* out) {
  if (r.first_school_year() < kSchoolYearMin || r.first_school_year() > kSchoolYearMax) {
    out->Add(RuleError(rule::kConv2, "first_school_year", absl::StrCat(r.first_school_year()),
                       absl::StrFormat("l'année d'ouverture de la première année scolaire doit "
                                       "être comprise entre %d et %d",
                                       kSchoolYearMin, kSchoolYearMax)));
  }
  if (r.school_years() < 1 || r.school_years() > kSchoolYearsPerRequestMax) {
    out->Add(RuleError(rule::kConv2, "school_years", absl::StrCat(r.school_years()),
                       absl::StrFormat("un financement couvre de 1 à %d années scolaires "
                                       "(convention annuelle ou pluriannuelle de %d ans maximum)",
                                       kSchoolYearsPerRequestMax, kSchoolYearsPerRequestMax)));
  }
}

// R-DROIT-2 (charges, the prix de revient) and R-DROIT-5 (other Branche Famille money).
void CheckBudget(const v1::FundingRequestFiled& r, Violations* out) {
  const bool charges_valid = r.charges_cents() > 0 && r.charges_cents() <= kAmountMaxCents;
  if (!charges_valid) {
    out->Add(RuleError(rule::kDroit2, "charges_cents", AmountText(r.charges_cents()),
                       absl::StrCat("le prix de revient annuel de la fonction d'accompagnement à "
                                    "la scolarité doit être positif et d'au plus ",
                                    Money::Cents(kAmountMaxCents).ToFrench())));
  }
  const int64_t autres_bf_max_cents = charges_valid ? r.charges_cents() : kAmountMaxCents;
  if (r.autres_bf_cents() < 0 || r.autres_bf_cents() > autres_bf_max_cents) {
    out->Add(RuleError(rule::kDroit5, "autres_bf_cents", AmountText(r.autres_bf_cents()),
                       "les autres financements de la branche Famille pour la même action sont "
                       "compris entre zéro et le prix de revient annuel (charges)"));
  }
}

// --- One collectif -------------------------------------------------------------------------

// R-ELIG-1
void CheckChildren(const v1::Collectif& c, int i, Violations* out) {
  const bool reduced = c.rural() || c.child_with_disability();
  const int32_t min = reduced ? kChildrenPerCollectifReducedMin : kChildrenPerCollectifMin;
  if (c.children() >= min && c.children() <= kChildrenPerCollectifMax) return;
  out->Add(RuleError(rule::kElig1, CollectifField(i, "children"), absl::StrCat(c.children()),
                     absl::StrFormat("un collectif compte de %d à %d enfants, %d minimum en milieu "
                                     "rural ou s'il accueille un enfant en situation de handicap",
                                     kChildrenPerCollectifMin, kChildrenPerCollectifMax,
                                     kChildrenPerCollectifReducedMin)));
}

// R-ELIG-2
void CheckAnimateurs(const v1::Collectif& c, int i, Violations* out) {
  const bool small_rural = c.rural() && c.children() < kChildrenPerCollectifMin;
  const int32_t min = small_rural ? kAnimateursRuralSmallCollectifMin : kAnimateursPerCollectifMin;
  const std::string field = CollectifField(i, "animateurs");
  const std::string value = absl::StrCat(c.animateurs());
  if (c.animateurs() < min) {
    out->Add(RuleError(rule::kElig2, field, value,
                       absl::StrFormat("chaque collectif est encadré par %d intervenants "
                                       "(professionnels et/ou bénévoles) ; un seul est accepté en "
                                       "milieu rural pour un collectif de moins de %d enfants",
                                       kAnimateursPerCollectifMin, kChildrenPerCollectifMin)));
  } else if (c.animateurs() > kAnimateursPerCollectifMax) {
    out->Add(RuleError(rule::kElig2, field, value,
                       absl::StrFormat("nombre d'intervenants invraisemblable : au plus %d par "
                                       "collectif",
                                       kAnimateursPerCollectifMax)));
  }
}

// R-ELIG-3: sessions a week and their length. A single session is a regime of its own, allowed
// in a rural area or with the comité's derogation; outside it, its length is not examined.
void CheckSessionRegime(const v1::Collectif& c, int i, bool derogation, Violations* out) {
  const int32_t sessions = c.sessions_per_week();
  const bool single_allowed = c.rural() || derogation;
  const std::string minutes_field = CollectifField(i, "session_minutes");
  const std::string minutes_value = absl::StrCat(c.session_minutes());
  if (sessions > kSessionsPerWeekMax) {
    out->Add(RuleError(rule::kElig3, CollectifField(i, "sessions_per_week"), absl::StrCat(sessions),
                       absl::StrFormat("nombre de séances invraisemblable : au plus %d par "
                                       "semaine",
                                       kSessionsPerWeekMax)));
  } else if (sessions >= kSessionsPerWeekMin) {
    if (c.session_minutes() < kSessionMinutesMin) {
      out->Add(RuleError(rule::kElig3, minutes_field, minutes_value,
                         absl::StrFormat("chaque séance hebdomadaire dure au moins %s (%d minutes)",
                                         DurationFr(kSessionMinutesMin), kSessionMinutesMin)));
    }
  } else if (sessions == 1 && single_allowed) {
    if (c.session_minutes() < kSingleSessionMinutesMin) {
      out->Add(RuleError(
          rule::kElig3, minutes_field, minutes_value,
          absl::StrFormat("une séance hebdomadaire unique dure au moins %s "
                          "consécutives (%d minutes)",
                          DurationFr(kSingleSessionMinutesMin), kSingleSessionMinutesMin)));
    }
  } else {
    out->Add(RuleError(rule::kElig3, CollectifField(i, "sessions_per_week"), absl::StrCat(sessions),
                       absl::StrFormat("chaque collectif bénéficie de %d séances hebdomadaires "
                                       "d'au moins %s ; une seule séance de %s consécutives n'est "
                                       "acceptée qu'en milieu rural ou sur dérogation du comité "
                                       "départemental pour manque de locaux",
                                       kSessionsPerWeekMin, DurationFr(kSessionMinutesMin),
                                       DurationFr(kSingleSessionMinutesMin))));
  }
  if (c.session_minutes() > kSessionMinutesMax) {
    out->Add(RuleError(rule::kElig3, minutes_field, minutes_value,
                       absl::StrFormat("durée de séance invraisemblable : au plus %d minutes",
                                       kSessionMinutesMax)));
  }
}

// R-ELIG-3: the number of weeks of the school year the collectif meets.
void CheckWeeks(const v1::Collectif& c, int i, Violations* out) {
  const std::string field = CollectifField(i, "weeks");
  const std::string value = absl::StrCat(c.weeks());
  if (c.weeks() < kWeeksMin) {
    out->Add(RuleError(rule::kElig3, field, value,
                       absl::StrFormat("un collectif fonctionne au moins %d semaines dans l'année "
                                       "scolaire",
                                       kWeeksMin)));
  } else if (c.weeks() > kWeeksPerSchoolYearMax) {
    out->Add(RuleError(
        rule::kElig3, field, value,
        absl::StrFormat("une année scolaire compte au plus %d semaines", kWeeksPerSchoolYearMax)));
  }
}

void CheckSessions(const v1::Collectif& c, int i, bool derogation, Violations* out) {
  CheckSessionRegime(c, i, derogation, out);
  CheckWeeks(c, i, out);
}

std::string LevelText(int level) {
  const std::string& name = v1::SchoolLevel_Name(static_cast<v1::SchoolLevel>(level));
  return name.empty() ? absl::StrCat(level) : name;
}

// R-ELIG-6
void CheckLevels(const v1::Collectif& c, int i, Violations* out) {
  constexpr char kPupilsFr[] =
      "les enfants sont des élèves du CP au lycée (élémentaire, collège, lycée)";
  if (c.levels_size() == 0) {
    out->Add(RuleError(rule::kElig6, CollectifField(i, "levels"), "aucun",
                       absl::StrCat(kPupilsFr, " : indiquer le niveau scolaire des enfants")));
    return;
  }
  if (c.levels_size() > kLevelsPerCollectifMax) {
    out->Add(RuleError(rule::kElig6, CollectifField(i, "levels"), absl::StrCat(c.levels_size()),
                       absl::StrFormat("au plus %d niveaux scolaires, chacun une seule fois",
                                       kLevelsPerCollectifMax)));
    return;
  }
  for (int j = 0; j < c.levels_size(); ++j) {
    const int level = c.levels(j);
    if (level >= v1::ELEMENTAIRE && level <= v1::LYCEE) continue;
    out->Add(RuleError(rule::kElig6, CollectifField(i, absl::StrCat("levels[", j, "]")),
                       LevelText(level),
                       absl::StrCat(kPupilsFr, " : ce niveau n'est pas éligible")));
  }
}

// R-ELIG-9
void CheckPlace(const v1::Collectif& c, int i, Violations* out) {
  if (c.single_accessible_place()) return;
  out->Add(RuleError(rule::kElig9, CollectifField(i, "single_accessible_place"), "false",
                     "un collectif se réunit dans un même lieu, accessible aux parents, durant "
                     "toute l'année scolaire"));
}

// R-CONV-4: every collectif has an identifier of its own. `seen` maps the identifiers met so far
// to their index.
void CheckCollectifId(const v1::Collectif& c, int i, std::map<std::string_view, int>* seen,
                      Violations* out) {
  const std::string field = CollectifField(i, "collectif_id");
  CheckIdentifier(field, c.collectif_id(), "l'identifiant de chaque collectif", out);
  if (c.collectif_id().empty()) return;
  auto [it, inserted] = seen->emplace(c.collectif_id(), i);
  if (inserted) return;
  out->Add(RuleError(rule::kConv4, field, c.collectif_id(),
                     absl::StrFormat("identifiant déjà utilisé par collectifs[%d] : chaque "
                                     "collectif est décrit une seule fois",
                                     it->second)));
}

// R-ELIG-1 (a request has collectifs), then every rule of each collectif.
void CheckCollectifs(const v1::FundingRequestFiled& r, bool derogation, Violations* out) {
  const int count = r.collectifs_size();
  if (count == 0) {
    out->Add(RuleError(rule::kElig1, "collectifs", "0",
                       "une action Clas est conduite auprès d'au moins un collectif d'enfants"));
  } else if (count > kCollectifsPerRequestMax) {
    out->Add(RuleError(rule::kElig1, "collectifs", absl::StrCat(count),
                       absl::StrFormat("une demande décrit au plus %d collectifs ; les suivants "
                                       "ne sont pas examinés",
                                       kCollectifsPerRequestMax)));
  }
  std::map<std::string_view, int> seen;
  for (int i = 0; i < std::min(count, kCollectifsPerRequestMax); ++i) {
    const v1::Collectif& c = r.collectifs(i);
    CheckCollectifId(c, i, &seen, out);
    CheckChildren(c, i, out);
    CheckAnimateurs(c, i, out);
    CheckSessions(c, i, derogation, out);
    CheckLevels(c, i, out);
    CheckPlace(c, i, out);
  }
}

// --- The project ---------------------------------------------------------------------------

// R-ELIG-4: one error per missing axis.
void CheckAxes(const v1::Axes& axes, Violations* out) {
  struct Axis {
    bool covered;
    const char* field;
    const char* name_fr;
  };
  const Axis all[] = {
      {axes.children(), "axes.children", "l'intervention auprès des enfants et des jeunes"},
      {axes.parents(), "axes.parents", "l'intervention auprès et avec les parents"},
      {axes.school(), "axes.school", "la concertation avec l'école"},
      {axes.local_partners(), "axes.local_partners",
       "la concertation et la coordination avec les acteurs du territoire"},
  };
  for (const Axis& axis : all) {
    if (axis.covered) continue;
    out->Add(RuleError(rule::kElig4, axis.field, "false",
                       absl::StrCat("le projet couvre les quatre axes d'intervention ; il manque ",
                                    axis.name_fr)));
  }
}

// R-ELIG-5: three ineligible forms of action, one error each.
void CheckActionForms(const v1::FundingRequestFiled& r, Violations* out) {
  if (r.individual_action()) {
    out->Add(
        RuleError(rule::kElig5, "individual_action", "true",
                  "les actions strictement individuelles ne sont plus éligibles à la "
                  "prestation de service Clas (elles relèvent du Fonds public et territoire)"));
  }
  if (r.home_action()) {
    out->Add(RuleError(rule::kElig5, "home_action", "true",
                       "les actions au domicile des familles ne sont plus éligibles à la "
                       "prestation de service Clas"));
  }
  if (r.homework_only()) {
    out->Add(RuleError(rule::kElig5, "homework_only", "true",
                       "une action relevant exclusivement de l'aide aux devoirs n'est pas "
                       "éligible à la prestation de service Clas"));
  }
}

// R-ELIG-7 (warning)
void CheckFamilyParticipation(const v1::FundingRequestFiled& r, Violations* out) {
  if (r.family_participation_symbolic()) return;
  out->Add(RuleWarning(rule::kElig7, "family_participation_symbolic", "false",
                       "la participation financière éventuellement demandée aux familles doit "
                       "rester symbolique"));
}

// R-ELIG-8: one action date. Missing: warning; not a real day: error. Returns the day if real.
std::optional<absl::CivilDay> ActionDay(int32_t ymd, std::string_view field, Violations* out) {
  if (ymd == 0) {
    out->Add(RuleWarning(rule::kElig8, field, "",
                         "les dates de début et de fin de l'action sont à indiquer"));
    return std::nullopt;
  }
  auto day = DayFromYmd(ymd);
  if (!day.ok()) {
    out->Add(RuleError(rule::kElig8, field, absl::StrCat(ymd),
                       absl::StrFormat("cette date n'existe pas ou sort de la plage acceptée "
                                       "(%s au %s)",
                                       FrenchDate(kDateMin), FrenchDate(kDateMax))));
    return std::nullopt;
  }
  return *day;
}

// R-ELIG-8: the action runs from the Toussaint holidays of N to 31 August N+1 (recommended).
void CheckActionDates(const v1::FundingRequestFiled& r, Violations* out) {
  const auto start = ActionDay(r.action_start_date(), "action_start_date", out);
  const auto end = ActionDay(r.action_end_date(), "action_end_date", out);
  if (start && end && *end < *start) {
    out->Add(RuleError(rule::kElig8, "action_end_date", FrenchDate(r.action_end_date()),
                       absl::StrCat("la fin de l'action précède son début (",
                                    FrenchDate(r.action_start_date()), ")")));
  }
  if (r.first_school_year() < kSchoolYearMin || r.first_school_year() > kSchoolYearMax) return;
  const SchoolYear year(r.first_school_year());
  const absl::CivilDay first = RecommendedStartDay(year), last = RecommendedEndDay(year);
  const std::string window_fr = absl::StrFormat(
      "une action Clas démarre après les vacances de la Toussaint de l'année %d (au plus tôt le "
      "%s) et se termine au plus tard le %s",
      year.n(), FrenchDate(YmdFromDay(first)), FrenchDate(YmdFromDay(last)));
  if (start && (*start < first || *start > last)) {
    out->Add(RuleWarning(rule::kElig8, "action_start_date", FrenchDate(r.action_start_date()),
                         window_fr));
  }
  if (end && (*end < first || *end > last)) {
    out->Add(
        RuleWarning(rule::kElig8, "action_end_date", FrenchDate(r.action_end_date()), window_fr));
  }
}

}  // namespace

absl::CivilDay RecommendedStartDay(SchoolYear year) {
  // R-ELIG-8 [choice]: "after the Toussaint holidays of N" is taken as "on or after 1 November N".
  return absl::CivilDay(year.n(), 11, 1);
}

absl::CivilDay RecommendedEndDay(SchoolYear year) { return year.last_day(); }

Violations ValidateFundingRequest(const v1::FundingRequestFiled& request,
                                  const EligibilityOptions& options) {
  Violations out;
  CheckIdentifier("convention_id", request.convention_id(), "l'identifiant de la convention", &out);
  CheckIdentifier("gestionnaire_id", request.gestionnaire_id(), "l'identifiant du gestionnaire",
                  &out);
  CheckSchoolYears(request, &out);
  CheckBudget(request, &out);
  CheckCollectifs(request, options.derogation_single_session, &out);
  CheckAxes(request.axes(), &out);
  CheckActionForms(request, &out);
  CheckFamilyParticipation(request, &out);
  CheckActionDates(request, &out);
  out.AddAll(ValidateBonusProjects(request));  // R-BON-1, R-BON-2
  return out;
}

Violations ValidateSessionsAtDecision(const v1::CommitteeDecisionRecorded& decision,
                                      const v1::FundingRequestFiled& request) {
  Violations out;
  if (decision.outcome() != v1::VALIDATED) return out;
  const int examined = std::min(request.collectifs_size(), kCollectifsPerRequestMax);
  for (int i = 0; i < examined; ++i) {
    // R-ELIG-3, with the derogation as recorded on the agrément.
    CheckSessions(request.collectifs(i), i, decision.derogation_single_session(), &out);
  }
  return out;
}

}  // namespace clas::rules
