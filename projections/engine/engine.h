// The Clas engine: runs the commands of commands.proto against an EventLog (read the state,
// decide by the rules, append the facts atomically) and answers the queries (states as of D,
// known at T; civil years; simulations). Everything Clas the server and the tools do goes
// through here, so that the rules are applied in exactly one place.
//
// Exactly once: a command carries a request id, checked with the rest of its input
// (command_input.h). Its facts are recorded under event ids derived from the Caf and the request
// id, each carrying the request's fingerprint (request_key.h: the method and the command). A
// retry of the same request id with the same method and command finds them and answers with
// them, and only them, and the figures as they were right after them, writing nothing; the same
// id with another method or other content is kAlreadyExists naming R-HIST-1. Two calls of the
// same request at once: one writes, the other answers as a retry.
//
// A command's answer (CommandResult) is of bounded size: its events, and the figures of the
// school years they touched. Once the events are written, the answer is an acknowledgement: a
// failure after the write leaves the figures out, never turns into an error.
//
// The actor recorded on each event (R-HIST-4) is given by the caller (the server takes it from the
// credentials), never taken from the command.
//
// Costs: a convention command reads the events appended since the convention's head
// (convention_heads.h) and folds only them: its cost does not grow with the convention's age.
// Caches, each bounded (see its header), none changing an answer: the heads of the conventions
// commanded lately, the streams read lately (stream_cache.h), the folds of the conventions with
// checkpoints for queries (snapshots.h), and the civil-year reports computed lately
// (report_cache.h), which the engine tells of every append it makes; another writer on the same
// log is seen through the log's head and the streams' versions.
//
// Thread-safety: thread-safe. Commands of one Caf are serialised (decisions that read several
// streams, such as the closing of a civil year, stay consistent); commands of different Cafs run
// in parallel, and optimistic concurrency on each stream guards the rest.
#ifndef CLAS_PROJECTIONS_ENGINE_ENGINE_H_
#define CLAS_PROJECTIONS_ENGINE_ENGINE_H_

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/message.h"
#include "clas/v1/commands.pb.h"
#include "clas/v1/state.pb.h"
#include "projections/accounts/books.h"
#include "projections/convention/decide.h"
#include "projections/convention/fold.h"
#include "projections/engine/convention_heads.h"
#include "projections/engine/event_log.h"
#include "projections/engine/offset_index.h"
#include "projections/engine/report_cache.h"
#include "projections/engine/stream_cache.h"
#include "projections/history/recompute.h"
#include "projections/history/snapshots.h"

namespace clas {

struct CommandResult {
  std::vector<DomainEvent> events;   // the events recorded (or found, on a retry), in order
  // The convention right after them, the school years they touched only (commands of a
  // convention; absent for the others, and when they could not be computed after the write).
  std::optional<v1::ConventionFigures> figures;
  bool replayed = false;             // true when the request id was already executed
};

// The figures a command's answer gives of `state`: the convention, and each of `years` it holds,
// at `stream_version` and `last_position` (the command's last event).
v1::ConventionFigures FiguresOf(const v1::ConventionState& state,
                                const std::vector<int32_t>& years, uint64_t stream_version,
                                uint64_t last_position);

// The school years `events` touched, sorted, each once: the years their facts name, for a
// correction those of the fact it corrects (`target`, may be null), and for a recovery the year
// of its indu in `state` (the convention after them).
std::vector<int32_t> TouchedYears(const std::vector<DomainEvent>& events,
                                  const DomainEvent* target, const v1::ConventionState& state);

class Engine {
 public:
  // REQUIRES: log outlives the engine.
  explicit Engine(EventLog* log);

