// Snapshots of convention folds, so that as-of queries stay fast on long streams (R-HIST-2): a
// projection kept up to date event by event, with checkpoints along the way, answers exactly what
// a fold from scratch answers.
//
// What a query as of (D, T) folds (fold.h): the stream's events recorded by T and effective by D,
// corrections visible then applied to their targets, in the order of (effective date, position).
// The cache keeps, per convention stream, the fold of the whole stream as known now ("the
// head") and checkpoints: the state after the first k events of that order, every
// kCheckpointEveryEvents events. A checkpoint after k events serves (D, T) when those k events
// are exactly the first ones (D, T) folds: every event of the stream placed at or before the
// k-th (cancelled ones included) is recorded by T and effective by D, and so is every correction
// of one of them. The query then applies only the events after the checkpoint, and FinishFold.
//
// Keeping up to date: each query brings the stream as read from the log. New events placed after
// everything folded are applied to the head; an event placed earlier (backdated) or a correction
// of an earlier event drops the checkpoints from that point and folds again from the last one
// before it. A stream that is not an extension of what was seen (never, from an append-only log)
// is folded again from scratch.
//
// The context: a fold reads from its FoldContext only the gestionnaire's name and kind and the
// barème of the school years the events name. The cache keeps one entry per stream and context
// (what the fold reads of it, as bytes): a query as of a date before a barème was published, or
// as known before, has its own head and checkpoints, folded in its context; a query as known now
// after a barème was published starts a new entry, and the old one ages out.
//
// Limits: kCheckpointsPerStreamMax checkpoints per entry (beyond, every other one is dropped, so
// that checkpoints thin out toward the start of the stream), kCachedStreamsMax entries (the least
// recently used one is dropped).
//
// Thread-safety: thread-safe. Queries on different streams run in parallel; queries on one stream
// are serialised.
#ifndef CLAS_PROJECTIONS_HISTORY_SNAPSHOTS_H_
#define CLAS_PROJECTIONS_HISTORY_SNAPSHOTS_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "clas/v1/state.pb.h"
#include "projections/convention/domain_event.h"
#include "projections/convention/fold.h"

namespace clas {

inline constexpr size_t kCheckpointEveryEvents = 32;
inline constexpr size_t kCheckpointsPerStreamMax = 64;
inline constexpr size_t kCachedStreamsMax = 4096;

class ConventionCache {
 public:
  // What the cache did, for tests and metrics.
  struct Stats {
    uint64_t queries = 0;         // hits + misses
    uint64_t hits = 0;            // queries that found their stream folded up to what they read
                                  // or to an extension of it (new events only were applied)
    uint64_t misses = 0;          // queries that folded from scratch (a stream or context not
                                  // kept) or again from a checkpoint (backdated events)
    uint64_t refolds = 0;         // cache entries folded again from a checkpoint or scratch
    uint64_t events_applied = 0;  // Apply calls, cache upkeep and queries together
    size_t checkpoints_max = 0;   // the most checkpoints one stream has held
  };

  ConventionCache() = default;
  ConventionCache(const ConventionCache&) = delete;
  ConventionCache& operator=(const ConventionCache&) = delete;

  // The state of the convention whose stream is `stream` (every event of one stream, in version
  // order, as the log gives it) as of `as_of`, folded with `context`. Always equal to
  // FoldConvention(stream, as_of, context); the cache only saves work. An empty stream gives
  // FoldConvention's answer for it.
  // REQUIRES: every event of `stream` has the same stream_id; context.baremes is not null.
  v1::ConventionState Fold(const std::vector<DomainEvent>& stream, const AsOf& as_of,
                           const FoldContext& context);

  Stats stats() const;

 private:
  struct Entry;
  // The entry of `entry_key` (a stream id and a context), made if missing.
  std::shared_ptr<Entry> EntryOf(const std::string& entry_key);

  mutable absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<Entry>> entries_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, std::string> by_use_ ABSL_GUARDED_BY(mu_);  // last use -> entry key
  uint64_t clock_ ABSL_GUARDED_BY(mu_) = 0;  // for least-recently-used eviction
  Stats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace clas

#endif  // CLAS_PROJECTIONS_HISTORY_SNAPSHOTS_H_
