// EventStore: opening, the writer queue (group commit) and the head. Reads are in
// event_store_read.cc, verification in verifier.cc.
#include "ledger/event_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_format.h"
#include "ledger/base/status_macros.h"
#include "ledger/group_commit.h"
#include "ledger/hash_chain.h"
#include "ledger/storage.h"
#include "ledger/validation.h"
#include "rocksdb/write_batch.h"

namespace clas::ledger {
namespace {

int64_t SystemClockUs() { return absl::ToUnixMicros(absl::Now()); }

absl::Status ValidateOptions(const Options& options) {
  if (options.path.empty()) return InvalidFieldError("path", "must not be empty");
  const AppendLimits& limits = options.limits;
  if (limits.events_per_append_max == 0 || limits.events_per_append_max > kEventsPerAppendMax) {
    return InvalidFieldError("limits.events_per_append_max",
                             absl::StrFormat("%d is outside 1..%d", limits.events_per_append_max,
                                             kEventsPerAppendMax));
  }
  if (limits.payload_bytes_max == 0 || limits.payload_bytes_max > kPayloadBytesMax) {
    return InvalidFieldError("limits.payload_bytes_max",
                             absl::StrFormat("%d is outside 1..%d", limits.payload_bytes_max,
                                             kPayloadBytesMax));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<EventStore>> EventStore::Open(const Options& options) {
  RETURN_IF_ERROR(ValidateOptions(options));
  ASSIGN_OR_RETURN(std::unique_ptr<Storage> storage,
                   Storage::Open(options.path, options.read_only));
  ASSIGN_OR_RETURN(LogHead head, storage->ReadHead());
  return std::unique_ptr<EventStore>(
      new EventStore(options, std::move(storage), std::move(head)));
}

EventStore::EventStore(Options options, std::unique_ptr<Storage> storage, LogHead head)
    : options_(std::move(options)),
      clock_us_(options_.clock_us ? options_.clock_us : SystemClockUs),
      storage_(std::move(storage)),
      head_(std::move(head)),
      tips_(std::make_unique<StreamTips>(storage_.get())) {
  CLAS_CHECK(head_.hash.size() == kHashBytes) << "head hash of " << head_.hash.size() << " bytes";
}

EventStore::~EventStore() {
  absl::MutexLock lock(&mu_);
  CLAS_CHECK(queue_.empty()) << "EventStore destroyed with " << queue_.size() << " appends";
}

absl::StatusOr<AppendResult> EventStore::Append(std::string_view stream_id,
                                                ExpectedVersion expected,
                                                std::vector<v1::EventData> events) {
  if (options_.read_only) {
    return absl::FailedPreconditionError("the store is open read-only: append refused");
  }
  RETURN_IF_ERROR(ValidateAppend(stream_id, events, options_.limits));
  AppendRequest request(stream_id, expected, std::move(events));
  absl::MutexLock lock(&mu_);
  ++stats_.appends_requested;
  queue_.push_back(&request);
  while (!request.done && queue_.front() != &request) request.done_cv.Wait(&mu_);
  if (!request.done) LeadGroup();
  CLAS_CHECK(request.done) << "the leader left its own request undecided";
  CLAS_CHECK(request.outcome != AppendOutcome::kPending) << "request done but not decided";
  return std::move(request.result);
}

void EventStore::LeadGroup() {
  const std::vector<AppendRequest*> group = TakeGroup();
  if (!write_error_.ok()) {
    for (AppendRequest* request : group) {
      request->result = absl::UnavailableError(absl::StrFormat(
          "an earlier write failed, reopen the store: %s", write_error_.message()));
      request->outcome = AppendOutcome::kFailed;
    }
    FinishGroup(group, std::nullopt);
    return;
  }
  const LogHead head = head_;
  mu_.Unlock();
  absl::StatusOr<std::optional<LogHead>> committed = CommitGroup(group, head);
  mu_.Lock();
  if (!committed.ok()) write_error_ = committed.status();
  FinishGroup(group, committed.ok() ? *committed : std::nullopt);
}

std::vector<AppendRequest*> EventStore::TakeGroup() const {
  CLAS_CHECK(!queue_.empty()) << "no leader";
  std::vector<AppendRequest*> group;
  size_t events = 0;
  size_t bytes = 0;
  for (AppendRequest* request : queue_) {
    if (group.size() == kGroupCommitRequestsMax) break;
    const bool too_big = events + request->events.size() > kGroupCommitEventsMax ||
                         bytes + request->bytes > kGroupCommitBytesMax;
    if (!group.empty() && too_big) break;  // the first request is always taken
    group.push_back(request);
    events += request->events.size();
    bytes += request->bytes;
  }
  CLAS_CHECK(group.front() == queue_.front()) << "the leader is not in its group";
  return group;
}

absl::StatusOr<std::optional<LogHead>> EventStore::CommitGroup(
    const std::vector<AppendRequest*>& group, LogHead head) {
  absl::MutexLock lock(&commit_mu_);
  GroupCommit commit(storage_.get(), tips_.get(), std::move(head), &clock_us_);
  for (AppendRequest* request : group) commit.Decide(request);
  if (commit.staged_events() == 0) return std::nullopt;
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;  // an acknowledged append must survive a crash
  const absl::Status status = storage_->Write(write_options, commit.batch());
  if (!status.ok()) {
    GroupCommit::FailWrite(group, status);
    return status;
  }
  commit.PublishTips();
  return commit.head();
}

void EventStore::FinishGroup(const std::vector<AppendRequest*>& group,
                             const std::optional<LogHead>& new_head) {
  uint64_t written = 0;
  for (AppendRequest* request : group) {
    CLAS_CHECK(!queue_.empty() && queue_.front() == request) << "group is not the queue's front";
    queue_.pop_front();
    switch (request->outcome) {
      case AppendOutcome::kWritten:
        ++written;
        stats_.events_written += request->events.size();
        break;
      case AppendOutcome::kDuplicate:
        ++stats_.appends_duplicate;
        break;
      case AppendOutcome::kRejected:
        ++stats_.appends_rejected;
        break;
      case AppendOutcome::kFailed:
        ++stats_.appends_failed;
        break;
      case AppendOutcome::kPending:
        CLAS_CHECK(false) << "request of stream '" << request->stream_id << "' not decided";
    }
    request->done = true;
    request->done_cv.Signal();
  }
  CLAS_CHECK(new_head.has_value() == (written > 0)) << written << " appends written";
  if (new_head.has_value()) {
    CLAS_CHECK(new_head->position > head_.position) << "head moved back";
    head_ = *new_head;
    stats_.appends_written += written;
    ++stats_.batches_written;
    stats_.group_size_max = std::max(stats_.group_size_max, written);
    head_advanced_.SignalAll();
  }
  if (!queue_.empty()) queue_.front()->done_cv.Signal();  // the next leader
}

LogHead EventStore::Head() const {
  absl::MutexLock lock(&mu_);
  return head_;
}

uint64_t EventStore::WaitForHead(uint64_t after_position, absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  while (head_.position <= after_position) {
    const bool timed_out = head_advanced_.WaitWithDeadline(&mu_, deadline);
    if (timed_out) break;
  }
  return head_.position;
}

StoreStats EventStore::Stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace clas::ledger

namespace clas::ledger {

absl::Status EventStore::Sync() {
  if (options_.read_only) return absl::FailedPreconditionError("the store is read-only");
  const rocksdb::Status synced = storage_->db()->SyncWAL();
  if (!synced.ok()) return absl::UnavailableError("syncing the write-ahead log: " + synced.ToString());
  return absl::OkStatus();
}

}  // namespace clas::ledger
