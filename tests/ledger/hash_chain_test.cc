// The hash chain of ledger/hash_chain.h against known SHA-256 answers (computed independently),
// and the self-check of a stored event.
#include "ledger/hash_chain.h"

#include <string>

#include "gtest/gtest.h"

namespace clas::ledger {
namespace {

TEST(HashChainTest, GenesisIs32ZeroBytes) { EXPECT_EQ(GenesisHash(), std::string(32, '\0')); }

TEST(HashChainTest, EventHashMatchesKnownAnswers) {
  // sha256("clas-ledger/event/v1" || 64 zero bytes)
  EXPECT_EQ(HashHex(EventHash(GenesisHash(), GenesisHash(), "")),
            "d3502c02b13db94c81a07fed1d3773974a7dd36b926277205f14671e7023aa66");
  // sha256("clas-ledger/event/v1" || 32 x 0x01 || 32 x 0x02 || "hello")
  EXPECT_EQ(HashHex(EventHash(std::string(32, '\x01'), std::string(32, '\x02'), "hello")),
            "ceec21291dad76b7fff3360d721cdcf0318db70f00a5de8096d7dc23ce638f70");
}

TEST(HashChainTest, ShortHexIsTheFirst16Characters) {
  EXPECT_EQ(ShortHashHex(EventHash(GenesisHash(), GenesisHash(), "")), "d3502c02b13db94c");
}

v1::StoredEvent StoredEvent(const std::string& body) {
  v1::StoredEvent stored;
  stored.set_body(body);
  stored.set_prev_hash(GenesisHash());
  stored.set_prev_stream_hash(GenesisHash());
  stored.set_hash(EventHash(stored.prev_hash(), stored.prev_stream_hash(), body));
  return stored;
}

TEST(HashChainTest, CheckStoredHashAcceptsAnIntactEvent) {
  EXPECT_TRUE(CheckStoredHash(StoredEvent("body")).ok());
}

TEST(HashChainTest, CheckStoredHashFindsEachChangedField) {
  v1::StoredEvent body_changed = StoredEvent("body");
  body_changed.set_body("bodY");
  v1::StoredEvent prev_changed = StoredEvent("body");
  prev_changed.set_prev_hash(std::string(32, '\x01'));
  v1::StoredEvent stream_changed = StoredEvent("body");
  stream_changed.set_prev_stream_hash(std::string(32, '\x01'));
  v1::StoredEvent short_hash = StoredEvent("body");
  short_hash.mutable_hash()->pop_back();
  for (const v1::StoredEvent& stored : {body_changed, prev_changed, stream_changed, short_hash}) {
    const absl::Status status = CheckStoredHash(stored);
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
  }
  EXPECT_EQ(std::string(CheckStoredHash(short_hash).message()), "hash has 31 bytes instead of 32");
}

}  // namespace
}  // namespace clas::ledger
