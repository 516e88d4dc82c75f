// verify: the hash chain, three ways — through the server (VerifyChain), on a data directory
// opened read-only (--data), or on one convention's export alone (--file).
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/base/status_macros.h"
#include "ledger/event_store.h"
#include "ledger/hash_chain.h"
#include "ledger/stream_export.h"
#include "tools/clasctl/commands.h"
#include "tools/clasctl/progress.h"
#include "tools/clasctl/remote.h"
#include "tools/clasctl/store_tools.h"
#include "tools/clasctl/text.h"

namespace clas::ctl {
namespace {

// An export larger than this is refused: ExportConvention answers within a gRPC message.
constexpr std::streamsize kExportBytesMax = std::streamsize{1} << 30;

std::string ChainText(const v1::VerifyChainResponse& r) {
  if (!r.ok()) {
    return absl::StrCat("Chain BROKEN at position ", r.first_bad_position(), ": ", r.problem(),
                        "\n  ", r.events_checked(), " events intact before it; head position ",
                        r.head_position(), "\n");
  }
  return absl::StrCat("Chain OK: ", r.events_checked(), " events checked; head position ",
                      r.head_position(), ", hash ", ledger::HashHex(r.head_hash()), "\n");
}

int Print(const v1::VerifyChainResponse& r, bool json, const std::string& text, Io& io) {
  io.out << (json ? ToJson(r) : text);
  return r.ok() ? kExitOk : kExitRefused;
}

absl::StatusOr<std::pair<uint64_t, uint64_t>> RangeOf(const Invocation& in, uint64_t head) {
  ASSIGN_OR_RETURN(int64_t from, in.GetInt("from", 1));
  ASSIGN_OR_RETURN(int64_t to, in.GetInt("to", static_cast<int64_t>(head)));
  if (from < 1 || to < from || static_cast<uint64_t>(to) > head) {
    return absl::InvalidArgumentError(
        absl::StrCat("--from/--to: need 1 <= from <= to <= head (", head, ")"));
  }
  return std::make_pair(static_cast<uint64_t>(from), static_cast<uint64_t>(to));
}

absl::StatusOr<int> VerifyRemote(const Invocation& in, bool json, Io& io) {
  v1::VerifyChainRequest request;
  ASSIGN_OR_RETURN(int64_t from, in.GetInt("from", 0));
  ASSIGN_OR_RETURN(int64_t to, in.GetInt("to", 0));
  if (from < 0 || to < 0) return absl::InvalidArgumentError("--from/--to: positions are >= 1");
  request.set_from_position(static_cast<uint64_t>(from));
  request.set_to_position(static_cast<uint64_t>(to));
  ASSIGN_OR_RETURN(Remote remote, Remote::Connect(in));
  v1::VerifyChainResponse response;
  grpc::Status status = remote.audit()->VerifyChain(remote.Context().get(), request, &response);
  if (!status.ok()) return ReportRpcError(status, "verify", io);
  return Print(response, json, ChainText(response), io);
}

// The findings of opening a damaged ledger, first in the text; the chain and indexes of what
// can be read follow.
std::string DamageText(const std::string& dir, const std::vector<std::string>& damage) {
  std::string out;
  for (const std::string& finding : damage)
    absl::StrAppend(&out, "Ledger ", dir, " DAMAGED: ", finding, "\n");
  return out;
}

// --expect POSITION:HASH: a position and the full hex hash of its event, known from before.
absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>> ExpectedOf(const Invocation& in) {
  const std::string text = in.Get("expect");
  if (text.empty()) return std::optional<std::pair<uint64_t, std::string>>();
  const std::vector<std::string> parts = absl::StrSplit(text, absl::MaxSplits(':', 1));
  uint64_t position = 0;
  std::string hash;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &position) || position == 0 ||
      parts[1].size() != 2 * ledger::kHashBytes ||
      !absl::c_all_of(parts[1], [](char c) { return absl::ascii_isxdigit(c); })) {
    return absl::InvalidArgumentError(absl::StrCat("--expect: '", text,
                                                   "' is not POSITION:HASH with the hash's ",
                                                   2 * ledger::kHashBytes, " hex digits"));
  }
  hash = absl::HexStringToBytes(parts[1]);
  return std::make_optional(std::make_pair(position, hash));
}

