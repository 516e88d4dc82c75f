// Helpers of the ledger tests: a fresh directory per test, events built in one line, and a raw
// RocksDB view of a closed store for tests that tamper with stored bytes.
#ifndef CLAS_TESTS_LEDGER_TEST_STORE_H_
#define CLAS_TESTS_LEDGER_TEST_STORE_H_

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/event_store.h"
#include "ledger/key_layout.h"
#include "rocksdb/db.h"

namespace clas::ledger::testing {

// A directory path unique to this process and test, removed (with its content) on destruction.
class ScopedTempDir {
 public:
  ScopedTempDir() {
    static std::atomic<int> counter{0};
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = absl::StrCat(::testing::TempDir(), "clas-ledger-", test->test_suite_name(), "-",
                         test->name(), "-", getpid(), "-", counter++);
    std::filesystem::remove_all(path_);
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;
  ~ScopedTempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The message of a status as a std::string (absl::string_view is not std::string_view here).
inline std::string Message(const absl::Status& status) { return std::string(status.message()); }

inline v1::EventData Event(const std::string& event_id, const std::string& payload = "payload",
                           const std::string& event_type = "thing_happened") {
  v1::EventData event;
  event.set_event_id(event_id);
  event.set_event_type(event_type);
  event.set_payload(payload);
  event.set_effective_date(20261015);
  event.mutable_actor()->set_id("agent-7");
  event.mutable_actor()->set_role("agent");
  event.set_tenant_id("tenant-1");
  event.set_rule_version("r1");
  return event;
}

inline std::vector<v1::EventData> Events(std::initializer_list<std::string> event_ids) {
  std::vector<v1::EventData> events;
  for (const std::string& id : event_ids) events.push_back(Event(id));
  return events;
}

// Copies the directory of an open store to `to` as a crash would leave it: the files as they
// are at one instant. The store's own writes must have stopped, but RocksDB may still be
// flushing or compacting in the background, and a copy made while it writes a table file
// would hold a manifest naming a table copied half-written — a state no crash can leave. So
// the copy is made again until no file of `from` changed while it was made (names, sizes,
// modification times). False if that never happened within about five seconds.
inline bool CopyAtOneInstant(const std::string& from, const std::string& to) {
  namespace fs = std::filesystem;
  using Listing = std::map<std::string, std::pair<uintmax_t, fs::file_time_type>>;
  const auto list = [&from] {
    Listing out;
    for (const fs::directory_entry& entry : fs::directory_iterator(from)) {
      out[entry.path().filename().string()] = {entry.is_regular_file() ? entry.file_size() : 0,
                                               entry.last_write_time()};
    }
    return out;
  };
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::error_code ignored;
    fs::remove_all(to, ignored);
    try {
      const Listing before = list();
      fs::copy(from, to, fs::copy_options::recursive);
      if (list() == before) return true;
    } catch (const fs::filesystem_error&) {
      // A file went away while it was listed or copied: the background work is not done.
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// A store in a fresh directory, reopened on demand.
class StoreTest : public ::testing::Test {
 protected:
  Options MakeOptions() const {
    Options options;
    options.path = dir_.path();
    return options;
  }
  EventStore& OpenStore(Options options) {
    store_.reset();
    absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
    EXPECT_TRUE(store.ok()) << store.status();
    if (store.ok()) store_ = *std::move(store);
    return *store_;
  }
  EventStore& OpenStore() { return OpenStore(MakeOptions()); }
  void CloseStore() { store_.reset(); }

  ScopedTempDir dir_;
  std::unique_ptr<EventStore> store_;
};

// The raw RocksDB database of a closed store, opened with the store's column families, for
// tests that rewrite stored bytes behind the store's back.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name : kFamilyNames) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* db = nullptr;
    const rocksdb::Status status =
        rocksdb::DB::Open(rocksdb::DBOptions(), path, families, &handles_, &db);
    EXPECT_TRUE(status.ok()) << status.ToString();
    db_.reset(db);
  }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;
  ~RawDb() {
    if (db_ == nullptr) return;
    for (rocksdb::ColumnFamilyHandle* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
    EXPECT_TRUE(db_->Close().ok());
  }

  std::string Get(Family family, const std::string& key) {
    std::string value;
    const rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), handle(family), key, &value);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return value;
  }
  void Put(Family family, const std::string& key, const std::string& value) {
    rocksdb::WriteOptions write_options;
    write_options.sync = true;
    const rocksdb::Status status = db_->Put(write_options, handle(family), key, value);
    EXPECT_TRUE(status.ok()) << status.ToString();
  }
  void Delete(Family family, const std::string& key) {
    rocksdb::WriteOptions write_options;
    write_options.sync = true;
    EXPECT_TRUE(db_->Delete(write_options, handle(family), key).ok());
  }

 private:
  rocksdb::ColumnFamilyHandle* handle(Family family) {
    return handles_.at(static_cast<size_t>(family));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace clas::ledger::testing

#endif  // CLAS_TESTS_LEDGER_TEST_STORE_H_
