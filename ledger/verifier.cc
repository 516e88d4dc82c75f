#include "ledger/verifier.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_format.h"
#include "ledger/base/status_macros.h"
#include "ledger/hash_chain.h"
#include "ledger/key_layout.h"

namespace clas::ledger {
namespace {

// A stored event whose own bytes are consistent: record and body parse, hash matches.
struct CheckedEvent {
  v1::StoredEvent stored;
  v1::EventBody body;
};

// Parses `value` and checks the event's hash against its own bytes. Returns the parsed event,
// or DataLoss whose message says what is wrong (without the position: the caller names it).
absl::StatusOr<CheckedEvent> CheckOwnBytes(std::string_view value) {
  CheckedEvent event;
  if (!event.stored.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError("the stored record does not parse");
  }
  RETURN_IF_ERROR(CheckStoredHash(event.stored));
  if (!event.body.ParseFromString(event.stored.body())) {
    return absl::DataLossError("the body does not parse, though its hash matches");
  }
  return event;
}

VerifyReport& Fail(VerifyReport& report, uint64_t position, std::string problem) {
  report.ok = false;
  report.first_bad_position = position;
  report.problem = std::move(problem);
  return report;
}

// The stored hash of `position`, to anchor a verification that starts after it.
absl::StatusOr<std::optional<std::string>> AnchorHash(const Storage& storage,
                                                      const rocksdb::ReadOptions& read_options,
                                                      uint64_t position) {
  if (position == 0) return std::optional<std::string>(GenesisHash());
  std::string value;
  const rocksdb::Status status = storage.db()->Get(
      read_options, storage.family(Family::kEvents), EventKey(position), &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  RETURN_IF_ERROR(FromRocks(status, absl::StrFormat("reading position %d", position)));
  v1::StoredEvent stored;
  if (!stored.ParseFromString(value) || stored.hash().size() != kHashBytes) {
    return std::optional<std::string>();
  }
  return std::optional<std::string>(stored.hash());
}

// Checks the links of one event of the global chain; the problem as DataLoss.
absl::Status CheckGlobalLinks(uint64_t position, const CheckedEvent& event,
                              const std::string& prev_hash,
                              std::optional<int64_t> prev_recorded_at_us) {
  if (event.body.position() != position) {
    return absl::DataLossError(
        absl::StrFormat("the body names position %d", event.body.position()));
  }
  if (event.stored.prev_hash() != prev_hash) {
    return absl::DataLossError(absl::StrFormat(
        "prev_hash %s is not the hash %s of position %d", ShortHashHex(event.stored.prev_hash()),
        ShortHashHex(prev_hash), position - 1));
  }
  if (prev_recorded_at_us.has_value() && event.body.recorded_at_us() <= *prev_recorded_at_us) {
    return absl::DataLossError(absl::StrFormat("recorded_at_us %d is not after %d of position %d",
                                               event.body.recorded_at_us(),
                                               *prev_recorded_at_us, position - 1));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<VerifyReport> VerifyChain(const Storage& storage, uint64_t from_position,
                                         uint64_t to_position) {
  CLAS_CHECK(from_position >= 1 && from_position <= to_position)
      << "range " << from_position << ".." << to_position;
  const ScopedSnapshot snapshot(storage.db());
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot.get();
  VerifyReport report;
  ASSIGN_OR_RETURN(std::optional<std::string> prev_hash,
                   AnchorHash(storage, read_options, from_position - 1));
  if (!prev_hash.has_value()) {
    return Fail(report, from_position - 1, "the stored hash before the range cannot be read");
  }
  std::optional<int64_t> prev_recorded_at_us;
  uint64_t expected = from_position;
  std::unique_ptr<rocksdb::Iterator> it(
      storage.db()->NewIterator(read_options, storage.family(Family::kEvents)));
  for (it->Seek(EventKey(from_position)); it->Valid() && expected <= to_position; it->Next()) {
    const std::optional<uint64_t> position = DecodeEventKey(it->key().ToStringView());
    if (!position.has_value()) return Fail(report, expected, "the next key does not decode");
    if (*position != expected) {
      return Fail(report, expected,
                  absl::StrFormat("the position is missing (the next stored is %d)", *position));
    }
    absl::StatusOr<CheckedEvent> event = CheckOwnBytes(it->value().ToStringView());
    absl::Status links = event.ok() ? CheckGlobalLinks(expected, *event, *prev_hash,
                                                       prev_recorded_at_us)
                                    : event.status();
    if (!links.ok()) return Fail(report, expected, std::string(links.message()));
    *prev_hash = event->stored.hash();
    prev_recorded_at_us = event->body.recorded_at_us();
    report.last_hash = *prev_hash;
    ++report.events_checked;
    ++expected;
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "verifying the log"));
  if (expected <= to_position) return Fail(report, expected, "the position is missing");
  return report;
}

absl::StatusOr<VerifyReport> VerifyStreamChain(const Storage& storage,
                                               std::string_view stream_id) {
  std::unique_ptr<rocksdb::Iterator> it(
      storage.db()->NewIterator(rocksdb::ReadOptions(), storage.family(Family::kStreams)));
  const std::string prefix = StreamKeyPrefix(stream_id);
  VerifyReport report;
  std::string prev_stream_hash = GenesisHash();
  uint64_t expected_version = 1;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const std::optional<DecodedStreamKey> key = DecodeStreamKey(it->key().ToStringView());
    const std::optional<uint64_t> position = DecodeEventKey(it->value().ToStringView());
    if (!key.has_value() || !position.has_value()) {
      return Fail(report, 0, absl::StrFormat("the index entry after version %d does not decode",
                                             expected_version - 1));
    }
    if (key->version != expected_version) {
      return Fail(report, *position,
                  absl::StrFormat("version %d is missing from the stream index (next: %d)",
                                  expected_version, key->version));
    }
    std::string value;
    const rocksdb::Status read = storage.db()->Get(
        rocksdb::ReadOptions(), storage.family(Family::kEvents), EventKey(*position), &value);
    if (read.IsNotFound()) {
      return Fail(report, *position,
                  absl::StrFormat("version %d points to a missing event", key->version));
    }
    RETURN_IF_ERROR(FromRocks(read, absl::StrFormat("reading position %d", *position)));
    absl::StatusOr<CheckedEvent> event = CheckOwnBytes(value);
    if (!event.ok()) return Fail(report, *position, std::string(event.status().message()));
    if (event->body.stream_id() != stream_id || event->body.stream_version() != key->version) {
      return Fail(report, *position,
                  absl::StrFormat("indexed as version %d but the body names version %d of "
                                  "stream '%s'",
                                  key->version, event->body.stream_version(),
                                  event->body.stream_id()));
    }
    if (event->stored.prev_stream_hash() != prev_stream_hash) {
      return Fail(report, *position,
                  absl::StrFormat("prev_stream_hash %s is not the hash %s of version %d",
                                  ShortHashHex(event->stored.prev_stream_hash()),
                                  ShortHashHex(prev_stream_hash), key->version - 1));
    }
    prev_stream_hash = event->stored.hash();
    report.last_hash = prev_stream_hash;
    ++report.events_checked;
    ++expected_version;
  }
  RETURN_IF_ERROR(FromRocks(it->status(), absl::StrFormat("verifying stream '%s'", stream_id)));
  if (report.events_checked == 0) {
    return absl::NotFoundError(absl::StrFormat("stream '%s' has no event", stream_id));
  }
  return report;
}

}  // namespace clas::ledger
