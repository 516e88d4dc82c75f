#include "ledger/storage.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "ledger/base/status_macros.h"
#include "ledger/errors.h"
#include "ledger/hash_chain.h"
#include "ledger/rocks_hooks.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"

namespace clas::ledger {
namespace {

constexpr double kEventIdBloomBitsPerKey = 10;  // ~1% false positives on unknown ids
// The memtable bloom filter's size as a fraction of the write buffer (RocksDB's own example
// value): ~1.3 MiB for the 64 MiB default, some 7 bits per id of a full memtable.
constexpr double kEventIdMemtableBloomRatio = 0.02;

rocksdb::ColumnFamilyOptions FamilyOptions(const std::string& name,
                                           const std::shared_ptr<rocksdb::Cache>& block_cache) {
  rocksdb::ColumnFamilyOptions options;
  rocksdb::BlockBasedTableOptions table_options;
  table_options.block_cache = block_cache;
  if (name == kFamilyNames[static_cast<size_t>(Family::kEventIds)]) {
    // Every appended event id is looked up first, and almost all are new: a bloom filter
    // answers "unknown" without reading a block.
    table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(kEventIdBloomBitsPerKey));
    // The same for the memtables, which hold the recent ids: without it each look-up of a new
    // id searches the memtable's skip list. In memory only; the files do not change.
    options.memtable_whole_key_filtering = true;
    options.memtable_prefix_bloom_size_ratio = kEventIdMemtableBloomRatio;
  }
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));
  return options;
}

// Our families in Family order, then any other family found on disk: a newer build may have
// added some, and RocksDB refuses to open a database without all of them, which would hide the
// clearer format-version error.
std::vector<std::string> FamilyNamesToOpen(const std::string& path, bool exists) {
  std::vector<std::string> names(kFamilyNames.begin(), kFamilyNames.end());
  std::vector<std::string> on_disk;
  if (exists && rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &on_disk).ok()) {
    for (const std::string& name : on_disk) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  return names;
}

