#include "projections/rules/accounting.h"

#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/str_format.h"
#include "ledger/base/status_macros.h"
#include "projections/core/violation.h"
#include "projections/rules/accounting_internal.h"

namespace clas::rules {

using namespace accounting_internal;  // NOLINT: the helpers of the accounting files

Account SubsidyAccountForAge(int age) {
  CLAS_CHECK(age >= 0) << "R-ACC-1: age " << age;  // R-ACC-1
  if (age == 0) return Account::kSubsidyN;
  if (age == 1) return Account::kSubsidyN1;
  return Account::kSubsidyOlder;
}

std::optional<int> AgeOfSubsidyAccount(Account account) {
  switch (account) {
    case Account::kSubsidyN: return 0;
    case Account::kSubsidyN1: return 1;
    case Account::kSubsidyOlder: return 2;
    default: return std::nullopt;
  }
}

StatisticalCode StatisticalCodeOf(GestionnaireKind kind, bool bonus) {
  const Codes codes = CodesOf(kind);  // R-ACC-6
  return bonus ? codes.bonus : codes.ps;
}

// R-ACC-2.
absl::StatusOr<Lines> AcompteLines(const LineOrigin& origin, absl::CivilDay paid_on, Money amount) {
  Faults f(rule::kAcc2);
  CheckOrigin(f, origin);
  CheckDay(f, "paid_on", paid_on);
  CheckAmount(f, "amount", amount, /*positive=*/true);
  const int32_t n = origin.school_year.n();
  if (paid_on.year() != n && paid_on.year() != n + 1) {
    f.Add("paid_on", FrenchDate(YmdFromDay(paid_on)),
          absl::StrFormat("un acompte de l'année scolaire %s est daté en %d ou %d (R-PAY-4)",
                          origin.school_year.ToString(), n, n + 1));
  }
  RETURN_IF_ERROR(f.ToStatus());
  Lines out;
  BookFor(origin, Booking::On(paid_on),
          {Account::kSubsidyN, Account::kSettlement, amount, StatisticalCodeOf(*origin.kind, false),
           rule::kAcc2, "Acompte " + origin.school_year.ToString()},
          &out);
  return out;
}

namespace {

void CheckSolde(Faults& f, const SoldeInput& in) {
  CheckOrigin(f, in.origin);
  CheckDay(f, "paid_on", in.paid_on);
  CheckAfterSchoolYear(f, in.origin, in.paid_on);
  if (in.solde.cents() < -kAmountMaxCents || in.solde.cents() > kAmountMaxCents) {
    f.Add("solde", in.solde.ToFrench(), "montant hors plage");
  }
  CheckBreakdown(f, "dr", in.dr, in.origin.school_year);
  CheckAmount(f, "acomptes_dated_in_n", in.acomptes_dated_in_n, false);
  CheckAmount(f, "open_charge_a_payer", in.open_charge_a_payer, false);
}

}  // namespace

// R-ACC-5.
absl::StatusOr<Lines> SoldeLines(const SoldeInput& in) {
  Faults f(rule::kAcc5);
  CheckSolde(f, in);
  RETURN_IF_ERROR(f.ToStatus());
  const LineOrigin& o = in.origin;
  const int32_t n = o.school_year.n();
  const int age_n = static_cast<int>(in.paid_on.year() - n);  // >= 1, checked above
  const Account n_account = SubsidyAccountForAge(age_n);
  const Account n1_account = SubsidyAccountForAge(age_n - 1);
  const StatisticalCode ps_code = StatisticalCodeOf(*o.kind, false);
  const std::string title = "Solde " + o.school_year.ToString();
  const DroitShares& dr = in.dr;

  // (a) The part of the solde that belongs to the N share.
  const Money d_n = dr.n_share - in.acomptes_dated_in_n;
  const Money s_n = Max(Money::Zero(), Min(d_n, in.solde));
  // (b) It settles the open charge à payer first.
  const Money settled = Min(s_n, in.open_charge_a_payer);
  // (c) The rest belongs to the N+1 share, bonuses first (they are all in it, R-PAY-1).
  const Money rest = Max(Money::Zero(), in.solde - s_n);
  const Money bonus = Min(dr.bonuses(), rest);
  // (d) [choice] What the solde leaves of the charge à payer is not due: it is cancelled.
  const Money cancelled = in.open_charge_a_payer - settled;

  Lines out;
  const Booking when = Booking::On(in.paid_on);
  BookFor(o, when,
          {Account::kChargesAPayer, Account::kSettlement, settled, ps_code, rule::kAcc5,
           absl::StrFormat("%s : charge à payer %d", title, n)},
          &out);
  BookFor(o, when,
          {n_account, Account::kSettlement, s_n - settled, ps_code, rule::kAcc5,
           absl::StrFormat("%s : part %d", title, n)},
          &out);
  BookFor(o, when,
          {n1_account, Account::kSettlement, bonus, StatisticalCodeOf(*o.kind, true), rule::kAcc5,
           absl::StrFormat("%s : bonus", title)},
          &out);
  BookFor(o, when,
          {n1_account, Account::kSettlement, rest - bonus, ps_code, rule::kAcc5,
           absl::StrFormat("%s : part %d", title, n + 1)},
          &out);
  BookFor(
      o, when,
      {Account::kChargesAPayer, n_account, cancelled, ps_code, rule::kAcc5,
       absl::StrFormat("Annulation reliquat charge à payer %d (%s)", n, o.school_year.ToString())},
      &out);
  return out;
}

// R-ACC-9: rappel.
absl::StatusOr<Lines> RappelLines(const LineOrigin& origin, absl::CivilDay paid_on, Money amount) {
  Faults f(rule::kAcc9);
  CheckOrigin(f, origin);
  CheckDay(f, "paid_on", paid_on);
  CheckAmount(f, "amount", amount, /*positive=*/true);
  CheckAfterSchoolYear(f, origin, paid_on);
  RETURN_IF_ERROR(f.ToStatus());
  const int age_n1 = static_cast<int>(paid_on.year() - (origin.school_year.n() + 1));
  Lines out;
  BookFor(origin, Booking::On(paid_on),
          {SubsidyAccountForAge(age_n1), Account::kSettlement, amount,
           StatisticalCodeOf(*origin.kind, false), rule::kAcc9,
           "Rappel " + origin.school_year.ToString()},
          &out);
  return out;
}

// R-ACC-9: recovery of an indu (repayment or offset).
absl::StatusOr<Lines> RecoveryLines(const RecoveryInput& in) {
  Faults f(rule::kAcc9);
  CheckOrigin(f, in.origin);
  CheckDay(f, "recovered_on", in.recovered_on);
  CheckAmount(f, "amount", in.amount, /*positive=*/true);
  CheckAfterSchoolYear(f, in.origin, in.recovered_on);
  const bool offset = in.method == RecoveryMethod::kOffset;
  if (!in.method.has_value()) {
    f.Add("method", "", "mode de recouvrement inconnu");
  }
  if (offset && in.offset_payment_id.empty()) {
    f.Add("offset_payment_id", "", "une compensation nomme le paiement qu'elle a réduit");
  }
  RETURN_IF_ERROR(f.ToStatus());
  const std::string school_year = in.origin.school_year.ToString();
  const std::string label =
      offset ? absl::StrFormat("Indu %s compensé sur le paiement %s (convention %s)", school_year,
                               in.offset_payment_id,
                               in.offset_convention_id.empty() ? in.origin.convention_id
                                                               : in.offset_convention_id)
             : "Remboursement indu " + school_year;
  const int age_n1 = static_cast<int>(in.recovered_on.year() - (in.origin.school_year.n() + 1));
  Lines out;
  BookFor(in.origin, Booking::On(in.recovered_on),
          {Account::kSettlement, SubsidyAccountForAge(age_n1), in.amount,
           StatisticalCodeOf(*in.origin.kind, false), rule::kAcc9, label},
          &out);
  return out;
}

bool IsPaymentLine(const Line& line) {
  const bool payment_rule =
      line.rule == rule::kAcc2 || line.rule == rule::kAcc5 || line.rule == rule::kAcc9;
  const bool charge_side =
      AgeOfSubsidyAccount(line.debit).has_value() || line.debit == Account::kChargesAPayer;
  return payment_rule && charge_side && line.credit == Account::kSettlement;
}

std::string DescribeLine(const Line& line) {
  return absl::StrFormat("%d/%02d D %s C %s %s %s %s", line.civil_year().y(), line.month,
                         AccountName(line.debit), AccountName(line.credit), line.amount.ToFrench(),
                         CodeName(line.code), line.rule.id);
}

}  // namespace clas::rules
