// import FILE: commands of a JSON Lines file, or acts of a CSV file (import_csv.h), sent one by
// one through the Conventions RPCs, so that every line passes the same rules as a command typed
// by an agent. The whole file is parsed first: a malformed line sends nothing.
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "ledger/base/status_macros.h"
#include "tools/clasctl/commands.h"
#include "tools/clasctl/import.h"
#include "tools/clasctl/import_csv.h"
#include "tools/clasctl/progress.h"
#include "tools/clasctl/remote.h"
#include "tools/clasctl/text.h"

namespace clas::ctl {
namespace {

// A larger file is a mistake (kImportLinesMax lines of a few hundred bytes fit well below).
constexpr std::streamsize kImportFileBytesMax = std::streamsize{1} << 30;

absl::StatusOr<std::string> ReadImportFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::UnavailableError(absl::StrCat("cannot read ", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::UnavailableError(absl::StrCat("cannot read ", path));
  if (static_cast<std::streamsize>(text.tellp()) > kImportFileBytesMax) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is larger than 1 GiB"));
  }
  return text.str();
}

struct ImportCounts {
  int sent = 0;
  int accepted = 0;  // recorded now
  int replayed = 0;  // recorded by an earlier run (same request id)
};

void PrintSummary(const ImportCounts& counts, size_t total, Io& io) {
  io.out << "import: " << counts.sent << " of " << total << " lines sent: " << counts.accepted
         << " accepted, " << counts.replayed << " replayed\n";
}

// Sends every line in order; stops at the first one not accepted and returns its exit code.
// A line refused by a follower (a read replica) naming its leader is sent again to the leader,
// with its request id (commands are exactly once by request id), and so are the lines after
// it; once only: a leader that names yet another node stops the import as any refusal does.
int SendAll(const std::vector<ImportLine>& lines, const Remote& remote, Io& io) {
  Remote target = remote;
  std::unique_ptr<v1::Conventions::Stub> stub = target.conventions();
  Progress progress(io.err, io.progress, "import", "lines", lines.size());
  ImportCounts counts;
  bool followed = false;
  for (const ImportLine& line : lines) {
    v1::CommandResponse response;
    std::unique_ptr<grpc::ClientContext> context = target.Context();
    grpc::Status status = SendImportLine(*stub, *context, line, response);
    if (const std::string leader = LeaderOf(*context, status); !leader.empty() && !followed) {
      followed = true;
      progress.Finish();
      io.err << "clasctl: " << target.address() << " est une réplique en lecture seule : envoi au "
             << "nœud principal " << leader << "\n";
      target = target.At(leader);
      stub = target.conventions();
      context = target.Context();
      status = SendImportLine(*stub, *context, line, response);
    }
    ++counts.sent;
    if (!status.ok()) {
      progress.Finish();
      const int code =
          ReportRpcError(status, absl::StrCat("line ", line.line_number, ": ", line.rpc), io);
      // No answer (exit 3) leaves this line's fate unknown: its request id settles it on a
      // re-run. An answer refusing it means nothing of it was written.
      io.err << "clasctl: import stopped at line " << line.line_number
             << (code == kExitUnreachable
                     ? "; the lines before it are recorded; this one may be: run the file again "
                       "(recorded lines replay)\n"
                     : "; the lines before it are recorded, nothing of this one\n");
      --counts.sent;  // not accepted: counted as not sent
      PrintSummary(counts, lines.size(), io);
      return code;
    }
    ++(response.replayed() ? counts.replayed : counts.accepted);
    for (const auto& warning : response.warnings()) {
      progress.Finish();
      io.err << "clasctl: line " << line.line_number << ": warning: " << ViolationLine(warning)
             << "\n";
    }
    progress.Update(counts.sent);
  }
  progress.Finish();
  PrintSummary(counts, lines.size(), io);
  return kExitOk;
}

// Every error of the file on `io.err`; the exit code.
int ReportMalformed(const ParsedImport& parsed, ImportFormat format, const std::string& path,
                    Io& io) {
  if (format == ImportFormat::kJsonLines) {
    for (const ImportError& e : parsed.errors) {
      io.err << "clasctl: " << path << ":" << e.line_number << ": " << e.message << "\n";
    }
    io.err << "clasctl: " << Count(static_cast<int64_t>(parsed.errors.size()), "malformed line")
           << "; nothing sent\n";
    return kExitUsage;
  }
  // CSV files are an agent's: "ligne 7, colonne « montant » : plus de deux décimales".
  for (const ImportError& e : parsed.errors) {
    io.err << "clasctl: " << path << " : ";
    if (e.line_number > 0) io.err << "ligne " << e.line_number;
    if (e.line_number > 0 && !e.column.empty()) io.err << ", ";
    if (!e.column.empty()) io.err << "colonne « " << e.column << " »";
    io.err << (e.line_number > 0 || !e.column.empty() ? " : " : "") << e.message << "\n";
  }
  const size_t total = parsed.errors.size() + parsed.errors_left_off;
  io.err << "clasctl: " << Count(static_cast<int64_t>(total), "erreur");
  if (parsed.errors_left_off > 0) io.err << " (les " << parsed.errors.size() << " premières ci-dessus)";
  io.err << " ; rien n'a été envoyé\n";
  return kExitUsage;
}

}  // namespace

int ImportCommand(const Invocation& in, Io& io) {
  return Guarded(io, [&]() -> absl::StatusOr<int> {
    const std::string path = in.positionals()[0];
    ASSIGN_OR_RETURN(const bool dry_run, in.GetBool("dry-run"));
    ASSIGN_OR_RETURN(const ImportFormat format, ImportFormatOf(in.Get("format"), path));
    ASSIGN_OR_RETURN(std::string text, ReadImportFile(path));
    const ParsedImport parsed = format == ImportFormat::kCsv
                                    ? ParseCsvImport(text, path, in.Get("caf"))
                                    : ParseImport(text, path, in.Get("caf"));
    if (!parsed.errors.empty()) return ReportMalformed(parsed, format, path, io);
    if (dry_run) {
      for (const auto& [rpc, n] : CountByRpc(parsed.lines)) io.out << n << " " << rpc << "\n";
      io.out << "import: " << parsed.lines.size() << " lines would be sent (dry run: none sent)\n";
      return kExitOk;
    }
    ASSIGN_OR_RETURN(Remote remote, Remote::Connect(in));
    return SendAll(parsed.lines, remote, io);
  });
}

}  // namespace clas::ctl
