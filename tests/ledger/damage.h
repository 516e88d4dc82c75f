// Damage done to the files of a closed store, for the tamper tests of the ledger, the server and
// clasctl: bytes flipped, files listed to show nothing was written, memtables flushed to table
// files so that there is a table file to damage.
#ifndef CLAS_TESTS_LEDGER_DAMAGE_H_
#define CLAS_TESTS_LEDGER_DAMAGE_H_

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "ledger/key_layout.h"
#include "rocksdb/db.h"

namespace clas::ledger::testing {

namespace fs = std::filesystem;

// Every file of a directory with its size and modification time: equal before and after an
// operation means the operation wrote nothing there.
using Listing = std::map<std::string, std::tuple<uintmax_t, fs::file_time_type>>;
inline Listing List(const std::string& dir) {
  Listing out;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    const uintmax_t size = entry.is_regular_file() ? entry.file_size() : 0;
    out[entry.path().filename().string()] = {size, entry.last_write_time()};
  }
  return out;
}

// The files of `dir` whose name ends with `extension` (".sst", ".log").
inline std::vector<std::string> FilesWith(const std::string& dir, const std::string& extension) {
  std::vector<std::string> out;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == extension) out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void FlipByte(const std::string& path, uintmax_t offset) {
  std::fstream io(path, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(io.good()) << path;
  io.seekg(static_cast<std::streamoff>(offset));
  char byte = 0;
  io.read(&byte, 1);
  byte = static_cast<char>(byte ^ 0x5a);
  io.seekp(static_cast<std::streamoff>(offset));
  io.write(&byte, 1);
}

// Flushes every family of the closed store at `path` to table files, and returns the table
// file of the events family.
inline std::string FlushToTables(const std::string& path) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const char* name : kFamilyNames) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  rocksdb::DB* raw = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  EXPECT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), path, families, &handles, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  EXPECT_TRUE(db->Flush(rocksdb::FlushOptions(), handles).ok());
  std::vector<rocksdb::LiveFileMetaData> files;
  db->GetLiveFilesMetaData(&files);
  std::string events_table;
  for (const rocksdb::LiveFileMetaData& file : files) {
    if (file.column_family_name == "events") events_table = file.db_path + file.name;
  }
  for (rocksdb::ColumnFamilyHandle* handle : handles) db->DestroyColumnFamilyHandle(handle);
  EXPECT_TRUE(db->Close().ok());
  EXPECT_FALSE(events_table.empty());
  return fs::path(events_table).lexically_normal().string();
}

}  // namespace clas::ledger::testing

#endif  // CLAS_TESTS_LEDGER_DAMAGE_H_
