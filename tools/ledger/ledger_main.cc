// clas-ledger-log: inspect and append to a ledger's generic event log from the command line.
// A thin adapter: parse the arguments, call EventStore, print one line per fact.
//
// Exit codes: 0 ok; 1 refused (conflict, duplicate id, bad input, not found) or verification
// failed; 2 usage; 3 I/O or bad bytes on disk.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "ledger/event_store.h"
#include "ledger/hash_chain.h"

namespace clas::ledger {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitRefused = 1;
constexpr int kExitUsage = 2;
constexpr int kExitIo = 3;

constexpr size_t kReadCountDefault = 100;
constexpr size_t kPayloadShownBytesMax = 60;
constexpr char kDataDirDefault[] = "./data";

constexpr char kUsage[] =
    "usage: clas-ledger-log [--data DIR] COMMAND [ARGS]\n"
    "\n"
    "  head                                       last position, hash and instant\n"
    "  append STREAM EVENT_TYPE [--event-id ID] [--payload TEXT]\n"
    "  read-stream STREAM [--backward] [--from V] [--max N]\n"
    "  read-all [--from P] [--max N]\n"
    "  verify [--from P] [--to P]                 recompute the hash chain\n"
    "  verify-stream STREAM                       check one stream's chain and index\n"
    "  streams [PREFIX]                           stream ids, sorted\n"
    "\n"
    "  --data DIR   the ledger directory (default ./data)\n"
    "exit codes: 0 ok, 1 refused or verification failed, 2 usage, 3 I/O or bad data\n";

struct Args {
  std::string command;
  std::vector<std::string> positional;
  std::map<std::string, std::string> flags;  // boolean flags map to ""
};

const std::set<std::string> kValueFlags = {"--data", "--event-id", "--payload", "--from", "--to",
                                           "--max"};
const std::set<std::string> kBoolFlags = {"--backward", "--help"};

int Usage(const std::string& problem) {
  std::fprintf(stderr, "clas-ledger-log: %s\n\n%s", problem.c_str(), kUsage);
  return kExitUsage;
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "clas-ledger-log: %s\n", status.ToString().c_str());
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kOutOfRange:
      return kExitRefused;
    default:
      return kExitIo;
  }
}

// Returns false (and sets *problem) on an unknown flag or a flag missing its value.
bool Parse(int argc, char** argv, Args* args, std::string* problem) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h") {
      args->flags["--help"] = "";
    } else if (kBoolFlags.count(arg) > 0) {
      args->flags[arg] = "";
    } else if (kValueFlags.count(arg) > 0) {
      if (i + 1 == argc) return *problem = arg + " needs a value", false;
      args->flags[arg] = argv[++i];
    } else if (arg.rfind("--", 0) == 0) {
      return *problem = "unknown flag " + arg, false;
    } else if (args->command.empty()) {
      args->command = arg;
    } else {
      args->positional.push_back(arg);
    }
  }
  return true;
}

// The value of a numeric flag, `fallback` if absent; false if present and not a number.
bool NumberFlag(const Args& args, const std::string& flag, uint64_t fallback, uint64_t* value) {
  const auto it = args.flags.find(flag);
  if (it == args.flags.end()) return *value = fallback, true;
  return absl::SimpleAtoi(it->second, value);
}

std::string FormatInstant(int64_t recorded_at_us) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::FromUnixMicros(recorded_at_us),
                          absl::UTCTimeZone());
}

std::string FormatPayload(const std::string& payload) {
  const bool printable = std::all_of(payload.begin(), payload.end(),
                                     [](char c) { return c >= 0x20 && c <= 0x7e; });
  if (printable && payload.size() <= kPayloadShownBytesMax) return "'" + payload + "'";
  return absl::StrFormat("%d bytes", payload.size());
}

void PrintEvent(const RecordedEvent& event) {
  std::printf("%llu  %s@%llu  %s  id=%s  %s  hash=%s  payload=%s\n",
              static_cast<unsigned long long>(event.position()), event.stream_id().c_str(),
              static_cast<unsigned long long>(event.stream_version()), event.event_type().c_str(),
              event.event_id().c_str(), FormatInstant(event.recorded_at_us()).c_str(),
              ShortHashHex(event.hash).c_str(), FormatPayload(event.payload()).c_str());
}

std::string RandomEventId() {
  std::random_device random;
  return absl::StrFormat("cli-%08x%08x%08x", random(), random(), random());
}

int PrintReport(const VerifyReport& report, const std::string& what) {
  if (report.ok) {
    std::printf("ok: %s, events verified: %llu, last hash %s\n", what.c_str(),
                static_cast<unsigned long long>(report.events_checked),
                ShortHashHex(report.last_hash).c_str());
    return kExitOk;
  }
  std::printf("FAILED: %s, position %llu: %s (events verified before it: %llu)\n", what.c_str(),
              static_cast<unsigned long long>(report.first_bad_position), report.problem.c_str(),
              static_cast<unsigned long long>(report.events_checked));
  return kExitRefused;
}

int Head(EventStore& store, const Args&) {
  const LogHead head = store.Head();
  if (head.position == 0) return std::printf("empty log\n"), kExitOk;
  std::printf("position %llu  hash %s  at %s\n", static_cast<unsigned long long>(head.position),
              ShortHashHex(head.hash).c_str(), FormatInstant(head.recorded_at_us).c_str());
  return kExitOk;
}

