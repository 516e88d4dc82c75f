// EventStore: opening, the writer queue (group commit) and the head. Reads are in
// event_store_read.cc, verification in verifier.cc.
#include "ledger/event_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_format.h"
#include "ledger/base/status_macros.h"
#include "ledger/group_commit.h"
#include "ledger/hash_chain.h"
#include "ledger/key_layout.h"
#include "ledger/storage.h"
#include "ledger/validation.h"
#include "rocksdb/transaction_log.h"
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
  if (options.set_aside_records_max == 0 || options.set_aside_records_max > kSetAsideRecordsMax) {
    return InvalidFieldError("set_aside_records_max",
                             absl::StrFormat("%d is outside 1..%d", options.set_aside_records_max,
                                             kSetAsideRecordsMax));
  }
  if (options.block_cache_bytes < kBlockCacheBytesMin) {
    return InvalidFieldError("block_cache_bytes",
                             absl::StrFormat("%d is below %d (1 MiB)", options.block_cache_bytes,
                                             kBlockCacheBytesMin));
  }
  return absl::OkStatus();
}

// The head of a log whose last event does not decode or cannot be read, for inspection: the
// last position whose key reads, with GenesisHash() and instant 0 standing for what does not.
// If the events family cannot be read backwards, it is read forwards until it fails, and the
// head is the position after the last one read: Verify then stops there and names the failure.
absl::StatusOr<LogHead> ReadableHead(const Storage& storage) {
  LogHead head{0, GenesisHash(), 0};
  rocksdb::DB* db = storage.db();
  {
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(), storage.family(Family::kEvents)));
    for (it->SeekToLast(); it->Valid(); it->Prev()) {
      if (const std::optional<uint64_t> p = DecodeEventKey(it->key().ToStringView())) {
        head.position = *p;
        return head;
      }
    }
    if (it->status().ok()) return head;  // no key decodes: nothing to verify
  }
  std::unique_ptr<rocksdb::Iterator> it(
      db->NewIterator(rocksdb::ReadOptions(), storage.family(Family::kEvents)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (const std::optional<uint64_t> p = DecodeEventKey(it->key().ToStringView())) {
      head.position = std::max(head.position, *p);
    }
  }
  if (!it->status().ok()) ++head.position;  // where the failure is
  return head;
}

}  // namespace

absl::StatusOr<std::unique_ptr<EventStore>> EventStore::Open(const Options& options) {
  RETURN_IF_ERROR(ValidateOptions(options));
  if (options.tolerate_damage && !options.read_only) {
    return InvalidFieldError("tolerate_damage", "only with read_only");
  }
  if (options.replica && options.read_only) {
    return InvalidFieldError("replica", "not with read_only: a replica writes what it receives");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Storage> storage,
                   Storage::Open(options.path, options.read_only, options.tolerate_damage,
                                 options.env, options.block_cache_bytes));
  std::vector<std::string> damage;
  if (!storage->damage().empty()) damage.push_back(storage->damage());
  absl::StatusOr<LogHead> head = storage->ReadHead();
  if (!head.ok() && options.tolerate_damage && absl::IsDataLoss(head.status())) {
    damage.push_back(
        absl::StrFormat("the head of the log does not read: %s", head.status().message()));
    head = ReadableHead(*storage);
  }
  if (!head.ok()) return head.status();
  absl::StatusOr<uint64_t> term = storage->ReadTerm();
  if (!term.ok() && options.tolerate_damage && absl::IsDataLoss(term.status())) {
    damage.push_back(absl::StrFormat("the term does not read (shown as 0): %s",
                                     term.status().message()));
    term = 0;
  }
  if (!term.ok()) return term.status();
  std::unique_ptr<EventStore> store(
      new EventStore(options, std::move(storage), *std::move(head), *term));
  store->damage_ = std::move(damage);
  return store;
}

EventStore::EventStore(Options options, std::unique_ptr<Storage> storage, LogHead head,
                       uint64_t term)
    : options_(std::move(options)),
      clock_us_(options_.clock_us ? options_.clock_us : SystemClockUs),
      storage_(std::move(storage)),
      head_(std::move(head)),
      appends_refused_(options_.replica),
      replica_(options_.replica),
      term_(term),
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
  if (appends_refused_) return AppendToReplicaError();
  RETURN_IF_ERROR(ValidateAppend(stream_id, events, options_.limits));
  AppendRequest request(stream_id, expected, std::move(events));
  absl::MutexLock lock(&mu_);
  if (appends_refused_) return AppendToReplicaError();  // SetReplica(true) came meanwhile
  ++stats_.appends_requested;
  queue_.push_back(&request);
  ++arrivals_;
  if (gathering_) arrived_.Signal();
  while (!request.done && queue_.front() != &request) request.done_cv.Wait(&mu_);
  if (!request.done) LeadGroup();
  CLAS_CHECK(request.done) << "the leader left its own request undecided";
  CLAS_CHECK(request.outcome != AppendOutcome::kPending) << "request done but not decided";
  return std::move(request.result);
}