// What the ledger holds at an expected position; empty when it is the expected event.
std::string CheckExpected(const ledger::EventStore& store, uint64_t position,
                          const std::string& hash) {
  const uint64_t head = store.Head().position;
  if (position > head) {
    return absl::StrCat("position ", position, " (hash ", ledger::ShortHashHex(hash),
                        ", given by --expect) is missing: the log ends at position ", head,
                        ", events were lost");
  }
  absl::StatusOr<ledger::RecordedEvent> event = store.Read(position);
  if (!event.ok()) {
    return absl::StrCat("position ", position,
                        ", given by --expect, cannot be read: ", event.status().message());
  }
  if (event->hash != hash) {
    return absl::StrCat("position ", position, " holds hash ", ledger::ShortHashHex(event->hash),
                        ", not ", ledger::ShortHashHex(hash), " given by --expect");
  }
  return "";
}

absl::StatusOr<int> VerifyData(const Invocation& in, bool json, Io& io) {
  const std::string dir = in.Get("data");
  ASSIGN_OR_RETURN(const auto expected, ExpectedOf(in));
  ledger::Options options;
  options.path = dir;
  options.read_only = true;
  options.tolerate_damage = true;  // verification reports on a damaged ledger, never refuses it
  absl::StatusOr<std::unique_ptr<ledger::EventStore>> opened = ledger::EventStore::Open(options);
  v1::VerifyChainResponse response;
  if (absl::IsDataLoss(opened.status())) {
    // Even a tolerant read-only open failed: a table file or the manifest is damaged or gone.
    response.set_ok(false);
    response.set_problem(std::string(opened.status().message()));
    return Print(response, json,
                 absl::StrCat("Ledger ", dir, " DAMAGED: it cannot be opened, even read-only: ",
                              opened.status().message(), "\n"),
                 io);
  }
  if (!opened.ok()) return opened.status();
  const ledger::EventStore& store = **opened;
  std::vector<std::string> damage = store.Damage();
  if (expected.has_value()) {
    std::string found = CheckExpected(store, expected->first, expected->second);
    if (!found.empty()) damage.push_back(std::move(found));
  }
  const ledger::LogHead head = store.Head();
  response.set_ok(damage.empty());
  response.set_head_position(head.position);
  response.set_head_hash(head.hash);
  if (!damage.empty()) {
    response.set_first_bad_position(head.position + 1);
    response.set_problem(absl::StrJoin(damage, "; "));
  }
  if (head.position == 0) {
    return Print(response, json, DamageText(dir, damage) + "Chain OK: the log is empty\n", io);
  }
  ASSIGN_OR_RETURN(auto range, RangeOf(in, head.position));
  Progress progress(io.err, io.progress, "verify", "events", range.second - range.first + 1);
  ASSIGN_OR_RETURN(ledger::VerifyReport report,
                   VerifyInChunks(store, range.first, range.second,
                                  [&](uint64_t done) { progress.Update(done); }));
  progress.Finish();
  std::string index_text;
  if (report.ok) {
    // The indexes a read by stream or by event id goes through must agree with the events.
    ASSIGN_OR_RETURN(const ledger::VerifyReport indexes,
                     store.VerifyIndexes(range.first, range.second));
    if (!indexes.ok) {
      index_text = absl::StrCat("Indexes BROKEN at position ", indexes.first_bad_position, ": ",
                                indexes.problem, "\n");
      response.set_ok(false);
      response.set_first_bad_position(indexes.first_bad_position);
      response.set_problem(absl::StrCat("index: ", indexes.problem));
    }
  }
  if (!report.ok) {
    response.set_ok(false);
    response.set_first_bad_position(report.first_bad_position);
    response.set_problem(damage.empty() ? report.problem
                                        : absl::StrCat(report.problem, "; ", response.problem()));
  }
  response.set_events_checked(report.events_checked);
  // The chain's own line as the server words it, then what else was found.
  v1::VerifyChainResponse chain = response;
  chain.set_ok(report.ok);
  chain.set_first_bad_position(report.first_bad_position);
  chain.set_problem(report.problem);
  return Print(response, json, DamageText(dir, damage) + ChainText(chain) + index_text, io);
}

