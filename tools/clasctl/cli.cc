#include "tools/clasctl/cli.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "server/metrics.h"
#include "tools/clasctl/text.h"

namespace clas::ctl {
namespace {

std::string Canonical(std::string_view name) {
  return absl::StrReplaceAll(std::string(name), {{"_", "-"}});
}

absl::Status BadFlag(std::string_view flag, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("--", std::string(flag), ": ", std::string(why)));
}

}  // namespace

const std::vector<FlagDef>& AllFlags() {
  static const auto* const kFlags = new std::vector<FlagDef>{
      // Connection to a server.
      {"server", "HOST:PORT", "127.0.0.1:50051", "the clas-ledgerd server"},
      {"token-file", "FILE", "",
       "file holding the bearer token (else $CLAS_TOKEN); with --as, a 'user token' list"},
      {"as", "USER", "", "the user whose token to take from a 'user token' file (demo)"},
      {"tls-ca", "FILE", "", "PEM root certificates: talk TLS and trust these"},
      {"tls", nullptr, "", "talk TLS, trusting the system's root certificates"},
      {"timeout", "SECONDS", "30", "deadline of each call"},
      // Output.
      {"json", nullptr, "", "print protobuf's JSON mapping of the answer"},
      {"csv", nullptr, "", "print the table as CSV"},
      // Queries.
      {"caf", "CAF", "", "the Caf (tenant)"},
      {"as-of", "DATE", "", "the state on this effective date (YYYY-MM-DD; default: all dates)"},
      {"known-at", "INSTANT", "",
       "the state as the ledger knew it then (RFC 3339 or UTC microseconds; default: now)"},
      {"gestionnaire", "ID", "", "only this gestionnaire's conventions"},
      {"school-year", "N", "", "only conventions with school year N (N-N+1)"},
      {"status", "STATUS", "",
       "only this status: demande_deposee, demande_refusee, agreee, signee, soldee"},
      {"page-size", "N", "100", "conventions per call (the server caps it)"},
      {"all", nullptr, "", "show every change, the timeline and event ids included"},
      {"out", "FILE", "", "write there (.json: JSON, else binary protobuf)"},
      {"html", "FILE", "", "write the HTML page there"},
      // Contrôle simulation.
      {"year", "N", "", "school year N (N-N+1)"},
      {"collectifs", "C", "", "collectifs that ran"},
      {"charges", "EUROS", "", "prix de revient of the year, all collectifs"},
      {"autres-bf", "EUROS", "0", "other Branche Famille money for the action"},
      {"bonus-enfants", "E", "0", "collectifs holding the bonus enfants"},
      {"bonus-parents", "P", "0", "collectifs holding the bonus parents"},
      {"file", "FILE", "", "read the input from this file"},
      {"dry-run", nullptr, "", "check and show what would be sent; send nothing"},
      {"format", "csv|jsonl", "", "the import file's format (default: .csv is CSV, else JSON Lines)"},
      // Verification, operator commands.
      {"from", "POSITION", "", "first position to check (default 1)"},
      {"to", "POSITION", "", "last position to check (default: the head)"},
      {"data", "DIR", "./data", "the ledger's data directory (opened directly)"},
      {"expect", "POSITION:HASH", "",
       "a position and its hash (hex) known from before, e.g. a receipt: the ledger must still "
       "hold them"},
      {"backup-id", "N", "", "the backup to restore (default: the latest)"},
      {"list", nullptr, "", "list the backups instead of taking one"},
      // cluster status.
      {"etcd", "HOST:PORT[,...]", "", "the cluster's etcd endpoints (the nodes' --cluster_etcd)"},
      {"prefix", "PREFIX", "/clas-ledger", "the cluster's etcd key prefix (--cluster_prefix)"},
      // demo.
      {"seed", "N", "1", "seed of the dataset (same seed, same data)"},
      {"cafs", "N", "101", "number of Cafs"},
      {"actions", "N", "3700", "actions per school year, all Cafs together"},
      // serve: clas-ledgerd's own flags.
      {"config", "FILE", "", "config file of 'key = value' lines (keys: the flag names)"},
      {"listen", "HOST:PORT", "127.0.0.1:50051",
       "address to listen on; plain text only on loopback, TLS elsewhere"},
      {"tls-cert", "FILE", "", "PEM certificate chain (with --tls-key)"},
      {"tls-key", "FILE", "", "PEM private key (with --tls-cert)"},
      {"tokens", "FILE", "./data/tokens", "token file of hashed tokens"},
      {"demo-tokens", nullptr, "", "create a demo token file when missing (demo only)"},
      {"demo-token-cafs", "CAF,...", "caf-75,caf-13", "the Cafs given demo tokens"},
      {"sync", nullptr, "true", "fsync every append before acknowledging it"},
      {"read-only", nullptr, "",
       "serve a ledger for inspection, even damaged: reads and audits only"},
      {"create-if-missing", nullptr, "",
       "create an empty ledger when --data is missing or empty (first start)"},
      {"max-message-bytes", "N", "4194304", "largest request or response"},
      {"max-concurrent-streams", "N", "64", "concurrent calls per connection"},
      {"page-size-max", "N", "500", "largest page of ListConventions"},
      {"read-events-max", "N", "1000", "largest page of ReadStream / ReadAll / Subscribe"},
      {"verify-on-start", "N", "100000",
       "verify the last N events of the chain, with their index entries, at start"},
      {"verify-all-on-start", nullptr, "", "verify the whole chain and indexes at start"},
      {"log-requests", nullptr, "true", "one log line per request on stderr"},
      {"shutdown-grace-seconds", "N", "10", "time given to calls in flight at shutdown"},
      {"metrics-listen", "HOST:PORT", server::kMetricsListenDefault,
       "address of the Prometheus metrics endpoint (/metrics); empty: none"},
  };
  return *kFlags;
}

