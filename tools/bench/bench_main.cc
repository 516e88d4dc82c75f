// clas-bench-store: the storage rows of the benchmark table (tools/bench.sh runs it).
//
//   clas-bench-store --scale N --data DIR --pg CONNINFO --rows FILE [--seconds S] [--skip_append]
//       durable appends (batched against raw RocksDB; 16 writers against PostgreSQL), the full
//       rebuild of every projection from the ledger in DIR in both read orders (each in a
//       child process, whose peak RSS is measured) against a raw RocksDB scan; appends one JSON
//       row per figure to FILE.
//   clas-bench-store scale --from X1DIR --scale K --data DIR   builds the ×K ledger from ×1
//   clas-bench-store rebuild --data DIR [--order log|caf]       the rebuild alone (the child)
//   clas-bench-store render --rows FILE                         the rows as one Markdown table
//   clas-bench-store append --data DIR [--rounds R] [--seconds S] [--work W]
//       the batched append row alone, R times (store, then raw RocksDB, in each round), each
//       ratio printed; writes no row (to measure a change of the write path)
//   clas-bench-store concurrent --data DIR [--rounds R] [--seconds S] [--writers N] [--work W]
//       the concurrent row alone (1 event per call, N writers), R times, without PostgreSQL:
//       throughput, latencies, synced writes and their mean and largest group, how many of
//       their leaders waited for callers (and in vain), CPU time of the process an event;
//       writes no row
//
// Exit codes: 0 done, 1 a benchmark failed (or the rebuild found rule errors), 2 usage.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "ledger/event_store.h"
#include "tools/bench/append.h"
#include "tools/bench/dataset.h"
#include "tools/bench/rebuild.h"
#include "tools/bench/rows.h"

ABSL_FLAG(int32_t, scale, 1, "scale of the dataset in --data (×N)");
ABSL_FLAG(std::string, data, "", "ledger directory of the dataset (read only)");
ABSL_FLAG(std::string, pg, "", "libpq connection string of the PostgreSQL baseline");
ABSL_FLAG(std::string, rows, "", "file the rows are appended to, one JSON object a line");
ABSL_FLAG(std::string, from, "", "scale: the ×1 ledger to copy");
ABSL_FLAG(std::string, work, "", "scratch directory for the append benchmarks (default: DIR.work)");
ABSL_FLAG(double, seconds, 5, "duration of each append measurement");
ABSL_FLAG(bool, skip_append, false, "only the rebuild rows (the append rows do not depend on scale)");
ABSL_FLAG(int32_t, threads, 2, "rebuild threads");
ABSL_FLAG(std::string, order, "caf",
          "rebuild: how the log is read, 'log' (in position order, all held) or 'caf' (Caf by "
          "Caf through the stream index)");
ABSL_FLAG(int32_t, writers, 16, "concurrent writers");
ABSL_FLAG(int32_t, block_cache_mib, 0,
          "rebuild: the store's block cache in MiB (0: the store's default)");
ABSL_FLAG(int64_t, log_order_events_max, 2'000'000,
          "the rebuild in log order is not run on a longer log (it holds every event)");
ABSL_FLAG(int32_t, rounds, 3,
          "append, concurrent: how many times the batched or concurrent row is measured");

