// What the tests of the Debian package share: a shell command's outcome, and the package itself,
// built by cpack from this build tree (the ctest fixture package.build, once per run, into
// CLAS_PACKAGE_DIR) and taken apart by dpkg-deb in a scratch directory of each test: its files
// under root/, its control part under control/. CLAS_PACKAGE_DIR, CLAS_PACKAGE_SKIP,
// CLAS_SOURCE_DIR and CLAS_VERSION come from tests/package/CMakeLists.txt.
#ifndef CLAS_TESTS_PACKAGE_PACKAGE_SUPPORT_H_
#define CLAS_TESTS_PACKAGE_PACKAGE_SUPPORT_H_

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace clas::testing {

namespace fs = std::filesystem;

struct ShellRun {
  int code = -1;       // the exit status, 128 + the signal when killed
  std::string output;  // standard output and standard error together
};

// Runs `command` with /bin/sh.
inline ShellRun Shell(const std::string& command) {
  ShellRun run;
  std::FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.output.append(buffer, got);
  const int status = pclose(pipe);
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

// `text` as one word of /bin/sh.
inline std::string Quoted(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline bool HasCommand(const std::string& name) {
  return Shell("command -v " + Quoted(name)).code == 0;
}

inline std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A directory of its own under the temporary directory, removed with the object.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& stem) {
    std::string pattern = (fs::temp_directory_path() / (stem + "-XXXXXX")).string();
    path_ = mkdtemp(pattern.data()) != nullptr ? fs::path(pattern) : fs::path();
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// The package built by the fixture, extracted into a scratch directory for each test. Skipped,
// saying why (CLAS_PACKAGE_SKIP), in a sanitizer build or when the build found no dpkg-deb or
// dpkg-shlibdeps.
class PackageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string(CLAS_PACKAGE_DIR).empty()) {
      GTEST_SKIP() << CLAS_PACKAGE_SKIP;
    }
    ASSERT_FALSE(scratch_.path().empty());
    std::vector<fs::path> debs;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(CLAS_PACKAGE_DIR, error)) {
      if (entry.path().extension() == ".deb") debs.push_back(entry.path());
    }
    ASSERT_EQ(debs.size(), 1u) << "the package is built in " << CLAS_PACKAGE_DIR
                               << " by the ctest test package.build: run through ctest";
    deb_ = debs[0];
    root_ = scratch_.path() / "root";
    control_ = scratch_.path() / "control";
    const ShellRun extract = Shell("dpkg-deb -x " + Quoted(deb_.string()) + " " +
                                   Quoted(root_.string()) + " && dpkg-deb -e " +
                                   Quoted(deb_.string()) + " " + Quoted(control_.string()));
    ASSERT_EQ(extract.code, 0) << extract.output;
  }

  // dpkg-deb's answer about the package: `dpkg-deb ARGS <the .deb>`.
  ShellRun DpkgDeb(const std::string& args) const {
    return Shell("dpkg-deb " + args + " " + Quoted(deb_.string()));
  }

  ScratchDir scratch_{"clas-package"};
  fs::path deb_;      // the package
  fs::path root_;     // its files, as they would be installed under /
  fs::path control_;  // its control part: control, conffiles, maintainer scripts
};

}  // namespace clas::testing

#endif  // CLAS_TESTS_PACKAGE_PACKAGE_SUPPORT_H_
