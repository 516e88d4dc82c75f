// The value types of the event log's API: what a writer expects of a stream, what an append
// answers, what a read returns, what verification reports.
//
// Thread-safety: plain values; a value may be read from many threads when none writes it.
#ifndef CLAS_LEDGER_TYPES_H_
#define CLAS_LEDGER_TYPES_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "clas/ledger/v1/record.pb.h"
#include "ledger/limits.h"

namespace clas::ledger {

// What an appender believes about a stream; the append is refused (Aborted) when wrong.
// Stream versions are 1-based: a stream with no event is at version 0.
struct ExpectedVersion {
  enum class Kind { kAny, kNoStream, kExactly };

  // Accepts the stream in any state.
  static ExpectedVersion Any() { return {Kind::kAny, 0}; }
  // Accepts only a stream with no event yet.
  static ExpectedVersion NoStream() { return {Kind::kNoStream, 0}; }
  // Accepts only a stream whose last version is `last_version` (0 = no event yet).
  static ExpectedVersion Exactly(uint64_t last_version) { return {Kind::kExactly, last_version}; }

  // True when a stream whose last version is `current_version` satisfies the expectation.
  bool Admits(uint64_t current_version) const;
  // "any", "no stream" or "version 7", for messages.
  std::string ToString() const;

  Kind kind;
  uint64_t version;  // meaningful for kExactly only
};

enum class Direction { kForward, kBackward };

// For ReadStream backward: start at the stream's last version.
inline constexpr uint64_t kStreamEnd = UINT64_MAX;

// What EventStore::ListStreams lists: one page of the stream ids under a prefix, optionally with
// the ids that share a next segment rolled up into one entry (as a file system lists a folder).
struct StreamListing {
  // Only ids starting with it; "" for every stream.
  std::string_view prefix = "";
  // Only entries sorting bytewise after it; "" from the first. The last entry of a page starts
  // the next page.
  std::string_view start_after = "";
  // '\0' for none. Otherwise an id that holds the delimiter after the prefix is listed as one
  // entry, the id up to and including its first such delimiter ("clas/caf-75/" for the
  // delimiter '/' under "clas/"), once for all the ids it covers; an id without one is listed
  // as itself. A printable ASCII byte (0x20..0x7E).
  char delimiter = '\0';
  // At most this many entries: 1..kListStreamsMax.
  size_t max_count = kListStreamsMax;
};

// One event as stored, with what the ledger assigned.
struct RecordedEvent {
  uint64_t position() const { return body.position(); }
  uint64_t stream_version() const { return body.stream_version(); }
  const std::string& stream_id() const { return body.stream_id(); }
  int64_t recorded_at_us() const { return body.recorded_at_us(); }
  const v1::EventData& data() const { return body.data(); }
  const std::string& event_id() const { return body.data().event_id(); }
  const std::string& event_type() const { return body.data().event_type(); }
  const std::string& payload() const { return body.data().payload(); }

