// Cancellations of earlier events (R-HIST-1, R-HIST-3, R-ACC-8): what may be cancelled, and
// when nothing computed from it forbids it. decide_correction.cc decides the correction itself.
#include <algorithm>
#include <optional>
#include <string>

#include "absl/strings/str_format.h"
#include "projections/convention/decide.h"
#include "projections/convention/decide_internal.h"

namespace clas::decide_internal {
namespace {

using C = v1::ClasEvent;

// Whether rappel `payment_id` of year `y` was paid when its contrôle decided it.
bool RappelDecided(const v1::SchoolYearState& y, const std::string& payment_id) {
  const int decided = std::min(y.rappels_decided(), y.rappels_size());
  for (int i = 0; i < decided; ++i) {
    if (y.rappels(i).payment_id() == payment_id) return true;
  }
  return false;
}

// R-CTL-3, R-CTL-5: a payment from which an offset was withheld bears a recovery; cancelled, it
// would leave an indu closed by money never withheld.
void CheckNoOffsetWithheld(Verdict& verdict, const DomainEvent& target,
                           const v1::ConventionState& state, const DecideContext& ctx) {
  std::string payment_id;
  if (target.fact.has_acompte_paid()) payment_id = target.fact.acompte_paid().payment_id();
  if (target.fact.has_rappel_paid()) payment_id = target.fact.rappel_paid().payment_id();
  if (payment_id.empty() || !ctx.find_payment) return;
  const std::optional<OffsetTarget> paid = ctx.find_payment(state.convention_id(), payment_id);
  if (paid.has_value() && paid->offset_cents > 0) {
    verdict.forbidden().Add(RuleError(
        rule::kCtl3, "target_event_id", target.event_id,
        absl::StrFormat("une compensation de %s a été retenue sur le paiement %s pour recouvrer "
                        "un indu : annulez d'abord ce recouvrement",
                        Euros(paid->offset_cents), payment_id)));
  }
}

}  // namespace

bool Cancellable(C::FactCase f) {
  return f == C::kBilanReceived || f == C::kCollectifsNotified || f == C::kAcomptePaid ||
         f == C::kRappelPaid || f == C::kRecoveryRecorded;
}

// The id of the correction that cancelled `event_id`, "" when none did. [choice] A fact once
// cancelled stays cancelled: corrected, it would come back into force under other figures;
// cancelled again, nothing would change. The right fact is recorded anew.
std::string CancelledBy(const v1::ConventionState& state, const DecideContext& ctx,
                        const std::string& event_id) {
  if (ctx.cancelled_by) return ctx.cancelled_by(event_id);
  for (const v1::EventRef& ref : state.events()) {
    if (ref.event_id() == event_id && ref.cancelled()) return ref.corrected_by();
  }
  return "";
}

// R-CONV-5: a notification of a school year whose solde is paid no longer changes: a new one is
// refused (DecideNotifyCollectifs), and so is one corrected or cancelled (`done`), which would
// move the DR the solde settled with no complément nor indu.
void CheckNotificationYearOpen(Verdict& verdict, const DomainEvent& target,
                               const v1::ConventionState& state, std::string_view done) {
  const int32_t year = target.fact.collectifs_notified().school_year();
  const v1::SchoolYearState* y = FindYear(state, year);
  if (y != nullptr && y->solde_paid()) {
    verdict.forbidden().Add(RuleError(
        rule::kConv5, "target_event_id", target.event_id,
        absl::StrFormat("le solde de l'année scolaire %s est versé : la notification ne peut plus "
                        "être %s",
                        SchoolYear(year).ToString(), done)));
  }
}

void CheckCancel(Verdict& verdict, const DomainEvent& target, const v1::ConventionState& state,
                 const DecideContext& ctx) {
  const auto f = target.fact.fact_case();
  if (!Cancellable(f)) {
    verdict.forbidden().Add(
        RuleError(rule::kHist1, "target_event_id", target.event_id,
                  absl::StrFormat("un fait « %s » ne s'annule pas", FactName(target.fact))));
    return;
  }
  if (InClosedCivilYear(ctx, target.effective_date) &&
      (f == C::kAcomptePaid || f == C::kRappelPaid || f == C::kRecoveryRecorded)) {
    verdict.forbidden().Add(
        RuleError(rule::kAcc8, "target_event_id", target.event_id,
                  "l'exercice de ce mouvement est clos : il n'est jamais réécrit"));
  }
  int32_t year = 0;
  if (f == C::kAcomptePaid) year = target.fact.acompte_paid().school_year();
  if (f == C::kBilanReceived) year = target.fact.bilan_received().school_year();
  if (f == C::kRappelPaid) year = target.fact.rappel_paid().school_year();
  const v1::SchoolYearState* y = year == 0 ? nullptr : FindYear(state, year);
  if (y != nullptr && y->solde_paid() && f != C::kRappelPaid) {
    verdict.forbidden().Add(
        RuleError(rule::kHist3, "target_event_id", target.event_id,
                  "le solde a été calculé à partir de ce fait : il ne peut plus être annulé"));
  }
  // [choice] R-HIST-3, R-PAY-8: a contrôle decided the year from what was paid, this acompte
  // among it (none is paid after the decision): cancelled, the decision's rappel or indu would
  // stand on money that was never paid.
  if (f == C::kAcomptePaid && y != nullptr && y->has_dc()) {
    verdict.forbidden().Add(RuleError(
        rule::kHist3, "target_event_id", target.event_id,
        absl::StrFormat("le contrôle %s a réglé l'année scolaire %s à partir des paiements, dont "
                        "cet acompte : il ne peut plus être annulé",
                        y->controle_id(), SchoolYear(year).ToString())));
  }
  // [choice] R-HIST-3: likewise a rappel paid before the decision (a complément de solde,
  // R-PAY-9), which the decision counted as paid. The decision's own rappel, paid afterwards,
  // may be cancelled: it is due again.
  if (f == C::kRappelPaid && y != nullptr && y->has_dc() &&
      RappelDecided(*y, target.fact.rappel_paid().payment_id())) {
    verdict.forbidden().Add(RuleError(
        rule::kHist3, "target_event_id", target.event_id,
        absl::StrFormat("le contrôle %s a réglé l'année scolaire %s en comptant ce rappel comme "
                        "versé : il ne peut plus être annulé",
                        y->controle_id(), SchoolYear(year).ToString())));
  }
  // [choice] R-PAY-8: the bilan of a year a contrôle settled may be cancelled, as it may be
  // corrected (R-PAY-9), but the settlement stays as decided.
  if (f == C::kBilanReceived && y != nullptr && y->has_dc()) {
    verdict.forbidden().Add(RuleWarning(
        rule::kPay8, "target_event_id", target.event_id,
        absl::StrFormat("l'année scolaire %s est réglée par la décision du contrôle %s : "
                        "l'annulation du bilan ne rouvre pas ce règlement",
                        SchoolYear(year).ToString(), y->controle_id())));
  }
  // R-CONV-5: once the year's solde is paid no notification takes effect, nor is one undone.
  if (f == C::kCollectifsNotified) CheckNotificationYearOpen(verdict, target, state, "annulée");
  CheckNoOffsetWithheld(verdict, target, state, ctx);
}

}  // namespace clas::decide_internal
