// The on-disk layout of the event log: column families, key encodings and the format version.
// This file is the one place that knows how keys are built; everything else calls it.
//
// Persisted format (do not change: stored on disk; a change needs a new kFormatVersion):
//
//   column family "events"     event_key   -> StoredEvent  (clas.ledger.v1, protobuf bytes)
//   column family "streams"    stream_key  -> u64be(position)
//   column family "event_ids"  event_id    -> u64be(position)
//   column family "meta"       "format_version" -> decimal text, e.g. "1"
//                              "term"           -> decimal text, e.g. "7" (absent: term 0)
//   column family "default"    unused (RocksDB requires it)
//
//   event_key  := u64be(position)                        position >= 1, gap-free
//   stream_key := stream_id 0x00 u64be(stream_version)   stream_version >= 1, gap-free
//   stream_id  := 1..kStreamIdBytesMax bytes in 0x20..0x7E (printable ASCII)
//   event_id   := 1..kEventIdBytesMax bytes in 0x20..0x7E
//   u64be(n)   := the 8 bytes of n, most significant first
//
// "term" (EventStore::term) was added without a new kFormatVersion: a build that does not know
// it never reads it (the meta family is only read by key), and a log without it is at term 0.
// A new meta key may be added so, if a build that ignores it still runs the log correctly.
//
// Big-endian integers make RocksDB's bytewise order the numeric order, so a forward iterator
// over "events" walks the log in position order and one over "streams" walks each stream in
// version order. Stream ids never contain 0x00, so the separator sorts every stream's keys
// together and before any longer id sharing the prefix ("a" 0x00 ... < "a b" ...).
//
// Thread-safety: pure functions on values.
#ifndef CLAS_LEDGER_KEY_LAYOUT_H_
#define CLAS_LEDGER_KEY_LAYOUT_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace clas::ledger {

// The layout this build writes and the newest it can read. Do not change without a migration.
inline constexpr uint32_t kFormatVersion = 1;

// Column families, in the order the store opens them (index = position in kFamilyNames).
enum class Family : size_t {
  kDefault = 0,
  kEvents = 1,
  kStreams = 2,
  kEventIds = 3,
  kMeta = 4,
};
inline constexpr size_t kFamilyCount = 5;
// Do not change: stored on disk.
inline constexpr std::array<const char*, kFamilyCount> kFamilyNames = {
    "default", "events", "streams", "event_ids", "meta"};

// Keys of the "meta" family. Do not change: stored on disk.
inline constexpr std::string_view kMetaFormatVersionKey = "format_version";
inline constexpr std::string_view kMetaTermKey = "term";

inline constexpr size_t kU64Bytes = 8;
inline constexpr char kStreamKeySeparator = '\0';

// Returns the 8 big-endian bytes of `value`.
std::string EncodeU64(uint64_t value);
// Returns the value of exactly 8 big-endian bytes; nullopt if `bytes` is not 8 bytes long.
std::optional<uint64_t> DecodeU64(std::string_view bytes);

// event_key of a position. REQUIRES: position >= 1.
std::string EventKey(uint64_t position);
// Position of an event_key; nullopt if the key is not 8 bytes or encodes 0.
std::optional<uint64_t> DecodeEventKey(std::string_view key);

// stream_key of (stream_id, version). REQUIRES: stream_id has no 0x00 byte; version >= 1.
std::string StreamKey(std::string_view stream_id, uint64_t version);
// The bytes every stream_key of `stream_id` starts with: stream_id 0x00.
std::string StreamKeyPrefix(std::string_view stream_id);

struct DecodedStreamKey {
  std::string_view stream_id;  // points into the decoded key
  uint64_t version;
};
// Splits a stream_key; nullopt if it is shorter than 10 bytes, lacks the separator before the
// version, has an empty stream id or encodes version 0.
std::optional<DecodedStreamKey> DecodeStreamKey(std::string_view key);

}  // namespace clas::ledger

#endif  // CLAS_LEDGER_KEY_LAYOUT_H_
