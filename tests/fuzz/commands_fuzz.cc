// Fuzz target: the validation of every Conventions command (commands.proto) by the engine
// (projections/engine), on an in-memory log, the way the server runs them.
//
// CLAS_FUZZ_TRACE=1 in the environment prints the outcome of each step.
//
// Input: a clas.fuzz.Script (fuzz_commands.proto), in protobuf's binary form or, when it starts
// with '#', in text form (the seed corpus: readable convention lives). Its steps run in order
// on a new engine over an empty log.
//
// Properties, beyond "no crash, no undefined behaviour" (overflow of a signed amount included):
//   - a refused command writes nothing (the head stays) and says why: a non-empty message and a
//     code that names the caller's mistake or the state's, never kInternal, kUnknown or kDataLoss;
//   - an accepted command appends exactly the events it answers, at the positions after the
//     head, and a retry with its request id replays them and writes nothing;
//   - at the end, every convention and every Caf's books can be read.
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "projections/engine/engine.h"
#include "tests/fuzz/fuzz_commands.pb.h"
#include "tests/fuzz/fuzz_support.h"

namespace clas::fuzz {
namespace {

constexpr int kStepsMax = 48;

// Text that does not parse is just an uninteresting input: no message for each.
class SilentErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int, int, const std::string&) override {}
};
constexpr char kCaf[] = "caf-75";

ledger::v1::Actor ActorOf(uint32_t which) {
  ledger::v1::Actor actor;
  switch (which % 4) {
    case 0: actor.set_id("agent-1"); actor.set_role("agent"); actor.set_tenant_id(kCaf); break;
    case 1: actor.set_id("ctl-1"); actor.set_role("controleur"); actor.set_tenant_id(kCaf); break;
    case 2: actor.set_id("cnaf-1"); actor.set_role("cnaf"); break;
    default: actor.set_id("agent-9"); actor.set_role("agent"); actor.set_tenant_id("caf-13");
  }
  return actor;
}

absl::StatusOr<CommandResult> Run(Engine& engine, const Step& step,
                                  const ledger::v1::Actor& actor, const std::string& request_id) {
#define CLAS_FUZZ_COMMAND(Case, field, Method) \
  case Step::Case:                             \
    return engine.Method(step.field(), actor, request_id);
  switch (step.command_case()) {
    CLAS_FUZZ_COMMAND(kRegisterGestionnaire, register_gestionnaire, RegisterGestionnaire)
    CLAS_FUZZ_COMMAND(kPublishBareme, publish_bareme, PublishBareme)
    CLAS_FUZZ_COMMAND(kFileFundingRequest, file_funding_request, FileFundingRequest)
    CLAS_FUZZ_COMMAND(kRecordCommitteeDecision, record_committee_decision,
                      RecordCommitteeDecision)
    CLAS_FUZZ_COMMAND(kSignConvention, sign_convention, SignConvention)
    CLAS_FUZZ_COMMAND(kSignAvenant, sign_avenant, SignAvenant)
    CLAS_FUZZ_COMMAND(kNotifyCollectifs, notify_collectifs, NotifyCollectifs)
    CLAS_FUZZ_COMMAND(kPayAcompte, pay_acompte, PayAcompte)
    CLAS_FUZZ_COMMAND(kReceiveBilan, receive_bilan, ReceiveBilan)
    CLAS_FUZZ_COMMAND(kPaySolde, pay_solde, PaySolde)
    CLAS_FUZZ_COMMAND(kOpenControle, open_controle, OpenControle)
    CLAS_FUZZ_COMMAND(kRecordControleFindings, record_controle_findings, RecordControleFindings)
    CLAS_FUZZ_COMMAND(kDecideControle, decide_controle, DecideControle)
    CLAS_FUZZ_COMMAND(kRecordRecovery, record_recovery, RecordRecovery)
    CLAS_FUZZ_COMMAND(kPayRappel, pay_rappel, PayRappel)
    CLAS_FUZZ_COMMAND(kCloseCivilYear, close_civil_year, CloseCivilYear)
    CLAS_FUZZ_COMMAND(kCorrectEvent, correct_event, CorrectEvent)
    case Step::COMMAND_NOT_SET:
      break;
  }
#undef CLAS_FUZZ_COMMAND
  return absl::InvalidArgumentError("no command");
}

bool SaysWhy(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kOk:
      return false;
    default:
      return !status.message().empty();
  }
}

