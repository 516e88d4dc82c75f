// EventStore: what a node of a cluster needs of its log. The role changes at run time
// (SetReplica), the fencing term is kept with the log (RaiseTerm), and a former leader's last
// records, which the new leader's log does not hold, are set aside before it follows
// (SetAsideAfter; the file it writes is set_aside.h's).
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "ledger/base/status_macros.h"
#include "ledger/errors.h"
#include "ledger/event_store.h"
#include "ledger/group_commit.h"
#include "ledger/hash_chain.h"
#include "ledger/key_layout.h"
#include "ledger/set_aside.h"
#include "ledger/storage.h"
#include "ledger/validation.h"
#include "rocksdb/env.h"
#include "rocksdb/write_batch.h"

namespace clas::ledger {
namespace {

void Delete(rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* family, std::string_view key) {
  const rocksdb::Status status = batch->Delete(family, key);
  CLAS_CHECK(status.ok()) << status.ToString();  // a batch without max_bytes does not fail
}

// Stages in `batch` the removal of `record` and of the two index entries its Append added,
// after checking that they point to it: a removal must take nothing but what this record added.
absl::Status StageRemoval(const Storage& storage, const StoredRecord& record,
                          rocksdb::WriteBatch* batch) {
  const uint64_t position = record.position;
  ASSIGN_OR_RETURN(const RecordedEvent event, DecodeRecordedEvent(position, record.value));
  const std::string& stream_id = event.stream_id();
  if (!ValidateStreamId(stream_id).ok() || event.stream_version() == 0) {
    return CorruptEventError(position, "its body names no valid stream and version");
  }
  const std::string stream_key = StreamKey(stream_id, event.stream_version());
  std::string indexed;
  const rocksdb::Status read = storage.db()->Get(
      rocksdb::ReadOptions(), storage.family(Family::kStreams), stream_key, &indexed);
  if (!read.IsNotFound()) RETURN_IF_ERROR(FromRocks(read, "reading the stream index"));
  if (read.IsNotFound() || DecodeEventKey(indexed) != position) {
    return CorruptEventError(position,
                             absl::StrFormat("version %d of stream '%s' is not indexed at it",
                                             event.stream_version(), stream_id));
  }
  ASSIGN_OR_RETURN(const std::optional<uint64_t> by_id,
                   storage.FindEventPosition(event.event_id()));
  if (by_id != position) {
    return CorruptEventError(position, absl::StrFormat("its event id '%s' is not indexed at it",
                                                       absl::CHexEscape(event.event_id())));
  }
  Delete(batch, storage.family(Family::kEvents), EventKey(position));
  Delete(batch, storage.family(Family::kStreams), stream_key);
  Delete(batch, storage.family(Family::kEventIds), event.event_id());
  return absl::OkStatus();
}

}  // namespace

void EventStore::SetReplica(bool replica) {
  if (options_.read_only) return;  // it takes neither kind of write: there is no role to change
  absl::MutexLock role_lock(&role_mu_);
  if (replica) {
    {
      absl::MutexLock lock(&mu_);
      appends_refused_ = true;
      if (gathering_) arrived_.Signal();  // a gathering leader stops waiting for more
      // Each queued append is written or fails (a group took it) or is refused (LeadGroup).
      while (!queue_.empty()) queue_emptied_.Wait(&mu_);
    }
    // The queue is empty and no append can join it: no group commit runs or will.
    absl::MutexLock commit_lock(&commit_mu_);
    absl::MutexLock lock(&mu_);
    replica_ = true;
    return;
  }
  // After a replicated write or a set-aside in flight; those that wait for the lock are then
  // refused (they check the role again under it).
  absl::MutexLock commit_lock(&commit_mu_);
  tips_->Clear();  // replication and set-asides changed streams behind the cache
  absl::MutexLock lock(&mu_);
  replica_ = false;
  appends_refused_ = false;
}

bool EventStore::is_replica() const { return replica_; }

uint64_t EventStore::term() const {
  absl::MutexLock lock(&mu_);
  return term_;
}

absl::Status EventStore::RaiseTerm(uint64_t term) {
  if (options_.read_only) {
    return absl::FailedPreconditionError("the store is open read-only: the term cannot be raised");
  }
  absl::MutexLock commit_lock(&commit_mu_);  // one writer at a time, whatever it writes
  const uint64_t current = this->term();
  if (term < current) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "term %d is below the log's term %d: a term never goes down", term, current));
  }
  if (term == current) return absl::OkStatus();
  rocksdb::WriteOptions write_options;
  write_options.sync = true;  // a fence a crash could lift would fence nothing
  absl::Status written =
      FromRocks(storage_->db()->Put(write_options, storage_->family(Family::kMeta), kMetaTermKey,
                                    std::to_string(term)),
                absl::StrFormat("recording term %d", term));
  if (!written.ok()) {
    const rocksdb::Status resumed = storage_->db()->Resume();  // as after a failed Append
    if (!resumed.ok()) {
      written = absl::Status(written.code(), absl::StrFormat("%s (resuming: %s)", written.message(),
                                                             resumed.ToString()));
    }
    return written;
  }
  absl::MutexLock lock(&mu_);
  term_ = term;
  return absl::OkStatus();
}

