// The checks a follower makes on records another node's store formed, before it writes them
// (EventStore::AppendReplicated): each record must continue the local log, on both hash chains,
// as an Append there would have; accepted records are staged in one WriteBatch with the keys and
// index entries of key_layout.h, the record's bytes unchanged. Internal to ledger/.
//
// Like GroupCommit, it decides on the committed state (the head, the stream index) and on the
// records it accepted before, which are not written yet; nothing changes on disk or in the store
// until the caller writes the batch.
//
// Thread-safety: one ReplicaBatch per call, used by one thread.
#ifndef CLAS_LEDGER_REPLICA_BATCH_H_
#define CLAS_LEDGER_REPLICA_BATCH_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "ledger/storage.h"
#include "ledger/types.h"
#include "rocksdb/write_batch.h"

namespace clas::ledger {

class ReplicaBatch {
 public:
  // `head` is the committed head of the local log.
  ReplicaBatch(const Storage* storage, LogHead head);
  ReplicaBatch(const ReplicaBatch&) = delete;
  ReplicaBatch& operator=(const ReplicaBatch&) = delete;

  // Checks `record` against the head and the stream tips (committed, or staged by an earlier
  // Add) and stages it. OkStatus; ReplicaPositionError when its position is not the head + 1;
  // ReplicaChainError naming what does not hold (see EventStore::AppendReplicated); a storage
  // error reading a stream tip or the event id index. Nothing is staged on failure.
  absl::Status Add(const StoredRecord& record);

  rocksdb::WriteBatch* batch() { return &batch_; }
  // The head once the staged records are written.
  const LogHead& head() const { return head_; }
  size_t staged() const { return staged_; }

 private:
  // The tip of `stream_id`: staged by an earlier Add, else as committed.
  absl::StatusOr<StreamTip> TipOf(const std::string& stream_id) const;
  // OkStatus if no event holds `event_id`, committed or staged.
  absl::Status CheckNewEventId(uint64_t position, const std::string& event_id) const;

  const Storage* const storage_;
  LogHead head_;
  rocksdb::WriteBatch batch_;
  size_t staged_ = 0;
  absl::flat_hash_map<std::string, StreamTip> staged_tips_;
  absl::flat_hash_set<std::string> staged_ids_;
};

}  // namespace clas::ledger

#endif  // CLAS_LEDGER_REPLICA_BATCH_H_