// The write-ahead log files of the database at `path` ("000004.log, 000009.log"), by name.
std::string WalFileNames(const std::string& path) {
  std::vector<std::string> names;
  std::error_code error;
  for (auto it = std::filesystem::directory_iterator(path, error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    if (it->path().extension() == ".log") names.push_back(it->path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names.empty() ? std::string("none found") : absl::StrJoin(names, ", ");
}

// RocksDB names the table or manifest file a corruption is in, but not the write-ahead log
// whose replay failed: a corruption that names no file of `path` is the log's.
bool IsWalCorruption(const rocksdb::Status& status, const std::string& path) {
  return status.IsCorruption() && !absl::StrContains(status.ToString(), path);
}

absl::Status OpenError(const rocksdb::Status& status, const std::string& path) {
  std::string context = absl::StrFormat("opening the ledger at '%s'", path);
  if (IsWalCorruption(status, path)) {
    absl::StrAppend(&context, " (replaying its write-ahead log: ", WalFileNames(path), ")");
  }
  return FromRocks(status, context);
}

}  // namespace

absl::Status FromRocks(const rocksdb::Status& status, std::string_view context) {
  if (status.ok()) return absl::OkStatus();
  const std::string message = absl::StrFormat("%s: %s", context, status.ToString());
  if (status.IsNotFound()) return absl::NotFoundError(message);
  if (status.IsCorruption()) return absl::DataLossError(message);
  if (status.IsNoSpace()) return DiskFullError(context, status.ToString());
  if (status.IsIOError()) return StorageIoError(context, status.ToString());
  if (status.IsBusy() || status.IsTimedOut() || status.IsTryAgain()) {
    return absl::UnavailableError(message);
  }
  if (status.IsInvalidArgument() || status.IsNotSupported()) {
    return absl::FailedPreconditionError(message);
  }
  return absl::InternalError(message);
}

absl::StatusOr<RecordedEvent> DecodeRecordedEvent(uint64_t position, std::string_view value) {
  v1::StoredEvent stored;
  if (!stored.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return CorruptEventError(position, "the stored record does not parse");
  }
  RecordedEvent event;
  if (!event.body.ParseFromString(stored.body())) {
    return CorruptEventError(position, "the body does not parse");
  }
  if (event.body.position() != position) {
    return CorruptEventError(
        position, absl::StrFormat("the body names position %d", event.body.position()));
  }
  if (stored.hash().size() != kHashBytes || stored.prev_hash().size() != kHashBytes ||
      stored.prev_stream_hash().size() != kHashBytes) {
    return CorruptEventError(position, "a hash field is not 32 bytes long");
  }
  event.hash = std::move(*stored.mutable_hash());
  event.prev_hash = std::move(*stored.mutable_prev_hash());
  event.prev_stream_hash = std::move(*stored.mutable_prev_stream_hash());
  return event;
}

absl::StatusOr<std::unique_ptr<Storage>> Storage::Open(const std::string& path, bool read_only,
                                                       bool tolerate_damage, rocksdb::Env* env,
                                                       size_t block_cache_bytes) {
  if (tolerate_damage && !read_only) {
    return absl::InvalidArgumentError("tolerate_damage: only for a read-only open");
  }
  std::error_code error;
  const bool exists = std::filesystem::exists(std::filesystem::path(path) / "CURRENT", error);
  if (!exists) {
    // A manifest without CURRENT (the file naming the live manifest) is a ledger that lost that
    // file: RocksDB would create a new, empty database beside its data.
    for (auto it = std::filesystem::directory_iterator(path, error);
         !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
      const std::string name = it->path().filename().string();
      if (absl::StartsWith(name, "MANIFEST-")) {
        return absl::DataLossError(absl::StrFormat(
            "the ledger at '%s' has lost its CURRENT file (it holds %s): it cannot be opened; "
            "restore a backup, or recreate CURRENT naming the newest manifest",
            path, name));
      }
    }
  }
  if (read_only && !exists) {
    return absl::NotFoundError(absl::StrFormat("no ledger at '%s'", path));
  }
  if (!read_only && exists) {
    // A writable open writes (a new log, manifest and options file): check first, read-only,
    // that this build may use the ledger at all.
    RETURN_IF_ERROR(
        Open(path, /*read_only=*/true, /*tolerate_damage=*/false, env, block_cache_bytes).status());
  }
  if (!read_only && !std::filesystem::create_directories(path, error) && error) {
    return absl::UnavailableError(
        absl::StrFormat("cannot create directory '%s': %s", path, error.message()));
  }
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = !read_only;
  db_options.create_missing_column_families = !read_only;
  if (env != nullptr) db_options.env = env;
  // A full disk is survived in place (rocks_hooks.h): EventStore::ResumeWrites resumes.
  db_options.info_log = StderrRocksLogger();
  db_options.listeners.push_back(ManualRecoveryListener());
  // [choice] Acknowledged appends were synced: only a torn last record may be dropped.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  const std::shared_ptr<rocksdb::Cache> block_cache = rocksdb::NewLRUCache(block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : FamilyNamesToOpen(path, exists)) {
    descriptors.emplace_back(name, FamilyOptions(name, block_cache));
  }
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status status =
      read_only ? rocksdb::DB::OpenForReadOnly(db_options, path, descriptors, &handles, &db)
                : rocksdb::DB::Open(db_options, path, descriptors, &handles, &db);
  std::string damage;
  if (tolerate_damage && IsWalCorruption(status, path)) {
    damage = absl::StrFormat(
        "the write-ahead log (%s) does not replay: %s; the ledger is shown as of its last "
        "intact record, and any later write, acknowledged or not, is not shown",
        WalFileNames(path), status.ToString());
    db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
    status = rocksdb::DB::OpenForReadOnly(db_options, path, descriptors, &handles, &db);
  }
  RETURN_IF_ERROR(OpenError(status, path));
  CLAS_CHECK(handles.size() == descriptors.size()) << "RocksDB returned " << handles.size();
  std::unique_ptr<Storage> storage(new Storage());
  storage->db_.reset(db);
  storage->handles_ = std::move(handles);
  storage->damage_ = std::move(damage);
  RETURN_IF_ERROR(storage->CheckFormatVersion(read_only));
  return storage;
}

Storage::~Storage() {
  if (db_ == nullptr) return;
  for (rocksdb::ColumnFamilyHandle* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  db_->Close().PermitUncheckedError();
}

rocksdb::ColumnFamilyHandle* Storage::family(Family family) const {
  const size_t index = static_cast<size_t>(family);
  CLAS_CHECK(index < handles_.size()) << "family " << index << " not open";
  return handles_[index];
}

absl::Status Storage::CheckFormatVersion(bool read_only) {
  std::string value;
  const rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), family(Family::kMeta), kMetaFormatVersionKey, &value);
  if (status.IsNotFound()) {
    ASSIGN_OR_RETURN(const LogHead head, ReadHead());
    if (head.position != 0) {
      return absl::DataLossError(absl::StrFormat(
          "meta.format_version is missing but the log holds %d events", head.position));
    }
    if (read_only) return absl::OkStatus();
    rocksdb::WriteOptions write_options;
    write_options.sync = true;  // the format must be on disk before any event is
    return FromRocks(db_->Put(write_options, family(Family::kMeta), kMetaFormatVersionKey,
                              std::to_string(kFormatVersion)),
                     "recording the format version");
  }
  RETURN_IF_ERROR(FromRocks(status, "reading the format version"));
  uint32_t version = 0;
  if (!absl::SimpleAtoi(value, &version)) {
    return absl::DataLossError(
        absl::StrFormat("meta.format_version '%s' is not a number", absl::CHexEscape(value)));
  }
  if (version > kFormatVersion) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "format version %d is newer than this build's %d", version, kFormatVersion));
  }
  if (version < 1) {
    return absl::FailedPreconditionError(
        absl::StrFormat("format version %d is not supported", version));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Storage::ReadTerm() const {
  std::string value;
  const rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), family(Family::kMeta), kMetaTermKey, &value);
  if (status.IsNotFound()) return 0;
  RETURN_IF_ERROR(FromRocks(status, "reading the term"));
  uint64_t term = 0;
  if (!absl::SimpleAtoi(value, &term)) {
    return absl::DataLossError(
        absl::StrFormat("meta.term '%s' is not a number", absl::CHexEscape(value)));
  }
  return term;
}

