// serve: clas-ledgerd in this process, with clas-ledgerd's flags and config file. In-process
// rather than exec: one binary to install, and no search for another program's path.
//
// SIGTERM / SIGINT: graceful shutdown; SIGHUP: re-read the token file — as clas-ledgerd.
#include <signal.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "ledger/base/status_macros.h"
#include "server/call_log.h"
#include "server/demo_tokens.h"
#include "server/server_app.h"
#include "tools/clasctl/commands.h"
#include "tools/clasctl/remote.h"

namespace clas::ctl {
namespace {

constexpr int64_t kIntFlagMax = int64_t{1} << 31;

bool IsServeFlag(const std::string& name) {
  for (const std::string& f : ServeFlags()) {
    if (f == name) return true;
  }
  return false;
}

// --config FILE: "key = value" lines whose keys are the flag names; the command line wins.
absl::Status ApplyConfigFile(Invocation& in) {
  const std::string path = in.Get("config");
  if (path.empty()) return absl::OkStatus();
  std::ifstream file(path);
  if (!file) return absl::UnavailableError(absl::StrCat("cannot read config file ", path));
  std::string line;
  for (int number = 1; std::getline(file, line); ++number) {
    absl::string_view text = absl::StripAsciiWhitespace(line);
    if (text.empty() || text[0] == '#') continue;
    std::vector<std::string> kv = absl::StrSplit(text, absl::MaxSplits('=', 1));
    const FlagDef* flag =
        kv.size() == 2 ? FindFlag(std::string(absl::StripAsciiWhitespace(kv[0]))) : nullptr;
    if (flag == nullptr || !IsServeFlag(flag->name) || std::string(flag->name) == "config") {
      return absl::InvalidArgumentError(
          absl::StrCat(path, " line ", number, ": bad setting '", std::string(text), "'"));
    }
    in.SetDefault(flag->name, std::string(absl::StripAsciiWhitespace(kv[1])));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> IntFlag(const Invocation& in, const std::string& flag) {
  ASSIGN_OR_RETURN(int64_t value, in.GetInt(flag, 0));
  if (value < 0 || value >= kIntFlagMax) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, ": out of range"));
  }
  return static_cast<int>(value);
}

absl::StatusOr<server::ServerConfig> ConfigOf(const Invocation& in) {
  server::ServerConfig c;
  c.data_dir = in.Get("data");
  c.listen = in.Get("listen");
  c.tls_cert_file = in.Get("tls-cert");
  c.tls_key_file = in.Get("tls-key");
  c.tokens_file = in.Get("tokens");
  ASSIGN_OR_RETURN(c.sync, in.GetBool("sync"));
  ASSIGN_OR_RETURN(c.read_only, in.GetBool("read-only"));
  ASSIGN_OR_RETURN(c.create_if_missing, in.GetBool("create-if-missing"));
  ASSIGN_OR_RETURN(c.verify_all_on_start, in.GetBool("verify-all-on-start"));
  ASSIGN_OR_RETURN(c.max_message_bytes, IntFlag(in, "max-message-bytes"));
  ASSIGN_OR_RETURN(c.max_concurrent_streams, IntFlag(in, "max-concurrent-streams"));
  ASSIGN_OR_RETURN(c.verify_on_start_events, in.GetInt("verify-on-start", 0));
  ASSIGN_OR_RETURN(c.limits.page_size_max, IntFlag(in, "page-size-max"));
  ASSIGN_OR_RETURN(c.limits.read_events_max, IntFlag(in, "read-events-max"));
  c.metrics_listen = in.Get("metrics-listen");
  return c;
}

// Waits for SIGTERM / SIGINT (returns) or SIGHUP (reloads the tokens, waits on).
void WaitForSignals(server::LedgerServer& server, const sigset_t& signals, int64_t grace_s,
                    Io& io) {
  while (true) {
    int signal = 0;
    sigwait(&signals, &signal);
    if (signal == SIGHUP) {
      const absl::Status reloaded = server.ReloadTokens();
      io.err << "clasctl serve: tokens " << (reloaded.ok() ? "reloaded" : reloaded.message())
             << std::endl;
      continue;
    }
    io.err << "clasctl serve: shutting down" << std::endl;
    server.Shutdown(absl::Seconds(grace_s));
    return;
  }
}

}  // namespace

const std::vector<std::string>& ServeFlags() {
  static const auto* const kFlags = new std::vector<std::string>{"config",
                                                                 "data",
                                                                 "listen",
                                                                 "tls-cert",
                                                                 "tls-key",
                                                                 "tokens",
                                                                 "demo-tokens",
                                                                 "demo-token-cafs",
                                                                 "sync",
                                                                 "read-only",
                                                                 "create-if-missing",
                                                                 "max-message-bytes",
                                                                 "max-concurrent-streams",
                                                                 "page-size-max",
                                                                 "read-events-max",
                                                                 "verify-on-start",
                                                                 "verify-all-on-start",
                                                                 "log-requests",
                                                                 "shutdown-grace-seconds",
                                                                 "metrics-listen"};
  return *kFlags;
}

int Serve(const Invocation& given, Io& io) {
  Invocation in = given;
  return Guarded(io, [&]() -> absl::StatusOr<int> {
    RETURN_IF_ERROR(ApplyConfigFile(in));
    ASSIGN_OR_RETURN(server::ServerConfig config, ConfigOf(in));
    ASSIGN_OR_RETURN(bool log_requests, in.GetBool("log-requests"));
    ASSIGN_OR_RETURN(bool demo_tokens, in.GetBool("demo-tokens"));
    ASSIGN_OR_RETURN(int64_t grace_s, in.GetInt("shutdown-grace-seconds", 10));
    server::CallLog::SetEnabled(log_requests);
    if (demo_tokens) {
      std::vector<std::string> cafs =
          absl::StrSplit(in.Get("demo-token-cafs"), ',', absl::SkipEmpty());
      RETURN_IF_ERROR(server::EnsureDemoTokens(config.tokens_file, cafs));
    }
    // Signals are taken by sigwait in this thread: blocked before gRPC starts its threads,
    // which inherit the mask.
    sigset_t signals, previous;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, &previous);
    auto server = server::LedgerServer::Start(config);
    if (!server.ok()) {
      pthread_sigmask(SIG_SETMASK, &previous, nullptr);
      return server.status();
    }
    io.out << "clasctl serve: listening on port " << (*server)->port() << " (data "
           << config.data_dir << ", " << (*server)->store().Head().position << " events, "
           << (config.tls_cert_file.empty() ? "plain text on loopback" : "TLS")
           << (config.read_only ? ", read-only" : "") << ")" << std::endl;
    for (const std::string& finding : (*server)->findings()) {
      io.err << "clasctl serve: DAMAGED ledger served read-only: " << finding << std::endl;
    }
    WaitForSignals(**server, signals, grace_s, io);
    server->reset();
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    return kExitOk;
  });
}

}  // namespace clas::ctl
