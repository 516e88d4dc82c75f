// The convention fold: Apply(state, event) → state, and the bitemporal selection of the events a
// fold sees (R-HIST-2).
//
// A state "as of effective date D, as known at instant T" is the fold of the stream's events
// recorded at or before T, whose effective date is at or before D, with the corrections recorded
// at or before T applied to their targets (R-HIST-1), in order of (effective date, position).
// A fold is pure: no I/O; the barème and the gestionnaire come in a FoldContext.
//
// Thread-safety: functions are pure; a BaremeBook is immutable once built.
#ifndef CLAS_PROJECTIONS_CONVENTION_FOLD_H_
#define CLAS_PROJECTIONS_CONVENTION_FOLD_H_

#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "clas/v1/state.pb.h"
#include "clas/v1/types.pb.h"
#include "projections/convention/domain_event.h"
#include "projections/core/gestionnaire.h"

namespace clas {

// "No limit" for the two time axes.
inline constexpr int32_t kAsOfEndOfTime = 99991231;
inline constexpr int64_t kKnownNow = std::numeric_limits<int64_t>::max();

// The bitemporal point a projection answers for.
struct AsOf {
  int32_t effective_date = kAsOfEndOfTime;  // D
  int64_t known_at_us = kKnownNow;          // T
};

// The barèmes published, by school year (R-DROIT-1, R-DROIT-7).
class BaremeBook {
 public:
  // Builds the book from the barème stream's events as of `as_of`.
  static BaremeBook FromEvents(const std::vector<DomainEvent>& events, const AsOf& as_of);
  void Put(const v1::BaremeFigures& bareme) { by_year_[bareme.school_year()] = bareme; }
  // The barème of school year N, or nullptr when none is published.
  const v1::BaremeFigures* Find(int32_t school_year) const;

 private:
  std::map<int32_t, v1::BaremeFigures> by_year_;
};

struct FoldContext {
  const BaremeBook* baremes = nullptr;            // REQUIRES: not null
  const Gestionnaire* gestionnaire = nullptr;     // may be null (unknown gestionnaire)
};

// The place of an event in fold order: (effective date, position). A correction's replacement
// keeps the place of the event it replaces.
struct FoldPlace {
  int32_t effective_date = std::numeric_limits<int32_t>::min();
  uint64_t position = 0;
  friend auto operator<=>(const FoldPlace&, const FoldPlace&) = default;
};
inline FoldPlace PlaceOf(const DomainEvent& e) { return {e.effective_date, e.position}; }

// The events of one stream a fold as of `as_of` sees, corrections applied, in fold order.
// A correction replaces its target's fact (or drops it when cancelled); the correction itself is
// kept in the timeline (it is part of the history) but Apply only records it.
std::vector<DomainEvent> Timeline(const std::vector<DomainEvent>& stream, const AsOf& as_of);

// The part of Timeline(stream, as_of) placed after `after`, without copying the events: pointers
// into `stream`, and into `replaced` for the events a correction replaced (appended there; the
// pointers stay valid while `stream` and `replaced` live). With the default `after` (placed
// before every yyyymmdd date), the whole timeline.
std::vector<const DomainEvent*> TimelineRefs(const std::vector<DomainEvent>& stream,
                                             const AsOf& as_of, std::deque<DomainEvent>* replaced,
                                             FoldPlace after = FoldPlace{});

// Applies one event (already corrected) to the state. Unknown or irrelevant facts only add to
// the timeline. Recomputes the derived figures of the school years the event touches.
void Apply(v1::ConventionState* state, const DomainEvent& event, const FoldContext& context);

// Folds a whole stream as of `as_of` (Timeline, then Apply in order, then FinishFold).
v1::ConventionState FoldConvention(const std::vector<DomainEvent>& stream, const AsOf& as_of,
                                   const FoldContext& context);

// The last step of a fold as of `as_of`, once every event of its timeline is applied: marks the
// events that the corrections of `stream` visible as of `as_of` replaced or cancelled, and stamps
// the state with `as_of`. A state kept up to date by Apply (a snapshot) becomes the answer of a
// query through this function, exactly as FoldConvention's own.
void FinishFold(v1::ConventionState* state, const std::vector<DomainEvent>& stream,
                const AsOf& as_of);

// Appends to `years` the school years `fact` names (a year named twice in a row once): the only
// years whose barème a fold of it may read.
void AppendNamedYears(const v1::ClasEvent& fact, std::vector<int32_t>* years);
// `years` sorted, each once.
std::vector<int32_t> SortedUnique(std::vector<int32_t> years);
// What a fold of a stream naming `years` (sorted, each once) reads from `context` (the
// gestionnaire's name and kind, the barème of each year), as bytes: two contexts with the same
// key give the same states. REQUIRES: context.baremes is not null.
std::string FoldContextKey(const std::vector<int32_t>& years, const FoldContext& context);

// The school year's entry, or nullptr.
const v1::SchoolYearState* FindYear(const v1::ConventionState& state, int32_t school_year);
v1::SchoolYearState* MutableYear(v1::ConventionState* state, int32_t school_year);

// The payment (acompte, rappel or solde) of `year` with this id, or nullptr.
v1::PaymentRecord* MutablePayment(v1::SchoolYearState* year, std::string_view payment_id);

// The DP in force on a date (R-PAY-6): the last DP version effective at or before `date`.
// nullptr when none.
const v1::DroitBreakdown* DpInForce(const v1::SchoolYearState& year, int32_t date);

// Recomputes the derived figures of one school year (DP, DR, caps, rooms, sums) from its facts.
void RecomputeYear(v1::SchoolYearState* year, int32_t effective_date, const std::string& cause,
                   const FoldContext& context);

}  // namespace clas

#endif  // CLAS_PROJECTIONS_CONVENTION_FOLD_H_
