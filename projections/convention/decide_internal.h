// Helpers shared by the decide_*.cc files. Not part of the public API.
#ifndef CLAS_PROJECTIONS_CONVENTION_DECIDE_INTERNAL_H_
#define CLAS_PROJECTIONS_CONVENTION_DECIDE_INTERNAL_H_

#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "projections/convention/decide.h"
#include "projections/core/calendar.h"
#include "projections/core/money.h"

namespace clas::decide_internal {

// A new fact of the convention, stamped with its convention and Caf.
inline NewFact ConventionFact(const v1::ConventionState& state, const std::string& caf_id,
                              int32_t date) {
  NewFact f;
  f.fact.set_convention_id(state.convention_id());
  f.fact.set_caf_id(caf_id);
  f.effective_date = date;
  return f;
}

// Whether `date` (yyyymmdd) falls in a civil year the convention's Caf has closed (R-ACC-8).
inline bool InClosedCivilYear(const DecideContext& ctx, int32_t date) {
  return ctx.closed_civil_years.count(CivilYearOfYmd(date)) > 0;
}

// Errors on the command's date: not a real day (R-HIST-2: every event has an effective date).
void CheckDate(Violations& v, int32_t date, std::string_view field = "date");

// Errors on a money field: negative or above kAmountMaxCents; `positive` also refuses 0.
void CheckAmount(Violations& v, const Rule& rule, std::string_view field, int64_t cents,
                 bool positive);

// [choice] R-DROIT-5: a forecast budget (a request, a convention, an avenant) whose other Branche
// Famille money exceeds its charges is incoherent (final and controlled figures are facts, and
// are taken as they are). `prefix` is prepended to the field's name.
void CheckForecastBudget(Violations& v, std::string_view prefix, int64_t charges_cents,
                         int64_t autres_bf_cents);

// kNotFound when the convention does not exist (no funding request filed).
absl::Status RequireConvention(const v1::ConventionState& state, std::string_view convention_id);

// R-CONV-1: the agrément of the year and a signed convention (or avenant) covering it, both in
// effect on `date`. Adds FailedPrecondition-kind errors to `v`.
void CheckAgrementAndCoverage(Violations& v, const v1::ConventionState& state,
                              int32_t school_year, int32_t date);

// Checks controlled or final figures (collectifs, money, bonus counts).
void CheckFigures(Violations& v, const v1::Figures& f, std::string_view prefix,
                  const v1::SchoolYearState* year);

// The contrôle of the convention of that id; nullptr when none.
const v1::ControleState* FindControle(const v1::ConventionState& state, std::string_view id);

// Checks each controlled year (field "<prefix>years[i]"): within the contrôle (unless null,
// R-CTL-1), figures valid.
void CheckControlledYears(Verdict& verdict, const v1::ConventionState& state,
                          const v1::ControleState* controle,
                          const google::protobuf::RepeatedPtrField<v1::ControlledYear>& years,
                          std::string_view prefix = "");

// True when a payment id is already used by a payment of the convention.
bool PaymentIdUsed(const v1::ConventionState& state, std::string_view payment_id);

// R-ACC-8 [choice]: a warning on `fact` when `date` falls in a civil year the Caf closed: the
// closed year is never rewritten; what the fact changes in it is regularised in the first open
// civil year.
void WarnIfClosedYear(const DecideContext& ctx, int32_t date, v1::ClasEvent* fact);

// Whether a notification of the convention has this id (R-CONV-5: each is used once).
bool NotificationIdUsed(const v1::ConventionState& state, std::string_view notification_id);
// The id a notification given without one takes: "notification-<date>", or with "-2", "-3", ...
// when another notification of the convention has it.
std::string FreeNotificationId(const v1::ConventionState& state, int32_t date);

// Whether a recovery of the convention has this id (R-CTL-5: each is used once).
bool RecoveryIdUsed(const v1::ConventionState& state, std::string_view recovery_id);

// R-CONV-2: a gestionnaire supported for at least this many years may sign a multi-year one.
inline constexpr int32_t kSupportedYearsForMultiYear = 2;

inline std::string Str(int64_t v) { return absl::StrCat(v); }
inline std::string Euros(int64_t cents) { return Money::Cents(cents).ToFrench(); }

// decide_cancel.cc: whether a fact of this kind may be cancelled (a bilan, a notification, a
// payment or a recovery recorded by mistake).
bool Cancellable(v1::ClasEvent::FactCase f);
// The id of the correction that cancelled `event_id` ("" when none did:
// R-HIST-1 [choice], a fact once cancelled is neither corrected nor cancelled again).
std::string CancelledBy(const v1::ConventionState& state, const DecideContext& ctx,
                        const std::string& event_id);
// R-CONV-5: refuses to have `target`, a notification, `done` ("corrigée", "annulée") once its
// school year's solde is paid.
void CheckNotificationYearOpen(Verdict& verdict, const DomainEvent& target,
                               const v1::ConventionState& state, std::string_view done);
// The refusals of a cancellation of `target` (R-HIST-1, R-HIST-3, R-ACC-8, R-CONV-5, R-CTL-3)
// and its warnings (R-PAY-8).
void CheckCancel(Verdict& verdict, const DomainEvent& target, const v1::ConventionState& state,
                 const DecideContext& ctx);

}  // namespace clas::decide_internal

#endif  // CLAS_PROJECTIONS_CONVENTION_DECIDE_INTERNAL_H_
