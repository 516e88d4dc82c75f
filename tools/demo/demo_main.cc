// clas-demo: fills a ledger's data directory with the demo dataset, through the engine's validated
// commands, and makes a demo token file beside it.
//
//   clas-demo --data ./data [--seed 1] [--cafs 101] [--actions 3700]
//
// A bulk load that can be redone: appends are not synced one by one; the write-ahead log is synced
// once at the end, before the program says it is done. Running it again on the same directory
// writes nothing (every command replays).
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "ledger/event_store.h"
#include "server/demo_tokens.h"
#include "server/store_event_log.h"
#include "tools/demo/demo.h"

ABSL_FLAG(std::string, data, "./data", "data directory of the ledger");
ABSL_FLAG(std::string, tokens, "", "token file to create (default: <data>/tokens)");
ABSL_FLAG(uint64_t, seed, 1, "seed of the dataset (same seed, same data)");
ABSL_FLAG(int32_t, cafs, 101, "number of Cafs");
ABSL_FLAG(int32_t, actions, 3700, "actions per school year, all Cafs together");
ABSL_FLAG(int32_t, token_cafs, 3, "Cafs whose agents and controleurs get a demo token");

namespace {

// A progress line on a terminal; nothing when stderr is not one.
void Progress(int64_t done, int64_t total, absl::Time start) {
  static int64_t last_shown = -1;
  if (!isatty(STDERR_FILENO) || total <= 0) return;
  const int64_t percent = done * 100 / total;
  if (percent == last_shown && done != total) return;
  last_shown = percent;
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);  // display only
  const double rate = seconds > 0 ? done / seconds : 0;
  const double left = rate > 0 ? (total - done) / rate : 0;
  const int width = 30, filled = static_cast<int>(percent * width / 100);
  std::fprintf(stderr, "\r[%s%s] %3lld%%  %8.0f commands/s  %4.0f s left ",
               std::string(filled, '#').c_str(), std::string(width - filled, ' ').c_str(),
               static_cast<long long>(percent), rate, left);
  if (done == total) std::fprintf(stderr, "\n");
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("clas-demo --data DIR: fills a ledger with the demo dataset");
  absl::ParseCommandLine(argc, argv);
  const std::string data = absl::GetFlag(FLAGS_data);
  std::string tokens = absl::GetFlag(FLAGS_tokens);
  if (tokens.empty()) tokens = data + "/tokens";

  clas::ledger::Options options;
  options.path = data;
  options.sync = false;  // a bulk load that can be redone; synced once below
  auto store = clas::ledger::EventStore::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "clas-demo: %s\n", std::string(store.status().message()).c_str());
    return 3;
  }
  clas::server::StoreEventLog log(store->get());
  clas::Engine engine(&log);
  clas::DemoOptions demo;
  demo.seed = absl::GetFlag(FLAGS_seed);
  demo.cafs = absl::GetFlag(FLAGS_cafs);
  demo.actions_per_school_year = absl::GetFlag(FLAGS_actions);
  const absl::Time start = absl::Now();
  demo.progress = [start](int64_t done, int64_t total) { Progress(done, total, start); };
  std::printf("clas-demo: filling %s (seed %llu, %d Cafs, %d actions a school year)\n",
              data.c_str(), static_cast<unsigned long long>(demo.seed), demo.cafs,
              demo.actions_per_school_year);
  std::fflush(stdout);
  auto report = clas::GenerateDemo(engine, demo);
  if (!report.ok()) {
    std::fprintf(stderr, "clas-demo: %s\n", std::string(report.status().message()).c_str());
    return 3;
  }
  if (absl::Status synced = (*store)->Sync(); !synced.ok()) {
    std::fprintf(stderr, "clas-demo: %s\n", std::string(synced.message()).c_str());
    return 3;
  }
  std::printf("%s", clas::FormatDemoReport(*report).c_str());
  std::printf("clas-demo: %llu events in %.1f s\n",
              static_cast<unsigned long long>((*store)->Head().position),
              absl::ToDoubleSeconds(absl::Now() - start));

  // Demo tokens for the first Cafs of the dataset (and the national roles).
  std::vector<std::string> cafs;
  auto ids = engine.ListConventionIds("");
  if (ids.ok()) {
    for (const auto& [caf, id] : *ids) {
      if ((cafs.empty() || cafs.back() != caf) &&
          static_cast<int32_t>(cafs.size()) < absl::GetFlag(FLAGS_token_cafs)) {
        cafs.push_back(caf);
      }
    }
  }
  if (absl::Status made = clas::server::EnsureDemoTokens(tokens, cafs); !made.ok()) {
    std::fprintf(stderr, "clas-demo: %s\n", std::string(made.message()).c_str());
    return 3;
  }
  std::printf("clas-demo: demo tokens in %s.clear (agents and controleurs of %s)\n",
              tokens.c_str(), absl::StrJoin(cafs, ", ").c_str());
  return report->unexpected == 0 ? 0 : 1;
}
