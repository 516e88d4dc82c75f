// Backups of the event log with RocksDB's BackupEngine: consistent copies of an open store, taken
// while it serves reads and appends, kept incrementally in a backup directory (files shared
// between backups are copied once), and restored into an empty directory.
//
// A backup records, as its metadata, the head of the log when it started (position, hash,
// instant). Restore checks the backup's file checksums before copying, and after copying opens
// the restored log and checks that it holds that position with that hash: a restored ledger
// answers the head hash it was backed up with (it may hold more events, appended while the
// backup ran). Recomputing the whole chain is left to the caller (EventStore::Verify), which
// can show progress.
//
// The backup copies the database only; other files an operator keeps in the data directory
// (token files, configuration) are not part of it.
//
// Thread-safety: Backup may run alongside every other use of the store. Two backups into one
// backup directory at once, or a restore into a directory a store has open, are not supported.
#ifndef CLAS_LEDGER_BACKUP_H_
#define CLAS_LEDGER_BACKUP_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ledger/event_store.h"
#include "ledger/types.h"

namespace clas::ledger {

struct BackupInfo {
  uint32_t backup_id = 0;
  int64_t created_at_s = 0;  // Unix seconds
  uint64_t size_bytes = 0;   // of the files of this backup (shared ones included)
  uint32_t files = 0;
  LogHead head;  // the head of the log when the backup started
};

// Called now and then while files are copied, with the bytes copied so far.
using CopyProgress = std::function<void(uint64_t bytes_copied)>;

// Takes a new backup of `store` into `backup_dir` (created if missing). Returns its description,
// or FailedPrecondition for a read-only store (RocksDB cannot pin the files of one), Unavailable
// for I/O errors, Internal otherwise; a failed backup leaves the earlier ones intact.
absl::StatusOr<BackupInfo> Backup(const EventStore& store, const std::string& backup_dir,
                                  const CopyProgress& progress = {});

// The backups of `backup_dir`, oldest first. NotFound when it holds none; DataLoss when a
// backup's metadata is not one Backup wrote.
absl::StatusOr<std::vector<BackupInfo>> ListBackups(const std::string& backup_dir);

// Restores backup `backup_id` (0: the latest) of `backup_dir` into `data_dir`, which must not
// exist or be empty (FailedPrecondition otherwise: RocksDB would delete what is there). Checks
// the backup's checksums first (DataLoss naming the file), then the restored head (DataLoss when
// the restored log does not hold the recorded head hash). NotFound for an unknown backup.
// (RocksDB reports no progress while it restores.)
absl::StatusOr<BackupInfo> Restore(const std::string& backup_dir, const std::string& data_dir,
                                   uint32_t backup_id = 0);

}  // namespace clas::ledger

#endif  // CLAS_LEDGER_BACKUP_H_
