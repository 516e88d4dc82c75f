// A single-member etcd of a test's or a benchmark's own: free loopback ports, a temporary data
// directory, killed (SIGKILL) when destroyed. Start() after Kill() brings the same member back
// on the same ports and data, as an operator would after a crash.
#ifndef CLAS_TOOLS_CLUSTER_ETCD_PROCESS_H_
#define CLAS_TOOLS_CLUSTER_ETCD_PROCESS_H_

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "server/cluster/etcd_client.h"
#include "tools/cluster/spawn.h"

namespace clas::local_cluster {

inline constexpr char kEtcdBinary[] = "/usr/bin/etcd";

// Two distinct loopback ports free now (bound to port 0 together, then released).
inline std::pair<int, int> FreeLoopbackPorts() {
  int ports[2] = {0, 0};
  int fds[2] = {-1, -1};
  for (int i = 0; i < 2; ++i) {
    fds[i] = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (bind(fds[i], reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
        getsockname(fds[i], reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      ports[i] = ntohs(address.sin_port);
    }
  }
  for (int fd : fds) close(fd);
  return {ports[0], ports[1]};
}

class EtcdProcess {
 public:
  EtcdProcess() {
    static int count = 0;
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrCat("clas-etcd-", getpid(), "-", count++);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::tie(client_port_, peer_port_) = FreeLoopbackPorts();
  }
  EtcdProcess(const EtcdProcess&) = delete;
  EtcdProcess& operator=(const EtcdProcess&) = delete;
  ~EtcdProcess() {
    Kill();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string endpoint() const { return absl::StrCat("127.0.0.1:", client_port_); }

  // Starts etcd and waits, at most 15 s, until it answers; the last error if it does not. The
  // first start tries other ports, twice, when etcd exits at once (a port taken meanwhile by
  // another program: they were free only when chosen); a restart keeps its ports.
  absl::Status Start() {
    absl::Status started = StartOnce();
    for (int retry = 0; retry < 2 && !answered_once_ && absl::IsFailedPrecondition(started);
         ++retry) {
      std::error_code ignored;
      std::filesystem::remove_all(dir_ / "data", ignored);
      std::tie(client_port_, peer_port_) = FreeLoopbackPorts();
      started = StartOnce();
    }
    answered_once_ = answered_once_ || started.ok();
    return started;
  }

  // SIGKILL, as a crash; waits for the process to be gone.
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }

 private:
  absl::Status StartOnce() {
    const std::string client_url = absl::StrCat("http://127.0.0.1:", client_port_);
    const std::string peer_url = absl::StrCat("http://127.0.0.1:", peer_port_);
    // Heartbeat 50 ms, election 500 ms: etcd's minimum lease TTL becomes 1 s (3/2 of the
    // election timeout, rounded up), so a lease of 2 s is granted as asked.
    std::vector<std::string> args = {kEtcdBinary,
                                     "--name=test",
                                     absl::StrCat("--data-dir=", (dir_ / "data").string()),
                                     absl::StrCat("--listen-client-urls=", client_url),
                                     absl::StrCat("--advertise-client-urls=", client_url),
                                     absl::StrCat("--listen-peer-urls=", peer_url),
                                     absl::StrCat("--initial-advertise-peer-urls=", peer_url),
                                     absl::StrCat("--initial-cluster=test=", peer_url),
                                     "--initial-cluster-state=new",
                                     "--heartbeat-interval=50",
                                     "--election-timeout=500",
                                     "--logger=zap",
                                     "--log-level=error"};
    const int spawned = SpawnLogged(std::move(args), (dir_ / "etcd.log").string(), &pid_);
    if (spawned != 0) {
      return absl::InternalError(absl::StrCat("cannot start ", kEtcdBinary, ": ", spawned));
    }
    return WaitUntilAnswering();
  }

  // OK once etcd answers; FAILED_PRECONDITION if it exited (the end of its log in the message);
  // DEADLINE_EXCEEDED after 15 s.
  absl::Status WaitUntilAnswering() {
    server::cluster::EtcdClient client({endpoint()}, absl::Milliseconds(500),
                                       absl::Milliseconds(100));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    absl::Status last;
    while (std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = 0;
        return absl::FailedPreconditionError(absl::StrCat("etcd exited: ", LogEnd()));
      }
      last = client.Leader("/clas-ledger/probe").status();
      if (last.ok()) return last;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return absl::DeadlineExceededError(
        absl::StrCat("etcd not answering after 15 s (see ", (dir_ / "etcd.log").string(),
                     "): ", last.ToString()));
  }

  std::string LogEnd() const {
    std::ifstream in(dir_ / "etcd.log");
    const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return log.substr(log.size() > 400 ? log.size() - 400 : 0);
  }

  std::filesystem::path dir_;
  bool answered_once_ = false;
  int client_port_ = 0;
  int peer_port_ = 0;
  pid_t pid_ = 0;
};

}  // namespace clas::local_cluster

#endif  // CLAS_TOOLS_CLUSTER_ETCD_PROCESS_H_
