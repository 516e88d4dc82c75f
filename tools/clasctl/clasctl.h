// clasctl: the clas-ledger command line. One program, one subcommand per task:
//
//   convention show | list | history | diff | export   read conventions (Queries, Audit)
//   year report                                         a civil year's accounts
//   controle simulate                                   R-CTL-4 on draft figures
//   import FILE                                         commands of a file, through the rules
//   verify                                              the hash chain: server, data dir, export
//   stats, backup, restore                              operator commands on a data directory
//   serve                                               clas-ledgerd in this process
//
// Remote commands talk to a server (--server, token from --token-file or $CLAS_TOKEN, TLS with
// --tls-ca); operator commands open the data directory (--data). Exit codes: 0 ok, 1 refused by a
// rule (or not found, denied, chain or export broken), 2 usage, 3 unreachable or I/O.
//
// Thread-safety: RunClasctl may run on several threads at once except `serve`, which blocks
// SIGINT, SIGTERM and SIGHUP in the calling thread while it serves.
#ifndef CLAS_TOOLS_CLASCTL_CLASCTL_H_
#define CLAS_TOOLS_CLASCTL_CLASCTL_H_

#include <ostream>
#include <string>
#include <vector>

namespace clas::ctl {

// Runs the command line `args` (without the program name), writing results to `out` and
// diagnostics to `err`; returns the exit code. A progress bar is drawn only when `err` is
// std::cerr and stderr is a terminal.
int RunClasctl(std::vector<std::string> args, std::ostream& out, std::ostream& err);

}  // namespace clas::ctl

#endif  // CLAS_TOOLS_CLASCTL_CLASCTL_H_
