#include "projections/engine/stream_cache.h"

#include <utility>

#include "ledger/base/status_macros.h"

namespace clas {

void StreamCache::Touch(const std::string& stream, Entry& entry) {
  if (entry.last_used != 0) by_use_.erase(entry.last_used);
  entry.last_used = ++clock_;
  by_use_.emplace(entry.last_used, stream);
}

absl::StatusOr<StreamCache::Events> StreamCache::Read(EventLog& log, const std::string& stream) {
  // Read before the stream: every event at or below it is readable (a log publishes its head
  // once the events are written), so an unchanged head means nothing was appended since.
  const uint64_t head = log.HeadPosition();
  Events known;
  {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(stream);
    if (it != entries_.end()) {
      if (it->second.head == head) {
        Touch(stream, it->second);
        return it->second.events;
      }
      known = it->second.events;
    }
  }
  const uint64_t seen = known == nullptr ? 0 : known->size();
  ASSIGN_OR_RETURN(std::vector<DomainEvent> tail, log.ReadStreamFrom(stream, seen + 1));
  if (!tail.empty() && tail.front().stream_version != seen + 1) {
    // Not the continuation of what was kept (never from an append-only log): read it all.
    known = nullptr;
    ASSIGN_OR_RETURN(tail, log.ReadStream(stream));
  }
  Events events = known;
  if (!tail.empty()) {
    auto all = std::make_shared<std::vector<DomainEvent>>();
    all->reserve((known == nullptr ? 0 : known->size()) + tail.size());
    if (known != nullptr) all->insert(all->end(), known->begin(), known->end());
    all->insert(all->end(), std::make_move_iterator(tail.begin()),
                std::make_move_iterator(tail.end()));
    events = std::move(all);
  }
  if (events == nullptr) return std::make_shared<const std::vector<DomainEvent>>();
  absl::MutexLock lock(&mu_);
  if (events->size() > kCachedStreamEventsMax) return events;
  Entry& entry = entries_[stream];
  const size_t kept = entry.events == nullptr ? 0 : entry.events->size();
  if (kept < events->size() || (kept == events->size() && entry.head < head)) {
    // (Another reader may have kept a longer one, or the same one read later, meanwhile.)
    events_ += events->size() - kept;
    entry.events = events;
    entry.head = head;
  }
  Touch(stream, entry);
  while (events_ > kCachedStreamEventsMax && !by_use_.empty()) {
    auto oldest = by_use_.begin();
    auto victim = entries_.find(oldest->second);
    events_ -= victim->second.events->size();
    entries_.erase(victim);
    by_use_.erase(oldest);
  }
  return events;
}

}  // namespace clas
