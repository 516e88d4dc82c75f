// The tamper-evident hash chain of the event log. Every stored event carries
//
//   hash = SHA-256(kHashDomain || prev_hash || prev_stream_hash || body)
//
// where body is the exact EventBody bytes stored, prev_hash the hash of the event at
// position - 1 and prev_stream_hash the hash of the previous event of the same stream; both are
// GenesisHash() (32 zero bytes) at the start of the log and of each stream. Changing any stored
// byte therefore breaks either the event's own hash or the link held by its successor.
//
// Thread-safety: pure functions on values.
#ifndef CLAS_LEDGER_HASH_CHAIN_H_
#define CLAS_LEDGER_HASH_CHAIN_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "clas/ledger/v1/record.pb.h"

namespace clas::ledger {

inline constexpr size_t kHashBytes = 32;
// Hashed into every event: do not change (it would break every stored chain).
inline constexpr std::string_view kHashDomain = "clas-ledger/event/v1";
// Hex characters of a hash shown to people (the full hash is kept everywhere else).
inline constexpr size_t kHashShortHexChars = 16;

// Returns 32 zero bytes: the prev_hash of position 1 and the prev_stream_hash of a stream's
// first event.
std::string GenesisHash();

// Returns the kHashBytes-long hash of an event.
// REQUIRES: prev_hash.size() == prev_stream_hash.size() == kHashBytes.
std::string EventHash(std::string_view prev_hash, std::string_view prev_stream_hash,
                      std::string_view body);

// Checks that a stored event's hash fields are kHashBytes long and that its hash is the one its
// own prev_hash, prev_stream_hash and body produce. Returns OkStatus if so, and DataLossError
// with a sentence saying which field is wrong otherwise. Does not check any link to another
// event (the verifier does).
absl::Status CheckStoredHash(const v1::StoredEvent& stored);

// Lowercase hex of all the bytes of `hash`.
std::string HashHex(std::string_view hash);
// The first kHashShortHexChars hex characters of `hash`, for people.
std::string ShortHashHex(std::string_view hash);

}  // namespace clas::ledger

#endif  // CLAS_LEDGER_HASH_CHAIN_H_
