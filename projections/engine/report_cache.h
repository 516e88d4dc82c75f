// The civil-year reports the engine answered lately, kept while nothing that could move them was
// appended to the log: a report asked again (a desk refreshing its screen, a national follow-up
// asking every Caf in turn) is not computed again from the folds of every convention of its Caf.
//
// What a report depends on: the report of civil year Y of Caf C as of (D, T) is a function of the
// events of C's streams (conventions, gestionnaires, closings) and of the barème stream, nothing
// else. An entry is stamped with the log's head position read before anything of its computation
// was read; it serves a query while no event of C, nor of the barème, sits after that position.
//
// How the cache knows: the engine tells it of every append it makes (Appended: the positions, and
// the Caf whose stream was written, or none for the barème). Every position at or below
// `accounted_` was told of, so the last position of each Caf's events up to there is known. When
// the log's head is beyond what the cache was told (another writer on the same log, or an append
// of this engine not told yet), the events in between are taken as touching every Caf: every
// entry stamped before them stops serving. An answer from the cache is thus always the one a
// computation from the log would give at the head the caller read, as of any (D, T).
//
// Limits: at most kCachedReportsMax reports (the least recently used is dropped first), and
// kPendingAppendsMax appends told out of order (beyond, the events before them are taken as
// unknown, as above).
//
// Thread-safety: thread-safe.
#ifndef CLAS_PROJECTIONS_ENGINE_REPORT_CACHE_H_
#define CLAS_PROJECTIONS_ENGINE_REPORT_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "projections/convention/fold.h"
#include "projections/rules/accounting_report.h"

namespace clas {

inline constexpr size_t kCachedReportsMax = 4096;
inline constexpr size_t kPendingAppendsMax = 1024;

class ReportCache {
 public:
  // What the cache did, for tests and metrics.
  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;  // no entry, or one that no longer serves (then dropped)
    size_t entries = 0;
  };

  ReportCache() = default;
  ReportCache(const ReportCache&) = delete;
  ReportCache& operator=(const ReportCache&) = delete;

  // Tells the cache that events were appended at positions [first, last] to a stream of Caf
  // `caf_id`; an empty `caf_id` means a stream every Caf reads (the barème).
  void Appended(const std::string& caf_id, uint64_t first, uint64_t last);

  // The report kept for (caf_id, year, as_of) when it serves the log at `head` (read by the
  // caller before this call); nullopt otherwise.
  std::optional<rules::CivilYearReport> Find(const std::string& caf_id, int32_t year,
                                             const AsOf& as_of, uint64_t head);

  // Keeps a report computed from the log; `head` is the head position read before any of it.
  void Keep(const std::string& caf_id, int32_t year, const AsOf& as_of, uint64_t head,
            const rules::CivilYearReport& report);

  Stats stats() const;

 private:
  using Key = std::tuple<std::string, int32_t, int32_t, int64_t>;  // Caf, year, D, T
  struct Entry {
    rules::CivilYearReport report;
    uint64_t head = 0;
    uint64_t last_used = 0;
  };
  // Moves `accounted_` over the pending appends that continue it.
  void Absorb() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Takes every position up to `head` as accounted for: those not told of touch every Caf.
  void Account(uint64_t head) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The last position at or below `accounted_` that may have moved a report of `caf_id`.
  uint64_t LastChange(const std::string& caf_id) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  uint64_t accounted_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t every_caf_changed_ ABSL_GUARDED_BY(mu_) = 0;  // the barème, or events not told of
  std::map<std::string, uint64_t> caf_changed_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, uint64_t> pending_ ABSL_GUARDED_BY(mu_);  // first -> last, beyond accounted_
  std::map<Key, Entry> entries_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, Key> by_use_ ABSL_GUARDED_BY(mu_);  // last use -> key
  uint64_t clock_ ABSL_GUARDED_BY(mu_) = 0;
  Stats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace clas

#endif  // CLAS_PROJECTIONS_ENGINE_REPORT_CACHE_H_
