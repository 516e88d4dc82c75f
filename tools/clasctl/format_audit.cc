#include "tools/clasctl/format_audit.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tools/clasctl/describe.h"
#include "tools/clasctl/text.h"

namespace clas::ctl {
namespace {

const google::protobuf::RepeatedPtrField<std::string>& EmptyIds() {
  static const auto* const kEmpty = new google::protobuf::RepeatedPtrField<std::string>();
  return *kEmpty;
}

}  // namespace

std::string FormatHistory(const v1::ConventionState& last,
                          const std::vector<v1::ReplayHistoryItem>& items) {
  if (items.empty()) return "Aucun événement.\n";
  std::map<std::string, const v1::EventRef*> refs;
  for (const auto& ref : last.events()) refs[ref.event_id()] = &ref;
  std::string out = absl::StrCat("Historique de la convention ", last.convention_id(), " — Caf ",
                                 last.caf_id(), " — ", Count(items.size(), "événement"), "\n");
  for (const auto& item : items) {
    const v1::RecordedEvent& e = item.event();
    auto it = refs.find(e.event_id());
    const v1::EventRef* ref = it == refs.end() ? nullptr : it->second;
    absl::StrAppend(&out, "\n#", e.position(), "  ", Day(e.effective_date()), "  ",
                    EventTypeLabel(e.event_type()), "  par ", e.actor().id(), " (",
                    e.actor().role(), ")  enregistré le ", Instant(e.recorded_at_us()), "\n");
    const std::string summary = DescribeFact(e.fact());
    if (!summary.empty()) absl::StrAppend(&out, "    ", summary, "\n");
    // The rule ids the timeline keeps; those of the fact's own warnings are shown in full below.
    std::vector<std::string> rules;
    for (const std::string& id : ref != nullptr ? ref->rule_ids() : EmptyIds()) {
      bool warned = false;
      for (const auto& w : e.fact().warnings()) warned = warned || w.rule_id() == id;
      if (!warned) rules.push_back(id);
    }
    if (!rules.empty()) absl::StrAppend(&out, "    règles : ", absl::StrJoin(rules, ", "), "\n");
    for (const auto& w : e.fact().warnings()) {
      absl::StrAppend(&out, "    avertissement ", ViolationLine(w), "\n");
    }
    if (ref != nullptr && ref->cancelled()) {
      absl::StrAppend(&out, "    ANNULÉ par ", ref->corrected_by(), "\n");
    } else if (ref != nullptr && !ref->corrected_by().empty()) {
      absl::StrAppend(&out, "    CORRIGÉ par ", ref->corrected_by(), "\n");
    }
  }
  return out;
}

namespace {

// Values longer than this are cut in the table (--all shows them whole).
constexpr size_t kDiffValueCharsMax = 60;

// The timeline and provenance fields change with every event; the events table below says the
// same. Hidden unless --all.
bool IsBookkeeping(const std::string& path) {
  return absl::StartsWith(path, "events[") || absl::StrContains(path, "sources[") ||
         absl::EndsWith(path, "event_id") || path == "last_position";
}

std::string Cut(std::string text) {
  if (DisplayWidth(text) <= kDiffValueCharsMax) return text;
  size_t bytes = 0;
  for (size_t chars = 0; bytes < text.size() && chars < kDiffValueCharsMax - 1; ++chars) {
    do ++bytes;
    while (bytes < text.size() && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80);
  }
  return text.substr(0, bytes) + "…";
}

// A field's value as people read it: amounts in euros, days as dates, instants in UTC, school
// years as N-N+1, strings unquoted, nested messages on one line.
std::string Pretty(const std::string& path, const std::string& value, bool whole) {
  if (value.empty()) return "—";
  if (value == "\"\"") return "(empty)";
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    return value.substr(1, value.size() - 2);
  }
  if (absl::EndsWith(value, "_UNSPECIFIED")) return "—";
  v1::ConventionStatus status;
  if (path == "status" && v1::ConventionStatus_Parse(value, &status)) return StatusLabel(status);
  int64_t number = 0;
  if (!absl::SimpleAtoi(value, &number)) {
    std::vector<absl::string_view> lines = absl::StrSplit(value, '\n', absl::SkipWhitespace());
    for (auto& line : lines) line = absl::StripAsciiWhitespace(line);
    const std::string flat = absl::StrJoin(lines, " ");
    return whole ? flat : Cut(flat);
  }
  if (absl::EndsWith(path, "_cents")) return Eur(number);
  if (absl::EndsWith(path, "_us")) return Instant(number);
  if (absl::EndsWith(path, "date")) return Day(static_cast<int32_t>(number));
  if (absl::EndsWith(path, "school_year")) return SchoolYearText(static_cast<int32_t>(number));
  return value;
}

}  // namespace

std::string FormatDiff(const v1::DiffStatesResponse& diff, int32_t from_date, int32_t to_date,
                       bool all) {
  Table changes({{"path"}, {"before"}, {"after"}});
  int hidden = 0;
  for (const auto& c : diff.changes()) {
    if (!all && IsBookkeeping(c.path())) {
      ++hidden;
      continue;
    }
    changes.AddRow({c.path(), Pretty(c.path(), c.before(), all), Pretty(c.path(), c.after(), all)});
  }
  std::string out = absl::StrCat("Changes from ", Day(from_date), " to ", Day(to_date), " (",
                                 changes.rows(), ")\n");
  out += changes.rows() == 0 ? "  none\n" : changes.Render("  ");
  if (hidden > 0) {
    absl::StrAppend(&out, "  (", hidden,
                    " changes of the timeline and of event ids not shown; --all shows them)\n");
  }
  absl::StrAppend(&out, "\nEvents effective in between (", diff.events_size(), ")\n");
  Table events({{"position", Table::Align::kRight}, {"date"}, {"event"}, {"who"}, {"what"}});
  for (const auto& e : diff.events()) {
    events.AddRow(
        {absl::StrCat(e.position()), Day(e.effective_date()), EventTypeLabel(e.event_type()),
         absl::StrCat(e.actor().id(), " (", e.actor().role(), ")"), DescribeFact(e.fact())});
  }
  out += diff.events_size() == 0 ? "  none\n" : events.Render("  ");
  absl::StrAppend(&out, "\nLog position ", diff.log_position(), "\n");
  return out;
}

}  // namespace clas::ctl
