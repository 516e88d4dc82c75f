// The workload at scale ×K, built quickly from the ×1 dataset of clas-demo: every append of the
// ×1 log is written K times into a new ledger, copy k > 0 under its own Caf ids ("caf-75" becomes
// "caf-75.k3"), rewritten everywhere they appear (stream ids, event ids, tenant, actor, and every
// string field of the payload), so that each copy is a complete, valid Clas history whose folds
// and civil-year accounts hold exactly like the original's. The national barème is written once.
// Copies are interleaved append by append, so that a convention's events are spread over the
// whole log as in a real one; instants follow the originals (strictly increasing).
//
// Thread-safety: functions; run one at a time per target directory.
#ifndef CLAS_TOOLS_BENCH_DATASET_H_
#define CLAS_TOOLS_BENCH_DATASET_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "clas/ledger/v1/record.pb.h"

namespace clas::bench {

// The Caf id of copy k (k >= 1) of Caf `caf`; `caf` itself for k == 0.
std::string CopyCafId(const std::string& caf, int copy);

// The writer's data of copy k of `data` (its tenant names the Caf), ids rewritten.
ledger::v1::EventData CopyEventData(const ledger::v1::EventData& data, int copy);
// The stream id of copy k of `stream` (clas/<caf>/...).
std::string CopyStreamId(const std::string& stream, const std::string& caf, int copy);

struct ScaleReport {
  uint64_t source_events = 0;
  uint64_t events_written = 0;
  double seconds = 0;
};

// Writes the ×`scale` ledger at `target` (which must not hold a ledger) from the ledger at
// `source`. Appends are unsynced, then the log is synced once.
absl::StatusOr<ScaleReport> BuildScaledLedger(const std::string& source, const std::string& target,
                                              int scale);

}  // namespace clas::bench

#endif  // CLAS_TOOLS_BENCH_DATASET_H_
