// Payments of one school year over two civil years (RULES.md §6, R-PAY-1..7; circular §4):
// the caps of the acomptes, the share an acompte counts toward, the solde, and the closed-year
// guard. Pure decisions on explicit inputs: the caller (the convention's command handling) finds
// the state — DP in force, acomptes already paid, solde paid, civil year closed — and records
// the resulting event; nothing here reads or writes anything.
//
// School year N is split between civil year N (September–December, the "N share", 4/10 of the
// PS) and civil year N+1 (January–August, the "N+1 share", the rest of the PS + every bonus).
// The shares themselves are computed with the droit (R-PAY-1, see droit.h: n_share_cents,
// n1_share_cents); this module caps and dates the money paid toward them.
//
// What the caller must do, because it needs state this module does not hold:
//   R-PAY-6  pass the DP IN FORCE AT THE ACOMPTE'S DATE (the last DP whose effective date is on
//            or before it). A later avenant or notification changes the cap of later acomptes
//            only; acomptes already paid are never rewritten.
//   R-CONV-1 check the agrément and the signed convention before any payment.
//   R-PAY-5  pass every acompte of the school year (both shares) as acomptes_total of the solde,
//            and notify a positive `indu` of SoldeDecision as an indu (R-CTL-3).
//
// Every decision lists every failure at once (RULES.md §2), as RuleViolations with the rule id,
// the circular section and a French sentence; its ToStatus() gives the status a command answers.
// A broken REQUIRES (a droit of the wrong kind or year, a negative total already paid) is a bug
// of the caller and aborts (CLAS_CHECK), like an overflow of Money.
//
// Thread-safety: pure functions on values; safe to call from any thread.
#ifndef CLAS_PROJECTIONS_RULES_PAYMENTS_H_
#define CLAS_PROJECTIONS_RULES_PAYMENTS_H_

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "projections/core/calendar.h"
#include "projections/core/droit_shares.h"
#include "projections/core/money.h"
#include "projections/core/violation.h"

namespace clas::rules {

// R-PAY-2: the acomptes dated in civil year N for school year N add up to at most 70 % of 4/10
// of the PS part of the DP = 28 % of it, floored to the cent: dp_ps × 28 div 100.
// REQUIRES: 0 ≤ dp_ps ≤ kAmountMaxCents.
Money AcompteCapN(Money dp_ps);
// R-PAY-3: the acomptes dated in civil year N+1 for school year N add up to at most 70 % of 6/10
// of the PS part of the DP = 42 % of it, floored to the cent: dp_ps × 42 div 100.
// REQUIRES: 0 ≤ dp_ps ≤ kAmountMaxCents.
Money AcompteCapN1(Money dp_ps);

// The share of a school year a payment counts toward (R-PAY-1, R-PAY-4).
enum class Share {
  kN,   // civil year N: September–December
  kN1,  // civil year N+1: January–August
};

// The civil year of a share: N for kN, N+1 for kN1.
CivilYear CivilYearOfShare(SchoolYear year, Share share);

// R-PAY-2 for kN, R-PAY-3 for kN1.
Money AcompteCap(Share share, Money dp_ps);

// R-PAY-4: the share an acompte of school year `year` dated `date` (yyyymmdd) counts toward:
// kN when dated in civil year N (from 1 January N), kN1 when dated in N+1 up to 31 August N+1.
// Errors (kInvalidArgument, violation R-PAY-4 attached): date not a real day, dated before
// 1 January N or after 31 August N+1.
absl::StatusOr<Share> ShareOfDate(SchoolYear year, int32_t date);

// An acompte the Caf wants to pay, with the state the decision needs.
struct AcompteRequest {
  SchoolYear school_year;
  int32_t date = 0;  // yyyymmdd
  Money amount;
  // The DP of school_year in force at `date` (R-PAY-6); nullptr when there is none.
  // When set, REQUIRES: its kind is DroitKind::kPrevisionnel and its school year is school_year.
  const DroitShares* dp_in_force = nullptr;
  // Acomptes of school_year already paid toward the same share as this one (dated in the same
  // civil year). REQUIRES: ≥ 0.
  Money paid_same_share;
  bool solde_paid = false;         // the solde of school_year is already paid
  bool civil_year_closed = false;  // the civil year of `date` is closed (R-ACC-8)
};

struct AcompteDecision {
  // Every failure; the acompte may be paid iff !violations.has_errors().
  Violations violations;
  // The share the acompte counts toward (R-PAY-4): kN when dated in civil year N or before, kN1
  // after. Meaningful only when the date lies in the window of the school year (no R-PAY-4
  // violation on the date); otherwise it only chooses the rule id of the other errors.
  Share share = Share::kN;
  // The cap of that share under the DP in force (R-PAY-2/3); 0 when there is no DP.
  Money cap;
  // cap − paid_same_share − amount: what the share can still receive after this acompte (the
  // amount left out when it is not a valid amount). Negative when the acompte exceeds the cap
  // (then violations names R-PAY-2 or R-PAY-3).
  Money room_after;
  // True when some error holds whatever the ledger's state: the amount, or the date (not a day,
  // or outside the window of the school year).
  bool invalid_argument = false;

