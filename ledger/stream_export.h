// Offline verification of one stream exported with its hashes (e.g. a convention handed to an
// auditor): no store, no server. Each event's hash is recomputed from its own bytes and stored
// prev hashes, and the stream's links are followed, so that changing, removing or reordering any
// event of the export is found.
//
// What it cannot show alone: that the export is the whole stream and that its events are in the
// national log. For that the auditor compares the last hash with the ledger (VerifyStream, or a
// later export) — the export carries the global head at export time for that purpose.
//
// Thread-safety: a pure function.
#ifndef CLAS_LEDGER_STREAM_EXPORT_H_
#define CLAS_LEDGER_STREAM_EXPORT_H_

#include <string_view>
#include <vector>

#include "clas/ledger/v1/record.pb.h"
#include "ledger/types.h"

namespace clas::ledger {

// Checks, in order: every body parses and names `stream_id` with versions 1, 2, 3 …; every hash
// is the hash of its event's bytes (hash_chain.h); every prev_stream_hash is the previous event's
// hash (zeros for version 1); global positions increase. The report names the first event (by
// its global position, or 0 when its body does not parse) that fails, and what fails.
VerifyReport VerifyExportedStream(const std::vector<v1::StoredEvent>& events,
                                  std::string_view stream_id);

}  // namespace clas::ledger

#endif  // CLAS_LEDGER_STREAM_EXPORT_H_
