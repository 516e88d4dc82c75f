// The full rebuild of every projection from the log: every convention of every Caf folded as
// known now (with the states after each correction the accounts need, R-ACC-8), every
// gestionnaire, and the accounts of every civil year of every Caf with their balance checks
// (R-ACC-10). The log is read once in position order (two ranges in parallel), then the Cafs are
// folded in parallel. And the baseline: the same log read with a raw RocksDB iterator, nothing
// decoded.
//
// Memory: the events of the whole log are held (payloads undecoded) until their Caf is folded.
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
  uint64_t events = 0;
  uint64_t cafs = 0;
  uint64_t conventions = 0;
  uint64_t gestionnaires = 0;
  uint64_t civil_year_reports = 0;
  uint64_t unbalanced_reports = 0;  // reports with a failed R-ACC-10 check
  uint64_t errors = 0;              // events that do not decode, streams that fold to nothing,
                                    // reports that cannot be built
  std::vector<std::string> samples;  // the first problems, one sentence each
  double read_seconds = 0;
  double fold_seconds = 0;
};

// Rebuilds every projection of the log in `store` with `threads` threads.
absl::StatusOr<RebuildReport> RebuildAll(const ledger::EventStore& store, int threads);

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
