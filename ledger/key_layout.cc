#include "ledger/key_layout.h"

#include "ledger/base/status_macros.h"

namespace clas::ledger {

std::string EncodeU64(uint64_t value) {
  std::string bytes(kU64Bytes, '\0');
  for (size_t i = 0; i < kU64Bytes; ++i) {
    bytes[kU64Bytes - 1 - i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  return bytes;
}

std::optional<uint64_t> DecodeU64(std::string_view bytes) {
  if (bytes.size() != kU64Bytes) return std::nullopt;
  uint64_t value = 0;
  for (char byte : bytes) value = (value << 8) | static_cast<uint8_t>(byte);
  return value;
}

std::string EventKey(uint64_t position) {
  CLAS_CHECK(position >= 1) << "position 0 has no key";
  return EncodeU64(position);
}

std::optional<uint64_t> DecodeEventKey(std::string_view key) {
  std::optional<uint64_t> position = DecodeU64(key);
  if (!position.has_value() || *position == 0) return std::nullopt;
  return position;
}

std::string StreamKey(std::string_view stream_id, uint64_t version) {
  CLAS_CHECK(version >= 1) << "stream version 0 has no key";
  std::string key = StreamKeyPrefix(stream_id);
  key += EncodeU64(version);
  return key;
}

std::string StreamKeyPrefix(std::string_view stream_id) {
  CLAS_CHECK(!stream_id.empty()) << "empty stream id";
  CLAS_CHECK(stream_id.find(kStreamKeySeparator) == std::string_view::npos)
      << "stream id holds the key separator";
  std::string prefix(stream_id);
  prefix += kStreamKeySeparator;
  return prefix;
}

std::optional<DecodedStreamKey> DecodeStreamKey(std::string_view key) {
  if (key.size() < kU64Bytes + 2) return std::nullopt;
  const size_t separator_at = key.size() - kU64Bytes - 1;
  if (key[separator_at] != kStreamKeySeparator) return std::nullopt;
  std::string_view stream_id = key.substr(0, separator_at);
  if (stream_id.find(kStreamKeySeparator) != std::string_view::npos) return std::nullopt;
  std::optional<uint64_t> version = DecodeU64(key.substr(separator_at + 1));
  if (!version.has_value() || *version == 0) return std::nullopt;
  return DecodedStreamKey{stream_id, *version};
}

}  // namespace clas::ledger
