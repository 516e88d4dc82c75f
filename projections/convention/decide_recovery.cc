// Decisions on the recovery of an indu: repaid, or withheld from a payment of the gestionnaire
// (R-CTL-3, R-CTL-5, R-ACC-9).
#include <optional>
#include <string>

#include "absl/strings/str_format.h"
#include "projections/convention/decide.h"
#include "projections/convention/decide_internal.h"
#include "projections/core/money.h"
#include "projections/rules/payments.h"

namespace clas {

using namespace decide_internal;  // NOLINT: the helpers of this family of files

namespace {

void CheckOffset(Verdict& verdict, const v1::RecordRecovery& cmd, const v1::InduState& indu,
                 const v1::ConventionState& state, const DecideContext& ctx) {
  if (cmd.offset_payment_id().empty()) {
    verdict.malformed().Add(RuleError(rule::kCtl3, "offset_payment_id", "",
                                      "une compensation nomme le paiement sur lequel elle est "
                                      "retenue"));
    return;
  }
  const std::string conv =
      cmd.offset_convention_id().empty() ? state.convention_id() : cmd.offset_convention_id();
  std::optional<OffsetTarget> target;
  if (ctx.find_payment) target = ctx.find_payment(conv, cmd.offset_payment_id());
  if (!target.has_value()) {
    verdict.forbidden().Add(RuleError(rule::kCtl3, "offset_payment_id", cmd.offset_payment_id(),
                                      "paiement inconnu : la compensation se fait sur un paiement "
                                      "ultérieur au même gestionnaire"));
    return;
  }
  if (target->gestionnaire_id != state.gestionnaire_id()) {
    verdict.forbidden().Add(
        RuleError(rule::kCtl3, "offset_convention_id", conv,
                  "la compensation se fait sur un paiement au même gestionnaire"));
  }
  // R-CTL-3: the offset is withheld from a later payment; one made before the indu was notified
  // has left in full and cannot bear it.
  if (target->date < indu.date()) {
    verdict.forbidden().Add(RuleError(
        rule::kCtl3, "offset_payment_id", cmd.offset_payment_id(),
        absl::StrFormat("la compensation se fait sur un paiement ultérieur à l'indu (notifié le "
                        "%s) ; ce paiement date du %s",
                        FrenchDate(indu.date()), FrenchDate(target->date))));
  } else if (IsValidYmd(cmd.date()) && cmd.date() < target->date) {
    // Withheld from the payment when it is made: the recovery cannot be dated before it.
    verdict.forbidden().Add(RuleError(
        rule::kCtl3, "date", FrenchDate(cmd.date()),
        absl::StrFormat("la compensation est retenue sur le paiement %s du %s : elle ne peut "
                        "pas être datée avant lui",
                        cmd.offset_payment_id(), FrenchDate(target->date))));
  }
  if (cmd.amount_cents() > target->amount_cents - target->offset_cents) {
    verdict.forbidden().Add(
        RuleError(rule::kCtl3, "amount_cents", Euros(cmd.amount_cents()),
                  absl::StrFormat("la compensation dépasse ce qui reste du paiement (%s)",
                                  Euros(target->amount_cents - target->offset_cents))));
  }
}

}  // namespace

absl::StatusOr<Facts> DecideRecordRecovery(const v1::RecordRecovery& cmd,
                                           const v1::ConventionState& state,
                                           const DecideContext& ctx) {
  RETURN_IF_ERROR(RequireConvention(state, cmd.convention_id()));
  const v1::InduState* indu = nullptr;
  for (const auto& i : state.indus()) {
    if (i.indu_id() == cmd.indu_id()) indu = &i;
  }
  if (indu == nullptr) {
    return RuleStatus(absl::StatusCode::kNotFound,
                      RuleError(rule::kCtl5, "indu_id", cmd.indu_id(),
                                absl::StrFormat("aucun indu de ce nom dans la convention %s",
                                                cmd.convention_id())));
  }
  Verdict verdict;
  CheckDate(verdict.malformed(), cmd.date());
  CheckAmount(verdict.malformed(), rule::kCtl5, "amount_cents", cmd.amount_cents(), true);
  if (cmd.recovery_id().empty()) {
    verdict.malformed().Add(RuleError(rule::kHist1, "recovery_id", "", "identifiant obligatoire"));
  } else if (RecoveryIdUsed(state, cmd.recovery_id())) {
    verdict.forbidden().Add(RuleError(rule::kCtl5, "recovery_id", cmd.recovery_id(),
                                      "identifiant de recouvrement déjà utilisé dans cette "
                                      "convention"));
  }
  if (cmd.method() != v1::REPAYMENT && cmd.method() != v1::OFFSET) {
    verdict.malformed().Add(RuleError(rule::kCtl3, "method", Str(cmd.method()),
                                      "un indu se récupère par remboursement ou par compensation"));
  }
  // R-CTL-3: an indu is recovered once notified. A recovery dated before would be folded before
  // the indu exists (R-HIST-2) and be lost.
  if (IsValidYmd(cmd.date()) && cmd.date() < indu->date()) {
    verdict.forbidden().Add(
        RuleError(rule::kCtl3, "date", FrenchDate(cmd.date()),
                  absl::StrFormat("un indu se recouvre après sa notification (le %s)",
                                  FrenchDate(indu->date()))));
  }
  if (cmd.amount_cents() > indu->open_cents()) {
    verdict.forbidden().Add(
        RuleError(rule::kCtl5, "amount_cents", Euros(cmd.amount_cents()),
                  absl::StrFormat("le recouvrement dépasse l'indu restant dû (%s sur %s)",
                                  Euros(indu->open_cents()), Euros(indu->amount_cents()))));
  }
  if (cmd.method() == v1::OFFSET) CheckOffset(verdict, cmd, *indu, state, ctx);
  verdict.forbidden().AddAll(rules::CheckAfterSchoolYearShareN1(SchoolYear(indu->school_year()),
                                                                cmd.date(), "recouvrement"));
  if (InClosedCivilYear(ctx, cmd.date())) {
    verdict.forbidden().Add(
        RuleError(rule::kAcc8, "date", FrenchDate(cmd.date()),
                  "l'exercice de cette date est clos : il n'est jamais réécrit"));
  }
  RETURN_IF_ERROR(verdict.ToStatus());
  NewFact f = ConventionFact(state, cmd.caf_id(), cmd.date());
  auto* r = f.fact.mutable_recovery_recorded();
  r->set_recovery_id(cmd.recovery_id());
  r->set_indu_id(cmd.indu_id());
  r->set_amount_cents(cmd.amount_cents());
  r->set_method(cmd.method());
  r->set_offset_payment_id(cmd.offset_payment_id());
  r->set_offset_convention_id(cmd.method() == v1::OFFSET && cmd.offset_convention_id().empty()
                                  ? state.convention_id()
                                  : cmd.offset_convention_id());
  return Facts{f};
}

}  // namespace clas
