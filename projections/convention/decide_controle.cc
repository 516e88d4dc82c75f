// Decisions on contrôles (R-CTL-1..5).
#include <algorithm>

#include "absl/strings/str_format.h"
#include "projections/convention/decide.h"
#include "projections/convention/decide_internal.h"
#include "projections/convention/year_figures.h"
#include "projections/rules/controle.h"

namespace clas {

using namespace decide_internal;  // NOLINT: the helpers of this family of files

namespace {

// The contrôle a command names: kNotFound (R-CTL-1) when the convention or the contrôle is
// unknown.
absl::StatusOr<const v1::ControleState*> RequireControle(const v1::ConventionState& state,
                                                         const std::string& convention_id,
                                                         const std::string& controle_id) {
  RETURN_IF_ERROR(RequireConvention(state, convention_id));
  const v1::ControleState* controle = FindControle(state, controle_id);
  if (controle != nullptr) return controle;
  return RuleStatus(
      absl::StatusCode::kNotFound,
      RuleError(rule::kCtl1, "controle_id", controle_id,
                absl::StrFormat("aucun contrôle de ce nom ouvert sur %s", convention_id)));
}

// R-CTL-2, R-CTL-3: DC of each year, compared with what was paid net.
absl::StatusOr<std::vector<v1::ControleYearOutcome>> Outcomes(
    const v1::ConventionState& state, const std::vector<v1::ControlledYear>& years,
    const DecideContext& ctx) {
  std::vector<v1::ControleYearOutcome> out;
  Violations errors;
  for (const auto& cy : years) {
    const v1::SchoolYearState* y = FindYear(state, cy.school_year());
    if (y == nullptr) {
      errors.Add(RuleError(rule::kCtl1, "school_year", SchoolYear(cy.school_year()).ToString(),
                           "année scolaire inconnue de la convention"));
      continue;
    }
    const v1::Figures figures = ControlledFigures(*y, cy.figures());
    auto dc = DroitOf(*y, v1::DROIT_CONTROLE, figures, *ctx.baremes);  // R-DROIT-1, R-DROIT-6
    if (!dc.ok()) {
      for (auto& v : ViolationsOf(dc.status())) errors.Add(v);
      if (ViolationsOf(dc.status()).empty()) return dc.status();
      continue;
    }
    v1::ControleYearOutcome o;
    o.set_school_year(cy.school_year());
    *o.mutable_figures() = cy.figures();
    *o.mutable_dc() = *dc;
    o.set_paid_cents(y->paid_net_cents());                    // R-CTL-2
    const rules::ControleBalance balance = rules::BalanceOfControle(
        Money::Cents(dc->droit_cents()), Money::Cents(y->paid_net_cents()));  // R-CTL-3
    // R-CTL-3 at the decision's boundary: what is due one way or the other is exactly DC − paid.
    CLAS_CHECK(balance.rappel - balance.indu ==
                   Money::Cents(dc->droit_cents()) - Money::Cents(y->paid_net_cents()) &&
               (balance.rappel == Money::Zero() || balance.indu == Money::Zero()) &&
               balance.rappel >= Money::Zero() && balance.indu >= Money::Zero())
        << "R-CTL-3: rappel " << balance.rappel.cents() << ", indu " << balance.indu.cents();
    o.set_rappel_cents(balance.rappel.cents());
    o.set_indu_cents(balance.indu.cents());
    out.push_back(o);
  }
  RETURN_IF_ERROR(errors.ToStatus(absl::StatusCode::kFailedPrecondition));
  return out;
}

}  // namespace

absl::StatusOr<Facts> DecideOpenControle(const v1::OpenControle& cmd,
                                         const v1::ConventionState& state,
                                         const DecideContext& ctx) {
  RETURN_IF_ERROR(RequireConvention(state, cmd.convention_id()));
  Verdict verdict;
  CheckDate(verdict.malformed(), cmd.date());
  if (cmd.controle_id().empty()) {
    verdict.malformed().Add(RuleError(rule::kCtl1, "controle_id", "", "identifiant obligatoire"));
  } else if (FindControle(state, cmd.controle_id()) != nullptr) {
    return RuleStatus(
        absl::StatusCode::kAlreadyExists,
        RuleError(rule::kCtl1, "controle_id", cmd.controle_id(), "ce contrôle existe déjà"));
  }
  if (cmd.school_years().empty()) {
    verdict.malformed().Add(RuleError(rule::kCtl1, "school_years", "",
                                      "un contrôle porte sur une ou plusieurs années scolaires"));
  }
  for (int32_t n : cmd.school_years()) {
    const v1::SchoolYearState* y = FindYear(state, n);
    if (y == nullptr || y->covered_by().empty()) {
      verdict.forbidden().Add(
          RuleError(rule::kCtl1, "school_years", SchoolYear(n).ToString(),
                    "cette année scolaire n'est pas couverte par la convention"));
    }
  }
  RETURN_IF_ERROR(verdict.ToStatus());
  NewFact f = ConventionFact(state, cmd.caf_id(), cmd.date());
  f.fact.mutable_controle_opened()->set_controle_id(cmd.controle_id());
  *f.fact.mutable_controle_opened()->mutable_school_years() = cmd.school_years();
  return Facts{f};
}

absl::StatusOr<Facts> DecideControleFindings(const v1::RecordControleFindings& cmd,
                                             const v1::ConventionState& state,
                                             const DecideContext& ctx) {
  ASSIGN_OR_RETURN(const v1::ControleState* controle,
                   RequireControle(state, cmd.convention_id(), cmd.controle_id()));
  Verdict verdict;
  CheckDate(verdict.malformed(), cmd.date());
  if (controle->status() == "décidé") {
    verdict.forbidden().Add(RuleError(rule::kCtl5, "controle_id", cmd.controle_id(),
                                      "le contrôle est décidé : sa décision reste telle quelle"));
  }
  if (cmd.years().empty()) {
    verdict.malformed().Add(RuleError(rule::kCtl1, "years", "", "aucun chiffre constaté"));
  }
  CheckControlledYears(verdict, state, controle, cmd.years());
  RETURN_IF_ERROR(verdict.ToStatus());
  NewFact f = ConventionFact(state, cmd.caf_id(), cmd.date());
  f.fact.mutable_controle_findings_recorded()->set_controle_id(cmd.controle_id());
  *f.fact.mutable_controle_findings_recorded()->mutable_years() = cmd.years();
  return Facts{f};
}

absl::StatusOr<Facts> DecideControle(const v1::DecideControle& cmd,
                                     const v1::ConventionState& state, const DecideContext& ctx) {
  ASSIGN_OR_RETURN(const v1::ControleState* controle,
                   RequireControle(state, cmd.convention_id(), cmd.controle_id()));
  Verdict verdict;
  CheckDate(verdict.malformed(), cmd.date());
  if (controle->status() == "décidé") {
    verdict.forbidden().Add(
        RuleError(rule::kCtl5, "controle_id", cmd.controle_id(), "le contrôle est déjà décidé"));
  }
  CheckControlledYears(verdict, state, controle, cmd.years());
  // The figures retained: the decision's, else the findings', for every year of the contrôle.
  std::vector<v1::ControlledYear> retained;
  for (int32_t n : controle->school_years()) {
    const v1::ControlledYear* found = nullptr;
    for (const auto& cy : cmd.years()) if (cy.school_year() == n) found = &cy;
    if (found == nullptr) for (const auto& cy : controle->findings()) if (cy.school_year() == n) found = &cy;
    if (found == nullptr) {
      verdict.forbidden().Add(RuleError(rule::kCtl1, "years", SchoolYear(n).ToString(),
                                        "aucun chiffre contrôlé pour cette année : constats ou "
                                        "décision"));
      continue;
    }
    retained.push_back(*found);
  }
  RETURN_IF_ERROR(verdict.ToStatus());
  ASSIGN_OR_RETURN(auto outcomes, Outcomes(state, retained, ctx));
  NewFact f = ConventionFact(state, cmd.caf_id(), cmd.date());
  auto* d = f.fact.mutable_controle_decided();
  d->set_controle_id(cmd.controle_id());
  Facts facts;
  for (const auto& o : outcomes) *d->add_outcomes() = o;
  facts.push_back(f);
  for (const auto& o : outcomes) {
    if (o.indu_cents() <= 0) continue;
    NewFact indu = ConventionFact(state, cmd.caf_id(), cmd.date());
    auto* i = indu.fact.mutable_indu_notified();
    i->set_indu_id(absl::StrFormat("%s-%d", cmd.controle_id(), o.school_year()));
    i->set_school_year(o.school_year());
    i->set_amount_cents(o.indu_cents());
    i->set_origin(v1::INDU_FROM_CONTROLE);
    i->set_controle_id(cmd.controle_id());
    facts.push_back(indu);
  }
  return facts;
}

absl::StatusOr<std::vector<v1::ControleYearOutcome>> SimulateControle(
    const v1::ConventionState& state, const std::vector<v1::ControlledYear>& years,
    const DecideContext& ctx) {
  RETURN_IF_ERROR(RequireConvention(state, state.convention_id()));
  Verdict verdict;
  google::protobuf::RepeatedPtrField<v1::ControlledYear> given(years.begin(), years.end());
  CheckControlledYears(verdict, state, nullptr, given);
  RETURN_IF_ERROR(verdict.ToStatus());
  return Outcomes(state, years, ctx);  // R-CTL-4: the same computation, nothing written
}

}  // namespace clas
