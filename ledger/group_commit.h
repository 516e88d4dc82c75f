// Group commit: the writer half of the event log.
//
// Concurrent Append calls queue up as AppendRequests (LevelDB's writer queue). The first in the
// queue leads: it takes the queued requests (bounded by kGroupCommit*Max), decides each in
// queue order with one GroupCommit, takes and decides those that arrive meanwhile (waiting a
// bounded time for the callers of the previous group: EventStore::GatherGroup), writes the
// single WriteBatch of all accepted requests with one sync, then wakes every request of the
// group. Every decision is taken on the committed state after the previous group's write.
// EventStore owns the queue; this file owns the decisions.
//
// GroupCommit is the deterministic part (TigerBeetle's "I/O first, then commit in memory"):
// given the committed head and stream tips, it decides each request — a retry answered with its
// original result, a refusal, or an acceptance with positions, versions, instants and hashes —
// as if the requests it accepted before were already committed, and stages accepted events into
// the batch. A refused request fails alone. Nothing the store keeps in memory changes until
// PublishTips after a successful write; if the write fails, FailWrite gives its error to every
// request whose answer depended on it and the store's state is as before.
//
// Thread-safety: a request's result fields are written by its group's leader before `done` is
// set under EventStore::mu_, and read by its caller after. StreamTips and GroupCommit are used by
// the current leader only (EventStore::commit_mu_ guards them).
#ifndef CLAS_LEDGER_GROUP_COMMIT_H_
#define CLAS_LEDGER_GROUP_COMMIT_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "clas/ledger/v1/record.pb.h"
#include "ledger/storage.h"
#include "ledger/types.h"
#include "rocksdb/write_batch.h"

namespace clas::ledger {

// How a request ended; counted in StoreStats.
enum class AppendOutcome { kPending, kWritten, kDuplicate, kRejected, kFailed };

// One Append call waiting in the writer queue. Lives on its caller's stack.
struct AppendRequest {
  // REQUIRES: ValidateAppend(stream_id, events, ...).ok().
  AppendRequest(std::string_view stream_id, ExpectedVersion expected,
                std::vector<v1::EventData> events);

  const std::string stream_id;
  const ExpectedVersion expected;
  const std::vector<v1::EventData> events;
  const std::vector<std::string> data_bytes;  // deterministic serialization of each event
  const size_t bytes;                         // sum of data_bytes sizes

  // Written by the leader of the group that carries the request.
  absl::StatusOr<AppendResult> result;
  AppendOutcome outcome = AppendOutcome::kPending;
  bool needs_write = false;  // the answer holds only if the group's batch is written
  bool done = false;         // guarded by EventStore::mu_
  absl::CondVar done_cv;     // signalled with EventStore::mu_ when done or made leader
};

// The committed last version and hash of the streams appended to, loaded from storage on first
// use; at most kStreamTipsCachedMax entries (past that, emptied and reloaded on demand).
class StreamTips {
 public:
  explicit StreamTips(const Storage* storage) : storage_(storage) {}

  // The committed tip of `stream_id`; the errors of Storage::ReadStreamTip.
  absl::StatusOr<StreamTip> Get(std::string_view stream_id);
  // Records the tip of a stream after a successful write.
  void Set(const std::string& stream_id, StreamTip tip);
  // Forgets every tip (after a failed write, the next Get reads them again).
  void Clear() { tips_.clear(); }

 private:
  const Storage* const storage_;
  absl::flat_hash_map<std::string, StreamTip> tips_;
};

// The deterministic serialization of the v1::EventBody {data, stream_id, stream_version,
// position, recorded_at_us} whose data serializes to `data_bytes`, into `out` (cleared first):
// byte for byte SerializeDeterministic of that message, fields in field-number order.
void EncodeEventBody(std::string_view data_bytes, std::string_view stream_id,
                     uint64_t stream_version, uint64_t position, int64_t recorded_at_us,
                     std::string* out);
// The serialization of the v1::StoredEvent with these fields, into `out` (cleared first).
void EncodeStoredEvent(std::string_view body, std::string_view prev_hash,
                       std::string_view prev_stream_hash, std::string_view hash,
                       std::string* out);

class GroupCommit {
 public:
  // `head` and `tips` are the committed state; `clock_us` gives UTC microseconds.
  GroupCommit(const Storage* storage, StreamTips* tips, LogHead head,
              const std::function<int64_t()>* clock_us);
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Decides `request` and sets its result, outcome and needs_write: if every event id was
  // recorded before (or accepted earlier in this group) with the same stream and bytes, the
  // original result with duplicate = true; AlreadyExists if an id was recorded with other
  // content or the call mixes recorded and new ids; Aborted (VersionConflictError) if the
  // stream's version is not the expected one; otherwise the events are staged and the result
  // holds their positions. A storage read error fails the request alone (kFailed).
  // REQUIRES: request->outcome == kPending.
  void Decide(AppendRequest* request);

  size_t staged_events() const { return staged_events_; }
  rocksdb::WriteBatch* batch() { return &batch_; }
  // The head of the log once the staged events are written.
  const LogHead& head() const { return head_; }

  // Publishes the staged stream tips. REQUIRES: batch() was written successfully.
  void PublishTips();
  // Gives `status` to every request of `group` whose answer needed the batch.
  // REQUIRES: the write of batch() failed with `status`.
  static void FailWrite(absl::Span<AppendRequest* const> group, const absl::Status& status);

 private:
  // An event recorded before, or accepted earlier in this group.
  struct KnownEvent {
    uint64_t position;
    uint64_t stream_version;
    std::string stream_id;
    std::string data_bytes;
    int64_t recorded_at_us;
    std::string hash;
    bool pending;  // accepted in this group, not yet written
  };
  using KnownEvents = std::vector<std::optional<KnownEvent>>;

  absl::StatusOr<KnownEvents> LookUpIds(const AppendRequest& request) const;
  absl::StatusOr<std::optional<KnownEvent>> LookUpId(std::string_view event_id) const;
  static absl::StatusOr<AppendResult> AnswerRetry(const AppendRequest& request,
                                                  const KnownEvents& known);
  absl::StatusOr<StreamTip> TipOf(std::string_view stream_id);
  AppendResult Stage(const AppendRequest& request, StreamTip tip);

  const Storage* const storage_;
  StreamTips* const tips_;
  const std::function<int64_t()>* const clock_us_;
  LogHead head_;
  rocksdb::WriteBatch batch_;
  size_t staged_events_ = 0;
  std::string body_bytes_;    // Stage's scratch: the EventBody bytes of one event
  std::string stored_bytes_;  // and its StoredEvent bytes
  absl::flat_hash_map<std::string, KnownEvent> pending_ids_;
  absl::flat_hash_map<std::string, StreamTip> pending_tips_;
};

}  // namespace clas::ledger

#endif  // CLAS_LEDGER_GROUP_COMMIT_H_
