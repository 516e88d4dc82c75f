#include "projections/engine/event_log.h"

#include <algorithm>
#include <iterator>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"

namespace clas {

absl::StatusOr<EventLog::Appended> InMemoryEventLog::Append(
    const std::string& stream, uint64_t expected_version,
    std::vector<ledger::v1::EventData> events) {
  absl::MutexLock lock(&mu_);
  Appended out;
  // Idempotency: every id known with the same content answers with the original events.
  size_t known = 0;
  for (const auto& d : events) {
    auto it = by_id_.find(d.event_id());
    if (it == by_id_.end()) continue;
    if (data_bytes_[it->second] != d.SerializeAsString() || events_[it->second].stream_id != stream) {
      return absl::AlreadyExistsError(absl::StrFormat(
          "event id %s already recorded with other content at position %d", d.event_id(),
          events_[it->second].position));
    }
    out.events.push_back(events_[it->second]);
    ++known;
  }
  if (known == events.size() && known > 0) {
    out.duplicate = true;
    return out;
  }
  if (known > 0) return absl::AlreadyExistsError("some event ids of the append are already known");
  auto& versions = streams_[stream];
  if (versions.size() != expected_version) {
    return absl::AbortedError(absl::StrFormat("stream %s is at version %d, expected %d", stream,
                                              versions.size(), expected_version));
  }
  out.events.clear();
  for (auto& d : events) {
    now_us_ += 1;
    ledger::v1::EventBody body;
    body.set_stream_id(stream);
    body.set_stream_version(versions.size() + 1);
    body.set_position(events_.size() + 1);
    body.set_recorded_at_us(now_us_);
    data_bytes_.push_back(d.SerializeAsString());
    *body.mutable_data() = std::move(d);
    auto decoded = FromRecord(body);
    if (!decoded.ok()) return decoded.status();
    by_id_[decoded->event_id] = events_.size();
    versions.push_back(events_.size());
    events_.push_back(*decoded);
    out.events.push_back(*decoded);
  }
  return out;
}

absl::StatusOr<std::vector<DomainEvent>> EventLog::ReadStreamFrom(const std::string& stream,
                                                                  uint64_t from_version) {
  absl::StatusOr<std::vector<DomainEvent>> read = ReadStream(stream);
  if (!read.ok()) return read.status();
  std::vector<DomainEvent> all = *std::move(read);
  const size_t skip = from_version <= 1 ? 0 : std::min<size_t>(from_version - 1, all.size());
  all.erase(all.begin(), all.begin() + skip);
  return all;
}

absl::StatusOr<std::vector<DomainEvent>> EventLog::ReadStreamsUnder(const std::string& prefix) {
  absl::StatusOr<std::vector<std::string>> streams = ListStreams(prefix);
  if (!streams.ok()) return streams.status();
  std::vector<DomainEvent> all;
  for (const std::string& stream : *streams) {
    absl::StatusOr<std::vector<DomainEvent>> events = ReadStream(stream);
    if (!events.ok()) return events.status();
    all.insert(all.end(), std::make_move_iterator(events->begin()),
               std::make_move_iterator(events->end()));
  }
  std::sort(all.begin(), all.end(),
            [](const DomainEvent& a, const DomainEvent& b) { return a.position < b.position; });
  return all;
}

absl::StatusOr<std::vector<std::string>> EventLog::ListFolders(const std::string& prefix,
                                                               const std::string& start_after,
                                                               size_t max_count) {
  absl::StatusOr<std::vector<std::string>> streams = ListStreams(prefix);
  if (!streams.ok()) return streams.status();
  std::vector<std::string> out;
  for (const std::string& stream : *streams) {
    const size_t slash = stream.find('/', prefix.size());
    std::string entry = slash == std::string::npos ? stream : stream.substr(0, slash + 1);
    if (entry <= start_after || (!out.empty() && out.back() == entry)) continue;
    if (out.size() == max_count) break;
    out.push_back(std::move(entry));
  }
  return out;
}

absl::StatusOr<std::vector<DomainEvent>> InMemoryEventLog::ReadStream(const std::string& stream) {
  absl::MutexLock lock(&mu_);
  std::vector<DomainEvent> out;
  auto it = streams_.find(stream);
  if (it == streams_.end()) return out;
  for (size_t i : it->second) out.push_back(events_[i]);
  return out;
}

absl::StatusOr<std::vector<DomainEvent>> InMemoryEventLog::ReadStreamFrom(
    const std::string& stream, uint64_t from_version) {
  absl::MutexLock lock(&mu_);
  std::vector<DomainEvent> out;
  auto it = streams_.find(stream);
  if (it == streams_.end()) return out;
  for (size_t v = std::max<uint64_t>(from_version, 1); v <= it->second.size(); ++v) {
    out.push_back(events_[it->second[v - 1]]);
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> InMemoryEventLog::ListStreams(const std::string& prefix) {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> out;
  for (auto it = streams_.lower_bound(prefix);
       it != streams_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    if (!it->second.empty()) out.push_back(it->first);
  }
  return out;
}

absl::StatusOr<std::optional<DomainEvent>> InMemoryEventLog::FindEvent(const std::string& id) {
  absl::MutexLock lock(&mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::optional<DomainEvent>();
  return std::optional<DomainEvent>(events_[it->second]);
}

uint64_t InMemoryEventLog::HeadPosition() {
  absl::MutexLock lock(&mu_);
  return events_.size();
}

void InMemoryEventLog::SetNowMicros(int64_t now_us) {
  absl::MutexLock lock(&mu_);
  if (now_us > now_us_) now_us_ = now_us;
}

std::vector<DomainEvent> InMemoryEventLog::All() {
  absl::MutexLock lock(&mu_);
  return events_;
}

}  // namespace clas
