// clas-ledgerd: the clas-ledger gRPC server.
//
//   clas-ledgerd --data ./data --listen 127.0.0.1:50051 --tokens ./data/tokens
//
// Settings come from, in increasing precedence: defaults, the config file (--config FILE:
// "key = value" lines whose keys are the flag names, '#' comments), the command line.
// SIGTERM / SIGINT: graceful shutdown (stop accepting, finish calls in flight, end streams with a
// resumable position, close the store). SIGHUP: re-read the token file. Under systemd (a unit of
// Type=notify), READY=1 is sent once the port is bound, STOPPING=1 when the shutdown begins.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "server/call_log.h"
#include "server/demo_tokens.h"
#include "server/metrics.h"
#include "server/server_app.h"
#include "server/systemd_notify.h"

ABSL_FLAG(std::string, config, "", "config file of 'key = value' lines (keys: the flag names)");
ABSL_FLAG(std::string, data, "./data", "data directory of the embedded RocksDB");
ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "address to listen on; plain text only on loopback, TLS elsewhere");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain (with --tls_key)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key (with --tls_cert)");
ABSL_FLAG(std::string, tokens, "./data/tokens",
          "token file: 'sha256:<hex> <user> <role> <cafs|*> [expires=...]' per line");
ABSL_FLAG(bool, demo_tokens, false,
          "when the token file is missing, create one with a token per role and write the "
          "tokens in clear beside it (demo only)");
ABSL_FLAG(std::vector<std::string>, demo_token_cafs, std::vector<std::string>({"caf-75", "caf-13"}),
          "the Cafs given an agent and a controleur token by --demo_tokens");
ABSL_FLAG(bool, sync, true, "fsync every append before acknowledging it");
ABSL_FLAG(bool, read_only, false,
          "serve a ledger for inspection: opened read-only even when damaged, reads and audits "
          "served, commands and appends refused");
ABSL_FLAG(bool, create_if_missing, false,
          "create an empty ledger when the data directory is missing or empty (first start)");
ABSL_FLAG(int32_t, max_message_bytes, 4 << 20, "largest request or response, in bytes");
ABSL_FLAG(int32_t, max_concurrent_streams, 64, "concurrent calls per connection");
ABSL_FLAG(int32_t, page_size_max, 500, "largest page of ListConventions");
ABSL_FLAG(int32_t, read_events_max, 1000, "largest page of ReadStream / ReadAll / Subscribe");
ABSL_FLAG(int32_t, list_scan_max, 2000,
          "most conventions ListConventions folds in one call (a page then ends short, with a token)");
ABSL_FLAG(int32_t, subscriptions_max, 256, "subscriptions open at once, over all clients");
ABSL_FLAG(int32_t, subscribe_minutes_max, 60,
          "longest a subscription stays open before it ends with its resume position");
ABSL_FLAG(int64_t, verify_on_start, 100000,
          "verify the last N events of the chain, and their index entries, at start (0: none)");
ABSL_FLAG(bool, verify_all_on_start, false,
          "verify the whole chain and both indexes at start (slow on a big ledger)");
ABSL_FLAG(bool, log_requests, true, "one log line per request on stderr");
ABSL_FLAG(int32_t, shutdown_grace_seconds, 10, "time given to calls in flight at shutdown");
ABSL_FLAG(std::string, follow, "",
          "follow the leader at HOST:PORT as a read replica: its log copied here and verified, "
          "reads served, writes refused with the leader's address (empty: this node leads)");
ABSL_FLAG(std::string, follow_token_file, "",
          "with --follow: file holding the token (its only word) of a role replica user at the "
          "leader");
ABSL_FLAG(bool, follow_tls, false, "with --follow: TLS to the leader, with the system's roots");
ABSL_FLAG(std::string, follow_tls_ca, "",
          "with --follow: TLS to the leader, checked against these PEM roots");
ABSL_FLAG(std::vector<std::string>, cluster_etcd, {},
          "join the cluster whose leader etcd elects: etcd's HOST:PORT endpoints, comma "
          "separated (with --node_id and --advertise; --follow_token_file and --follow_tls* say "
          "how to reach the leader); empty: no cluster");
ABSL_FLAG(std::string, node_id, "",
          "with --cluster_etcd: this node's name in the cluster, 1 to 64 of [A-Za-z0-9._-]");
ABSL_FLAG(std::string, advertise, "",
          "with --cluster_etcd: HOST:PORT where clients and the other nodes reach this node");
ABSL_FLAG(std::string, cluster_prefix, "/clas-ledger",
          "with --cluster_etcd: etcd key prefix of the cluster (election and registry)");
ABSL_FLAG(int32_t, cluster_lease_seconds, 5,
          "with --cluster_etcd: TTL of the leader's etcd lease; a leader that cannot renew it "
          "stops taking writes before it ends");
