// The key grammar of ledger/key_layout.h: encodings round-trip, sort like the numbers and
// streams they encode, and malformed keys decode to nothing.
#include "ledger/key_layout.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace clas::ledger {
namespace {

TEST(KeyLayoutTest, U64IsBigEndian) {
  EXPECT_EQ(EncodeU64(0x0102030405060708), std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  EXPECT_EQ(EncodeU64(0), std::string(8, '\0'));
}

TEST(KeyLayoutTest, U64RoundTrips) {
  for (uint64_t value : {uint64_t{0}, uint64_t{1}, uint64_t{255}, uint64_t{256},
                         uint64_t{1} << 40, UINT64_MAX}) {
    EXPECT_EQ(DecodeU64(EncodeU64(value)), value) << value;
  }
}

TEST(KeyLayoutTest, EventKeysSortLikePositions) {
  const std::vector<uint64_t> positions = {1, 2, 255, 256, 65'536, uint64_t{1} << 33};
  std::vector<std::string> keys;
  for (uint64_t position : positions) keys.push_back(EventKey(position));
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
}

TEST(KeyLayoutTest, StreamKeysGroupEachStreamInVersionOrder) {
  // "a" 0x00 ... must sort before "a b" ... (0x00 < ' '), and versions numerically.
  const std::vector<std::string> keys = {StreamKey("a", 1), StreamKey("a", 2),
                                         StreamKey("a", 256), StreamKey("a b", 1),
                                         StreamKey("ab", 1)};
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  EXPECT_EQ(StreamKeyPrefix("a"), std::string("a\0", 2));
}

TEST(KeyLayoutTest, StreamKeyRoundTrips) {
  const std::string encoded = StreamKey("dossier-42", 7);  // the decoded id points into it
  const std::optional<DecodedStreamKey> key = DecodeStreamKey(encoded);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->stream_id, "dossier-42");
  EXPECT_EQ(key->version, 7u);
}

TEST(KeyLayoutTest, MalformedKeysDecodeToNothing) {
  EXPECT_FALSE(DecodeU64("1234567").has_value());
  EXPECT_FALSE(DecodeEventKey(std::string(8, '\0')).has_value());  // position 0
  EXPECT_FALSE(DecodeEventKey("123456789").has_value());
  EXPECT_FALSE(DecodeStreamKey("").has_value());
  EXPECT_FALSE(DecodeStreamKey(std::string(1, '\0') + EncodeU64(1)).has_value());  // no id
  EXPECT_FALSE(DecodeStreamKey("a" + EncodeU64(1)).has_value());  // no separator
  EXPECT_FALSE(DecodeStreamKey(std::string("a\0", 2) + EncodeU64(0)).has_value());  // v0
}

}  // namespace
}  // namespace clas::ledger
