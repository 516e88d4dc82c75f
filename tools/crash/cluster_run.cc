// clas-crash --cluster=N: the writers and checks of the harness against a cluster of N
// clas-ledgerd on etcd (tools/cluster/local_cluster.h), semi-synchronous with
// --replication_acks. At seeded random moments it kills the leader (SIGKILL), freezes it
// (SIGSTOP past its lease, then SIGCONT) or kills a follower. After a leader's kill, with that
// node down, its data directory is checked offline against the journal (it acknowledged every
// write: all must be there), then the new leader online (its log a prefix of the old one, from
// the last acknowledged position on, and the conventions it serves equal to the offline folds).
// After a follower's kill, its log is checked up to its head. At the end every node is stopped
// once all are at the same head, and each data directory is checked whole: same head and hash
// everywhere, every acknowledged event present, and every record set aside (a former leader's
// tail, ledger/set_aside.h) sent and never acknowledged.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/cluster/local_cluster.h"
#include "tools/crash/harness.h"

namespace clas::crash {
namespace {

using local_cluster::LocalCluster;

constexpr absl::Duration kLeaderWait = absl::Seconds(30);
constexpr absl::Duration kConvergeWait = absl::Seconds(90);
constexpr absl::Duration kFollowerWait = absl::Seconds(10);
constexpr absl::Duration kPoll = absl::Milliseconds(50);

enum class Failure { kLeaderKill, kLeaderFreeze, kFollowerKill };

struct ClusterTotals {
  int leader_kills = 0, follower_kills = 0, freezes = 0, failovers = 0, skipped = 0;
  uint64_t events_checked = 0, acked_checked = 0, unacked_present = 0, lost = 0;
  uint64_t set_aside_files = 0, set_aside_records = 0;
  std::vector<std::string> problems;
};

class ClusterRun {
 public:
  ClusterRun(const RunSettings& settings, LocalCluster& cluster, Journal& journal, Tokens tokens)
      : settings_(settings), cluster_(cluster), journal_(journal), tokens_(std::move(tokens)) {}
  ~ClusterRun() { StopFollowing(); }

  // The run; the process's exit code.
  int Run();

 private:
  // A thread pointing the writers at the leader whenever it changes, as a client following
  // clas-leader would (LocalCluster::Leader is safe from any thread).
  void StartFollowing();
  void StopFollowing();
  // Waits `wait` while restarting the nodes that exited by themselves (exit 75 to set aside).
  void SuperviseFor(absl::Duration wait);
  std::optional<int> AwaitLeader(std::optional<int> not_this, absl::Duration wait);
  void Tally(const OfflineReport& offline, const std::string& label);
  void Problem(std::string text) { totals_.problems.push_back(std::move(text)); }
  std::string NodeLabel(int i) const { return cluster_.node(i).node_id(); }
  // "[12.3 s] ": the time since the run started, before each line printed.
  std::string Stamp() const {
    return absl::StrFormat("[%.1f s] ", absl::ToDoubleSeconds(absl::Now() - started_));
  }

  bool KillLeader(Workload& workload, const std::string& label);
  bool FreezeLeader(Workload& workload, const std::string& label);
  bool KillFollower(std::mt19937_64& random, const std::string& label);
  // Waits until every node runs at one head; false after kConvergeWait.
  bool Converge();
  // Lets the writers' last requests be answered while the nodes are supervised (a node may be
  // restarting, and the leader needs a follower to acknowledge); gives them up after
  // kConvergeWait.
  void StopWriters(Workload& workload);
  void FinalChecks();
  int Summary(const Workload& workload);