ABSL_FLAG(int32_t, cluster_size, 0,
          "with --cluster_etcd (required): how many nodes the cluster has, the same on every node; "
          "a node campaigns only while cluster_size - replication_acks nodes are live, so that "
          "one of them holds every acknowledged write");
ABSL_FLAG(int32_t, replication_acks, 0,
          "with --cluster_etcd: the leader answers a write only once this many followers hold "
          "it on disk (0: once on its own disk); with 3 nodes, 1 loses no acknowledged write when "
          "any one machine is lost");
ABSL_FLAG(int32_t, replication_ack_timeout_seconds, 5,
          "with --replication_acks: longest a write waits for its followers (then UNAVAILABLE: "
          "retry with the same request id)");
ABSL_FLAG(int32_t, min_position_wait_seconds, 10,
          "longest a read waits for the log position of its clas-min-position metadata");
ABSL_FLAG(std::string, metrics_listen, clas::server::kMetricsListenDefault,
          "address of the Prometheus metrics endpoint (http://HOST:PORT/metrics); empty: none");

namespace {

// Set when the server asked to be started again (ServerConfig::on_restart_needed).
std::atomic<bool> g_restart{false};

// Applies the config file named by --config (looked up in argv before the flags are parsed, so
// that the command line wins).
bool ApplyConfigFile(int argc, char** argv) {
  std::string path;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (absl::StartsWith(arg, "--config=")) path = arg.substr(9);
    if (arg == "--config" && i + 1 < argc) path = argv[i + 1];
  }
  if (path.empty()) return true;
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "clas-ledgerd: cannot read config file %s\n", path.c_str());
    return false;
  }
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    absl::string_view text = absl::StripAsciiWhitespace(line);
    if (text.empty() || text[0] == '#') continue;
    std::vector<std::string> kv = absl::StrSplit(std::string(text), absl::MaxSplits('=', 1));
    std::string key(absl::StripAsciiWhitespace(kv[0]));
    absl::CommandLineFlag* flag = kv.size() == 2 ? absl::FindCommandLineFlag(key) : nullptr;
    std::string error;
    if (flag == nullptr || key == "config" ||
        !flag->ParseFrom(absl::StripAsciiWhitespace(kv[1]), &error)) {
      std::fprintf(stderr, "clas-ledgerd: %s line %d: bad setting '%s' %s\n", path.c_str(),
                   number, std::string(text).c_str(), error.c_str());
      return false;
    }
  }
  return true;
}

clas::server::ServerConfig ConfigFromFlags() {
  clas::server::ServerConfig c;
  c.data_dir = absl::GetFlag(FLAGS_data);
  c.listen = absl::GetFlag(FLAGS_listen);
  c.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  c.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  c.tokens_file = absl::GetFlag(FLAGS_tokens);
  c.sync = absl::GetFlag(FLAGS_sync);
  c.read_only = absl::GetFlag(FLAGS_read_only);
  c.create_if_missing = absl::GetFlag(FLAGS_create_if_missing);
  c.verify_all_on_start = absl::GetFlag(FLAGS_verify_all_on_start);
  c.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  c.max_concurrent_streams = absl::GetFlag(FLAGS_max_concurrent_streams);
  c.verify_on_start_events = absl::GetFlag(FLAGS_verify_on_start);
  c.limits.page_size_max = absl::GetFlag(FLAGS_page_size_max);
  c.limits.read_events_max = absl::GetFlag(FLAGS_read_events_max);
  c.limits.list_scan_max = absl::GetFlag(FLAGS_list_scan_max);
  c.limits.subscriptions_max = absl::GetFlag(FLAGS_subscriptions_max);
  c.limits.subscribe_duration_max = absl::Minutes(absl::GetFlag(FLAGS_subscribe_minutes_max));
  c.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  c.follow = absl::GetFlag(FLAGS_follow);
  c.follow_token_file = absl::GetFlag(FLAGS_follow_token_file);
  c.follow_tls = absl::GetFlag(FLAGS_follow_tls);
  c.follow_tls_ca_file = absl::GetFlag(FLAGS_follow_tls_ca);
  c.min_position_wait_max = absl::Seconds(absl::GetFlag(FLAGS_min_position_wait_seconds));
  c.cluster_etcd = absl::GetFlag(FLAGS_cluster_etcd);
  c.cluster_node_id = absl::GetFlag(FLAGS_node_id);
  c.cluster_advertise = absl::GetFlag(FLAGS_advertise);
  c.cluster_prefix = absl::GetFlag(FLAGS_cluster_prefix);
  c.cluster_lease_ttl = absl::Seconds(absl::GetFlag(FLAGS_cluster_lease_seconds));
  c.replication_acks = absl::GetFlag(FLAGS_replication_acks);
  c.cluster_size = absl::GetFlag(FLAGS_cluster_size);
  c.replication_ack_timeout =
      absl::Seconds(absl::GetFlag(FLAGS_replication_ack_timeout_seconds));
  return c;
}

