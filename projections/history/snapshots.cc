#include "projections/history/snapshots.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ledger/base/status_macros.h"

namespace clas {
namespace {

// The state after the first `count` events of the fold order known now, and what a query as of
// (D, T) must cover to start from it (snapshots.h): D ≥ effective_max and T ≥ recorded_max.
struct Checkpoint {
  size_t count = 0;
  FoldPlace last;
  int64_t recorded_max = std::numeric_limits<int64_t>::min();
  int32_t effective_max = std::numeric_limits<int32_t>::min();
  v1::ConventionState state;  // Apply'd, not finished (FinishFold comes with the query)

  bool Serves(const AsOf& as_of) const {
    return recorded_max <= as_of.known_at_us && effective_max <= as_of.effective_date;
  }
};

// What a fold of `stream` reads from `context`, as bytes: two contexts with the same key give
// the same states.
std::string ContextKey(const std::vector<DomainEvent>& stream, const FoldContext& context) {
  std::vector<int32_t> years;
  for (const auto& e : stream) AppendNamedYears(e.fact, &years);
  return FoldContextKey(SortedUnique(std::move(years)), context);
}

// For each place in fold order, the latest recording instant and effective date among the
// events placed there or before (cancelled ones included) and the corrections of those events.
class Bounds {
 public:
  explicit Bounds(const std::vector<DomainEvent>& stream) {
    std::map<std::string, FoldPlace> place;
    for (const auto& e : stream) place[e.event_id] = PlaceOf(e);
    for (const auto& e : stream) {
      marks_.push_back({PlaceOf(e), e.recorded_at_us, e.effective_date});
      if (!e.fact.has_event_corrected()) continue;
      auto target = place.find(e.fact.event_corrected().target_event_id());
      if (target != place.end())
        marks_.push_back({target->second, e.recorded_at_us, e.effective_date});
    }
    std::sort(marks_.begin(), marks_.end(),
              [](const Mark& a, const Mark& b) { return a.key < b.key; });
    for (size_t i = 1; i < marks_.size(); ++i) {
      marks_[i].recorded = std::max(marks_[i].recorded, marks_[i - 1].recorded);
      marks_[i].effective = std::max(marks_[i].effective, marks_[i - 1].effective);
    }
  }
  // Fills the checkpoint's bounds for its place.
  void Fill(Checkpoint* c) const {
    auto it = std::upper_bound(marks_.begin(), marks_.end(), c->last,
                               [](const FoldPlace& k, const Mark& m) { return k < m.key; });
    if (it == marks_.begin()) return;
    c->recorded_max = std::prev(it)->recorded;
    c->effective_max = std::prev(it)->effective;
  }
  // The bounds of every event and correction of the stream.
  void FillAll(Checkpoint* c) const {
    if (marks_.empty()) return;
    c->recorded_max = marks_.back().recorded;
    c->effective_max = marks_.back().effective;
  }

 private:
  struct Mark {
    FoldPlace key;
    int64_t recorded;
    int32_t effective;
  };
  std::vector<Mark> marks_;
};

}  // namespace

struct ConventionCache::Entry {
  absl::Mutex mu;
  uint64_t last_used = 0;               // guarded by the cache's mu_
  size_t seen ABSL_GUARDED_BY(mu) = 0;  // events of the stream folded in
  std::string last_event_id ABSL_GUARDED_BY(mu);
  std::string context_key ABSL_GUARDED_BY(mu);
  std::vector<Checkpoint> checkpoints ABSL_GUARDED_BY(mu) = {Checkpoint{}};  // by count
  Checkpoint head ABSL_GUARDED_BY(mu);  // the whole fold order known now
  uint64_t refolds ABSL_GUARDED_BY(mu) = 0;

  void Keep(const Checkpoint& c) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    checkpoints.push_back(c);
    if (checkpoints.size() <= kCheckpointsPerStreamMax) return;
    std::vector<Checkpoint> thinned;  // the first, every other one, and the last
    for (size_t i = 0; i < checkpoints.size(); ++i) {
      if (i % 2 == 0 || i + 1 == checkpoints.size()) thinned.push_back(std::move(checkpoints[i]));
    }
    checkpoints = std::move(thinned);
  }

