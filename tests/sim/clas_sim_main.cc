// clas-sim: the deterministic simulation of the rules (simulation.h) over a range of seeds, for
// long runs by hand. Prints one line per failing seed with the command that replays it, and a
// summary line; exits 1 when any invariant was violated.
//
//   clas-sim --seeds FIRST:COUNT [--work DIR] [--verbose]
//   clas-sim --seed SEED --verbose          one seed, every violation printed
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/sim/simulation.h"

namespace {

// A long run prints its running totals every this many seeds.
constexpr int64_t kProgressSeeds = 100;

int Usage() {
  std::fprintf(stderr,
               "usage: clas-sim --seeds FIRST:COUNT [--work DIR] [--verbose]\n"
               "       clas-sim --seed SEED [--work DIR] [--verbose]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  uint32_t first = 0, count = 100;
  bool verbose = false;
  std::string work = (std::filesystem::temp_directory_path() / "clas-sim").string();
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--seeds" && has_value) {
      std::vector<std::string> parts = absl::StrSplit(argv[++i], ':');
      if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &first) ||
          !absl::SimpleAtoi(parts[1], &count)) {
        return Usage();
      }
    } else if (arg == "--seed" && has_value) {
      if (!absl::SimpleAtoi(argv[++i], &first)) return Usage();
      count = 1;
    } else if (arg == "--work" && has_value) {
      work = argv[++i];
    } else if (arg == "--verbose") {
      verbose = true;
    } else {
      return Usage();
    }
  }
  work = absl::StrCat(work, "-", getpid());
  std::filesystem::remove_all(work);
  std::filesystem::create_directories(work);
  const auto start = std::chrono::steady_clock::now();
  int64_t seeds = 0, failing = 0;
  clas::sim::SimSummary running;
  const clas::sim::SimSummary total =
      clas::sim::RunSeeds(first, count, work, [&](const clas::sim::SimSummary& s) {
        ++seeds;
        if (s.violations_total > 0) {
          ++failing;
          std::printf("seed %u: %lld violations; replay: clas-sim --seed %u --verbose\n", s.seed,
                      static_cast<long long>(s.violations_total), s.seed);
          const size_t shown = verbose ? s.violations.size() : 1;
          for (size_t k = 0; k < shown && k < s.violations.size(); ++k) {
            std::printf("  %s\n", s.violations[k].c_str());
          }
        }
        if (verbose) std::printf("seed %u: %s\n", s.seed, clas::sim::FormatSummary(s, 1).c_str());
        running.Add(s);
        if (seeds % kProgressSeeds == 0 && seeds < count) {  // a long run shows where it is
          std::printf("... %s\n", clas::sim::FormatSummary(running, seeds).c_str());
        }
        std::fflush(stdout);
      });
  std::filesystem::remove_all(work);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s; failing seeds %lld; %.1f s\n", clas::sim::FormatSummary(total, seeds).c_str(),
              static_cast<long long>(failing), seconds);
  return total.violations_total == 0 ? 0 : 1;
}
