// The commands of the engine: each is "replay check, load, decide, record, fold".
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "projections/engine/command_text.h"
#include "projections/engine/engine_internal.h"
#include "projections/engine/request_digest.h"

namespace clas {
namespace {

// A command whose stream moved under it is decided again, at most this many times.
constexpr int kConflictRetriesMax = 3;
constexpr size_t kRequestIdBytesMax = 128;
constexpr size_t kIdBytesMax = 128;

absl::Status CheckRequest(const std::string& caf_id, const std::string& request_id,
                          const std::string& aggregate_field, const std::string& aggregate_id) {
  Violations v;
  // Ids become parts of the log's stream and event ids: printable ASCII only, as the log
  // requires (an id the log would refuse must be refused here, naming the field).
  if (request_id.empty() || request_id.size() > kRequestIdBytesMax ||
      !IsPrintableAscii(request_id)) {
    v.Add(RuleError("R-HIST-1", "§9", "request_id", absl::CHexEscape(request_id),
                    "identifiant de requête obligatoire (1 à 128 caractères ASCII imprimables), "
                    "choisi par le client"));
  }
  if (caf_id.empty() || caf_id.size() > kIdBytesMax || absl::StrContains(caf_id, "/") ||
      !IsPrintableAscii(caf_id)) {
    v.Add(RuleError("R-HIST-4", "§9", "caf_id", absl::CHexEscape(caf_id),
                    "Caf obligatoire, en ASCII imprimable, sans « / »"));
  }
  if (!aggregate_field.empty() &&
      (aggregate_id.empty() || aggregate_id.size() > kIdBytesMax ||
       absl::StrContains(aggregate_id, "/") || !IsPrintableAscii(aggregate_id))) {
    v.Add(RuleError("R-CONV-4", "§3.1", aggregate_field, absl::CHexEscape(aggregate_id),
                    "identifiant obligatoire (1 à 128 caractères ASCII imprimables, sans « / »)"));
  }
  return v.ToStatus(absl::StatusCode::kInvalidArgument);
}

}  // namespace

template <typename Cmd, typename DecideFn>
absl::StatusOr<CommandResult> Engine::RunConvention(const Cmd& cmd,
                                                    const std::string& convention_id,
                                                    const ledger::v1::Actor& actor,
                                                    const std::string& request_id,
                                                    DecideFn decide) {
  const std::string& caf = cmd.caf_id();
  RETURN_IF_ERROR(CheckRequest(caf, request_id, "convention_id", convention_id));
  RETURN_IF_ERROR(CheckCommandText(cmd));
  const std::string digest = RequestDigest(cmd);
  absl::MutexLock lock(CafMutex(caf));
  ASSIGN_OR_RETURN(auto replay, Replay(caf, request_id, digest));
  if (replay.has_value()) return *std::move(replay);
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(Loaded loaded, LoadConvention(caf, convention_id, AsOf{}));
    ASSIGN_OR_RETURN(Facts facts, decide(loaded));
    auto recorded = Record(ConventionStream(caf, convention_id), loaded.events.size(),
                           std::move(facts), digest, caf, actor, request_id);
    if (absl::IsAborted(recorded.status()) && attempt < kConflictRetriesMax) continue;
    RETURN_IF_ERROR(recorded.status());
    // The state after: the loaded history and the new events, folded with the same context
    // (nothing else can have entered this stream: the Caf's commands are serialised).
    if (!recorded->replayed) {
      loaded.events.insert(loaded.events.end(), recorded->events.begin(), recorded->events.end());
    }
    if (loaded.gestionnaire == std::nullopt && !loaded.events.empty() &&
        loaded.events.front().fact.has_funding_request_filed()) {
      ASSIGN_OR_RETURN(loaded.gestionnaire,
                       LoadGestionnaire(caf, loaded.events.front().fact.funding_request_filed()
                                                 .gestionnaire_id(), AsOf{}));
    }
    FoldContext fold{.baremes = &loaded.baremes,
                     .gestionnaire = loaded.gestionnaire ? &*loaded.gestionnaire : nullptr};
    recorded->convention = cache_.Fold(loaded.events, AsOf{}, fold);
    return recorded;
  }
}

absl::StatusOr<CommandResult> Engine::RegisterGestionnaire(const v1::RegisterGestionnaire& cmd,
                                                           const ledger::v1::Actor& actor,
                                                           const std::string& request_id) {
  RETURN_IF_ERROR(CheckRequest(cmd.caf_id(), request_id, "gestionnaire_id", cmd.gestionnaire_id()));
  RETURN_IF_ERROR(CheckCommandText(cmd));
  const std::string digest = RequestDigest(cmd);
  absl::MutexLock lock(CafMutex(cmd.caf_id()));
  ASSIGN_OR_RETURN(auto replay, Replay(cmd.caf_id(), request_id, digest));
  if (replay.has_value()) return *std::move(replay);
  ASSIGN_OR_RETURN(auto existing, LoadGestionnaire(cmd.caf_id(), cmd.gestionnaire_id(), AsOf{}));
  ASSIGN_OR_RETURN(Facts facts,
                   DecideRegisterGestionnaire(cmd, existing ? &*existing : nullptr));
  return Record(GestionnaireStream(cmd.caf_id(), cmd.gestionnaire_id()), kNoStream,
                std::move(facts), digest, cmd.caf_id(), actor, request_id);
}

