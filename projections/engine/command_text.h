// The text of a command: every string field of a clas.v1 command must be valid UTF-8, as proto3
// requires. A fact holding invalid UTF-8 would be serialised all the same, but would never parse
// back from the log: the convention it belongs to could no longer be read. gRPC callers cannot
// send such text (the server's parser refuses it); callers of the engine in the same process
// (tools, tests, simulations) can, hence this check.
//
// Thread-safety: a pure function.
#ifndef CLAS_PROJECTIONS_ENGINE_COMMAND_TEXT_H_
#define CLAS_PROJECTIONS_ENGINE_COMMAND_TEXT_H_

#include <string_view>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace clas {

// OkStatus if every string field of `command` (nested messages and repeated fields included)
// is valid UTF-8; InvalidArgument naming the first field that is not (R-HIST-1: what is
// recorded must be readable for ever), its value hex-escaped.
absl::Status CheckCommandText(const google::protobuf::Message& command);

// True if every byte of `text` is printable ASCII (0x20 to 0x7E): what the log accepts in stream
// and event ids, which are made of a command's Caf, aggregate and request ids.
bool IsPrintableAscii(std::string_view text);

}  // namespace clas

#endif  // CLAS_PROJECTIONS_ENGINE_COMMAND_TEXT_H_