  absl::StatusOr<CommandResult> RegisterGestionnaire(const v1::RegisterGestionnaire& cmd,
                                                     const ledger::v1::Actor& actor,
                                                     const std::string& request_id);
  // R-CONV-2: a centre social's agrément délivré par la Caf renewed; on the gestionnaire's stream.
  absl::StatusOr<CommandResult> RenewCentreSocialAgrement(const v1::RenewCentreSocialAgrement& cmd,
                                                          const ledger::v1::Actor& actor,
                                                          const std::string& request_id);
  absl::StatusOr<CommandResult> PublishBareme(const v1::PublishBareme& cmd,
                                              const ledger::v1::Actor& actor,
                                              const std::string& request_id);
  absl::StatusOr<CommandResult> FileFundingRequest(const v1::FileFundingRequest& cmd,
                                                   const ledger::v1::Actor& actor,
                                                   const std::string& request_id);
  absl::StatusOr<CommandResult> RecordCommitteeDecision(const v1::RecordCommitteeDecision& cmd,
                                                        const ledger::v1::Actor& actor,
                                                        const std::string& request_id);
  absl::StatusOr<CommandResult> SignConvention(const v1::SignConvention& cmd,
                                               const ledger::v1::Actor& actor,
                                               const std::string& request_id);
  absl::StatusOr<CommandResult> SignAvenant(const v1::SignAvenant& cmd,
                                            const ledger::v1::Actor& actor,
                                            const std::string& request_id);
  absl::StatusOr<CommandResult> NotifyCollectifs(const v1::NotifyCollectifs& cmd,
                                                 const ledger::v1::Actor& actor,
                                                 const std::string& request_id);
  absl::StatusOr<CommandResult> PayAcompte(const v1::PayAcompte& cmd,
                                           const ledger::v1::Actor& actor,
                                           const std::string& request_id);
  absl::StatusOr<CommandResult> ReceiveBilan(const v1::ReceiveBilan& cmd,
                                             const ledger::v1::Actor& actor,
                                             const std::string& request_id);
  absl::StatusOr<CommandResult> PaySolde(const v1::PaySolde& cmd, const ledger::v1::Actor& actor,
                                         const std::string& request_id);
  absl::StatusOr<CommandResult> OpenControle(const v1::OpenControle& cmd,
                                             const ledger::v1::Actor& actor,
                                             const std::string& request_id);
  absl::StatusOr<CommandResult> RecordControleFindings(const v1::RecordControleFindings& cmd,
                                                       const ledger::v1::Actor& actor,
                                                       const std::string& request_id);
  absl::StatusOr<CommandResult> DecideControle(const v1::DecideControle& cmd,
                                               const ledger::v1::Actor& actor,
                                               const std::string& request_id);
  absl::StatusOr<CommandResult> RecordRecovery(const v1::RecordRecovery& cmd,
                                               const ledger::v1::Actor& actor,
                                               const std::string& request_id);
  absl::StatusOr<CommandResult> PayRappel(const v1::PayRappel& cmd,
                                          const ledger::v1::Actor& actor,
                                          const std::string& request_id);
  absl::StatusOr<CommandResult> CloseCivilYear(const v1::CloseCivilYear& cmd,
                                               const ledger::v1::Actor& actor,
                                               const std::string& request_id);
  absl::StatusOr<CommandResult> CorrectEvent(const v1::CorrectEvent& cmd,
                                             const ledger::v1::Actor& actor,
                                             const std::string& request_id);

