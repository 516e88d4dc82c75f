// Tamper evidence: recomputes the hash chain from the stored bytes and names the first position
// where the bytes, the hashes or the links disagree. Called through EventStore::Verify and
// EventStore::VerifyStream; kept apart so the checks read as one list.
//
// A finding is a report (ok = false), not an error: errors are for storage failures only.
//
// Thread-safety: reads through one RocksDB snapshot; safe alongside appends.
#ifndef CLAS_LEDGER_VERIFIER_H_
#define CLAS_LEDGER_VERIFIER_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "ledger/storage.h"
#include "ledger/types.h"

namespace clas::ledger {

// Checks positions from_position..to_position of the global chain, starting from the stored
// hash of from_position - 1 (GenesisHash() for 1): each position present, its record and body
// parse, its hash is the hash of its bytes, its prev_hash is the previous position's hash, its
// body names its position, and its instant is after the previous one's. If the stored hash of
// from_position - 1 cannot be read, the report names from_position - 1. Returns the report, or
// a storage error. REQUIRES: 1 <= from_position <= to_position.
absl::StatusOr<VerifyReport> VerifyChain(const Storage& storage, uint64_t from_position,
                                         uint64_t to_position);

// Checks one stream: its index holds versions 1..n without gaps, each pointing to a stored
// event whose record and body parse, whose body names that stream and version, whose hash is the
// hash of its bytes, and whose prev_stream_hash is the previous version's hash (GenesisHash()
// for version 1). Returns the report; NotFound if the stream has no index entry; a storage error
// otherwise. REQUIRES: ValidateStreamId(stream_id).ok().
absl::StatusOr<VerifyReport> VerifyStreamChain(const Storage& storage,
                                               std::string_view stream_id);

// Checks the indexes against positions from_position..to_position: each event's entry in the
// stream index (its stream and version) and in the event id index points to its position; when
// whole_log, also that neither index holds more entries than the log has events (an entry no
// event backs is named). A finding names the position, the stream and version or the event id,
// and the position the index gives. Returns the report, or a storage error.
// REQUIRES: 1 <= from_position <= to_position; run after VerifyChain found the range intact (an
// event that does not decode is reported, without further detail).
absl::StatusOr<VerifyReport> VerifyIndexes(const Storage& storage, uint64_t from_position,
                                           uint64_t to_position, bool whole_log);

}  // namespace clas::ledger

#endif  // CLAS_LEDGER_VERIFIER_H_
