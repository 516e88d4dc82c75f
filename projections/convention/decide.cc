// Decisions on the set-up of a convention: gestionnaire, barème, funding request, comité,
// convention, avenants, notifications (R-CONV-*, R-ELIG-*, R-BON-*, R-DROIT-1).
#include "projections/convention/decide.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "projections/convention/decide_internal.h"
#include "projections/rules/bonus.h"
#include "projections/rules/droit.h"
#include "projections/rules/eligibility.h"
#include "projections/rules/request_limits.h"

namespace clas {

using namespace decide_internal;  // NOLINT: the helpers of this family of files

namespace {

using rules::kConventionSchoolYearsMax;  // R-CONV-2

bool YearInRange(int32_t n) { return n >= rules::kSchoolYearMin && n <= rules::kSchoolYearMax; }

void CheckSchoolYearField(Violations& v, const Rule& rule, std::string_view field, int32_t n) {
  if (YearInRange(n)) return;
  v.Add(RuleError(rule, field, Str(n),
                  "année scolaire invalide (attendu l'année d'ouverture N, par exemple 2026 pour "
                  "2026-2027)"));
}

}  // namespace

absl::Status Verdict::ToStatus() const {
  if (malformed_.has_errors()) {
    Violations all = malformed_;
    all.AddAll(forbidden_);
    return all.ToStatus(absl::StatusCode::kInvalidArgument);
  }
  return forbidden_.ToStatus(absl::StatusCode::kFailedPrecondition);
}

std::vector<v1::RuleViolation> Verdict::warnings() const {
  std::vector<v1::RuleViolation> out = malformed_.warnings();
  for (auto& w : forbidden_.warnings()) out.push_back(w);
  return out;
}

absl::StatusOr<Facts> DecideRegisterGestionnaire(const v1::RegisterGestionnaire& cmd,
                                                 const Gestionnaire* existing) {
  if (existing != nullptr) {
    return RuleStatus(absl::StatusCode::kAlreadyExists,
                      RuleError(rule::kConv4, "gestionnaire_id", cmd.gestionnaire_id(),
                                absl::StrFormat("le gestionnaire est déjà enregistré auprès de "
                                                "la Caf %s",
                                                cmd.caf_id())));
  }
  Verdict verdict;
  Violations& v = verdict.malformed();
  if (cmd.caf_id().empty()) v.Add(RuleError(rule::kHist4, "caf_id", "", "la Caf est obligatoire"));
  if (cmd.gestionnaire_id().empty()) {
    v.Add(RuleError(rule::kConv4, "gestionnaire_id", "",
                    "l'identifiant du gestionnaire est obligatoire"));
  }
  if (cmd.name().empty()) {
    v.Add(RuleError(rule::kConv4, "name", "", "le nom du gestionnaire est obligatoire"));
  }
  if (!v1::GestionnaireKind_IsValid(cmd.kind()) || cmd.kind() == v1::GESTIONNAIRE_KIND_UNSPECIFIED) {
    v.Add(RuleError(rule::kAcc6, "kind", Str(cmd.kind()),
                    "la nature du gestionnaire (association, centre social, EVS, commune, "
                    "entreprise, Caf) est obligatoire : elle fixe le code statistique"));
  }
  if (cmd.supported_since_school_year() != 0) {
    CheckSchoolYearField(v, rule::kConv2, "supported_since_school_year",
                         cmd.supported_since_school_year());
  }
  if (cmd.centre_social_agrement_end() != 0) {
    if (!IsValidYmd(cmd.centre_social_agrement_end())) {
      v.Add(RuleError(rule::kConv2, "centre_social_agrement_end",
                      Str(cmd.centre_social_agrement_end()),
                      "la fin de l'agrément du centre social est une date réelle (AAAAMMJJ)"));
    } else if (cmd.kind() != v1::CENTRE_SOCIAL) {
      v.Add(RuleError(rule::kConv2, "centre_social_agrement_end",
                      FrenchDate(cmd.centre_social_agrement_end()),
                      "seul un centre social a un agrément délivré par la Caf"));
    }
  }
  CheckDate(v, cmd.date());
  RETURN_IF_ERROR(verdict.ToStatus());
  NewFact f;
  f.effective_date = cmd.date();
  f.fact.set_caf_id(cmd.caf_id());
  auto* g = f.fact.mutable_gestionnaire_registered();
  g->set_gestionnaire_id(cmd.gestionnaire_id());
  g->set_name(cmd.name());
  g->set_kind(cmd.kind());
  g->set_supported_since_school_year(cmd.supported_since_school_year());
  g->set_centre_social_agrement_end(cmd.centre_social_agrement_end());
  return Facts{f};
}

absl::StatusOr<Facts> DecidePublishBareme(const v1::PublishBareme& cmd, const BaremeBook& book) {
  Verdict verdict;
  Violations& v = verdict.malformed();
  const auto& b = cmd.bareme();
  CheckSchoolYearField(v, rule::kDroit1, "bareme.school_year", b.school_year());
  CheckAmount(v, rule::kDroit1, "bareme.plafond_cents", b.plafond_cents(), true);
  CheckAmount(v, rule::kDroit1, "bareme.bonus_enfants_cents", b.bonus_enfants_cents(), false);
  CheckAmount(v, rule::kDroit1, "bareme.bonus_parents_cents", b.bonus_parents_cents(), false);
  CheckDate(v, cmd.date());
  if (book.Find(b.school_year()) != nullptr) {
    verdict.forbidden().Add(RuleError(
        rule::kDroit1, "bareme.school_year", Str(b.school_year()),
        absl::StrFormat("le barème de l'année scolaire %s est déjà publié ; une erreur se "
                        "corrige par une correction, jamais par une nouvelle publication",
                        SchoolYear(b.school_year()).ToString())));
  }
  RETURN_IF_ERROR(verdict.ToStatus());
  NewFact f;
  f.effective_date = cmd.date();
  *f.fact.mutable_bareme_published()->mutable_bareme() = b;
  f.fact.mutable_bareme_published()->set_reference(cmd.reference());
  return Facts{f};
}

absl::StatusOr<Facts> DecideFileFundingRequest(const v1::FileFundingRequest& cmd,
                                               const v1::ConventionState& state,
                                               const DecideContext& ctx) {
  const auto& r = cmd.request();
  if (!state.convention_id().empty()) {
    return RuleStatus(absl::StatusCode::kAlreadyExists,
                      RuleError(rule::kConv4, "request.convention_id", r.convention_id(),
                                "le dossier existe déjà ; un nouveau projet prend un nouvel "
                                "identifiant"));
  }
  Verdict verdict;
  rules::EligibilityOptions options;
  options.derogation_single_session = r.derogation_single_session_requested();  // R-ELIG-3
  verdict.malformed().AddAll(rules::ValidateFundingRequest(r, options));
  CheckDate(verdict.malformed(), cmd.date());
  if (ctx.gestionnaire == nullptr) {
    verdict.forbidden().Add(RuleError(
        rule::kConv4, "request.gestionnaire_id", r.gestionnaire_id(),
        absl::StrCat("gestionnaire inconnu de la Caf le ", FrenchDate(cmd.date()),
                     " (date de la demande) : enregistrez-le avant de déposer sa demande")));
  }
  RETURN_IF_ERROR(verdict.ToStatus());
  v1::ConventionState named = state;
  named.set_convention_id(r.convention_id());
  NewFact f = ConventionFact(named, cmd.caf_id(), cmd.date());
  *f.fact.mutable_funding_request_filed() = r;
  for (auto& w : verdict.warnings()) *f.fact.add_warnings() = w;
  return Facts{f};
}

namespace {

void CheckDecisionYears(Verdict& verdict, const v1::CommitteeDecisionRecorded& d,
                        const v1::ConventionState& state) {
  const auto& r = state.request();
  const int32_t first = r.first_school_year(), last = first + r.school_years() - 1;
  if (d.first_school_year() < first || d.last_school_year() > last ||
      d.first_school_year() > d.last_school_year()) {
    verdict.malformed().Add(
        RuleError(rule::kConv4, "decision.first_school_year",
                  absl::StrFormat("%d..%d", d.first_school_year(), d.last_school_year()),
                  absl::StrFormat("le comité se prononce sur les années demandées (%s à %s)",
                                  SchoolYear(first).ToString(), SchoolYear(last).ToString())));
  }
}

// R-BON-3. A bonus count outside 0..agreed collectifs is a malformed decision. A count within it
// that rests on no project filed with the request meeting R-BON-1/2 is well formed: the file on
// record forbids it, like the sessions the request describes (R-ELIG-3 at the decision).
void CheckBonusGrant(Verdict& verdict, const v1::CommitteeDecisionRecorded& d,
                     const v1::FundingRequestFiled& r) {
  auto rests_on_the_file = [&](const v1::RuleViolation& v) {
    int32_t count = 0;
    bool qualifies = true;
    if (v.field() == "bonus_enfants_collectifs") {
      count = d.bonus_enfants_collectifs();
      qualifies = rules::QualifiesForBonusEnfants(r.bonus_enfants());
    } else if (v.field() == "bonus_parents_collectifs") {
      count = d.bonus_parents_collectifs();
      qualifies = rules::QualifiesForBonusParents(r.bonus_parents());
    }
    return v.rule_id() == rule::kBon3.id && !qualifies && count >= 1 &&
           count <= d.agreed_collectifs();
  };
  const Violations grant = rules::ValidateBonusGrant(d, r);
  for (const auto& v : grant.all()) {
    (rests_on_the_file(v) ? verdict.forbidden() : verdict.malformed()).Add(v);
  }
}

}  // namespace

absl::StatusOr<Facts> DecideCommitteeDecision(const v1::RecordCommitteeDecision& cmd,
                                              const v1::ConventionState& state,
                                              const DecideContext& ctx) {
  RETURN_IF_ERROR(RequireConvention(state, cmd.convention_id()));
  Verdict verdict;
  const auto& d = cmd.decision();
  CheckDate(verdict.malformed(), cmd.date());
  if (d.outcome() != v1::VALIDATED && d.outcome() != v1::REFUSED) {
    verdict.malformed().Add(RuleError(rule::kConv4, "decision.outcome", Str(d.outcome()),
                                      "la décision du comité est « validé » ou « refusé »"));
  }
  if (d.mode() != v1::POUR_VALIDATION) {
    verdict.forbidden().Add(RuleError(
        rule::kConv4, "decision.mode", Str(d.mode()),
        "un nouveau projet passe en comité « pour validation » ; le passage « pour information » "
        "accompagne un avenant de prolongation"));
  }
  if (state.status() != v1::DEMANDE_DEPOSEE) {
    verdict.forbidden().Add(RuleError(
        rule::kConv4, "convention_id", cmd.convention_id(),
        "le comité a déjà statué sur cette demande ; un nouveau projet passe par une nouvelle "
        "demande de financement"));
  }
  CheckDecisionYears(verdict, d, state);
  if (d.outcome() == v1::VALIDATED) {
    CheckBonusGrant(verdict, d, state.request());
    verdict.forbidden().AddAll(rules::ValidateSessionsAtDecision(d, state.request()));
  }
  RETURN_IF_ERROR(verdict.ToStatus());
  NewFact f = ConventionFact(state, cmd.caf_id(), cmd.date());
  *f.fact.mutable_committee_decision_recorded() = d;
  if (d.decision_id().empty()) {
    f.fact.mutable_committee_decision_recorded()->set_decision_id(
        absl::StrCat("comite-", cmd.date()));
  }
  return Facts{f};
}

namespace {

// R-CONV-2: a multi-year convention needs a gestionnaire supported for at least two years, or a
// centre social whose agrément délivré par la Caf lasts until the convention ends (the last day of
// its last school year). [reading] The two are alternatives: a centre social supported for two
// years is not bound by its agrément's end, as any other gestionnaire so supported.
void CheckMultiYear(Verdict& verdict, const v1::SignConvention& cmd, const DecideContext& ctx) {
  const int32_t years = cmd.last_school_year() - cmd.first_school_year() + 1;
  if (years > kConventionSchoolYearsMax || years < 1) {
    verdict.malformed().Add(
        RuleError(rule::kConv2, "last_school_year", Str(cmd.last_school_year()),
                  absl::StrFormat("une convention couvre de 1 à %d années scolaires (ici %d)",
                                  kConventionSchoolYearsMax, years)));
    return;
  }
  if (years == 1 || ctx.gestionnaire == nullptr) return;
  const auto& g = *ctx.gestionnaire;
  const bool centre_social = g.kind == GestionnaireKind::kCentreSocial;
  const bool supported =
      g.SupportedFor(kSupportedYearsForMultiYear, SchoolYear(cmd.first_school_year()));
  if (supported) return;
  if (!centre_social) {
    verdict.forbidden().Add(RuleError(
        rule::kConv2, "last_school_year", Str(cmd.last_school_year()),
        "une convention pluriannuelle est réservée aux centres sociaux et aux gestionnaires "
        "soutenus par la Caf depuis au moins deux ans ; sinon la convention est annuelle"));
    return;
  }
  const absl::CivilDay ends = SchoolYear(cmd.last_school_year()).last_day();
  if (!g.centre_social_agrement_end) {
    verdict.forbidden().Add(RuleError(
        rule::kConv2, "last_school_year", Str(cmd.last_school_year()),
        absl::StrFormat("la convention pluriannuelle d'un centre social couvre la période de son "
                        "agrément délivré par la Caf : aucun agrément n'est enregistré pour %s",
                        g.gestionnaire_id)));
  } else if (ends > *g.centre_social_agrement_end) {
    verdict.forbidden().Add(RuleError(
        rule::kConv2, "last_school_year", Str(cmd.last_school_year()),
        absl::StrFormat("la convention finirait le %s, après l'agrément du centre social délivré "
                        "par la Caf (jusqu'au %s)",
                        FrenchDate(YmdFromDay(ends)),
                        FrenchDate(YmdFromDay(*g.centre_social_agrement_end)))));
  }
}

}  // namespace

absl::StatusOr<Facts> DecideSignConvention(const v1::SignConvention& cmd,
                                           const v1::ConventionState& state,
                                           const DecideContext& ctx) {
  RETURN_IF_ERROR(RequireConvention(state, cmd.convention_id()));
  Verdict verdict;
  CheckDate(verdict.malformed(), cmd.date());
  CheckAmount(verdict.malformed(), rule::kDroit2, "charges_cents", cmd.charges_cents(), false);
  CheckAmount(verdict.malformed(), rule::kDroit5, "autres_bf_cents", cmd.autres_bf_cents(), false);
  if (cmd.charges_cents() > 0) {  // 0: the request's budget, checked when it was filed
    CheckForecastBudget(verdict.malformed(), "", cmd.charges_cents(), cmd.autres_bf_cents());
  }
  CheckMultiYear(verdict, cmd, ctx);
  if (state.status() == v1::SIGNEE || state.status() == v1::SOLDEE) {
    verdict.forbidden().Add(
        RuleError(rule::kConv3, "convention_id", cmd.convention_id(),
                  "la convention est déjà signée ; elle se modifie par avenant"));
  }
  for (int32_t n = cmd.first_school_year(); n <= cmd.last_school_year() && n - cmd.first_school_year() < 5; ++n) {
    const v1::SchoolYearState* y = FindYear(state, n);
    if (y != nullptr && y->agrement().validated() && y->agrement().mode() == v1::POUR_VALIDATION) continue;
    verdict.forbidden().Add(RuleError(
        rule::kConv4, "first_school_year", SchoolYear(n).ToString(),
        absl::StrFormat("pas d'agrément du comité « pour validation » pour l'année scolaire %s : "
                        "la convention ne peut pas la couvrir",
                        SchoolYear(n).ToString())));
  }
  RETURN_IF_ERROR(verdict.ToStatus());
  NewFact f = ConventionFact(state, cmd.caf_id(), cmd.date());
  auto* c = f.fact.mutable_convention_signed();
  c->set_gestionnaire_id(state.gestionnaire_id());
  c->set_first_school_year(cmd.first_school_year());
  c->set_last_school_year(cmd.last_school_year());
  c->set_charges_cents(cmd.charges_cents() > 0 ? cmd.charges_cents() : state.request().charges_cents());
  c->set_autres_bf_cents(cmd.charges_cents() > 0 ? cmd.autres_bf_cents()
                                                 : state.request().autres_bf_cents());
  return Facts{f};
}

}  // namespace clas
