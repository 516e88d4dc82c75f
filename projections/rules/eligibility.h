// Eligibility of a funding request to the PS Clas (circular §2.1, RULES.md §2: R-ELIG-1..9).
//
// Pure functions of a request: no state, no I/O, no clock. Each returns *every* failed rule at
// once (RULES.md §2), as clas::Violations: an error rejects the request, a warning is kept with
// the event. Each violation names its rule id, the circular's section, the field at fault with
// its index (`collectifs[2].children`), the value found as text, and a French sentence for the
// Caf agent. Values are written as they are on the wire: numbers in digits, booleans as
// `true`/`false`, enums by name, days as dd/mm/yyyy, amounts in euros ("1 234,56 €").
//
// What is checked where:
//   - the rules of §2.1, collectif by collectif and on the project;
//   - the structure of the request (identifiers, years, budget, plausible figures; limits in
//     request_limits.h), under the rule that owns each field: R-CONV-4 (§3.1) for identifiers,
//     R-CONV-2 (§2.3) for the school years, R-DROIT-2 (§3.2) for the charges, R-DROIT-5 (§2.3)
//     for the other Branche Famille money;
//   - the bonus projects filed with the request (R-BON-1/2, bonus.h), so that one call answers
//     for the whole request.
// Whether the gestionnaire is *known* to the Caf, or the convention id already used, depends on
// the ledger's state: the command that files the request checks it; here only their presence.
//
// Thread-safety: pure functions.
#ifndef CLAS_PROJECTIONS_RULES_ELIGIBILITY_H_
#define CLAS_PROJECTIONS_RULES_ELIGIBILITY_H_

#include <cstdint>

#include "absl/time/civil_time.h"
#include "clas/v1/events.pb.h"
#include "projections/core/calendar.h"
#include "projections/core/violation.h"

namespace clas::rules {

// R-ELIG-1: children of one collectif.
inline constexpr int32_t kChildrenPerCollectifMin = 8;
// In a rural area, or when the collectif welcomes a child with a disability.
inline constexpr int32_t kChildrenPerCollectifReducedMin = 5;
inline constexpr int32_t kChildrenPerCollectifMax = 12;

// R-ELIG-2: animateurs of one collectif. [choice] The circular says "2 intervenants"; more is
// never a failure, so the rule is "at least 2". One is accepted in a rural area for a collectif
// of fewer than kChildrenPerCollectifMin children.
inline constexpr int32_t kAnimateursPerCollectifMin = 2;
inline constexpr int32_t kAnimateursRuralSmallCollectifMin = 1;

// R-ELIG-3: regularity. Two sessions a week of at least 1 h 30 each, over at least 27 weeks; or
// one session of at least 2 consecutive hours a week (rural area, or derogation of the comité).
inline constexpr int32_t kSessionsPerWeekMin = 2;
inline constexpr int32_t kSessionMinutesMin = 90;
inline constexpr int32_t kSingleSessionMinutesMin = 120;
inline constexpr int32_t kWeeksMin = 27;

// How a request is examined.
struct EligibilityOptions {
  // R-ELIG-3: the comité départemental accepts one session of 2 consecutive hours a week for lack
  // of premises. The derogation is recorded on the agrément
  // (CommitteeDecisionRecorded.derogation_single_session), which does not exist when the request
  // is filed. [choice] At filing, a single 2-hour session in a collectif outside a rural area is
  // an error unless the request is examined with the derogation (the gestionnaire asks for it and
  // the Caf submits it to the comité); the comité's decision is then re-checked by
  // ValidateSessionsAtDecision.
  bool derogation_single_session = false;
};

// R-ELIG-8 [choice]: the circular recommends starting "after the Toussaint holidays of year N",
// whose end varies by year and academic zone. The ledger takes "on or after 1 November N": this
// function is the one place that says so.
absl::CivilDay RecommendedStartDay(SchoolYear year);
// R-ELIG-8: actions end by 31 August N+1 (the last day of the school year).
absl::CivilDay RecommendedEndDay(SchoolYear year);

// Validates a funding request: R-ELIG-1..9, its structure, and its bonus projects (R-BON-1/2).
// Returns no violation when the request is eligible; errors when it must be rejected; warnings
// (R-ELIG-7, R-ELIG-8) that do not reject. Collectifs beyond kCollectifsPerRequestMax are
// reported once and not examined.
//
// R-ELIG-8 [choice]: a request carries one pair of action dates; they are the calendar of the
// first school year (first_school_year = N) and are checked against 1 November N .. 31 August
// N+1. A missing date (0) is a warning; a day that does not exist (20260230) or an end before the
// start is an error, under R-ELIG-8, naming the field. When first_school_year is itself wrong
// (R-CONV-2), only the dates themselves are checked.
Violations ValidateFundingRequest(const v1::FundingRequestFiled& request,
                                  const EligibilityOptions& options = {});

// R-ELIG-3 at the comité's decision: re-checks every collectif of `request` (sessions, their
// length, weeks) with the derogation the decision records, and returns the R-ELIG-3 errors. In
// particular, a collectif that meets once a week outside a rural area is an error when a
// VALIDATED decision does not grant the derogation. A decision that is not a validation gives no
// agrément and needs no check: returns no violation.
Violations ValidateSessionsAtDecision(const v1::CommitteeDecisionRecorded& decision,
                                      const v1::FundingRequestFiled& request);

}  // namespace clas::rules

#endif  // CLAS_PROJECTIONS_RULES_ELIGIBILITY_H_
