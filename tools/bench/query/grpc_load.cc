#include "tools/bench/query/grpc_load.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <iostream>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bench_echo.grpc.pb.h"
#include "server/call_log.h"
#include "server/server_app.h"
#include "tools/bench/query/measure.h"

namespace clas::bench {
namespace {

class EchoService final : public clas::benchecho::v1::Echo::Service {
  grpc::Status Echo(grpc::ServerContext*, const clas::benchecho::v1::EchoMessage* request,
                    clas::benchecho::v1::EchoMessage* response) override {
    *response = *request;
    return grpc::Status::OK;
  }
};

}  // namespace

int ServeChild(const std::string& data_dir, const std::string& tokens_file) {
  server::CallLog::SetEnabled(false);
  EchoService echo;
  server::ServerConfig config;
  config.data_dir = data_dir;
  config.tokens_file = tokens_file;
  config.listen = "127.0.0.1:0";
  config.sync = true;
  config.verify_on_start_events = 1000;
  config.extra_services.push_back(&echo);
  auto started = server::LedgerServer::Start(config);
  if (!started.ok()) {
    std::cerr << "clas-bench-query server: " << started.status() << "\n";
    return 3;
  }
  std::cout << "port " << (*started)->port() << std::endl;
  char c;
  while (read(STDIN_FILENO, &c, 1) > 0) {
  }
  (*started)->Shutdown(absl::Seconds(5));
  return 0;
}

absl::StatusOr<ServerProcess> SpawnServer(const std::string& self, const std::string& data_dir,
                                          const std::string& tokens_file) {
  int in[2], out[2];
  if (pipe(in) != 0 || pipe(out) != 0) return absl::InternalError("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    dup2(in[0], STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    close(in[0]);
    close(in[1]);
    close(out[0]);
    close(out[1]);
    execl(self.c_str(), self.c_str(), "--serve_child", ("--data=" + data_dir).c_str(),
          ("--tokens=" + tokens_file).c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  ServerProcess server{.pid = pid, .port = 0, .to_child = in[1]};
  std::string line;
  char c;
  while (read(out[0], &c, 1) == 1 && c != '\n') line.push_back(c);
  close(out[0]);
  int port = 0;
  if (line.rfind("port ", 0) != 0 || !absl::SimpleAtoi(line.substr(5), &port) || port <= 0) {
    StopServer(server);
    return absl::UnavailableError("the server child did not start (see its message above)");
  }
  server.port = port;
  return server;
}

int64_t PeakRssKib(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      int64_t kib = 0;
      std::string digits;
      for (char ch : line) {
        if (ch >= '0' && ch <= '9') digits.push_back(ch);
      }
      if (absl::SimpleAtoi(digits, &kib)) return kib;
    }
  }
  return 0;
}

int StopServer(ServerProcess& server) {
  if (server.to_child >= 0) close(server.to_child);
  server.to_child = -1;
  int status = 0;
  if (server.pid > 0) waitpid(server.pid, &status, 0);
  server.pid = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

Rate RunLoad(int threads, double seconds,
             const std::function<std::string(int thread, int64_t i)>& call) {
  std::atomic<bool> stop{false};
  std::vector<int64_t> calls(threads, 0), errors(threads, 0);
  std::vector<std::string> first_error(threads);
  std::vector<std::thread> pool;
  const int64_t start = NowNanos();
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        std::string error = call(t, i);
        if (error.empty()) {
          ++calls[t];
        } else {
          if (errors[t]++ == 0) first_error[t] = error;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000)));
  stop.store(true);
  for (auto& th : pool) th.join();
  Rate rate;
  rate.seconds = (NowNanos() - start) / 1e9;
  for (int t = 0; t < threads; ++t) {
    rate.calls += calls[t];
    rate.errors += errors[t];
    if (rate.first_error.empty()) rate.first_error = first_error[t];
  }
  return rate;
}

}  // namespace clas::bench
