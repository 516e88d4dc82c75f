// The command table of clasctl, its help, and the dispatch of a command line to a command.
#include "tools/clasctl/clasctl.h"

#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/clasctl/cli.h"
#include "tools/clasctl/commands.h"
#include "tools/clasctl/remote.h"

namespace clas::ctl {
namespace {

struct CommandDef {
  std::vector<std::string> words;  // {"convention", "show"}
  std::vector<std::string> args;   // positional arguments, by name; "[NAME]" may be left out
  const char* summary;
  const char* details;             // "" or more lines for --help
  std::vector<std::string> flags;  // accepted flags, in help order
  int (*run)(const Invocation&, Io&);
};

std::vector<std::string> With(std::vector<std::string> flags, bool remote) {
  if (remote) {
    for (const char* f : {"server", "token-file", "as", "tls-ca", "tls", "timeout"}) {
      flags.push_back(f);
    }
  }
  return flags;
}

const std::vector<CommandDef>& Commands() {
  static const auto* const kCommands = new std::vector<CommandDef>{
      {{"convention", "show"},
       {"ID"},
       "a convention's state: parties, droits, payments, indus, warnings",
       "Per school year: agrément, collectifs, DP/DR/DC with their breakdown, acomptes by civil\n"
       "year with caps and room, bilan, solde, rappels, indus; and the log position it reflects.",
       With({"caf", "as-of", "known-at", "json"}, true),
       ConventionShow},
      {{"convention", "list"},
       {},
       "the conventions of a Caf (every page)",
       "",
       With({"caf", "gestionnaire", "school-year", "status", "page-size", "as-of", "known-at",
             "json", "csv"},
            true),
       ConventionList},
      {{"convention", "history"},
       {"ID"},
       "a convention's timeline: date, event, who, amounts, rules, corrections",
       "--json prints JSON Lines: one clas.v1.ReplayHistoryItem per line.",
       With({"caf", "known-at", "json"}, true),
       ConventionHistory},
      {{"convention", "diff"},
       {"ID", "DATE1", "DATE2"},
       "what changed between two effective dates, and the events responsible",
       "",
       With({"caf", "known-at", "all", "json"}, true),
       ConventionDiff},
      {{"convention", "export"},
       {"ID"},
       "write a convention's events with their hashes, for an offline audit",
       "FILE ending in .json is written as JSON, anything else as binary protobuf\n"
       "(clas.v1.ConventionExport). Check it with: clasctl verify --file FILE",
       With({"caf", "out"}, true),
       ConventionExport},
      {{"convention", "report"},
       {"ID"},
       "write a convention's audit page: one self-contained HTML file",
       "Header (parties, status, log position and hash of the last event covered), timeline,\n"
       "per school year a chart of DP/DR/DC against what was paid, open indus. No network asset.",
       With({"caf", "html", "known-at"}, true),
       ConventionReport},
      {{"year", "report"},
       {"CAF", "YEAR"},
       "a civil year's accounts: lines, totals, charges à payer, engagements, balance",
       "--csv gives one row per line: date, month, debit account, credit account, amount in\n"
       "euros with a dot, statistical code, rule, convention, school year, cause event, label.",
       With({"as-of", "known-at", "json", "csv"}, true),
       YearReport},
      {{"controle", "simulate"},
       {"ID"},
       "DC, paid, rappel or indu per school year on draft figures (nothing recorded)",
       "Figures from --year N --collectifs C --charges EUROS [--bonus-enfants E]\n"
       "[--bonus-parents P] [--autres-bf EUROS], or from --file FIGURES.json: a JSON list of\n"
       "clas.v1.ControlledYear, e.g. [{\"school_year\": 2026, \"figures\": {\"collectifs\": 3,\n"
       "\"charges_cents\": \"2500000\"}}]. Exit 1 when the server refuses the figures.",
       With({"caf", "year", "collectifs", "charges", "autres-bf", "bonus-enfants", "bonus-parents",
             "file", "json"},
            true),
       ControleSimulate},
      {{"audit", "recompute"},
       {"[CONVENTION]"},
       "recompute the recorded acomptes, soldes, contrôles and closings (R-HIST-3)",
       "Every computation the log recorded, done again with the rules of the server's binary\n"
       "from the figures the event recorded: of one convention (CONVENTION --caf CAF), of a Caf\n"
       "(--caf CAF: its conventions, barèmes and closings) or of every Caf the caller reads (no\n"
       "--caf: every Caf for a national auditeur). Nothing is written: a difference is reported,\n"
       "the recorded amount stays as it is. One line per difference (event, position, field,\n"
       "value recorded and recomputed, both rule versions), then the count of what was checked:\n"
       "\"N calculs revérifiés, K écart(s)\".\n"
       "Every page is followed. --data DIR runs it here on a data directory opened read-only\n"
       "(a server may run on it), every Caf readable, without a server or a token.\n"
       "Exit 1 when a difference is found (or the server refuses), 0 when every computation is\n"
       "reproduced to the cent. --json prints a clas.v1.RecomputeHistoryResponse (every page's\n"
       "differences, their counts summed).",
       With({"caf", "data", "json"}, true),
       AuditRecompute},
      {{"import"},
       {"FILE"},
       "send the commands of a JSON Lines or CSV file, one by one, through the rules",
       "JSON Lines (any name but *.csv, or --format jsonl), one command per line:\n"
       "{\"command\": \"PayAcompte\", \"request_id\": \"r-17\", \"body\": {...}}, the body being\n"
       "the command message (clas.v1.PayAcompte, ...) in protobuf's JSON mapping; blank lines\n"
       "and '#' lines are skipped. Every line is parsed first: a malformed line (bad\n"
       "JSON, unknown command or field) sends nothing, exit 2, each one named. Then each line goes\n"
       "through its Conventions RPC and the same rules as any call; the first refusal stops the\n"
       "import (exit 1) naming the line and every rule. Each line is atomic on the server: the\n"
       "lines before a refusal are recorded, nothing of the refused one. A line without request_id\n"
       "gets import:<file name>:<line number>, so after fixing the file run it again: recorded\n"
       "lines replay (written once), the import resumes where it stopped. Keep the file name and\n"
       "do not insert or remove lines above those already imported. --caf fills an empty caf_id\n"
       "and refuses another Caf's line. --dry-run checks and counts by command, sends nothing.\n"
       "\n"
       "CSV (*.csv, or --format csv), as a spreadsheet saves it in French: ';' between columns,\n"
       "UTF-8 or Windows-1252, amounts 1 234,56, dates 15/10/2026. One row per act, named in the\n"
       "column \"acte\": gestionnaire, demande, agrément, refus, décision, convention, avenant,\n"
       "collectifs, acompte, bilan, solde, rappel, recouvrement, clôture; a header row names the\n"
       "columns (README: the columns of each act and an example). Every bad row is reported\n"
       "(\"ligne 7, colonne « montant » : plus de deux décimales\") and nothing is sent. A row\n"
       "without \"identifiant de saisie\" gets import:<file name>:<line number>, as above. The\n"
       "barème, the contrôle, corrections, and requests whose collectifs differ or that ask for a\n"
       "bonus project stay JSON Lines only.",
       With({"dry-run", "caf", "format"}, true),
       ImportCommand},
      {{"verify"},
       {},
       "recompute the hash chain (server, --data DIR, or --file EXPORT)",
       "Without --data or --file the server verifies (Audit.VerifyChain). --data opens the\n"
       "directory read-only (a server may run on it), even damaged, checks the chain and the\n"
       "stream and event id indexes, and says DAMAGED for what RocksDB cannot open or replay\n"
       "(file named). --file checks an export alone: hashes and stream links, no server, no\n"
       "data directory. Exit 1 names the first bad position. A log cut short at a record's\n"
       "end looks intact: --expect POSITION:HASH (with --data), from a receipt or an earlier\n"
       "verification, checks that the ledger still holds that event.\n"
       "--json prints a clas.v1.VerifyChainResponse (for --file: head_* are the export's).",
       With({"from", "to", "data", "file", "json", "expect"}, true),
       Verify},
      {{"stats"},
       {},
       "events by Caf, school year and event type; size on disk",
       "Reads the whole log read-only, in pages.",
       {"data", "json", "csv"},
       Stats},
      {{"backup"},
       {"DIR"},
       "a consistent backup of --data into the backup directory DIR",
       "RocksDB BackupEngine: incremental, checksummed. The data directory is opened for\n"
       "writing, so stop a server running on it first. Token and config files are not copied.\n"
       "--list shows the backups of DIR.",
       {"data", "list"},
       BackupCommand},
      {{"restore"},
       {"DIR"},
       "restore a backup into an empty --data directory, then verify it",
       "Checks the backup's checksums, restores, checks the head hash it recorded, and\n"
       "recomputes the whole chain.",
       {"data", "backup-id"},
       RestoreCommand},
      {{"demo"},
       {},
       "fill --data with the demo dataset, through the engine's commands",
       "Reproducible (--seed); running it again on the same directory writes nothing. Exit 1\n"
       "when a command had an unexpected outcome. Stop a server running on the directory first.",
       {"data", "seed", "cafs", "actions"},
       DemoCommand},
      {{"cluster", "status"},
       {},
       "the nodes of a cluster: roles, log positions, terms, lag (from etcd)",
       "Reads etcd (--etcd HOST:PORT[,HOST:PORT...], the nodes' --cluster_etcd; --prefix their\n"
       "--cluster_prefix, /clas-ledger by default): the leader etcd elected, with its term, and\n"
       "every live node as it last published itself (within 100 ms): address, role, log\n"
       "position, the term of its log, and how many records it is behind the leader. A node\n"
       "that died leaves the list when its lease ends (--cluster_lease_seconds). With them, how\n"
       "many live nodes an election needs (--cluster_size minus --replication_acks). Exit 1\n"
       "when no leader is elected, 3 when etcd cannot be read. --json for a script.",
       {"etcd", "prefix", "json"},
       ClusterStatus},
      {{"serve"},
       {},
       "run the clas-ledger server in this process (clas-ledgerd's flags)",
       "Same flags and config file as clas-ledgerd (--tls_cert and --tls-cert are the same).\n"
       "SIGTERM/SIGINT shut down gracefully; SIGHUP re-reads the token file.",
       ServeFlags(),
       Serve},
  };
  return *kCommands;
}

std::string Usage(const CommandDef& c) {
  std::string out = absl::StrCat("clasctl ", absl::StrJoin(c.words, " "));
  for (const auto& a : c.args) absl::StrAppend(&out, " ", a);
  return out;
}

std::string Overview(const std::string& group) {
  std::string out =
      "clasctl: the clas-ledger command line\n\nusage: clasctl COMMAND [ARGS] [FLAGS]\n\n";
  for (const CommandDef& c : Commands()) {
    if (!group.empty() && c.words[0] != group) continue;
    std::string usage = Usage(c).substr(8);
    while (usage.size() < 34) usage += ' ';
    absl::StrAppend(&out, "  ", usage, " ", c.summary, "\n");
  }
  out +=
      "\nExit codes: 0 ok; 1 refused by a rule (or not found, denied, chain broken); 2 usage;\n"
      "3 server unreachable, file or data directory unreadable.\n"
      "clasctl COMMAND --help lists a command's flags.\n";
  return out;
}

std::string CommandHelp(const CommandDef& c) {
  std::string out = absl::StrCat("usage: ", Usage(c), " [FLAGS]\n\n", c.summary, "\n");
  if (*c.details != '\0') absl::StrAppend(&out, "\n", c.details, "\n");
  out += "\nFlags:\n";
  for (const std::string& name : c.flags) {
    const FlagDef* f = FindFlag(name);
    std::string left = absl::StrCat("--", f->name, f->value ? absl::StrCat(" ", f->value) : "");
    while (left.size() < 28) left += ' ';
    absl::StrAppend(&out, "  ", left, " ", f->help,
                    *f->default_value ? absl::StrCat(" (default ", f->default_value, ")") : "",
                    "\n");
  }
  return out;
}

// The command whose words start `words` (the longest), or nullptr.
const CommandDef* Match(const std::vector<std::string>& words) {
  const CommandDef* best = nullptr;
  for (const CommandDef& c : Commands()) {
    if (c.words.size() > words.size()) continue;
    if (!std::equal(c.words.begin(), c.words.end(), words.begin())) continue;
    if (best == nullptr || c.words.size() > best->words.size()) best = &c;
  }
  return best;
}

bool IsGroup(const std::string& word) {
  for (const CommandDef& c : Commands()) {
    if (c.words.size() > 1 && c.words[0] == word) return true;
  }
  return false;
}

int UsageError(const std::string& message, const std::string& hint, Io& io) {
  io.err << "clasctl: " << message << "\n" << hint;
  return kExitUsage;
}

// Checks the flags and the number of positional arguments, then runs the command.
int Dispatch(const CommandDef& c, const ParsedLine& line, Io& io) {
  const std::string help_hint =
      absl::StrCat("usage: ", Usage(c), " [FLAGS]   (", Usage(c), " --help)\n");
  for (const auto& [flag, value] : line.flags) {
    if (std::find(c.flags.begin(), c.flags.end(), flag) == c.flags.end()) {
      return UsageError(absl::StrCat(absl::StrJoin(c.words, " "), " does not take --", flag),
                        help_hint, io);
    }
  }
  std::vector<std::string> positionals(line.words.begin() + c.words.size(), line.words.end());
  const size_t required = static_cast<size_t>(std::count_if(
      c.args.begin(), c.args.end(), [](const std::string& a) { return a.front() != '['; }));
  if (positionals.size() < required || positionals.size() > c.args.size()) {
    const std::string count = required == c.args.size()
                                  ? absl::StrCat(c.args.size())
                                  : absl::StrCat(required, " to ", c.args.size());
    return UsageError(absl::StrCat(absl::StrJoin(c.words, " "), " takes ", count,
                                   " argument(s), got ", positionals.size()),
                      help_hint, io);
  }
  return c.run(Invocation(std::move(positionals), line.flags), io);
}

}  // namespace

absl::StatusOr<OutputFormat> OutputFormatOf(const Invocation& in, bool csv_allowed) {
  if (in.Has("json") && in.Has("csv")) {
    return absl::InvalidArgumentError("--json and --csv: choose one");
  }
  if (in.Has("csv") && !csv_allowed) return absl::InvalidArgumentError("no --csv here");
  if (in.Has("json")) return OutputFormat::kJson;
  return in.Has("csv") ? OutputFormat::kCsv : OutputFormat::kText;
}

absl::StatusOr<std::string> Required(const Invocation& in, const std::string& flag) {
  std::string value = in.Get(flag);
  if (value.empty()) {
    const FlagDef* f = FindFlag(flag);
    return absl::InvalidArgumentError(
        absl::StrCat("needs --", flag, " ", f != nullptr && f->value ? f->value : ""));
  }
  return value;
}

int Guarded(Io& io, const std::function<absl::StatusOr<int>()>& body) {
  absl::StatusOr<int> code = body();
  return code.ok() ? *code : ReportError(code.status(), io);
}

int RunClasctl(std::vector<std::string> args, std::ostream& out, std::ostream& err) {
  Io io{out, err, &err == &std::cerr && ::isatty(STDERR_FILENO) == 1};
  absl::StatusOr<ParsedLine> line = ParseLine(args);
  if (!line.ok()) return UsageError(std::string(line.status().message()), "(clasctl --help)\n", io);
  std::vector<std::string>& words = line->words;
  const bool help = line->help || (!words.empty() && words[0] == "help");
  if (!words.empty() && words[0] == "help") words.erase(words.begin());
  if (words.empty()) {
    (help ? out : err) << Overview("");
    return help ? kExitOk : kExitUsage;
  }
  const CommandDef* command = Match(words);
  if (command == nullptr || (help && IsGroup(words[0]) && words.size() == 1)) {
    if (!IsGroup(words[0])) {
      return UsageError(absl::StrCat("unknown command '", words[0], "'"), Overview(""), io);
    }
    if (help) {
      out << Overview(words[0]);
      return kExitOk;
    }
    return UsageError(absl::StrCat(words[0], " needs a subcommand"), Overview(words[0]), io);
  }
  if (help) {
    out << CommandHelp(*command);
    return kExitOk;
  }
  return Dispatch(*command, *line, io);
}

}  // namespace clas::ctl