absl::StatusOr<v1::ConventionExport> ReadExport(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::UnavailableError(absl::StrCat("cannot read ", path));
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error || size > static_cast<uintmax_t>(kExportBytesMax)) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is not a file of an export's size"));
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  v1::ConventionExport out;
  const bool parsed = absl::EndsWithIgnoreCase(path, ".json")
                          ? google::protobuf::util::JsonStringToMessage(bytes, &out).ok()
                          : out.ParseFromString(bytes);
  // Bytes that do not even parse are a damaged export: a finding, not a usage error.
  if (!parsed) {
    return absl::DataLossError(absl::StrCat(path, " is not a readable convention export"));
  }
  return out;
}

std::string ExportText(const v1::ConventionExport& e, const v1::VerifyChainResponse& r) {
  const size_t total = static_cast<size_t>(e.events_size());
  if (!r.ok()) {
    const uint64_t index = r.events_checked() + 1;
    const std::string where = r.first_bad_position() != 0
                                  ? absl::StrCat("position ", r.first_bad_position())
                                  : std::string("position unknown: its body does not parse");
    return absl::StrCat("Export BROKEN at event ", index, " of ", total, " (", where,
                        "): ", r.problem(), "\n");
  }
  return absl::StrCat(
      "Export OK: convention ", e.convention_id(), " of ", e.caf_id(), ", ", total,
      " events of stream ", e.stream_id(), ", every hash and stream link verified\n",
      "  last event hash ", ledger::HashHex(e.events().rbegin()->hash()), "\n", "  exported at ",
      Instant(e.exported_at_us()), "; log head then: position ", e.head_position(), ", hash ",
      ledger::HashHex(e.head_hash()), "\n",
      "  (that the export is the whole stream shows by comparing its last hash with the ledger)\n");
}

absl::StatusOr<int> VerifyFile(const std::string& path, bool json, Io& io) {
  ASSIGN_OR_RETURN(v1::ConventionExport e, ReadExport(path));
  if (e.events().empty()) return absl::DataLossError(absl::StrCat(path, " holds no event"));
  const std::vector<ledger::v1::StoredEvent> events(e.events().begin(), e.events().end());
  const ledger::VerifyReport report = ledger::VerifyExportedStream(events, e.stream_id());
  v1::VerifyChainResponse response;
  response.set_ok(report.ok);
  response.set_events_checked(report.events_checked);
  response.set_first_bad_position(report.first_bad_position);
  response.set_problem(report.problem);
  response.set_head_position(e.head_position());
  response.set_head_hash(e.head_hash());
  return Print(response, json, ExportText(e, response), io);
}

}  // namespace

int Verify(const Invocation& in, Io& io) {
  return Guarded(io, [&]() -> absl::StatusOr<int> {
    ASSIGN_OR_RETURN(OutputFormat format, OutputFormatOf(in, /*csv_allowed=*/false));
    const bool json = format == OutputFormat::kJson;
    const bool file = !in.Get("file").empty();
    if (file && in.Has("data"))
      return absl::InvalidArgumentError("give --file or --data, not both");
    if (file) return VerifyFile(in.Get("file"), json, io);
    if (in.Has("data")) return VerifyData(in, json, io);
    return VerifyRemote(in, json, io);
  });
}

}  // namespace clas::ctl
