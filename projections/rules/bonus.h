// Bonus enfants and bonus parents (circular §2.2, §3.3, §4; RULES.md §3: R-BON-1..4).
//
// A bonus is granted per collectif by the Caf with the comité, only on a specific project filed
// with the funding request. This module checks the projects filed (R-BON-1/2), the comité's grant
// (R-BON-3), and names the part of a droit that acomptes are based on (R-BON-4).
//
// Pure functions: no state, no I/O. Violations follow eligibility.h (rule id, section, field with
// its index, value as text, French sentence).
//
// Thread-safety: pure functions.
#ifndef CLAS_PROJECTIONS_RULES_BONUS_H_
#define CLAS_PROJECTIONS_RULES_BONUS_H_

#include "clas/v1/events.pb.h"
#include "clas/v1/types.pb.h"
#include "projections/core/money.h"
#include "projections/core/violation.h"

namespace clas::rules {

// R-BON-1: true when the bonus enfants is requested with its mandatory criterion (a structured
// socio-educational project over the school year) and at least one other (teaching equipment,
// paid external intervenors, cultural outings).
bool QualifiesForBonusEnfants(const v1::BonusEnfantsProject& project);

// R-BON-2: true when the bonus parents is requested with its mandatory criterion (a parent-support
// project over the school year) and at least one other (paid external intervenors, specific
// actions, an allophone / illiteracy / AEF audience).
bool QualifiesForBonusParents(const v1::BonusParentsProject& project);

// R-BON-1 and R-BON-2 on the projects filed with a request. Returns no violation when neither
// bonus is requested, or when each requested one qualifies and is asked for 1 to
// request.collectifs_size() collectifs. Otherwise one error per missing criterion: field
// `bonus_enfants.structured_project` for the mandatory one, `bonus_enfants` when none of the
// three others is present (likewise `bonus_parents.*`), `bonus_*.collectifs` for the number.
// [choice] A bonus not requested must not name collectifs (an inconsistent request is a typing
// mistake): error on `bonus_*.collectifs`.
// Called by ValidateFundingRequest (eligibility.h); exposed for the command that amends a project.
Violations ValidateBonusProjects(const v1::FundingRequestFiled& request);

// R-BON-3: checks the bonuses the comité grants in `decision` against the `request` it examines.
// Returns no violation when no bonus is granted (counts 0), or when the decision is VALIDATED and
// each bonus count is within 0..agreed_collectifs and rests on a qualifying project. Errors:
//   - a bonus on a decision that is not a validation (no agrément): R-BON-3;
//   - a negative count, or more bonus collectifs than agreed collectifs: R-BON-3;
//   - a bonus granted without a project filed meeting R-BON-1 / R-BON-2: R-BON-3.
// [choice] The comité may grant a bonus on more collectifs than the gestionnaire asked for, up to
// the agreed collectifs (§3.3 recommends granting bonuses "à l'échelle du gestionnaire pour
// l'ensemble des collectifs").
// A VALIDATED decision also needs 1 <= agreed_collectifs <= request.collectifs_size(). [choice]
// The comité may not agree more collectifs than the request describes: what it has not examined
// it cannot approve. That is not a bonus rule: the error names R-CONV-4 (§3.1, a new project goes
// through a funding request and the comité) and the field `agreed_collectifs`.
Violations ValidateBonusGrant(const v1::CommitteeDecisionRecorded& decision,
                              const v1::FundingRequestFiled& request);

// R-BON-4: bonuses are paid once a year with the solde, never as an acompte (§4). The acompte
// caps (R-PAY-2/3) are therefore fractions of the PS part of a droit only: this returns that
// base, breakdown.ps_cents(), and never any bonus.
// REQUIRES: breakdown is the output of the droit calculator (0 <= ps_cents <= kAmountMaxCents).
Money AcompteBase(const v1::DroitBreakdown& breakdown);

}  // namespace clas::rules

#endif  // CLAS_PROJECTIONS_RULES_BONUS_H_
