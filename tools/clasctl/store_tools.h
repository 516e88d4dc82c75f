// The operator side of clasctl, on a data directory opened directly: opening the store, and the
// statistics of a whole log (stats).
//
// Thread-safety: functions; the store they are given is thread-safe.
#ifndef CLAS_TOOLS_CLASCTL_STORE_TOOLS_H_
#define CLAS_TOOLS_CLASCTL_STORE_TOOLS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "absl/status/statusor.h"
#include "google/protobuf/struct.pb.h"
#include "ledger/event_store.h"

namespace clas::ctl {

// Opens the ledger in `dir`. Read-only opens never write and may run beside a server; a
// read-write open takes the directory's lock, and fails (Unavailable, saying a server may hold
// it) when another process has it. NotFound when a read-only open finds no ledger.
absl::StatusOr<std::unique_ptr<ledger::EventStore>> OpenStore(const std::string& dir,
                                                              bool read_only);

// Recomputes the chain over positions from..to (1 <= from <= to <= head) in chunks, calling
// `progress` with the number of events checked so far. The report of the first chunk that fails
// (events_checked counts from `from`), or of the whole range; storage errors as Verify gives them.
absl::StatusOr<ledger::VerifyReport> VerifyInChunks(const ledger::EventStore& store, uint64_t from,
                                                    uint64_t to,
                                                    const std::function<void(uint64_t)>& progress);

// Counts of a whole log.
struct LogStats {
  uint64_t events = 0;
  int64_t first_recorded_us = 0;
  int64_t last_recorded_us = 0;
  uint64_t bytes_on_disk = 0;
  // Key (Caf, school year, event type) -> events. The Caf is the event's tenant ("" for the
  // national barème); the school year 0 when the fact names none (or is not a Clas fact).
  std::map<std::tuple<std::string, int32_t, std::string>, uint64_t> counts;

  std::map<std::string, uint64_t> ByCaf() const;
  std::map<int32_t, uint64_t> BySchoolYear() const;
  std::map<std::string, uint64_t> ByType() const;
};

// Reads the whole log with ReadAll in pages, calling `progress` with the events read so far.
// Storage errors (DataLoss naming a position) as ReadAll gives them.
absl::StatusOr<LogStats> CollectStats(const ledger::EventStore& store, const std::string& dir,
                                      const std::function<void(uint64_t)>& progress);

// The school year a Clas fact concerns (its school_year or first_school_year, looked up in the
// fact and its first nested year); 0 when it names none.
int32_t SchoolYearOfPayload(const std::string& payload);

// Bytes of the regular files under `dir`, 0 when it cannot be read.
uint64_t DirectoryBytes(const std::string& dir);

// The three tables (by Caf, by school year, by event type) under a one-line summary.
std::string FormatStats(const LogStats& stats, const std::string& dir);
// caf,school_year,event_type,events: one row per combination found.
std::string StatsCsv(const LogStats& stats);
// The same counts as a JSON object (google.protobuf.Struct).
google::protobuf::Struct StatsStruct(const LogStats& stats);

}  // namespace clas::ctl

#endif  // CLAS_TOOLS_CLASCTL_STORE_TOOLS_H_
