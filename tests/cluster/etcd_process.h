// A single-member etcd of the tests' own: free loopback ports, a temporary data directory,
// killed (SIGKILL) when destroyed. Start() after Kill() brings the same member back on the same ports and
// data, as an operator would after a crash.
#ifndef CLAS_TESTS_CLUSTER_ETCD_PROCESS_H_
#define CLAS_TESTS_CLUSTER_ETCD_PROCESS_H_

#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "server/cluster/etcd_client.h"

namespace clas::testing {

inline constexpr char kEtcdBinary[] = "/usr/bin/etcd";

// A loopback port free now (bound to port 0, then released).
inline int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    return 0;
  }
  close(fd);
  return ntohs(address.sin_port);
}

class EtcdProcess {
 public:
  EtcdProcess() {
    static int count = 0;
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrCat("clas-etcd-", getpid(), "-", count++);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    client_port_ = FreeLoopbackPort();
    peer_port_ = FreeLoopbackPort();
  }
  EtcdProcess(const EtcdProcess&) = delete;
  EtcdProcess& operator=(const EtcdProcess&) = delete;
  ~EtcdProcess() {
    Kill();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string endpoint() const { return absl::StrCat("127.0.0.1:", client_port_); }

  // Starts etcd and waits, at most 15 s, until it answers; the last error if it does not.
  absl::Status Start() {
    const std::string client_url = absl::StrCat("http://127.0.0.1:", client_port_);
    const std::string peer_url = absl::StrCat("http://127.0.0.1:", peer_port_);
    // Heartbeat 50 ms, election 500 ms: etcd's minimum lease TTL becomes 1 s (3/2 of the
    // election timeout, rounded up), so the tests' 2 s TTL is granted as asked.
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
    // posix_spawn, not fork: fork runs gRPC's fork handlers, which stalled this process's
    // reconnections for about 10 s.
    const std::string log = (dir_ / "etcd.log").string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const int spawned = posix_spawn(&pid_, kEtcdBinary, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
      pid_ = 0;
      return absl::InternalError(absl::StrCat("cannot start ", kEtcdBinary, ": ", spawned));
    }
    return WaitUntilAnswering();
  }

  // SIGKILL, as a crash; waits for the process to be gone.
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }

 private:
  absl::Status WaitUntilAnswering() {
    server::cluster::EtcdClient client({endpoint()}, absl::Milliseconds(500),
                                       absl::Milliseconds(100));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    absl::Status last;
    while (std::chrono::steady_clock::now() < deadline) {
      last = client.Leader("/clas-ledger/probe").status();
      if (last.ok()) return last;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return absl::DeadlineExceededError(
        absl::StrCat("etcd not answering after 15 s (see ", (dir_ / "etcd.log").string(),
                     "): ", last.ToString()));
  }

  std::filesystem::path dir_;
  int client_port_ = 0;
  int peer_port_ = 0;
  pid_t pid_ = 0;
};

}  // namespace clas::testing

#endif  // CLAS_TESTS_CLUSTER_ETCD_PROCESS_H_
