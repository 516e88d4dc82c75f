// A small disk for the full-disk tests: a tmpfs of a given size mounted on a fresh directory,
// with a ballast file whose removal frees space. Mounting needs root (or CAP_SYS_ADMIN); when it
// is refused, mounted() is false and error() says why, and the test skips itself.
#ifndef CLAS_TESTS_LEDGER_SMALL_DISK_H_
#define CLAS_TESTS_LEDGER_SMALL_DISK_H_

#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace clas::testing {

class SmallDisk {
 public:
  explicit SmallDisk(size_t bytes) {
    static int counter = 0;
    path_ = absl::StrCat(::testing::TempDir(), "clas-small-disk-", getpid(), "-", counter++);
    std::filesystem::create_directories(path_);
    const std::string options = absl::StrCat("size=", bytes);
    if (mount("tmpfs", path_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = absl::StrCat("mount -t tmpfs -o ", options, " on ", path_, ": ",
                            std::strerror(errno), " (needs root or CAP_SYS_ADMIN)");
    }
  }
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;
  ~SmallDisk() {
    if (mounted_) umount2(path_.c_str(), MNT_DETACH);
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }

  // Writes a ballast file of `bytes` (not sparse: tmpfs counts what is written).
  bool AddBallast(size_t bytes) {
    std::ofstream out(BallastPath(), std::ios::binary);
    const std::string block(64 * 1024, 'b');
    for (size_t written = 0; written < bytes && out; written += block.size()) out << block;
    out.close();
    return out.good();
  }
  // Removes the ballast: the space it held is free again.
  void FreeBallast() { std::filesystem::remove(BallastPath()); }

 private:
  std::string BallastPath() const { return path_ + "/ballast"; }

  std::string path_;
  bool mounted_ = false;
  std::string error_;
};

}  // namespace clas::testing

#endif  // CLAS_TESTS_LEDGER_SMALL_DISK_H_
