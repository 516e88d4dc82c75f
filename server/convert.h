// Conversions between the engine's and the store's types and the API's messages. No logic.
#ifndef CLAS_SERVER_CONVERT_H_
#define CLAS_SERVER_CONVERT_H_

#include "clas/v1/service.pb.h"
#include "ledger/event_store.h"
#include "projections/convention/domain_event.h"
#include "projections/convention/fold.h"
#include "projections/engine/engine.h"
#include "projections/rules/accounting_report.h"

namespace clas::server {

// Without its hashes (a DomainEvent carries none): for internal use only.
v1::RecordedEvent ToApi(const DomainEvent& event);
// With its hashes, read from the store at the event's position: what the API shows. The store's
// error when that position cannot be read.
absl::StatusOr<v1::RecordedEvent> ToApi(const DomainEvent& event,
                                        const ledger::EventStore& store);
// With its hashes; the payload decoded as a Clas fact when the stream is a Clas one.
v1::RecordedEvent ToApi(const ledger::RecordedEvent& event);

// The answer of a command whose events are written: never an error. The events of `result`
// with their hashes (without them when they cannot be read now), the figures and the warnings;
// the events' facts are left out (facts_omitted) when the answer would exceed `bytes_max`.
void FillCommandResponse(const CommandResult& result, const ledger::EventStore& store,
                         int64_t bytes_max, v1::CommandResponse* response);

// Cuts the lists of `state` that grow with its history, the oldest entries first, in the order
// of StateOmissions, until the state takes at most `bytes_max` bytes; says what it cut (nothing
// when it fitted). The figures are never cut.
v1::StateOmissions FitState(int64_t bytes_max, v1::ConventionState* state);

// The bytes of one entry of a repeated field.
inline size_t ElementBytes(const std::string& s) { return s.size(); }
inline size_t ElementBytes(const google::protobuf::MessageLite& m) { return m.ByteSizeLong(); }

// Keeps the first entries of `list` that fit `bytes_max` bytes with `base_bytes` of the rest
// of the answer (at least one); returns how many it dropped from the end.
template <typename List>
uint32_t KeepFirstWithin(int64_t bytes_max, int64_t base_bytes, List* list) {
  constexpr int64_t kFramingBytes = 8;
  int64_t bytes = base_bytes;
  int kept = 0;
  for (; kept < list->size(); ++kept) {
    const int64_t size = static_cast<int64_t>(ElementBytes(list->Get(kept))) + kFramingBytes;
    if (kept > 0 && bytes + size > bytes_max) break;
    bytes += size;
  }
  const int dropped = list->size() - kept;
  if (dropped > 0) list->DeleteSubrange(kept, dropped);
  return static_cast<uint32_t>(dropped);
}
// Resolves an AsOfSpec against the store: at_position becomes the instant of that position.
// kInvalidArgument for a date that is not a real day or a position past the head.
absl::StatusOr<AsOf> FromSpec(const v1::AsOfSpec& spec, const ledger::EventStore& store);
// The position an answer as of `as_of` reflects: the head, or the last position recorded at or
// before known_at.
uint64_t PositionOf(const AsOf& as_of, const ledger::EventStore& store);

void FillCivilYear(const rules::CivilYearReport& report, const rules::Lines& lines, bool closed,
                   v1::GetCivilYearResponse* response);

}  // namespace clas::server

#endif  // CLAS_SERVER_CONVERT_H_
