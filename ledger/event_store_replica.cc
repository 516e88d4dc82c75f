// EventStore: replication. A leader's records read as stored (ReadStored), and written on a
// follower at the same positions with the same bytes (AppendReplicated), after ReplicaBatch
// checked both hash chains against the follower's own log.
#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/str_format.h"
#include "ledger/base/status_macros.h"
#include "ledger/errors.h"
#include "ledger/event_store.h"
#include "ledger/group_commit.h"
#include "ledger/key_layout.h"
#include "ledger/replica_batch.h"
#include "ledger/storage.h"

namespace clas::ledger {
namespace {

absl::Status ValidateReplicated(const std::vector<StoredRecord>& records) {
  if (records.empty()) return InvalidFieldError("records", "no record to replicate");
  if (records.size() > kReplicatedRecordsMax) {
    return InvalidFieldError("records", absl::StrFormat("%d records, at most %d", records.size(),
                                                        kReplicatedRecordsMax));
  }
  size_t bytes = 0;
  for (const StoredRecord& record : records) bytes += record.value.size();
  if (bytes > kReplicatedBytesMax) {
    return InvalidFieldError("records",
                             absl::StrFormat("%d bytes, at most %d", bytes, kReplicatedBytesMax));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<LogHead> EventStore::AppendReplicated(const std::vector<StoredRecord>& records) {
  if (options_.read_only) {
    return absl::FailedPreconditionError("the store is open read-only: replication refused");
  }
  if (!replica_) return NotReplicaError();
  RETURN_IF_ERROR(ValidateReplicated(records));
  // The writer's lock: Append is refused on a replica, so that only this call writes, and the
  // head read below stays the head until this call publishes the next. The role is checked
  // again under it: SetReplica(false) changes it with this lock held.
  absl::MutexLock commit_lock(&commit_mu_);
  if (!replica_) return NotReplicaError();
  LogHead head;
  {
    absl::MutexLock lock(&mu_);
    head = head_;
  }
  ReplicaBatch batch(storage_.get(), std::move(head));
  for (const StoredRecord& record : records) RETURN_IF_ERROR(batch.Add(record));
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;  // a replicated record is as durable as an appended one
  const absl::Time write_start = absl::Now();
  absl::Status written = storage_->Write(write_options, batch.batch());
  if (!written.ok()) {
    // As after a failed Append: RocksDB may have stopped writing; resume now so that the next
    // call (the replication loop retries) finds it writable, and the head as stored.
    const rocksdb::Status resumed = storage_->db()->Resume();
    if (!resumed.ok()) {
      written = absl::Status(written.code(), absl::StrFormat("%s (resuming: %s)", written.message(),
                                                             resumed.ToString()));
    }
    return written;
  }
  const absl::Duration write_time = absl::Now() - write_start;
  tips_->Clear();  // unused on a replica; never stale if it is one day promoted
  absl::MutexLock lock(&mu_);
  CLAS_CHECK(batch.head().position > head_.position) << "head moved back";
  head_ = batch.head();
  stats_.events_written += batch.staged();
  ++stats_.batches_written;
  if (options_.sync) ++stats_.writes_synced;
  stats_.group_calls.Add(1);
  stats_.write_time_us.Add(
      static_cast<uint64_t>(std::max<int64_t>(0, absl::ToInt64Microseconds(write_time))));
  head_advanced_.SignalAll();
  return head_;
}

absl::StatusOr<std::vector<StoredRecord>> EventStore::ReadStored(uint64_t from_position,
                                                                 size_t max_count,
                                                                 size_t bytes_max) const {
  if (max_count == 0 || max_count > kReplicatedRecordsMax) {
    return InvalidFieldError(
        "max_count", absl::StrFormat("%d is outside 1..%d", max_count, kReplicatedRecordsMax));
  }
  const uint64_t head = Head().position;  // what is published: never half of a group
  const uint64_t from = std::max<uint64_t>(from_position, 1);
  std::vector<StoredRecord> records;
  if (from > head) return records;
  const uint64_t last = std::min<uint64_t>(head, from + max_count - 1);
  const ScopedSnapshot snapshot(storage_->db());
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot.get();
  std::unique_ptr<rocksdb::Iterator> it(
      storage_->db()->NewIterator(read_options, storage_->family(Family::kEvents)));
  size_t bytes = 0;
  bool full = false;
  uint64_t expected = from;
  for (it->Seek(EventKey(from)); it->Valid() && expected <= last; it->Next()) {
    const std::optional<uint64_t> position = DecodeEventKey(it->key().ToStringView());
    if (position != expected) {
      return CorruptEventError(expected, "missing from the log (the next key is not it)");
    }
    const size_t size = it->value().size();
    if (!records.empty() && bytes + size > bytes_max) {
      full = true;
      break;
    }
    bytes += size;
    records.push_back(StoredRecord{expected, it->value().ToString()});
    ++expected;
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "reading stored records"));
  if (!full && expected <= last) return CorruptEventError(expected, "missing from the log");
  return records;
}

}  // namespace clas::ledger
