// clas-bench-recompute: the national recompute check (R-HIST-3) over a dataset, the row
// "recompute_national" of the benchmark table (tools/bench.sh runs it at every scale).
//
//   clas-bench-recompute --scale N --data DIR --rows FILE [--page_size P]
//
// DIR is a ledger data directory, opened read-only (never written). The run is what
// Audit.RecomputeHistory answers an auditeur of every Caf who names no Caf, page after page, in
// this process (server::RecomputePage on an Engine over the store, as `clasctl audit recompute
// --data DIR` runs it; no gRPC): every Caf in id order, each Caf's streams read together, every
// acompte, solde, contrôle decision and closing done again from its recorded figures. Its
// figure is events/s (the events the pages checked over the wall time) and the elapsed time;
// the baseline, measured in the same run, reads and decodes the same Cafs' events and the
// barème the same way, recomputing nothing: what the check adds to reading. The demo log is
// written by the current rules, so any difference fails the row (met: false). The peak RSS is
// the process's, after both.
//
// Exit codes: 0 done, 1 the run failed or found a difference, 2 usage.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/base/status_macros.h"
#include "ledger/event_store.h"
#include "projections/core/stream_layout.h"
#include "server/recompute_page.h"
#include "server/store_event_log.h"
#include "tools/bench/rows.h"

ABSL_FLAG(int32_t, scale, 1, "scale of the dataset in --data (×N)");
ABSL_FLAG(std::string, data, "", "ledger directory of the dataset (read only)");
ABSL_FLAG(std::string, rows, "", "file the row is appended to, one JSON object a line");
ABSL_FLAG(int32_t, page_size, 0, "differences a page (0: the server's default)");

namespace clas::bench {
namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double CpuSeconds() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

struct Run {
  uint64_t events = 0, computations = 0, differences = 0, cafs = 0, pages = 0;
  double seconds = 0, cpu_seconds = 0;
};

// Every page of the national check, as an auditeur of "*" asks them.
absl::StatusOr<Run> Recompute(Engine& engine, uint64_t head) {
  Run run;
  server::ServiceLimits limits;
  v1::RecomputeHistoryRequest request;
  request.set_page_size(absl::GetFlag(FLAGS_page_size));
  const auto start = Clock::now();
  const double cpu = CpuSeconds();
  for (;;) {
    v1::RecomputeHistoryResponse page;
    RETURN_IF_ERROR(server::RecomputePage(
        engine, head, request, limits, [](const std::string&) { return true; },
        [] { return absl::OkStatus(); }, &page));
    ++run.pages;
    run.events += page.events_checked();
    run.computations += page.computations_checked();
    run.differences += static_cast<uint64_t>(page.differences_size());
    run.cafs += page.cafs_checked();
    for (const auto& d : page.differences()) {
      if (run.differences <= 10) std::fprintf(stderr, "difference: %s\n", d.message().c_str());
    }
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  run.seconds = Since(start);
  run.cpu_seconds = CpuSeconds() - cpu;
  return run;
}

// The same Cafs read as the check reads them (each Caf's streams together, the barème with
// each), every event decoded, nothing recomputed.
absl::StatusOr<Run> ReadOnly(EventLog& log, Engine& engine) {
  Run run;
  const auto start = Clock::now();
  const double cpu = CpuSeconds();
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(const std::vector<std::string> cafs, engine.ListCafs(after, 1000));
    for (const std::string& caf : cafs) {
      ASSIGN_OR_RETURN(const std::vector<DomainEvent> events,
                       log.ReadStreamsUnder(CafStreamPrefix(caf)));
      ASSIGN_OR_RETURN(const std::vector<DomainEvent> baremes, log.ReadStream(BaremeStream()));
      run.events += events.size();
      ++run.cafs;
      after = caf;
    }
    if (cafs.size() < 1000) break;
  }
  run.seconds = Since(start);
  run.cpu_seconds = CpuSeconds() - cpu;
  return run;
}

int Main() {
  const std::string data = absl::GetFlag(FLAGS_data), rows = absl::GetFlag(FLAGS_rows);
  if (data.empty() || rows.empty()) {
    std::fprintf(stderr, "clas-bench-recompute: --data and --rows are required\n");
    return 2;
  }
  ledger::Options options;
  options.path = data;
  options.read_only = true;
  auto store = ledger::EventStore::Open(options);
  auto fail = [](const absl::Status& s) {
    std::fprintf(stderr, "clas-bench-recompute: %s\n", std::string(s.message()).c_str());
    return 1;
  };
  if (!store.ok()) return fail(store.status());
  server::StoreEventLog log(store->get());
  Engine engine(&log);
  const uint64_t head = (*store)->Head().position;
  // The baseline first: it warms the page cache for both.
  absl::StatusOr<Run> read = ReadOnly(log, engine);
  if (!read.ok()) return fail(read.status());
  absl::StatusOr<Run> run = Recompute(engine, head);
  if (!run.ok()) return fail(run.status());
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  const double rate = run->seconds > 0 ? run->events / run->seconds : 0;
  const double read_rate = read->seconds > 0 ? read->events / read->seconds : 0;
  const Row row{
      .row = "recompute_national",
      .what = "recompute check (R-HIST-3), national: every Caf's acomptes, soldes, contrôles "
              "and closings done again, page after page, in-process",
      .scale = absl::GetFlag(FLAGS_scale),
      .ours = absl::StrFormat(
          "%s events/s, %.1f s (%s events of %s, %s computations, %s differences, %s Caf, %s "
          "%s; CPU %.1f s; peak RSS %.0f MiB)",
          Grouped(rate), run->seconds, Grouped(run->events), Grouped(head),
          Grouped(run->computations), Grouped(run->differences), Grouped(run->cafs),
          Grouped(run->pages), run->pages == 1 ? "call" : "calls", run->cpu_seconds,
          usage.ru_maxrss / 1024.0),
      .baseline = absl::StrFormat("%s events/s, %.1f s (the same Cafs read and decoded, nothing "
                                  "recomputed)",
                                  Grouped(read_rate), read->seconds),
      .ratio = absl::StrFormat("%.0f %%", read_rate > 0 ? 100 * rate / read_rate : 0),
      .goal = "0 differences on the demo log",
      .met = run->differences == 0,
  };
  std::printf("  %s ×%d: %s | %s\n", row.what.c_str(), row.scale, row.ours.c_str(),
              row.baseline.c_str());
  if (absl::Status s = AppendRow(rows, row); !s.ok()) return fail(s);
  return run->differences == 0 ? 0 : 1;
}

}  // namespace
}  // namespace clas::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "clas-bench-recompute --scale N --data DIR --rows FILE: the national recompute check "
      "(R-HIST-3) over the ledger in DIR, one row appended to FILE");
  absl::ParseCommandLine(argc, argv);
  return clas::bench::Main();
}