absl::Status Storage::Write(const rocksdb::WriteOptions& write_options,
                            rocksdb::WriteBatch* batch) {
  return FromRocks(db_->Write(write_options, batch), "writing events");
}

absl::StatusOr<RecordedEvent> Storage::ReadEvent(uint64_t position,
                                                 const rocksdb::Snapshot* snapshot) const {
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot;
  std::string value;
  const rocksdb::Status status =
      db_->Get(read_options, family(Family::kEvents), EventKey(position), &value);
  if (status.IsNotFound()) {
    return absl::NotFoundError(absl::StrFormat("no event at position %d", position));
  }
  RETURN_IF_ERROR(FromRocks(status, absl::StrFormat("reading position %d", position)));
  return DecodeRecordedEvent(position, value);
}

absl::StatusOr<std::vector<RecordedEvent>> Storage::ReadEvents(
    absl::Span<const uint64_t> positions, const rocksdb::Snapshot* snapshot) const {
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot;
  const bool sorted = std::is_sorted(positions.begin(), positions.end());
  std::vector<std::string> keys;
  std::vector<rocksdb::Slice> key_slices;
  std::vector<rocksdb::PinnableSlice> values;
  std::vector<rocksdb::Status> statuses;
  std::vector<RecordedEvent> events;
  events.reserve(positions.size());
  // In chunks, so that the pinned blocks of a long read are let go as it goes.
  constexpr size_t kChunk = 256;
  for (size_t begin = 0; begin < positions.size(); begin += kChunk) {
    const size_t n = std::min(kChunk, positions.size() - begin);
    keys.resize(n);
    key_slices.resize(n);
    values.clear();
    values.resize(n);
    statuses.assign(n, rocksdb::Status());
    for (size_t i = 0; i < n; ++i) {
      keys[i] = EventKey(positions[begin + i]);
      key_slices[i] = keys[i];
    }
    db_->MultiGet(read_options, family(Family::kEvents), n, key_slices.data(), values.data(),
                  statuses.data(), sorted);
    for (size_t i = 0; i < n; ++i) {
      const uint64_t position = positions[begin + i];
      if (statuses[i].IsNotFound()) {
        return absl::NotFoundError(absl::StrFormat("no event at position %d", position));
      }
      RETURN_IF_ERROR(FromRocks(statuses[i], absl::StrFormat("reading position %d", position)));
      ASSIGN_OR_RETURN(RecordedEvent event,
                       DecodeRecordedEvent(position, values[i].ToStringView()));
      events.push_back(std::move(event));
    }
  }
  return events;
}

