#include "ledger/stream_export.h"

#include "absl/strings/str_format.h"
#include "ledger/hash_chain.h"

namespace clas::ledger {
namespace {

VerifyReport Bad(VerifyReport report, uint64_t position, std::string problem) {
  report.ok = false;
  report.first_bad_position = position;
  report.problem = std::move(problem);
  return report;
}

}  // namespace

VerifyReport VerifyExportedStream(const std::vector<v1::StoredEvent>& events,
                                  std::string_view stream_id) {
  VerifyReport report;
  std::string previous_hash = GenesisHash();
  uint64_t previous_position = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const v1::StoredEvent& stored = events[i];
    v1::EventBody body;
    if (!body.ParseFromString(stored.body())) {
      return Bad(report, 0, absl::StrFormat("event %d of the export: body does not parse", i + 1));
    }
    const uint64_t position = body.position();
    if (body.stream_id() != stream_id || body.stream_version() != i + 1) {
      return Bad(report, position,
                 absl::StrFormat("expected %s version %d, found %s version %d",
                                 std::string(stream_id), i + 1, body.stream_id(),
                                 body.stream_version()));
    }
    if (position <= previous_position) {
      return Bad(report, position, "global positions do not increase");
    }
    if (absl::Status own = CheckStoredHash(stored); !own.ok()) {
      return Bad(report, position, std::string(own.message()));
    }
    if (stored.prev_stream_hash() != previous_hash) {
      return Bad(report, position,
                 "prev_stream_hash is not the hash of the stream's previous event (an event "
                 "is missing, added or reordered)");
    }
    previous_hash = stored.hash();
    previous_position = position;
    ++report.events_checked;
    report.last_hash = stored.hash();
  }
  return report;
}

}  // namespace clas::ledger
