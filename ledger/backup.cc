#include "ledger/backup.h"

#include <filesystem>
#include <memory>
#include <system_error>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "ledger/base/absl_view.h"
#include "ledger/base/status_macros.h"
#include "ledger/hash_chain.h"
#include "ledger/storage.h"
#include "rocksdb/env.h"
#include "rocksdb/utilities/backup_engine.h"

namespace clas::ledger {

// The one place outside EventStore that reaches its database.
class BackupAccess {
 public:
  static rocksdb::DB* Db(const EventStore& store) { return store.storage_->db(); }
  static bool ReadOnly(const EventStore& store) { return store.options_.read_only; }
};

namespace {

// Bytes copied between two progress calls.
constexpr uint64_t kProgressIntervalBytes = uint64_t{1} << 20;

// The metadata a backup carries (BackupEngine's app_metadata). Frozen: backups outlive builds.
//   metadata = "clas-ledger-backup/v1" LF
//              "position=" decimal LF "hash=" 64 lowercase hex LF "recorded_at_us=" decimal LF
constexpr char kMetadataMagic[] = "clas-ledger-backup/v1";

std::string EncodeMetadata(const LogHead& head) {
  return absl::StrFormat("%s\nposition=%d\nhash=%s\nrecorded_at_us=%d\n", kMetadataMagic,
                         head.position, HashHex(head.hash), head.recorded_at_us);
}

absl::StatusOr<std::string> HexToBytes(absl::string_view hex) {
  if (hex.size() != 2 * kHashBytes) {
    return absl::DataLossError(absl::StrFormat("backup hash has %d hex characters", hex.size()));
  }
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int byte = 0;
    for (char c : {hex[i], hex[i + 1]}) {
      const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (digit < 0) return absl::DataLossError("backup hash is not lowercase hex");
      byte = byte * 16 + digit;
    }
    out.push_back(static_cast<char>(byte));
  }
  return out;
}

absl::StatusOr<LogHead> DecodeMetadata(uint32_t id, const std::string& text) {
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  if (lines.size() != 4 || lines[0] != kMetadataMagic ||
      !absl::ConsumePrefix(&lines[1], "position=") || !absl::ConsumePrefix(&lines[2], "hash=") ||
      !absl::ConsumePrefix(&lines[3], "recorded_at_us=")) {
    return absl::DataLossError(
        absl::StrFormat("backup %d was not written by a clas-ledger backup", id));
  }
  LogHead head;
  if (!absl::SimpleAtoi(lines[1], &head.position) ||
      !absl::SimpleAtoi(lines[3], &head.recorded_at_us)) {
    return absl::DataLossError(absl::StrFormat("backup %d: bad position or instant", id));
  }
  ASSIGN_OR_RETURN(head.hash, HexToBytes(lines[2]));
  return head;
}

absl::StatusOr<BackupInfo> FromRocksInfo(const rocksdb::BackupInfo& info) {
  BackupInfo out;
  out.backup_id = info.backup_id;
  out.created_at_s = info.timestamp;
  out.size_bytes = info.size;
  out.files = info.number_files;
  ASSIGN_OR_RETURN(out.head, DecodeMetadata(info.backup_id, info.app_metadata));
  return out;
}

rocksdb::BackupEngineOptions EngineOptions(const std::string& backup_dir) {
  rocksdb::BackupEngineOptions options(backup_dir);
  options.callback_trigger_interval_size = kProgressIntervalBytes;
  return options;
}

std::function<void()> Counter(const CopyProgress& progress, uint64_t* calls) {
  return [&progress, calls] {
    ++*calls;
    if (progress) progress(*calls * kProgressIntervalBytes);
  };
}

absl::Status CheckEmptyTarget(const std::string& data_dir) {
  std::error_code error;
  const std::filesystem::path path(data_dir);
  if (!std::filesystem::exists(path, error)) return absl::OkStatus();
  if (!std::filesystem::is_directory(path, error)) {
    return absl::FailedPreconditionError(absl::StrFormat("'%s' is not a directory", data_dir));
  }
  if (!std::filesystem::is_empty(path, error) || error) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "'%s' is not empty: a restore only writes into an empty directory", data_dir));
  }
  return absl::OkStatus();
}

