#include "ledger/set_aside.h"

#include <filesystem>
#include <fstream>
#include <system_error>
#include <utility>

#include "absl/strings/str_format.h"
#include "ledger/base/status_macros.h"
#include "ledger/hash_chain.h"
#include "ledger/key_layout.h"
#include "ledger/limits.h"
#include "ledger/storage.h"
#include "rocksdb/file_system.h"

namespace clas::ledger {
namespace {

// Bytes gathered before they are handed to the file (each hand-over is a write system call).
constexpr size_t kWriteBufferBytes = size_t{1} << 20;

absl::Status SyncDirectory(rocksdb::FileSystem* fs, const std::string& directory) {
  std::unique_ptr<rocksdb::FSDirectory> handle;
  const std::string context = absl::StrFormat("syncing the directory '%s'", directory);
  RETURN_IF_ERROR(
      FromRocks(fs->NewDirectory(directory, rocksdb::IOOptions(), &handle, nullptr), context));
  RETURN_IF_ERROR(FromRocks(handle->Fsync(rocksdb::IOOptions(), nullptr), context));
  return FromRocks(handle->Close(rocksdb::IOOptions(), nullptr), context);
}

// Creates `directory` and its missing parents, each made durable in its parent.
absl::Status CreateDirectories(rocksdb::FileSystem* fs, const std::string& directory) {
  std::filesystem::path partial;
  for (const std::filesystem::path& part : std::filesystem::path(directory)) {
    if (part.empty()) continue;  // after a trailing separator
    const std::filesystem::path parent = partial.empty() ? "." : partial;
    partial /= part;
    const rocksdb::IOStatus exists =
        fs->FileExists(partial.string(), rocksdb::IOOptions(), nullptr);
    if (exists.ok()) continue;
    if (!exists.IsNotFound()) {
      return FromRocks(exists, absl::StrFormat("looking for '%s'", partial.string()));
    }
    RETURN_IF_ERROR(
        FromRocks(fs->CreateDirIfMissing(partial.string(), rocksdb::IOOptions(), nullptr),
                  absl::StrFormat("creating the directory '%s'", partial.string())));
    RETURN_IF_ERROR(SyncDirectory(fs, parent.string()));
  }
  return absl::OkStatus();
}

// True if no file is at `path`.
absl::StatusOr<bool> IsFree(rocksdb::FileSystem* fs, const std::string& path) {
  const rocksdb::IOStatus exists = fs->FileExists(path, rocksdb::IOOptions(), nullptr);
  if (exists.IsNotFound()) return true;
  RETURN_IF_ERROR(FromRocks(exists, absl::StrFormat("looking for '%s'", path)));
  return false;
}

std::string ManifestText(const std::string& records_file, uint64_t first, uint64_t last,
                         const SetAsideManifest& manifest) {
  return absl::StrFormat(
      "%srecords_file=%s\nfirst_position=%d\nlast_position=%d\ncount=%d\n"
      "head_before_position=%d\nhead_before_hash=%s\nhead_after_position=%d\n"
      "head_after_hash=%s\nterm=%d\nset_aside_at_us=%d\n",
      kSetAsideMagic, records_file, first, last, last - first + 1, manifest.head_before.position,
      HashHex(manifest.head_before.hash), manifest.head_after.position,
      HashHex(manifest.head_after.hash), manifest.term, manifest.set_aside_at_us);
}

}  // namespace

absl::StatusOr<std::unique_ptr<SetAsideWriter>> SetAsideWriter::Create(rocksdb::FileSystem* fs,
                                                                       const std::string& directory,
                                                                       uint64_t first_position,
                                                                       uint64_t last_position) {
  CLAS_CHECK(first_position >= 1 && first_position <= last_position)
      << "set-aside range " << first_position << ".." << last_position;
  RETURN_IF_ERROR(CreateDirectories(fs, directory));
  const std::string stem = absl::StrFormat("set-aside-%d-%d", first_position, last_position);
  for (size_t attempt = 1; attempt <= kSetAsideNameAttemptsMax; ++attempt) {
    const std::string base = attempt == 1 ? stem : absl::StrFormat("%s-%d", stem, attempt);
    const std::string prefix = (std::filesystem::path(directory) / base).string();
    ASSIGN_OR_RETURN(const bool records_free,
                     IsFree(fs, prefix + std::string(kSetAsideRecordsSuffix)));
    ASSIGN_OR_RETURN(const bool manifest_free,
                     IsFree(fs, prefix + std::string(kSetAsideManifestSuffix)));
    if (!records_free || !manifest_free) continue;
    std::unique_ptr<SetAsideWriter> writer(
        new SetAsideWriter(fs, directory, base, first_position, last_position));
    RETURN_IF_ERROR(FromRocks(
        fs->NewWritableFile(writer->records_path_, rocksdb::FileOptions(), &writer->file_, nullptr),
        absl::StrFormat("creating '%s'", writer->records_path_)));
    writer->buffer_ = std::string(kSetAsideMagic);
    return writer;
  }
  return absl::FailedPreconditionError(
      absl::StrFormat("'%s' already holds %d set-asides of positions %d..%d: no fresh name left",
                      directory, kSetAsideNameAttemptsMax, first_position, last_position));
}

SetAsideWriter::SetAsideWriter(rocksdb::FileSystem* fs, std::string directory, std::string base,
                               uint64_t first_position, uint64_t last_position)
    : fs_(fs),
      directory_(std::move(directory)),
      records_path_((std::filesystem::path(directory_) / base).string() +
                    std::string(kSetAsideRecordsSuffix)),
      manifest_path_((std::filesystem::path(directory_) / base).string() +
                     std::string(kSetAsideManifestSuffix)),
      base_name_(std::move(base)),
      first_position_(first_position),
      last_position_(last_position),
      next_position_(first_position) {}

SetAsideWriter::~SetAsideWriter() {
  if (finished_) return;
  if (file_ != nullptr) file_->Close(rocksdb::IOOptions(), nullptr).PermitUncheckedError();
  fs_->DeleteFile(records_path_, rocksdb::IOOptions(), nullptr).PermitUncheckedError();
  fs_->DeleteFile(manifest_path_, rocksdb::IOOptions(), nullptr).PermitUncheckedError();
}

absl::Status SetAsideWriter::Add(const StoredRecord& record) {
  CLAS_CHECK(record.position == next_position_ && record.position <= last_position_)
      << "set-aside record " << record.position << ", expected " << next_position_;
  buffer_ += EncodeU64(record.position);
  buffer_ += EncodeU64(record.value.size());
  buffer_ += record.value;
  ++next_position_;
  if (buffer_.size() >= kWriteBufferBytes) return Flush();
  return absl::OkStatus();
}

absl::Status SetAsideWriter::Flush() {
  const rocksdb::IOStatus written = file_->Append(buffer_, rocksdb::IOOptions(), nullptr);
  buffer_.clear();
  return FromRocks(written, absl::StrFormat("writing '%s'", records_path_));
}

absl::Status SetAsideWriter::Finish(const SetAsideManifest& manifest) {
  CLAS_CHECK(next_position_ == last_position_ + 1 && !finished_)
      << "set-aside finished at " << next_position_ << " of " << first_position_ << ".."
      << last_position_;
  buffer_ += EncodeU64(0);
  buffer_ += EncodeU64(last_position_ - first_position_ + 1);
  RETURN_IF_ERROR(Flush());
  const std::string records_context = absl::StrFormat("syncing '%s'", records_path_);
  RETURN_IF_ERROR(FromRocks(file_->Fsync(rocksdb::IOOptions(), nullptr), records_context));
  RETURN_IF_ERROR(FromRocks(file_->Close(rocksdb::IOOptions(), nullptr), records_context));
  file_.reset();

  std::unique_ptr<rocksdb::FSWritableFile> text;
  const std::string context = absl::StrFormat("writing '%s'", manifest_path_);
  RETURN_IF_ERROR(FromRocks(
      fs_->NewWritableFile(manifest_path_, rocksdb::FileOptions(), &text, nullptr), context));
  const std::string body = ManifestText(base_name_ + std::string(kSetAsideRecordsSuffix),
                                        first_position_, last_position_, manifest);
  RETURN_IF_ERROR(FromRocks(text->Append(body, rocksdb::IOOptions(), nullptr), context));
  RETURN_IF_ERROR(FromRocks(text->Fsync(rocksdb::IOOptions(), nullptr), context));
  RETURN_IF_ERROR(FromRocks(text->Close(rocksdb::IOOptions(), nullptr), context));
  RETURN_IF_ERROR(SyncDirectory(fs_, directory_));
  finished_ = true;
  return absl::OkStatus();
}

namespace {

// Reads a set-aside file front to back; every error names the file and the offset.
class SetAsideReader {
 public:
  SetAsideReader(const std::string& path, uint64_t size)
      : path_(path), size_(size), in_(path, std::ios::binary) {}

