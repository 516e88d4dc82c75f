// The civil-year accounting of one Caf (R-ACC-*): every line it books, derived from the states
// of its conventions and the closings it recorded, and the report of one civil year.
//
// Lines come from facts: an acompte, a solde, a rappel or a recovery gives its lines on its own
// date (R-ACC-2, R-ACC-5, R-ACC-9); a closing gives the lines it recorded (R-ACC-3/4), never
// recomputed (R-ACC-8); the engagements of a closed year are reversed in month 12 of the next
// (R-ACC-4); a later correction of figures a closing used becomes a régularisation in the first
// open year (R-ACC-8). A report as of D shows the lines dated on or before D.
//
// Thread-safety: pure functions.
#ifndef CLAS_PROJECTIONS_ACCOUNTS_BOOKS_H_
#define CLAS_PROJECTIONS_ACCOUNTS_BOOKS_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clas/v1/events.pb.h"
#include "clas/v1/state.pb.h"
#include "projections/convention/decide.h"
#include "projections/rules/accounting.h"
#include "projections/rules/accounting_report.h"

namespace clas {

// A closing the Caf recorded: the year it closed, the lines it booked, and its event.
struct RecordedClosing {
  CivilYear year{0};
  rules::Lines lines;
  std::string event_id;
  int32_t date = 0;
  // Its log position: a correction recorded after it finds its year closed (R-ACC-8). 0 when
  // unknown: the year is then taken as closed before any correction.
  uint64_t position = 0;
};

// A convention as known just after one of its corrections was recorded (R-ACC-8): a closed year's
// lines are regularised correction by correction, each in the first civil year open when it was
// recorded, so that neither a later correction nor a later closing moves what an earlier one
// booked.
struct CorrectedState {
  std::string correction_event_id;
  uint64_t correction_position = 0;
  v1::ConventionState state;
};

// R-ACC-8: whether `e`, an event of a convention, may change figures a closing in `closings`
// used, and so regularises a closed year: a correction, or a notification or an avenant whose
// effective date falls in a civil year closed before it was recorded. The books keep the
// convention as known just after each such event (CafBooks.corrected).
bool RegularisesAClosedYear(const DomainEvent& e, const std::vector<RecordedClosing>& closings);

// What the books of one Caf are made of, as of one bitemporal point.
struct CafBooks {
  std::string caf_id;
  std::vector<v1::ConventionState> conventions;
  std::vector<RecordedClosing> closings;
  // The solde facts as recorded, by event id: a solde's lines use the DR it was computed from
  // (R-HIST-3). When a solde is missing here, its lines use the DR of its school year's state.
  std::map<std::string, v1::SoldePaid> soldes;
  // By convention id, every correction of the convention in log order. A convention corrected
  // but missing here is regularised in one step, from its state in `conventions`, caused by its
  // latest correction.
  std::map<std::string, std::vector<CorrectedState>> corrected;
  int32_t as_of_date = 99991231;
};

// Adds to books->closings the closings of `events` (a civil-year stream, in version order) as of
// `as_of`. kDataLoss when a closing's lines are not lines the rules can have booked
// (codec/line_codec.h); books->closings is then unchanged.
absl::Status AddClosings(const std::vector<DomainEvent>& events, const AsOf& as_of,
                         CafBooks* books);

// The closing `e` records (an event whose fact is civil_year_closed), its lines decoded.
absl::StatusOr<RecordedClosing> RecordedClosingOf(const DomainEvent& e);

// Every line of the Caf's books dated on or before books.as_of_date, sorted by date.
absl::StatusOr<rules::Lines> AllLines(const CafBooks& books);

// The report of civil year `year` (R-ACC-7, R-ACC-10), with opening balances carried from the
// years before.
absl::StatusOr<rules::CivilYearReport> CivilYearReportOf(const CafBooks& books, int32_t year);

// The reports of every civil year from the first one a line names (at most `year`) to `year`, in
// order: each opens with the balances the one before closes with. One pass over the lines, for a
// caller that wants them all (CivilYearReportOf is the last of them).
absl::StatusOr<std::vector<rules::CivilYearReport>> CivilYearReportsOf(const CafBooks& books,
                                                                        int32_t year);

// The payment events (acomptes, soldes, rappels) dated in civil year `year`, gross (R-ACC-10).
Money PaymentEventsOfYear(const CafBooks& books, int32_t year);

// The civil years the Caf closed.
std::set<int32_t> ClosedYears(const CafBooks& books);

// What the closing of civil year `year` books for school year `year` (R-ACC-3, R-ACC-4): the
// DP in force on 31 December of every convention covering it.
std::vector<rules::ClosingInput> ClosingInputs(const CafBooks& books, int32_t year);

// The closing of civil year `year` (R-ACC-3, R-ACC-4, R-ACC-8): the lines it records, from the
// DP in force of every convention of school year `year`. kFailedPrecondition when the year is
// already closed or the date is before its last day.
absl::StatusOr<Facts> DecideCloseCivilYear(const v1::CloseCivilYear& cmd, const CafBooks& books);

}  // namespace clas

#endif  // CLAS_PROJECTIONS_ACCOUNTS_BOOKS_H_
