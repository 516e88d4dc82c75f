// The crash-consistency harness (clas-crash): what its parts share.
//
//   ServerProcess  clas-ledgerd as a child process: started on a free port, killed, frozen.
//   Journal        what the writers sent and what the server acknowledged, in memory for the
//                  checks and appended (fsynced) to a file for a post-mortem.
//   Workload       the writer threads: Clas commands through Conventions, raw appends through
//                  Ledger, each request retried with the same ids until it gets an answer.
//   Checks         offline (the store opened read-only while the server is down) and online
//                  (the restarted server's answers) comparisons with the journal.
//
// Thread-safety: Journal and Endpoint are thread-safe; the rest belongs to the main thread.
#ifndef CLAS_TOOLS_CRASH_HARNESS_H_
#define CLAS_TOOLS_CRASH_HARNESS_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "clas/v1/service.grpc.pb.h"
#include "clas/v1/state.pb.h"
#include "grpcpp/channel.h"

namespace clas::crash {

// --- The server under test -------------------------------------------------------------------

class ServerProcess {
 public:
  ServerProcess(std::string binary, std::string data_dir, std::string tokens_file,
                std::string log_file)
      : binary_(std::move(binary)),
        data_dir_(std::move(data_dir)),
        tokens_file_(std::move(tokens_file)),
        log_file_(std::move(log_file)) {}
  ~ServerProcess();

  // Starts clas-ledgerd on a free loopback port and waits (up to `timeout`) for its
  // "listening on port N" line. FailedPrecondition with the end of its log if it exits first.
  // `create` (the first start): the ledger is created if missing; later starts must find it.
  absl::Status Start(absl::Duration timeout, bool create = false);
  // SIGKILL, then reaps the process.
  void Kill();
  void Freeze();  // SIGSTOP
  void Thaw();    // SIGCONT
  // SIGTERM, then reaps the process; its exit code (-1 when killed by a signal).
  int Terminate();

  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  const std::string& log_file() const { return log_file_; }

 private:
  int Reap();

  const std::string binary_, data_dir_, tokens_file_, log_file_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// The channel to the current server; replaced at each restart.
class Endpoint {
 public:
  void Set(int port);
  void Set(std::shared_ptr<grpc::Channel> channel);
  std::shared_ptr<grpc::Channel> channel() const;

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<grpc::Channel> channel_ ABSL_GUARDED_BY(mu_);
};

// --- What was sent and acknowledged ------------------------------------------------------------

// One event the server acknowledged, as its answer described it.
struct AckedEvent {
  std::string event_id;
  std::string stream_id;
  uint64_t version = 0;
  uint64_t position = 0;
  std::string hash;                    // empty when the answer did not give it
  std::optional<std::string> payload;  // the exact bytes sent (raw appends)
};

// The convention as the last acknowledged command returned it.
struct ConventionAck {
  std::string caf_id, convention_id, stream_id;
  uint64_t version = 0;  // the stream version of the command's last event
  uint64_t position = 0;  // the log position of the command's last event
  v1::ConventionFigures figures;  // the figures its answer gave
};

class Journal {
 public:
  // Appends every line to `path` (created) and fsyncs it.
  static absl::StatusOr<std::unique_ptr<Journal>> Open(const std::string& path);
  ~Journal();

  // Before a raw append is sent (first time only): its event ids and payloads.
  void SentRaw(const std::string& stream_id,
               const std::vector<std::pair<std::string, std::string>>& events);
  // Before a command is sent (first time only).
  void SentCommand(const std::string& caf_id, const std::string& request_id);
  void Acked(const std::vector<AckedEvent>& events);
  void ConventionAcked(const ConventionAck& ack);
  void Note(const std::string& line);

  // Copies for the checks (taken while no writer runs, or accepting a moving target).
  std::map<uint64_t, AckedEvent> acked() const;
  bool WasSentRaw(const std::string& event_id, const std::string& payload) const;
  bool WasSentCommand(const std::string& caf_id, const std::string& request_id) const;
  std::map<std::string, ConventionAck> conventions() const;  // by stream id
  uint64_t acked_count() const;
  uint64_t last_acked_position() const;  // 0 before the first acknowledgement

 private:
  explicit Journal(std::FILE* file) : file_(file) {}
  void Write(const std::string& line) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::FILE* const file_;
  std::map<uint64_t, AckedEvent> acked_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> sent_raw_ ABSL_GUARDED_BY(mu_);  // event id -> payload
  std::set<std::string> sent_commands_ ABSL_GUARDED_BY(mu_);          // "<caf>/<request id>"
  std::map<std::string, ConventionAck> conventions_ ABSL_GUARDED_BY(mu_);
};

// --- The writers ---------------------------------------------------------------------------------

struct Tokens {
  std::string agent_a, agent_b, service, auditeur, cnaf;
};
// The writers' and checkers' tokens, each the clear token `token_of` gives for its demo user
// (agent-caf-75, agent-caf-13, service-demo, auditeur, cnaf-bareme); its first error.
absl::StatusOr<Tokens> DemoTokens(
    const std::function<absl::StatusOr<std::string>(const std::string& user)>& token_of);

// Counters of the answers the writers saw.
struct WorkloadCounters {
  std::atomic<uint64_t> acknowledged{0};  // appends acknowledged (duplicates included)
  std::atomic<uint64_t> replayed{0};      // of which answered as a retry of a recorded request
  std::atomic<uint64_t> deadline_exceeded{0};
  std::atomic<uint64_t> unavailable{0};
  std::atomic<uint64_t> refused{0};   // definite refusals (a convention's cap reached)
  std::atomic<uint64_t> failures{0};  // answers that should never happen
};

class Workload {
 public:
  Workload(Endpoint* endpoint, Journal* journal, Tokens tokens, uint64_t seed,
           absl::Duration deadline, int command_writers, int raw_writers);
  ~Workload();

