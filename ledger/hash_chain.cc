#include "ledger/hash_chain.h"

#include <openssl/evp.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "ledger/base/status_macros.h"

namespace clas::ledger {
namespace {

struct EvpContextDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

// SHA-256, fetched from the provider once: EVP_sha256() in EVP_DigestInit_ex looks the
// algorithm up again on every call, which cost more than hashing a small event.
const EVP_MD* Sha256() {
  static const EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    CLAS_CHECK(fetched != nullptr) << "EVP_MD_fetch SHA256";
    return fetched;  // kept for the life of the process
  }();
  return md;
}

// The calling thread's digest context, initialised again for each hash.
EVP_MD_CTX* ThreadContext() {
  thread_local const std::unique_ptr<EVP_MD_CTX, EvpContextDeleter> context(EVP_MD_CTX_new());
  CLAS_CHECK(context != nullptr) << "EVP_MD_CTX_new";
  return context.get();
}

void DigestUpdate(EVP_MD_CTX* context, std::string_view bytes) {
  // OpenSSL only fails here on allocation failure or a broken context: an invariant, not input.
  CLAS_CHECK(EVP_DigestUpdate(context, bytes.data(), bytes.size()) == 1) << "EVP_DigestUpdate";
}

}  // namespace

std::string GenesisHash() { return std::string(kHashBytes, '\0'); }

std::string EventHash(std::string_view prev_hash, std::string_view prev_stream_hash,
                      std::string_view body) {
  CLAS_CHECK(prev_hash.size() == kHashBytes) << "prev_hash has " << prev_hash.size() << " bytes";
  CLAS_CHECK(prev_stream_hash.size() == kHashBytes)
      << "prev_stream_hash has " << prev_stream_hash.size() << " bytes";
  EVP_MD_CTX* const context = ThreadContext();
  CLAS_CHECK(EVP_DigestInit_ex2(context, Sha256(), nullptr) == 1) << "EVP_DigestInit_ex2";
  DigestUpdate(context, kHashDomain);
  DigestUpdate(context, prev_hash);
  DigestUpdate(context, prev_stream_hash);
  DigestUpdate(context, body);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int hash_bytes = 0;
  CLAS_CHECK(EVP_DigestFinal_ex(context, digest, &hash_bytes) == 1) << "EVP_DigestFinal_ex";
  CLAS_CHECK(hash_bytes == kHashBytes) << "SHA-256 gave " << hash_bytes << " bytes";
  return std::string(reinterpret_cast<const char*>(digest), hash_bytes);
}

absl::Status CheckStoredHash(const v1::StoredEvent& stored) {
  const struct {
    const char* name;
    const std::string& value;
  } fields[] = {{"prev_hash", stored.prev_hash()},
                {"prev_stream_hash", stored.prev_stream_hash()},
                {"hash", stored.hash()}};
  for (const auto& field : fields) {
    if (field.value.size() != kHashBytes) {
      return absl::DataLossError(absl::StrFormat("%s has %d bytes instead of %d", field.name,
                                                 field.value.size(), kHashBytes));
    }
  }
  const std::string recomputed =
      EventHash(stored.prev_hash(), stored.prev_stream_hash(), stored.body());
  if (recomputed != stored.hash()) {
    return absl::DataLossError(
        absl::StrFormat("stored hash %s does not match the hash of the stored bytes %s",
                        ShortHashHex(stored.hash()), ShortHashHex(recomputed)));
  }
  return absl::OkStatus();
}

std::string HashHex(std::string_view hash) {
  return absl::BytesToHexString(absl::string_view(hash.data(), hash.size()));
}

std::string ShortHashHex(std::string_view hash) {
  return HashHex(hash).substr(0, kHashShortHexChars);
}

}  // namespace clas::ledger
