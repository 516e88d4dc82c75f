// How a command's request id becomes the ids of the events it records, and the fingerprint that
// tells a retry of a request from another command under the same id (exactly-once commands).
//
//   event id     = caf-id "/" request-key "#" rank       ; rank 0, 1, ... of the request's facts
//   request-key  = 32 lowercase hex digits: the first 16 bytes of SHA-256(request id)
//   fingerprint  = SHA-256("clas-request/v1" %x00 method %x00 command)
//                  ; method: the Conventions RPC's name ("PayAcompte"); command: the command's
//                  ; deterministic protobuf serialisation
//
// Every fact a request records carries its request id and fingerprint (ClasEvent.request_id,
// .request_digest): the idempotency record of a request is its facts, found by their ids. The
// ids are of fixed size whatever the request id (1 to kIdBytesMax characters) and Caf id
// (1 to kCafIdBytesMax), so that every request id allowed fits the log's event ids. Two request
// ids that differ never share an event id but through a collision of SHA-256.
//
// Before this format, event ids were "<caf>/<request id>#<rank>" and the digest an 8-byte FNV-1a
// of the command alone: LegacyEventId and LegacyDigest find and check them, so that a retry of a
// request recorded then still gets its own answer.
//
// Thread-safety: pure functions.
#ifndef CLAS_PROJECTIONS_ENGINE_REQUEST_KEY_H_
#define CLAS_PROJECTIONS_ENGINE_REQUEST_KEY_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "google/protobuf/message_lite.h"
#include "ledger/limits.h"
#include "projections/core/identifiers.h"

namespace clas {

// Identifier bounds the event ids are built from (command_input.h checks them).
inline constexpr size_t kRequestKeyHexChars = 32;
// Facts one request may record: at most what one append of the log takes.
inline constexpr size_t kFactsPerRequestMax = ledger::kEventsPerAppendMax;

// The longest event id: the Caf, "/", the key, "#", the largest rank.
inline constexpr size_t kRequestEventIdBytesMax = kCafIdBytesMax + 1 + kRequestKeyHexChars + 1 + 3;
static_assert(kFactsPerRequestMax <= 1000, "a rank has at most 3 digits");
static_assert(kRequestEventIdBytesMax <= ledger::kEventIdBytesMax,
              "every request id of every Caf must give event ids the log accepts");

// The id of the `rank`-th fact of request `request_id` of Caf `caf_id`.
std::string RequestEventId(std::string_view caf_id, std::string_view request_id, size_t rank);

// The id the same fact had before the fixed-size keys, or nullopt when it would not fit the
// log's event ids (no such event can exist).
std::optional<std::string> LegacyEventId(std::string_view caf_id, std::string_view request_id,
                                         size_t rank);

// SHA-256 of the method and the command (format above): kSha256Bytes bytes.
std::string RequestFingerprint(std::string_view method,
                               const google::protobuf::MessageLite& command);

// The 8-byte digest facts recorded before the fingerprint carried (FNV-1a of the command).
std::string LegacyDigest(const google::protobuf::MessageLite& command);

}  // namespace clas

#endif  // CLAS_PROJECTIONS_ENGINE_REQUEST_KEY_H_
