// Replays fuzz inputs without libFuzzer: every regular file of the folders given on the command
// line goes once through LLVMFuzzerTestOneInput. A broken property aborts (fuzz_support.h), which
// fails the test that runs this program. Used by ctest for each target's corpus and regressions,
// in every build, with or without clang.
//
//   <target>_replay DIR...   exits 0 after replaying at least one file (a missing folder is
//                            skipped), 1 if none was found.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_support.h"

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    std::error_code error;
    if (fs::is_regular_file(argv[i], error)) {
      files.emplace_back(argv[i]);
      continue;
    }
    if (!fs::exists(argv[i], error)) {
      // A target's regressions folder exists once a crash has been found and kept.
      std::fprintf(stderr, "%s: no such folder, nothing to replay there\n", argv[i]);
      continue;
    }
    if (!fs::is_directory(argv[i], error)) {
      std::fprintf(stderr, "%s: not a file or a folder\n", argv[i]);
      return 1;
    }
    for (const auto& entry : fs::directory_iterator(argv[i])) {
      // README files describe a folder; they are not inputs.
      if (entry.is_regular_file() && entry.path().filename() != "README.md") {
        files.push_back(entry.path());
      }
    }
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::fprintf(stderr, "replaying %s (%zu bytes)\n", file.filename().c_str(), bytes.size());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("%zu inputs replayed\n", files.size());
  return files.empty() ? 1 : 0;
}