namespace clas::bench {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

int Fail(const absl::Status& status, const char* what) {
  std::fprintf(stderr, "clas-bench-store: %s: %s\n", what, std::string(status.message()).c_str());
  return 1;
}

int Scale() {
  const std::string from = absl::GetFlag(FLAGS_from), data = absl::GetFlag(FLAGS_data);
  if (from.empty() || data.empty()) {
    std::fprintf(stderr, "clas-bench-store scale: --from and --data are required\n");
    return 2;
  }
  auto report = BuildScaledLedger(from, data, absl::GetFlag(FLAGS_scale));
  if (!report.ok()) return Fail(report.status(), "scale");
  std::printf("clas-bench-store: ×%d: %llu events from %llu in %.1f s\n",
              absl::GetFlag(FLAGS_scale), static_cast<unsigned long long>(report->events_written),
              static_cast<unsigned long long>(report->source_events), report->seconds);
  return 0;
}

// Flushes and compacts the ledger in --data (the ×1 dataset clas-demo wrote), as Scale does
// with the ledgers it writes.
int Compact() {
  ledger::Options options;
  options.path = absl::GetFlag(FLAGS_data);
  const auto start = std::chrono::steady_clock::now();
  auto store = ledger::EventStore::Open(options);
  if (!store.ok()) return Fail(store.status(), "opening the ledger");
  if (absl::Status s = (*store)->Compact(); !s.ok()) return Fail(s, "compacting");
  std::printf("clas-bench-store: %s compacted in %.1f s\n", options.path.c_str(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return 0;
}

int RebuildChild() {
  ledger::Options options;
  options.path = absl::GetFlag(FLAGS_data);
  options.read_only = true;
  if (const int mib = absl::GetFlag(FLAGS_block_cache_mib); mib > 0) {
    options.block_cache_bytes = static_cast<size_t>(mib) << 20;
  }
  auto store = ledger::EventStore::Open(options);
  if (!store.ok()) return Fail(store.status(), "opening the ledger");
  const std::string order = absl::GetFlag(FLAGS_order);
  if (order != "log" && order != "caf") {
    std::fprintf(stderr, "clas-bench-store rebuild: --order is 'log' or 'caf', not '%s'\n",
                 order.c_str());
    return 2;
  }
  const int threads = absl::GetFlag(FLAGS_threads);
  auto report = order == "log" ? RebuildAll(**store, threads) : RebuildByCaf(**store, threads);
  if (!report.ok()) return Fail(report.status(), "rebuild");
  std::printf("head %llu\nevents %llu\ncafs %llu\nconventions %llu\ngestionnaires %llu\n"
              "reports %llu\nunbalanced %llu\nerrors %llu\nseconds %.6f\nread_seconds %.6f\n"
              "fold_seconds %.6f\n",
              static_cast<unsigned long long>(report->head),
              static_cast<unsigned long long>(report->events),
              static_cast<unsigned long long>(report->cafs),
              static_cast<unsigned long long>(report->conventions),
              static_cast<unsigned long long>(report->gestionnaires),
              static_cast<unsigned long long>(report->civil_year_reports),
              static_cast<unsigned long long>(report->unbalanced_reports),
              static_cast<unsigned long long>(report->errors), report->seconds,
              report->read_seconds, report->fold_seconds);
  for (const auto& s : report->samples) std::fprintf(stderr, "rebuild: %s\n", s.c_str());
  return report->errors == 0 && report->unbalanced_reports == 0 ? 0 : 1;
}

struct ChildRun {
  std::map<std::string, double> figures;
  double wall_seconds = 0;
  double peak_rss_mib = 0;  // the child's VmHWM (ru_maxrss)
  int exit_code = -1;
};

// Runs `clas-bench-store rebuild` in a child process, so that its peak RSS is its own.
absl::StatusOr<ChildRun> RunRebuildChild(const std::string& data, const std::string& order) {
  int out[2];
  if (pipe(out) != 0) return absl::InternalError("pipe failed");
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string data_flag = "--data=" + data;
  const std::string threads_flag = absl::StrCat("--threads=", absl::GetFlag(FLAGS_threads));
  const std::string order_flag = "--order=" + order;
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    execl(self.c_str(), self.c_str(), "rebuild", data_flag.c_str(), threads_flag.c_str(),
          order_flag.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = read(out[0], buffer, sizeof buffer)) > 0;) text.append(buffer, n);
  close(out[0]);
  int status = 0;
  struct rusage usage {};
  if (wait4(pid, &status, 0, &usage) != pid) return absl::InternalError("wait4 failed");
  ChildRun run;
  run.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.peak_rss_mib = usage.ru_maxrss * 1024.0 / kMiB;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::vector<std::string> kv = absl::StrSplit(line, ' ');
    double value = 0;
    if (kv.size() == 2 && absl::SimpleAtod(kv[1], &value)) run.figures[kv[0]] = value;
  }
  return run;
}

std::string Percent(double ratio) { return absl::StrFormat("%.0f %%", ratio * 100); }

// The two read orders of the rebuild, each a pair of rows: the rebuild, its peak RSS.
struct RebuildOrder {
  const char* order;  // clas-bench-store rebuild --order
  const char* row;    // the rows' ids: row and row + "_rss"
  const char* what;
  const char* rss_what;
};
// The faster first: its rows are the main "full rebuild" rows.
constexpr RebuildOrder kRebuildOrders[] = {
    {.order = "caf",
     .row = "rebuild",
     .what = "full rebuild of every projection from the log, Caf by Caf (bounded memory)",
     .rss_what = "peak memory (RSS) during the rebuild"},
    {.order = "log",
     .row = "rebuild_log_order",
     .what = "full rebuild, the whole log read in position order and held",
     .rss_what = "peak memory (RSS) during the rebuild in log order"},
};

// Runs the rebuild in `order` in a child process and emits its two rows; false if it failed.
bool RebuildRows(const std::string& data, int scale, const RebuildOrder& order,
                 const RawScanReport& raw, const std::function<void(const Row&)>& emit) {
  const int64_t events_max = absl::GetFlag(FLAGS_log_order_events_max);
  if (std::string(order.order) == "log" && raw.events > static_cast<uint64_t>(events_max)) {
    // Over 1 KiB an event held (1.5 GiB for the 1.3 million events of ×10): not on this machine.
    const std::string why = absl::StrFormat(
        "not run: it holds every event of the log, over 1 KiB each, for these %s events more "
        "than %.0f GiB (runs up to %s events, --log_order_events_max)",
        Grouped(raw.events), raw.events / kMiB, Grouped(events_max));  // 1 KiB each, in GiB
    emit(Row{.row = order.row, .what = order.what, .scale = scale, .ours = why,
             .baseline = "", .ratio = "", .goal = "≥ 300 000 events/s; under 30 s at ×100",
             .met = false});
    emit(Row{.row = absl::StrCat(order.row, "_rss"), .what = order.rss_what, .scale = scale,
             .ours = "not run (above)", .baseline = "", .ratio = "", .goal = "< 512 MiB at ×100",
             .met = false});
    return true;
  }
  auto child = RunRebuildChild(data, order.order);
  if (!child.ok()) {
    Fail(child.status(), "rebuild");
    return false;
  }
  if (child->exit_code != 0) {
    std::fprintf(stderr, "clas-bench-store: the rebuild (--order=%s) failed (exit %d)\n",
                 order.order, child->exit_code);
  }
  std::map<std::string, double>& f = child->figures;
  const double events = f["events"], seconds = f["seconds"];
  const double rate = seconds > 0 ? events / seconds : 0;
  const double raw_rate = raw.seconds > 0 ? raw.events / raw.seconds : 0;
  const std::string split =
      std::string(order.order) == "log"
          ? absl::StrFormat("read %.1f s, fold %.1f s", f["read_seconds"], f["fold_seconds"])
          : absl::StrFormat("of its threads' time, %.1f s in reads and %.1f s in the rest",
                            f["read_seconds"], f["fold_seconds"]);
  emit(Row{.row = order.row,
           .what = order.what,
           .scale = scale,
           .ours = absl::StrFormat(
               "%s events/s, %.1f s (%s events of %s; %s; %s conventions, %s civil-year "
               "reports, %s unbalanced, %s errors)",
               Grouped(rate), seconds, Grouped(events), Grouped(f["head"]), split,
               Grouped(f["conventions"]), Grouped(f["reports"]), Grouped(f["unbalanced"]),
               Grouped(f["errors"])),
           .baseline = absl::StrFormat("%s events/s, %.2f s (raw RocksDB iteration, no decoding)",
                                       Grouped(raw_rate), raw.seconds),
           .ratio = Percent(raw_rate > 0 ? rate / raw_rate : 0),
           .goal = "≥ 300 000 events/s; under 30 s at ×100",
           .met = child->exit_code == 0 && rate >= 300'000 && (scale < 100 || seconds < 30)});
  emit(Row{.row = absl::StrCat(order.row, "_rss"),
           .what = order.rss_what,
           .scale = scale,
           .ours = absl::StrFormat("%.0f MiB", child->peak_rss_mib),
           .baseline = "",
           .ratio = "",
           .goal = "< 512 MiB at ×100",
           .met = child->peak_rss_mib < 512});
  return child->exit_code == 0;
}

int Run() {
  const std::string data = absl::GetFlag(FLAGS_data), rows = absl::GetFlag(FLAGS_rows);
  const int scale = absl::GetFlag(FLAGS_scale);
  const double seconds = absl::GetFlag(FLAGS_seconds);
  if (data.empty() || rows.empty()) {
    std::fprintf(stderr, "clas-bench-store: --data and --rows are required\n");
    return 2;
  }
  std::string work = absl::GetFlag(FLAGS_work);
  if (work.empty()) work = data + ".work";
  std::error_code ignored;
  std::filesystem::remove_all(work, ignored);
  std::filesystem::create_directories(work);
  int failures = 0;
  auto emit = [&](const Row& row) {
    if (absl::Status s = AppendRow(rows, row); !s.ok()) {
      Fail(s, "writing a row");
      ++failures;
    }
    std::printf("  %-58s ×%-3d %s | %s | %s\n", row.what.c_str(), row.scale, row.ours.c_str(),
                row.baseline.c_str(), row.ratio.c_str());
    std::fflush(stdout);
  };

  if (!absl::GetFlag(FLAGS_skip_append)) {
    auto sample = SampleEvents(data, 10'000);
    if (!sample.ok()) return Fail(sample.status(), "sampling events");
    // 1. Batches of 100, against the synced raw WriteBatch of the same bytes.
    auto ours = StoreBatches(work + "/batch-store", *sample, 100, seconds);
    auto raw = RawBatches(work + "/batch-raw", *sample, 100, seconds);
    if (!ours.ok()) return Fail(ours.status(), "batched appends");
    if (!raw.ok()) return Fail(raw.status(), "raw RocksDB batches");
    const double ratio = ours->events_per_second() / raw->events_per_second();
    emit(Row{.row = "append_batch",
             .what = "durable append, batches of 100 events",
             .scale = scale,
             .ours = absl::StrCat(Grouped(ours->events_per_second()), " events/s"),
             .baseline = absl::StrCat(Grouped(raw->events_per_second()),
                                      " events/s (raw RocksDB WriteBatch, sync)"),
             .ratio = Percent(ratio),
             .goal = "≥ 70 %",
             .met = ratio >= 0.70});
    // 2. One event per call, 16 writers, against PostgreSQL.
    const int writers = absl::GetFlag(FLAGS_writers);
    auto concurrent = StoreConcurrent(work + "/concurrent-store", *sample, writers, seconds);
    if (!concurrent.ok()) return Fail(concurrent.status(), "concurrent appends");
    Row row{.row = "append_concurrent",
            .what = absl::StrCat("durable append, 1 event per call, ", writers,
                                 " concurrent writers"),
            .scale = scale,
            .ours = absl::StrFormat("%s events/s, p50 %.2f ms, p99 %.2f ms",
                                    Grouped(concurrent->events_per_second()),
                                    concurrent->p50_us / 1000, concurrent->p99_us / 1000),
            .baseline = "",
            .ratio = "",
            .goal = "≥ 3×",
            .met = std::nullopt};
    const std::string pg = absl::GetFlag(FLAGS_pg);
    if (pg.empty()) {
      row.baseline = "PostgreSQL not run (no --pg)";
      emit(row);
    } else {
      auto postgres = PostgresConcurrent(pg, *sample, writers, seconds);
      if (!postgres.ok()) return Fail(postgres.status(), "PostgreSQL appends");
      const double r = concurrent->events_per_second() / postgres->events_per_second();
      row.baseline = absl::StrFormat("%s events/s, p50 %.2f ms, p99 %.2f ms (PostgreSQL 15)",
                                     Grouped(postgres->events_per_second()),
                                     postgres->p50_us / 1000, postgres->p99_us / 1000);
      row.ratio = absl::StrFormat("%.1f×", r);
      row.met = r >= 3.0;
      emit(row);
    }
  }

  // 3. The rebuild, against a raw scan (run once first, so that both read a warm page cache).
  if (auto warm = RawScan(data); !warm.ok()) return Fail(warm.status(), "raw scan");
  auto raw = RawScan(data);
  if (!raw.ok()) return Fail(raw.status(), "raw scan");
  for (const RebuildOrder& order : kRebuildOrders) {
    if (!RebuildRows(data, scale, order, *raw, emit)) ++failures;
  }
  std::filesystem::remove_all(work, ignored);
  return failures == 0 ? 0 : 1;
}

// What a subcommand measuring rounds of appends needs: --work (default DIR.work) and events
// sampled from --data. Without them, `exit_code` is set (2: no --data; 1: sampling failed).
struct Rounds {
  std::string work;
  std::vector<ledger::v1::EventData> sample;
};
std::optional<Rounds> PrepareRounds(const char* command, int& exit_code) {
  const std::string data = absl::GetFlag(FLAGS_data);
  if (data.empty()) {
    std::fprintf(stderr, "clas-bench-store %s: --data is required\n", command);
    exit_code = 2;
    return std::nullopt;
  }
  Rounds rounds{.work = absl::GetFlag(FLAGS_work)};
  if (rounds.work.empty()) rounds.work = data + ".work";
  auto sample = SampleEvents(data, 10'000);
  if (!sample.ok()) {
    exit_code = Fail(sample.status(), "sampling events");
    return std::nullopt;
  }
  rounds.sample = *std::move(sample);
  return rounds;
}

// The batched append row alone, --rounds times, printed.
int AppendOnly() {
  int exit_code = 0;
  std::optional<Rounds> prepared = PrepareRounds("append", exit_code);
  if (!prepared.has_value()) return exit_code;
  const std::string& work = prepared->work;
  const std::vector<ledger::v1::EventData>* sample = &prepared->sample;
  const double seconds = absl::GetFlag(FLAGS_seconds);
  for (int round = 1; round <= absl::GetFlag(FLAGS_rounds); ++round) {
    std::error_code ignored;
    std::filesystem::remove_all(work, ignored);
    auto ours = StoreBatches(work + "/batch-store", *sample, 100, seconds);
    if (!ours.ok()) return Fail(ours.status(), "batched appends");
    auto raw = RawBatches(work + "/batch-raw", *sample, 100, seconds);
    if (!raw.ok()) return Fail(raw.status(), "raw RocksDB batches");
    // CPU time per batch of the calling thread (the leader writes its own group).
    auto cpu_ms = [](const Throughput& t) { return t.cpu_seconds * 1e3 * 100 / t.events; };
    std::printf(
        "round %d: store %s events/s (%llu events, %.2f ms CPU a batch), raw %s events/s "
        "(%llu events, %.2f ms CPU a batch): %s\n",
        round, Grouped(ours->events_per_second()).c_str(),
        static_cast<unsigned long long>(ours->events), cpu_ms(*ours),
        Grouped(raw->events_per_second()).c_str(), static_cast<unsigned long long>(raw->events),
        cpu_ms(*raw), Percent(ours->events_per_second() / raw->events_per_second()).c_str());
    std::fflush(stdout);
  }
  std::error_code ignored;
  std::filesystem::remove_all(work, ignored);
  return 0;
}

// The concurrent row alone, --rounds times, printed.
int ConcurrentOnly() {
  int exit_code = 0;
  std::optional<Rounds> prepared = PrepareRounds("concurrent", exit_code);
  if (!prepared.has_value()) return exit_code;
  const std::string& work = prepared->work;
  const std::vector<ledger::v1::EventData>* sample = &prepared->sample;
  const double seconds = absl::GetFlag(FLAGS_seconds);
  const int writers = absl::GetFlag(FLAGS_writers);
  for (int round = 1; round <= absl::GetFlag(FLAGS_rounds); ++round) {
    std::error_code ignored;
    std::filesystem::remove_all(work, ignored);
    auto t = StoreConcurrent(work + "/concurrent-store", *sample, writers, seconds);
    if (!t.ok()) return Fail(t.status(), "concurrent appends");
    std::printf(
        "round %d: %s events/s, p50 %.3f ms, p99 %.3f ms; %s writes of %.2f calls on average "
        "(at most %llu, %s leaders waited for callers, %s in vain), %.3f ms a write; %.1f µs "
        "CPU an event\n",
        round, Grouped(t->events_per_second()).c_str(), t->p50_us / 1000, t->p99_us / 1000,
        Grouped(t->batches).c_str(), t->batches > 0 ? double(t->events) / t->batches : 0.0,
        static_cast<unsigned long long>(t->group_size_max), Grouped(t->gather_waits).c_str(),
        Grouped(t->gather_timeouts).c_str(),
        t->batches > 0 ? t->seconds * 1e3 / t->batches : 0.0,
        t->events > 0 ? t->cpu_seconds * 1e6 / t->events : 0.0);
    std::fflush(stdout);
  }
  std::error_code ignored;
  std::filesystem::remove_all(work, ignored);
  return 0;
}

int Render() {
  auto rows = ReadRows(absl::GetFlag(FLAGS_rows));
  if (!rows.ok()) return Fail(rows.status(), "reading rows");
  std::fputs(RenderTable(*std::move(rows)).c_str(), stdout);
  return 0;
}

}  // namespace
}  // namespace clas::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "clas-bench-store [scale|rebuild|render|append|concurrent|compact] --scale N --data DIR "
      "--pg CONNINFO --rows FILE\n  append --data DIR [--rounds R] [--seconds S]: the batched "
      "append row alone, R times, printed\n  concurrent --data DIR [--rounds R] [--seconds S] "
      "[--writers N]: the concurrent append row alone, R times, printed\n  compact --data DIR: "
      "flushes and compacts a ledger");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  const std::string command = args.size() > 1 ? args[1] : "";
  if (command == "scale") return clas::bench::Scale();
  if (command == "rebuild") return clas::bench::RebuildChild();
  if (command == "render") return clas::bench::Render();
  if (command == "append") return clas::bench::AppendOnly();
  if (command == "concurrent") return clas::bench::ConcurrentOnly();
  if (command == "compact") return clas::bench::Compact();
  if (!command.empty()) {
    std::fprintf(stderr, "clas-bench-store: unknown command '%s'\n", command.c_str());
    return 2;
  }
  return clas::bench::Run();
}
