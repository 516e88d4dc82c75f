// The RocksDB database under one EventStore: opening it with the column families of
// key_layout.h, refusing a format newer than this build, and the point reads the store and its
// writer need, decoded and checked. Internal to ledger/: callers use EventStore.
//
// Bad bytes read from disk are reported as DataLoss naming the position, never a crash.
//
// Thread-safety: all methods may be called concurrently (RocksDB is thread-safe); Write is
// only called by the writer that leads the current group commit.
#ifndef CLAS_LEDGER_STORAGE_H_
#define CLAS_LEDGER_STORAGE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "ledger/key_layout.h"
#include "ledger/limits.h"
#include "ledger/types.h"
#include "rocksdb/db.h"

namespace clas::ledger {

// The last event of one stream; version 0 and GenesisHash() for a stream with no event.
struct StreamTip {
  uint64_t version = 0;
  std::string hash;
};

// Converts a RocksDB status: NotFound -> NotFound, Corruption -> DataLoss, NoSpace ->
// DiskFullError (ResourceExhausted), any other IOError -> StorageIoError (Unavailable),
// Busy/TimedOut/TryAgain -> Unavailable, InvalidArgument and NotSupported ->
// FailedPrecondition, anything else -> Internal. The message names `context`.
absl::Status FromRocks(const rocksdb::Status& status, std::string_view context);

// Decodes the StoredEvent `value` read under event_key(position). Returns the event, or
// DataLoss naming the position if the value or its body does not parse, a hash field is not
// kHashBytes long, or the body names another position.
absl::StatusOr<RecordedEvent> DecodeRecordedEvent(uint64_t position, std::string_view value);

// A RocksDB snapshot released when it goes out of scope.
class ScopedSnapshot {
 public:
  explicit ScopedSnapshot(rocksdb::DB* db) : db_(db), snapshot_(db->GetSnapshot()) {}
  ScopedSnapshot(const ScopedSnapshot&) = delete;
  ScopedSnapshot& operator=(const ScopedSnapshot&) = delete;
  ~ScopedSnapshot() { db_->ReleaseSnapshot(snapshot_); }
  const rocksdb::Snapshot* get() const { return snapshot_; }

 private:
  rocksdb::DB* const db_;
  const rocksdb::Snapshot* const snapshot_;
};

class Storage {
 public:
  // Opens the database at `path` with every column family it holds. Unless read_only, creates
  // the directory, the database and the families if missing, and records kFormatVersion in a
  // new database. Returns NotFound if read_only and no database is there; FailedPrecondition
  // if the recorded format version is newer than kFormatVersion ("format version 2 is newer
  // than this build's 1") or below 1; DataLoss if it does not parse or is missing from a log
  // that holds events; the converted RocksDB error otherwise.
  //
  // The write-ahead log is replayed with kTolerateCorruptedTailRecords: every acknowledged append
  // was synced, so a record cut short at the very end is a write that was never acknowledged and
  // is dropped; any other damage refuses the open (DataLoss naming the log files), where
  // RocksDB's default (kPointInTimeRecovery) would silently drop every record after it, and a
  // writable open would then make the loss permanent.
  //
  // An existing database is first opened read-only to check its format version, so that a
  // ledger this build cannot use is refused before anything is written in its directory.
  //
  // tolerate_damage (REQUIRES read_only), for inspection: a write-ahead log that does not
  // replay is replayed up to its last intact record instead (kPointInTimeRecovery, nothing is
  // written), and damage() says so. Table files RocksDB cannot open still refuse the open.
  //
  // env: RocksDB's environment (its file system); null for the default. Tests inject faults.
  // block_cache_bytes: the capacity of the block cache the families share.
  static absl::StatusOr<std::unique_ptr<Storage>> Open(
      const std::string& path, bool read_only, bool tolerate_damage = false,
      rocksdb::Env* env = nullptr, size_t block_cache_bytes = kBlockCacheBytesDefault);

  // What a tolerant open found and worked around; empty when nothing.
  const std::string& damage() const { return damage_; }

  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage();  // Closes the database. REQUIRES: no call in flight.

  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* family(Family family) const;

  // Writes `batch` atomically with `write_options` (the caller sets sync explicitly). Returns
  // OkStatus once written, the converted RocksDB error otherwise (nothing written).
  absl::Status Write(const rocksdb::WriteOptions& write_options, rocksdb::WriteBatch* batch);

  // The event at `position` as seen by `snapshot` (nullptr: latest). NotFound if there is none,
  // DataLoss if its bytes do not decode.
  absl::StatusOr<RecordedEvent> ReadEvent(uint64_t position,
                                          const rocksdb::Snapshot* snapshot = nullptr) const;

  // The events at `positions`, in the same order, as seen by `snapshot`, read with RocksDB's
  // batched MultiGet (one look-up per table file and block for all the keys it holds, instead
  // of one each). NotFound naming the first position with no event, DataLoss as ReadEvent.
  absl::StatusOr<std::vector<RecordedEvent>> ReadEvents(absl::Span<const uint64_t> positions,
                                                        const rocksdb::Snapshot* snapshot) const;

  // Flushes every family's memtables to table files and compacts each family's files down the
  // levels. After a bulk load, a reader then finds every event in a compacted table file
  // instead of in write-ahead logs replayed into memory at each open, or in a pile of level-0
  // files. The store stays usable meanwhile. The converted RocksDB error on failure.
  absl::Status Compact();

  // The position recorded for `event_id`, nullopt if the id is unknown. DataLoss if the index
  // value is not 8 bytes.
  absl::StatusOr<std::optional<uint64_t>> FindEventPosition(std::string_view event_id) const;

  // The last version and hash of `stream_id` ({0, GenesisHash()} for an unknown stream).
  // DataLoss if the index entry or the event it points to is bad or names another stream.
  // REQUIRES: ValidateStreamId(stream_id).ok().
  absl::StatusOr<StreamTip> ReadStreamTip(std::string_view stream_id) const;

  // The last event of the log ({0, GenesisHash(), 0} when empty); DataLoss if it is bad.
  absl::StatusOr<LogHead> ReadHead() const;

  // The term recorded under meta "term" (key_layout.h); 0 when none is. DataLoss if it is not
  // a decimal number.
  absl::StatusOr<uint64_t> ReadTerm() const;

 private:
  Storage() = default;
  absl::Status CheckFormatVersion(bool read_only);

  std::string damage_;
  std::unique_ptr<rocksdb::DB> db_;
  // Indexed by Family; then any family a newer build added (opened, never used).
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace clas::ledger

#endif  // CLAS_LEDGER_STORAGE_H_
