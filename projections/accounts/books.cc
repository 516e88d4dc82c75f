#include "projections/accounts/books.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "ledger/base/status_macros.h"
#include "projections/codec/droit_codec.h"
#include "projections/codec/state_codec.h"
#include "projections/convention/fold.h"
#include "projections/core/violation.h"

namespace clas {
namespace {

// A date the ledger recorded: checked a real day when its command was decided (R-HIST-2).
absl::CivilDay Day(int32_t ymd) {
  absl::StatusOr<absl::CivilDay> day = DayFromYmd(ymd);
  CLAS_CHECK(day.ok()) << "a recorded date is a real day (R-HIST-2): " << ymd;
  return *day;
}

rules::LineOrigin Origin(const v1::ConventionState& c, int32_t school_year,
                         const std::string& cause) {
  return rules::LineOrigin{.convention_id = c.convention_id(),
                           .school_year = SchoolYear(school_year),
                           .kind = codec::KindOf(c.gestionnaire_kind()),
                           .cause_event_id = cause};
}

void Append(rules::Lines& out, absl::StatusOr<rules::Lines> lines, absl::Status& status) {
  if (!lines.ok()) {
    if (status.ok()) status = lines.status();
    return;
  }
  out.insert(out.end(), std::make_move_iterator(lines->begin()),
             std::make_move_iterator(lines->end()));
}

Money AcomptesDatedIn(const v1::SchoolYearState& y, int32_t civil_year) {
  Money sum;
  for (const auto& p : y.acomptes()) {
    if (p.civil_year() == civil_year) sum += Money::Cents(p.amount_cents());
  }
  return sum;
}

// Lines of the payments and recoveries of one convention (R-ACC-2, R-ACC-5, R-ACC-9).
// `closing_lines` holds at least the closing lines of `c` (those of other conventions are ignored).
void PaymentLines(const CafBooks& books, const v1::ConventionState& c,
                  const rules::Lines& closing_lines, rules::Lines& out, absl::Status& status) {
  for (const auto& y : c.years()) {
    const int32_t n = y.school_year();
    for (const auto& p : y.acomptes()) {
      Append(out, rules::AcompteLines(Origin(c, n, p.event_id()), Day(p.date()),
                                      Money::Cents(p.amount_cents())), status);
    }
    // R-HIST-3, R-ACC-8: a solde is split with the DR it was computed from, as recorded with it,
    // never with a DR corrected after it was paid (its year may be closed).
    const auto recorded = books.soldes.find(y.solde().event_id());
    const bool known = y.solde_paid() && recorded != books.soldes.end();
    if (y.solde_paid() && (known || y.has_dr())) {
      const DroitShares dr = codec::SharesOf(known ? recorded->second.dr() : y.dr());
      const Money acomptes =
          known ? Money::Cents(recorded->second.acomptes_cents())
                : Money::Cents(y.acomptes_n_cents()) + Money::Cents(y.acomptes_n1_cents());
      rules::SoldeInput in{.origin = Origin(c, n, y.solde().event_id()),
                           .paid_on = Day(y.solde().date()),
                           .solde = dr.droit - acomptes,
                           .dr = dr,
                           .acomptes_dated_in_n = AcomptesDatedIn(y, n),
                           .open_charge_a_payer = rules::OpenChargeAPayer(
                               closing_lines, c.convention_id(), SchoolYear(n))};
      if (y.solde().amount_cents() > 0) in.solde = Money::Cents(y.solde().amount_cents());
      Append(out, rules::SoldeLines(in), status);
    }
    for (const auto& r : y.rappels()) {
      Append(out, rules::RappelLines(Origin(c, n, r.event_id()), Day(r.date()),
                                     Money::Cents(r.amount_cents())), status);
    }
  }
  for (const auto& i : c.indus()) {
    for (const auto& r : i.recoveries()) {
      rules::RecoveryInput in{.origin = Origin(c, i.school_year(), r.event_id()),
                              .recovered_on = Day(r.date()),
                              .amount = Money::Cents(r.amount_cents()),
                              .method = codec::MethodOf(r.method()),
                              .offset_payment_id = r.offset_payment_id(),
                              .offset_convention_id = r.offset_convention_id()};
      Append(out, rules::RecoveryLines(in), status);
    }
  }
}

// The closing input of school year `year` for one convention (R-ACC-3, R-ACC-4), or nullopt.
std::optional<rules::ClosingInput> ClosingInputOf(const v1::ConventionState& c, int32_t year) {
  const v1::SchoolYearState* y = FindYear(c, year);
  if (y == nullptr || !y->has_dp() || y->covered_by().empty()) return std::nullopt;
  // R-ACC-3/4 with R-CONV-5: the DP in force on 31 December of the year closed. A notification
  // or an avenant effective later (the closing is often recorded in January or February)
  // changes the DP from its date on only, never the year already run.
  const v1::DpVersion* in_force = nullptr;
  for (const auto& v : y->dp_history()) {
    if (v.effective_date() <= year * 10000 + 1231) in_force = &v;
  }
  if (in_force == nullptr) return std::nullopt;
  return rules::ClosingInput{.convention_id = c.convention_id(),
                             .kind = codec::KindOf(c.gestionnaire_kind()),
                             .dp = codec::SharesOf(in_force->dp()),
                             .acomptes_dated_in_y = AcomptesDatedIn(*y, year),
                             .cause_event_id = in_force->cause_event_id()};
}

// The latest correction recorded on a convention (cause of a régularisation of its lines: a
// correction of one convention never changes the lines of another).
struct Correction {
  std::string event_id;
  uint64_t position = 0;
};
Correction LatestCorrection(const v1::ConventionState& c) {
  Correction out;
  for (const auto& e : c.events()) {
    if (e.type() == "event_corrected" && e.position() >= out.position) {
      out = Correction{.event_id = e.event_id(), .position = e.position()};
    }
  }
  return out;
}

rules::Lines LinesOf(const rules::Lines& lines, const std::string& convention_id) {
  rules::Lines out;
  for (const Line& l : lines) {
    if (l.convention_id == convention_id) out.push_back(l);
  }
  return out;
}

// R-ACC-8: the first civil year after `year` still open when `correction` was recorded. Computed
// from the closings recorded before it, so that closing a year later never moves a régularisation
// already booked in it.
int32_t FirstOpenYear(const CafBooks& books, int32_t year, const Correction& correction) {
  std::set<int32_t> closed_before;
  for (const auto& c : books.closings) {
    if (c.position < correction.position) closed_before.insert(c.year.y());
  }
  int32_t first_open = year + 1;
  while (closed_before.count(first_open) > 0) ++first_open;
  return first_open;
}

// The lines the closing of `year` gives for one convention as `state` knows it.
rules::Lines ClosingLinesFor(const v1::ConventionState& state, int32_t year) {
  std::vector<rules::ClosingInput> in;
  if (auto one = ClosingInputOf(state, year)) in.push_back(*std::move(one));
  auto lines = rules::ClosingLines(CivilYear(year), absl::CivilDay(year, 12, 31), in);
  return lines.ok() ? *std::move(lines) : rules::Lines();
}

// The log position of the solde of school year `n` of `c` (0 when not paid).
uint64_t SoldePosition(const v1::ConventionState& c, int32_t n) {
  const v1::SchoolYearState* y = FindYear(c, n);
  if (y == nullptr || !y->solde_paid()) return 0;
  for (const auto& e : c.events()) {
    if (e.event_id() == y->solde().event_id()) return e.position();
  }
  return 0;
}

// R-ACC-4, R-ACC-5: a régularisation only touches what the closing left open: the engagement of
// school year N until its reversal in December N+1, the charge à payer until the solde of N
// settles or cancels it. A correction recorded later has nothing left to regularise there.
bool StillOpen(const v1::ConventionState& c, const Line& l, int32_t booked_year,
               uint64_t correction_position) {
  auto touches = [&](Account account) { return l.debit == account || l.credit == account; };
  if (touches(Account::kEngagementDebit) || touches(Account::kEngagementCredit)) {
    return booked_year <= l.school_year.n() + 1;
  }
  if (touches(Account::kChargesAPayer)) {
    const uint64_t solde = SoldePosition(c, l.school_year.n());
    return solde == 0 || solde > correction_position;
  }
  return true;
}

// Whether school year `year` of `c` was covered (by the convention or an avenant) before log
// position `position`.
bool CoveredBefore(const v1::ConventionState& c, int32_t year, uint64_t position) {
  const v1::SchoolYearState* y = FindYear(c, year);
  if (y == nullptr || y->covered_by_event_id().empty()) return false;
  for (const auto& e : c.events()) {
    if (e.event_id() == y->covered_by_event_id()) return e.position() < position;
  }
  return false;
}

// R-ACC-8: the régularisations of the lines the closing `rc` recorded for convention `c`:
// one step per correction of `c` recorded after the closing, each booked in the first civil year
// open when it was recorded (a convention missing from books.corrected: one step, from its
// current state, caused by its latest correction). A closing used only the conventions that
// covered its school year when it was recorded (R-ACC-3/4): one signed or prolonged to cover it
// since was not in it, and none of its facts changes a figure the closing used.
rules::Lines Regularisations(const CafBooks& books, const RecordedClosing& rc,
                             const v1::ConventionState& c) {
  const int32_t y = rc.year.y();
  if (!CoveredBefore(c, y, rc.position)) return {};
  // The steps are looked at where they are (a state is a whole convention: never copied).
  struct Step {
    const v1::ConventionState* state;
    Correction correction;
  };
  std::vector<Step> steps;
  auto it = books.corrected.find(c.convention_id());
  if (it != books.corrected.end()) {
    for (const auto& step : it->second) {
      if (step.correction_position > rc.position) {
        steps.push_back(Step{.state = &step.state,
                             .correction = Correction{.event_id = step.correction_event_id,
                                                      .position = step.correction_position}});
      }
    }
  } else if (Correction latest = LatestCorrection(c); !latest.event_id.empty()) {
    steps.push_back(Step{.state = &c, .correction = std::move(latest)});
  }
  if (steps.empty()) return {};  // most conventions: no correction after the closing
  rules::Lines out, before = LinesOf(rc.lines, c.convention_id());
  for (const Step& step : steps) {
    rules::Lines after = ClosingLinesFor(*step.state, y);
    const Correction& correction = step.correction;
    const int32_t booked_year = FirstOpenYear(books, y, correction);
    auto adjust = rules::AdjustmentLines(before, after, absl::CivilDay(booked_year, 12, 31),
                                         correction.event_id, rc.event_id);
    for (const auto& l : adjust.ok() ? *adjust : rules::Lines()) {
      if (StillOpen(c, l, booked_year, correction.position)) out.push_back(l);
    }
    before = std::move(after);
  }
  return out;
}

// R-ACC-8: recorded closings, their reversals, and régularisations of later corrections.
void ClosingLinesOf(const CafBooks& books, rules::Lines& closing_lines, rules::Lines& out,
                    absl::Status& status) {
  for (const auto& rc : books.closings) {
    const int32_t y = rc.year.y();
    // Copied from the closing once for each list (not once more through a list of its own).
    const rules::Lines& recorded = rc.lines;
    closing_lines.insert(closing_lines.end(), recorded.begin(), recorded.end());
    out.insert(out.end(), recorded.begin(), recorded.end());
    for (const auto& c : books.conventions) {
      rules::Lines adjust = Regularisations(books, rc, c);
      closing_lines.insert(closing_lines.end(), adjust.begin(), adjust.end());
      out.insert(out.end(), std::make_move_iterator(adjust.begin()),
                 std::make_move_iterator(adjust.end()));
    }
    Append(out, rules::EngagementReversalLines(SchoolYear(y), absl::CivilDay(y + 1, 12, 31),
                                               rc.event_id, closing_lines), status);
  }
}

}  // namespace

std::set<int32_t> ClosedYears(const CafBooks& books) {
  std::set<int32_t> out;
  for (const auto& c : books.closings) out.insert(c.year.y());
  return out;
}

std::vector<rules::ClosingInput> ClosingInputs(const CafBooks& books, int32_t year) {
  std::vector<rules::ClosingInput> out;
  for (const auto& c : books.conventions) {
    if (auto in = ClosingInputOf(c, year)) out.push_back(*std::move(in));
  }
  return out;
}

absl::StatusOr<rules::Lines> AllLines(const CafBooks& books) {
  absl::Status status;
  rules::Lines closing_lines, out;
  ClosingLinesOf(books, closing_lines, out, status);
  // The closing lines of each convention, so that each solde's open charge à payer is looked up
  // among the few lines of its own convention instead of every line of the Caf.
  absl::flat_hash_map<std::string, rules::Lines> closing_lines_of;
  for (Line& l : closing_lines) closing_lines_of[l.convention_id].push_back(std::move(l));
  closing_lines.clear();
  const rules::Lines none;
  for (const auto& c : books.conventions) {
    const auto it = closing_lines_of.find(c.convention_id());
    PaymentLines(books, c, it == closing_lines_of.end() ? none : it->second, out, status);
  }
  RETURN_IF_ERROR(status);
  std::erase_if(out, [&](const Line& l) { return YmdFromDay(l.date) > books.as_of_date; });
  // Sorted by date then month, lines of equal date and month in the order they were made: the
  // keys are sorted (their index breaks ties), then each line is moved once into its place,
  // rather than the lines themselves moved around by a stable sort.
  struct Key {
    absl::CivilDay date;
    int month;
    uint32_t index;
  };
  std::vector<Key> keys;
  keys.reserve(out.size());
  for (size_t i = 0; i < out.size(); ++i) {
    keys.push_back(Key{out[i].date, out[i].month, static_cast<uint32_t>(i)});
  }
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    if (a.date != b.date) return a.date < b.date;
    if (a.month != b.month) return a.month < b.month;
    return a.index < b.index;
  });
  rules::Lines sorted;
  sorted.reserve(out.size());
  for (const Key& k : keys) sorted.push_back(std::move(out[k.index]));
  return sorted;
}

