// The full rebuild of every projection from the log: every convention of every Caf folded as
// known now (with the states after each correction the accounts need, R-ACC-8), every
// gestionnaire, and the accounts of every civil year of every Caf with their balance checks
// (R-ACC-10). Every event must decode, every convention fold, every report balance, and every
// event of the log be in the barème or a Caf's stream (clas/<caf>/<kind>/<id>, of a kind the
// rebuild folds); each exception is an error of the report. Two read orders:
//   RebuildAll      the log once in position order (`threads` ranges in parallel), then the
//                   Cafs folded in parallel. Memory: every event of the log is held (payload
//                   undecoded) until its Caf is folded, about 2 KiB an event.
//   RebuildByCaf    the Cafs one after the other on each of `threads` threads, each Caf's
//                   streams read through the stream index (EventStore::ListStreams and
//                   ReadStream) as its fold needs them. Memory: one stream's events and one
//                   Caf's books per thread, whatever the length of the log.
// And the baseline: the same log read with a raw RocksDB iterator, nothing decoded.
//
// Thread-safety: functions; the store they read is thread-safe.
#ifndef CLAS_TOOLS_BENCH_REBUILD_H_
#define CLAS_TOOLS_BENCH_REBUILD_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ledger/event_store.h"

namespace clas::bench {

struct RebuildReport {
  uint64_t head = 0;    // the log's last position when the rebuild started
  uint64_t events = 0;  // events read from the barème and the Caf streams
  uint64_t cafs = 0;
  uint64_t conventions = 0;
  uint64_t gestionnaires = 0;
  uint64_t civil_year_reports = 0;
  uint64_t unbalanced_reports = 0;  // reports with a failed R-ACC-10 check
  uint64_t errors = 0;              // events that do not decode, streams that fold to nothing,
                                    // reports that cannot be built
  std::vector<std::string> samples;  // the first problems, one sentence each
  double seconds = 0;       // the whole rebuild
  double read_seconds = 0;  // RebuildAll: reading the log; RebuildByCaf: in the store's reads,
                            // summed over the threads
  double fold_seconds = 0;  // RebuildAll: the folds; RebuildByCaf: the rest, summed likewise
};

// Rebuilds every projection of the log in `store` with `threads` threads, reading the log in
// position order. Returns the report, or the error of a read.
absl::StatusOr<RebuildReport> RebuildAll(const ledger::EventStore& store, int threads);

// The same rebuild, Caf by Caf through the stream index. Returns the report, or the error of a
// read.
absl::StatusOr<RebuildReport> RebuildByCaf(const ledger::EventStore& store, int threads);

struct RawScanReport {
  uint64_t events = 0;
  uint64_t bytes = 0;
  double seconds = 0;
};

// Iterates the events of the ledger at `path` with RocksDB alone (read-only open), touching
// each key and value, decoding nothing.
absl::StatusOr<RawScanReport> RawScan(const std::string& path);

}  // namespace clas::bench

#endif  // CLAS_TOOLS_BENCH_REBUILD_H_
