// The checks after each kill: offline on the data directory, then online on the restarted server.
#include <chrono>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/client_context.h"
#include "ledger/event_store.h"
#include "ledger/key_layout.h"
#include "ledger/set_aside.h"
#include "ledger/storage.h"
#include "projections/engine/engine.h"
#include "rocksdb/db.h"
#include "server/store_event_log.h"
#include "tools/crash/harness.h"

namespace clas::crash {
namespace {

constexpr size_t kPage = 1000;
constexpr size_t kProblemsMax = 20;  // enough to diagnose; the counts say the rest

void Problem(OfflineReport& report, std::string text) {
  if (report.problems.size() < kProblemsMax) report.problems.push_back(std::move(text));
}

// The Caf and the request id of a Clas command's fact: the Caf opens its event id
// ("<caf>/<key>#<rank>"), the fact names its request.
std::optional<std::pair<std::string, std::string>> CommandOf(const ledger::RecordedEvent& e) {
  const size_t slash = e.event_id().find('/');
  v1::ClasEvent fact;
  if (slash == std::string::npos || !fact.ParseFromString(e.payload()) ||
      fact.request_id().empty()) {
    return std::nullopt;
  }
  return std::pair{e.event_id().substr(0, slash), fact.request_id()};
}

// Whether an event the log holds was sent by the writers, with these bytes (a raw append) or as
// a command's fact (its Caf and request id).
bool WasSent(const Journal& journal, const ledger::RecordedEvent& e) {
  if (e.stream_id().starts_with("ext/")) return journal.WasSentRaw(e.event_id(), e.payload());
  const auto command = CommandOf(e);
  return command.has_value() && journal.WasSentCommand(command->first, command->second);
}

// Compares one stored event with what its acknowledgement said; the differences as text.
std::string Mismatch(const ledger::RecordedEvent& e, const AckedEvent& a) {
  std::string out;
  if (e.event_id() != a.event_id)
    absl::StrAppend(&out, " event id ", e.event_id(), " != ", a.event_id);
  if (e.stream_id() != a.stream_id)
    absl::StrAppend(&out, " stream ", e.stream_id(), " != ", a.stream_id);
  if (e.stream_version() != a.version) {
    absl::StrAppend(&out, " version ", e.stream_version(), " != ", a.version);
  }
  if (!a.hash.empty() && e.hash != a.hash) absl::StrAppend(&out, " hash differs");
  if (a.payload.has_value() && e.payload() != *a.payload) absl::StrAppend(&out, " payload differs");
  return out;
}

}  // namespace

std::string StateDifferences(const v1::ConventionState& a, const v1::ConventionState& b) {
  google::protobuf::util::MessageDifferencer differ;
  differ.IgnoreField(v1::ConventionState::descriptor()->FindFieldByName("known_at_us"));
  std::string report;
  differ.ReportDifferencesToString(&report);
  if (differ.Compare(a, b)) return "";
  return report.empty() ? "differs" : report;
}

namespace {

std::string FiguresDifferences(const v1::ConventionFigures& a, const v1::ConventionFigures& b) {
  google::protobuf::util::MessageDifferencer differ;
  std::string report;
  differ.ReportDifferencesToString(&report);
  if (differ.Compare(a, b)) return "";
  return report.empty() ? "differs" : report;
}

}  // namespace

OfflineReport CheckOffline(const std::string& data_dir, const Journal& journal,
                           Coverage coverage) {
  OfflineReport report;
  ledger::Options options;
  options.path = data_dir;
  options.read_only = true;
  auto opened = ledger::EventStore::Open(options);
  if (!opened.ok()) {
    Problem(report, absl::StrCat("opening the store read-only: ", opened.status().ToString()));
    return report;
  }
  ledger::EventStore& store = **opened;
  const ledger::LogHead head = store.Head();
  report.head = head.position;
  report.head_hash = head.hash;
  if (head.position > 0) {
    auto verified = store.Verify(1, head.position);
    if (!verified.ok()) {
      Problem(report, absl::StrCat("Verify: ", verified.status().ToString()));
    } else if (!verified->ok || verified->events_checked != head.position) {
      Problem(report, absl::StrCat("the chain does not verify at position ",
                                   verified->first_bad_position, ": ", verified->problem));
    }
  }

  const std::map<uint64_t, AckedEvent> acked = journal.acked();
  std::map<std::string, uint64_t> versions;  // stream -> last version seen
  std::map<std::string, uint64_t> ids;       // event id -> position: a retry recorded twice?
  report.hashes.resize(head.position);
  auto check = [&](const ledger::RecordedEvent& e) {
    ++report.events_checked;
    if (e.position() >= 1 && e.position() <= head.position) {
      report.hashes[e.position() - 1] = e.hash;
    }
    report.last_positions[e.stream_id()] = e.position();
    uint64_t& version = versions[e.stream_id()];
    if (e.stream_version() != version + 1) {
      Problem(report, absl::StrCat("stream ", e.stream_id(), " goes from version ", version, " to ",
                                   e.stream_version(), " at position ", e.position()));
    }
    version = e.stream_version();
    if (const auto [it, added] = ids.emplace(e.event_id(), e.position()); !added) {
      Problem(report, absl::StrCat("event id ", e.event_id(), " recorded twice, at positions ",
                                   it->second, " and ", e.position()));
    }
    const auto ack = acked.find(e.position());
    if (ack != acked.end()) {
      const std::string mismatch = Mismatch(e, ack->second);
      if (mismatch.empty()) {
        ++report.acked_checked;
      } else {
        ++report.lost;
        Problem(report,
                absl::StrCat("acknowledged event at position ", e.position(), ":", mismatch));
      }
      return;
    }
    // Present but never acknowledged: allowed when it was really sent (an answer lost in the
    // crash), and then it must be whole (its hash was verified with the chain above).
    if (WasSent(journal, e)) {
      ++report.unacked_present;
    } else {
      Problem(report, absl::StrCat("event ", e.event_id(), " at position ", e.position(),
                                   " was never sent (or not with these bytes)"));
    }
  };
  for (uint64_t from = 1; from <= head.position;) {
    auto page = store.ReadAll(from, kPage);
    if (page.ok() && !page->empty()) {
      for (const ledger::RecordedEvent& e : *page) {
        if (e.position() != from) {
          Problem(report,
                  absl::StrCat("position ", e.position(), " read where ", from, " was due"));
        }
        from = e.position() + 1;
        check(e);
      }
      continue;
    }
    Problem(report, absl::StrCat("reading from position ", from, ": ",
                                 page.ok() ? "nothing below the head" : page.status().ToString()));
    // A page holding a position that cannot be read fails whole: from here, one by one, so that
    // every acknowledged event is still checked and one that cannot be read is counted lost.
    for (; from <= head.position; ++from) {
      auto event = store.Read(from);
      if (event.ok()) {
        check(*event);
      } else if (const auto ack = acked.find(from); ack != acked.end()) {
        ++report.lost;
        Problem(report, absl::StrCat("acknowledged event ", ack->second.event_id, " at position ",
                                     from, " cannot be read: ", event.status().ToString()));
      } else {
        Problem(report,
                absl::StrCat("position ", from, " cannot be read: ", event.status().ToString()));
      }
    }
  }
  for (auto it = acked.upper_bound(head.position);
       coverage == Coverage::kEveryAcknowledged && it != acked.end(); ++it) {
    ++report.lost;
    Problem(report, absl::StrCat("acknowledged event ", it->second.event_id, " at position ",
                                 it->first, " is past the head ", head.position));
  }

  // Projections rebuilt from scratch by a fresh engine over the raw events.
  server::StoreEventLog log(&store);
  Engine engine(&log);
  for (const auto& [stream, ack] : journal.conventions()) {
    auto state = engine.GetConvention(ack.caf_id, ack.convention_id, AsOf{});
    if (coverage == Coverage::kUpToHead && versions[stream] == 0) continue;  // filed later
    if (!state.ok()) {
      Problem(report, absl::StrCat("folding ", stream, ": ", state.status().ToString()));
      continue;
    }
    report.folded[stream] = *state;
    if (versions[stream] == ack.version) {
      std::vector<int32_t> years;
      for (const auto& y : ack.figures.years()) years.push_back(y.school_year());
      const std::string diff =
          FiguresDifferences(FiguresOf(*state, years, ack.version, ack.position), ack.figures);
      if (!diff.empty()) {
        Problem(report, absl::StrCat("convention ", stream,
                                     " folded from the log differs from "
                                     "the figures of its last acknowledgement: ",
                                     diff));
      }
    }
  }
  return report;
}

std::string OfflineSummary(const OfflineReport& offline) {
  return absl::StrCat("head ", offline.head, ", ", offline.events_checked, " events checked, ",
                      offline.acked_checked, " acknowledged intact, ", offline.unacked_present,
                      " unacknowledged present, ", offline.folded.size(),
                      " conventions folded, lost ", offline.lost,
                      offline.problems.empty() ? "" : ", PROBLEMS");
}

SetAsideReport CheckSetAside(const std::string& data_dir, const Journal& journal,
                             const OfflineReport& live) {
  SetAsideReport report;
  const std::filesystem::path directory = std::filesystem::path(data_dir) / "set-aside";
  std::error_code error;
  if (!std::filesystem::exists(directory, error)) return report;
  const std::map<uint64_t, AckedEvent> acked = journal.acked();
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    const std::string path = entry.path().string();
    if (!path.ends_with(ledger::kSetAsideRecordsSuffix)) continue;
    ++report.files;
    auto records = ledger::ReadSetAside(path);
    if (!records.ok()) {
      report.problems.push_back(absl::StrCat(path, ": ", records.status().ToString()));
      continue;
    }
    for (const ledger::StoredRecord& record : *records) {
      ++report.records;
      auto event = ledger::DecodeRecordedEvent(record.position, record.value);
      if (!event.ok()) {
        report.problems.push_back(absl::StrCat(path, ": ", event.status().ToString()));
        continue;
      }
      // The acknowledgement's hash when it gave one (a raw append's gives its last event's
      // only), else the live log's, which CheckOffline compared with the acknowledgement.
      const uint64_t p = event->position();
      const auto ack = acked.find(p);
      std::string kept_hash = ack != acked.end() ? ack->second.hash : "";
      if (kept_hash.empty() && p >= 1 && p <= live.head) kept_hash = live.hashes[p - 1];
      if (!kept_hash.empty() && event->hash == kept_hash) {
        report.problems.push_back(absl::StrCat(
            ack != acked.end() ? "acknowledged event " : "event ", event->event_id(),
            " at position ", p, " set aside in ", path, " though the log holds it"));
      }
      if (!WasSent(journal, *event)) {
        report.problems.push_back(absl::StrCat("set-aside event ", event->event_id(),
                                               " at position ", event->position(),
                                               " was never sent"));
      }
    }
  }
  if (error) report.problems.push_back(absl::StrCat(directory.string(), ": ", error.message()));
  return report;
}

