// The commands of clasctl. Each takes the parsed invocation (its positional arguments already
// counted by the dispatcher) and writes to io; each returns an exit code of cli.h.
//
// Remote commands are three steps — build the request from the flags, call, format the answer —
// and leave every rule to the server. Operator commands (verify --data, stats, backup, restore,
// serve) open the data directory themselves.
#ifndef CLAS_TOOLS_CLASCTL_COMMANDS_H_
#define CLAS_TOOLS_CLASCTL_COMMANDS_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/clasctl/cli.h"

namespace clas::ctl {

int ConventionShow(const Invocation& in, Io& io);
int ConventionList(const Invocation& in, Io& io);
int ConventionHistory(const Invocation& in, Io& io);
int ConventionDiff(const Invocation& in, Io& io);
int ConventionExport(const Invocation& in, Io& io);
int ConventionReport(const Invocation& in, Io& io);
int YearReport(const Invocation& in, Io& io);
int ControleSimulate(const Invocation& in, Io& io);
int AuditRecompute(const Invocation& in, Io& io);
int Verify(const Invocation& in, Io& io);
int Stats(const Invocation& in, Io& io);
int BackupCommand(const Invocation& in, Io& io);
int RestoreCommand(const Invocation& in, Io& io);
int Serve(const Invocation& in, Io& io);
int DemoCommand(const Invocation& in, Io& io);
int ImportCommand(const Invocation& in, Io& io);
int ClusterStatus(const Invocation& in, Io& io);
// The flags `serve` takes (clas-ledgerd's), also the keys its config file may set.
const std::vector<std::string>& ServeFlags();

// Shared by the commands.
enum class OutputFormat { kText, kJson, kCsv };
// --json, --csv or text; InvalidArgument when both are given, or --csv where `csv_allowed` is
// false.
absl::StatusOr<OutputFormat> OutputFormatOf(const Invocation& in, bool csv_allowed);
// The flag's value; InvalidArgument "needs --flag VALUE" when it is empty.
absl::StatusOr<std::string> Required(const Invocation& in, const std::string& flag);
// Runs `body`: its value is the exit code; a failed status is reported (ReportError) and
// becomes its exit code. Bodies report their RPC errors themselves (ReportRpcError).
int Guarded(Io& io, const std::function<absl::StatusOr<int>()>& body);

}  // namespace clas::ctl

#endif  // CLAS_TOOLS_CLASCTL_COMMANDS_H_