// What --help says: what the program is, how it is configured, and the flags of this file.
void SetUsage() {
  absl::SetProgramUsageMessage(
      "the clas-ledger gRPC server: the event-sourced ledger of the Caf funding of Clas actions.\n"
      "\n"
      "usage: clas-ledgerd [--config FILE] [--FLAG=VALUE ...]\n"
      "\n"
      "Settings come from the defaults, then the config file ('key = value' lines, the keys\n"
      "being the flags' names, '#' comments), then the command line. SIGTERM or SIGINT: graceful\n"
      "shutdown; SIGHUP: re-read the token file. --helpfull lists the libraries' flags too;\n"
      "man clas-ledgerd(8) when installed from the package.");
  // --help lists the flags of this file, the server's; Abseil's default looks for a file named
  // after the program (clas-ledgerd.cc), and would list none.
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::EndsWith(file, "server/main.cc");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  absl::SetFlagsUsageConfig(usage);
}

// Tells systemd `state` when it started the server; a failure is logged, never fatal.
void Tell(const char* state) {
  const absl::Status told = clas::server::NotifySystemd(state);
  if (!told.ok()) std::fprintf(stderr, "clas-ledgerd: %s\n", std::string(told.message()).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  SetUsage();
  if (!ApplyConfigFile(argc, argv)) return 2;
  absl::ParseCommandLine(argc, argv);
  clas::server::CallLog::SetEnabled(absl::GetFlag(FLAGS_log_requests));
  clas::server::ServerConfig config = ConfigFromFlags();
  // A cluster node whose log holds a tail the leader's does not starts again to set it aside.
  config.on_restart_needed = [] {
    g_restart.store(true);
    kill(getpid(), SIGTERM);
  };

  if (absl::GetFlag(FLAGS_demo_tokens)) {
    absl::Status made = clas::server::EnsureDemoTokens(config.tokens_file, absl::GetFlag(FLAGS_demo_token_cafs));
    if (!made.ok()) {
      std::fprintf(stderr, "clas-ledgerd: %s\n", std::string(made.message()).c_str());
      return 3;
    }
  }
  // Signals are taken by sigwait in this thread, never by a handler in another.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = clas::server::LedgerServer::Start(config);
  if (!server.ok()) {
    std::fprintf(stderr, "clas-ledgerd: %s\n", std::string(server.status().message()).c_str());
    return 3;
  }
  for (const std::string& finding : (*server)->findings()) {
    std::fprintf(stderr, "clas-ledgerd: DAMAGED ledger served read-only: %s\n", finding.c_str());
  }
  std::fprintf(stderr, "clas-ledgerd: %llu events verified at start in %s\n",
               static_cast<unsigned long long>((*server)->verified_on_start()),
               absl::FormatDuration((*server)->verify_time()).c_str());
  if ((*server)->metrics_port() != 0) {
    std::fprintf(stderr, "clas-ledgerd: metrics on http://%s/metrics (port %d)\n",
                 config.metrics_listen.c_str(), (*server)->metrics_port());
  }
  std::printf("clas-ledgerd listening on port %d (data %s, %llu events, %s%s%s)\n",
              (*server)->port(), config.data_dir.c_str(),
              static_cast<unsigned long long>((*server)->store().Head().position),
              config.tls_cert_file.empty() ? "plain text on loopback" : "TLS",
              config.read_only ? ", read-only" : "",
              !config.cluster_etcd.empty()
                  ? (", cluster node " + config.cluster_node_id).c_str()
                  : config.follow.empty() ? "" : (", following " + config.follow).c_str());
  std::fflush(stdout);
  Tell("READY=1");
  while (true) {
    int signal = 0;
    sigwait(&signals, &signal);
    if (signal == SIGHUP) {
      absl::Status reloaded = (*server)->ReloadTokens();
      std::fprintf(stderr, "clas-ledgerd: tokens %s\n",
                   reloaded.ok() ? "reloaded" : std::string(reloaded.message()).c_str());
      continue;
    }
    std::fprintf(stderr, "clas-ledgerd: shutting down\n");
    Tell("STOPPING=1");
    (*server)->Shutdown(absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds)));
    break;
  }
  if (g_restart.load()) {
    std::fprintf(stderr, "clas-ledgerd: exiting with status %d: start me again\n",
                 clas::server::kExitRestart);
    return clas::server::kExitRestart;
  }
  return 0;
}
