// The identifier policy of the Clas ledger, in one place: how long an id may be and which
// characters it may hold, and the one checker every input goes through (command_input.h for
// commands and queries, eligibility.cc for the ids inside a funding request).
//
//   a Caf id           1 to kCafIdBytesMax of A-Z a-z 0-9 . _ -   (it names streams and files)
//   a request id       1 to kIdBytesMax printable ASCII characters, chosen by the client
//   an event id        1 to kIdBytesMax printable ASCII characters without space
//   any other id       1 to kIdBytesMax printable ASCII characters without space nor "/",
//                      neither "." nor ".."  (a convention's id ends its stream's id)
//
// The bounds are derived from the log's (ledger/limits.h) and checked against them below: every
// id allowed here gives stream ids and event ids the log accepts.
//
// Thread-safety: constants and pure functions.
#ifndef CLAS_PROJECTIONS_CORE_IDENTIFIERS_H_
#define CLAS_PROJECTIONS_CORE_IDENTIFIERS_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "ledger/limits.h"
#include "projections/core/stream_layout.h"

namespace clas {

// A Caf's id: short, since it prefixes every stream and event id of the Caf.
inline constexpr size_t kCafIdBytesMax = 64;
// Every other id: a convention's, a gestionnaire's, a payment's, a request's, an event's.
inline constexpr size_t kIdBytesMax = 128;

// A correction names the event it corrects by its id: any event id of the log must be one.
static_assert(kIdBytesMax == ledger::kEventIdBytesMax, "an event id is an id");
// The longest Clas stream id ("clas/<caf>/gestionnaire/<id>") fits the log's bound.
static_assert(kClasStreamRoot.size() + kCafIdBytesMax + std::string_view("/gestionnaire/").size() +
                      kIdBytesMax <=
                  ledger::kStreamIdBytesMax,
              "every stream id of every Caf is one the log accepts");

// What an id names, for its characters.
enum class IdKind {
  kCafId,
  kRequestId,
  kEventId,
  kIdentifier,  // any other
};

// The most bytes an id of `kind` may have.
constexpr size_t IdBytesMax(IdKind kind) {
  return kind == IdKind::kCafId ? kCafIdBytesMax : kIdBytesMax;
}

// "" when `value` is an id of `kind`; otherwise a French sentence saying what one is.
std::string IdProblem(std::string_view value, IdKind kind);

}  // namespace clas

#endif  // CLAS_PROJECTIONS_CORE_IDENTIFIERS_H_
