// The books of one civil year of one Caf (RULES.md §7): the envelope follow-up (R-ACC-7) and the
// yearly report with its checks (R-ACC-10), built from the lines of accounting.h.
//
// Balances are debit-positive: balance = debits - credits, so a liability such as
// kChargesAPayer normally shows a negative balance (a credit balance).
//
// Carry-forward [choice]: the balance-sheet accounts kChargesAPayer, kEngagementDebit and
// kEngagementCredit open each year with the previous year's closing balance (a charge à payer
// booked at the closing of 2026 is still owed in 2027; an engagement is open until its reversal).
// The subsidy accounts (SF, charges) restart at zero each year: the exercise's charges are closed
// into its result, which the Clas ledger does not keep. kSettlement restarts at zero too: its
// movement of the year is the net cash paid to gestionnaires that year.
//
// Thread-safety: pure functions on values; safe to call from any thread.
#ifndef CLAS_PROJECTIONS_RULES_ACCOUNTING_REPORT_H_
#define CLAS_PROJECTIONS_RULES_ACCOUNTING_REPORT_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "clas/v1/types.pb.h"
#include "projections/core/calendar.h"
#include "projections/core/droit_shares.h"
#include "projections/core/money.h"
#include "projections/rules/accounting.h"

namespace clas::rules {

// The DP of one convention and school year, as the envelope follow-up uses it.
struct EnvelopeDp {
  std::string convention_id;
  SchoolYear school_year{0};
  DroitShares dp;  // its N share and N+1 share (R-PAY-1) are used
};

// R-ACC-7: the envelope of civil year Y against what was paid in Y.
struct EnvelopeFigures {
  CivilYear year{0};
  Money n_shares;   // N shares of the DP of school year Y, every convention of the Caf
  Money n1_shares;  // N+1 shares of the DP of school year Y-1 (the rest of the PS + bonuses)
  Money envelope;   // n_shares + n1_shares
  Money paid;       // payments of Y (see PaymentsOfYear)
  Money remaining;  // envelope - paid; negative when Y paid beyond its envelope
};

// R-ACC-7: sums the N shares of the DPs of school year Y and the N+1 shares of the DPs of school
// year Y-1 in `dps`, and compares them with `paid_in_year`. DPs of other school years are ignored,
// so the caller may pass every DP of the Caf.
// Errors (kInvalidArgument): more than kClosingConventionsMax × 2 DPs in scope; a convention and
// school year given twice; an id empty; a share negative or above kAmountMaxCents.
absl::StatusOr<EnvelopeFigures> EnvelopeFollowUp(CivilYear year, const std::vector<EnvelopeDp>& dps,
                                                 Money paid_in_year);

// Sum of the payment lines (IsPaymentLine) of civil year `year` in `lines`; lines of other years
// and lines with an amount out of range are skipped. REQUIRES: lines.size() <= kLinesMax.
Money PaymentsOfYear(CivilYear year, const Lines& lines);

// True for the accounts whose balance carries forward from one civil year to the next.
bool CarriesForward(Account account);

// A closing (or opening) balance of one account, debit-positive.
struct AccountBalance {
  Account account = Account::kSettlement;
  Money balance;
};

// R-ACC-10: one account over the year.
struct AccountTotals {
  Account account = Account::kSettlement;
  Money opening;  // previous closing for CarriesForward accounts, else zero
  Money debits;
  Money credits;
  Money closing;  // opening + debits - credits
};

// R-ACC-10: one statistical code over the year.
struct CodeTotals {
  StatisticalCode code = StatisticalCode::kPsGestionnaires;
  Money lines_amount;    // sum of the lines carrying the code
  Money charge_debits;   // of those, the debits of subsidy accounts
  Money charge_credits;  // and the credits of subsidy accounts
  Money net_charge;      // charge_debits - charge_credits: the year's Clas expense on the code
};

// The books of civil year `year` for one Caf.
struct CivilYearReport {
  std::string caf_id;
  CivilYear year{0};
  std::vector<AccountTotals> accounts;  // sorted by account; includes accounts opened only
  std::vector<CodeTotals> codes;        // sorted by code
  Money total_debits;                   // sum of the lines' amounts that name a debit account
  Money total_credits;                  // sum of the lines' amounts that name a credit account
  Money payments_from_lines;            // PaymentsOfYear
  Money payments_from_events;           // as given by the caller
  EnvelopeFigures envelope;             // R-ACC-7, with paid = payments_from_lines
  // Every failed check, as a French sentence naming its rule; empty when the year balances.
  std::vector<std::string> failed_checks;

  bool balanced() const { return failed_checks.empty(); }
};

// R-ACC-10: builds the report of civil year `year` of Caf `caf_id` from `lines` (every line
// booked in the year), the sum of the payment events dated in the year (acomptes, soldes,
// rappels: `payments_from_events`), the previous year's closing balances (`opening`, e.g.
// ClosingBalances of last year's report; empty for the first year) and the DPs for R-ACC-7.
//
// Checks, each failure added to failed_checks (the report is still built):
//   - every line is well formed: civil year `year`, month 1..13 matching its date, amount in
//     (0, kAmountMaxCents], two distinct accounts (a Line always names a known account on each
//     side, a known statistical code and a rule: see core/accounting_line.h);
//     a line with an amount out of range is left out of every total;
//   - total debits == total credits, and the accounts' balances move by as much as their lines:
//     asserted, not checked, as a Line always names both of its accounts;
//   - payments_from_lines == payments_from_events, to the cent;
//   - kChargesAPayer does not close with a debit balance (more settled than booked, R-ACC-5);
//   - kEngagementDebit and kEngagementCredit close with opposite balances (R-ACC-4).
// At most kFailedChecksMax failures are listed, then their count.
// Errors (kInvalidArgument): caf_id empty; more than kLinesMax lines; an opening balance given
// twice, out of range, or for an account that does not carry forward; envelope inputs invalid
// (see EnvelopeFollowUp).
absl::StatusOr<CivilYearReport> BuildCivilYearReport(std::string_view caf_id, CivilYear year,
                                                     const Lines& lines, Money payments_from_events,
                                                     const std::vector<AccountBalance>& opening,
                                                     const std::vector<EnvelopeDp>& envelope_dps);

// The most failed checks a report lists.
inline constexpr size_t kFailedChecksMax = 50;

// "D 1 200,00 €", "C 400,00 €" or "0,00 €": a debit-positive balance as a Caf agent reads it.
std::string BalanceText(Money balance);

// The closing balances of the accounts that carry forward, non-zero ones only: the `opening` of
// the next year's report.
std::vector<AccountBalance> ClosingBalances(const CivilYearReport& report);

}  // namespace clas::rules

#endif  // CLAS_PROJECTIONS_RULES_ACCOUNTING_REPORT_H_
