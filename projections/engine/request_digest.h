// A stable digest of a command, kept with the facts it produced, so that a retry of a request id
// with other content is refused rather than answered with the first result.
#ifndef CLAS_PROJECTIONS_ENGINE_REQUEST_DIGEST_H_
#define CLAS_PROJECTIONS_ENGINE_REQUEST_DIGEST_H_

#include <cstdint>
#include <string>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/message_lite.h"

namespace clas {

// FNV-1a (64 bits) of the command's deterministic serialisation, as 8 big-endian bytes. Not a
// security measure (the log's hash chain is); a retry check.
inline std::string RequestDigest(const google::protobuf::MessageLite& command) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream out(&raw);
    out.SetSerializationDeterministic(true);
    command.SerializeToCodedStream(&out);
  }
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  std::string digest(8, '\0');
  for (int i = 7; i >= 0; --i, h >>= 8) digest[i] = static_cast<char>(h & 0xff);
  return digest;
}

}  // namespace clas

#endif  // CLAS_PROJECTIONS_ENGINE_REQUEST_DIGEST_H_