// Opens the restored log and checks it holds `head` (the head recorded with the backup).
absl::Status CheckRestoredHead(const std::string& data_dir, const LogHead& head) {
  Options options;
  options.path = data_dir;
  options.read_only = true;
  ASSIGN_OR_RETURN(std::unique_ptr<EventStore> store, EventStore::Open(options));
  if (head.position == 0) return absl::OkStatus();
  if (store->Head().position < head.position) {
    return absl::DataLossError(
        absl::StrFormat("restored log ends at position %d, before the backup's head %d",
                        store->Head().position, head.position));
  }
  ASSIGN_OR_RETURN(RecordedEvent event, store->Read(head.position));
  if (event.hash != head.hash) {
    return absl::DataLossError(
        absl::StrFormat("restored position %d has hash %s, the backup recorded %s", head.position,
                        ShortHashHex(event.hash), ShortHashHex(head.hash)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<BackupInfo> Backup(const EventStore& store, const std::string& backup_dir,
                                  const CopyProgress& progress) {
  if (BackupAccess::ReadOnly(store)) {
    return absl::FailedPreconditionError("a read-only store cannot be backed up");
  }
  rocksdb::BackupEngine* raw = nullptr;
  RETURN_IF_ERROR(FromRocks(
      rocksdb::BackupEngine::Open(EngineOptions(backup_dir), rocksdb::Env::Default(), &raw),
      absl::StrFormat("opening backup directory '%s'", backup_dir)));
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  // The head is read before the copy starts: the files pinned afterwards hold at least it.
  const LogHead head = store.Head();
  uint64_t calls = 0;
  rocksdb::CreateBackupOptions options;
  options.flush_before_backup = false;  // the write-ahead log is copied with the tables
  options.progress_callback = Counter(progress, &calls);
  rocksdb::BackupID id = 0;
  RETURN_IF_ERROR(FromRocks(engine->CreateNewBackupWithMetadata(options, BackupAccess::Db(store),
                                                                EncodeMetadata(head), &id),
                            absl::StrFormat("backing up into '%s'", backup_dir)));
  rocksdb::BackupInfo info;
  RETURN_IF_ERROR(FromRocks(engine->GetBackupInfo(id, &info), "reading the new backup"));
  return FromRocksInfo(info);
}

absl::StatusOr<std::vector<BackupInfo>> ListBackups(const std::string& backup_dir) {
  std::error_code error;
  if (!std::filesystem::is_directory(backup_dir, error)) {
    return absl::NotFoundError(absl::StrFormat("no backup directory '%s'", backup_dir));
  }
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  RETURN_IF_ERROR(FromRocks(
      rocksdb::BackupEngineReadOnly::Open(EngineOptions(backup_dir), rocksdb::Env::Default(), &raw),
      absl::StrFormat("opening backup directory '%s'", backup_dir)));
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw);
  std::vector<rocksdb::BackupInfo> infos;
  engine->GetBackupInfo(&infos);
  if (infos.empty()) {
    return absl::NotFoundError(absl::StrFormat("no backup in '%s'", backup_dir));
  }
  std::vector<BackupInfo> out;
  for (const rocksdb::BackupInfo& info : infos) {
    ASSIGN_OR_RETURN(BackupInfo one, FromRocksInfo(info));
    out.push_back(std::move(one));
  }
  return out;
}

absl::StatusOr<BackupInfo> Restore(const std::string& backup_dir, const std::string& data_dir,
                                   uint32_t backup_id) {
  RETURN_IF_ERROR(CheckEmptyTarget(data_dir));
  ASSIGN_OR_RETURN(std::vector<BackupInfo> backups, ListBackups(backup_dir));
  const BackupInfo* chosen = backup_id == 0 ? &backups.back() : nullptr;
  for (const BackupInfo& b : backups) {
    if (b.backup_id == backup_id) chosen = &b;
  }
  if (chosen == nullptr) {
    return absl::NotFoundError(absl::StrFormat("no backup %d in '%s'", backup_id, backup_dir));
  }
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  RETURN_IF_ERROR(FromRocks(
      rocksdb::BackupEngineReadOnly::Open(EngineOptions(backup_dir), rocksdb::Env::Default(), &raw),
      absl::StrFormat("opening backup directory '%s'", backup_dir)));
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw);
  RETURN_IF_ERROR(FromRocks(engine->VerifyBackup(chosen->backup_id, /*verify_with_checksum=*/true),
                            absl::StrFormat("checking backup %d", chosen->backup_id)));
  std::error_code error;
  std::filesystem::create_directories(data_dir, error);
  if (error) {
    return absl::UnavailableError(
        absl::StrFormat("cannot create '%s': %s", data_dir, error.message()));
  }
  RETURN_IF_ERROR(FromRocks(
      engine->RestoreDBFromBackup(rocksdb::RestoreOptions(), chosen->backup_id, data_dir, data_dir),
      absl::StrFormat("restoring backup %d into '%s'", chosen->backup_id, data_dir)));
  RETURN_IF_ERROR(CheckRestoredHead(data_dir, chosen->head));
  return *chosen;
}

}  // namespace clas::ledger
