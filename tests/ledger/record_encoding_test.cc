// The records an append writes (ledger/group_commit.h): EncodeEventBody and EncodeStoredEvent
// give exactly the deterministic protobuf serialization of the EventBody and StoredEvent
// messages, which is what the hash chain hashes and what earlier versions wrote; and the bytes
// an append stores are those canonical encodings of what it was given.
#include <cstdint>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/unknown_field_set.h"
#include "gtest/gtest.h"
#include "ledger/event_store.h"
#include "ledger/group_commit.h"
#include "ledger/hash_chain.h"
#include "ledger/key_layout.h"
#include "tests/ledger/test_store.h"

namespace clas::ledger {
namespace {

using ::clas::ledger::testing::Event;

std::string Deterministic(const google::protobuf::Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    EXPECT_TRUE(message.SerializeToCodedStream(&coded));
  }
  return bytes;
}

struct BodyCase {
  const char* name;
  v1::EventData data;
  std::string stream_id;
  uint64_t stream_version;
  uint64_t position;
  int64_t recorded_at_us;
};

std::vector<BodyCase> BodyCases() {
  v1::EventData unknown = Event("e-unknown");
  unknown.GetReflection()->MutableUnknownFields(&unknown)->AddVarint(99, 7);
  unknown.GetReflection()->MutableUnknownFields(&unknown)->AddLengthDelimited(100, "later");
  constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();
  return {
      {"typical", Event("e-1"), "convention/75-0001", 3, 17, 1'790'000'000'000'000},
      {"empty data", v1::EventData(), "s", 1, 1, 1},
      {"long payload", Event("e-2", std::string(70'000, 'p')), "s", 1, 2, 2},
      {"128-byte data", Event("e-3", std::string(100, 'x')), std::string(200, 's'), 128, 128,
       128},
      {"largest numbers", Event("e-4"), "s", kU64Max, kU64Max,
       std::numeric_limits<int64_t>::max()},
      {"zeros", Event("e-5"), "", 0, 0, 0},
      {"negative instant", Event("e-6"), "s", 1, 1, -1},
      {"unknown fields of a newer writer", unknown, "s", 1, 1, 1},
  };
}

TEST(RecordEncodingTest, EventBodyIsTheMessagesDeterministicSerialization) {
  for (const BodyCase& c : BodyCases()) {
    v1::EventBody body;
    *body.mutable_data() = c.data;
    body.set_stream_id(c.stream_id);
    body.set_stream_version(c.stream_version);
    body.set_position(c.position);
    body.set_recorded_at_us(c.recorded_at_us);
    std::string encoded = "left over from the previous event";
    EncodeEventBody(Deterministic(c.data), c.stream_id, c.stream_version, c.position,
                    c.recorded_at_us, &encoded);
    EXPECT_EQ(encoded, Deterministic(body)) << c.name;
    v1::EventBody parsed;
    ASSERT_TRUE(parsed.ParseFromString(encoded)) << c.name;
    EXPECT_EQ(parsed.position(), c.position) << c.name;
    EXPECT_EQ(parsed.recorded_at_us(), c.recorded_at_us) << c.name;
  }
}

TEST(RecordEncodingTest, StoredEventIsTheMessagesSerialization) {
  const std::string hash_a(kHashBytes, 'a'), hash_b(kHashBytes, '\0'), hash_c(kHashBytes, '\xff');
  const struct {
    std::string body, prev_hash, prev_stream_hash, hash;
  } cases[] = {{"body", hash_a, hash_b, hash_c},
               {std::string(20'000, 'b'), hash_c, hash_a, hash_b},
               {"", "", "", ""}};
  for (const auto& c : cases) {
    v1::StoredEvent stored;
    stored.set_body(c.body);
    stored.set_prev_hash(c.prev_hash);
    stored.set_prev_stream_hash(c.prev_stream_hash);
    stored.set_hash(c.hash);
    std::string encoded = "left over";
    EncodeStoredEvent(c.body, c.prev_hash, c.prev_stream_hash, c.hash, &encoded);
    EXPECT_EQ(encoded, Deterministic(stored)) << c.body.size() << " body bytes";
  }
}

class StoredRecordTest : public testing::StoreTest {};

// What an append stores is the canonical encoding of its input: the record parses and
// serializes back to the same bytes, its body holds the event as given, and its hash chains.
TEST_F(StoredRecordTest, AnAppendStoresTheCanonicalRecordOfItsEvents) {
  OpenStore();
  v1::EventData first = Event("e-1", std::string(300, 'p'));
  first.set_effective_date(20260915);
  first.mutable_actor()->set_id("agent-1");
  first.set_tenant_id("caf-75");
  const v1::EventData second = Event("e-2");
  ASSERT_TRUE(store_->Append("stream-a", ExpectedVersion::NoStream(), {first, second}).ok());
  ASSERT_TRUE(store_->Append("stream-b", ExpectedVersion::NoStream(), {Event("e-3")}).ok());
  CloseStore();
  testing::RawDb raw(dir_.path());
  std::string prev_hash = GenesisHash();
  const struct {
    v1::EventData data;
    std::string stream_id;
    uint64_t version;
  } expected[] = {{first, "stream-a", 1}, {second, "stream-a", 2}, {Event("e-3"), "stream-b", 1}};
  for (uint64_t position = 1; position <= 3; ++position) {
    const std::string value = raw.Get(Family::kEvents, EventKey(position));
    v1::StoredEvent stored;
    ASSERT_TRUE(stored.ParseFromString(value)) << position;
    EXPECT_EQ(Deterministic(stored), value) << position;
    v1::EventBody body;
    ASSERT_TRUE(body.ParseFromString(stored.body())) << position;
    EXPECT_EQ(Deterministic(body), stored.body()) << position;
    const auto& want = expected[position - 1];
    EXPECT_EQ(Deterministic(body.data()), Deterministic(want.data)) << position;
    EXPECT_EQ(body.stream_id(), want.stream_id) << position;
    EXPECT_EQ(body.stream_version(), want.version) << position;
    EXPECT_EQ(body.position(), position);
    EXPECT_EQ(stored.prev_hash(), prev_hash) << position;
    EXPECT_EQ(stored.hash(), EventHash(stored.prev_hash(), stored.prev_stream_hash(),
                                       stored.body()))
        << position;
    prev_hash = stored.hash();
  }
}

// EventHash keeps one digest context per thread: threads hashing at once get the same hashes
// as one thread alone.
TEST(EventHashTest, ThreadsHashingAtOnceAgreeWithOneThread) {
  const std::string prev(kHashBytes, 'p');
  const std::string expected = EventHash(prev, GenesisHash(), "body");
  std::vector<std::string> got(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < got.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) {
        std::string hash = EventHash(prev, GenesisHash(), "body");
        if (hash != expected) {
          got[t] = hash;
          return;
        }
        got[t] = std::move(hash);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& hash : got) EXPECT_EQ(HashHex(hash), HashHex(expected));
}

}  // namespace
}  // namespace clas::ledger
