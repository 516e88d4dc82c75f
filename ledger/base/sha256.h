// SHA-256 of byte strings, for the layers that need a digest outside the hash chain (request
// fingerprints, token hashes). The hash chain keeps its own per-thread context (hash_chain.cc):
// it hashes every appended event and is tuned for that.
//
// Thread-safety: pure functions.
#ifndef CLAS_LEDGER_BASE_SHA256_H_
#define CLAS_LEDGER_BASE_SHA256_H_

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

namespace clas::base {

inline constexpr size_t kSha256Bytes = 32;

// The kSha256Bytes raw bytes of SHA-256 over the concatenation of `parts`.
std::string Sha256(std::initializer_list<std::string_view> parts);

// Lowercase hex of `bytes`.
std::string LowerHex(std::string_view bytes);

}  // namespace clas::base

#endif  // CLAS_LEDGER_BASE_SHA256_H_
