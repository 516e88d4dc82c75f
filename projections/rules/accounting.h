// Accounting of a civil year (RULES.md §7, R-ACC-1..6, R-ACC-8, R-ACC-9; circular §4 "schéma
// d'écriture comptable et budgétaire"): the lines a Caf books for the Clas, each tied to the
// event that caused it. The yearly report and the envelope follow-up (R-ACC-7, R-ACC-10) are in
// accounting_report.h.
//
// Every function is pure: it turns explicit figures (droit breakdowns, amounts, days, ids) into
// Lines (core/accounting_line.h) and reads no store. The caller (the civil-year fold, the closing
// command) finds those figures in the events.
//
// Every line produced:
//   - has amount_cents > 0: a zero amount produces no line;
//   - names a debit and a credit account, never the same; a payment's counterpart is
//     kSettlement [choice], so that each line balances alone and a year's debits equal its
//     credits whatever subset of lines is summed;
//   - has civil_year = the year of `date`, month = the month of `date`, or 13 for the closing
//     period (R-ACC-3/4);
//   - carries a statistical code (R-ACC-6), the rule that produced it, the convention, the
//     school year whose droit it concerns, the cause event and a short French label.
//
// Errors: kInvalidArgument, listing every faulty input at once (clas.v1.RuleViolations payload,
// French messages naming the rule and §4). Inputs come from recorded events, validated when they
// were recorded, so an error here means inconsistent data or a caller bug, never a normal
// outcome of the rules.
//
// Thread-safety: pure functions on values; safe to call from any thread.
#ifndef CLAS_PROJECTIONS_RULES_ACCOUNTING_H_
#define CLAS_PROJECTIONS_RULES_ACCOUNTING_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "projections/core/accounting_line.h"
#include "projections/core/calendar.h"
#include "projections/core/droit_shares.h"
#include "projections/core/gestionnaire.h"
#include "projections/core/money.h"
#include "projections/core/recovery.h"