Money PaymentEventsOfYear(const CafBooks& books, int32_t year) {
  Money sum;
  auto add = [&](const v1::PaymentRecord& p) {
    if (CivilYearOfYmd(p.date()) == year && p.date() <= books.as_of_date)
      sum += Money::Cents(p.amount_cents());
  };
  for (const auto& c : books.conventions) {
    for (const auto& y : c.years()) {
      for (const auto& p : y.acomptes()) add(p);
      if (y.solde_paid()) add(y.solde());
      for (const auto& p : y.rappels()) add(p);
    }
  }
  return sum;
}

absl::StatusOr<rules::CivilYearReport> CivilYearReportOf(const CafBooks& books, int32_t year) {
  ASSIGN_OR_RETURN(std::vector<rules::CivilYearReport> reports, CivilYearReportsOf(books, year));
  return std::move(reports.back());
}

absl::StatusOr<std::vector<rules::CivilYearReport>> CivilYearReportsOf(const CafBooks& books,
                                                                        int32_t year) {
  ASSIGN_OR_RETURN(rules::Lines lines, AllLines(books));
  int32_t first = year;
  for (const Line& l : lines) first = std::min(first, l.civil_year().y());
  std::map<int32_t, rules::Lines> by_year;
  for (Line& l : lines) {
    const int32_t y = l.civil_year().y();
    if (y >= first && y <= year) by_year[y].push_back(std::move(l));
  }
  std::vector<rules::AccountBalance> opening;
  std::vector<rules::CivilYearReport> reports;
  for (int32_t y = first; y <= year; ++y) {
    const rules::Lines& of_year = by_year[y];
    // R-ACC-7: each DP as in force on 31 December of the year (or on the report's date when
    // earlier), as known at the report's instant; not the latest.
    const int32_t in_force_on = std::min(y * 10000 + 1231, books.as_of_date);
    std::vector<rules::EnvelopeDp> dps;
    for (const auto& c : books.conventions) {
      for (const auto& sy : c.years()) {
        if (sy.school_year() != y && sy.school_year() != y - 1) continue;
        if (const v1::DroitBreakdown* dp = DpInForce(sy, in_force_on); dp != nullptr) {
          dps.push_back({c.convention_id(), SchoolYear(sy.school_year()), codec::SharesOf(*dp)});
        }
      }
    }
    ASSIGN_OR_RETURN(rules::CivilYearReport report,
                     rules::BuildCivilYearReport(books.caf_id, CivilYear(y), of_year,
                                                 PaymentEventsOfYear(books, y), opening, dps));
    opening = rules::ClosingBalances(report);
    reports.push_back(std::move(report));
  }
  return reports;
}

}  // namespace clas