void RunStep(Engine& engine, InMemoryEventLog& log, const Step& step, int index) {
  if (step.command_case() == Step::COMMAND_NOT_SET) return;
  const ledger::v1::Actor actor = ActorOf(step.actor());
  const std::string request_id =
      step.request_id().empty() ? absl::StrCat("step-", index) : step.request_id();
  const uint64_t head = log.HeadPosition();
  const absl::StatusOr<CommandResult> result = Run(engine, step, actor, request_id);
  const std::string what = absl::StrCat("step ", index, " ", step.ShortDebugString());
  if (std::getenv("CLAS_FUZZ_TRACE") != nullptr) {  // to see how deep a seed goes
    std::fprintf(stderr, "step %d %s: %s\n", index, Step::descriptor()->FindFieldByNumber(
        static_cast<int>(step.command_case()))->name().c_str(),
        result.ok() ? (result->replayed ? "replayed" : "accepted")
                    : result.status().ToString().c_str());
  }
  if (!result.ok()) {
    FUZZ_CHECK(log.HeadPosition() == head, absl::StrCat(what, "\n  refused but wrote: ",
                                                         result.status().ToString()));
    FUZZ_CHECK(SaysWhy(result.status()), absl::StrCat(what, "\n  ", result.status().ToString()));
    return;
  }
  if (result->replayed) {
    FUZZ_CHECK(log.HeadPosition() == head, absl::StrCat(what, "\n  a replay wrote"));
    return;
  }
  FUZZ_CHECK(!result->events.empty(), absl::StrCat(what, "\n  accepted, nothing recorded"));
  FUZZ_CHECK(log.HeadPosition() == head + result->events.size(),
             absl::StrCat(what, "\n  head ", log.HeadPosition(), " after ", head, " + ",
                          result->events.size()));
  for (size_t i = 0; i < result->events.size(); ++i) {
    FUZZ_CHECK(result->events[i].position == head + 1 + i, what);
  }
  const absl::StatusOr<CommandResult> retry = Run(engine, step, actor, request_id);
  FUZZ_CHECK(retry.ok() && retry->replayed,
             absl::StrCat(what, "\n  retry: ", retry.status().ToString()));
  FUZZ_CHECK(retry->events.size() == result->events.size(), what);
  for (size_t i = 0; i < result->events.size(); ++i) {
    FUZZ_CHECK(retry->events[i].position == result->events[i].position, what + "\n  retry: other events");
  }
  FUZZ_CHECK(retry->figures.has_value() == result->figures.has_value() &&
                 (!result->figures.has_value() ||
                  retry->figures->SerializeAsString() == result->figures->SerializeAsString()),
             what + "\n  retry: other figures");
  FUZZ_CHECK(log.HeadPosition() == head + result->events.size(), what + "\n  a retry wrote");
}

void CheckReadable(Engine& engine) {
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ids =
      engine.ListConventionIds("");
  FUZZ_CHECK(ids.ok(), ids.status().ToString());
  std::set<std::string> cafs;
  for (const auto& [caf, convention] : *ids) {
    cafs.insert(caf);
    absl::StatusOr<v1::ConventionState> state = engine.GetConvention(caf, convention, AsOf{});
    FUZZ_CHECK(state.ok(), absl::StrCat(caf, "/", convention, ": ", state.status().ToString()));
  }
  for (const std::string& caf : cafs) {
    absl::StatusOr<CafBooks> books = engine.Books(caf, AsOf{});
    FUZZ_CHECK(books.ok(), absl::StrCat(caf, ": ", books.status().ToString()));
  }
}

}  // namespace
}  // namespace clas::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clas;
  fuzz::Script script;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  fuzz::SilentErrors silent;
  google::protobuf::TextFormat::Parser text_parser;
  text_parser.RecordErrorsTo(&silent);
  const bool parsed = !bytes.empty() && bytes[0] == '#' ? text_parser.ParseFromString(bytes, &script)
                                                        : script.ParseFromString(bytes);
  if (!parsed) return 0;
  InMemoryEventLog log;
  Engine engine(&log);
  int index = 0;
  for (const fuzz::Step& step : script.steps()) {
    if (++index > fuzz::kStepsMax) break;
    fuzz::RunStep(engine, log, step, index);
  }
  fuzz::CheckReadable(engine);
  return 0;
}
