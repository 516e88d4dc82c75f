#include "ledger/base/sha256.h"

#include <openssl/evp.h>

#include <memory>

#include "ledger/base/status_macros.h"

namespace clas::base {
namespace {

struct ContextDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

}  // namespace

std::string Sha256(std::initializer_list<std::string_view> parts) {
  std::unique_ptr<EVP_MD_CTX, ContextDeleter> context(EVP_MD_CTX_new());
  CLAS_CHECK(context != nullptr) << "EVP_MD_CTX_new";
  CLAS_CHECK(EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) == 1) << "SHA-256 init";
  for (std::string_view part : parts) {
    CLAS_CHECK(EVP_DigestUpdate(context.get(), part.data(), part.size()) == 1) << "SHA-256";
  }
  std::string digest(kSha256Bytes, '\0');
  unsigned int length = 0;
  CLAS_CHECK(EVP_DigestFinal_ex(context.get(), reinterpret_cast<unsigned char*>(digest.data()),
                                &length) == 1 &&
             length == kSha256Bytes)
      << "SHA-256 final";
  return digest;
}

std::string LowerHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0x0f]);
  }
  return out;
}

}  // namespace clas::base
