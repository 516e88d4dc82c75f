// EventStore: the reads and the verification entry points. Each multi-event read runs on one RocksDB snapshot, so it sees the log
// between two group commits, never half of one.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_format.h"
#include "ledger/base/status_macros.h"
#include "ledger/event_store.h"
#include "ledger/key_layout.h"
#include "ledger/storage.h"
#include "ledger/validation.h"
#include "ledger/verifier.h"

namespace clas::ledger {
namespace {

// The key just past every stream_key of a stream: stream_id 0x01.
std::string StreamKeyEnd(std::string_view stream_id) {
  std::string end = StreamKeyPrefix(stream_id);
  end.back() = kStreamKeySeparator + 1;
  return end;
}

// A stream index entry: version `version` of `stream_id` is at `position`.
struct IndexEntry {
  std::string_view stream_id;
  uint64_t version;
  uint64_t position;
};

// The events `entries` point to, in their order (read together, Storage::ReadEvents), each
// checked to be that version of that stream.
absl::StatusOr<std::vector<RecordedEvent>> ReadIndexedEvents(
    const Storage& storage, const rocksdb::Snapshot* snapshot,
    absl::Span<const IndexEntry> entries) {
  std::vector<uint64_t> positions;
  positions.reserve(entries.size());
  for (const IndexEntry& entry : entries) positions.push_back(entry.position);
  absl::StatusOr<std::vector<RecordedEvent>> events = storage.ReadEvents(positions, snapshot);
  if (absl::IsNotFound(events.status())) {
    // Name the first missing one with its version, one point read each.
    for (const IndexEntry& entry : entries) {
      if (absl::IsNotFound(storage.ReadEvent(entry.position, snapshot).status())) {
        return CorruptEventError(
            entry.position, absl::StrFormat("missing, but indexed as version %d of stream '%s'",
                                            entry.version, entry.stream_id));
      }
    }
  }
  if (!events.ok()) return events.status();
  for (size_t i = 0; i < entries.size(); ++i) {
    const IndexEntry& entry = entries[i];
    const RecordedEvent& event = (*events)[i];
    if (event.stream_id() != entry.stream_id || event.stream_version() != entry.version) {
      return CorruptEventError(entry.position,
                               absl::StrFormat("indexed as version %d of stream '%s' but holds "
                                               "version %d of '%s'",
                                               entry.version, entry.stream_id,
                                               event.stream_version(), event.stream_id()));
    }
  }
  return events;
}

}  // namespace

absl::StatusOr<std::vector<RecordedEvent>> EventStore::ReadStream(std::string_view stream_id,
                                                                  uint64_t from_version,
                                                                  Direction direction,
                                                                  size_t max_count) const {
  RETURN_IF_ERROR(ValidateStreamId(stream_id));
  RETURN_IF_ERROR(ValidateReadCount(max_count));
  if (direction == Direction::kBackward && from_version == 0) {
    return std::vector<RecordedEvent>();
  }
  const ScopedSnapshot snapshot(storage_->db());
  const std::string lower = StreamKeyPrefix(stream_id);
  const std::string upper = StreamKeyEnd(stream_id);
  const rocksdb::Slice lower_slice(lower), upper_slice(upper);
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot.get();
  read_options.iterate_lower_bound = &lower_slice;
  read_options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(
      storage_->db()->NewIterator(read_options, storage_->family(Family::kStreams)));
  const bool forward = direction == Direction::kForward;
  if (forward) {
    it->Seek(StreamKey(stream_id, std::max<uint64_t>(from_version, 1)));
  } else {
    it->SeekForPrev(StreamKey(stream_id, from_version));
  }
  // The index entries first, then their records in one batched read.
  std::vector<IndexEntry> entries;
  for (; it->Valid() && entries.size() < max_count; forward ? it->Next() : it->Prev()) {
    const std::optional<DecodedStreamKey> key = DecodeStreamKey(it->key().ToStringView());
    const std::optional<uint64_t> position = DecodeEventKey(it->value().ToStringView());
    if (!key.has_value() || key->stream_id != stream_id || !position.has_value()) {
      return absl::DataLossError(
          absl::StrFormat("an index entry of stream '%s' does not decode", stream_id));
    }
    entries.push_back(IndexEntry{stream_id, key->version, *position});
  }
  RETURN_IF_ERROR(FromRocks(it->status(), absl::StrFormat("reading stream '%s'", stream_id)));
  return ReadIndexedEvents(*storage_, snapshot.get(), entries);
}

absl::StatusOr<StreamsPage> EventStore::ReadStreamsUnder(std::string_view prefix,
                                                         std::string_view start_after,
                                                         size_t max_events) const {
  if (!prefix.empty()) RETURN_IF_ERROR(ValidateId("prefix", prefix, kStreamIdBytesMax));
  if (!start_after.empty()) {
    RETURN_IF_ERROR(ValidateId("start_after", start_after, kStreamIdBytesMax));
  }
  if (max_events == 0 || max_events > kReadStreamsEventsMax) {
    return InvalidFieldError("max_events", absl::StrFormat("%d is outside 1..%d", max_events,
                                                           kReadStreamsEventsMax));
  }
  const ScopedSnapshot snapshot(storage_->db());
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot.get();
  std::unique_ptr<rocksdb::Iterator> it(
      storage_->db()->NewIterator(read_options, storage_->family(Family::kStreams)));

  // 1. The index entries of whole streams, stream after stream, while they fit.
  struct Entry {
    size_t stream;  // index in page.streams
    uint64_t version;
    uint64_t position;
  };
  StreamsPage page;
  std::vector<Entry> entries, current;  // current: the entries of the stream being walked
  std::string current_id;
  // Keeps the stream being walked (it fits: checked entry by entry).
  const auto keep_current = [&] {
    if (current.empty()) return;
    for (Entry& entry : current) entry.stream = page.streams.size();
    entries.insert(entries.end(), current.begin(), current.end());
    page.streams.push_back(StreamEvents{.stream_id = std::move(current_id), .events = {}});
    current.clear();
    current_id.clear();
  };
  it->Seek(!start_after.empty() && start_after >= prefix ? StreamKeyEnd(start_after)
                                                         : std::string(prefix));
  for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const std::optional<DecodedStreamKey> key = DecodeStreamKey(it->key().ToStringView());
    const std::optional<uint64_t> position = DecodeEventKey(it->value().ToStringView());
    if (!key.has_value() || !position.has_value()) {
      return absl::DataLossError(
          absl::StrFormat("an index entry under '%s' does not decode", prefix));
    }
    if (key->stream_id != current_id) {
      keep_current();
      current_id = std::string(key->stream_id);
    }
    if (entries.size() + current.size() == max_events) {  // this entry does not fit
      if (page.streams.empty()) {
        return absl::ResourceExhaustedError(absl::StrFormat(
            "stream '%s' alone holds more than max_events (%d) events: read it with ReadStream",
            current_id, max_events));
      }
      page.last = false;  // the page ends before the stream being walked
      current.clear();
      break;
    }
    current.push_back(Entry{0, key->version, *position});
  }
  RETURN_IF_ERROR(FromRocks(it->status(), absl::StrFormat("reading the streams under '%s'",
                                                           prefix)));
  if (page.last) keep_current();

