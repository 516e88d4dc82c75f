// demo: fills a data directory with the demo dataset (tools/demo), through the engine's
// validated commands, as clas-demo does. A bulk load that can be redone: appends are synced once
// at the end; running it again on the same directory writes nothing (every command replays).
#include "absl/strings/str_cat.h"
#include "ledger/base/status_macros.h"
#include "server/store_event_log.h"
#include "tools/clasctl/commands.h"
#include "tools/clasctl/progress.h"
#include "tools/demo/demo.h"

namespace clas::ctl {

int DemoCommand(const Invocation& in, Io& io) {
  return Guarded(io, [&]() -> absl::StatusOr<int> {
    DemoOptions demo;
    ASSIGN_OR_RETURN(int64_t seed, in.GetInt("seed", 1));
    ASSIGN_OR_RETURN(int64_t cafs, in.GetInt("cafs", demo.cafs));
    ASSIGN_OR_RETURN(int64_t actions, in.GetInt("actions", demo.actions_per_school_year));
    if (seed < 0 || cafs < 1 || cafs > 101 || actions < 1 || actions > 100'000) {
      return absl::InvalidArgumentError("--seed >= 0, --cafs 1 to 101, --actions 1 to 100000");
    }
    demo.seed = static_cast<uint64_t>(seed);
    demo.cafs = static_cast<int>(cafs);
    demo.actions_per_school_year = static_cast<int>(actions);
    ledger::Options options;
    options.path = in.Get("data");
    options.sync = false;  // synced once below
    ASSIGN_OR_RETURN(std::unique_ptr<ledger::EventStore> store, ledger::EventStore::Open(options));
    server::StoreEventLog log(store.get());
    Engine engine(&log);
    Progress progress(io.err, io.progress, "demo", "commands", 0);
    demo.progress = [&](int64_t done, int64_t total) {
      progress.Update(static_cast<uint64_t>(done), static_cast<uint64_t>(total));
    };
    ASSIGN_OR_RETURN(DemoReport report, GenerateDemo(engine, demo));
    progress.Finish();
    RETURN_IF_ERROR(store->Sync());
    io.out << FormatDemoReport(report) << "demo: " << store->Head().position << " events in "
           << options.path << "\n";
    return report.unexpected == 0 ? kExitOk : kExitRefused;
  });
}

}  // namespace clas::ctl
