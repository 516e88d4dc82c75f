// The errors of the event log, built in one place so that each refusal has one name, one code
// and one sentence. Every message names the field, stream, event id or position at fault.
//
//   kInvalidArgument     malformed input (InvalidFieldError); nothing written
//   kAborted             optimistic concurrency conflict (VersionConflictError); nothing written;
//                        carries the stream's current version (CurrentVersionOf)
//   kAlreadyExists       an event id recorded before with other content, or a retry mixing
//                        recorded and new ids; nothing written
//   kFailedPrecondition  store opened read-only; on-disk format newer than this build; an
//                        Append to a replica, or a replicated record out of position
//                        (ReplicaPositionError); a replicated record or a set-aside on a store
//                        that is not a replica; a term below the log's
//   kNotFound            no event at that position / with that id; no ledger at that path
//   kDataLoss            bytes read from disk do not decode (CorruptEventError); never a crash;
//                        a replicated record that does not chain (ReplicaChainError)
//   kResourceExhausted   the disk is full (DiskFullError): nothing written, reads still work,
//                        appends resume by themselves once space is freed
//   kUnavailable         the storage engine failed (StorageIoError): the append was not
//                        acknowledged and may or may not be in the log (a write whose sync
//                        failed); a retry with the same event ids is safe
//   kInternal            the storage engine failed in another way; see the message
//
// Thread-safety: pure functions.
#ifndef CLAS_LEDGER_ERRORS_H_
#define CLAS_LEDGER_ERRORS_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "ledger/types.h"

namespace clas::ledger {

// Type URL of the payload a version conflict carries. Its value is the stream's current last
// version as decimal ASCII (e.g. "7"). Do not change: clients match on it.
inline constexpr std::string_view kCurrentVersionPayloadUrl =
    "type.clas-ledger/clas.ledger.CurrentStreamVersion";

// InvalidArgument "<field>: <problem>", e.g. field "events[2].event_id".
absl::Status InvalidFieldError(std::string_view field, std::string_view problem);

// Aborted naming the stream, the expectation and the current version, with the current version
// attached under kCurrentVersionPayloadUrl.
absl::Status VersionConflictError(std::string_view stream_id, const ExpectedVersion& expected,
                                  uint64_t current_version);

// The current version attached to a VersionConflictError; nullopt for any other status.
std::optional<uint64_t> CurrentVersionOf(const absl::Status& status);

// AlreadyExists: `event_id` was recorded at `position` with other content (stream or data).
absl::Status EventIdReusedError(std::string_view event_id, uint64_t position);

// AlreadyExists: a call holds `known_event_id` (recorded at `position`) and the new
// `new_event_id`; a retry must repeat the original call, and a new call must use new ids.
absl::Status MixedRetryError(std::string_view known_event_id, uint64_t position,
                             std::string_view new_event_id);

// ResourceExhausted "the disk is full (no space left on the device of the ledger): <context>:
// <detail>; ...": RocksDB's NoSpace. Nothing was written.
absl::Status DiskFullError(std::string_view context, std::string_view detail);

// Unavailable "storage I/O error: <context>: <detail>": any other I/O failure of the storage
// engine. An append that fails so is never reported as written, but may be in the log.
absl::Status StorageIoError(std::string_view context, std::string_view detail);

// DataLoss "event at position <position>: <problem>".
absl::Status CorruptEventError(uint64_t position, std::string_view problem);

// FailedPrecondition: a replicated record at `position` where the follower's log expects
// `expected_position` (its head + 1): a gap, a repeat or a reordering. Nothing written.
absl::Status ReplicaPositionError(uint64_t position, uint64_t expected_position);

// FailedPrecondition: an Append to a replica (Options::replica, EventStore::SetReplica).
absl::Status AppendToReplicaError();

// FailedPrecondition: a replicated record sent to a store that is not a replica.
absl::Status NotReplicaError();

// FailedPrecondition: a set-aside asked of a store that is not a replica, whose own appends
// could land while its tail is removed.
absl::Status SetAsideOnWriterError();

// DataLoss "replicated record at position <position> does not chain: <problem>; nothing of the
// batch was stored": its bytes, its hash or its links to the follower's log (global or stream
// chain) are not those of an intact log continuing this one. The follower stores no fork.
absl::Status ReplicaChainError(uint64_t position, std::string_view problem);

}  // namespace clas::ledger

#endif  // CLAS_LEDGER_ERRORS_H_
