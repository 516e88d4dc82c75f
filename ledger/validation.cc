#include "ledger/validation.h"

#include <cstdint>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "ledger/base/status_macros.h"
#include "ledger/errors.h"

namespace clas::ledger {
namespace {

constexpr int32_t kEffectiveYearMin = 1;
constexpr int32_t kEffectiveYearMax = 9999;

bool IsPrintableAscii(char c) { return c >= 0x20 && c <= 0x7e; }

// True for 0 (no date) and for a yyyymmdd number naming a real civil day.
bool IsEffectiveDate(int32_t yyyymmdd) {
  if (yyyymmdd == 0) return true;
  const int32_t year = yyyymmdd / 10000;
  const int32_t month = yyyymmdd / 100 % 100;
  const int32_t day = yyyymmdd % 100;
  if (year < kEffectiveYearMin || year > kEffectiveYearMax) return false;
  const absl::CivilDay civil(year, month, day);  // normalises 30 February to 2 March
  return civil.year() == year && civil.month() == month && civil.day() == day;
}

// What is wrong with `id` as an identifier of 1..bytes_max printable ASCII bytes, if anything.
std::optional<std::string> IdProblem(std::string_view id, size_t bytes_max) {
  if (id.empty()) return "must not be empty";
  if (id.size() > bytes_max) {
    return absl::StrFormat("%d bytes, more than the %d allowed", id.size(), bytes_max);
  }
  for (size_t i = 0; i < id.size(); ++i) {
    if (!IsPrintableAscii(id[i])) {
      return absl::StrFormat("byte %d is 0x%02x, outside printable ASCII (0x20..0x7e)", i,
                             static_cast<uint8_t>(id[i]));
    }
  }
  return std::nullopt;
}

// The name of a field of events[index] ("events[3].payload"), built only for a refusal: an
// append of valid events formats nothing.
std::string EventField(size_t index, std::string_view name) {
  return absl::StrFormat("events[%d]%s", index, name);
}

absl::Status ValidateEvent(size_t index, const v1::EventData& event,
                           const AppendLimits& limits) {
  if (std::optional<std::string> problem = IdProblem(event.event_id(), kEventIdBytesMax)) {
    return InvalidFieldError(EventField(index, ".event_id"), *problem);
  }
  if (std::optional<std::string> problem = IdProblem(event.event_type(), kEventTypeBytesMax)) {
    return InvalidFieldError(EventField(index, ".event_type"), *problem);
  }
  if (event.payload().size() > limits.payload_bytes_max) {
    return InvalidFieldError(EventField(index, ".payload"),
                             absl::StrFormat("%d bytes, more than the %d allowed",
                                             event.payload().size(), limits.payload_bytes_max));
  }
  if (!IsEffectiveDate(event.effective_date())) {
    return InvalidFieldError(
        EventField(index, ".effective_date"),
        absl::StrFormat("%d is neither 0 nor a yyyymmdd day", event.effective_date()));
  }
  const struct {
    const char* name;
    const std::string& value;
  } texts[] = {{".actor.id", event.actor().id()},
               {".actor.role", event.actor().role()},
               {".actor.tenant_id", event.actor().tenant_id()},
               {".tenant_id", event.tenant_id()},
               {".rule_version", event.rule_version()}};
  for (const auto& text : texts) {
    if (text.value.size() > kEventTextBytesMax) {
      return InvalidFieldError(EventField(index, text.name),
                               absl::StrFormat("%d bytes, more than the %d allowed",
                                               text.value.size(), kEventTextBytesMax));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateId(std::string_view field, std::string_view id, size_t bytes_max) {
  if (std::optional<std::string> problem = IdProblem(id, bytes_max)) {
    return InvalidFieldError(field, *problem);
  }
  return absl::OkStatus();
}

absl::Status ValidateStreamId(std::string_view stream_id) {
  return ValidateId("stream_id", stream_id, kStreamIdBytesMax);
}

absl::Status ValidateAppend(std::string_view stream_id, const std::vector<v1::EventData>& events,
                            const AppendLimits& limits) {
  RETURN_IF_ERROR(ValidateStreamId(stream_id));
  if (events.empty()) return InvalidFieldError("events", "at least one event is required");
  if (events.size() > limits.events_per_append_max) {
    return InvalidFieldError("events", absl::StrFormat("%d events, more than the %d allowed",
                                                       events.size(),
                                                       limits.events_per_append_max));
  }
  absl::flat_hash_map<absl::string_view, size_t> index_of_id;
  size_t call_bytes = 0;
  index_of_id.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    RETURN_IF_ERROR(ValidateEvent(i, events[i], limits));
    const auto [it, inserted] = index_of_id.emplace(absl::string_view(events[i].event_id()), i);
    if (!inserted) {
      return InvalidFieldError(EventField(i, ".event_id"),
                               absl::StrFormat("'%s' repeats events[%d].event_id",
                                               events[i].event_id(), it->second));
    }
    call_bytes += events[i].ByteSizeLong();
  }
  if (call_bytes > kAppendBytesMax) {
    return InvalidFieldError("events", absl::StrFormat("%d bytes in all, more than the %d allowed",
                                                       call_bytes, kAppendBytesMax));
  }
  return absl::OkStatus();
}

absl::Status ValidateReadCount(size_t max_count) {
  if (max_count == 0 || max_count > kReadEventsMax) {
    return InvalidFieldError("max_count", absl::StrFormat("%d is outside 1..%d", max_count,
                                                          kReadEventsMax));
  }
  return absl::OkStatus();
}

}  // namespace clas::ledger
