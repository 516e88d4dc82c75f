#include "tools/bench/dataset.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "clas/v1/events.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/reflection.h"
#include "ledger/event_store.h"
#include "projections/core/stream_layout.h"

namespace clas::bench {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// A copy's id of one string value: the Caf id itself, or an id starting with "<caf>/".
std::string RewriteValue(const std::string& value, const std::string& from, const std::string& to) {
  if (value == from) return to;
  if (value.size() > from.size() && absl::StartsWith(value, from) && value[from.size()] == '/') {
    return absl::StrCat(to, value.substr(from.size()));
  }
  return value;
}

void RewriteMessage(Message* message, const std::string& from, const std::string& to) {
  const Reflection* reflection = message->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(*message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
          reflection->SetRepeatedString(
              message, field, i,
              RewriteValue(reflection->GetRepeatedString(*message, field, i), from, to));
        }
      } else {
        reflection->SetString(message, field,
                              RewriteValue(reflection->GetString(*message, field), from, to));
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
          RewriteMessage(reflection->MutableRepeatedMessage(message, field, i), from, to);
        }
      } else {
        RewriteMessage(reflection->MutableMessage(message, field), from, to);
      }
    }
  }
}

// The request an event belongs to: its event id up to '#' (ids are "<caf>/<request>#<i>").
std::string_view RequestOf(const std::string& event_id) {
  const size_t hash = event_id.rfind('#');
  return hash == std::string::npos ? std::string_view(event_id)
                                   : std::string_view(event_id).substr(0, hash);
}

}  // namespace

std::string CopyCafId(const std::string& caf, int copy) {
  return copy == 0 ? caf : absl::StrCat(caf, ".k", copy);
}

std::string CopyStreamId(const std::string& stream, const std::string& caf, int copy) {
  if (copy == 0 || caf.empty()) return stream;
  const std::string prefix = CafStreamPrefix(caf);
  if (!absl::StartsWith(stream, prefix)) return stream;
  return absl::StrCat(CafStreamPrefix(CopyCafId(caf, copy)), stream.substr(prefix.size()));
}

ledger::v1::EventData CopyEventData(const ledger::v1::EventData& data, int copy) {
  if (copy == 0 || data.tenant_id().empty()) return data;
  const std::string& from = data.tenant_id();
  const std::string to = CopyCafId(from, copy);
  ledger::v1::EventData out = data;
  out.set_event_id(RewriteValue(data.event_id(), from, to));
  out.set_tenant_id(to);
  out.mutable_actor()->set_tenant_id(RewriteValue(data.actor().tenant_id(), from, to));
  v1::ClasEvent fact;
  if (fact.ParseFromString(data.payload())) {
    RewriteMessage(&fact, from, to);
    out.set_payload(fact.SerializeAsString());
  }
  return out;
}

absl::StatusOr<ScaleReport> BuildScaledLedger(const std::string& source, const std::string& target,
                                              int scale) {
  if (scale < 1) return absl::InvalidArgumentError("scale must be at least 1");
  if (std::filesystem::exists(std::filesystem::path(target) / "CURRENT")) {
    return absl::FailedPreconditionError(absl::StrCat(target, " already holds a ledger"));
  }
  const auto start = std::chrono::steady_clock::now();
  ledger::Options in_options;
  in_options.path = source;
  in_options.read_only = true;
  auto in = ledger::EventStore::Open(in_options);
  if (!in.ok()) return in.status();
  // The instant of the append being copied: the store keeps instants strictly increasing.
  auto now_us = std::make_shared<std::atomic<int64_t>>(0);
  ledger::Options out_options;
  out_options.path = target;
  out_options.sync = false;  // a bulk load that can be redone: synced once at the end
  out_options.clock_us = [now_us] { return now_us->load(); };
  auto out = ledger::EventStore::Open(out_options);
  if (!out.ok()) return out.status();

  ScaleReport report;
  std::vector<ledger::RecordedEvent> group;
  auto flush = [&]() -> absl::Status {
    if (group.empty()) return absl::OkStatus();
    const ledger::RecordedEvent& first = group.front();
    const std::string caf = first.data().tenant_id();
    now_us->store(first.recorded_at_us());
    for (int k = 0; k < scale; ++k) {
      const std::string stream = CopyStreamId(first.stream_id(), caf, k);
      if (k > 0 && stream == first.stream_id()) break;  // the national barème: written once
      std::vector<ledger::v1::EventData> events;
      events.reserve(group.size());
      for (const auto& e : group) events.push_back(CopyEventData(e.data(), k));
      auto appended =
          (*out)->Append(stream,
                         ledger::ExpectedVersion::Exactly(first.stream_version() - 1),
                         std::move(events));
      if (!appended.ok()) {
        return absl::Status(appended.status().code(),
                            absl::StrCat("copy ", k, " of position ", first.position(), ": ",
                                         appended.status().message()));
      }
      report.events_written += group.size();
    }
    group.clear();
    return absl::OkStatus();
  };
  const uint64_t head = (*in)->Head().position;
  for (uint64_t from = 1; from <= head;) {
    auto page = (*in)->ReadAll(from, ledger::kReadEventsMax);
    if (!page.ok()) return page.status();
    if (page->empty()) break;
    const uint64_t last = page->back().position();
    for (auto& e : *page) {
      ++report.source_events;
      if (!group.empty() &&
          (group.front().stream_id() != e.stream_id() ||
           RequestOf(group.front().event_id()) != RequestOf(e.event_id()) ||
           group.size() == ledger::kEventsPerAppendMax)) {
        if (absl::Status s = flush(); !s.ok()) return s;
      }
      group.push_back(std::move(e));
    }
    from = last + 1;
  }
  if (absl::Status s = flush(); !s.ok()) return s;
  if (absl::Status s = (*out)->Sync(); !s.ok()) return s;
  // As a ledger that has run for years: every event in compacted table files, none left in
  // the write-ahead log to replay at each open.
  if (absl::Status s = (*out)->Compact(); !s.ok()) return s;
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace clas::bench
