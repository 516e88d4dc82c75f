// `clasctl import`: the file format and its parsing, apart from any server so that it can be
// tested alone.
//
// An import file is JSON Lines, one command of the Conventions service per line:
//
//   line     = '{' '"command":' RPC ',' ['"request_id":' STRING ','] '"body":' OBJECT '}'
//   RPC      = the name of a Conventions RPC: "RegisterGestionnaire", "PayAcompte", ...
//   OBJECT   = the command message of that RPC (clas.v1.PayAcompte, ...) in protobuf's JSON
//              mapping; unknown fields are errors. Integers beyond 2^53 are written as strings.
//
// Blank lines and lines starting with '#' are skipped (they keep their number). A line without
// request_id gets "import:<file name>:<line number>", so that running the same file again
// replays what was already recorded instead of writing it twice.
//
// Thread-safety: pure functions and value types.
#ifndef CLAS_TOOLS_CLASCTL_IMPORT_H_
#define CLAS_TOOLS_CLASCTL_IMPORT_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "clas/v1/service.grpc.pb.h"
#include "google/protobuf/message.h"
#include "grpcpp/client_context.h"

namespace clas::ctl {

// Lines an import file may hold; a larger file is refused before anything is sent.
inline constexpr size_t kImportLinesMax = 1'000'000;
inline constexpr size_t kImportLineBytesMax = 1 << 20;

// One command of the file, ready to send.
struct ImportLine {
  int line_number = 0;  // 1-based, in the file
  std::string rpc;      // "PayAcompte"
  // The RPC's request (clas.v1.PayAcompteRequest, ...): request_id and command set.
  std::shared_ptr<google::protobuf::Message> request;
};

// A line that cannot be sent, and why.
struct ImportError {
  ImportError() = default;
  ImportError(int line, std::string why, std::string at_column = "")
      : line_number(line), message(std::move(why)), column(std::move(at_column)) {}

  int line_number = 0;  // 0: the file as a whole (CSV: not readable as text)
  std::string message;
  std::string column;  // CSV: the column at fault, when one is ("montant"); JSON Lines: empty
};

struct ParsedImport {
  std::vector<ImportLine> lines;
  std::vector<ImportError> errors;  // every malformed line, in file order
  size_t errors_left_off = 0;       // CSV: errors beyond kCsvErrorsMax, counted, not kept
};

// Parses every line of `text`, the content of the file named `file_name` (its base name makes
// the default request ids). With `caf` non-empty, a command's empty caf_id is set to it and a
// different one is an error. Never fails as a whole: each bad line is one entry of `errors`
// (bad JSON, unknown command, unknown field, missing body, request id too long or repeated,
// too many lines).
ParsedImport ParseImport(std::string_view text, std::string_view file_name,
                         std::string_view caf);

// "import:<base name of file_name>:<line_number>", at most 128 bytes (a long name is replaced
// by its FNV-1a hash).
std::string DefaultRequestId(std::string_view file_name, int line_number);

// Number of lines per RPC, for --dry-run.
std::map<std::string, int> CountByRpc(const std::vector<ImportLine>& lines);

// Sends `line` through its Conventions RPC. The status is the server's (a refusal carries its
// rule violations in its details).
grpc::Status SendImportLine(v1::Conventions::Stub& stub, grpc::ClientContext& context,
                            const ImportLine& line, v1::CommandResponse& response);

}  // namespace clas::ctl

#endif  // CLAS_TOOLS_CLASCTL_IMPORT_H_
