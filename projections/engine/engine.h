// The Clas engine: runs the commands of commands.proto against an EventLog (read the state,
// decide by the rules, append the facts atomically) and answers the queries (states as of D,
// known at T; civil years; simulations). Everything Clas the server and the tools do goes
// through here, so that the rules are applied in exactly one place.
//
// Idempotency: a command carries a request id; its facts are recorded with event ids
// "<caf>/<request id>#<i>". A retry of the same request id finds them and answers with the
// original events and the convention as it was right after them, writing nothing.
//
// The actor recorded on each event (R-HIST-4) is given by the caller (the server takes it from the
// credentials), never taken from the command.
//
// Caches, each bounded (see its header), none changing an answer: the streams read lately
// (stream_cache.h), the folds of the conventions with checkpoints (snapshots.h), and the
// civil-year reports computed lately (report_cache.h), which the engine tells of every append it
// makes; another writer on the same log is seen through the log's head.
//
// Thread-safety: thread-safe. Commands of one Caf are serialised (decisions that read several
// streams, such as the closing of a civil year, stay consistent); commands of different Cafs run
// in parallel, and optimistic concurrency on each stream guards the rest.
#ifndef CLAS_PROJECTIONS_ENGINE_ENGINE_H_
#define CLAS_PROJECTIONS_ENGINE_ENGINE_H_

#include <map>
#include <optional>
#include <set>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "clas/v1/commands.pb.h"
#include "clas/v1/state.pb.h"
#include "projections/accounts/books.h"
#include "projections/convention/decide.h"
#include "projections/convention/fold.h"
#include "projections/engine/event_log.h"
#include "projections/engine/report_cache.h"
#include "projections/engine/stream_cache.h"
#include "projections/history/snapshots.h"

namespace clas {

struct CommandResult {
  std::vector<DomainEvent> events;   // the events recorded (or found, on a retry)
  v1::ConventionState convention;    // the convention after them (when the command has one)
  bool replayed = false;             // true when the request id was already executed
};

class Engine {
 public:
  // REQUIRES: log outlives the engine.
  explicit Engine(EventLog* log);

  absl::StatusOr<CommandResult> RegisterGestionnaire(const v1::RegisterGestionnaire& cmd,
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
  absl::StatusOr<v1::GestionnaireState> GetGestionnaire(const std::string& caf_id,
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
  // R-CTL-4: draft controlled figures, nothing written.
  absl::StatusOr<std::vector<v1::ControleYearOutcome>> SimulateControle(
      const std::string& caf_id, const std::string& convention_id,
      const std::vector<v1::ControlledYear>& years);
  absl::StatusOr<BaremeBook> Baremes(const AsOf& as_of);
  // The events of a convention's stream (its whole history, every correction included).
  absl::StatusOr<std::vector<DomainEvent>> ConventionEvents(const std::string& caf_id,
                                                            const std::string& convention_id);

 private:
  struct Loaded;  // a convention's events, state and decision context
  absl::StatusOr<Loaded> LoadConvention(const std::string& caf_id,
                                        const std::string& convention_id, const AsOf& as_of);
  absl::StatusOr<std::optional<v1::GestionnaireState>> LoadGestionnaire(
      const std::string& caf_id, const std::string& gestionnaire_id, const AsOf& as_of);
  absl::StatusOr<std::set<int32_t>> ClosedYears(const std::string& caf_id);
  // The original answer of a request id already executed (nullopt when new). kAlreadyExists
  // when it was executed with another command (digest).
  absl::StatusOr<std::optional<CommandResult>> Replay(const std::string& caf_id,
                                                      const std::string& request_id,
                                                      const std::string& digest);
  std::optional<OffsetTarget> FindOffsetTarget(const std::string& caf_id,
                                               const std::string& convention_id,
                                               const std::string& payment_id);
  absl::StatusOr<CommandResult> Record(const std::string& stream, uint64_t expected_version,
                                       Facts facts, const std::string& digest, const std::string& caf_id,
                                       const ledger::v1::Actor& actor,
                                       const std::string& request_id);
  // Runs a convention command: replay check, load, decide, record, fold.
  template <typename Cmd, typename DecideFn>
  absl::StatusOr<CommandResult> RunConvention(const Cmd& cmd, const std::string& convention_id,
                                              const ledger::v1::Actor& actor,
                                              const std::string& request_id, DecideFn decide);
  absl::Mutex* CafMutex(const std::string& caf_id);

  // The convention's state as of `as_of` with what its fold reads, and its events when
  // `keep_events` (no decision context).
  absl::StatusOr<Loaded> FoldConventionAt(const std::string& caf_id,
                                          const std::string& convention_id, const AsOf& as_of,
                                          bool keep_events);

  EventLog* const log_;
  // The streams read lately: a read asks the log for the events appended since.
  StreamCache streams_;
  // Folds of the conventions with checkpoints, so that as-of queries on long streams start from
  // a snapshot (R-HIST-2); every answer equals a fold from scratch.
  ConventionCache cache_;
  // The civil-year reports computed lately, told of every append this engine makes.
  ReportCache reports_;
  absl::Mutex mutexes_mu_;
  std::map<std::string, std::unique_ptr<absl::Mutex>> caf_mutexes_ ABSL_GUARDED_BY(mutexes_mu_);
};

}  // namespace clas

#endif  // CLAS_PROJECTIONS_ENGINE_ENGINE_H_