  bool is_open() const { return in_.is_open(); }
  uint64_t left() const { return size_ - offset_; }

  absl::Status Bad(std::string_view problem) const {
    return absl::DataLossError(
        absl::StrFormat("set-aside file '%s', at byte %d: %s", path_, offset_, problem));
  }
  // Exactly `n` bytes into `out`; DataLoss if the file ends before.
  absl::Status Take(size_t n, std::string* out, std::string_view what) {
    if (n > left()) return Bad(absl::StrFormat("cut short in %s", what));
    out->resize(n);
    if (!in_.read(out->data(), static_cast<std::streamsize>(n))) {
      return absl::UnavailableError(absl::StrFormat("reading '%s' at byte %d", path_, offset_));
    }
    offset_ += n;
    return absl::OkStatus();
  }
  absl::StatusOr<uint64_t> TakeU64(std::string_view what) {
    std::string bytes;
    RETURN_IF_ERROR(Take(kU64Bytes, &bytes, what));
    return *DecodeU64(bytes);
  }

 private:
  const std::string path_;
  const uint64_t size_;
  std::ifstream in_;
  uint64_t offset_ = 0;
};

}  // namespace

absl::StatusOr<std::vector<StoredRecord>> ReadSetAside(const std::string& file) {
  std::error_code error;
  const uintmax_t size = std::filesystem::file_size(file, error);
  if (error == std::errc::no_such_file_or_directory) {
    return absl::NotFoundError(absl::StrFormat("no set-aside file '%s'", file));
  }
  if (error) {
    return absl::UnavailableError(absl::StrFormat("reading '%s': %s", file, error.message()));
  }
  SetAsideReader reader(file, size);
  if (!reader.is_open()) return absl::UnavailableError(absl::StrFormat("cannot open '%s'", file));
  std::string magic;
  if (size < kSetAsideMagic.size() ||
      !reader.Take(kSetAsideMagic.size(), &magic, "the magic").ok() || magic != kSetAsideMagic) {
    return absl::DataLossError(
        absl::StrFormat("'%s' is not a set-aside file (it does not start with '%s')", file,
                        kSetAsideMagic.substr(0, kSetAsideMagic.size() - 1)));
  }
  std::vector<StoredRecord> records;
  for (;;) {
    ASSIGN_OR_RETURN(const uint64_t position, reader.TakeU64("a record's position"));
    ASSIGN_OR_RETURN(const uint64_t length, reader.TakeU64("a record's length"));
    if (position == 0) {  // the end: `length` is the count
      if (length != records.size()) {
        return reader.Bad(absl::StrFormat("the end counts %d records, the file holds %d", length,
                                          records.size()));
      }
      if (reader.left() != 0) return reader.Bad("bytes follow the end");
      return records;
    }
    if (!records.empty() && position != records.back().position + 1) {
      return reader.Bad(
          absl::StrFormat("position %d follows position %d", position, records.back().position));
    }
    if (records.size() == kSetAsideRecordsMax) {
      return reader.Bad(absl::StrFormat("more than %d records", kSetAsideRecordsMax));
    }
    if (length > kReplicatedBytesMax) {
      return reader.Bad(absl::StrFormat("position %d is %d bytes long, at most %d", position,
                                        length, kReplicatedBytesMax));
    }
    StoredRecord record{position, ""};
    RETURN_IF_ERROR(reader.Take(length, &record.value, absl::StrFormat("position %d", position)));
    records.push_back(std::move(record));
  }
}

}  // namespace clas::ledger
