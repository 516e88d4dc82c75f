// Decisions on money: acomptes, bilan, solde, rappels (R-PAY-*, R-CONV-1, R-CONV-6). Recoveries
// of indus are decide_recovery.cc's.
#include <algorithm>

#include "absl/strings/str_format.h"
#include "projections/codec/droit_codec.h"
#include "projections/convention/decide.h"
#include "projections/convention/decide_internal.h"
#include "projections/convention/year_figures.h"
#include "projections/core/money.h"
#include "projections/rules/payments.h"

namespace clas {

using namespace decide_internal;  // NOLINT: the helpers of this family of files

namespace {

void CheckPaymentId(Verdict& verdict, const v1::ConventionState& state, const DecideContext& ctx,
                    const std::string& id) {
  if (id.empty()) {
    verdict.malformed().Add(
        RuleError(rule::kHist1, "payment_id", "", "l'identifiant du paiement est obligatoire"));
  } else if (ctx.payment_id_used ? ctx.payment_id_used(id) : PaymentIdUsed(state, id)) {
    verdict.forbidden().Add(
        RuleError(rule::kHist1, "payment_id", id,
                  "identifiant de paiement déjà utilisé dans cette convention"));
  }
}

// `v` without the refusal of a cap for want of a droit (R-PAY-2/3 on the field "dp").
Violations WithoutNoDroit(const Violations& v) {
  Violations out;
  for (const auto& one : v.all()) {
    if (one.field() != "dp") out.Add(one);
  }
  return out;
}

// The acomptes of school year `y` dated in `civil_year`: its N share's sum in civil year N, its
// N+1 share's in N+1 (R-PAY-4: no acompte is dated in another civil year), as the fold keeps
// them.
Money SameShare(const v1::SchoolYearState& y, int32_t civil_year) {
  if (civil_year == y.school_year()) return Money::Cents(y.acomptes_n_cents());
  if (civil_year == y.school_year() + 1) return Money::Cents(y.acomptes_n1_cents());
  return Money();
}

// R-PAY-2, R-PAY-3 with R-PAY-6: an acompte dated before acomptes already paid in its share is
// folded before them (R-HIST-2); each of them must stay within the cap it was paid under once this
// one is added to what was paid by its date.
void CheckLaterAcomptes(Violations& v, const v1::SchoolYearState& y, const v1::PayAcompte& cmd) {
  // The acomptes are in fold order: none is dated after the last one (the usual case, looked at
  // without going through the year's acomptes).
  if (y.acomptes().empty() || y.acomptes().rbegin()->date() <= cmd.date()) return;
  const int32_t civil_year = CivilYearOfYmd(cmd.date());
  const Money amount = Money::Cents(cmd.amount_cents());
  Money paid;  // acomptes of the share up to each one, in fold order (date, then position)
  for (const auto& later : y.acomptes()) {
    if (later.civil_year() != civil_year) continue;
    paid += Money::Cents(later.amount_cents());
    if (later.date() <= cmd.date() || paid + amount <= Money::Cents(later.cap_cents())) continue;
    const bool n_share = civil_year == y.school_year();
    v.Add(RuleError(
        n_share ? rule::kPay2 : rule::kPay3, "date", FrenchDate(cmd.date()),
        absl::StrFormat("daté du %s, cet acompte de %s précède l'acompte %s du %s déjà versé : les "
                        "acomptes datés jusqu'au %s atteindraient %s, au-delà du plafond de %s en "
                        "vigueur à cette date (%d %% de la Ps du droit prévisionnel)",
                        FrenchDate(cmd.date()), Euros(cmd.amount_cents()), later.payment_id(),
                        FrenchDate(later.date()), FrenchDate(later.date()),
                        Euros((paid + amount).cents()), Euros(later.cap_cents()),
                        n_share ? 28 : 42)));
    return;
  }
}

// [choice] R-PAY-8: a contrôle decided on the school year settled it (its rappel or indu is the
// settlement, DC replaces DR): no solde follows, bilan or not.
absl::Status RefuseIfSettledByControle(const v1::SchoolYearState* y, int32_t school_year) {
  if (y == nullptr || !y->has_dc()) return absl::OkStatus();
  return RuleStatus(
      absl::StatusCode::kFailedPrecondition,
      RuleError(rule::kPay8, "school_year", SchoolYear(school_year).ToString(),
                absl::StrFormat("l'année scolaire %s est réglée par la décision du contrôle %s : "
                                "le rappel ou l'indu de cette décision est le règlement, aucun "
                                "solde n'est versé",
                                SchoolYear(school_year).ToString(), y->controle_id())));
}

}  // namespace

absl::StatusOr<Facts> DecidePayAcompte(const v1::PayAcompte& cmd,
                                       const v1::ConventionState& state,
                                       const DecideContext& ctx) {
  RETURN_IF_ERROR(RequireConvention(state, cmd.convention_id()));
  Verdict verdict;
  CheckPaymentId(verdict, state, ctx, cmd.payment_id());
  Violations preconditions;
  CheckAgrementAndCoverage(preconditions, state, cmd.school_year(), cmd.date());
  const v1::SchoolYearState* y = FindYear(state, cmd.school_year());
  const v1::DroitBreakdown* dp = y == nullptr ? nullptr : DpInForce(*y, cmd.date());
  const std::optional<DroitShares> dp_shares =
      dp == nullptr ? std::nullopt : std::optional(codec::SharesOf(*dp));
  if (y != nullptr && dp == nullptr && !y->dp_missing_reason().empty() &&
      ctx.baremes->Find(cmd.school_year()) == nullptr) {
    preconditions.Add(RuleError(
        rule::kDroit7, "school_year", SchoolYear(cmd.school_year()).ToString(),
        absl::StrFormat("aucun barème publié pour l'année scolaire %s : le droit prévisionnel "
                        "n'est pas calculé et aucun acompte ne peut être versé",
                        SchoolYear(cmd.school_year()).ToString())));
  }
  verdict.forbidden().AddAll(preconditions);
  // [choice] R-PAY-8: a contrôle decided on the school year settled it (DC replaces DR, its rappel
  // or indu is the settlement): no acompte follows, as no solde does; paid afterwards, it would
  // be money beyond DC that nothing recovers.
  if (y != nullptr && y->has_dc()) {
    verdict.forbidden().Add(RuleError(
        rule::kPay8, "school_year", SchoolYear(cmd.school_year()).ToString(),
        absl::StrFormat("l'année scolaire %s est réglée par la décision du contrôle %s : le rappel "
                        "ou l'indu de cette décision est le règlement, aucun acompte n'est versé",
                        SchoolYear(cmd.school_year()).ToString(), y->controle_id())));
  }
  rules::AcompteRequest request{
      .school_year = SchoolYear(cmd.school_year()),
      .date = cmd.date(),
      .amount = Money::Cents(cmd.amount_cents()),
      .dp_in_force = dp_shares ? &*dp_shares : nullptr,
      .paid_same_share = y == nullptr ? Money() : SameShare(*y, CivilYearOfYmd(cmd.date())),
      .solde_paid = y != nullptr && y->solde_paid(),
      .civil_year_closed = InClosedCivilYear(ctx, cmd.date())};
  rules::AcompteDecision decision = rules::DecideAcompte(request);
  // [choice] R-CONV-1: a payment refused for a missing precondition (the agrément, the
  // convention, the barème) names that precondition only: without a droit there is no cap to
  // evaluate (R-PAY-2/3).
  if (dp == nullptr && preconditions.has_errors()) {
    decision.violations = WithoutNoDroit(decision.violations);
  }
  (decision.invalid_argument ? verdict.malformed() : verdict.forbidden()).AddAll(decision.violations);
  // Only an amount within its bounds (refused above otherwise) may be added to the acomptes
  // paid: a larger one would overflow the sum.
  if (y != nullptr && cmd.amount_cents() > 0 && cmd.amount_cents() <= kAmountMaxCents) {
    CheckLaterAcomptes(verdict.forbidden(), *y, cmd);
  }
  RETURN_IF_ERROR(verdict.ToStatus());
  // R-PAY-2/3 at the decision's boundary: an acompte accepted keeps its share within the cap of
  // the DP in force, whose shares add up to its droit (R-PAY-1).
  CLAS_CHECK(dp != nullptr && dp->n_share_cents() + dp->n1_share_cents() == dp->droit_cents())
      << "R-PAY-1";
  CLAS_CHECK(request.paid_same_share + Money::Cents(cmd.amount_cents()) <= decision.cap &&
             decision.room_after >= Money::Zero())
      << "R-PAY-2/3: paid " << request.paid_same_share.cents() << " + " << cmd.amount_cents()
      << " over the cap " << decision.cap.cents();
  NewFact f = ConventionFact(state, cmd.caf_id(), cmd.date());
  auto* a = f.fact.mutable_acompte_paid();
  a->set_payment_id(cmd.payment_id());
  a->set_school_year(cmd.school_year());
  a->set_amount_cents(cmd.amount_cents());
  a->set_civil_year(CivilYearOfYmd(cmd.date()));
  *a->mutable_dp() = *dp;
  a->set_cap_cents(decision.cap.cents());
  a->set_paid_before_cents(request.paid_same_share.cents());
  return Facts{f};
}

absl::StatusOr<Facts> DecideReceiveBilan(const v1::ReceiveBilan& cmd,
                                         const v1::ConventionState& state,
                                         const DecideContext& ctx) {
  RETURN_IF_ERROR(RequireConvention(state, cmd.convention_id()));
  Verdict verdict;
  CheckDate(verdict.malformed(), cmd.date());
  const v1::SchoolYearState* y = FindYear(state, cmd.school_year());
  const std::string sy = SchoolYear(cmd.school_year()).ToString();
  if (y == nullptr || y->covered_by().empty()) {
    verdict.forbidden().Add(
        RuleError(rule::kConv6, "school_year", sy,
                  "le bilan porte sur une année scolaire couverte par la convention"));
  } else if (y->bilan_received()) {
    verdict.forbidden().Add(RuleError(
        rule::kHist1, "school_year", sy,
        "le bilan de cette année est déjà reçu ; une erreur se corrige par une correction qui le "
        "nomme"));
  }
  CheckFigures(verdict.malformed(), cmd.figures(), "figures.", y);
  RETURN_IF_ERROR(verdict.ToStatus());
  NewFact f = ConventionFact(state, cmd.caf_id(), cmd.date());
  f.fact.mutable_bilan_received()->set_school_year(cmd.school_year());
  *f.fact.mutable_bilan_received()->mutable_figures() = cmd.figures();
  // [choice] R-PAY-8: a school year a contrôle decided is settled by that decision: a bilan
  // received afterwards is kept, and moves no money.
  if (y != nullptr && y->has_dc()) {
    *f.fact.add_warnings() = RuleWarning(
        rule::kPay8, "school_year", sy,
        absl::StrFormat("l'année scolaire %s est réglée par la décision du contrôle %s : ce "
                        "bilan est conservé, il ne donne lieu à aucun solde",
                        sy, y->controle_id()));
  }
  return Facts{f};
}

absl::StatusOr<Facts> DecidePaySolde(const v1::PaySolde& cmd, const v1::ConventionState& state,
                                     const DecideContext& ctx) {
  RETURN_IF_ERROR(RequireConvention(state, cmd.convention_id()));
  const v1::SchoolYearState* y = FindYear(state, cmd.school_year());
  RETURN_IF_ERROR(RefuseIfSettledByControle(y, cmd.school_year()));
  Verdict verdict;
  CheckPaymentId(verdict, state, ctx, cmd.payment_id());
  CheckAgrementAndCoverage(verdict.forbidden(), state, cmd.school_year(), cmd.date());
  absl::StatusOr<v1::DroitBreakdown> dr = absl::NotFoundError("no bilan");
  if (y != nullptr && y->bilan_received()) {
    dr = DroitOf(*y, v1::DROIT_REEL, FinalFigures(*y), *ctx.baremes);
    if (!dr.ok()) verdict.forbidden().AddAll([&] {
      Violations v;
      for (auto& x : ViolationsOf(dr.status())) v.Add(x);
      return v;
    }());
  }
  // R-CONV-6: the solde is paid once the bilan is received, so never dated before it (else, as
  // of a day in between, the solde would show paid without its bilan, R-HIST-2).
  if (y != nullptr && y->bilan_received() && IsValidYmd(cmd.date()) &&
      cmd.date() < y->bilan_date()) {
    verdict.forbidden().Add(RuleError(
        rule::kConv6, "date", FrenchDate(cmd.date()),
        absl::StrFormat("le solde ne peut pas être daté avant la réception du bilan (le %s)",
                        FrenchDate(y->bilan_date()))));
  }
  const int64_t acomptes =
      y == nullptr
          ? 0
          : (Money::Cents(y->acomptes_n_cents()) + Money::Cents(y->acomptes_n1_cents())).cents();
  // A bilan whose DR cannot be computed (no barème, R-DROIT-7) is refused for that reason alone.
  if (y != nullptr && y->bilan_received() && !dr.ok()) return verdict.ToStatus();
  const std::optional<DroitShares> dr_shares =
      dr.ok() ? std::optional(codec::SharesOf(*dr)) : std::nullopt;
  rules::SoldeDecision decision = rules::DecideSolde(
      SchoolYear(cmd.school_year()), cmd.date(), dr_shares ? &*dr_shares : nullptr,
      Money::Cents(acomptes), y != nullptr && y->solde_paid(), InClosedCivilYear(ctx, cmd.date()));
  (decision.invalid_argument ? verdict.malformed() : verdict.forbidden()).AddAll(decision.violations);
  RETURN_IF_ERROR(verdict.ToStatus());
  // R-PAY-5 at the decision's boundary: the solde paid less the indu notified is exactly DR −
  // acomptes, and one of the two is zero.
  CLAS_CHECK(decision.amount - decision.indu ==
                 Money::Cents(dr->droit_cents()) - Money::Cents(acomptes) &&
             (decision.amount == Money::Zero() || decision.indu == Money::Zero()) &&
             decision.amount >= Money::Zero() && decision.indu >= Money::Zero())
      << "R-PAY-5: solde " << decision.amount.cents() << ", indu " << decision.indu.cents();
  NewFact f = ConventionFact(state, cmd.caf_id(), cmd.date());
  auto* s = f.fact.mutable_solde_paid();
  s->set_payment_id(cmd.payment_id());
  s->set_school_year(cmd.school_year());
  s->set_amount_cents(decision.amount.cents());
  *s->mutable_dr() = *dr;
  s->set_acomptes_cents(acomptes);
  Facts facts{f};
  if (decision.indu > Money()) {
    // R-PAY-5: a negative solde pays nothing and is notified as an indu.
    NewFact indu = ConventionFact(state, cmd.caf_id(), cmd.date());
    auto* i = indu.fact.mutable_indu_notified();
    i->set_indu_id(absl::StrCat(cmd.payment_id(), "-indu"));
    i->set_school_year(cmd.school_year());
    i->set_amount_cents(decision.indu.cents());
    i->set_origin(v1::INDU_FROM_NEGATIVE_SOLDE);
    facts.push_back(indu);
  }
  return facts;
}

absl::StatusOr<Facts> DecidePayRappel(const v1::PayRappel& cmd, const v1::ConventionState& state,
                                      const DecideContext& ctx) {
  RETURN_IF_ERROR(RequireConvention(state, cmd.convention_id()));
  Verdict verdict;
  CheckPaymentId(verdict, state, ctx, cmd.payment_id());
  CheckDate(verdict.malformed(), cmd.date());
  CheckAmount(verdict.malformed(), rule::kCtl3, "amount_cents", cmd.amount_cents(), false);
  const v1::SchoolYearState* y = FindYear(state, cmd.school_year());
  const int64_t due = y == nullptr ? 0 : y->rappel_due_cents();
  const int64_t amount = cmd.amount_cents() == 0 ? due : cmd.amount_cents();
  if (due <= 0) {
    verdict.forbidden().Add(RuleError(
        rule::kCtl3, "school_year", SchoolYear(cmd.school_year()).ToString(),
        "aucun rappel n'est dû : un rappel naît d'une décision de contrôle où le droit contrôlé "
        "dépasse ce qui a été versé, ou d'un bilan corrigé après le solde qui l'augmente "
        "(complément de solde, R-PAY-9)"));
  } else if (amount > due) {
    verdict.forbidden().Add(RuleError(rule::kCtl3, "amount_cents", Euros(amount),
                                      absl::StrFormat("le rappel dû est de %s", Euros(due))));
  }
  // R-CTL-3: the rappel is paid after the decision that makes it due. Dated before, the fold
  // (effective-date order, R-HIST-2) would pay it before it is due and leave it due again.
  for (const auto& c : state.controles()) {
    if (y != nullptr && due > 0 && c.controle_id() == y->controle_id() &&
        IsValidYmd(cmd.date()) && cmd.date() < c.decided_date()) {
      verdict.forbidden().Add(
          RuleError(rule::kCtl3, "date", FrenchDate(cmd.date()),
                    absl::StrFormat("le rappel est dû depuis la décision du contrôle %s (le %s)",
                                    c.controle_id(), FrenchDate(c.decided_date()))));
    }
  }
  // R-PAY-9: a complément de solde is due from the correction of the bilan that made it due.
  if (y != nullptr && y->complement_due_cents() > 0 && IsValidYmd(cmd.date())) {
    for (const auto& r : y->solde_revisions()) {
      if (r.revision().delta_cents() > 0 && cmd.date() < r.date()) {
        verdict.forbidden().Add(RuleError(
            rule::kPay9, "date", FrenchDate(cmd.date()),
            absl::StrFormat("le complément de solde est dû depuis la correction du bilan (le %s)",
                            FrenchDate(r.date()))));
        break;
      }
    }
  }
  if (y != nullptr && !cmd.controle_id().empty() && cmd.controle_id() != y->controle_id()) {
    verdict.forbidden().Add(RuleError(rule::kCtl3, "controle_id", cmd.controle_id(),
                                      "ce contrôle n'a pas décidé de rappel pour cette année"));
  }
  verdict.forbidden().AddAll(
      rules::CheckPaymentYearOpen(cmd.date(), InClosedCivilYear(ctx, cmd.date()), "rappel"));
  verdict.forbidden().AddAll(
      rules::CheckAfterSchoolYearShareN1(SchoolYear(cmd.school_year()), cmd.date(), "rappel"));
  RETURN_IF_ERROR(verdict.ToStatus());
  NewFact f = ConventionFact(state, cmd.caf_id(), cmd.date());
  auto* r = f.fact.mutable_rappel_paid();
  r->set_payment_id(cmd.payment_id());
  r->set_school_year(cmd.school_year());
  r->set_amount_cents(amount);
  r->set_controle_id(y->controle_id());
  return Facts{f};
}

}  // namespace clas