const FlagDef* FindFlag(std::string_view name) {
  const std::string canonical = Canonical(name);
  for (const FlagDef& f : AllFlags()) {
    if (canonical == f.name) return &f;
  }
  return nullptr;
}

bool Invocation::Has(std::string_view flag) const {
  auto it = flags_.find(Canonical(flag));
  return it != flags_.end() && it->second != "false";
}

std::string Invocation::Get(std::string_view flag) const {
  auto it = flags_.find(Canonical(flag));
  if (it != flags_.end()) return it->second;
  const FlagDef* def = FindFlag(flag);
  return def == nullptr ? "" : def->default_value;
}

void Invocation::SetDefault(const std::string& flag, const std::string& value) {
  flags_.emplace(Canonical(flag), value);
}

absl::StatusOr<int64_t> Invocation::GetInt(std::string_view flag, int64_t fallback) const {
  const std::string text = Get(flag);
  if (text.empty()) return fallback;
  int64_t value = 0;
  if (!absl::SimpleAtoi(text, &value))
    return BadFlag(flag, absl::StrCat("'", text, "' is not a number"));
  return value;
}

absl::StatusOr<bool> Invocation::GetBool(std::string_view flag) const {
  const std::string text = absl::AsciiStrToLower(Get(flag));
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text.empty() || text == "false" || text == "0" || text == "no") return false;
  return BadFlag(flag, absl::StrCat("'", text, "' is not true or false"));
}

absl::StatusOr<int32_t> Invocation::GetDay(std::string_view flag) const {
  const std::string text = Get(flag);
  if (text.empty()) return 0;
  auto day = ParseDay(text);
  if (!day.ok()) return BadFlag(flag, std::string(day.status().message()));
  return *day;
}

absl::StatusOr<int64_t> Invocation::GetInstant(std::string_view flag) const {
  const std::string text = Get(flag);
  if (text.empty()) return 0;
  auto instant = ParseInstant(text);
  if (!instant.ok()) return BadFlag(flag, std::string(instant.status().message()));
  return *instant;
}

absl::StatusOr<int64_t> Invocation::GetEuroCents(std::string_view flag) const {
  const std::string text = Get(flag);
  if (text.empty()) return 0;
  auto cents = ParseEuros(text);
  if (!cents.ok()) return BadFlag(flag, std::string(cents.status().message()));
  return *cents;
}

absl::StatusOr<ParsedLine> ParseLine(const std::vector<std::string>& args) {
  ParsedLine line;
  bool flags_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (flags_ended || arg.size() < 2 || arg[0] != '-' || arg == "-") {
      line.words.push_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_ended = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      line.help = true;
      continue;
    }
    if (!absl::StartsWith(arg, "--")) {
      return absl::InvalidArgumentError(absl::StrCat("unknown option ", arg));
    }
    std::string name = arg.substr(2);
    std::string value;
    const size_t equals = name.find('=');
    const bool inline_value = equals != std::string::npos;
    if (inline_value) {
      value = name.substr(equals + 1);
      name = name.substr(0, equals);
    }
    const FlagDef* def = FindFlag(name);
    if (def == nullptr && !inline_value && absl::StartsWith(name, "no")) {
      def = FindFlag(name.substr(2));  // --nosync, as clas-ledgerd spells it
      if (def != nullptr && def->value == nullptr) {
        line.flags[def->name] = "false";
        continue;
      }
      def = nullptr;
    }
    if (def == nullptr) return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    if (def->value != nullptr && !inline_value) {
      if (i + 1 >= args.size()) return BadFlag(def->name, absl::StrCat("needs a ", def->value));
      value = args[++i];
    }
    if (def->value == nullptr && !inline_value) value = "true";
    line.flags[def->name] = value;
  }
  return line;
}

}  // namespace clas::ctl
