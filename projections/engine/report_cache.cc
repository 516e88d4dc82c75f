#include "projections/engine/report_cache.h"

#include <algorithm>
#include <utility>

namespace clas {

void ReportCache::Appended(const std::string& caf_id, uint64_t first, uint64_t last) {
  if (first == 0 || first > last) return;
  absl::MutexLock lock(&mu_);
  uint64_t& changed = caf_id.empty() ? every_caf_changed_ : caf_changed_[caf_id];
  changed = std::max(changed, last);
  if (last <= accounted_) return;
  uint64_t& pending_last = pending_[first];
  pending_last = std::max(pending_last, last);
  Absorb();
  if (pending_.size() > kPendingAppendsMax) Account(pending_.rbegin()->second);
}

void ReportCache::Absorb() {
  // Appends told out of order (concurrent commands of different Cafs) join once contiguous.
  while (!pending_.empty() && pending_.begin()->first <= accounted_ + 1) {
    accounted_ = std::max(accounted_, pending_.begin()->second);
    pending_.erase(pending_.begin());
  }
}

void ReportCache::Account(uint64_t head) {
  Absorb();
  if (head <= accounted_) return;
  // Events nobody told of (another writer, or an append not told yet): any Caf's.
  every_caf_changed_ = std::max(every_caf_changed_, head);
  accounted_ = head;
  Absorb();
}

uint64_t ReportCache::LastChange(const std::string& caf_id) const {
  auto it = caf_changed_.find(caf_id);
  return std::max(every_caf_changed_, it == caf_changed_.end() ? 0 : it->second);
}

std::optional<rules::CivilYearReport> ReportCache::Find(const std::string& caf_id, int32_t year,
                                                        const AsOf& as_of, uint64_t head) {
  absl::MutexLock lock(&mu_);
  Account(head);
  auto it = entries_.find(Key{caf_id, year, as_of.effective_date, as_of.known_at_us});
  if (it == entries_.end()) {
    ++stats_.misses;
    return std::nullopt;
  }
  if (it->second.head < LastChange(caf_id)) {  // something of the Caf was appended since
    by_use_.erase(it->second.last_used);
    entries_.erase(it);
    ++stats_.misses;
    return std::nullopt;
  }
  by_use_.erase(it->second.last_used);
  it->second.last_used = ++clock_;
  by_use_.emplace(it->second.last_used, it->first);
  ++stats_.hits;
  return it->second.report;
}

void ReportCache::Keep(const std::string& caf_id, int32_t year, const AsOf& as_of,
                       uint64_t head, const rules::CivilYearReport& report) {
  absl::MutexLock lock(&mu_);
  if (head < LastChange(caf_id)) return;  // already moved: it would never serve
  const Key key{caf_id, year, as_of.effective_date, as_of.known_at_us};
  Entry& entry = entries_[key];
  if (entry.last_used != 0) {
    if (entry.head > head) return;  // a later computation was kept meanwhile
    by_use_.erase(entry.last_used);
  }
  entry.report = report;
  entry.head = head;
  entry.last_used = ++clock_;
  by_use_.emplace(entry.last_used, key);
  while (entries_.size() > kCachedReportsMax) {
    auto oldest = by_use_.begin();  // never the one just kept: its clock is the latest
    entries_.erase(oldest->second);
    by_use_.erase(oldest);
  }
}

ReportCache::Stats ReportCache::stats() const {
  absl::MutexLock lock(&mu_);
  Stats out = stats_;
  out.entries = entries_.size();
  return out;
}

}  // namespace clas