int Append(EventStore& store, const Args& args) {
  v1::EventData event;
  const auto id = args.flags.find("--event-id");
  event.set_event_id(id != args.flags.end() ? id->second : RandomEventId());
  event.set_event_type(args.positional[1]);
  const auto payload = args.flags.find("--payload");
  if (payload != args.flags.end()) event.set_payload(payload->second);
  const absl::StatusOr<AppendResult> result =
      store.Append(args.positional[0], ExpectedVersion::Any(), {event});
  if (!result.ok()) return Fail(result.status());
  std::printf("%s position %llu  %s@%llu  id=%s  %s  hash=%s\n",
              result->duplicate ? "already recorded at" : "appended at",
              static_cast<unsigned long long>(result->first_position),
              args.positional[0].c_str(), static_cast<unsigned long long>(result->first_version),
              event.event_id().c_str(), FormatInstant(result->recorded_at_us).c_str(),
              ShortHashHex(result->last_hash).c_str());
  return kExitOk;
}

int PrintEvents(const absl::StatusOr<std::vector<RecordedEvent>>& events) {
  if (!events.ok()) return Fail(events.status());
  for (const RecordedEvent& event : *events) PrintEvent(event);
  return kExitOk;
}

int ReadStream(EventStore& store, const Args& args) {
  const bool backward = args.flags.count("--backward") > 0;
  uint64_t from = 0;
  uint64_t max = 0;
  if (!NumberFlag(args, "--from", backward ? kStreamEnd : 1, &from) ||
      !NumberFlag(args, "--max", kReadCountDefault, &max)) {
    return Usage("--from and --max take a number");
  }
  return PrintEvents(store.ReadStream(args.positional[0], from,
                                      backward ? Direction::kBackward : Direction::kForward, max));
}

int ReadAll(EventStore& store, const Args& args) {
  uint64_t from = 0;
  uint64_t max = 0;
  if (!NumberFlag(args, "--from", 1, &from) || !NumberFlag(args, "--max", kReadCountDefault, &max)) {
    return Usage("--from and --max take a number");
  }
  return PrintEvents(store.ReadAll(from, max));
}

int Verify(EventStore& store, const Args& args) {
  const uint64_t head = store.Head().position;
  uint64_t from = 0;
  uint64_t to = 0;
  if (!NumberFlag(args, "--from", 1, &from) || !NumberFlag(args, "--to", head, &to)) {
    return Usage("--from and --to take a number");
  }
  if (head == 0) return std::printf("ok: the log is empty\n"), kExitOk;
  const absl::StatusOr<VerifyReport> report = store.Verify(from, to);
  if (!report.ok()) return Fail(report.status());
  return PrintReport(*report, absl::StrFormat("positions %d..%d", from, to));
}

int VerifyStream(EventStore& store, const Args& args) {
  const absl::StatusOr<VerifyReport> report = store.VerifyStream(args.positional[0]);
  if (!report.ok()) return Fail(report.status());
  return PrintReport(*report, "stream '" + args.positional[0] + "'");
}

int Streams(EventStore& store, const Args& args) {
  const absl::StatusOr<std::vector<std::string>> streams =
      store.ListStreams(args.positional.empty() ? "" : args.positional[0]);
  if (!streams.ok()) return Fail(streams.status());
  for (const std::string& stream : *streams) std::printf("%s\n", stream.c_str());
  return kExitOk;
}

struct Command {
  size_t positional_min;
  size_t positional_max;
  std::set<std::string> flags;  // besides --data and --help
  bool writes;
  std::function<int(EventStore&, const Args&)> run;
};

const std::map<std::string, Command>& Commands() {
  static const auto* commands = new std::map<std::string, Command>{
      {"head", {0, 0, {}, false, Head}},
      {"append", {2, 2, {"--event-id", "--payload"}, true, Append}},
      {"read-stream", {1, 1, {"--backward", "--from", "--max"}, false, ReadStream}},
      {"read-all", {0, 0, {"--from", "--max"}, false, ReadAll}},
      {"verify", {0, 0, {"--from", "--to"}, false, Verify}},
      {"verify-stream", {1, 1, {}, false, VerifyStream}},
      {"streams", {0, 1, {}, false, Streams}},
  };
  return *commands;
}

int Run(int argc, char** argv) {
  Args args;
  std::string problem;
  if (!Parse(argc, argv, &args, &problem)) return Usage(problem);
  if (args.flags.count("--help") > 0) return std::printf("%s", kUsage), kExitOk;
  if (args.command.empty()) return Usage("a command is required");
  const auto command = Commands().find(args.command);
  if (command == Commands().end()) return Usage("unknown command " + args.command);
  const Command& spec = command->second;
  if (args.positional.size() < spec.positional_min || args.positional.size() > spec.positional_max) {
    return Usage("wrong number of arguments for " + args.command);
  }
  for (const auto& [flag, value] : args.flags) {
    if (flag != "--data" && spec.flags.count(flag) == 0) {
      return Usage(flag + " does not apply to " + args.command);
    }
  }
  Options options;
  const auto data = args.flags.find("--data");
  options.path = data != args.flags.end() ? data->second : kDataDirDefault;
  options.read_only = !spec.writes;
  absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
  if (!store.ok()) {
    return absl::IsNotFound(store.status()) ? (Fail(store.status()), kExitIo)
                                            : Fail(store.status());
  }
  return spec.run(**store, args);
}

}  // namespace
}  // namespace clas::ledger

int main(int argc, char** argv) { return clas::ledger::Run(argc, argv); }