  // Queries. kNotFound when the convention (gestionnaire) does not exist as of `as_of`.
  absl::StatusOr<v1::ConventionState> GetConvention(const std::string& caf_id,
                                                    const std::string& convention_id,
                                                    const AsOf& as_of);
  absl::StatusOr<Gestionnaire> GetGestionnaire(const std::string& caf_id,
                                               const std::string& gestionnaire_id,
                                               const AsOf& as_of);
  // Every convention id of a Caf (every Caf when caf_id is empty), sorted.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ListConventionIds(
      const std::string& caf_id);
  // The books of a Caf as of `as_of`: every convention folded (and as known after each of its
  // corrections), every closing. Computed on every call.
  absl::StatusOr<CafBooks> Books(const std::string& caf_id, const AsOf& as_of);
  // The report of a civil year of a Caf as of `as_of`: CivilYearReportOf(Books(caf_id, as_of),
  // year). Answered from the reports kept (report_cache.h) while nothing of the Caf, nor of the
  // barème, was appended since one was computed; computed from the books otherwise.
  absl::StatusOr<rules::CivilYearReport> GetCivilYear(const std::string& caf_id, int32_t year,
                                                      const AsOf& as_of);
  ReportCache::Stats report_stats() const { return reports_.stats(); }
  // What the folds of conventions kept for queries (snapshots.h) saved: hits and misses.
  ConventionCache::Stats snapshot_stats() const { return cache_.stats(); }
  // R-CTL-4: draft controlled figures, nothing written.
  absl::StatusOr<std::vector<v1::ControleYearOutcome>> SimulateControle(
      const std::string& caf_id, const std::string& convention_id,
      const std::vector<v1::ControlledYear>& years);
  absl::StatusOr<BaremeBook> Baremes(const AsOf& as_of);
  // The convention's stream in log order, with the state right after each event: the fold of
  // every event recorded up to it, at every effective date (what GetConvention as known at the
  // event's instant answers), without the timeline (the replay is the timeline) nor its marks.
  // Built event by event: linear in the events, but for a correction, a backdated event or a
  // barème published meanwhile, which fold the stream up to that event again. `visit(event,
  // state)` is called for each event up to `last_position` (0: the last); a status it returns
  // other than OK stops the replay and is returned. NotFound when the stream has no event.
  using ReplayVisitor = std::function<absl::Status(const DomainEvent&, v1::ConventionState)>;
  absl::Status ReplayConvention(const std::string& caf_id, const std::string& convention_id,
                                uint64_t last_position, const ReplayVisitor& visit);
  // The events of a convention's stream (its whole history, every correction included).
  absl::StatusOr<std::vector<DomainEvent>> ConventionEvents(const std::string& caf_id,
                                                            const std::string& convention_id);

  // R-HIST-3: the recorded computations replayed with the current rules (RecomputeEach of
  // projections/history/recompute.h), nothing written. Events after `range.last_position` are
  // left out, as if not yet recorded (pages of one reading); those before
  // `range.from_position` are inputs only; `visit` is called for every other event of the
  // scope, in log order. Read from the log, not through the streams kept for queries, so that a
  // whole-Caf run does not push them out.
  struct RecomputeRange {
    uint64_t from_position = 0;  // 0: from the first event
    uint64_t last_position = 0;  // 0: to the last
  };
  // One convention's stream: its acomptes, soldes and contrôle decisions (its Caf's closings
  // are in the Caf's run). NotFound naming convention_id when the stream holds no event up to
  // range.last_position. Holds the convention's events.
  absl::Status RecomputeConvention(const std::string& caf_id, const std::string& convention_id,
                                   const RecomputeRange& range, const RecomputeVisitor& visit);
  // Every stream of the Caf (gestionnaires, conventions, civil years) read together, with the
  // barème as an input of its closings (barème events are not visited): its acomptes, soldes,
  // contrôle decisions and closings. NotFound naming caf_id when the Caf has no event up to
  // range.last_position. Holds the Caf's events (and one closing's books) at once, never more.
  absl::Status RecomputeCaf(const std::string& caf_id, const RecomputeRange& range,
                            const RecomputeVisitor& visit);
  // The Cafs holding at least one stream, sorted, those after `after` ("" from the first), at
  // most `max_count` (1 to 100 000). The log's errors otherwise.
  absl::StatusOr<std::vector<std::string>> ListCafs(const std::string& after, size_t max_count);

