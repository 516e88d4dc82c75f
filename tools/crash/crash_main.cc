// clas-crash: the crash-consistency harness of clas-ledgerd.
//
//   clas-crash                          # the short run: 3 kills, 1 freeze
//   clas-crash --kills 50 --freezes 10  # a long run
//   clas-crash --seed 1234              # replays a run's schedule of kills and freezes
//   clas-crash --cluster 3              # a cluster of three on etcd: tools/crash/cluster_run.cc
//
// It starts clas-ledgerd on a fresh data directory, runs concurrent writers (Clas commands
// through Conventions, raw appends to ext/ streams through Ledger), and at seeded random
// moments either kills the server (SIGKILL) or freezes it (SIGSTOP) past the clients' deadlines
// and thaws it (SIGCONT). After each kill, with the server down, it opens the data directory
// read-only and checks it against its journal of acknowledged appends (tools/crash/checks.cc),
// restarts the server and compares the server's answers with projections folded offline.
// Exit code 0 when nothing acknowledged was lost and every check passed, 1 otherwise, 2 for
// a usage or set-up error. The last line is the summary.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/demo_tokens.h"
#include "tools/crash/harness.h"

ABSL_FLAG(int32_t, kills, 3, "how many times the server is killed with SIGKILL");
ABSL_FLAG(int32_t, freezes, 1, "how many times the server is frozen (SIGSTOP) then thawed");
ABSL_FLAG(uint64_t, seed, 0, "seed of the schedule and of the raw payloads; 0 = from the clock");
ABSL_FLAG(std::string, work_dir, "",
          "directory of the data, tokens, journal and server log (emptied first); "
          "default: a new directory under $TMPDIR, removed after a successful run");
ABSL_FLAG(std::string, server, CLAS_LEDGERD_PATH, "the clas-ledgerd binary");
ABSL_FLAG(int32_t, command_writers, 2, "threads sending Clas commands (Conventions)");
ABSL_FLAG(int32_t, raw_writers, 2, "threads appending to ext/ streams (Ledger)");
ABSL_FLAG(int32_t, deadline_ms, 1000, "the clients' deadline per call");
ABSL_FLAG(int32_t, run_ms_min, 300, "shortest time the writers run between two events");
ABSL_FLAG(int32_t, run_ms_max, 1500, "longest time the writers run between two events");
ABSL_FLAG(int32_t, freeze_ms, 2500, "how long a freeze lasts (more than deadline_ms)");
ABSL_FLAG(int32_t, cluster, 0,
          "0: one server; N (2 to 9): a cluster of N clas-ledgerd on a local etcd, whose leader "
          "--kills kills and --freezes freezes (for twice its lease at least)");
ABSL_FLAG(int32_t, follower_kills, 1, "with --cluster: how many times a follower is killed");
ABSL_FLAG(int32_t, replication_acks, 1, "with --cluster: the nodes' --replication_acks");
ABSL_FLAG(int32_t, lease_seconds, 2, "with --cluster: the nodes' --cluster_lease_seconds");
ABSL_FLAG(bool, inject_loss, false,
          "test of the harness itself: after the first kill, delete an acknowledged event "
          "behind the server's back; the run must then fail, naming it");
ABSL_FLAG(std::string, inject_loss_of, "last",
          "which acknowledged event --inject_loss deletes: 'last' (the head, unless a write "
          "never acknowledged follows it) or 'first' (a hole inside the log)");