  // 2. Their records in position order (the streams' ids no longer move), then each put back in
  // its stream.
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.position < b.position; });
  std::vector<IndexEntry> indexed;
  indexed.reserve(entries.size());
  for (const Entry& entry : entries) {
    indexed.push_back(IndexEntry{page.streams[entry.stream].stream_id, entry.version,
                                 entry.position});
  }
  ASSIGN_OR_RETURN(std::vector<RecordedEvent> events,
                   ReadIndexedEvents(*storage_, snapshot.get(), indexed));
  for (size_t i = 0; i < entries.size(); ++i) {
    page.streams[entries[i].stream].events.push_back(std::move(events[i]));
  }
  // Positions grow with versions within a stream, so each stream's events are in version order.
  return page;
}

absl::StatusOr<std::vector<RecordedEvent>> EventStore::ReadAll(uint64_t from_position,
                                                               size_t max_count) const {
  RETURN_IF_ERROR(ValidateReadCount(max_count));
  uint64_t expected = std::max<uint64_t>(from_position, 1);
  std::unique_ptr<rocksdb::Iterator> it(
      storage_->db()->NewIterator(rocksdb::ReadOptions(), storage_->family(Family::kEvents)));
  std::vector<RecordedEvent> events;
  for (it->Seek(EventKey(expected)); it->Valid() && events.size() < max_count; it->Next()) {
    const std::optional<uint64_t> position = DecodeEventKey(it->key().ToStringView());
    if (!position.has_value()) {
      return CorruptEventError(expected, "its key in the events family does not decode");
    }
    if (*position != expected) {
      return CorruptEventError(expected,
                               absl::StrFormat("missing (the next stored is %d)", *position));
    }
    ASSIGN_OR_RETURN(RecordedEvent event,
                     DecodeRecordedEvent(*position, it->value().ToStringView()));
    events.push_back(std::move(event));
    ++expected;
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "reading the log"));
  return events;
}

absl::StatusOr<RecordedEvent> EventStore::Read(uint64_t position) const {
  if (position == 0) return InvalidFieldError("position", "positions start at 1");
  return storage_->ReadEvent(position);
}

