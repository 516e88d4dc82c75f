// The closings of civil years (books.h): the ones the Caf recorded, read back with their lines
// (AddClosings, R-ACC-8's régularisations), and the decision of a new one
// (DecideCloseCivilYear: R-ACC-3, R-ACC-4, and R-ACC-8's order of closings).
#include <deque>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/base/status_macros.h"
#include "projections/accounts/books.h"
#include "projections/codec/line_codec.h"
#include "projections/core/calendar.h"
#include "projections/core/violation.h"
#include "projections/rules/accounting.h"

namespace clas {

namespace {

// What the Caf's books hold before civil year `year`, in French ("" when nothing): a year
// closed, a school year a convention covers, a payment dated then.
std::string ActivityBefore(const CafBooks& books, const std::set<int32_t>& closed, int32_t year) {
  if (!closed.empty() && *closed.begin() < year) {
    return absl::StrFormat("l'exercice %d l'est", *closed.begin());
  }
  for (const auto& c : books.conventions) {
    for (const auto& y : c.years()) {
      if (y.school_year() < year && !y.covered_by().empty()) {
        return absl::StrFormat("la convention %s couvre l'année scolaire %s", c.convention_id(),
                               SchoolYear(y.school_year()).ToString());
      }
      std::vector<const v1::PaymentRecord*> paid;
      for (const auto& p : y.acomptes()) paid.push_back(&p);
      for (const auto& p : y.rappels()) paid.push_back(&p);
      if (y.solde_paid()) paid.push_back(&y.solde());
      for (const v1::PaymentRecord* p : paid) {
        if (p->date() < year * 10000) {
          return absl::StrFormat("le paiement %s de la convention %s est daté du %s",
                                 p->payment_id(), c.convention_id(), FrenchDate(p->date()));
        }
      }
    }
  }
  return "";
}

}  // namespace

absl::StatusOr<RecordedClosing> RecordedClosingOf(const DomainEvent& e) {
  CLAS_CHECK(e.fact.has_civil_year_closed()) << e.event_id;
  const v1::CivilYearClosed& closing = e.fact.civil_year_closed();
  absl::StatusOr<rules::Lines> lines = codec::Decode(closing.lines());
  if (!lines.ok()) {
    return absl::DataLossError(absl::StrFormat("la clôture %s de l'exercice %d : %s", e.event_id,
                                               closing.civil_year(), lines.status().message()));
  }
  return RecordedClosing{.year = CivilYear(closing.civil_year()),
                         .lines = *std::move(lines),
                         .event_id = e.event_id,
                         .date = e.effective_date,
                         .position = e.position};
}

absl::Status AddClosings(const std::vector<DomainEvent>& events, const AsOf& as_of,
                         CafBooks* books) {
  std::vector<const DomainEvent*> closings;
  std::deque<DomainEvent> replaced;
  for (const DomainEvent* e : TimelineRefs(events, as_of, &replaced)) {
    if (e->fact.has_civil_year_closed()) closings.push_back(e);
  }
  std::vector<RecordedClosing> decoded;
  decoded.reserve(closings.size());
  for (const DomainEvent* e : closings) {
    ASSIGN_OR_RETURN(RecordedClosing closing, RecordedClosingOf(*e));
    decoded.push_back(std::move(closing));
  }
  books->closings.insert(books->closings.end(), std::make_move_iterator(decoded.begin()),
                         std::make_move_iterator(decoded.end()));
  return absl::OkStatus();
}

bool RegularisesAClosedYear(const DomainEvent& e, const std::vector<RecordedClosing>& closings) {
  if (e.fact.has_event_corrected()) return true;
  if (!e.fact.has_collectifs_notified() && !e.fact.has_avenant_signed()) return false;
  for (const RecordedClosing& c : closings) {
    if (c.position < e.position && CivilYearOfYmd(e.effective_date) <= c.year.y()) return true;
  }
  return false;
}

absl::StatusOr<Facts> DecideCloseCivilYear(const v1::CloseCivilYear& cmd, const CafBooks& books) {
  Violations v;
  const int32_t y = cmd.civil_year();
  if (y < 2000 || y > 2098) {
    v.Add(RuleError(rule::kAcc8, "civil_year", absl::StrCat(y), "exercice invalide"));
    return v.ToStatus(absl::StatusCode::kInvalidArgument);
  }
  if (!IsValidYmd(cmd.date()) || cmd.date() < y * 10000 + 1231) {
    v.Add(RuleError(rule::kAcc8, "date", absl::StrCat(cmd.date()),
                    absl::StrFormat("l'exercice %d se clôt à partir du 31/12/%d (mois 13)", y, y)));
    return v.ToStatus(absl::StatusCode::kInvalidArgument);
  }
  const std::set<int32_t> closed = ClosedYears(books);
  if (closed.count(y) > 0) {
    v.Add(RuleError(rule::kAcc8, "civil_year", absl::StrCat(y),
                    "cet exercice est déjà clos ; un exercice clos n'est jamais réécrit"));
    return v.ToStatus(absl::StatusCode::kFailedPrecondition);
  }
  // R-ACC-8: closing Y books lines in Y + 1 (the reversal of its engagements in month 12, its
  // charges à payer settled by the soldes) and carries its balances forward. Once a later year is
  // closed, that would rewrite it: the years of a Caf are closed in order.
  if (auto later = closed.upper_bound(y); later != closed.end()) {
    v.Add(RuleError(rule::kAcc8, "civil_year", absl::StrCat(y),
                    absl::StrFormat("l'exercice %d est déjà clos : clore maintenant l'exercice %d, "
                                    "antérieur, réécrirait l'exercice clos %d (reprise des "
                                    "engagements, charges à payer, soldes reportés) ; les "
                                    "exercices se clôturent dans l'ordre",
                                    *later, y, *later)));
    return v.ToStatus(absl::StatusCode::kFailedPrecondition);
  }
  // [choice] Nor is a year skipped: Y − 1 left open under a closed Y would keep taking lines (its
  // payments, the charges à payer and engagements of its school year) that Y carries forward.
  if (closed.count(y - 1) == 0) {
    if (const std::string open = ActivityBefore(books, closed, y); !open.empty()) {
      v.Add(RuleError(rule::kAcc8, "civil_year", absl::StrCat(y),
                      absl::StrFormat("l'exercice %d n'est pas clos (%s) : les exercices se "
                                      "clôturent dans l'ordre, sans en sauter",
                                      y - 1, open)));
      return v.ToStatus(absl::StatusCode::kFailedPrecondition);
    }
  }
  ASSIGN_OR_RETURN(rules::Lines lines, rules::ClosingLines(CivilYear(y), absl::CivilDay(y, 12, 31),
                                                           ClosingInputs(books, y)));
  NewFact f;
  f.effective_date = cmd.date();
  f.fact.set_caf_id(cmd.caf_id());
  f.fact.mutable_civil_year_closed()->set_civil_year(y);
  codec::Encode(lines, f.fact.mutable_civil_year_closed()->mutable_lines());
  return Facts{f};
}

}  // namespace clas
