#include "projections/engine/request_key.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "ledger/base/absl_view.h"
#include "ledger/base/sha256.h"

namespace clas {
namespace {

// Hashed first into every fingerprint: changing it would make every earlier request look new.
constexpr std::string_view kFingerprintDomain = "clas-request/v1";

std::string DeterministicBytes(const google::protobuf::MessageLite& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream out(&raw);
    out.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&out);
  }
  return bytes;
}

}  // namespace

std::string RequestEventId(std::string_view caf_id, std::string_view request_id, size_t rank) {
  const std::string key =
      base::LowerHex(base::Sha256({request_id})).substr(0, kRequestKeyHexChars);
  return absl::StrCat(base::ToAbsl(caf_id), "/", key, "#", rank);
}

std::optional<std::string> LegacyEventId(std::string_view caf_id, std::string_view request_id,
                                         size_t rank) {
  std::string id =
      absl::StrCat(base::ToAbsl(caf_id), "/", base::ToAbsl(request_id), "#", rank);
  if (id.size() > ledger::kEventIdBytesMax) return std::nullopt;
  return id;
}

std::string RequestFingerprint(std::string_view method,
                               const google::protobuf::MessageLite& command) {
  const std::string bytes = DeterministicBytes(command);
  const char zero = '\0';
  return base::Sha256({kFingerprintDomain, std::string_view(&zero, 1), method,
                       std::string_view(&zero, 1), bytes});
}

std::string LegacyDigest(const google::protobuf::MessageLite& command) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : DeterministicBytes(command)) {
    h ^= c;
    h *= 1099511628211ull;
  }
  std::string digest(8, '\0');
  for (int i = 7; i >= 0; --i, h >>= 8) digest[i] = static_cast<char>(h & 0xff);
  return digest;
}

}  // namespace clas
