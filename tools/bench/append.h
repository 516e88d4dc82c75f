// Durable appends: our EventStore against the physical limit (a raw RocksDB WriteBatch synced,
// carrying the same bytes) and against PostgreSQL 15 through libpq.
//
// Thread-safety: functions; each opens what it measures in its own directory or connection.
#ifndef CLAS_TOOLS_BENCH_APPEND_H_
#define CLAS_TOOLS_BENCH_APPEND_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clas/ledger/v1/record.pb.h"

namespace clas::bench {

struct Throughput {
  uint64_t events = 0;
  double seconds = 0;
  double p50_us = 0;  // latency of one call (concurrent runs only)
  double p99_us = 0;
  double cpu_seconds = 0;  // CPU time of the calling thread (batched runs); of the process
                           // (concurrent runs of the store: every writer thread and RocksDB's)
  uint64_t batches = 0;         // synced writes (concurrent runs of the store only)
  uint64_t group_size_max = 0;  // most calls one write carried (idem)
  uint64_t gather_waits = 0;    // groups whose leader waited for callers (idem)
  uint64_t gather_timeouts = 0;  // of which the wait ran out of time (idem)
  double events_per_second() const { return seconds > 0 ? events / seconds : 0; }
};

// Real events to write: the writer's data of the first `count` events of the ledger at `path`.
absl::StatusOr<std::vector<ledger::v1::EventData>> SampleEvents(const std::string& path,
                                                                size_t count);

// EventStore::Append of batches of `batch` events (one stream per batch), synced, for about
// `seconds`, into a new ledger at `dir`.
absl::StatusOr<Throughput> StoreBatches(const std::string& dir,
                                        const std::vector<ledger::v1::EventData>& sample,
                                        size_t batch, double seconds);
// The same bytes as the store writes for those batches (record, stream index and id index
// entries, in the same column families), each batch one rocksdb::WriteBatch with sync = true.
absl::StatusOr<Throughput> RawBatches(const std::string& dir,
                                      const std::vector<ledger::v1::EventData>& sample,
                                      size_t batch, double seconds);
// `writers` threads, each appending 1 event per call to its own stream, synced.
absl::StatusOr<Throughput> StoreConcurrent(const std::string& dir,
                                           const std::vector<ledger::v1::EventData>& sample,
                                           int writers, double seconds);
// The same through libpq into PostgreSQL (`conninfo`): table events (stream_id, version,
// event_id, ...) with primary key (stream_id, version), unique event_id,
// synchronous_commit = on; one connection per writer, one INSERT per call.
absl::StatusOr<Throughput> PostgresConcurrent(const std::string& conninfo,
                                              const std::vector<ledger::v1::EventData>& sample,
                                              int writers, double seconds);

}  // namespace clas::bench

#endif  // CLAS_TOOLS_BENCH_APPEND_H_
