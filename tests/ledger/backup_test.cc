// Backups (ledger/backup.h) copy the whole database: a restored ledger holds the events and the
// meta keys beside them, the term among them. (Not among the ThreadSanitizer tests: Debian's
// RocksDB BackupEngine copies files on threads it cannot see.)
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "ledger/backup.h"
#include "ledger/event_store.h"
#include "tests/ledger/fork.h"
#include "tests/ledger/test_store.h"

namespace clas::ledger {
namespace {

using ::clas::ledger::testing::Events;
using ::clas::ledger::testing::ExpectIntact;
using ::clas::ledger::testing::OpenAt;
using ::clas::ledger::testing::ScopedTempDir;
using ::clas::ledger::testing::StoreTest;

using BackupTest = StoreTest;

TEST_F(BackupTest, ARestoredLedgerHoldsTheEventsAndTheTerm) {
  EventStore& store = OpenStore();
  ASSERT_TRUE(store.Append("a", ExpectedVersion::Any(), Events({"e-1", "e-2"})).ok());
  ASSERT_TRUE(store.RaiseTerm(9).ok());
  ScopedTempDir backups;
  ScopedTempDir restored;
  ASSERT_TRUE(Backup(store, backups.path()).ok());
  absl::StatusOr<BackupInfo> info = Restore(backups.path(), restored.path());
  ASSERT_TRUE(info.ok()) << info.status();
  std::unique_ptr<EventStore> copy = OpenAt(restored.path(), /*replica=*/false);
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(copy->term(), 9u);
  EXPECT_EQ(copy->Head().hash, store.Head().hash);
  ExpectIntact(*copy);
}

}  // namespace
}  // namespace clas::ledger
