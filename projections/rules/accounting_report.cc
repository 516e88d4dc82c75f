#include "projections/rules/accounting_report.h"

#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "ledger/base/status_macros.h"
#include "projections/rules/accounting_internal.h"

namespace clas::rules {
namespace {

using accounting_internal::CheckAmount;
using accounting_internal::Faults;

// The failed checks of a report, listed up to kFailedChecksMax, then counted.
class FailedChecks {
 public:
  void Fail(std::string sentence) {
    if (count_++ < kFailedChecksMax) listed_.push_back(std::move(sentence));
  }
  std::vector<std::string> Take() && {
    if (count_ > kFailedChecksMax) {
      listed_.push_back(
          absl::StrFormat("… et %d autres contrôles en échec", count_ - kFailedChecksMax));
    }
    return std::move(listed_);
  }

 private:
  std::vector<std::string> listed_;
  size_t count_ = 0;
};

void CheckEnvelopeDps(Faults& f, CivilYear year, const std::vector<EnvelopeDp>& dps) {
  std::set<std::pair<std::string, int32_t>> seen;
  for (size_t i = 0; i < dps.size(); ++i) {
    const EnvelopeDp& d = dps[i];
    if (d.school_year.n() != year.y() && d.school_year.n() != year.y() - 1) continue;
    if (seen.size() >= 2 * kClosingConventionsMax) {
      f.Add("dps", absl::StrFormat("%d", dps.size()), "trop de droits prévisionnels");
      return;
    }
    const std::string at = absl::StrFormat("dps[%d]", i);
    if (d.convention_id.empty()) f.Add(at + ".convention_id", "", "convention non renseignée");
    if (!seen.insert({d.convention_id, d.school_year.n()}).second) {
      f.Add(at, d.convention_id, "convention et année scolaire présentes deux fois");
    }
    CheckAmount(f, at + ".dp.n_share_cents", d.dp.n_share, false);
    CheckAmount(f, at + ".dp.n1_share_cents", d.dp.n1_share, false);
  }
}

}  // namespace

// R-ACC-7.
absl::StatusOr<EnvelopeFigures> EnvelopeFollowUp(CivilYear year, const std::vector<EnvelopeDp>& dps,
                                                 Money paid_in_year) {
  Faults f(rule::kAcc7);
  CheckEnvelopeDps(f, year, dps);
  CheckAmount(f, "paid_in_year", paid_in_year, /*positive=*/false);
  RETURN_IF_ERROR(f.ToStatus());
  EnvelopeFigures out;
  out.year = year;
  for (const EnvelopeDp& d : dps) {
    if (d.school_year.n() == year.y()) out.n_shares += d.dp.n_share;
    if (d.school_year.n() == year.y() - 1) out.n1_shares += d.dp.n1_share;
  }
  out.envelope = out.n_shares + out.n1_shares;
  out.paid = paid_in_year;
  out.remaining = out.envelope - out.paid;
  return out;
}

Money PaymentsOfYear(CivilYear year, const Lines& lines) {
  CLAS_CHECK(lines.size() <= kLinesMax);
  Money paid;
  for (const Line& line : lines) {
    if (line.civil_year() != year || !accounting_internal::AmountInRange(line)) continue;
    if (IsPaymentLine(line)) paid += line.amount;
  }
  return paid;
}

bool CarriesForward(Account account) {
  return account == Account::kChargesAPayer || account == Account::kEngagementDebit ||
         account == Account::kEngagementCredit;
}

namespace {

void CheckOpening(Faults& f, const std::vector<AccountBalance>& opening,
                  std::map<Account, AccountTotals>* accounts) {
  for (size_t i = 0; i < opening.size(); ++i) {
    const AccountBalance& b = opening[i];
    const std::string at = absl::StrFormat("opening[%d]", i);
    if (!CarriesForward(b.account)) {
      f.Add(at, AccountName(b.account),
            "seuls T 408143111, T 8091 et T 80182 reportent leur solde");
    } else if (accounts->count(b.account) > 0) {
      f.Add(at, AccountName(b.account), "solde d'ouverture donné deux fois");
    }
    if (b.balance.cents() < -kAmountMaxCents || b.balance.cents() > kAmountMaxCents) {
      f.Add(at + ".balance", b.balance.ToFrench(), "solde hors plage");
    }
    AccountTotals& a = (*accounts)[b.account];
    a.account = b.account;
    a.opening = b.balance;
  }
}

// Adds every fault of `line` to `checks`; true when its amount can be added up.
bool CheckLine(CivilYear year, size_t i, const Line& l, FailedChecks& checks) {
  std::vector<std::string> faults;
  if (l.civil_year() != year) faults.push_back("hors de l'exercice");
  const bool closing_period = l.month == kClosingMonth && l.date.month() == 12;
  if (l.month != l.date.month() && !closing_period) faults.push_back("mois ou date incohérents");
  if (!accounting_internal::AmountInRange(l)) faults.push_back("montant hors plage");
  if (l.debit == l.credit) faults.push_back("compte débité et crédité identiques");
  if (!faults.empty()) {
    checks.Fail(absl::StrFormat("R-ACC-10 (§4) : ligne %d (%s) : %s", i, DescribeLine(l),
                                absl::StrJoin(faults, ", ")));
  }
  return accounting_internal::AmountInRange(l);
}

// The totals of one year, by account and by code, in the order of their names (the enumerators'
// order, core/accounting_line.h).
struct Totals {
  std::map<Account, AccountTotals> accounts;
  std::map<StatisticalCode, CodeTotals> codes;
};

void Accumulate(const Line& l, Totals* totals, CivilYearReport* r) {
  AccountTotals& debit = totals->accounts[l.debit];
  debit.account = l.debit;
  debit.debits += l.amount;
  r->total_debits += l.amount;
  AccountTotals& credit = totals->accounts[l.credit];
  credit.account = l.credit;
  credit.credits += l.amount;
  r->total_credits += l.amount;
  CodeTotals& c = totals->codes[l.code];
  c.code = l.code;
  c.lines_amount += l.amount;
  if (AgeOfSubsidyAccount(l.debit).has_value()) c.charge_debits += l.amount;
  if (AgeOfSubsidyAccount(l.credit).has_value()) c.charge_credits += l.amount;
}

Money ClosingOf(const CivilYearReport& r, Account account) {
  for (const AccountTotals& a : r.accounts) {
    if (a.account == account) return a.closing;
  }
  return Money::Zero();
}

// R-ACC-10's identities hold by construction: every Line names a debit and a credit account
// (core/accounting_line.h), so each line adds its amount to both totals, and what the accounts
// move in the year is what their balances moved. A failure is a bug of this file, not of data.
void AssertBalanced(const CivilYearReport& r) {
  CLAS_CHECK(r.total_debits == r.total_credits)
      << "R-ACC-10: debits " << r.total_debits.cents() << " credits " << r.total_credits.cents();
  Money opening, closing;
  for (const AccountTotals& a : r.accounts) {
    CLAS_CHECK(a.closing == a.opening + a.debits - a.credits) << "R-ACC-10: " << AccountName(a.account);
    opening += a.opening;
    closing += a.closing;
  }
  CLAS_CHECK(closing == opening) << "R-ACC-10: balances moved by " << (closing - opening).cents();
}

void CheckBalances(const CivilYearReport& r, FailedChecks& checks) {
  AssertBalanced(r);
  if (r.payments_from_lines != r.payments_from_events) {
    checks.Fail(absl::StrFormat(
        "R-ACC-10 (§4) : paiements de l'exercice selon les écritures %s ≠ selon les "
        "événements de paiement %s",
        r.payments_from_lines.ToFrench(), r.payments_from_events.ToFrench()));
  }
  const Money charges_a_payer = ClosingOf(r, Account::kChargesAPayer);
  if (charges_a_payer > Money::Zero()) {
    checks.Fail(absl::StrFormat(
        "R-ACC-5 (§4) : %s clôture avec un solde débiteur de %s : plus de charges à payer "
        "soldées que constituées",
        AccountName(Account::kChargesAPayer), charges_a_payer.ToFrench()));
  }
  const Money debit = ClosingOf(r, Account::kEngagementDebit);
  const Money credit = ClosingOf(r, Account::kEngagementCredit);
  if (debit + credit != Money::Zero()) {
    checks.Fail(absl::StrFormat("R-ACC-4 (§4) : %s (%s) et %s (%s) ne se compensent pas",
                                AccountName(Account::kEngagementDebit), BalanceText(debit),
                                AccountName(Account::kEngagementCredit), BalanceText(credit)));
  }
}

}  // namespace

// R-ACC-10.
absl::StatusOr<CivilYearReport> BuildCivilYearReport(std::string_view caf_id, CivilYear year,
                                                     const Lines& lines, Money payments_from_events,
                                                     const std::vector<AccountBalance>& opening,
                                                     const std::vector<EnvelopeDp>& envelope_dps) {
  Faults f(rule::kAcc10);
  if (caf_id.empty()) f.Add("caf_id", "", "Caf non renseignée");
  if (lines.size() > kLinesMax) {
    f.Add("lines", absl::StrFormat("%d", lines.size()), "trop de lignes");
  }
  CheckAmount(f, "payments_from_events", payments_from_events, /*positive=*/false);
  Totals totals;
  CheckOpening(f, opening, &totals.accounts);
  RETURN_IF_ERROR(f.ToStatus());

  CivilYearReport r;
  r.caf_id = std::string(caf_id);
  r.year = year;
  FailedChecks checks;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (CheckLine(year, i, lines[i], checks)) Accumulate(lines[i], &totals, &r);
  }
  for (auto& [account, a] : totals.accounts) {
    a.closing = a.opening + a.debits - a.credits;
    r.accounts.push_back(a);
  }
  for (auto& [code, c] : totals.codes) {
    c.net_charge = c.charge_debits - c.charge_credits;
    r.codes.push_back(c);
  }
  r.payments_from_lines = PaymentsOfYear(year, lines);
  r.payments_from_events = payments_from_events;
  ASSIGN_OR_RETURN(r.envelope, EnvelopeFollowUp(year, envelope_dps, r.payments_from_lines));
  CheckBalances(r, checks);
  r.failed_checks = std::move(checks).Take();
  return r;
}

std::vector<AccountBalance> ClosingBalances(const CivilYearReport& report) {
  std::vector<AccountBalance> out;
  for (const AccountTotals& a : report.accounts) {
    if (CarriesForward(a.account) && a.closing != Money::Zero()) {
      out.push_back({a.account, a.closing});
    }
  }
  return out;
}

std::string BalanceText(Money m) {
  if (m > Money::Zero()) return "D " + m.ToFrench();
  if (m < Money::Zero()) return "C " + (Money::Zero() - m).ToFrench();
  return m.ToFrench();
}

}  // namespace clas::rules