absl::StatusOr<RecordedEvent> EventStore::FindByEventId(std::string_view event_id) const {
  RETURN_IF_ERROR(ValidateId("event_id", event_id, kEventIdBytesMax));
  ASSIGN_OR_RETURN(const std::optional<uint64_t> position,
                   storage_->FindEventPosition(event_id));
  if (!position.has_value()) {
    return absl::NotFoundError(absl::StrFormat("no event has id '%s'", event_id));
  }
  absl::StatusOr<RecordedEvent> event = storage_->ReadEvent(*position);
  if (absl::IsNotFound(event.status())) {
    return CorruptEventError(*position,
                             absl::StrFormat("missing, but indexed under id '%s'", event_id));
  }
  if (event.ok() && event->event_id() != event_id) {
    return CorruptEventError(*position, absl::StrFormat("indexed under id '%s' but holds '%s'",
                                                        event_id, event->event_id()));
  }
  return event;
}

absl::StatusOr<uint64_t> EventStore::StreamVersion(std::string_view stream_id) const {
  RETURN_IF_ERROR(ValidateStreamId(stream_id));
  ASSIGN_OR_RETURN(const StreamTip tip, storage_->ReadStreamTip(stream_id));
  return tip.version;
}

absl::StatusOr<std::vector<std::string>> EventStore::ListStreams(std::string_view prefix,
                                                                 size_t max_count) const {
  return ListStreams(StreamListing{.prefix = prefix, .max_count = max_count});
}

absl::StatusOr<std::vector<std::string>> EventStore::ListStreams(
    const StreamListing& listing) const {
  const std::string_view prefix = listing.prefix, start_after = listing.start_after;
  if (!prefix.empty()) RETURN_IF_ERROR(ValidateId("prefix", prefix, kStreamIdBytesMax));
  if (!start_after.empty()) {
    RETURN_IF_ERROR(ValidateId("start_after", start_after, kStreamIdBytesMax));
  }
  const char delimiter = listing.delimiter;
  if (delimiter != '\0' && (delimiter < 0x20 || delimiter > 0x7E)) {
    return InvalidFieldError("delimiter", "not a printable ASCII byte (0x20..0x7E)");
  }
  if (listing.max_count == 0 || listing.max_count > kListStreamsMax) {
    return InvalidFieldError("max_count", absl::StrFormat("%d is outside 1..%d",
                                                          listing.max_count, kListStreamsMax));
  }
  const ScopedSnapshot snapshot(storage_->db());
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot.get();
  std::unique_ptr<rocksdb::Iterator> it(
      storage_->db()->NewIterator(read_options, storage_->family(Family::kStreams)));
  std::vector<std::string> entries;
  // The first key of an id sorting after start_after is start_after 0x01 (ids have no byte
  // below 0x20); an entry that rolls up ids is skipped past below.
  it->Seek(start_after > prefix ? StreamKeyEnd(start_after) : std::string(prefix));
  while (it->Valid() && it->key().starts_with(prefix) && entries.size() < listing.max_count) {
    const std::optional<DecodedStreamKey> key = DecodeStreamKey(it->key().ToStringView());
    if (!key.has_value()) {
      return absl::DataLossError("a key of the streams family does not decode");
    }
    const size_t cut = delimiter == '\0' ? std::string_view::npos
                                          : key->stream_id.find(delimiter, prefix.size());
    if (cut == std::string_view::npos) {
      entries.emplace_back(key->stream_id);
      it->Seek(StreamKeyEnd(entries.back()));  // skip the rest of this stream
      continue;
    }
    // Every id starting with `group` sorts before `group` with its delimiter byte raised.
    std::string group(key->stream_id.substr(0, cut + 1));
    std::string past = group;
    past.back() = static_cast<char>(delimiter + 1);
    if (group > start_after) entries.push_back(std::move(group));
    it->Seek(past);
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "listing streams"));
  return entries;
}

absl::StatusOr<VerifyReport> EventStore::Verify(uint64_t from_position,
                                                uint64_t to_position) const {
  const uint64_t head_position = Head().position;
  if (from_position == 0) return InvalidFieldError("from_position", "positions start at 1");
  if (to_position < from_position) {
    return InvalidFieldError("to_position", absl::StrFormat("%d is before from_position %d",
                                                            to_position, from_position));
  }
  if (to_position > head_position) {
    return InvalidFieldError("to_position", absl::StrFormat("%d is past the head, %d",
                                                            to_position, head_position));
  }
  return VerifyChain(*storage_, from_position, to_position);
}

absl::StatusOr<VerifyReport> EventStore::VerifyIndexes(uint64_t from_position,
                                                       uint64_t to_position) const {
  const uint64_t head_position = Head().position;
  if (from_position == 0) return InvalidFieldError("from_position", "positions start at 1");
  if (to_position < from_position || to_position > head_position) {
    return InvalidFieldError("to_position", absl::StrFormat("%d is outside %d..%d", to_position,
                                                            from_position, head_position));
  }
  return ledger::VerifyIndexes(*storage_, from_position, to_position,
                               from_position == 1 && to_position == head_position);
}

absl::StatusOr<VerifyReport> EventStore::VerifyStream(std::string_view stream_id) const {
  RETURN_IF_ERROR(ValidateStreamId(stream_id));
  return VerifyStreamChain(*storage_, stream_id);
}

}  // namespace clas::ledger