absl::Status Storage::Compact() {
  rocksdb::FlushOptions flush;
  flush.wait = true;
  RETURN_IF_ERROR(FromRocks(db_->Flush(flush, handles_), "flushing the memtables"));
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    RETURN_IF_ERROR(FromRocks(
        db_->CompactRange(rocksdb::CompactRangeOptions(), handle, nullptr, nullptr),
        absl::StrFormat("compacting the family '%s'", handle->GetName())));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<uint64_t>> Storage::FindEventPosition(
    std::string_view event_id) const {
  std::string value;
  const rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), family(Family::kEventIds), event_id, &value);
  if (status.IsNotFound()) return std::optional<uint64_t>();
  RETURN_IF_ERROR(FromRocks(status, absl::StrFormat("looking up event id '%s'", event_id)));
  const std::optional<uint64_t> position = DecodeEventKey(value);
  if (!position.has_value()) {
    return absl::DataLossError(
        absl::StrFormat("the index entry of event id '%s' is not a position", event_id));
  }
  return position;
}

absl::StatusOr<StreamTip> Storage::ReadStreamTip(std::string_view stream_id) const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), family(Family::kStreams)));
  it->SeekForPrev(StreamKey(stream_id, UINT64_MAX));
  RETURN_IF_ERROR(FromRocks(it->status(), absl::StrFormat("reading stream '%s'", stream_id)));
  if (!it->Valid() || !it->key().starts_with(StreamKeyPrefix(stream_id))) {
    return StreamTip{0, GenesisHash()};
  }
  const std::optional<DecodedStreamKey> key = DecodeStreamKey(it->key().ToStringView());
  const std::optional<uint64_t> position = DecodeEventKey(it->value().ToStringView());
  if (!key.has_value() || !position.has_value()) {
    return absl::DataLossError(
        absl::StrFormat("the last index entry of stream '%s' does not decode", stream_id));
  }
  ASSIGN_OR_RETURN(RecordedEvent event, ReadEvent(*position));
  if (event.stream_id() != stream_id || event.stream_version() != key->version) {
    return CorruptEventError(*position, absl::StrFormat("indexed as version %d of stream '%s'",
                                                        key->version, stream_id));
  }
  return StreamTip{key->version, std::move(event.hash)};
}

absl::StatusOr<LogHead> Storage::ReadHead() const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), family(Family::kEvents)));
  it->SeekToLast();
  RETURN_IF_ERROR(FromRocks(it->status(), "reading the head of the log"));
  if (!it->Valid()) return LogHead{0, GenesisHash(), 0};
  const std::optional<uint64_t> position = DecodeEventKey(it->key().ToStringView());
  if (!position.has_value()) {
    return absl::DataLossError("the last key of the events family is not a position");
  }
  ASSIGN_OR_RETURN(RecordedEvent event, DecodeRecordedEvent(*position, it->value().ToStringView()));
  return LogHead{*position, std::move(event.hash), event.recorded_at_us()};
}

}  // namespace clas::ledger
