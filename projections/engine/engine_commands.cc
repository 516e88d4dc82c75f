// The commands of the engine: each is "input check, replay check, decide, record, fold".
#include "absl/strings/str_format.h"
#include "projections/convention/gestionnaire.h"
#include "projections/engine/command_input.h"
#include "projections/engine/engine_internal.h"
#include "projections/engine/request_key.h"

namespace clas {
namespace {

// A command whose stream moved under it is decided again, at most this many times.
constexpr int kConflictRetriesMax = 3;

absl::Status RequireId(std::string_view field, const std::string& id, const Rule& rule) {
  if (!id.empty()) return absl::OkStatus();
  Violations v;
  v.Add(RuleError(rule, field, "", "identifiant obligatoire"));
  return v.ToStatus(absl::StatusCode::kInvalidArgument);
}

}  // namespace

template <typename Cmd, typename DecideFn>
absl::StatusOr<CommandResult> Engine::RunConvention(std::string_view method, const Cmd& cmd,
                                                    const std::string& convention_id,
                                                    const ledger::v1::Actor& actor,
                                                    const std::string& request_id,
                                                    DecideFn decide) {
  const std::string& caf = cmd.caf_id();
  RETURN_IF_ERROR(CheckCommandInput(request_id, cmd));
  RETURN_IF_ERROR(RequireId("convention_id", convention_id, rule::kConv4));
  const std::string fingerprint = RequestFingerprint(method, cmd);
  absl::MutexLock lock(CafMutex(caf));
  for (int attempt = 0;; ++attempt) {
    // A retry; or, after a conflict, the same request recorded meanwhile by another writer.
    ASSIGN_OR_RETURN(auto replay, Replay(method, cmd, caf, request_id, fingerprint));
    if (replay.has_value()) return *std::move(replay);
    Decision d;
    RETURN_IF_ERROR(PrepareDecision(caf, convention_id, &d));
    ASSIGN_OR_RETURN(Facts facts, decide(d));
    auto recorded = Record(d.stream, d.head->version, std::move(facts), fingerprint, caf, actor,
                           request_id);
    if (absl::IsAborted(recorded.status()) && attempt < kConflictRetriesMax) continue;
    if (absl::IsAlreadyExists(recorded.status()) || (recorded.ok() && recorded->replayed)) {
      // The same request recorded meanwhile by another writer of the log: its answer.
      ASSIGN_OR_RETURN(auto again, Replay(method, cmd, caf, request_id, fingerprint));
      if (again.has_value()) return *std::move(again);
    }
    RETURN_IF_ERROR(recorded.status());
    // Written: from here on, the answer is the acknowledgement.
    recorded->figures = FoldRecorded(d, recorded->events, d.corrected ? &*d.corrected : nullptr);
    return recorded;
  }
}

template <typename Cmd, typename RunFn>
absl::StatusOr<CommandResult> Engine::RunOther(std::string_view method, const Cmd& cmd,
                                               const std::string& caf_id,
                                               const std::string& request_id, RunFn run) {
  RETURN_IF_ERROR(CheckCommandInput(request_id, cmd));
  const std::string fingerprint = RequestFingerprint(method, cmd);
  absl::MutexLock lock(CafMutex(caf_id));
  ASSIGN_OR_RETURN(auto replay, Replay(method, cmd, caf_id, request_id, fingerprint));
  if (replay.has_value()) return *std::move(replay);
  absl::StatusOr<CommandResult> recorded = run(fingerprint);
  if (absl::IsAlreadyExists(recorded.status()) || (recorded.ok() && recorded->replayed)) {
    ASSIGN_OR_RETURN(auto again, Replay(method, cmd, caf_id, request_id, fingerprint));
    if (again.has_value()) return *std::move(again);
  }
  return recorded;
}

absl::StatusOr<CommandResult> Engine::RegisterGestionnaire(const v1::RegisterGestionnaire& cmd,
                                                           const ledger::v1::Actor& actor,
                                                           const std::string& request_id) {
  return RunOther("RegisterGestionnaire", cmd, cmd.caf_id(), request_id,
                  [&](const std::string& fingerprint) -> absl::StatusOr<CommandResult> {
                    ASSIGN_OR_RETURN(auto existing, LoadGestionnaire(cmd.caf_id(),
                                                                     cmd.gestionnaire_id(), AsOf{}));
                    ASSIGN_OR_RETURN(Facts facts, DecideRegisterGestionnaire(
                                                      cmd, existing ? &*existing : nullptr));
                    return Record(GestionnaireStream(cmd.caf_id(), cmd.gestionnaire_id()),
                                  kNoStream, std::move(facts), fingerprint, cmd.caf_id(), actor,
                                  request_id);
                  });
}

absl::StatusOr<CommandResult> Engine::RenewCentreSocialAgrement(
    const v1::RenewCentreSocialAgrement& cmd, const ledger::v1::Actor& actor,
    const std::string& request_id) {
  return RunOther("RenewCentreSocialAgrement", cmd, cmd.caf_id(), request_id,
                  [&](const std::string& fingerprint) -> absl::StatusOr<CommandResult> {
                    const std::string stream =
                        GestionnaireStream(cmd.caf_id(), cmd.gestionnaire_id());
                    ASSIGN_OR_RETURN(auto events, log_->ReadStream(stream));
                    const auto existing = FoldGestionnaire(cmd.caf_id(), events, AsOf{});
                    const auto on_date = FoldGestionnaire(
                        cmd.caf_id(), events, AsOf{.effective_date = cmd.date()});
                    ASSIGN_OR_RETURN(Facts facts, DecideRenewCentreSocialAgrement(
                                                      cmd, existing ? &*existing : nullptr,
                                                      on_date ? &*on_date : nullptr));
                    return Record(stream, events.size(), std::move(facts), fingerprint,
                                  cmd.caf_id(), actor, request_id);
                  });
}

absl::StatusOr<CommandResult> Engine::PublishBareme(const v1::PublishBareme& cmd,
                                                    const ledger::v1::Actor& actor,
                                                    const std::string& request_id) {
  // The barème is national: recorded under the Cnaf's name.
  const std::string caf = "cnaf";
  return RunOther("PublishBareme", cmd, caf, request_id,
                  [&](const std::string& fingerprint) -> absl::StatusOr<CommandResult> {
                    ASSIGN_OR_RETURN(auto events, log_->ReadStream(BaremeStream()));
                    BaremeBook book = BaremeBook::FromEvents(events, AsOf{});
                    ASSIGN_OR_RETURN(Facts facts, DecidePublishBareme(cmd, book));
                    return Record(BaremeStream(), events.size(), std::move(facts), fingerprint,
                                  caf, actor, request_id);
                  });
}

absl::StatusOr<CommandResult> Engine::CloseCivilYear(const v1::CloseCivilYear& cmd,
                                                     const ledger::v1::Actor& actor,
                                                     const std::string& request_id) {
  return RunOther("CloseCivilYear", cmd, cmd.caf_id(), request_id,
                  [&](const std::string& fingerprint) -> absl::StatusOr<CommandResult> {
                    ASSIGN_OR_RETURN(CafBooks books, Books(cmd.caf_id(), AsOf{}));
                    ASSIGN_OR_RETURN(Facts facts, DecideCloseCivilYear(cmd, books));
                    const std::string stream = CivilYearStream(cmd.caf_id(), cmd.civil_year());
                    ASSIGN_OR_RETURN(auto existing, log_->ReadStream(stream));
                    return Record(stream, existing.size(), std::move(facts), fingerprint,
                                  cmd.caf_id(), actor, request_id);
                  });
}

absl::StatusOr<CommandResult> Engine::FileFundingRequest(const v1::FileFundingRequest& cmd,
                                                         const ledger::v1::Actor& actor,
                                                         const std::string& request_id) {
  return RunConvention("FileFundingRequest", cmd, cmd.request().convention_id(), actor,
                       request_id, [&](Decision& d) -> absl::StatusOr<Facts> {
                         // R-CONV-4: the gestionnaire as registered on the request's date.
                         ASSIGN_OR_RETURN(
                             d.gestionnaire,
                             LoadGestionnaire(cmd.caf_id(), cmd.request().gestionnaire_id(),
                                              AsOf{.effective_date = cmd.date()}));
                         d.Bind();
                         return DecideFileFundingRequest(cmd, d.head->state, d.context);
                       });
}

absl::StatusOr<CommandResult> Engine::CorrectEvent(const v1::CorrectEvent& cmd,
                                                   const ledger::v1::Actor& actor,
                                                   const std::string& request_id) {
  return RunConvention("CorrectEvent", cmd, cmd.convention_id(), actor, request_id,
                       [&](Decision& d) -> absl::StatusOr<Facts> {
                         if (!cmd.target_event_id().empty()) {
                           ASSIGN_OR_RETURN(auto target, log_->FindEvent(cmd.target_event_id()));
                           if (target.has_value() && target->stream_id == d.stream) {
                             d.corrected = *std::move(target);
                           }
                         }
                         return DecideCorrectEvent(cmd, d.head->state,
                                                   d.corrected ? &*d.corrected : nullptr,
                                                   d.context);
                       });
}

#define CLAS_CONVENTION_COMMAND(Method, DecideFn)                                             \
  absl::StatusOr<CommandResult> Engine::Method(const v1::Method& cmd,                         \
                                               const ledger::v1::Actor& actor,                \
                                               const std::string& request_id) {               \
    return RunConvention(#Method, cmd, cmd.convention_id(), actor, request_id,                \
                         [&](Decision& d) -> absl::StatusOr<Facts> {                          \
                           return DecideFn(cmd, d.head->state, d.context);                    \
                         });                                                                  \
  }

CLAS_CONVENTION_COMMAND(RecordCommitteeDecision, DecideCommitteeDecision)
CLAS_CONVENTION_COMMAND(SignConvention, DecideSignConvention)
CLAS_CONVENTION_COMMAND(SignAvenant, DecideSignAvenant)
CLAS_CONVENTION_COMMAND(NotifyCollectifs, DecideNotifyCollectifs)
CLAS_CONVENTION_COMMAND(PayAcompte, DecidePayAcompte)
CLAS_CONVENTION_COMMAND(ReceiveBilan, DecideReceiveBilan)
CLAS_CONVENTION_COMMAND(PaySolde, DecidePaySolde)
CLAS_CONVENTION_COMMAND(OpenControle, DecideOpenControle)
CLAS_CONVENTION_COMMAND(RecordControleFindings, DecideControleFindings)
CLAS_CONVENTION_COMMAND(DecideControle, clas::DecideControle)
CLAS_CONVENTION_COMMAND(RecordRecovery, DecideRecordRecovery)
CLAS_CONVENTION_COMMAND(PayRappel, DecidePayRappel)

#undef CLAS_CONVENTION_COMMAND

}  // namespace clas