  const RunSettings& settings_;
  LocalCluster& cluster_;
  Journal& journal_;
  const Tokens tokens_;
  Endpoint endpoint_;
  ClusterTotals totals_;
  const absl::Time started_ = absl::Now();
  std::atomic<int> endpoint_node_{-1};
  std::atomic<bool> following_{false};
  std::thread follower_;
};

void ClusterRun::StartFollowing() {
  following_ = true;
  follower_ = std::thread([this] {
    while (following_) {
      const std::optional<int> leader = cluster_.Leader();
      if (leader.has_value() && *leader != endpoint_node_.load()) {
        endpoint_.Set(cluster_.channel(*leader));
        endpoint_node_ = *leader;
        std::printf("%swriters sent to %s, the leader\n", Stamp().c_str(),
                    NodeLabel(*leader).c_str());
        std::fflush(stdout);
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
  });
}

void ClusterRun::StopFollowing() {
  following_ = false;
  if (follower_.joinable()) follower_.join();
}

void ClusterRun::SuperviseFor(absl::Duration wait) {
  const absl::Time end = absl::Now() + wait;
  for (absl::Time now = absl::Now(); now < end; now = absl::Now()) {
    cluster_.Supervise();
    absl::SleepFor(std::min(kPoll, end - now));
  }
}

std::optional<int> ClusterRun::AwaitLeader(std::optional<int> not_this, absl::Duration wait) {
  const std::optional<int> leader = cluster_.AwaitLeader(not_this, wait);
  if (leader.has_value()) {
    endpoint_.Set(cluster_.channel(*leader));
    endpoint_node_ = *leader;
  }
  return leader;
}

void ClusterRun::Tally(const OfflineReport& offline, const std::string& label) {
  totals_.events_checked += offline.events_checked;
  totals_.acked_checked += offline.acked_checked;
  totals_.unacked_present += offline.unacked_present;
  totals_.lost += offline.lost;
  for (const std::string& p : offline.problems) Problem(label + ": " + p);
  std::printf("%s%s: %s\n", Stamp().c_str(), label.c_str(), OfflineSummary(offline).c_str());
  std::fflush(stdout);
}

bool ClusterRun::KillLeader(Workload& workload, const std::string& label) {
  const int sent_to = endpoint_node_.load();  // before AwaitLeader points the writers anew
  const std::optional<int> leader = AwaitLeader(std::nullopt, kLeaderWait);
  if (!leader.has_value()) {
    Problem(label + ": no leader to kill");
    return false;
  }
  auto& node = cluster_.node(*leader);
  // Which node the writers were last sent to, and where the registry has each node: what tells,
  // should the dead node lack acknowledged writes, whether another node took them.
  std::string seen;
  if (const auto records = cluster_.Records(); records.ok()) {
    for (const auto& r : *records) {
      absl::StrAppend(&seen, " ", r.node_id, r.leading ? "*" : "", "@", r.position, "/t", r.term);
    }
  }
  std::printf("%s%s: killing %s, the leader (writers sent to %s; registry%s; last acknowledged "
              "position %llu)\n",
              Stamp().c_str(), label.c_str(), node.node_id().c_str(),
              sent_to < 0 ? "none" : NodeLabel(sent_to).c_str(), seen.c_str(),
              static_cast<unsigned long long>(journal_.last_acked_position()));
  node.Kill();
  // The writers fail against the dead node and wait: the journal holds still while its log is
  // read. Everything acknowledged so far was acknowledged by a leader holding all of it.
  workload.Pause();
  if (settings_.inject_loss && totals_.leader_kills == 0) {
    const auto acked = journal_.acked();
    const uint64_t position = acked.empty()                 ? 0
                              : settings_.inject_loss_first ? acked.begin()->first
                                                            : acked.rbegin()->first;
    const absl::Status deleted = DeleteEventForTest(node.data_dir().string(), position);
    std::printf("%s: deleted the acknowledged event at position %llu (--inject_loss): %s\n",
                label.c_str(), static_cast<unsigned long long>(position),
                deleted.ToString().c_str());
  }
  const OfflineReport offline = CheckOffline(node.data_dir().string(), journal_);
  Tally(offline, absl::StrCat(label, " (", node.node_id(), ", leader)"));
  const std::optional<int> next = AwaitLeader(leader, kLeaderWait);
  if (!next.has_value()) {
    Problem(absl::StrCat(label, ": no new leader within ", absl::FormatDuration(kLeaderWait)));
    return false;
  }
  ++totals_.failovers;
  for (const std::string& p :
       CheckOnline(endpoint_, tokens_, offline, journal_.last_acked_position())) {
    Problem(absl::StrCat(label, " (online, new leader ", NodeLabel(*next), "): ", p));
  }
  workload.Resume();
  if (!node.Start()) {
    Problem(label + ": cannot start " + node.node_id() + " again");
    return false;
  }
  return true;
}

bool ClusterRun::FreezeLeader(Workload& workload, const std::string& label) {
  const std::optional<int> leader = AwaitLeader(std::nullopt, kLeaderWait);
  if (!leader.has_value()) {
    Problem(label + ": no leader to freeze");
    return false;
  }
  auto& node = cluster_.node(*leader);
  const uint64_t before = workload.counters().deadline_exceeded;
  const absl::Time thaw_at = absl::Now() + settings_.freeze;
  node.Pause();
  // The writers go to the new leader as soon as there is one, while the old one is frozen: when
  // it thaws it must acknowledge nothing, then follow (or restart to set its tail aside).
  const std::optional<int> next = AwaitLeader(leader, settings_.freeze);
  SuperviseFor(thaw_at - absl::Now());
  node.Resume();
  ++totals_.freezes;
  const uint64_t seen = workload.counters().deadline_exceeded - before;
  std::printf("%s%s (%s, leader): %s, %llu calls past their deadline\n", Stamp().c_str(),
              label.c_str(),
              node.node_id().c_str(),
              next.has_value() ? absl::StrCat("new leader ", NodeLabel(*next)).c_str()
                               : "no new leader during the freeze",
              static_cast<unsigned long long>(seen));
  if (next.has_value()) ++totals_.failovers;
  if (seen == 0) Problem(label + ": no client saw DEADLINE_EXCEEDED");
  if (!AwaitLeader(std::nullopt, kLeaderWait).has_value()) {
    Problem(label + ": no leader after the freeze");
    return false;
  }
  return true;
}

bool ClusterRun::KillFollower(std::mt19937_64& random, const std::string& label) {
  // A follower that took records of the leader's term: its log is a prefix of the leader's. (A
  // thawed former leader may still hold a tail of its own until it restarts to set it aside.)
  std::optional<int> victim;
  const absl::Time deadline = absl::Now() + kFollowerWait;
  while (!victim.has_value() && absl::Now() < deadline) {
    const std::optional<int> leader = cluster_.Leader();
    const auto records = cluster_.Records();
    if (leader.has_value() && records.ok()) {
      uint64_t term = 0;
      for (const auto& r : *records) {
        if (cluster_.IndexOfNodeId(r.node_id) == leader) term = r.term;
      }
      std::vector<int> candidates;
      for (const auto& r : *records) {
        const std::optional<int> i = cluster_.IndexOfNodeId(r.node_id);
        if (i.has_value() && i != leader && !r.leading && r.term == term &&
            cluster_.node(*i).running()) {
          candidates.push_back(*i);
        }
      }
      if (!candidates.empty()) victim = candidates[random() % candidates.size()];
    }
    if (!victim.has_value()) SuperviseFor(kPoll * 4);
  }
  if (!victim.has_value()) {
    ++totals_.skipped;
    std::printf("%s%s: no follower of the leader's term to kill, skipped\n", Stamp().c_str(),
                label.c_str());
    return true;
  }
  auto& node = cluster_.node(*victim);
  node.Kill();
  const OfflineReport offline =
      CheckOffline(node.data_dir().string(), journal_, Coverage::kUpToHead);
  Tally(offline, absl::StrCat(label, " (", node.node_id(), ", follower)"));
  ++totals_.follower_kills;
  if (!node.Start()) {
    Problem(label + ": cannot start " + node.node_id() + " again");
    return false;
  }
  return true;
}

void ClusterRun::StopWriters(Workload& workload) {
  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    workload.Stop();
    stopped = true;
  });
  const absl::Time deadline = absl::Now() + kConvergeWait;
  while (!stopped && absl::Now() < deadline) SuperviseFor(kPoll);
  if (!stopped) {
    Problem(absl::StrCat("the writers' last requests got no answer within ",
                         absl::FormatDuration(kConvergeWait)));
    workload.GiveUp();
  }
  stopper.join();
}

bool ClusterRun::Converge() {
  const absl::Time deadline = absl::Now() + kConvergeWait;
  while (absl::Now() < deadline) {
    cluster_.Supervise();
    const std::optional<int> leader = cluster_.Leader();
    const auto records = cluster_.Records();
    if (leader.has_value() && records.ok() &&
        static_cast<int>(records->size()) == cluster_.size()) {
      std::set<uint64_t> heads;
      for (const auto& r : *records) heads.insert(r.position);
      if (heads.size() == 1) return true;
    }
    absl::SleepFor(kPoll * 2);
  }
  return false;
}

void ClusterRun::FinalChecks() {
  // Followers first, so that no election starts while the leader still runs.
  const std::optional<int> leader = cluster_.Leader();
  for (int i = 0; i < cluster_.size(); ++i) {
    if (i == leader) continue;
    if (const int code = cluster_.node(i).Terminate(); code != 0) {
      Problem(absl::StrCat(NodeLabel(i), " did not stop cleanly on SIGTERM (", code, ")"));
    }
  }
  if (leader.has_value()) {
    if (const int code = cluster_.node(*leader).Terminate(); code != 0) {
      Problem(absl::StrCat(NodeLabel(*leader), " (leader) did not stop cleanly on SIGTERM (",
                           code, ")"));
    }
  }
  std::set<std::pair<uint64_t, std::string>> heads;
  for (int i = 0; i < cluster_.size(); ++i) {
    const std::string data = cluster_.node(i).data_dir().string();
    const OfflineReport offline = CheckOffline(data, journal_);
    Tally(offline, absl::StrCat("final check (", NodeLabel(i), ")"));
    heads.emplace(offline.head, offline.head_hash);
    const SetAsideReport set_aside = CheckSetAside(data, journal_, offline);
    totals_.set_aside_files += set_aside.files;
    totals_.set_aside_records += set_aside.records;
    for (const std::string& p : set_aside.problems) Problem(NodeLabel(i) + ": " + p);
    std::printf("final check (%s): %llu records set aside in %llu files\n",
                NodeLabel(i).c_str(), static_cast<unsigned long long>(set_aside.records),
                static_cast<unsigned long long>(set_aside.files));
  }
  if (heads.size() != 1) {
    std::string all;
    for (const auto& [position, hash] : heads) absl::StrAppend(&all, " ", position, ":", Hex(hash));
    Problem("the nodes' logs differ at the end (head:hash):" + all);
  }
}

int ClusterRun::Run() {
  if (!AwaitLeader(std::nullopt, kLeaderWait).has_value()) {
    std::fprintf(stderr, "clas-crash: no leader elected within %s\n",
                 absl::FormatDuration(kLeaderWait).c_str());
    return 2;
  }
  Workload workload(&endpoint_, &journal_, tokens_, settings_.seed, settings_.deadline,
                    settings_.command_writers, settings_.raw_writers);
  StartFollowing();
  if (absl::Status set_up = workload.Setup(); !set_up.ok()) {
    std::fprintf(stderr, "clas-crash: %s\n", set_up.ToString().c_str());
    return 2;
  }
  workload.Start();

  std::mt19937_64 random(settings_.seed);
  std::vector<Failure> schedule;
  schedule.insert(schedule.end(), settings_.kills, Failure::kLeaderKill);
  schedule.insert(schedule.end(), settings_.freezes, Failure::kLeaderFreeze);
  schedule.insert(schedule.end(), settings_.follower_kills, Failure::kFollowerKill);
  std::shuffle(schedule.begin(), schedule.end(), random);
  bool up = true;
  for (size_t round = 0; round < schedule.size() && up; ++round) {
    const int span = settings_.run_ms_max - settings_.run_ms_min + 1;
    const int run_ms = settings_.run_ms_min + static_cast<int>(random() % span);
    SuperviseFor(absl::Milliseconds(run_ms));
    switch (schedule[round]) {
      case Failure::kLeaderKill:
        up = KillLeader(workload, absl::StrCat("leader kill ", totals_.leader_kills + 1, " after ",
                                               run_ms, " ms"));
        if (up) ++totals_.leader_kills;
        break;
      case Failure::kLeaderFreeze:
        up = FreezeLeader(workload,
                          absl::StrCat("freeze ", totals_.freezes + 1, " after ", run_ms, " ms"));
        break;
      case Failure::kFollowerKill:
        up = KillFollower(random, absl::StrCat("follower kill ", totals_.follower_kills + 1,
                                               " after ", run_ms, " ms"));
        break;
    }
    std::fflush(stdout);
    if (!workload.failure().ok()) break;
  }
  if (up) {
    StopWriters(workload);
    StopFollowing();
    if (settings_.inject_loss) {
      // The damaged node cannot follow again: the run ends on the checks that saw the loss.
      for (int i = 0; i < cluster_.size(); ++i) cluster_.node(i).Kill();
    } else if (Converge()) {
      FinalChecks();
    } else {
      Problem(absl::StrCat("the nodes did not reach one head within ",
                           absl::FormatDuration(kConvergeWait)));
    }
  } else {
    StopFollowing();
    workload.Abandon();
  }
  if (!workload.failure().ok()) Problem(std::string(workload.failure().message()));
  return Summary(workload);
}

int ClusterRun::Summary(const Workload& workload) {
  const WorkloadCounters& c = workload.counters();
  for (const std::string& p : totals_.problems) std::printf("PROBLEM %s\n", p.c_str());
  const bool passed = totals_.problems.empty() && totals_.lost == 0;
  std::printf(
      "clas-crash %s: cluster of %d (replication_acks %d), seed %llu, leader kills survived %d, "
      "freezes survived %d, follower kills survived %d (%d skipped), failovers %d, appends "
      "acknowledged %llu (%llu answered as retries), events checked %llu (acknowledged %llu, "
      "unacknowledged but present %llu), records set aside %llu, deadline exceeded %llu, "
      "unavailable %llu, lost: %llu\n",
      passed ? "PASSED" : "FAILED", cluster_.size(), settings_.replication_acks,
      static_cast<unsigned long long>(settings_.seed), totals_.leader_kills, totals_.freezes,
      totals_.follower_kills, totals_.skipped, totals_.failovers,
      static_cast<unsigned long long>(c.acknowledged.load()),
      static_cast<unsigned long long>(c.replayed.load()),
      static_cast<unsigned long long>(totals_.events_checked),
      static_cast<unsigned long long>(totals_.acked_checked),
      static_cast<unsigned long long>(totals_.unacked_present),
      static_cast<unsigned long long>(totals_.set_aside_records),
      static_cast<unsigned long long>(c.deadline_exceeded.load()),
      static_cast<unsigned long long>(c.unavailable.load()),
      static_cast<unsigned long long>(totals_.lost));
  if (!passed && !settings_.inject_loss) {  // an injected loss fails the run as it should
    cluster_.KeepFiles();
    std::printf("cluster directory kept: %s\n", cluster_.dir().c_str());
  }
  return passed ? 0 : 1;
}

}  // namespace

int RunCluster(const RunSettings& settings, Journal& journal) {
  local_cluster::LocalClusterOptions options;
  options.ledgerd_binary = settings.server;
  options.nodes = settings.nodes;
  options.lease_seconds = settings.lease_seconds;
  options.replication_acks = settings.replication_acks;
  options.cafs = {"caf-75", "caf-13"};
  auto cluster = LocalCluster::Start(options);
  if (!cluster.ok()) {
    std::fprintf(stderr, "clas-crash: %s\n", cluster.status().ToString().c_str());
    return cluster.status().code() == absl::StatusCode::kFailedPrecondition ? 77 : 2;
  }
  absl::StatusOr<Tokens> tokens =
      DemoTokens([&](const std::string& user) { return (*cluster)->Token(user); });
  if (!tokens.ok()) {
    std::fprintf(stderr, "clas-crash: %s\n", tokens.status().ToString().c_str());
    return 2;
  }
  ClusterRun run(settings, **cluster, journal, *std::move(tokens));
  return run.Run();
}

}  // namespace clas::crash