 private:
  struct Loaded;    // a convention's events and state, for queries
  struct Decision;  // what a convention command decides on: its head and context
  absl::StatusOr<Loaded> LoadConvention(const std::string& caf_id,
                                        const std::string& convention_id, const AsOf& as_of);
  absl::StatusOr<std::optional<Gestionnaire>> LoadGestionnaire(const std::string& caf_id,
                                                               const std::string& gestionnaire_id,
                                                               const AsOf& as_of);
  absl::StatusOr<std::set<int32_t>> ClosedYears(const std::string& caf_id);
  // The original answer of request `request_id` of `caf_id` if it was executed (nullopt when
  // new). kAlreadyExists (R-HIST-1) when it was executed with another method or content.
  absl::StatusOr<std::optional<CommandResult>> Replay(std::string_view method,
                                                      const google::protobuf::Message& command,
                                                      const std::string& caf_id,
                                                      const std::string& request_id,
                                                      const std::string& fingerprint);
  // The head of the convention `last` belongs to when it is exactly the convention right after
  // `last` (its version, folded with what was known then), or nullptr. The caller holds the Caf's
  // lock (no command changes the head meanwhile).
  std::shared_ptr<const ConventionHead> HeadAsOf(const DomainEvent& last);
  // R-ACC-9: the offsets other conventions withheld from the payments of `state`, as of `as_of`.
  absl::Status ShowOffsets(const std::string& caf_id, const AsOf& as_of,
                           v1::ConventionState* state);
  std::optional<OffsetTarget> FindOffsetTarget(const std::string& caf_id,
                                               const std::string& convention_id,
                                               const std::string& payment_id);
  // Appends the facts of request `request_id`. A concurrent call of the same request that
  // wrote first is answered as a retry (through `replay`).
  absl::StatusOr<CommandResult> Record(const std::string& stream, uint64_t expected_version,
                                       Facts facts, const std::string& fingerprint,
                                       const std::string& caf_id,
                                       const ledger::v1::Actor& actor,
                                       const std::string& request_id);
  // The decision of a convention command: the convention's head brought up to the log, and the
  // context its rules read.
  absl::Status PrepareDecision(const std::string& caf_id, const std::string& convention_id,
                               Decision* decision);
  // The head extended with `recorded` (appended to its stream by the command), and the figures
  // of the school years they touched; nullopt when they could not be computed.
  std::optional<v1::ConventionFigures> FoldRecorded(Decision& decision,
                                                    const std::vector<DomainEvent>& recorded,
                                                    const DomainEvent* corrected_target);
  // Runs a convention command: input check, replay check, decide on the head, record, fold.
  template <typename Cmd, typename DecideFn>
  absl::StatusOr<CommandResult> RunConvention(std::string_view method, const Cmd& cmd,
                                              const std::string& convention_id,
                                              const ledger::v1::Actor& actor,
                                              const std::string& request_id, DecideFn decide);
  // Runs a command of no convention: input check, replay check, `run` (decide and record).
  template <typename Cmd, typename RunFn>
  absl::StatusOr<CommandResult> RunOther(std::string_view method, const Cmd& cmd,
                                         const std::string& caf_id,
                                         const std::string& request_id, RunFn run);
  absl::Mutex* CafMutex(const std::string& caf_id);

  // The convention's state as of `as_of` with what its fold reads, and its events when
  // `keep_events` (no decision context).
  absl::StatusOr<Loaded> FoldConventionAt(const std::string& caf_id,
                                          const std::string& convention_id, const AsOf& as_of,
                                          bool keep_events);

  EventLog* const log_;
  // The state as known now of the conventions commanded lately, for their next commands.
  ConventionHeads heads_;
  // The streams read lately: a read asks the log for the events appended since.
  StreamCache streams_;
  // Folds of the conventions with checkpoints, so that as-of queries on long streams start from
  // a snapshot (R-HIST-2); every answer equals a fold from scratch.
  ConventionCache cache_;
  // The civil-year reports computed lately, told of every append this engine makes.
  ReportCache reports_;
  // Offsets withheld from a convention's payments by recoveries of another (R-ACC-9), told of
  // every append this engine makes.
  OffsetIndex offsets_;
  absl::Mutex mutexes_mu_;
  std::map<std::string, std::unique_ptr<absl::Mutex>> caf_mutexes_ ABSL_GUARDED_BY(mutexes_mu_);
};

}  // namespace clas

#endif  // CLAS_PROJECTIONS_ENGINE_ENGINE_H_
