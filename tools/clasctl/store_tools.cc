#include "tools/clasctl/store_tools.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clas/v1/events.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "ledger/base/status_macros.h"
#include "projections/core/stream_layout.h"
#include "tools/clasctl/text.h"

namespace clas::ctl {
namespace {

// Positions recomputed per Verify call, between two progress updates.
constexpr uint64_t kVerifyChunkEvents = 10'000;
// Events per ReadAll call while counting.
constexpr size_t kStatsPageEvents = 1'000;
// Nesting followed to find a school year (a correction's replacement holds a fact).
constexpr int kYearSearchDepthMax = 4;

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

int32_t YearIn(const Message& m, int depth) {
  const auto* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  for (const char* name : {"school_year", "first_school_year"}) {
    const FieldDescriptor* f = d->FindFieldByName(name);
    if (f != nullptr && !f->is_repeated() && f->cpp_type() == FieldDescriptor::CPPTYPE_INT32 &&
        r->GetInt32(m, f) != 0) {
      return r->GetInt32(m, f);
    }
  }
  const FieldDescriptor* years = d->FindFieldByName("school_years");
  if (years != nullptr && years->is_repeated() &&
      years->cpp_type() == FieldDescriptor::CPPTYPE_INT32 && r->FieldSize(m, years) > 0) {
    return r->GetRepeatedInt32(m, years, 0);
  }
  if (depth >= kYearSearchDepthMax) return 0;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (f->is_repeated() ? r->FieldSize(m, f) == 0 : !r->HasField(m, f)) continue;
    const Message& sub = f->is_repeated() ? r->GetRepeatedMessage(m, f, 0) : r->GetMessage(m, f);
    if (const int32_t year = YearIn(sub, depth + 1); year != 0) return year;
  }
  return 0;
}

template <typename Key>
Table CountTable(const std::string& title, const std::map<Key, uint64_t>& counts,
                 const std::function<std::string(const Key&)>& label) {
  Table t({{title}, {"events", Table::Align::kRight}});
  for (const auto& [key, count] : counts) t.AddRow({label(key), Grouped(count)});
  return t;
}

std::string CafLabel(const std::string& caf) { return caf.empty() ? "(national)" : caf; }

}  // namespace

absl::StatusOr<std::unique_ptr<ledger::EventStore>> OpenStore(const std::string& dir,
                                                              bool read_only) {
  ledger::Options options;
  options.path = dir;
  options.read_only = read_only;
  options.sync = true;
  auto store = ledger::EventStore::Open(options);
  if (absl::IsUnavailable(store.status()) && absl::StrContains(store.status().message(), "lock")) {
    return absl::UnavailableError(absl::StrCat(store.status().message(),
                                               " (a server is probably running on ", dir,
                                               "; stop it, or use the read-only commands)"));
  }
  return store;
}

std::map<std::string, uint64_t> LogStats::ByCaf() const {
  std::map<std::string, uint64_t> out;
  for (const auto& [key, n] : counts) out[std::get<0>(key)] += n;
  return out;
}

std::map<int32_t, uint64_t> LogStats::BySchoolYear() const {
  std::map<int32_t, uint64_t> out;
  for (const auto& [key, n] : counts) out[std::get<1>(key)] += n;
  return out;
}

std::map<std::string, uint64_t> LogStats::ByType() const {
  std::map<std::string, uint64_t> out;
  for (const auto& [key, n] : counts) out[std::get<2>(key)] += n;
  return out;
}

absl::StatusOr<ledger::VerifyReport> VerifyInChunks(const ledger::EventStore& store, uint64_t from,
                                                    uint64_t to,
                                                    const std::function<void(uint64_t)>& progress) {
  ledger::VerifyReport total;
  for (uint64_t first = from; first <= to; first += kVerifyChunkEvents) {
    const uint64_t last = std::min(to, first + kVerifyChunkEvents - 1);
    ASSIGN_OR_RETURN(ledger::VerifyReport chunk, store.Verify(first, last));
    total.events_checked += chunk.events_checked;
    if (!chunk.ok) {
      total.ok = false;
      total.first_bad_position = chunk.first_bad_position;
      total.problem = chunk.problem;
      return total;
    }
    total.last_hash = chunk.last_hash;
    if (progress) progress(last - from + 1);
  }
  return total;
}

