#include "ledger/verifier.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/base/status_macros.h"
#include "ledger/hash_chain.h"
#include "ledger/key_layout.h"
#include "ledger/validation.h"

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

// " (event id 'e', version 3 of stream 's')" as the stored body says, for a finding to name the
// event; empty if the body does not parse (its words may be the tampered ones).
std::string IdentityOf(std::string_view value) {
  v1::StoredEvent stored;
  v1::EventBody body;
  if (!stored.ParseFromArray(value.data(), static_cast<int>(value.size())) ||
      !body.ParseFromString(stored.body())) {
    return "";
  }
  return absl::StrFormat(" (event id '%s', version %d of stream '%s', as its body reads)",
                         absl::CHexEscape(body.data().event_id()), body.stream_version(),
                         absl::CHexEscape(body.stream_id()));
}

// A position RocksDB could not read: its checksum failed, or a table file is short or gone. The
// status names the file and offset where RocksDB gives them.
VerifyReport& Unreadable(VerifyReport& report, uint64_t position, const rocksdb::Status& status) {
  return Fail(report, position, absl::StrFormat("RocksDB cannot read it: %s", status.ToString()));
}

// The stored hash of `position`, to anchor a verification that starts after it.
absl::StatusOr<std::optional<std::string>> AnchorHash(const Storage& storage,
                                                      const rocksdb::ReadOptions& read_options,
                                                      uint64_t position) {
  if (position == 0) return std::optional<std::string>(GenesisHash());
  std::string value;
  const rocksdb::Status status = storage.db()->Get(
      read_options, storage.family(Family::kEvents), EventKey(position), &value);
  if (status.IsNotFound() || status.IsCorruption()) return std::optional<std::string>();
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
    if (!links.ok()) {
      return Fail(report, expected,
                  absl::StrCat(links.message(), IdentityOf(it->value().ToStringView())));
    }
    *prev_hash = event->stored.hash();
    prev_recorded_at_us = event->body.recorded_at_us();
    report.last_hash = *prev_hash;
    ++report.events_checked;
    ++expected;
  }
  if (it->status().IsCorruption()) return Unreadable(report, expected, it->status());
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
    if (read.IsCorruption()) return Unreadable(report, *position, read);
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
  if (it->status().IsCorruption()) return Unreadable(report, 0, it->status());
  RETURN_IF_ERROR(FromRocks(it->status(), absl::StrFormat("verifying stream '%s'", stream_id)));
  if (report.events_checked == 0) {
    return absl::NotFoundError(absl::StrFormat("stream '%s' has no event", stream_id));
  }
  return report;
}