namespace clas::crash {
namespace {

constexpr absl::Duration kStartTimeout = absl::Seconds(60);

struct Totals {
  int kills = 0, freezes = 0;
  uint64_t events_checked = 0, acked_checked = 0, unacked_present = 0, lost = 0;
  uint64_t deadline_exceeded_in_freezes = 0;
  std::vector<std::string> problems;
};

absl::StatusOr<std::string> Token(const std::string& tokens_file, const std::string& user) {
  return server::DemoToken(tokens_file, user);
}

// Kill, check offline, restart, check online. False when the server could not restart.
bool CrashAndCheck(ServerProcess& server, Endpoint& endpoint, Workload* workload,
                   const Journal& journal, const Tokens& tokens, const std::string& data_dir,
                   const std::string& label, Totals& totals) {
  server.Kill();
  if (workload != nullptr) workload->Pause();
  if (absl::GetFlag(FLAGS_inject_loss) && totals.kills == 0) {
    const auto acked = journal.acked();
    const bool first = absl::GetFlag(FLAGS_inject_loss_of) == "first";
    const uint64_t position =
        acked.empty() ? 0 : (first ? acked.begin()->first : acked.rbegin()->first);
    const absl::Status deleted = DeleteEventForTest(data_dir, position);
    std::printf("%s: deleted the acknowledged event at position %llu (--inject_loss): %s\n",
                label.c_str(), static_cast<unsigned long long>(position),
                deleted.ToString().c_str());
  }
  const OfflineReport offline = CheckOffline(data_dir, journal);
  totals.events_checked += offline.events_checked;
  totals.acked_checked += offline.acked_checked;
  totals.unacked_present += offline.unacked_present;
  totals.lost += offline.lost;
  for (const std::string& p : offline.problems) totals.problems.push_back(label + ": " + p);
  std::printf("%s: %s\n", label.c_str(), OfflineSummary(offline).c_str());
  std::fflush(stdout);
  const absl::Status started = server.Start(kStartTimeout);
  if (!started.ok()) {
    totals.problems.push_back(label + ": restart: " + started.ToString());
    return false;
  }
  endpoint.Set(server.port());
  for (const std::string& p : CheckOnline(endpoint, tokens, offline, offline.head)) {
    totals.problems.push_back(label + " (online): " + p);
  }
  if (workload != nullptr) workload->Resume();
  return true;
}

int Run() {
  uint64_t seed = absl::GetFlag(FLAGS_seed);
  if (seed == 0) seed = static_cast<uint64_t>(absl::ToUnixNanos(absl::Now())) % 1000000007;
  const int kills = absl::GetFlag(FLAGS_kills);
  const int freezes = absl::GetFlag(FLAGS_freezes);
  const int run_min = absl::GetFlag(FLAGS_run_ms_min);
  const int run_max = std::max(run_min, absl::GetFlag(FLAGS_run_ms_max));
  const absl::Duration deadline = absl::Milliseconds(absl::GetFlag(FLAGS_deadline_ms));
  const absl::Duration freeze = absl::Milliseconds(absl::GetFlag(FLAGS_freeze_ms));
  const std::string loss_of = absl::GetFlag(FLAGS_inject_loss_of);
  if (loss_of != "last" && loss_of != "first") {
    std::fprintf(stderr, "clas-crash: --inject_loss_of is 'last' or 'first', not '%s'\n",
                 loss_of.c_str());
    return 2;
  }
  if (kills < 0 || freezes < 0 || run_min < 0 || freeze <= deadline) {
    std::fprintf(stderr,
                 "clas-crash: kills, freezes and run_ms_min must be >= 0, and freeze_ms "
                 "above deadline_ms\n");
    return 2;
  }
  const int nodes = absl::GetFlag(FLAGS_cluster);
  if (nodes != 0 &&
      (nodes < 2 || nodes > 9 || absl::GetFlag(FLAGS_follower_kills) < 0 ||
       absl::GetFlag(FLAGS_lease_seconds) < 1 || absl::GetFlag(FLAGS_replication_acks) < 0 ||
       absl::GetFlag(FLAGS_replication_acks) >= nodes)) {
    std::fprintf(stderr,
                 "clas-crash: --cluster is 0 or 2 to 9, with follower_kills >= 0, "
                 "lease_seconds >= 1 and replication_acks from 0 to cluster - 1\n");
    return 2;
  }
  std::printf("clas-crash: seed %llu (replay with --seed %llu), %d kills, %d freezes\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed), kills,
              freezes);
  std::fflush(stdout);

  std::string work = absl::GetFlag(FLAGS_work_dir);
  const bool temporary = work.empty();
  if (temporary) {
    const char* tmp = std::getenv("TMPDIR");
    work = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/clas-crash-", getpid());
  }
  std::error_code error;
  std::filesystem::remove_all(work, error);
  std::filesystem::create_directories(work, error);
  if (error) {
    std::fprintf(stderr, "clas-crash: cannot create %s: %s\n", work.c_str(),
                 error.message().c_str());
    return 2;
  }
  const std::string data_dir = work + "/data";
  const std::string tokens_file = work + "/tokens";
  if (absl::Status made = server::EnsureDemoTokens(tokens_file, {"caf-75", "caf-13"}); !made.ok()) {
    std::fprintf(stderr, "clas-crash: %s\n", made.ToString().c_str());
    return 2;
  }
  const absl::StatusOr<Tokens> demo_tokens =
      DemoTokens([&](const std::string& user) { return Token(tokens_file, user); });
  if (!demo_tokens.ok()) {
    std::fprintf(stderr, "clas-crash: %s\n", demo_tokens.status().ToString().c_str());
    return 2;
  }
  const Tokens& tokens = *demo_tokens;
  auto journal = Journal::Open(work + "/journal.txt");
  if (!journal.ok()) {
    std::fprintf(stderr, "clas-crash: %s\n", journal.status().ToString().c_str());
    return 2;
  }
  (*journal)->Note(absl::StrCat("seed ", seed));
  if (absl::GetFlag(FLAGS_cluster) > 0) {
    RunSettings settings{
        .server = absl::GetFlag(FLAGS_server),
        .seed = seed,
        .kills = kills,
        .freezes = freezes,
        .follower_kills = absl::GetFlag(FLAGS_follower_kills),
        .run_ms_min = run_min,
        .run_ms_max = run_max,
        .deadline = deadline,
        .freeze = std::max(freeze, absl::Seconds(2 * absl::GetFlag(FLAGS_lease_seconds))),
        .command_writers = absl::GetFlag(FLAGS_command_writers),
        .raw_writers = absl::GetFlag(FLAGS_raw_writers),
        .nodes = absl::GetFlag(FLAGS_cluster),
        .lease_seconds = absl::GetFlag(FLAGS_lease_seconds),
        .replication_acks = absl::GetFlag(FLAGS_replication_acks),
        .inject_loss = absl::GetFlag(FLAGS_inject_loss),
        .inject_loss_first = loss_of == "first"};
    const int code = RunCluster(settings, **journal);
    if (code == 0 && temporary) std::filesystem::remove_all(work, error);
    if (code == 1) std::printf("work directory kept: %s\n", work.c_str());
    return code;
  }

  ServerProcess server(absl::GetFlag(FLAGS_server), data_dir, tokens_file, work + "/server.log");
  if (absl::Status started = server.Start(kStartTimeout, /*create=*/true); !started.ok()) {
    std::fprintf(stderr, "clas-crash: %s\n", started.ToString().c_str());
    return 2;
  }
  Endpoint endpoint;
  endpoint.Set(server.port());
  Workload workload(&endpoint, journal->get(), tokens, seed, deadline,
                    absl::GetFlag(FLAGS_command_writers), absl::GetFlag(FLAGS_raw_writers));
  if (absl::Status set_up = workload.Setup(); !set_up.ok()) {
    std::fprintf(stderr, "clas-crash: %s\n", set_up.ToString().c_str());
    return 2;
  }
  workload.Start();

  std::mt19937_64 random(seed);
  std::vector<bool> schedule(static_cast<size_t>(kills + freezes), false);
  std::fill(schedule.begin() + kills, schedule.end(), true);  // true = a freeze
  std::shuffle(schedule.begin(), schedule.end(), random);
  Totals totals;
  bool up = true;
  for (size_t round = 0; round < schedule.size() && up; ++round) {
    const int run_ms = run_min + static_cast<int>(random() % (run_max - run_min + 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(run_ms));
    if (schedule[round]) {
      const uint64_t before = workload.counters().deadline_exceeded;
      server.Freeze();
      std::this_thread::sleep_for(std::chrono::microseconds(absl::ToInt64Microseconds(freeze)));
      server.Thaw();
      const uint64_t seen = workload.counters().deadline_exceeded - before;
      totals.deadline_exceeded_in_freezes += seen;
      ++totals.freezes;
      std::printf("freeze %d after %d ms: %llu calls past their deadline\n", totals.freezes, run_ms,
                  static_cast<unsigned long long>(seen));
      if (seen == 0) {
        totals.problems.push_back(
            absl::StrCat("freeze ", totals.freezes, ": no client saw DEADLINE_EXCEEDED"));
      }
    } else {
      const std::string label = absl::StrCat("kill ", totals.kills + 1, " after ", run_ms, " ms");
      up = CrashAndCheck(server, endpoint, &workload, **journal, tokens, data_dir, label, totals);
      if (up) ++totals.kills;
    }
    std::fflush(stdout);
    if (!workload.failure().ok()) break;
  }
  // The last requests answered, then one more crash and check of the final state.
  if (up) workload.Stop();
  if (up)
    up = CrashAndCheck(server, endpoint, nullptr, **journal, tokens, data_dir, "final check",
                       totals);
  if (up && server.Terminate() != 0)
    totals.problems.push_back("clas-ledgerd did not stop cleanly on SIGTERM");
  if (!up) workload.Abandon();  // no server to answer the requests in flight
  if (!workload.failure().ok())
    totals.problems.push_back(std::string(workload.failure().message()));

  const WorkloadCounters& c = workload.counters();
  for (const std::string& p : totals.problems) std::printf("PROBLEM %s\n", p.c_str());
  const bool passed = totals.problems.empty() && totals.lost == 0;
  std::printf(
      "clas-crash %s: seed %llu, kills survived %d, freezes survived %d, appends acknowledged "
      "%llu (%llu answered as retries), events checked %llu (acknowledged %llu, unacknowledged "
      "but present %llu), deadline exceeded %llu, unavailable %llu, lost: %llu\n",
      passed ? "PASSED" : "FAILED", static_cast<unsigned long long>(seed), totals.kills,
      totals.freezes, static_cast<unsigned long long>(c.acknowledged.load()),
      static_cast<unsigned long long>(c.replayed.load()),
      static_cast<unsigned long long>(totals.events_checked),
      static_cast<unsigned long long>(totals.acked_checked),
      static_cast<unsigned long long>(totals.unacked_present),
      static_cast<unsigned long long>(c.deadline_exceeded.load()),
      static_cast<unsigned long long>(c.unavailable.load()),
      static_cast<unsigned long long>(totals.lost));
  if (passed && temporary) std::filesystem::remove_all(work, error);
  if (!passed) std::printf("work directory kept: %s\n", work.c_str());
  return passed ? 0 : 1;
}

}  // namespace
}  // namespace clas::crash

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "clas-crash: kills and freezes clas-ledgerd under load and checks "
      "that nothing acknowledged is lost");
  absl::ParseCommandLine(argc, argv);
  return clas::crash::Run();
}
