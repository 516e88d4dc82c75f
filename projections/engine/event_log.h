// The port through which the Clas engine reads and writes the log. The engine knows nothing of
// RocksDB: the server adapts ledger::EventStore to this interface, tests use InMemoryEventLog.
// (Storage as a parameter: what makes the deterministic simulation of the rules possible.)
//
// Thread-safety: implementations must be thread-safe.
#ifndef CLAS_PROJECTIONS_ENGINE_EVENT_LOG_H_
#define CLAS_PROJECTIONS_ENGINE_EVENT_LOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "clas/ledger/v1/record.pb.h"
#include "projections/convention/domain_event.h"

namespace clas {

// Expected version of a stream for an append: the stream must not exist yet.
inline constexpr uint64_t kNoStream = 0;

class EventLog {
 public:
  virtual ~EventLog() = default;

  struct Appended {
    std::vector<DomainEvent> events;  // as recorded (positions, instants)
    bool duplicate = false;           // every event id was known with the same content
  };

  // Appends atomically to `stream` whose current last version must be `expected_version`
  // (kNoStream: the stream must not exist). kAborted on a version conflict, kAlreadyExists when
  // an event id is known with other content, kInvalidArgument on malformed data.
  virtual absl::StatusOr<Appended> Append(const std::string& stream, uint64_t expected_version,
                                          std::vector<ledger::v1::EventData> events) = 0;
  // Every event of a stream in version order (empty when the stream does not exist).
  virtual absl::StatusOr<std::vector<DomainEvent>> ReadStream(const std::string& stream) = 0;
  // The events of a stream from version `from_version` (1-based) on, in version order: what
  // was appended since an earlier read. The default reads the whole stream and drops the start;
  // a log that can seek overrides it.
  virtual absl::StatusOr<std::vector<DomainEvent>> ReadStreamFrom(const std::string& stream,
                                                                  uint64_t from_version);
  // Stream ids starting with `prefix`, sorted.
  virtual absl::StatusOr<std::vector<std::string>> ListStreams(const std::string& prefix) = 0;
  // Every event of the streams whose ids start with `prefix`, in log order (by position): a
  // whole tenant read at once ("clas/caf-75/"). The default reads the streams one by one; a log
  // that can read them together overrides it.
  virtual absl::StatusOr<std::vector<DomainEvent>> ReadStreamsUnder(const std::string& prefix);
  // The entries under `prefix` sorting after `start_after`, sorted, at most `max_count` (> 0), as
  // a file system lists a folder: a stream id holding a '/' after the prefix is listed as its id
  // up to that '/' ("clas/caf-75/" under "clas/"), once for all the ids it covers; any other as
  // itself. The default lists every stream under the prefix; a log that can roll them up
  // overrides it.
  virtual absl::StatusOr<std::vector<std::string>> ListFolders(const std::string& prefix,
                                                               const std::string& start_after,
                                                               size_t max_count);
  // The event of that id, or nullopt.
  virtual absl::StatusOr<std::optional<DomainEvent>> FindEvent(const std::string& event_id) = 0;
  // The position of the last event (0 when empty).
  virtual uint64_t HeadPosition() = 0;
};

// A log in memory, for tests and simulations. Instants come from a settable clock.
class InMemoryEventLog : public EventLog {
 public:
  absl::StatusOr<Appended> Append(const std::string& stream, uint64_t expected_version,
                                  std::vector<ledger::v1::EventData> events) override;
  absl::StatusOr<std::vector<DomainEvent>> ReadStream(const std::string& stream) override;
  absl::StatusOr<std::vector<DomainEvent>> ReadStreamFrom(const std::string& stream,
                                                          uint64_t from_version) override;
  absl::StatusOr<std::vector<std::string>> ListStreams(const std::string& prefix) override;
  absl::StatusOr<std::optional<DomainEvent>> FindEvent(const std::string& event_id) override;
  uint64_t HeadPosition() override;

  // Sets the recording instant of the next appends (never decreasing: ignored if earlier).
  void SetNowMicros(int64_t now_us);
  // Every event, in log order.
  std::vector<DomainEvent> All();

 private:
  absl::Mutex mu_;
  std::vector<DomainEvent> events_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> data_bytes_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::vector<size_t>> streams_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, size_t> by_id_ ABSL_GUARDED_BY(mu_);
  int64_t now_us_ ABSL_GUARDED_BY(mu_) = 1'700'000'000'000'000;
};

}  // namespace clas

#endif  // CLAS_PROJECTIONS_ENGINE_EVENT_LOG_H_