namespace clas::rules {

using Lines = clas::Lines;

// The accounts and statistical codes of the schéma d'écriture, and kClosingMonth, are in
// core/accounting_line.h.

// The most conventions one closing may cover: far above any Caf (a few hundred Clas actions).
inline constexpr size_t kClosingConventionsMax = 10'000;
// The most lines one call may read (reversal, adjustment, open charge à payer).
inline constexpr size_t kLinesMax = 1'000'000;

// R-ACC-1: the subsidy account of a share of age `age` (Y minus the civil year of the share):
// 0 -> Account::kSubsidyN, 1 -> kSubsidyN1, 2 or more -> kSubsidyOlder.
// REQUIRES: age >= 0 (a share of a later civil year is never booked, R-PAY-4). Callers here
// check it first and return an error.
Account SubsidyAccountForAge(int age);

// The inverse of R-ACC-1: 0, 1 or 2 (meaning "2 or more") for a subsidy account; nullopt for any
// other account.
std::optional<int> AgeOfSubsidyAccount(Account account);

// R-ACC-6: the statistical code of a PS line (bonus = false) or a bonus line (bonus = true).
// ASSOCIATION, CENTRE_SOCIAL, EVS, COMMUNE -> aides aux gestionnaires; CAF_INTERNE -> dépenses
// internes; ENTREPRISE -> entreprises.
// Every GestionnaireKind has its codes; a kind the wire carries and GestionnaireKind lacks is
// read as none, and the line builders refuse it (R-ACC-6).
StatisticalCode StatisticalCodeOf(GestionnaireKind kind, bool bonus);

// What a line is tied to: the convention, the school year N whose droit it concerns, the kind of
// gestionnaire (for the statistical code) and the event that caused it.
struct LineOrigin {
  std::string convention_id;
  SchoolYear school_year{0};
  std::optional<GestionnaireKind> kind;  // nullopt: a kind the state did not record (R-ACC-6)
  std::string cause_event_id;
};

// R-ACC-2: an acompte of school year N paid on `paid_on` (civil year Y = N or N+1, R-PAY-4) is
// one payment line on the subsidy account of age 0: debit kSubsidyN, credit kSettlement, PS code.
// Errors: origin incomplete; amount <= 0 or above kAmountMaxCents; paid_on outside N and N+1.
absl::StatusOr<Lines> AcompteLines(const LineOrigin& origin, absl::CivilDay paid_on, Money amount);

// The figures of one convention for the closing of civil year Y, about school year Y.
struct ClosingInput {
  std::string convention_id;
  std::optional<GestionnaireKind> kind;  // nullopt: a kind the state did not record (R-ACC-6)
  // The DP in force at the closing; only its PS and N share (R-PAY-1) are used.
  DroitShares dp;
  // Sum of the acomptes of school year Y dated in civil year Y.
  Money acomptes_dated_in_y;
  // The event the lines are tied to: the one that fixed the DP in force [choice: the closing
  // event does not exist yet when its lines are computed, and the DP is what the lines use].
  std::string cause_event_id;
};

// R-ACC-3 and R-ACC-4: the closing lines of civil year `year`, period 13, dated `booked_on`
// (the accounting day of period 13, in `year`, usually 31/12), for each convention of school
// year Y = `year`:
//   charge à payer = max(0, N share of DP's PS - acomptes dated in Y): debit kSubsidyN, credit
//                    kChargesAPayer, PS code (R-ACC-3);
//   engagement     = DP's PS - its N share (6/10): debit kEngagementDebit, credit
//                    kEngagementCredit, PS code (R-ACC-4).
// Nothing is booked at this closing for school year Y-1: its January-August activity is
// liquidated on the final accounts, with no charge à payer (R-ACC-4); only its engagement is
// reversed, by EngagementReversalLines. Lines come in the order of `conventions`, charge à payer
// first.
// Errors: booked_on outside `year`; more than kClosingConventionsMax inputs; a convention given
// twice; an input incomplete, negative, or whose n_share is not R-PAY-1's 4/10 of its PS.
absl::StatusOr<Lines> ClosingLines(CivilYear year, absl::CivilDay booked_on,
                                   const std::vector<ClosingInput>& conventions);

// R-ACC-4: the reversal, in month 12 of civil year N+1, of the engagements of school year N.
// `booked` is any set of lines (usually every line of the Caf for civil years N and N+1): the
// function nets, per convention and statistical code, the lines of school year N between
// kEngagementDebit and kEngagementCredit (the closing of N and any R-ACC-8 régularisation),
// ignoring earlier reversals (rule R-ACC-4 lines booked after civil year N), and returns one
// line debit kEngagementCredit, credit kEngagementDebit for each non-zero net, dated
// `booked_on`, caused by `cause_event_id` (the closing of N+1).
// Errors: booked_on not in month 12 of N+1; cause empty; more than kLinesMax lines; a net
// engagement that is a credit on kEngagementDebit (nothing to reverse in that direction).
absl::StatusOr<Lines> EngagementReversalLines(SchoolYear school_year, absl::CivilDay booked_on,
                                              std::string_view cause_event_id, const Lines& booked);

// The charge à payer still open for a convention and school year: credits minus debits on
// kChargesAPayer of the lines of that convention and school year in `booked` (lines with an
// amount out of range are skipped). Zero when none. A negative result means the lines are
// inconsistent (more settled than booked).
// REQUIRES: booked.size() <= kLinesMax.
Money OpenChargeAPayer(const Lines& booked, std::string_view convention_id, SchoolYear school_year);

// The figures of the solde of school year N (origin.school_year).
struct SoldeInput {
  LineOrigin origin;  // cause: the solde event (or, for a solde <= 0, the event that states it)
  absl::CivilDay paid_on;
  // DR - all acomptes (R-PAY-5). May be <= 0: nothing is paid, see below.
  Money solde;
  // The DR; ps_cents, n_share_cents and both bonuses are used.
  DroitShares dr;
  // Sum of the acomptes of school year N dated in civil year N.
  Money acomptes_dated_in_n;
  // The charge à payer of this convention and school year still open (see OpenChargeAPayer).
  // The closing of civil year N must be booked before: a solde booked first would leave the
  // charge à payer of that closing open for ever (the report then keeps a credit on
  // kChargesAPayer).
  Money open_charge_a_payer;
};

// R-ACC-5: the lines of a solde of school year N paid in civil year Y = paid_on's year.
//   (a) d_N = N share of DR's PS - acomptes dated in N; s_N = max(0, min(d_N, solde)).
//   (b) s_N settles first the open charge à payer (debit kChargesAPayer), the rest of s_N is
//       charged to the subsidy account of age Y - N; all with the PS code.
//   (c) solde - s_N is charged to the subsidy account of age Y - (N+1): first its bonus part,
//       min(DR's bonuses, rest), with the bonus code, then the remainder with the PS code.
//   (d) [choice] the charge à payer still open after (b) is cancelled: debit kChargesAPayer,
//       credit the subsidy account of age Y - N, PS code. A solde <= 0 pays nothing and cancels
//       the whole open charge à payer the same way.
// Payment lines (a-c) are credited to kSettlement. Lines in the order (b), (c), (d).
// Errors: origin incomplete; Y < N+1 (the solde follows the bilan of the school year);
// negative acomptes or open charge à payer; a DR inconsistent (negative, n_share not R-PAY-1's).
absl::StatusOr<Lines> SoldeLines(const SoldeInput& in);

// R-ACC-9 [choice]: a rappel of school year N paid on `paid_on` (civil year Y >= N+1) is one
// payment line on the subsidy account of age Y - (N+1), the N+1 share's: debit that account,
// credit kSettlement, PS code (a contrôle's rappel tops up the droit as a whole; the ledger does
// not split it into PS and bonus).
// Errors: origin incomplete; amount <= 0 or above kAmountMaxCents; Y < N+1.
absl::StatusOr<Lines> RappelLines(const LineOrigin& origin, absl::CivilDay paid_on, Money amount);

// A recovery of an indu of school year N (origin.school_year; cause: the recovery event).
struct RecoveryInput {
  LineOrigin origin;
  absl::CivilDay recovered_on;
  Money amount;
  std::optional<RecoveryMethod> method;  // nullopt: none recorded
  // For OFFSET: the payment the indu was deducted from, and its convention.
  std::string offset_payment_id;
  std::string offset_convention_id;
};

// R-ACC-9 [choice]: a recovery of an indu in civil year Y >= N+1 is one line crediting the
// subsidy account of age Y - (N+1) (the account a rappel would use), debit kSettlement, PS code.
// An OFFSET is shown against the reduced payment it came from by its label, which names that
// payment and its convention [choice: the reduced payment keeps its own gross lines, booked by
// its own rule; the offset line brings the cash side down to what was really paid, so the
// settlement account moves by the net payment and no extra pair of lines is needed].
// Errors: origin incomplete; amount <= 0 or above kAmountMaxCents; method unspecified; an
// OFFSET without its payment id; Y < N+1.
absl::StatusOr<Lines> RecoveryLines(const RecoveryInput& in);

// R-ACC-8 [choice]: a closed civil year is never rewritten. Given the lines `recorded` for closed
// years and the lines a computation on corrected figures gives `recomputed` for the same years,
// returns the difference as régularisation lines booked on `booked_on`, in the first open year
// Y' = booked_on's year: one line per convention, school year, statistical code and pair of
// accounts whose net amount differs. A subsidy account is re-aged for Y' (the share keeps its
// civil year: a charge of the share of 2026 regularised in 2027 goes to kSubsidyN1). Each line
// has rule R-ACC-8, cause `correction_event_id`, and a label naming `corrected_event_id`.
// Errors: an id empty; a line of either set not before Y', or malformed (amount <= 0, an account
// empty); more than kLinesMax lines in either set.
absl::StatusOr<Lines> AdjustmentLines(const Lines& recorded, const Lines& recomputed,
                                      absl::CivilDay booked_on,
                                      std::string_view correction_event_id,
                                      std::string_view corrected_event_id);

// True for a payment line: a debit of a subsidy account or of kChargesAPayer credited to
// kSettlement, produced by a payment rule (R-ACC-2, R-ACC-5, R-ACC-9), not by a régularisation.
// These are the lines R-ACC-10 compares with the payment events of the year.
bool IsPaymentLine(const Line& line);

// One line as a sentence, for reports, logs and tests:
// "2027/11 D T 408143111 C Règlement gestionnaire 800,00 € 81512214 R-ACC-5".
std::string DescribeLine(const Line& line);

}  // namespace clas::rules

#endif  // CLAS_PROJECTIONS_RULES_ACCOUNTING_H_