  // OK when the acompte may be paid; otherwise every violation, as kInvalidArgument when
  // `invalid_argument`, else kFailedPrecondition (the ledger's state forbids it).
  absl::Status ToStatus() const;
};

// Decides whether an acompte may be paid (R-PAY-2, R-PAY-3, R-PAY-4, R-PAY-6, R-PAY-7).
// Violations, all collected (rule ids per share: R-PAY-2 for kN, R-PAY-3 for kN1):
//   amount ≤ 0 or > kAmountMaxCents                      R-PAY-2 / R-PAY-3, field amount_cents
//   date not a real day, before 1 January N or after 31 August N+1        R-PAY-4, field date
//   the solde of the school year is already paid                         R-PAY-4, solde
//   no DP in force at the date                           R-PAY-2 / R-PAY-3, dp
//   paid_same_share + amount > cap of the share           R-PAY-2 / R-PAY-3, amount_cents
//   the civil year of the date is closed                                  R-PAY-7, date
// Bonuses are never paid as an acompte (R-BON-4): the caps apply to the PS part of the DP only.
AcompteDecision DecideAcompte(const AcompteRequest& request);

struct SoldeDecision {
  // Every failure; the solde may be recorded iff !violations.has_errors().
  Violations violations;
  // What the Caf pays: max(0, DR − acomptes). It includes the bonuses, since DR does: bonuses
  // are paid only with the solde (R-BON-4). 0 when nothing is due.
  Money amount;
  // max(0, acomptes − DR): an overpayment to notify as an indu (R-PAY-5, R-CTL-3).
  Money indu;
  // True when some error holds whatever the ledger's state (the date).
  bool invalid_argument = false;

  // OK when the solde may be recorded; otherwise every violation, as kInvalidArgument when
  // `invalid_argument`, else kFailedPrecondition.
  absl::Status ToStatus() const;
};

// R-PAY-5: solde of school year `year` dated `date` = DR − all acomptes of the school year.
//   dr                  the DR computed from the bilan (nullptr when no bilan was received).
//                       When set, REQUIRES: kind DROIT_REEL and school year `year`.
//   acomptes_total      every acompte of the school year, both shares. REQUIRES: ≥ 0.
// Violations, all collected:
//   date not a real day, or before 1 January N+1 [choice, see below]            R-PAY-5, date
//   no bilan received                     R-CONV-6 ("le solde exige le bilan ..."), bilan
//   the solde of the school year is already paid (at most once)                R-PAY-5, solde
//   the civil year of the date is closed                                        R-PAY-7, date
// amount and indu are computed whenever dr is set, even with violations, for explanations.
// [choice] The solde is not dated before 1 January N+1: it is paid "au titre de N+1" with the
// bonuses (§4), and its accounting (R-ACC-5) books its N+1 part on the N+1 share's civil year.
// There is no latest date (a late bilan is still paid), only R-PAY-7.
SoldeDecision DecideSolde(SchoolYear year, int32_t date, const DroitShares* dr,
                          Money acomptes_total, bool solde_already_paid, bool civil_year_closed);

// R-PAY-7: no payment (acompte, solde, rappel) is dated in a civil year the Caf has closed.
// Returns one R-PAY-7 error naming the civil year of `date` when `civil_year_closed`, else none.
// `kind_fr` names the payment in French ("acompte", "solde", "rappel").
Violations CheckPaymentYearOpen(int32_t date, bool civil_year_closed, std::string_view kind_fr);

// R-ACC-9 [choice]: a rappel is booked on the subsidy account of the N+1 share's age and a
// recovery of an indu on the same account, so neither is dated before 1 January N+1 (like the
// solde, R-PAY-5): before it, that share has no age. Returns one R-ACC-9 error when a valid
// `date` falls before 1 January N+1 of `year`, else none (an invalid date is refused elsewhere).
// `kind_fr` names the movement in French ("rappel", "recouvrement").
Violations CheckAfterSchoolYearShareN1(SchoolYear year, int32_t date, std::string_view kind_fr);

}  // namespace clas::rules

#endif  // CLAS_PROJECTIONS_RULES_PAYMENTS_H_