absl::StatusOr<CommandResult> Engine::PublishBareme(const v1::PublishBareme& cmd,
                                                    const ledger::v1::Actor& actor,
                                                    const std::string& request_id) {
  // The barème is national: recorded under the Cnaf's name.
  const std::string caf = "cnaf";
  RETURN_IF_ERROR(CheckRequest(caf, request_id, "", ""));
  RETURN_IF_ERROR(CheckCommandText(cmd));
  const std::string digest = RequestDigest(cmd);
  absl::MutexLock lock(CafMutex(caf));
  ASSIGN_OR_RETURN(auto replay, Replay(caf, request_id, digest));
  if (replay.has_value()) return *std::move(replay);
  ASSIGN_OR_RETURN(auto events, log_->ReadStream(BaremeStream()));
  BaremeBook book = BaremeBook::FromEvents(events, AsOf{});
  ASSIGN_OR_RETURN(Facts facts, DecidePublishBareme(cmd, book));
  return Record(BaremeStream(), events.size(), std::move(facts), digest, caf, actor, request_id);
}

absl::StatusOr<CommandResult> Engine::FileFundingRequest(const v1::FileFundingRequest& cmd,
                                                         const ledger::v1::Actor& actor,
                                                         const std::string& request_id) {
  const std::string& id = cmd.request().convention_id();
  return RunConvention(cmd, id, actor, request_id, [&](Loaded& l) -> absl::StatusOr<Facts> {
    ASSIGN_OR_RETURN(auto g, LoadGestionnaire(cmd.caf_id(), cmd.request().gestionnaire_id(), AsOf{}));
    l.gestionnaire = g;
    l.context.gestionnaire = l.gestionnaire ? &*l.gestionnaire : nullptr;
    l.context.baremes = &l.baremes;
    return DecideFileFundingRequest(cmd, l.state, l.context);
  });
}

#define CLAS_CONVENTION_COMMAND(Method, Cmd, DecideCall)                                    \
  absl::StatusOr<CommandResult> Engine::Method(const v1::Cmd& cmd,                          \
                                               const ledger::v1::Actor& actor,              \
                                               const std::string& request_id) {             \
    return RunConvention(cmd, cmd.convention_id(), actor, request_id,                       \
                         [&](Loaded& l) -> absl::StatusOr<Facts> {                          \
                           l.context.baremes = &l.baremes;                                  \
                           l.context.gestionnaire = l.gestionnaire ? &*l.gestionnaire : nullptr; \
                           return DecideCall;                                               \
                         });                                                                \
  }

CLAS_CONVENTION_COMMAND(RecordCommitteeDecision, RecordCommitteeDecision,
                        DecideCommitteeDecision(cmd, l.state, l.context))
CLAS_CONVENTION_COMMAND(SignConvention, SignConvention, DecideSignConvention(cmd, l.state, l.context))
CLAS_CONVENTION_COMMAND(SignAvenant, SignAvenant, DecideSignAvenant(cmd, l.state, l.context))
CLAS_CONVENTION_COMMAND(NotifyCollectifs, NotifyCollectifs,
                        DecideNotifyCollectifs(cmd, l.state, l.context))
CLAS_CONVENTION_COMMAND(PayAcompte, PayAcompte, DecidePayAcompte(cmd, l.state, l.context))
CLAS_CONVENTION_COMMAND(ReceiveBilan, ReceiveBilan, DecideReceiveBilan(cmd, l.state, l.context))
CLAS_CONVENTION_COMMAND(PaySolde, PaySolde, DecidePaySolde(cmd, l.state, l.context))
CLAS_CONVENTION_COMMAND(OpenControle, OpenControle, DecideOpenControle(cmd, l.state, l.context))
CLAS_CONVENTION_COMMAND(RecordControleFindings, RecordControleFindings,
                        DecideControleFindings(cmd, l.state, l.context))
CLAS_CONVENTION_COMMAND(DecideControle, DecideControle, clas::DecideControle(cmd, l.state, l.context))
CLAS_CONVENTION_COMMAND(RecordRecovery, RecordRecovery,
                        DecideRecordRecovery(cmd, l.state, l.context))
CLAS_CONVENTION_COMMAND(PayRappel, PayRappel, DecidePayRappel(cmd, l.state, l.context))
CLAS_CONVENTION_COMMAND(CorrectEvent, CorrectEvent,
                        DecideCorrectEvent(cmd, l.state, l.events, l.context))

#undef CLAS_CONVENTION_COMMAND

absl::StatusOr<CommandResult> Engine::CloseCivilYear(const v1::CloseCivilYear& cmd,
                                                     const ledger::v1::Actor& actor,
                                                     const std::string& request_id) {
  RETURN_IF_ERROR(CheckRequest(cmd.caf_id(), request_id, "", ""));
  RETURN_IF_ERROR(CheckCommandText(cmd));
  const std::string digest = RequestDigest(cmd);
  absl::MutexLock lock(CafMutex(cmd.caf_id()));
  ASSIGN_OR_RETURN(auto replay, Replay(cmd.caf_id(), request_id, digest));
  if (replay.has_value()) return *std::move(replay);
  ASSIGN_OR_RETURN(CafBooks books, Books(cmd.caf_id(), AsOf{}));
  ASSIGN_OR_RETURN(Facts facts, DecideCloseCivilYear(cmd, books));
  const std::string stream = CivilYearStream(cmd.caf_id(), cmd.civil_year());
  ASSIGN_OR_RETURN(auto existing, log_->ReadStream(stream));
  return Record(stream, existing.size(), std::move(facts), digest, cmd.caf_id(), actor,
                request_id);
}

}  // namespace clas
