// A Clas fact together with what the log recorded about it: the unit every fold consumes.
//
// The folds never see RocksDB: a caller (server, tool, test) decodes the log's records into
// DomainEvents (see FromRecord) and hands them over in log order.
//
// Thread-safety: value types.
#ifndef CLAS_PROJECTIONS_CONVENTION_DOMAIN_EVENT_H_
#define CLAS_PROJECTIONS_CONVENTION_DOMAIN_EVENT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "clas/ledger/v1/record.pb.h"
#include "clas/v1/events.pb.h"
#include "projections/core/stream_layout.h"

namespace clas {

struct DomainEvent {
  std::string event_id;
  std::string stream_id;
  uint64_t position = 0;        // global log position
  uint64_t stream_version = 0;
  int64_t recorded_at_us = 0;   // when the ledger accepted it
  int32_t effective_date = 0;   // yyyymmdd: when the fact takes effect
  std::string caf_id;
  ledger::v1::Actor actor;      // who recorded it (R-HIST-4)
  std::string rule_version;
  v1::ClasEvent fact;
};

// The name of the fact a ClasEvent holds ("acompte_paid", ...); "" when none is set. This is the
// event_type recorded on the log.
std::string FactName(const v1::ClasEvent& event);

// Decodes one log record. Fails with kDataLoss when the payload is not a ClasEvent.
absl::StatusOr<DomainEvent> FromRecord(const ledger::v1::EventBody& body);

// The log record a new fact becomes (everything the writer supplies; the ledger adds the rest).
ledger::v1::EventData ToEventData(const v1::ClasEvent& fact, std::string_view event_id,
                                  int32_t effective_date, std::string_view caf_id,
                                  const ledger::v1::Actor& actor,
                                  std::string_view rule_version);

}  // namespace clas

#endif  // CLAS_PROJECTIONS_CONVENTION_DOMAIN_EVENT_H_
