// Helpers of the cluster tests (role, term, set-aside): stores opened by path in either role,
// their records as stored, and a whole-log check.
#ifndef CLAS_TESTS_LEDGER_FORK_H_
#define CLAS_TESTS_LEDGER_FORK_H_

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ledger/event_store.h"
#include "tests/ledger/test_store.h"

namespace clas::ledger::testing {

inline constexpr size_t kAllBytes = size_t{1} << 30;

inline std::unique_ptr<EventStore> OpenAt(const std::string& path, bool replica,
                                          rocksdb::Env* env = nullptr) {
  Options options;
  options.path = path;
  options.replica = replica;
  options.env = env;
  absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

// Records from..to of `store`, as stored; empty when from > to.
inline std::vector<StoredRecord> Stored(const EventStore& store, uint64_t from, uint64_t to) {
  if (from > to) return {};
  absl::StatusOr<std::vector<StoredRecord>> records =
      store.ReadStored(from, to - from + 1, kAllBytes);
  EXPECT_TRUE(records.ok()) << records.status();
  return records.ok() ? *std::move(records) : std::vector<StoredRecord>();
}

inline bool SameRecords(const std::vector<StoredRecord>& a, const std::vector<StoredRecord>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].position != b[i].position || a[i].value != b[i].value) return false;
  }
  return true;
}

// The whole log verifies: the global chain and both indexes, which hold nothing more.
inline void ExpectIntact(const EventStore& store) {
  const uint64_t head = store.Head().position;
  if (head == 0) {
    EXPECT_TRUE(Stored(store, 1, 1).empty());
    return;
  }
  absl::StatusOr<VerifyReport> chain = store.Verify(1, head);
  ASSERT_TRUE(chain.ok()) << chain.status();
  EXPECT_TRUE(chain->ok) << chain->problem;
  EXPECT_EQ(chain->last_hash, store.Head().hash);
  absl::StatusOr<VerifyReport> indexes = store.VerifyIndexes(1, head);
  ASSERT_TRUE(indexes.ok()) << indexes.status();
  EXPECT_TRUE(indexes->ok) << indexes->problem;
}

// Two logs that fork after position 4, as a failover leaves them. The old leader wrote
// positions 1..4, which its follower took, then 5..7 (a v3 "t-5", d v1 "t-6", b v2 "t-7"),
// which no other node took. The follower was then made the leader and wrote its own 5 and 6
// (a v3 "n-5", and e v1 "t-6": a client's retry of t-6 reached it), and the old leader was made
// a replica, to set its tail aside and follow. env_ (set by a subclass's constructor) is the
// old leader's RocksDB environment.
class ForkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    old_ = OpenAt(old_dir_.path(), /*replica=*/false, env_);
    new_ = OpenAt(new_dir_.path(), /*replica=*/true);
    ASSERT_NE(old_, nullptr);
    ASSERT_NE(new_, nullptr);
    AppendTo(*old_, "a", {"e-1", "e-2"});
    AppendTo(*old_, "b", {"e-3"});
    AppendTo(*old_, "c", {"e-4"});
    ASSERT_TRUE(new_->AppendReplicated(Stored(*old_, 1, 4)).ok());
    AppendTo(*old_, "a", {"t-5"});
    AppendTo(*old_, "d", {"t-6"});
    AppendTo(*old_, "b", {"t-7"});
    tail_ = Stored(*old_, 5, 7);
    head_before_ = old_->Head();
    new_->SetReplica(false);
    AppendTo(*new_, "a", {"n-5"});
    AppendTo(*new_, "e", {"t-6"});
    old_->SetReplica(true);
  }

  static void AppendTo(EventStore& store, const std::string& stream,
                       std::initializer_list<std::string> ids) {
    absl::StatusOr<AppendResult> result = store.Append(stream, ExpectedVersion::Any(), Events(ids));
    ASSERT_TRUE(result.ok()) << result.status();
  }

  // The old leader's log is the new leader's up to `position`, and verifies.
  void ExpectOldIsNewUpTo(uint64_t position) {
    EXPECT_EQ(old_->Head().position, position);
    EXPECT_TRUE(SameRecords(Stored(*old_, 1, old_->Head().position), Stored(*new_, 1, position)));
    ExpectIntact(*old_);
  }

  rocksdb::Env* env_ = nullptr;
  ScopedTempDir old_dir_;
  ScopedTempDir new_dir_;
  ScopedTempDir aside_dir_;  // where tails are set aside
  std::unique_ptr<EventStore> old_;
  std::unique_ptr<EventStore> new_;
  std::vector<StoredRecord> tail_;  // the old leader's 5..7
  LogHead head_before_;             // the old leader's head, 7, before the set-aside
};

}  // namespace clas::ledger::testing

#endif  // CLAS_TESTS_LEDGER_FORK_H_
