#include "projections/convention/decide_internal.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/base/absl_view.h"
#include "projections/rules/droit.h"

namespace clas::decide_internal {

void CheckDate(Violations& v, int32_t date, std::string_view field) {
  if (IsValidYmd(date)) return;
  v.Add(RuleError(rule::kHist2, field, Str(date),
                  "date d'effet invalide (attendu une date réelle AAAAMMJJ entre 2000 et 2099)"));
}

void CheckAmount(Violations& v, const Rule& rule, std::string_view field, int64_t cents,
                 bool positive) {
  if (cents < 0 || (positive && cents == 0)) {
    v.Add(RuleError(rule, field, Euros(cents),
                    positive ? "le montant doit être strictement positif"
                             : "le montant ne peut pas être négatif"));
  } else if (cents > kAmountMaxCents) {
    v.Add(RuleError(
        rule, field, Euros(cents),
        absl::StrFormat("montant invraisemblable : au-delà de %s", Euros(kAmountMaxCents))));
  }
}

absl::Status RequireConvention(const v1::ConventionState& state, std::string_view convention_id) {
  if (!state.convention_id().empty()) return absl::OkStatus();
  return RuleStatus(absl::StatusCode::kNotFound,
                    RuleError(rule::kConv4, "convention_id", convention_id,
                              "aucun dossier de ce nom (aucune demande de financement déposée)"));
}

void CheckAgrementAndCoverage(Violations& v, const v1::ConventionState& state,
                              int32_t school_year, int32_t date) {
  const v1::SchoolYearState* y = FindYear(state, school_year);
  const std::string sy = SchoolYear(school_year).ToString();
  if (y == nullptr || !y->agrement().validated() || y->agrement().date() > date) {
    v.Add(RuleError(rule::kConv1, "school_year", sy,
                    absl::StrFormat("aucun paiement avant l'agrément du comité départemental pour "
                                    "l'année scolaire %s",
                                    sy)));
  }
  if (y == nullptr || y->covered_by().empty() || state.signed_date() > date) {
    v.Add(RuleError(rule::kConv1, "school_year", sy,
                    absl::StrFormat("aucun paiement sans convention signée couvrant l'année "
                                    "scolaire %s",
                                    sy)));
  }
}

void CheckFigures(Violations& v, const v1::Figures& f, std::string_view prefix,
                  const v1::SchoolYearState* year) {
  const std::string p(prefix);
  if (f.collectifs() < 0 || f.collectifs() > rules::kDroitCollectifsMax) {
    v.Add(RuleError(rule::kDroit2, p + "collectifs", Str(f.collectifs()),
                    "nombre de collectifs invalide"));
  }
  CheckAmount(v, rule::kDroit2, p + "charges_cents", f.charges_cents(), false);
  CheckAmount(v, rule::kDroit5, p + "autres_bf_cents", f.autres_bf_cents(), false);
  struct Bonus { const char* name; int32_t count; int32_t granted; };
  const Bonus bonuses[] = {
      {"bonus_enfants_collectifs", f.bonus_enfants_collectifs(),
       year ? year->agrement().bonus_enfants_collectifs() : 0},
      {"bonus_parents_collectifs", f.bonus_parents_collectifs(),
       year ? year->agrement().bonus_parents_collectifs() : 0}};
  for (const Bonus& b : bonuses) {
    if (b.count < 0 || b.count > f.collectifs()) {
      v.Add(RuleError(rule::kDroit4, p + b.name, Str(b.count),
                      "le nombre de collectifs bonifiés va de 0 au nombre de collectifs"));
    } else if (year != nullptr && b.count > b.granted) {
      v.Add(RuleError(rule::kBon3, p + b.name, Str(b.count),
                      absl::StrFormat("un bonus n'est versé que sur les collectifs pour lesquels "
                                      "le comité l'a accordé (%d)",
                                      b.granted)));
    }
  }
}

bool PaymentIdUsed(const v1::ConventionState& state, std::string_view payment_id) {
  for (const auto& y : state.years()) {
    for (const auto& p : y.acomptes()) {
      if (p.payment_id() == payment_id) return true;
    }
    for (const auto& p : y.rappels()) {
      if (p.payment_id() == payment_id) return true;
    }
    if (y.solde_paid() && y.solde().payment_id() == payment_id) return true;
  }
  return false;
}

void WarnIfClosedYear(const DecideContext& ctx, int32_t date, v1::ClasEvent* fact) {
  const int32_t year = CivilYearOfYmd(date);
  if (ctx.closed_civil_years.count(year) == 0) return;
  *fact->add_warnings() = RuleWarning(
      rule::kAcc8, "date", FrenchDate(date),
      absl::StrFormat("l'exercice %d est clos : il n'est jamais réécrit, ce que ce fait y change "
                      "est régularisé sur le premier exercice ouvert",
                      year));
}

void CheckForecastBudget(Violations& v, std::string_view prefix, int64_t charges_cents,
                         int64_t autres_bf_cents) {
  if (autres_bf_cents <= charges_cents || autres_bf_cents < 0 || charges_cents < 0) return;
  v.Add(RuleError(rule::kDroit5, absl::StrCat(base::ToAbsl(prefix), "autres_bf_cents"),
                  Euros(autres_bf_cents),
                  absl::StrFormat("les autres financements de la branche Famille (%s) dépassent "
                                  "les charges prévues (%s) : budget prévisionnel incohérent",
                                  Euros(autres_bf_cents), Euros(charges_cents))));
}

bool NotificationIdUsed(const v1::ConventionState& state, std::string_view notification_id) {
  for (const auto& id : state.notification_ids()) {
    if (id == notification_id) return true;
  }
  return false;
}

std::string FreeNotificationId(const v1::ConventionState& state, int32_t date) {
  const std::string base = absl::StrCat("notification-", date);
  std::string id = base;
  for (int k = 2; NotificationIdUsed(state, id); ++k) id = absl::StrCat(base, "-", k);
  return id;
}

bool RecoveryIdUsed(const v1::ConventionState& state, std::string_view recovery_id) {
  for (const auto& i : state.indus()) {
    for (const auto& r : i.recoveries()) {
      if (r.recovery_id() == recovery_id) return true;
    }
  }
  return false;
}

const v1::ControleState* FindControle(const v1::ConventionState& state, std::string_view id) {
  for (const auto& c : state.controles()) {
    if (c.controle_id() == id) return &c;
  }
  return nullptr;
}

namespace {

bool Contains(const google::protobuf::RepeatedField<int32_t>& years, int32_t n) {
  return std::find(years.begin(), years.end(), n) != years.end();
}

}  // namespace

void CheckControlledYears(Verdict& verdict, const v1::ConventionState& state,
                          const v1::ControleState* controle,
                          const google::protobuf::RepeatedPtrField<v1::ControlledYear>& years,
                          std::string_view prefix) {
  for (int i = 0; i < years.size(); ++i) {
    const auto& cy = years[i];
    const std::string field = absl::StrFormat("%syears[%d]", prefix, i);
    const v1::SchoolYearState* y = FindYear(state, cy.school_year());
    if (controle != nullptr && !Contains(controle->school_years(), cy.school_year())) {
      verdict.forbidden().Add(
          RuleError(rule::kCtl1, field + ".school_year", SchoolYear(cy.school_year()).ToString(),
                    "cette année scolaire n'est pas dans le périmètre du contrôle"));
    }
    CheckFigures(verdict.malformed(), cy.figures(), field + ".figures.", y);
  }
}

}  // namespace clas::decide_internal
