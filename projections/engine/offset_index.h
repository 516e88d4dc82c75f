// R-ACC-9: "an offset also shows the reduced payment it came from". An offset is recorded on the
// convention of the indu it recovers (RecoveryRecorded: offset_payment_id, offset_convention_id).
// When the payment belongs to that same convention its fold shows it (fold.cc); when it belongs
// to another convention of the same gestionnaire, the fold of the paying convention never reads
// the recovery. OffsetIndex keeps, per Caf, the offsets recorded on one convention and withheld
// from another's payment, with the cancellations of those recoveries, so that a read of the
// paying convention shows them as of any date D, as known at any instant T (R-HIST-2).
//
// Costs: a Caf's index is read from its convention streams once (one read per stream), then kept
// up to date by the events the engine appends (Add), so that a read costs a lookup. When the log
// holds events the index was not told of (another writer), the Caf's streams are read again from
// where the index left them (one read per stream) before the next answer.
//
// Thread-safety: thread-safe.
#ifndef CLAS_PROJECTIONS_ENGINE_OFFSET_INDEX_H_
#define CLAS_PROJECTIONS_ENGINE_OFFSET_INDEX_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "clas/v1/state.pb.h"
#include "projections/convention/domain_event.h"
#include "projections/convention/fold.h"

namespace clas {

class OffsetIndex {
 public:
  // Reads the events of one stream from version `from_version` (1-based) on.
  using StreamReader = std::function<absl::StatusOr<std::vector<DomainEvent>>(
      const std::string& stream, uint64_t from_version)>;
  // Lists the convention streams of a Caf.
  using StreamLister =
      std::function<absl::StatusOr<std::vector<std::string>>(const std::string& caf_id)>;

  // Adds to the payments of `state` (a convention of `caf_id` folded as of `as_of`) the offsets
  // withheld from them by recoveries of other conventions, visible as of `as_of` and not
  // cancelled as of it. `log_head` is the log's position now: when events up to it were not all
  // told (Appended), the Caf's streams are read again first.
  absl::Status ShowOn(const std::string& caf_id, const AsOf& as_of, uint64_t log_head,
                      const StreamLister& list, const StreamReader& read,
                      v1::ConventionState* state);

  // Tells the index of events the engine appended to `stream` (positions consecutive).
  void Appended(const std::string& stream, const std::vector<DomainEvent>& events);

 private:
  struct Offset {
    std::string recovery_event_id;
    std::string payment_id;
    int64_t amount_cents = 0;
    int32_t effective_date = 0;
    int64_t recorded_at_us = 0;
  };
  struct Cancellation {
    int32_t effective_date = 0;
    int64_t recorded_at_us = 0;
    bool cancel = false;
  };
  struct Caf {
    bool loaded = false;  // read from its streams, and current unless `stale`
    bool stale = false;   // another writer wrote: read its streams from `versions` on
    std::map<std::string, uint64_t> versions;  // convention stream -> last version read
    // Paying convention id -> offsets withheld from its payments by other conventions.
    absl::flat_hash_map<std::string, std::vector<Offset>> by_paying;
    // Recovery event id -> the corrections that name it, in stream order.
    absl::flat_hash_map<std::string, std::vector<Cancellation>> corrections;
  };

  static void Take(Caf& caf, const std::string& stream, const std::vector<DomainEvent>& events);
  absl::Status Load(const std::string& caf_id, Caf& caf, const StreamLister& list,
                    const StreamReader& read) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::map<std::string, Caf> cafs_ ABSL_GUARDED_BY(mu_);
  // The loaded Cafs hold every event up to position synced_; of those after it, told_ were
  // told (Appended). Positions are consecutive: the index is current when the log's head is
  // synced_ + told_.
  uint64_t synced_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t told_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace clas

#endif  // CLAS_PROJECTIONS_ENGINE_OFFSET_INDEX_H_
