// Set-aside files: the records a former leader removes from the end of its log before it follows
// the new leader (EventStore::SetAsideAfter), kept outside the database so that nothing it once
// wrote is lost: an auditor reads them back with ReadSetAside.
//
// Each set-aside writes two files into the directory it is given, under one fresh base name
// "set-aside-<first>-<last>" (then "-2", "-3" ... if taken):
//
//   <base>.records, binary (do not change: auditors read it; a change needs a new magic):
//     records := magic record* end
//     magic   := "clas-ledger/set-aside/v1" LF
//     record  := u64be(position) u64be(length) value       value: `length` bytes
//     end     := u64be(0) u64be(count)                       position 0 never names a record
//   value is a record exactly as the log stored it under event_key(position) (a StoredEvent,
//   what ReadStored returns); positions are consecutive, from the first set aside; count is the
//   number of records; nothing follows the end. A file cut short has no end.
//
//   <base>.manifest, text, one "key=value" per line after the magic line:
//     records_file, first_position, last_position, count, head_before_position,
//     head_before_hash, head_after_position, head_after_hash (64 lowercase hex), term,
//     set_aside_at_us (UTC microseconds).
//
// Both files are written and fsynced, then the directory, before the records leave the log.
//
// Thread-safety: ReadSetAside is a pure function of the file; a SetAsideWriter is used by one
// thread.
#ifndef CLAS_LEDGER_SET_ASIDE_H_
#define CLAS_LEDGER_SET_ASIDE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ledger/types.h"

namespace rocksdb {
class FileSystem;
class FSWritableFile;
}  // namespace rocksdb

namespace clas::ledger {

inline constexpr std::string_view kSetAsideMagic = "clas-ledger/set-aside/v1\n";
inline constexpr std::string_view kSetAsideRecordsSuffix = ".records";
inline constexpr std::string_view kSetAsideManifestSuffix = ".manifest";

// The records of a set-aside file, in position order. Reads it whole (memory: about its size).
// NotFound if there is no such file; DataLoss naming the file and the offset when it is not one
// SetAsideAfter wrote whole: another magic, a position out of sequence, a record longer than
// kReplicatedBytesMax or than what is left of the file, more than kSetAsideRecordsMax records,
// no end (cut short), an end whose count is not the records', bytes after the end. Unavailable
// for an I/O error.
absl::StatusOr<std::vector<StoredRecord>> ReadSetAside(const std::string& file);

// What the manifest says besides the records.
struct SetAsideManifest {
  LogHead head_before;  // the head of the log before the set-aside: the last record set aside
  LogHead head_after;   // the head it leaves: the position it was asked to keep
  uint64_t term = 0;    // EventStore::term() then
  int64_t set_aside_at_us = 0;
};

// Writes one set-aside's two files through `fs` (the store's RocksDB file system, so that
// tests inject its faults). Internal to ledger/: EventStore::SetAsideAfter uses it.
class SetAsideWriter {
 public:
  // Creates `directory` (and its missing parents) and the records file under a fresh base
  // name for first_position..last_position. The converted I/O error, or FailedPrecondition
  // when kSetAsideNameAttemptsMax names are all taken. REQUIRES: 1 <= first <= last.
  static absl::StatusOr<std::unique_ptr<SetAsideWriter>> Create(rocksdb::FileSystem* fs,
                                                                const std::string& directory,
                                                                uint64_t first_position,
                                                                uint64_t last_position);
  SetAsideWriter(const SetAsideWriter&) = delete;
  SetAsideWriter& operator=(const SetAsideWriter&) = delete;
  // Removes what it wrote unless Finish succeeded (best effort: the files are incomplete).
  ~SetAsideWriter();

  // Appends the next record. REQUIRES: its position is the one after the last added (the first
  // position for the first).
  absl::Status Add(const StoredRecord& record);
  // Writes the end and the manifest, fsyncs both files, then the directory. REQUIRES: every
  // record of first..last was added.
  absl::Status Finish(const SetAsideManifest& manifest);

  const std::string& path() const { return records_path_; }
  const std::string& manifest_path() const { return manifest_path_; }

 private:
  SetAsideWriter(rocksdb::FileSystem* fs, std::string directory, std::string base,
                 uint64_t first_position, uint64_t last_position);
  absl::Status Flush();

  rocksdb::FileSystem* const fs_;
  const std::string directory_;
  const std::string records_path_;
  const std::string manifest_path_;
  const std::string base_name_;
  const uint64_t first_position_;
  const uint64_t last_position_;
  std::unique_ptr<rocksdb::FSWritableFile> file_;
  std::string buffer_;  // bytes not yet handed to file_
  uint64_t next_position_;
  bool finished_ = false;
};

}  // namespace clas::ledger

#endif  // CLAS_LEDGER_SET_ASIDE_H_
