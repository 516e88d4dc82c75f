// R-HIST-3: a recorded amount is never silently changed by newer code. Every event that carries
// a computed amount also carries the figures it was computed from and, on its envelope, the rule
// version that computed it. RecomputeCheck replays those computations with the rules of THIS
// binary (rules::kRuleVersion) from the RECORDED inputs, and reports every amount that comes out
// different. It writes nothing and changes nothing: a difference is information for a Caf agent
// (a rule changed, or a record was altered), never a correction.
//
// What is recomputed, and from what:
//   acompte_paid       dp: ComputeDroit(dp.inputs) field by field (R-DROIT-1..6, R-PAY-1);
//                      cap_cents: 28 % (dated in civil year N, R-PAY-2) or 42 % (dated in N+1,
//                      R-PAY-3) of the recorded dp's PS; amount_cents: reported when
//                      paid_before + amount exceeds the cap the current code computes.
//   solde_paid         dr: ComputeDroit(dr.inputs); amount_cents = max(0, recorded DR's droit −
//                      recorded acomptes) (R-PAY-5); indu_cents: the indu notified with the solde
//                      (same stream and school year, origin INDU_FROM_NEGATIVE_SOLDE) against
//                      max(0, acomptes − DR).
//   controle_decided   for each outcome i: outcomes[i].dc: ComputeDroit(dc.inputs);
//                      outcomes[i].rappel_cents / indu_cents from the recorded DC and paid_cents
//                      (R-CTL-2, R-CTL-3); outcomes[i].indu_notified: the indu notified for that
//                      contrôle and school year against the recomputed indu.
//   event_corrected    with a solde_revision (R-PAY-9): solde_revision.dr_after: ComputeDroit
//                      (dr_after.inputs); solde_revision.delta_cents = DR' − acomptes − the
//                      settlement before, as recorded; solde_revision.indu_notified: the indu of
//                      that id (origin INDU_FROM_BILAN_CORRECTION) against max(0, −delta).
//   civil_year_closed  its lines (R-ACC-3, R-ACC-4): their inputs are not on the event but are
//                      the states of the Caf's conventions when it was recorded. They are
//                      rebuilt from the events given that precede the closing (barème,
//                      gestionnaire and convention streams), then the closing is decided again and
//                      the lines compared, summed per convention, school year, month, accounts,
//                      statistical code and rule. A closing is checked only when the events given
//                      include some convention event of its Caf before it: pass the Caf's whole
//                      log (and the barème stream) for this check.
//
// A recorded computation the current code refuses (e.g. inputs now out of range) is reported on
// the breakdown's own name ("dp", "outcomes[0].dc", ...) with a recomputed value of 0 and the
// refusal in the message.
//
// Costs: the indus notified are summed once per call (one pass over `events`); each acompte,
// solde and contrôle outcome is then recomputed in constant time; a closing folds every
// convention of its Caf recorded before it (the fold a civil-year report makes), so that a
// Caf's check costs about one fold of the Caf per closing. Memory: `events` and one closing's
// books at a time.
//
// Thread-safety: pure functions.
#ifndef CLAS_PROJECTIONS_HISTORY_RECOMPUTE_H_
#define CLAS_PROJECTIONS_HISTORY_RECOMPUTE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "projections/convention/domain_event.h"

namespace clas {

// One amount that the current code computes differently from what an event recorded.
struct RecomputeDifference {
  std::string event_id;
  uint64_t position = 0;              // global log position of the event
  std::string fact;                   // "acompte_paid", "solde_paid", ...
  std::string rule_version_recorded;  // the rule version on the event's envelope
  std::string rule_version_current;   // rules::kRuleVersion
  // The field, as a path in the fact: "cap_cents", "dp.ps_cents", "outcomes[0].rappel_cents",
  // "lines[conv-1 2026-2027 13 D SF 6562322410 C T 408143111 81512214 R-ACC-3]".
  std::string field;
  int64_t recorded_value = 0;  // cents, or a count for counts
  int64_t recomputed_value = 0;
  std::string message;  // a French sentence naming R-HIST-3
};

// What the current rules made of one event's recorded computations.
struct RecomputedEvent {
  // The recorded computations done again: 1 for an acompte or a solde, one per school year a
  // contrôle decision settled, 1 for a closing whose inputs were among the events given; 0 for
  // a closing whose inputs were not (nothing to recompute it from) and for every other event.
  int computations = 0;
  std::vector<RecomputeDifference> differences;  // in field order; empty when reproduced
};

// Called once per event recomputed; a status other than OK stops the run and is returned.
using RecomputeVisitor = std::function<absl::Status(const DomainEvent&, RecomputedEvent)>;

// Recomputes every event of `events` whose position is at least `from_position` (0: every one),
// in the order of `events`, and calls `visit` with each, computations or not. The events before
// `from_position` are inputs only (the indus a solde notified, the conventions a closing
// folded), so that a run can resume where an earlier one stopped and find the same
// differences. `events` may mix streams (a Caf's, in log order); positions identify them.
// Returns OK, or the first status `visit` returned other than OK.
absl::Status RecomputeEach(const std::vector<DomainEvent>& events, uint64_t from_position,
                           const RecomputeVisitor& visit);

// Every difference between what `events` recorded and what the current rules compute from the
// same recorded inputs, in the order of `events` (then field order): RecomputeEach's, gathered.
// Empty when every recorded computation is reproduced to the cent.
std::vector<RecomputeDifference> RecomputeCheck(const std::vector<DomainEvent>& events);

// Whether a difference's `field` holds an amount in cents (printed in euros), rather than a count
// or a code: "*_cents", a closing's "lines[...]", "outcomes[i].indu_notified".
bool IsAmountField(std::string_view field);

}  // namespace clas

#endif  // CLAS_PROJECTIONS_HISTORY_RECOMPUTE_H_