void EventStore::LeadGroup() {
  std::vector<AppendRequest*> group;
  if (appends_refused_) {
    // Queued before SetReplica(true), which waits for the queue: refused as if they came after.
    TakeQueued(&group);
    for (AppendRequest* request : group) {
      request->result = AppendToReplicaError();
      request->outcome = AppendOutcome::kRejected;
    }
    FinishGroup(group, std::nullopt, absl::ZeroDuration());
    return;
  }
  if (!write_error_.ok()) {
    // RocksDB stopped writing after the failure; the cause may be gone (space freed).
    mu_.Unlock();
    absl::StatusOr<LogHead> resumed = ResumeWrites();
    mu_.Lock();
    if (resumed.ok() && resumed->position < head_.position) {
      resumed = absl::DataLossError(absl::StrFormat(
          "after resuming writes the log ends at position %d, below the acknowledged %d",
          resumed->position, head_.position));
    }
    if (!resumed.ok()) {
      const absl::Status refusal(
          write_error_.code(),
          absl::StrFormat("%s (appends stay refused until this is resolved; resuming: %s)",
                          write_error_.message(), resumed.status().message()));
      TakeQueued(&group);
      for (AppendRequest* request : group) {
        request->result = refusal;
        request->outcome = AppendOutcome::kFailed;
      }
      FinishGroup(group, std::nullopt, absl::ZeroDuration());
      return;
    }
    write_error_ = absl::OkStatus();
    if (resumed->position > head_.position) {
      // The failed batch reached the log after all: it is whole (one atomic batch), and a retry
      // of it is answered as a duplicate.
      head_ = *std::move(resumed);
      head_advanced_.SignalAll();
    }
  }
  const LogHead head = head_;
  mu_.Unlock();
  absl::Duration write_time;
  absl::StatusOr<std::optional<LogHead>> committed = CommitGroup(&group, head, &write_time);
  mu_.Lock();
  if (!committed.ok()) write_error_ = committed.status();
  FinishGroup(group, committed.ok() ? *committed : std::nullopt, write_time);
}

absl::StatusOr<LogHead> EventStore::ResumeWrites() {
  absl::MutexLock lock(&commit_mu_);
  // Resume() clears RocksDB's background error once it can: it flushes the memtables to new
  // table files and starts a new write-ahead log, so nothing of the failed write stays behind
  // in memory or ahead of later records in the log.
  const rocksdb::Status resumed = storage_->db()->Resume();
  if (resumed.severity() >= rocksdb::Status::Severity::kFatalError) {
    // An I/O error of the write-ahead log other than a full disk: RocksDB will not write again
    // in this process, as the log may be inconsistent. Reopening replays it up to its last
    // whole record.
    return absl::UnavailableError(absl::StrFormat(
        "the storage engine stopped writing after this error; reopen the ledger (restart the "
        "server) to resume: %s",
        resumed.ToString()));
  }
  RETURN_IF_ERROR(FromRocks(resumed, "resuming writes"));
  tips_->Clear();
  return storage_->ReadHead();
}

size_t EventStore::TakeQueued(std::vector<AppendRequest*>* group) const {
  CLAS_CHECK(queue_.size() >= group->size()) << "the group is not in the queue";
  size_t events = 0;
  size_t bytes = 0;
  for (const AppendRequest* request : *group) {
    events += request->events.size();
    bytes += request->bytes;
  }
  const size_t size_before = group->size();
  for (size_t i = size_before; i < queue_.size(); ++i) {
    AppendRequest* request = queue_[i];
    if (group->size() == kGroupCommitRequestsMax) break;
    const bool too_big = events + request->events.size() > kGroupCommitEventsMax ||
                         bytes + request->bytes > kGroupCommitBytesMax;
    if (!group->empty() && too_big) break;  // the first request is always taken
    group->push_back(request);
    events += request->events.size();
    bytes += request->bytes;
  }
  CLAS_CHECK(!group->empty() && group->front() == queue_.front()) << "the leader is not first";
  return group->size() - size_before;
}