namespace {

// The position an index entry holds, or a finding about `what` (e.g. "stream 'a' version 3").
// nullopt with the report filled when the entry is missing, unreadable or not a position.
absl::StatusOr<std::optional<uint64_t>> IndexedPosition(const Storage& storage,
                                                        const rocksdb::ReadOptions& read_options,
                                                        Family family, std::string_view key,
                                                        uint64_t position, const std::string& what,
                                                        VerifyReport& report) {
  std::string value;
  const rocksdb::Status status =
      storage.db()->Get(read_options, storage.family(family), key, &value);
  if (status.IsNotFound()) {
    Fail(report, position, absl::StrFormat("%s has no entry in the index", what));
    return std::optional<uint64_t>();
  }
  if (status.IsCorruption()) {
    Unreadable(report, position, status);
    report.problem = absl::StrFormat("the index entry of %s: %s", what, report.problem);
    return std::optional<uint64_t>();
  }
  RETURN_IF_ERROR(FromRocks(status, absl::StrFormat("reading the index entry of %s", what)));
  const std::optional<uint64_t> indexed = DecodeEventKey(value);
  if (indexed != position) {
    Fail(report, position,
         indexed.has_value() ? absl::StrFormat("%s is indexed at position %d", what, *indexed)
                             : absl::StrFormat("the index entry of %s is not a position", what));
    return std::optional<uint64_t>();
  }
  return indexed;
}

// Walks `family` (whose values are positions) and names its first entry whose event is not the
// one `matches` expects. Only called when the family holds more entries than the log has events.
absl::StatusOr<VerifyReport> FindEntryWithoutEvent(
    const Storage& storage, const rocksdb::ReadOptions& read_options, Family family,
    uint64_t to_position,
    const std::function<std::optional<std::string>(std::string_view key, const RecordedEvent*)>&
        mismatch) {
  VerifyReport report;
  std::unique_ptr<rocksdb::Iterator> it(
      storage.db()->NewIterator(read_options, storage.family(family)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::optional<uint64_t> position = DecodeEventKey(it->value().ToStringView());
    absl::StatusOr<RecordedEvent> event = absl::NotFoundError("");
    if (position.has_value() && *position <= to_position) {
      event = storage.ReadEvent(*position, read_options.snapshot);
    }
    const std::optional<std::string> problem =
        mismatch(it->key().ToStringView(), event.ok() ? &*event : nullptr);
    if (problem.has_value()) return Fail(report, position.value_or(0), *problem);
  }
  if (it->status().IsCorruption()) return Unreadable(report, 0, it->status());
  RETURN_IF_ERROR(FromRocks(it->status(), "reading an index"));
  return report;
}

uint64_t CountEntries(const Storage& storage, const rocksdb::ReadOptions& read_options,
                      Family family, rocksdb::Status& status) {
  std::unique_ptr<rocksdb::Iterator> it(
      storage.db()->NewIterator(read_options, storage.family(family)));
  uint64_t count = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++count;
  status = it->status();
  return count;
}

}  // namespace

absl::StatusOr<VerifyReport> VerifyIndexes(const Storage& storage, uint64_t from_position,
                                           uint64_t to_position, bool whole_log) {
  CLAS_CHECK(from_position >= 1 && from_position <= to_position)
      << "range " << from_position << ".." << to_position;
  const ScopedSnapshot snapshot(storage.db());
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot.get();
  VerifyReport report;
  std::unique_ptr<rocksdb::Iterator> it(
      storage.db()->NewIterator(read_options, storage.family(Family::kEvents)));
  uint64_t expected = from_position;
  for (it->Seek(EventKey(from_position)); it->Valid() && expected <= to_position; it->Next()) {
    if (DecodeEventKey(it->key().ToStringView()) != expected) {
      return Fail(report, expected, "the position is missing");
    }
    absl::StatusOr<RecordedEvent> event = DecodeRecordedEvent(expected, it->value().ToStringView());
    if (!event.ok()) return Fail(report, expected, std::string(event.status().message()));
    const std::string& stream_id = event->stream_id();
    if (!ValidateStreamId(stream_id).ok() || event->stream_version() == 0) {
      return Fail(report, expected, "the body names no valid stream and version");
    }
    const std::string stream_what =
        absl::StrFormat("stream '%s' version %d", stream_id, event->stream_version());
    ASSIGN_OR_RETURN(const std::optional<uint64_t> by_stream,
                     IndexedPosition(storage, read_options, Family::kStreams,
                                     StreamKey(stream_id, event->stream_version()), expected,
                                     stream_what, report));
    if (!by_stream.has_value()) return report;
    const std::string id_what = absl::StrFormat("event id '%s'", event->event_id());
    ASSIGN_OR_RETURN(const std::optional<uint64_t> by_id,
                     IndexedPosition(storage, read_options, Family::kEventIds, event->event_id(),
                                     expected, id_what, report));
    if (!by_id.has_value()) return report;
    ++report.events_checked;
    report.last_hash = event->hash;
    ++expected;
  }
  if (it->status().IsCorruption()) return Unreadable(report, expected, it->status());
  RETURN_IF_ERROR(FromRocks(it->status(), "verifying the indexes"));
  if (expected <= to_position) return Fail(report, expected, "the position is missing");
  if (!whole_log) return report;

  // Every event has its entries; an index holding more entries than events has one too many.
  for (const Family family : {Family::kStreams, Family::kEventIds}) {
    rocksdb::Status status;
    const uint64_t entries = CountEntries(storage, read_options, family, status);
    if (status.IsCorruption()) return Unreadable(report, 0, status);
    RETURN_IF_ERROR(FromRocks(status, "counting index entries"));
    if (entries == report.events_checked) continue;
    const bool streams = family == Family::kStreams;
    ASSIGN_OR_RETURN(
        VerifyReport extra,
        FindEntryWithoutEvent(
            storage, read_options, family, to_position,
            [&](std::string_view key, const RecordedEvent* event) -> std::optional<std::string> {
              if (streams) {
                const std::optional<DecodedStreamKey> k = DecodeStreamKey(key);
                if (!k.has_value()) return std::string("a stream index key does not decode");
                if (event != nullptr && event->stream_id() == k->stream_id &&
                    event->stream_version() == k->version) {
                  return std::nullopt;
                }
                return absl::StrFormat(
                    "the stream index holds version %d of stream '%s', which no event is",
                    k->version, std::string(k->stream_id));
              }
              if (event != nullptr && event->event_id() == key) return std::nullopt;
              return absl::StrFormat("the event id index holds '%s', which no event has",
                                     absl::CHexEscape(std::string(key)));
            }));
    if (!extra.ok) {
      extra.events_checked = report.events_checked;
      return extra;
    }
    return Fail(report, 0,
                absl::StrFormat("the %s index holds %d entries for %d events",
                                streams ? "stream" : "event id", entries, report.events_checked));
  }
  return report;
}

}  // namespace clas::ledger
