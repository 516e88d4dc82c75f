// The rebuild of one Caf's projections, shared by both read orders of rebuild.h: the Caf's
// streams by kind, each read (and decoded) when its turn comes, folded as the Engine folds them.
//
// Thread-safety: RebuildCaf may run for different Cafs on many threads at once; Problems is
// thread-safe.
#ifndef CLAS_TOOLS_BENCH_REBUILD_CAF_H_
#define CLAS_TOOLS_BENCH_REBUILD_CAF_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "ledger/types.h"
#include "projections/accounts/books.h"
#include "tools/bench/rebuild.h"

namespace clas::bench {

// The kinds of stream a Caf holds (clas/<caf>/<kind>/<id>), the only ones the rebuild folds.
inline constexpr const char* kFoldedKinds[] = {"gestionnaire", "convention", "civil-year"};
inline constexpr size_t kSamplesMax = 10;

// A count of problems and the first kSamplesMax of them, one sentence each.
class Problems {
 public:
  void Add(std::string sentence) ABSL_LOCKS_EXCLUDED(mu_);
  uint64_t count() const ABSL_LOCKS_EXCLUDED(mu_);
  std::vector<std::string> samples() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  mutable absl::Mutex mu_;
  uint64_t count_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> samples_ ABSL_GUARDED_BY(mu_);
};

// The event a record holds, every field but `fact`, moved out of the record; its payload is
// moved to `payload`, undecoded.
DomainEvent EventOfRecord(ledger::RecordedEvent&& recorded, std::string& payload);

// The event a record holds, its payload decoded; nullopt (and a problem naming its position)
// when the payload is not a clas.v1.ClasEvent.
std::optional<DomainEvent> DecodeRecorded(ledger::RecordedEvent&& recorded, Problems& errors);

// The streams of one Caf: their ids by kind ("convention" -> {"2026-0001", ...}), and how to
// read the decoded events of one, in version order (undecodable events left out, each one a
// problem); an error of the read fails the rebuild.
struct CafStreams {
  std::string caf;
  std::map<std::string, std::vector<std::string>> ids_by_kind = {};
  std::function<absl::StatusOr<std::vector<DomainEvent>>(const std::string& kind,
                                                         const std::string& id)>
      read = nullptr;
};

struct CafFigures {
  uint64_t conventions = 0, gestionnaires = 0, reports = 0, unbalanced = 0;
};

// Every projection of one Caf, as Engine::Books and Engine::GetCivilYear build them as of now:
// its gestionnaires, its conventions (with the states after each correction the accounts need,
// R-ACC-8) and the report of every civil year with its balance checks (R-ACC-10). A stream
// that folds to nothing, a report that cannot be built, a stream of another kind, is one of
// `errors`; a report with a failed check one of `unbalanced`. Reads each stream once, in the
// order gestionnaires, conventions, civil years; holds one stream's events at a time besides
// the Caf's books. Returns the error of a read.
absl::StatusOr<CafFigures> RebuildCaf(const CafStreams& streams, const BaremeBook& baremes,
                                      Problems& errors, Problems& unbalanced);

// Completes `report` once every Caf is rebuilt: one more error unless report.events (those of
// the barème and the Caf streams) is report.head (every event of the log), then the counts of
// `errors` and the samples of both.
void Finish(Problems& errors, const Problems& unbalanced, RebuildReport& report);

}  // namespace clas::bench

#endif  // CLAS_TOOLS_BENCH_REBUILD_CAF_H_
