// A long convention for the read benchmarks: one convention of a centre social over five school
// years whose stream holds a given number of events (1 000 for the row), written through
// the engine's commands so that every event is one the rules accept: the request, the comité,
// the signature, two prolongation avenants, notifications (some corrected), many acomptes in
// both civil years of each school year (some cancelled), bilans (corrected), soldes, contrôles
// ending in indus recovered in instalments. The history stops at the wanted number of events.
//
// It lives in its own Caf (kBenchCaf) so that it does not touch the Caf books of the dataset it
// is added to; the barèmes of its school years are published when the log has none.
//
// Thread-safety: none (one builder, one engine, one thread).
#ifndef CLAS_TOOLS_BENCH_QUERY_LONG_CONVENTION_H_
#define CLAS_TOOLS_BENCH_QUERY_LONG_CONVENTION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "projections/engine/engine.h"

namespace clas::bench {

inline constexpr char kBenchCaf[] = "caf-bench";
inline constexpr char kLongConvention[] = "conv-bench-long";
inline constexpr int32_t kLongFirstSchoolYear = 2021;
inline constexpr int32_t kLongLastSchoolYear = 2025;

struct LongConvention {
  std::string caf_id, convention_id, gestionnaire_id;
  uint64_t events = 0;               // events of the convention's stream
  int32_t first_date = 0, last_date = 0;  // effective dates of its first and last events
};

// Writes the convention (`events_wanted` events in its stream, at least 20) through `engine`.
// FailedPrecondition naming the step when a command is refused (a rule changed), or when the
// convention already exists.
absl::StatusOr<LongConvention> BuildLongConvention(Engine& engine, uint64_t events_wanted);

// The long convention as a previous run left it in the log (a work directory kept with
// --keep_work): NotFound when the log holds none.
absl::StatusOr<LongConvention> FindLongConvention(Engine& engine);

// One small convention per Caf "caf-bench-<i>" (i = 1..count), agreed and signed for school year
// 2025 with a notification: each can then take many small acomptes dated in 2025 (the command
// load of the gRPC benchmark). Returns the (caf, convention) pairs.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> BuildPayableConventions(
    Engine& engine, int count);

}  // namespace clas::bench

#endif  // CLAS_TOOLS_BENCH_QUERY_LONG_CONVENTION_H_