absl::StatusOr<SetAsideResult> EventStore::SetAsideAfter(uint64_t position,
                                                         const std::string& directory) {
  if (options_.read_only) {
    return absl::FailedPreconditionError("the store is open read-only: nothing is set aside");
  }
  if (!replica_) return SetAsideOnWriterError();
  // The writer's lock, as AppendReplicated's: on a replica nothing else writes the log.
  absl::MutexLock commit_lock(&commit_mu_);
  if (!replica_) return SetAsideOnWriterError();
  LogHead head;
  {
    absl::MutexLock lock(&mu_);
    head = head_;
  }
  if (position > head.position) {
    return InvalidFieldError("position",
                             absl::StrFormat("%d is past the head, %d", position, head.position));
  }
  const uint64_t count = head.position - position;
  if (count == 0) return SetAsideResult{};
  if (count > options_.set_aside_records_max) {
    return InvalidFieldError("position",
                             absl::StrFormat("%d records follow position %d, more than the %d one "
                                             "set-aside removes (set_aside_records_max)",
                                             count, position, options_.set_aside_records_max));
  }
  if (directory.empty()) return InvalidFieldError("directory", "must not be empty");
  return SetAsideTail(position, head, directory);
}

absl::StatusOr<SetAsideResult> EventStore::SetAsideTail(uint64_t position,
                                                        const LogHead& head_before,
                                                        const std::string& directory) {
  LogHead head_after{0, GenesisHash(), 0};
  if (position > 0) {
    ASSIGN_OR_RETURN(RecordedEvent kept, storage_->ReadEvent(position));
    head_after = LogHead{position, std::move(kept.hash), kept.recorded_at_us()};
  }
  const uint64_t first = position + 1;
  const uint64_t last = head_before.position;
  // 1. The copy, whole and durable, while the log still holds every record.
  rocksdb::Env* const env = options_.env != nullptr ? options_.env : rocksdb::Env::Default();
  ASSIGN_OR_RETURN(std::unique_ptr<SetAsideWriter> file,
                   SetAsideWriter::Create(env->GetFileSystem().get(), directory, first, last));
  rocksdb::WriteBatch batch;
  for (uint64_t next = first; next <= last;) {
    ASSIGN_OR_RETURN(const std::vector<StoredRecord> records,
                     ReadStored(next, kReplicatedRecordsMax, kReplicatedBytesMax));
    if (records.empty()) return CorruptEventError(next, "missing from the log");
    for (const StoredRecord& record : records) {
      RETURN_IF_ERROR(StageRemoval(*storage_, record, &batch));
      RETURN_IF_ERROR(file->Add(record));
    }
    next = records.back().position + 1;
  }
  RETURN_IF_ERROR(file->Finish(SetAsideManifest{head_before, head_after, term(), clock_us_()}));

  // 2. The removal, in one synced batch. The head goes first, so that no read bounded by it
  // (ReadStored, Verify) reaches for a record as it goes.
  {
    absl::MutexLock lock(&mu_);
    head_ = head_after;
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = true;  // whatever Options::sync says: a removal must not come undone
  absl::Status removed = storage_->Write(write_options, &batch);
  tips_->Clear();  // unused on a replica; never stale if it is one day promoted
  if (!removed.ok()) {
    const rocksdb::Status resumed = storage_->db()->Resume();
    const absl::StatusOr<LogHead> stored = storage_->ReadHead();
    absl::MutexLock lock(&mu_);
    head_ = stored.ok() ? *stored : head_before;
    if (head_.position > head_after.position) head_advanced_.SignalAll();
    return absl::Status(
        removed.code(),
        absl::StrFormat("%s (resuming: %s); positions %d..%d were copied to '%s' first, and stay "
                        "in the log unless a restart finds the removal written",
                        removed.message(), resumed.ToString(), first, last, file->path()));
  }
  return SetAsideResult{file->path(), file->manifest_path(), first, last, last - first + 1};
}

}  // namespace clas::ledger
