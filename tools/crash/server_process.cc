// clas-ledgerd as a child process of the harness.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "tools/crash/harness.h"

namespace clas::crash {
namespace {

constexpr char kListeningPrefix[] = "listening on port ";

std::string LogTail(const std::string& path) {
  std::ifstream in(path);
  std::stringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

}  // namespace

ServerProcess::~ServerProcess() {
  if (running()) Kill();
}

absl::Status ServerProcess::Start(absl::Duration timeout, bool create) {
  int out[2];
  if (pipe(out) != 0) return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the harness
    dup2(out[1], STDOUT_FILENO);
    const int log = open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) dup2(log, STDERR_FILENO);
    close(out[0]);
    close(out[1]);
    const std::string data = "--data=" + data_dir_;
    const std::string tokens = "--tokens=" + tokens_file_;
    // --undefok: a build whose server creates a missing ledger without being asked knows no
    // create_if_missing flag, an older one no metrics_listen.
    const char* create_flag = create ? "--create_if_missing" : "--create_if_missing=false";
    // No metrics endpoint: its default port would be taken by every server of the harness.
    execl(binary_.c_str(), binary_.c_str(), data.c_str(), tokens.c_str(), create_flag,
          "--undefok=create_if_missing,metrics_listen", "--listen=127.0.0.1:0",
          "--metrics_listen=", "--log_requests=false",
          "--shutdown_grace_seconds=2", static_cast<char*>(nullptr));
    std::fprintf(stderr, "exec %s: %s\n", binary_.c_str(), std::strerror(errno));
    _exit(127);
  }
  close(out[1]);
  pid_ = pid;
  port_ = 0;
  std::string text;
  const absl::Time deadline = absl::Now() + timeout;
  while (port_ == 0 && absl::Now() < deadline) {
    pollfd fd{out[0], POLLIN, 0};
    const int ready = poll(&fd, 1, 100);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    char buffer[256];
    const ssize_t n = read(out[0], buffer, sizeof(buffer));
    if (n <= 0) break;  // the server closed its output: it exited
    text.append(buffer, static_cast<size_t>(n));
    const size_t at = text.find(kListeningPrefix);
    const size_t end =
        at == std::string::npos ? at : text.find(' ', at + sizeof(kListeningPrefix) - 1);
    if (end != std::string::npos) {
      const std::string digits =
          text.substr(at + sizeof(kListeningPrefix) - 1, end - at - (sizeof(kListeningPrefix) - 1));
      if (!absl::SimpleAtoi(digits, &port_)) port_ = 0;
    }
  }
  close(out[0]);  // the server writes nothing more on stdout
  if (port_ != 0) return absl::OkStatus();
  Kill();
  return absl::FailedPreconditionError(
      absl::StrCat("clas-ledgerd did not start within ", absl::FormatDuration(timeout),
                   "; stdout: ", text, "\nend of its log:\n", LogTail(log_file_)));
}

int ServerProcess::Reap() {
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ServerProcess::Kill() {
  if (!running()) return;
  kill(pid_, SIGKILL);
  Reap();
}

void ServerProcess::Freeze() {
  if (running()) kill(pid_, SIGSTOP);
}

void ServerProcess::Thaw() {
  if (running()) kill(pid_, SIGCONT);
}

int ServerProcess::Terminate() {
  if (!running()) return -1;
  kill(pid_, SIGTERM);
  return Reap();
}

void Endpoint::Set(int port) {
  grpc::ChannelArguments args;
  // Reconnect at once after a restart rather than after gRPC's growing back-off.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
  Set(grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                grpc::InsecureChannelCredentials(), args));
}

void Endpoint::Set(std::shared_ptr<grpc::Channel> channel) {
  absl::MutexLock lock(&mu_);
  channel_ = std::move(channel);
}

std::shared_ptr<grpc::Channel> Endpoint::channel() const {
  absl::MutexLock lock(&mu_);
  return channel_;
}

}  // namespace clas::crash
