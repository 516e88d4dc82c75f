// The one check of what a command carries before any rule runs: every string field of every
// command (nested messages included) has a bound and a character class, every repeated field a
// largest count, some messages are required, and a few fields are the ledger's to fill. The
// table of them (command_input.cc, kFieldBounds) is the one place they are written; the README
// and the proto comments repeat it for clients, and a test checks that every string, bytes and
// repeated field a command can reach has a row.
//
//   class        length                     characters (identifiers.h, the id policy)
//   caf id       1 to kCafIdBytesMax (64)   A-Z a-z 0-9 . _ -
//   request id   1 to kIdBytesMax (128)     printable ASCII (0x20 to 0x7E)
//   identifier   1 to kIdBytesMax           printable ASCII but space and "/"; not "." nor ".."
//   event id     1 to kIdBytesMax           printable ASCII but space
//   name         up to 200 characters       text (below)
//   text         up to 1 000 characters     text (below)
//   ledger's     must be empty              filled by the ledger, never given
//   replaced     anything                   what the ledger writes in every fact (warnings,
//                                           request id and fingerprint, Caf, convention): a
//                                           correction's replacement may carry them as read,
//                                           the ledger writes its own
//
// Text is valid UTF-8 without control characters (C0, DEL, C1: no NUL, tab or line break, no
// U+0085), bidirectional formatting characters (U+061C, U+200E, U+200F, U+202A to U+202E,
// U+2066 to U+2069), invisible separators and joiners (U+200B to U+200D, U+2028, U+2029,
// U+2060 to U+2064, U+FEFF), annotation characters (U+FFF9 to U+FFFB) or noncharacters. An
// empty identifier is left to the rules to require (some are optional); an empty request id or
// caf id is refused here.
//
// Every refusal is kInvalidArgument with one violation per field at fault: the rule the field
// belongs to, the field's path ("request.collectifs[3].collectif_id"), the value shown escaped
// and cut, and a French sentence.
//
// Thread-safety: pure functions.
#ifndef CLAS_PROJECTIONS_ENGINE_COMMAND_INPUT_H_
#define CLAS_PROJECTIONS_ENGINE_COMMAND_INPUT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "projections/core/identifiers.h"
#include "projections/core/rule.h"

namespace clas {

inline constexpr size_t kNameCharsMax = 200;
inline constexpr size_t kTextCharsMax = 1000;

enum class InputClass {
  kCafId,
  kRequestId,
  kIdentifier,
  kEventId,
  kName,
  kText,
  kLedgers,          // filled by the ledger: must be empty
  kReplaced,         // filled by the ledger: what is given is not looked at, and not kept
  kRepeated,         // a repeated field: at most `max` elements
  kRequiredMessage,  // a message field that must be set
  kSchoolYear,       // an int32 school year: 0 or within the ledger's range (R-CONV-2)
};

// One row of the table: a field (its full protobuf name), its class, its bound (bytes for ids,
// characters for text, elements for repeated fields) and the rule a refusal names.
struct FieldBound {
  std::string_view field;
  InputClass kind;
  size_t max;
  Rule rule;
};

// Every row, in the table's order.
const std::vector<FieldBound>& FieldBounds();

// OkStatus if `request_id` and every field of `command` keep the table; kInvalidArgument
// listing every field at fault otherwise.
absl::Status CheckCommandInput(std::string_view request_id,
                               const google::protobuf::Message& command);

// OkStatus if `value`, the field `path` of a query (caf_id, convention_id, ...), keeps `kind`
// (kCafId, kIdentifier or kEventId; empty is refused); kInvalidArgument naming `rule` otherwise.
absl::Status CheckQueryIdentifier(std::string_view path, std::string_view value, InputClass kind,
                                  const Rule& rule);

// Whether `text` is valid UTF-8 (RFC 3629: shortest forms, no surrogates, at most U+10FFFF).
bool IsUtf8(std::string_view text);

}  // namespace clas

#endif  // CLAS_PROJECTIONS_ENGINE_COMMAND_INPUT_H_