  // Drops the checkpoints placed at or after `from`, then folds the order known now from the
  // last one left. Returns the events applied.
  uint64_t Refold(const std::vector<DomainEvent>& stream, const FoldContext& context,
                  FoldPlace from)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    while (checkpoints.size() > 1 && checkpoints.back().last >= from) checkpoints.pop_back();
    const std::vector<DomainEvent> order = Timeline(stream, AsOf{});
    const Bounds bounds(stream);
    Checkpoint at = checkpoints.back();
    CLAS_CHECK(at.count <= order.size()) << "snapshot beyond the fold order";
    uint64_t applied = 0;
    for (size_t i = at.count; i < order.size(); ++i) {
      Apply(&at.state, order[i], context);
      ++applied;
      at.count = i + 1;
      at.last = PlaceOf(order[i]);
      if (at.count % kCheckpointEveryEvents == 0) {
        bounds.Fill(&at);
        Keep(at);
      }
    }
    bounds.FillAll(&at);
    head = std::move(at);
    return applied;
  }

  // Brings the entry up to `stream` (folded with `context`). Returns the events applied.
  uint64_t Sync(const std::vector<DomainEvent>& stream, const FoldContext& context)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (seen > stream.size() || (seen > 0 && stream[seen - 1].event_id != last_event_id)) {
      Reset();  // not an extension of what was seen
    }
    if (seen == stream.size()) return 0;
    std::vector<DomainEvent> added(stream.begin() + seen, stream.end());
    seen = stream.size();
    last_event_id = stream.back().event_id;
    FoldPlace from{std::numeric_limits<int32_t>::max(), std::numeric_limits<uint64_t>::max()};
    bool in_order = true;
    for (const auto& e : added) {
      from = std::min(from, PlaceOf(e));
      if (e.fact.has_event_corrected() || PlaceOf(e) <= head.last) in_order = false;
      if (!e.fact.has_event_corrected()) continue;
      FoldPlace target;  // the place of the corrected event (the very first when it is unknown)
      for (const auto& t : stream) {
        if (t.event_id == e.fact.event_corrected().target_event_id()) target = PlaceOf(t);
      }
      from = std::min(from, target);
    }
    if (!in_order) {
      ++refolds;
      return Refold(stream, context, from);
    }
    // New events placed after everything folded: applied to the head, in fold order.
    std::stable_sort(added.begin(), added.end(),
                     [](const auto& a, const auto& b) { return PlaceOf(a) < PlaceOf(b); });
    for (const auto& e : added) {
      Apply(&head.state, e, context);
      ++head.count;
      head.last = PlaceOf(e);
      head.recorded_max = std::max(head.recorded_max, e.recorded_at_us);
      head.effective_max = std::max(head.effective_max, e.effective_date);
      if (head.count % kCheckpointEveryEvents == 0) Keep(head);
    }
    return added.size();
  }

  void Reset() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    seen = 0;
    last_event_id.clear();
    checkpoints = {Checkpoint{}};
    head = Checkpoint{};
  }
};

std::shared_ptr<ConventionCache::Entry> ConventionCache::EntryOf(const std::string& entry_key) {
  absl::MutexLock lock(&mu_);
  std::shared_ptr<Entry>& entry = entries_[entry_key];
  if (entry == nullptr) entry = std::make_shared<Entry>();
  if (entry->last_used != 0) by_use_.erase(entry->last_used);
  entry->last_used = ++clock_;
  by_use_.emplace(entry->last_used, entry_key);
  std::shared_ptr<Entry> used = entry;
  if (entries_.size() > kCachedStreamsMax) {
    // The least recently used (never the one just used: its clock is the latest).
    auto oldest = by_use_.begin();
    entries_.erase(oldest->second);
    by_use_.erase(oldest);
  }
  return used;
}

v1::ConventionState ConventionCache::Fold(const std::vector<DomainEvent>& stream, const AsOf& as_of,
                                          const FoldContext& context) {
  CLAS_CHECK(context.baremes != nullptr) << "a fold needs the barèmes";
  if (stream.empty()) return FoldConvention(stream, as_of, context);
  const std::string key = ContextKey(stream, context);
  // One entry per stream and context: a query as of a date before a barème was published has
  // its own states, kept like those of the queries as known now.
  std::shared_ptr<Entry> entry = EntryOf(absl::StrCat(stream.front().stream_id, "\n", key));
  uint64_t applied = 0, refolds = 0;
  size_t checkpoints = 0;
  bool kept = false;  // the entry held this stream's fold in this context before the query
  v1::ConventionState state;
  {
    absl::MutexLock lock(&entry->mu);
    const uint64_t refolds_before = entry->refolds;
    kept = entry->seen > 0 && key == entry->context_key;
    if (key != entry->context_key) {  // a new entry (its key names its context)
      entry->Reset();
      entry->context_key = key;
      ++entry->refolds;
    }
    applied += entry->Sync(stream, context);
    // The latest checkpoint the query's fold order starts with (the first one always does).
    const Checkpoint* start = entry->head.Serves(as_of) ? &entry->head : nullptr;
    for (auto it = entry->checkpoints.rbegin(); start == nullptr; ++it) {
      if (it->Serves(as_of)) start = &*it;
    }
    state = start->state;
    // The events of the query's timeline placed after it, pointed to in the stream (copies of
    // the replaced ones only).
    std::deque<DomainEvent> replaced;
    for (const DomainEvent* e : TimelineRefs(stream, as_of, &replaced, start->last)) {
      Apply(&state, *e, context);
      ++applied;
    }
    FinishFold(&state, stream, as_of);
    refolds = entry->refolds - refolds_before;
    checkpoints = entry->checkpoints.size();
  }
  absl::MutexLock lock(&mu_);
  ++stats_.queries;
  ++(kept && refolds == 0 ? stats_.hits : stats_.misses);
  stats_.refolds += refolds;
  stats_.events_applied += applied;
  stats_.checkpoints_max = std::max(stats_.checkpoints_max, checkpoints);
  return state;
}

ConventionCache::Stats ConventionCache::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace clas
