// The set-aside file format (set_aside.h), read by ReadSetAside: a file built by hand from the
// documented grammar reads back; one that is not whole — another magic, cut short anywhere, an
// end that miscounts, bytes after the end, positions out of sequence, a length past the file —
// is DataLoss naming the file; a missing file is NotFound.
#include "ledger/set_aside.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ledger/test_store.h"

namespace clas::ledger {
namespace {

using ::clas::ledger::testing::Message;
using ::clas::ledger::testing::ScopedTempDir;
using ::testing::HasSubstr;

// u64be as the grammar says, written here rather than taken from the code under test.
std::string BigEndian(uint64_t value) {
  std::string bytes;
  for (int shift = 56; shift >= 0; shift -= 8) {
    bytes.push_back(static_cast<char>((value >> shift) & 0xff));
  }
  return bytes;
}

std::string Frame(uint64_t position, const std::string& value) {
  return BigEndian(position) + BigEndian(value.size()) + value;
}

std::string End(uint64_t count) { return BigEndian(0) + BigEndian(count); }

const std::string kMagic = "clas-ledger/set-aside/v1\n";

class SetAsideFileTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& bytes) {
    std::filesystem::create_directories(dir_.path());
    const std::string path = dir_.path() + "/file.records";
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    return path;
  }

  ScopedTempDir dir_;
};

TEST_F(SetAsideFileTest, AWholeFileReadsBackInOrder) {
  const std::string bytes = kMagic + Frame(5, "five") + Frame(6, "") + Frame(7, "seven") + End(3);
  absl::StatusOr<std::vector<StoredRecord>> records = ReadSetAside(Write(bytes));
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[0].position, 5u);
  EXPECT_EQ((*records)[0].value, "five");
  EXPECT_EQ((*records)[1].value, "");
  EXPECT_EQ((*records)[2].position, 7u);
  EXPECT_EQ((*records)[2].value, "seven");
  // No record at all, with its end, is a whole file too.
  EXPECT_TRUE(ReadSetAside(Write(kMagic + End(0)))->empty());
}

TEST_F(SetAsideFileTest, AFileCutShortAnywhereIsDataLoss) {
  const std::string whole = kMagic + Frame(5, "five") + Frame(6, "six") + End(2);
  for (size_t size = 0; size < whole.size(); ++size) {
    const std::string path = Write(whole.substr(0, size));
    absl::StatusOr<std::vector<StoredRecord>> records = ReadSetAside(path);
    EXPECT_EQ(records.status().code(), absl::StatusCode::kDataLoss) << "cut at " << size;
    EXPECT_THAT(Message(records.status()), HasSubstr(path)) << "cut at " << size;
  }
}

TEST_F(SetAsideFileTest, WhatIsNotAWholeSetAsideIsDataLossSayingWhy) {
  struct Case {
    std::string name;
    std::string bytes;
    std::string problem;
  };
  const std::vector<Case> cases = {
      {"another magic", "clas-ledger/set-aside/v2\n" + Frame(1, "x") + End(1),
       "not a set-aside file"},
      {"an end that miscounts", kMagic + Frame(1, "x") + End(2), "the end counts 2 records"},
      {"bytes after the end", kMagic + Frame(1, "x") + End(1) + "z", "bytes follow the end"},
      {"a position skipped", kMagic + Frame(1, "x") + Frame(3, "y") + End(2),
       "position 3 follows position 1"},
      {"a position repeated", kMagic + Frame(2, "x") + Frame(2, "y") + End(2),
       "position 2 follows position 2"},
      {"a length past the file", kMagic + BigEndian(1) + BigEndian(1000) + "short" + End(1),
       "cut short in position 1"},
      {"a length past any record", kMagic + BigEndian(1) + BigEndian(uint64_t{1} << 40) + End(1),
       "bytes long"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::vector<StoredRecord>> records = ReadSetAside(Write(c.bytes));
    EXPECT_EQ(records.status().code(), absl::StatusCode::kDataLoss) << c.name;
    EXPECT_THAT(Message(records.status()), HasSubstr(c.problem)) << c.name;
  }
}

TEST_F(SetAsideFileTest, AMissingFileIsNotFound) {
  EXPECT_EQ(ReadSetAside(dir_.path() + "/none.records").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace clas::ledger