int32_t SchoolYearOfPayload(const std::string& payload) {
  v1::ClasEvent event;
  // A closing concerns a civil year; its lines name many school years.
  if (!event.ParseFromString(payload) || event.fact_case() == v1::ClasEvent::FACT_NOT_SET ||
      event.has_civil_year_closed()) {
    return 0;
  }
  return YearIn(event, 0);
}

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code error;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    std::error_code size_error;
    if (it->is_regular_file(size_error)) {
      const auto size = it->file_size(size_error);
      if (!size_error) total += size;
    }
  }
  return total;
}

absl::StatusOr<LogStats> CollectStats(const ledger::EventStore& store, const std::string& dir,
                                      const std::function<void(uint64_t)>& progress) {
  LogStats stats;
  const uint64_t head = store.Head().position;
  for (uint64_t from = 1; from <= head;) {
    ASSIGN_OR_RETURN(std::vector<ledger::RecordedEvent> page,
                     store.ReadAll(from, kStatsPageEvents));
    if (page.empty()) break;
    for (const ledger::RecordedEvent& e : page) {
      const bool clas = IsClasStream(e.stream_id());
      const int32_t year = clas ? SchoolYearOfPayload(e.payload()) : 0;
      ++stats.counts[{e.data().tenant_id(), year, e.event_type()}];
      if (stats.events++ == 0) stats.first_recorded_us = e.recorded_at_us();
      stats.last_recorded_us = e.recorded_at_us();
    }
    from = page.back().position() + 1;
    if (progress) progress(stats.events);
  }
  stats.bytes_on_disk = DirectoryBytes(dir);
  return stats;
}

std::string FormatStats(const LogStats& stats, const std::string& dir) {
  std::string out = absl::StrCat("Ledger ", dir, ": ", Grouped(stats.events), " events");
  if (stats.events > 0) {
    absl::StrAppend(&out, ", recorded ", Instant(stats.first_recorded_us), " to ",
                    Instant(stats.last_recorded_us));
  }
  absl::StrAppend(&out, "; ", Bytes(stats.bytes_on_disk), " on disk\n");
  out += "\nBy Caf\n" + CountTable<std::string>("caf", stats.ByCaf(), CafLabel).Render("  ");
  out += "\nBy school year\n" +
         CountTable<int32_t>("school year", stats.BySchoolYear(), SchoolYearText).Render("  ");
  out += "\nBy event type\n" +
         CountTable<std::string>("event type", stats.ByType(), [](const std::string& type) {
           return absl::StrCat(type, " (", EventTypeLabel(type), ")");
         }).Render("  ");
  return out;
}

std::string StatsCsv(const LogStats& stats) {
  Table t({{"caf"}, {"school_year"}, {"event_type"}, {"events"}});
  for (const auto& [key, n] : stats.counts) {
    const auto& [caf, year, type] = key;
    t.AddRow({caf, year == 0 ? "" : SchoolYearText(year), type, absl::StrCat(n)});
  }
  return t.Csv();
}

google::protobuf::Struct StatsStruct(const LogStats& stats) {
  google::protobuf::Struct out;
  auto& fields = *out.mutable_fields();
  fields["events"].set_number_value(static_cast<double>(stats.events));
  fields["bytes_on_disk"].set_number_value(static_cast<double>(stats.bytes_on_disk));
  auto& cafs = *fields["by_caf"].mutable_struct_value()->mutable_fields();
  for (const auto& [caf, n] : stats.ByCaf()) cafs[CafLabel(caf)].set_number_value(n);
  auto& years = *fields["by_school_year"].mutable_struct_value()->mutable_fields();
  for (const auto& [y, n] : stats.BySchoolYear()) {
    years[y == 0 ? "none" : SchoolYearText(y)].set_number_value(n);
  }
  auto& types = *fields["by_event_type"].mutable_struct_value()->mutable_fields();
  for (const auto& [type, n] : stats.ByType()) types[type].set_number_value(n);
  return out;
}

}  // namespace clas::ctl