size_t EventStore::GatherGroup(std::vector<AppendRequest*>* group, absl::Time deadline) {
  if (group->empty()) {  // a new leader: it may wait unless the one before waited in vain
    gather_may_wait_ = !gather_timed_out_;
    gather_timed_out_ = false;
    gather_waited_ = false;
    return TakeQueued(group);
  }
  if (appends_refused_) return 0;  // SetReplica(true) waits: write what is taken, no more
  if (const size_t taken = TakeQueued(group); taken > 0) return taken;
  const bool full = queue_.size() > group->size();  // TakeQueued left a request behind
  if (full || !gather_may_wait_ || arrivals_ >= gather_calls_) return 0;
  if (!gather_waited_) ++stats_.gather_waits;
  gather_waited_ = true;
  // Woken by each arrival, to decide it while the others come.
  const size_t queued = queue_.size();
  gathering_ = true;
  for (bool timed_out = false; queue_.size() == queued && !timed_out && !appends_refused_;) {
    timed_out = arrived_.WaitWithDeadline(&mu_, deadline);
  }
  gathering_ = false;
  if (queue_.size() == queued) {
    ++stats_.gather_timeouts;
    gather_timed_out_ = true;
    gather_may_wait_ = false;
  }
  return TakeQueued(group);
}

absl::StatusOr<std::optional<LogHead>> EventStore::CommitGroup(std::vector<AppendRequest*>* group,
                                                               LogHead head,
                                                               absl::Duration* write_time) {
  absl::MutexLock lock(&commit_mu_);
  GroupCommit commit(storage_.get(), tips_.get(), std::move(head), &clock_us_);
  const absl::Time deadline =
      absl::Now() + std::min(last_write_time_ / kGroupGatherWaitWriteParts,
                             absl::Microseconds(kGroupGatherWaitMaxUs));
  // Decides what is queued, then what arrives while the leader gathers (mu_ is not held while
  // deciding: appenders keep queuing).
  for (size_t decided = 0;;) {
    {
      absl::MutexLock queue_lock(&mu_);
      if (GatherGroup(group, deadline) == 0) break;
    }
    for (; decided < group->size(); ++decided) commit.Decide((*group)[decided]);
  }
  if (commit.staged_events() == 0) return std::nullopt;
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;  // an acknowledged append must survive a crash
  const absl::Time write_start = absl::Now();
  const absl::Status status = storage_->Write(write_options, commit.batch());
  if (!status.ok()) {
    GroupCommit::FailWrite(*group, status);
    return status;
  }
  last_write_time_ = absl::Now() - write_start;
  *write_time = last_write_time_;
  commit.PublishTips();
  return commit.head();
}

void EventStore::FinishGroup(const std::vector<AppendRequest*>& group,
                             const std::optional<LogHead>& new_head, absl::Duration write_time) {
  gather_calls_ = group.size();
  arrivals_ = 0;
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
    if (options_.sync) ++stats_.writes_synced;
    stats_.group_calls.Add(written);
    stats_.write_time_us.Add(static_cast<uint64_t>(
        std::max<int64_t>(0, absl::ToInt64Microseconds(write_time))));
    head_advanced_.SignalAll();
  }
  if (!queue_.empty()) {
    queue_.front()->done_cv.Signal();  // the next leader
  } else {
    queue_emptied_.SignalAll();  // SetReplica(true) waits for it
  }
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

uint64_t EventStore::DiskBytes() const {
  rocksdb::DB* const db = storage_->db();
  uint64_t tables = 0;
  if (!db->GetAggregatedIntProperty(rocksdb::DB::Properties::kTotalSstFilesSize, &tables)) {
    tables = 0;
  }
  uint64_t logs = 0;
  rocksdb::VectorLogPtr files;
  if (db->GetSortedWalFiles(files).ok()) {
    for (const auto& file : files) logs += file->SizeFileBytes();
  }
  return tables + logs;
}

}  // namespace clas::ledger

namespace clas::ledger {

absl::Status EventStore::Compact() {
  if (options_.read_only) return absl::FailedPreconditionError("the store is read-only");
  return storage_->Compact();
}

absl::Status EventStore::Sync() {
  if (options_.read_only) return absl::FailedPreconditionError("the store is read-only");
  const rocksdb::Status synced = storage_->db()->SyncWAL();
  if (!synced.ok()) return absl::UnavailableError("syncing the write-ahead log: " + synced.ToString());
  return absl::OkStatus();
}

}  // namespace clas::ledger
