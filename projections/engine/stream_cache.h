// The events of the streams the engine read lately, so that a read asks the log only for the
// events appended since (ReadStreamFrom): on a long convention, a query no longer reads and
// decodes its whole history every time; and when the log's head has not moved since a stream
// was read, not even that. A log is append-only and an event never changes once recorded, so
// the events kept are always the first ones of their stream.
//
// Limits: at most kCachedStreamEventsMax events in all (the streams least recently read are
// dropped first); a stream longer than that is read from the log every time.
//
// Thread-safety: thread-safe; reads of the log run outside the lock.
#ifndef CLAS_PROJECTIONS_ENGINE_STREAM_CACHE_H_
#define CLAS_PROJECTIONS_ENGINE_STREAM_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "projections/engine/event_log.h"

namespace clas {

inline constexpr size_t kCachedStreamEventsMax = 64 * 1024;

class StreamCache {
 public:
  using Events = std::shared_ptr<const std::vector<DomainEvent>>;

  StreamCache() = default;
  StreamCache(const StreamCache&) = delete;
  StreamCache& operator=(const StreamCache&) = delete;

  // Every event of `stream` in version order, as `log` holds it now (empty when the stream does
  // not exist). The log's errors otherwise.
  absl::StatusOr<Events> Read(EventLog& log, const std::string& stream);

 private:
  struct Entry {
    Events events;
    uint64_t head = 0;  // the log's head position before they were read
    uint64_t last_used = 0;
  };
  void Touch(const std::string& stream, Entry& entry) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, std::string> by_use_ ABSL_GUARDED_BY(mu_);  // last_used -> stream
  uint64_t clock_ ABSL_GUARDED_BY(mu_) = 0;
  size_t events_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace clas

#endif  // CLAS_PROJECTIONS_ENGINE_STREAM_CACHE_H_
