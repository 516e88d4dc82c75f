// The deterministic simulation of the rules (simulation.h) over a fixed set of seeds. Every
// violation names its seed, its step and its rule; replay one seed alone with
//   CLAS_SIM_SEED=<seed> ctest --test-dir <build> -R sim/ --output-on-failure
// or `clas-sim --seed <seed> --verbose`. A longer run: CLAS_SIM_SEEDS=<count> (from
// CLAS_SIM_FIRST_SEED, default 0), or clas-sim --seeds FIRST:COUNT.
#include "tests/sim/simulation.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace clas::sim {
namespace {

// 4 blocks of 20 seeds: the CI's share, about 4 s of one core per block.
constexpr int kBlocks = 4;
constexpr uint32_t kSeedsPerBlock = 20;

uint32_t EnvOr(const char* name, uint32_t otherwise) {
  const char* v = std::getenv(name);
  return v == nullptr ? otherwise : static_cast<uint32_t>(std::strtoul(v, nullptr, 10));
}

class Simulations : public ::testing::TestWithParam<int> {};

TEST_P(Simulations, R_PAY_R_CTL_R_ACC_R_HIST_EngineAgreesWithTheModelAfterEveryStep) {
  uint32_t first = 0, count = 0;
  if (std::getenv("CLAS_SIM_SEED") != nullptr) {
    if (GetParam() != 0) GTEST_SKIP() << "CLAS_SIM_SEED runs in block 0";
    first = EnvOr("CLAS_SIM_SEED", 0);
    count = 1;
  } else {
    const uint32_t per_block = std::getenv("CLAS_SIM_SEEDS") != nullptr
                                   ? (EnvOr("CLAS_SIM_SEEDS", 0) + kBlocks - 1) / kBlocks
                                   : kSeedsPerBlock;
    first = EnvOr("CLAS_SIM_FIRST_SEED", 0) + GetParam() * per_block;
    count = per_block;
  }
  const std::string dir =
      absl::StrCat(::testing::TempDir(), "/clas-sim-", getpid(), "-", GetParam());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  int64_t seeds = 0;
  const SimSummary total = RunSeeds(first, count, dir, [&](const SimSummary& s) {
    ++seeds;
    for (const auto& v : s.violations) {
      ADD_FAILURE() << v << "\n  replay: CLAS_SIM_SEED=" << s.seed
                    << " ctest --test-dir <build> -R sim/ --output-on-failure";
    }
  });
  std::filesystem::remove_all(dir);
  std::printf("block %d: %s\n", GetParam(), FormatSummary(total, seeds).c_str());
  EXPECT_EQ(total.violations_total, 0);
  EXPECT_GT(total.accepted, 0);
  EXPECT_GT(total.refused, 0);
}

INSTANTIATE_TEST_SUITE_P(Seeds, Simulations, ::testing::Range(0, kBlocks));

}  // namespace
}  // namespace clas::sim
