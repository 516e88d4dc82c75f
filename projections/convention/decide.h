// Decide(state, command) → facts | refusal: what each command of commands.proto becomes, given
// the current state of the aggregate it concerns. Pure: no I/O; the caller reads the state, calls
// Decide, and appends the facts in one atomic append (or writes nothing on refusal).
//
// Every refusal lists every failed rule at once (Violations payload): kInvalidArgument when a
// figure is malformed, kFailedPrecondition when the current state forbids the command,
// kNotFound when the convention (or the target of a command) does not exist, kAlreadyExists when
// it already does. Warnings are kept with the facts (ClasEvent.warnings).
//
// Thread-safety: pure functions.
#ifndef CLAS_PROJECTIONS_CONVENTION_DECIDE_H_
#define CLAS_PROJECTIONS_CONVENTION_DECIDE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "clas/v1/commands.pb.h"
#include "clas/v1/events.pb.h"
#include "clas/v1/state.pb.h"
#include "projections/convention/fold.h"
#include "projections/core/violation.h"

namespace clas {

// One fact to append, with the day it takes effect.
struct NewFact {
  v1::ClasEvent fact;
  int32_t effective_date = 0;
};

// A payment of another convention of the same gestionnaire, for offsets (R-CTL-3).
struct OffsetTarget {
  std::string gestionnaire_id;
  int64_t amount_cents = 0;     // the payment's gross amount
  int64_t offset_cents = 0;     // already withheld from it by earlier offsets
  int32_t date = 0;             // the payment's date (an offset takes a later payment, R-CTL-3)
};

// What a decision needs beyond the aggregate's own state.
struct DecideContext {
  const BaremeBook* baremes = nullptr;                    // REQUIRES: not null
  const Gestionnaire* gestionnaire = nullptr;             // the convention's gestionnaire
  std::set<int32_t> closed_civil_years;                   // of the convention's Caf (R-PAY-7)
  // Looks up a payment (by convention id and payment id) for an offset; nullopt if unknown.
  std::function<std::optional<OffsetTarget>(const std::string& convention_id,
                                            const std::string& payment_id)>
      find_payment;
  // Whether a payment (acompte, solde, rappel) of the convention has this id, a cancelled one's
  // included (R-HIST-1). The engine keeps them with the convention (a command's cost does not
  // grow with the payments already made); unset, the state's payments are looked through, which
  // hold the payments in force only: a cancelled payment's id is then not seen.
  std::function<bool(std::string_view payment_id)> payment_id_used;
  // The id of the correction that cancelled the convention's event `event_id`, "" when none did
  // (kept with the convention, as payment_id_used); unset, the state's timeline is looked
  // through.
  std::function<std::string(std::string_view event_id)> cancelled_by;
};

// Collects a command's failures in two kinds, then becomes one status.
class Verdict {
 public:
  Violations& malformed() { return malformed_; }   // → kInvalidArgument
  Violations& forbidden() { return forbidden_; }   // → kFailedPrecondition
  // OK when neither holds an error.
  absl::Status ToStatus() const;
  std::vector<v1::RuleViolation> warnings() const;

 private:
  Violations malformed_;
  Violations forbidden_;
};

using Facts = std::vector<NewFact>;

absl::StatusOr<Facts> DecideRegisterGestionnaire(const v1::RegisterGestionnaire& cmd,
                                                 const Gestionnaire* existing);
// R-CONV-2: the renewal of a centre social's agrément délivré par la Caf. `existing` is the
// gestionnaire as known now (nullptr: not registered, kNotFound); `on_date` the same as of the
// renewal's date (nullptr: not registered yet that day). The renewal takes effect from its date
// on: it is refused (kFailedPrecondition) when it would change nothing there, before the
// gestionnaire is registered or with the day the agrément already ends then.
absl::StatusOr<Facts> DecideRenewCentreSocialAgrement(const v1::RenewCentreSocialAgrement& cmd,
                                                      const Gestionnaire* existing,
                                                      const Gestionnaire* on_date);
absl::StatusOr<Facts> DecidePublishBareme(const v1::PublishBareme& cmd, const BaremeBook& book);

// The convention's commands. `state` is the convention as known now (an empty state when the
// stream does not exist yet). For DecideFileFundingRequest, ctx.gestionnaire is the gestionnaire
// as registered on the request's date (nullptr: unknown then, R-CONV-4).
absl::StatusOr<Facts> DecideFileFundingRequest(const v1::FileFundingRequest& cmd,
                                               const v1::ConventionState& state,
                                               const DecideContext& ctx);
absl::StatusOr<Facts> DecideCommitteeDecision(const v1::RecordCommitteeDecision& cmd,
                                              const v1::ConventionState& state,
                                              const DecideContext& ctx);
absl::StatusOr<Facts> DecideSignConvention(const v1::SignConvention& cmd,
                                           const v1::ConventionState& state,
                                           const DecideContext& ctx);
absl::StatusOr<Facts> DecideSignAvenant(const v1::SignAvenant& cmd,
                                        const v1::ConventionState& state,
                                        const DecideContext& ctx);
absl::StatusOr<Facts> DecideNotifyCollectifs(const v1::NotifyCollectifs& cmd,
                                             const v1::ConventionState& state,
                                             const DecideContext& ctx);
absl::StatusOr<Facts> DecidePayAcompte(const v1::PayAcompte& cmd,
                                       const v1::ConventionState& state,
                                       const DecideContext& ctx);
absl::StatusOr<Facts> DecideReceiveBilan(const v1::ReceiveBilan& cmd,
                                         const v1::ConventionState& state,
                                         const DecideContext& ctx);
absl::StatusOr<Facts> DecidePaySolde(const v1::PaySolde& cmd, const v1::ConventionState& state,
                                     const DecideContext& ctx);
absl::StatusOr<Facts> DecideOpenControle(const v1::OpenControle& cmd,
                                         const v1::ConventionState& state,
                                         const DecideContext& ctx);
absl::StatusOr<Facts> DecideControleFindings(const v1::RecordControleFindings& cmd,
                                             const v1::ConventionState& state,
                                             const DecideContext& ctx);
absl::StatusOr<Facts> DecideControle(const v1::DecideControle& cmd,
                                     const v1::ConventionState& state, const DecideContext& ctx);
absl::StatusOr<Facts> DecideRecordRecovery(const v1::RecordRecovery& cmd,
                                           const v1::ConventionState& state,
                                           const DecideContext& ctx);
absl::StatusOr<Facts> DecidePayRappel(const v1::PayRappel& cmd, const v1::ConventionState& state,
                                      const DecideContext& ctx);
// `target` is the event of the convention's stream the command names (target_event_id), or
// nullptr when the stream holds none of that id.
absl::StatusOr<Facts> DecideCorrectEvent(const v1::CorrectEvent& cmd,
                                         const v1::ConventionState& state,
                                         const DomainEvent* target, const DecideContext& ctx);

// R-CTL-4: the outcome a contrôle decision would have on `years` (draft controlled figures),
// computed exactly as DecideControle does, writing nothing.
absl::StatusOr<std::vector<v1::ControleYearOutcome>> SimulateControle(
    const v1::ConventionState& state, const std::vector<v1::ControlledYear>& years,
    const DecideContext& ctx);

}  // namespace clas

#endif  // CLAS_PROJECTIONS_CONVENTION_DECIDE_H_