  v1::EventBody body;
  std::string hash;              // kHashBytes
  std::string prev_hash;         // hash of position - 1; zeros for position 1
  std::string prev_stream_hash;  // hash of the stream's previous event; zeros for version 1
};

// The events of one stream, in version order (EventStore::ReadStreamsUnder).
struct StreamEvents {
  std::string stream_id;
  std::vector<RecordedEvent> events;
};

// One page of EventStore::ReadStreamsUnder: whole streams in id order.
struct StreamsPage {
  std::vector<StreamEvents> streams;
  // No stream under the prefix sorts after the last one of `streams`.
  bool last = true;
};

// The answer to one Append call. For a retry (duplicate == true) every field is the answer the
// original call got: nothing was written by the retry.
struct AppendResult {
  uint64_t first_position = 0;
  uint64_t last_position = 0;
  uint64_t first_version = 0;
  uint64_t last_version = 0;
  int64_t recorded_at_us = 0;  // of the first event of the call
  std::string last_hash;       // of the last event of the call
  bool duplicate = false;
};

// One record of the log exactly as stored: its position and the StoredEvent bytes kept under
// event_key(position) (key_layout.h). What a leader sends its followers (EventStore::ReadStored,
// EventStore::AppendReplicated), so that a follower's log is the leader's byte for byte.
struct StoredRecord {
  uint64_t position = 0;
  std::string value;
};

// What EventStore::SetAsideAfter set aside: the records it copied to `path` (set_aside.h), then
// removed from the log. All zero and empty when there was nothing after the position.
struct SetAsideResult {
  std::string path;           // the records file; read it back with ReadSetAside
  std::string manifest_path;  // the text manifest beside it
  uint64_t first_position = 0;
  uint64_t last_position = 0;
  uint64_t count = 0;  // last_position - first_position + 1, or 0
};

// The last event of the log; position 0, GenesisHash() and 0 for an empty log.
struct LogHead {
  uint64_t position = 0;
  std::string hash;
  int64_t recorded_at_us = 0;
};

// What Verify or VerifyStream found.
struct VerifyReport {
  bool ok = true;
  uint64_t events_checked = 0;      // events found intact before the first bad one
  uint64_t first_bad_position = 0;  // 0 when ok
  std::string problem;              // one sentence; empty when ok
  std::string last_hash;            // hash of the last event checked intact
};

// A distribution of values counted in fixed buckets: a histogram of plain counters, which a
// metrics exporter turns into its own (the log knows no metrics library). counts[i] counts the
// values in (bounds[i-1], bounds[i]], counts[N] those above bounds[N-1]; sum adds every value.
template <size_t N>
struct Distribution {
  std::array<uint64_t, N> bounds;  // upper bounds, increasing
  std::array<uint64_t, N + 1> counts = {};
  uint64_t sum = 0;

  void Add(uint64_t value) {
    size_t bucket = 0;
    while (bucket < N && value > bounds[bucket]) ++bucket;
    ++counts[bucket];
    sum += value;
  }
  uint64_t count() const {
    uint64_t total = 0;
    for (const uint64_t c : counts) total += c;
    return total;
  }
};

// The buckets of StoreStats' distributions: calls per written batch (up to
// kGroupCommitRequestsMax), and the time of a batch's write (its fsync when Options::sync), in
// microseconds, from a write cache's tens of microseconds to a struggling disk's quarter second.
inline constexpr std::array<uint64_t, 8> kGroupCallsBounds = {1, 2, 4, 8, 16, 32, 64, 128};
inline constexpr std::array<uint64_t, 12> kWriteTimeBoundsUs = {
    50, 100, 250, 500, 1'000, 2'500, 5'000, 10'000, 25'000, 50'000, 100'000, 250'000};
static_assert(kGroupCallsBounds.back() == kGroupCommitRequestsMax);

// Counters of the writer since Open. When no Append is in flight:
//   appends_requested == appends_written + appends_duplicate + appends_rejected + appends_failed
//   batches_written <= appends_written, group_size_max <= kGroupCommitRequestsMax,
//   gather_timeouts <= gather_waits, writes_synced <= batches_written, and
//   group_calls.count() == write_time_us.count() == batches_written.
struct StoreStats {
  uint64_t appends_requested = 0;  // calls that passed input validation and were queued
  uint64_t appends_written = 0;    // calls whose events were written
  uint64_t appends_duplicate = 0;  // retries answered with their original result
  uint64_t appends_rejected = 0;   // calls refused: version conflict, id already used, ...
  uint64_t appends_failed = 0;     // calls whose write (or read) failed
  uint64_t events_written = 0;
  uint64_t batches_written = 0;    // synced WriteBatch writes: one per group commit
  uint64_t group_size_max = 0;     // most calls one batch carried
  uint64_t gather_waits = 0;       // groups whose leader waited for callers to come back
  uint64_t gather_timeouts = 0;    // of which the wait ran out of time
  uint64_t writes_synced = 0;      // of batches_written, those synced to disk (Options::sync)
  // Per written batch: the calls it carried, and how long its write took.
  Distribution<kGroupCallsBounds.size()> group_calls{kGroupCallsBounds};
  Distribution<kWriteTimeBoundsUs.size()> write_time_us{kWriteTimeBoundsUs};
};

}  // namespace clas::ledger

#endif  // CLAS_LEDGER_TYPES_H_