absl::Status DeleteEventForTest(const std::string& data_dir, uint64_t position) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const char* name : ledger::kFamilyNames) {
    families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status =
      rocksdb::DB::Open(rocksdb::DBOptions(), data_dir, families, &handles, &raw);
  if (!status.ok()) return absl::InternalError("opening the data raw: " + status.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  status = db->Delete(write_options, handles[static_cast<size_t>(ledger::Family::kEvents)],
                      ledger::EventKey(position));
  for (rocksdb::ColumnFamilyHandle* handle : handles) db->DestroyColumnFamilyHandle(handle);
  if (status.ok()) status = db->Close();
  return status.ok() ? absl::OkStatus() : absl::InternalError(status.ToString());
}

std::vector<std::string> CheckOnline(const Endpoint& endpoint, const Tokens& tokens,
                                     const OfflineReport& offline, uint64_t min_head) {
  std::vector<std::string> problems;
  auto context = [](const std::string& token) {
    auto c = std::make_unique<grpc::ClientContext>();
    c->AddMetadata("authorization", "Bearer " + token);
    c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return c;
  };
  auto audit = v1::Audit::NewStub(endpoint.channel());
  v1::VerifyChainRequest verify;
  v1::VerifyChainResponse verified;
  grpc::Status status = audit->VerifyChain(context(tokens.auditeur).get(), verify, &verified);
  const uint64_t head = verified.head_position();
  if (!status.ok()) {
    problems.push_back("VerifyChain: " + status.error_message());
    return problems;
  }
  if (!verified.ok() || head < min_head) {
    problems.push_back(absl::StrCat("VerifyChain: ok=", verified.ok(), " head ", head,
                                    " (the last acknowledged position is ", min_head, ") ",
                                    verified.problem()));
    return problems;
  }
  // Every acknowledged event held: the record at the last acknowledged position is the one
  // checked offline (the hash chains everything before it).
  if (min_head > 0) {
    auto ledger = v1::Ledger::NewStub(endpoint.channel());
    v1::ReadAllRequest read;
    read.set_from_position(min_head);
    read.set_max_count(1);
    v1::ReadResponse got;
    status = ledger->ReadAll(context(tokens.auditeur).get(), read, &got);
    if (!status.ok() || got.events().empty() || got.events(0).position() != min_head ||
        got.events(0).hash() != offline.hashes[min_head - 1]) {
      problems.push_back(absl::StrCat(
          "the record at the last acknowledged position ", min_head, " is not the one checked "
          "offline: ", status.ok() ? (got.events().empty() ? "not read" : "another hash")
                                   : status.error_message()));
      return problems;
    }
  }
  auto queries = v1::Queries::NewStub(endpoint.channel());
  for (const auto& [stream, folded] : offline.folded) {
    const auto last = offline.last_positions.find(stream);
    if (last == offline.last_positions.end() || last->second > min_head) continue;
    v1::GetConventionRequest request;
    request.set_caf_id(folded.caf_id());
    request.set_convention_id(folded.convention_id());
    v1::GetConventionResponse response;
    const std::string& token = folded.caf_id() == "caf-75" ? tokens.agent_a : tokens.agent_b;
    status = queries->GetConvention(context(token).get(), request, &response);
    if (!status.ok()) {
      problems.push_back(absl::StrCat("GetConvention ", stream, ": ", status.error_message()));
      continue;
    }
    // Events of the stream past the last acknowledged position: unacknowledged, on one log only.
    if (response.convention().last_position() != last->second) continue;
    const std::string diff = StateDifferences(response.convention(), folded);
    if (!diff.empty()) {
      problems.push_back(absl::StrCat("convention ", stream,
                                      " served online differs "
                                      "from its offline fold: ",
                                      diff));
    }
  }
  return problems;
}

}  // namespace clas::crash
