// clasctl's command line: the flags every command may take, the parsed invocation handed to a
// command, and the exit codes scripts rely on.
//
// Syntax: clasctl WORD... [POSITIONAL...] [--flag value | --flag=value | --switch]...
// Flags may come anywhere after the program name; "--" ends them. In flag names '-' and '_'
// are the same character, so that `serve` takes clas-ledgerd's spellings (--tls_cert) as well as
// clasctl's (--tls-cert).
//
// Thread-safety: value types.
#ifndef CLAS_TOOLS_CLASCTL_CLI_H_
#define CLAS_TOOLS_CLASCTL_CLI_H_

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace clas::ctl {

// Exit codes. Do not change: scripts test them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;      // refused by a rule, not found, denied, chain bad
inline constexpr int kExitUsage = 2;        // bad command line
inline constexpr int kExitUnreachable = 3;  // server unreachable, file or store unreadable

// Where a command writes. `progress` is true when a progress bar may be drawn on `err` (a
// terminal); commands never draw one otherwise.
struct Io {
  std::ostream& out;
  std::ostream& err;
  bool progress = false;
};

// A flag clasctl knows. `value` names the value in help ("FILE"); nullptr for a switch.
struct FlagDef {
  const char* name;
  const char* value;
  const char* default_value;  // "" when none
  const char* help;
};

// Every flag, in the order help lists them.
const std::vector<FlagDef>& AllFlags();
// The flag named `name` (without "--", '_' read as '-'), or nullptr.
const FlagDef* FindFlag(std::string_view name);

// A parsed command line: the command's positional arguments and the flags given.
class Invocation {
 public:
  Invocation() = default;
  Invocation(std::vector<std::string> positionals, std::map<std::string, std::string> flags)
      : positionals_(std::move(positionals)), flags_(std::move(flags)) {}

  const std::vector<std::string>& positionals() const { return positionals_; }
  // True when the flag was given (switches: given and not "false").
  bool Has(std::string_view flag) const;
  // The value given, else the flag's default.
  std::string Get(std::string_view flag) const;
  // Sets a value unless the flag was given (config files fill in what the command line left).
  void SetDefault(const std::string& flag, const std::string& value);

  // The value as a number, a switch, a date, an instant or euros. InvalidArgument naming the
  // flag when it does not read as one; `fallback` when not given.
  absl::StatusOr<int64_t> GetInt(std::string_view flag, int64_t fallback) const;
  absl::StatusOr<bool> GetBool(std::string_view flag) const;
  absl::StatusOr<int32_t> GetDay(std::string_view flag) const;        // 0 when not given
  absl::StatusOr<int64_t> GetInstant(std::string_view flag) const;    // 0 when not given
  absl::StatusOr<int64_t> GetEuroCents(std::string_view flag) const;  // 0 when not given

 private:
  std::vector<std::string> positionals_;
  std::map<std::string, std::string> flags_;
};

// The words and flags of a command line, before a command is chosen.
struct ParsedLine {
  std::vector<std::string> words;            // every non-flag argument, in order
  std::map<std::string, std::string> flags;  // canonical name -> value ("true" for switches)
  bool help = false;                         // --help or -h was given
};

// Splits `args` (without the program name). InvalidArgument for an unknown flag or a flag
// missing its value.
absl::StatusOr<ParsedLine> ParseLine(const std::vector<std::string>& args);

}  // namespace clas::ctl

#endif  // CLAS_TOOLS_CLASCTL_CLI_H_
