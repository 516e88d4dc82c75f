// One clas-ledgerd of a cluster on this machine (a test's, a benchmark's), as a process of its
// own: started with the flags of a cluster node on a loopback port and a temporary data
// directory, killed (SIGKILL), paused (SIGSTOP) and resumed (SIGCONT) as the failures the
// cluster must survive; started again on the same data and port, as an operator (or systemd)
// would.
#ifndef CLAS_TOOLS_CLUSTER_LEDGER_NODE_PROCESS_H_
#define CLAS_TOOLS_CLUSTER_LEDGER_NODE_PROCESS_H_

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/cluster/spawn.h"

namespace clas::local_cluster {

class LedgerNodeProcess {
 public:
  // `flags`: every flag of the node but --data, --listen, --node_id and --advertise.
  LedgerNodeProcess(std::string binary, std::string node_id, std::filesystem::path dir, int port,
                    std::vector<std::string> flags)
      : binary_(std::move(binary)),
        node_id_(std::move(node_id)),
        dir_(std::move(dir)),
        port_(port),
        flags_(std::move(flags)) {}
  LedgerNodeProcess(const LedgerNodeProcess&) = delete;
  LedgerNodeProcess& operator=(const LedgerNodeProcess&) = delete;
  ~LedgerNodeProcess() { Kill(); }

  const std::string& node_id() const { return node_id_; }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  std::filesystem::path log_path() const { return dir_ / "node.log"; }
  std::filesystem::path data_dir() const { return dir_ / "data"; }
  bool running() const { return pid_ > 0; }
  int starts() const { return starts_; }

  // Starts the process (its output appended to node.log); false if it could not be spawned.
  bool Start() {
    std::vector<std::string> args = {binary_,
                                     absl::StrCat("--data=", data_dir().string()),
                                     absl::StrCat("--listen=", address()),
                                     absl::StrCat("--node_id=", node_id_),
                                     absl::StrCat("--advertise=", address())};
    args.insert(args.end(), flags_.begin(), flags_.end());
    const int spawned = SpawnLogged(std::move(args), log_path().string(), &pid_);
    starts_ += spawned == 0 ? 1 : 0;
    return spawned == 0;
  }

  // SIGKILL, as a crash; waits for the process to be gone.
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }
  // SIGTERM, as an operator's stop; waits for the process to be gone. Its exit status (or 128 +
  // the signal), -1 when it was not running.
  int Terminate() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = 0;
    return ExitCodeOf(status);
  }
  void Pause() {
    if (pid_ > 0) kill(pid_, SIGSTOP);
  }
  void Resume() {
    if (pid_ > 0) kill(pid_, SIGCONT);
  }

  // When the process ended by itself: its exit status (or 128 + the signal), and it no longer
  // runs; -1 while it runs.
  int Reap() {
    if (pid_ <= 0) return -1;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) != pid_) return -1;
    pid_ = 0;
    return ExitCodeOf(status);
  }

 private:
  // A wait status as a shell shows it: the exit status, or 128 + the signal.
  static int ExitCodeOf(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  const std::string binary_;
  const std::string node_id_;
  const std::filesystem::path dir_;
  const int port_;
  const std::vector<std::string> flags_;
  pid_t pid_ = 0;
  int starts_ = 0;
};

}  // namespace clas::local_cluster

#endif  // CLAS_TOOLS_CLUSTER_LEDGER_NODE_PROCESS_H_
