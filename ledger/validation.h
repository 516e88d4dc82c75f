// Input validation of the event log: what Append and the reads refuse before touching storage.
// Each refusal is InvalidArgument naming the field ("stream_id", "events[3].payload", ...).
//
// Thread-safety: pure functions.
#ifndef CLAS_LEDGER_VALIDATION_H_
#define CLAS_LEDGER_VALIDATION_H_

#include <cstddef>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "clas/ledger/v1/record.pb.h"
#include "ledger/limits.h"

namespace clas::ledger {

// OkStatus if `id` is 1..bytes_max bytes, each printable ASCII (0x20..0x7E); InvalidArgument
// naming `field` otherwise.
absl::Status ValidateId(std::string_view field, std::string_view id, size_t bytes_max);

// OkStatus if `stream_id` may name a stream (ValidateId with kStreamIdBytesMax).
absl::Status ValidateStreamId(std::string_view stream_id);

// OkStatus if an Append of `events` to `stream_id` is well formed: a valid stream id; 1 to
// limits.events_per_append_max events of at most kAppendBytesMax bytes in all; each with a
// valid, call-unique event_id, an event_type of 1..kEventTypeBytesMax printable ASCII bytes, a
// payload of at most limits.payload_bytes_max bytes, an effective_date that is 0 or a real
// yyyymmdd day, and text fields of at most kEventTextBytesMax bytes. InvalidArgument naming the
// first bad field otherwise.
absl::Status ValidateAppend(std::string_view stream_id, const std::vector<v1::EventData>& events,
                            const AppendLimits& limits);

// OkStatus if 1 <= max_count <= kReadEventsMax; InvalidArgument naming "max_count" otherwise.
absl::Status ValidateReadCount(size_t max_count);

}  // namespace clas::ledger

#endif  // CLAS_LEDGER_VALIDATION_H_