  // Publishes the barème and registers the gestionnaires (retried until answered).
  absl::Status Setup();
  void Start();
  // Stops sending new requests at the gate and waits until every writer waits there (its
  // current request answered or not). Writers resume with Resume().
  void Pause();
  void Resume();
  // Lets each writer finish its current request (the server must be up), then joins them.
  void Stop();
  // Stops the writers at once, their current requests unanswered (the server is down for good).
  void Abandon();
  // Abandon() without joining: the writers return at their next retry, and a Stop() running on
  // another thread then returns. Thread-safe.
  void GiveUp();

  const WorkloadCounters& counters() const { return counters_; }
  // The first failure a writer met (an unexpected status), or OK.
  absl::Status failure() const;

 private:
  void CommandWriter(int index);
  void RawWriter(int index);
  // Waits at the gate; false when the workload is stopping and no request is pending.
  bool Enter(bool request_pending);
  void Fail(const std::string& what);

  Endpoint* const endpoint_;
  Journal* const journal_;
  const Tokens tokens_;
  const uint64_t seed_;
  const absl::Duration deadline_;
  const int command_writers_, raw_writers_;
  WorkloadCounters counters_;
  std::vector<std::thread> threads_;

  mutable absl::Mutex mu_;
  bool paused_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool abandoned_ ABSL_GUARDED_BY(mu_) = false;
  int waiting_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
};

// --- The checks
// ------------------------------------------------------------------------------------

struct OfflineReport {
  uint64_t head = 0;
  std::string head_hash;
  std::vector<std::string> hashes;  // the hash of each position, from 1 (hashes[p - 1])
  uint64_t events_checked = 0;   // events read and checked against the journal
  uint64_t acked_checked = 0;    // acknowledged events found intact
  uint64_t lost = 0;             // acknowledged events missing or different
  uint64_t unacked_present = 0;  // events present, sent, never acknowledged (allowed)
  std::vector<std::string> problems;
  // Every convention of the journal folded from the raw events: stream id -> state, and the
  // position of the stream's last event in this log.
  std::map<std::string, v1::ConventionState> folded;
  std::map<std::string, uint64_t> last_positions;
};

// Which acknowledged events a log must hold.
enum class Coverage {
  kEveryAcknowledged,  // all of them: a lone server, or a cluster's leader (it acknowledged them)
  kUpToHead,           // those up to its head: a cluster's follower, which may lag
};

// Opens the data directory read-only (the server must be down) and checks the whole log
// against the journal: the chain verifies, every stream is gap-free, every acknowledged event
// (of `coverage`) is at its position with its id, stream, version, hash and bytes, every other
// event is whole and was sent; folds every convention from scratch and compares it with the
// state its last acknowledged command returned when nothing came after.
OfflineReport CheckOffline(const std::string& data_dir, const Journal& journal,
                           Coverage coverage = Coverage::kEveryAcknowledged);

// "head 12, 12 events checked, ... lost 0": what a check's line says of it.
std::string OfflineSummary(const OfflineReport& offline);

// Deletes the event at `position` behind the store's back (the server must be down): the
// harness's own test that its checks see a lost acknowledged event. Returns what failed.
absl::Status DeleteEventForTest(const std::string& data_dir, uint64_t position);

// Asks the running server for its chain and for each convention folded offline: problems found.
// The server's log must hold the one checked offline up to `min_head`: the same server
// restarted (min_head = offline.head), or the new leader of a cluster whose leader was checked
// offline (min_head = the last acknowledged position), which may hold another unacknowledged
// tail. Its chain verifies, its head is at min_head or beyond, and its record at min_head is the
// offline one; a convention is compared when its last event is at min_head or before, on both.
std::vector<std::string> CheckOnline(const Endpoint& endpoint, const Tokens& tokens,
                                     const OfflineReport& offline, uint64_t min_head);

// The records a cluster node set aside (`<data>/set-aside/`, ledger/set_aside.h), checked
// against the journal and the node's live log (`live`, its CheckOffline): each file reads back
// whole, and each record decodes, was sent, and is neither the acknowledged event nor the live
// record at its position (a record set aside must be one the cluster never took).
struct SetAsideReport {
  uint64_t files = 0;
  uint64_t records = 0;
  std::vector<std::string> problems;
};
SetAsideReport CheckSetAside(const std::string& data_dir, const Journal& journal,
                             const OfflineReport& live);

// A state compared with another, leaving out the instant the query named (known_at_us); the
// differences as text, empty when equal.
std::string StateDifferences(const v1::ConventionState& a, const v1::ConventionState& b);

std::string Hex(const std::string& bytes);

// --- A run on a cluster ------------------------------------------------------------------------

struct RunSettings {
  std::string server;  // the clas-ledgerd binary
  uint64_t seed = 0;
  int kills = 0;           // of the leader
  int freezes = 0;         // of the leader
  int follower_kills = 0;  // a cluster's only
  int run_ms_min = 0, run_ms_max = 0;
  absl::Duration deadline, freeze;
  int command_writers = 0, raw_writers = 0;
  int nodes = 0;  // 0: a lone server (crash_main.cc); else a cluster of that many nodes
  int lease_seconds = 0, replication_acks = 0;
  // The harness's own test: after the first leader kill, the acknowledged event at the head
  // (or, with inject_loss_first, the first one) is deleted from that node's log.
  bool inject_loss = false, inject_loss_first = false;
};

// The run on a cluster (cluster_run.cc): the exit code, 77 when etcd is not installed.
int RunCluster(const RunSettings& settings, Journal& journal);

}  // namespace clas::crash

#endif  // CLAS_TOOLS_CRASH_HARNESS_H_
