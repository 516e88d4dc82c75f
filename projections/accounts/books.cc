#include "projections/accounts/books.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_format.h"
#include "projections/convention/fold.h"
#include "projections/core/violation.h"

namespace clas {
namespace {

absl::CivilDay Day(int32_t ymd) { return *DayFromYmd(ymd); }

rules::LineOrigin Origin(const v1::ConventionState& c, int32_t school_year,
                         const std::string& cause) {
  return rules::LineOrigin{.convention_id = c.convention_id(),
                           .school_year = SchoolYear(school_year),
                           .kind = c.gestionnaire_kind(),
                           .cause_event_id = cause};
}

void Append(rules::Lines& out, absl::StatusOr<rules::Lines> lines, absl::Status& status) {
  if (!lines.ok()) {
    if (status.ok()) status = lines.status();
    return;
  }
  out.insert(out.end(), lines->begin(), lines->end());
}

Money AcomptesDatedIn(const v1::SchoolYearState& y, int32_t civil_year) {
  Money sum;
  for (const auto& p : y.acomptes()) {
    if (p.civil_year() == civil_year) sum += Money::Cents(p.amount_cents());
  }
  return sum;
}

std::set<int32_t> ClosedYears(const CafBooks& books) {
  std::set<int32_t> out;
  for (const auto& c : books.closings) out.insert(c.closing.civil_year());
  return out;
}

// Lines of the payments and recoveries of one convention (R-ACC-2, R-ACC-5, R-ACC-9).
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
      const v1::DroitBreakdown& dr = known ? recorded->second.dr() : y.dr();
      const int64_t acomptes = known ? recorded->second.acomptes_cents()
                                     : y.acomptes_n_cents() + y.acomptes_n1_cents();
      rules::SoldeInput in{
          .origin = Origin(c, n, y.solde().event_id()),
          .paid_on = Day(y.solde().date()),
          .solde = Money::Cents(dr.droit_cents() - acomptes),
          .dr = dr,
          .acomptes_dated_in_n = AcomptesDatedIn(y, n),
          .open_charge_a_payer = rules::OpenChargeAPayer(closing_lines, c.convention_id(), SchoolYear(n))};
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
                              .method = r.method(),
                              .offset_payment_id = r.offset_payment_id(),
                              .offset_convention_id = r.offset_convention_id()};
      Append(out, rules::RecoveryLines(in), status);
    }
  }
}

// The closing inputs of school year `year` for every convention (R-ACC-3, R-ACC-4).
std::vector<rules::ClosingInput> ClosingInputs(const CafBooks& books, int32_t year) {
  std::vector<rules::ClosingInput> out;
  for (const auto& c : books.conventions) {
    const v1::SchoolYearState* y = FindYear(c, year);
    if (y == nullptr || !y->has_dp() || y->covered_by().empty()) continue;
    // R-ACC-3/4 with R-CONV-5: the DP in force on 31 December of the year closed. A notification
    // or an avenant effective later (the closing is often recorded in January or February)
    // changes the DP from its date on only, never the year already run.
    const v1::DpVersion* in_force = nullptr;
    for (const auto& v : y->dp_history()) {
      if (v.effective_date() <= year * 10000 + 1231) in_force = &v;
    }
    if (in_force == nullptr) continue;
    const std::string& cause = in_force->cause_event_id();
    out.push_back(rules::ClosingInput{.convention_id = c.convention_id(),
                                      .kind = c.gestionnaire_kind(),
                                      .dp = in_force->dp(),
                                      .acomptes_dated_in_y = AcomptesDatedIn(*y, year),
                                      .cause_event_id = cause});
  }
  return out;
}

// The latest correction recorded on a convention (cause of a régularisation).
struct Correction {
  std::string event_id;
  uint64_t position = 0;
};
Correction LatestCorrection(const CafBooks& books) {
  Correction out;
  for (const auto& c : books.conventions) {
    for (const auto& e : c.events()) {
      if (e.type() == "event_corrected" && e.position() >= out.position) {
        out = Correction{.event_id = e.event_id(), .position = e.position()};
      }
    }
  }
  return out;
}

// R-ACC-8: the first civil year after `year` still open when `correction` was recorded. Computed
// from the closings recorded before it, so that closing a year later never moves a régularisation
// already booked in it.
int32_t FirstOpenYear(const CafBooks& books, int32_t year, const Correction& correction) {
  std::set<int32_t> closed_before;
  for (const auto& c : books.closings) {
    if (c.position < correction.position) closed_before.insert(c.closing.civil_year());
  }
  int32_t first_open = year + 1;
  while (closed_before.count(first_open) > 0) ++first_open;
  return first_open;
}

// R-ACC-8: recorded closings, their reversals, and régularisations of later corrections.
void ClosingLinesOf(const CafBooks& books, rules::Lines& closing_lines, rules::Lines& out,
                    absl::Status& status) {
  const Correction correction = LatestCorrection(books);
  for (const auto& rc : books.closings) {
    const int32_t y = rc.closing.civil_year();
    rules::Lines recorded(rc.closing.lines().begin(), rc.closing.lines().end());
    closing_lines.insert(closing_lines.end(), recorded.begin(), recorded.end());
    out.insert(out.end(), recorded.begin(), recorded.end());
    auto recomputed = rules::ClosingLines(CivilYear(y), absl::CivilDay(y, 12, 31),
                                          ClosingInputs(books, y));
    if (recomputed.ok() && !correction.event_id.empty()) {
      const int32_t first_open = FirstOpenYear(books, y, correction);
      auto adjust = rules::AdjustmentLines(recorded, *recomputed,
                                           absl::CivilDay(first_open, 12, 31),
                                           correction.event_id, rc.event_id);
      if (adjust.ok()) {
        closing_lines.insert(closing_lines.end(), adjust->begin(), adjust->end());
        out.insert(out.end(), adjust->begin(), adjust->end());
      }
    }
    Append(out, rules::EngagementReversalLines(SchoolYear(y), absl::CivilDay(y + 1, 12, 31),
                                               rc.event_id, closing_lines), status);
  }
}

}  // namespace

absl::StatusOr<rules::Lines> AllLines(const CafBooks& books) {
  absl::Status status;
  rules::Lines closing_lines, out;
  ClosingLinesOf(books, closing_lines, out, status);
  for (const auto& c : books.conventions) PaymentLines(books, c, closing_lines, out, status);
  RETURN_IF_ERROR(status);
  std::erase_if(out, [&](const v1::AccountingLine& l) { return l.date() > books.as_of_date; });
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    if (a.date() != b.date()) return a.date() < b.date();
    return a.month() < b.month();
  });
  return out;
}

Money PaymentEventsOfYear(const CafBooks& books, int32_t year) {
  Money sum;
  auto add = [&](const v1::PaymentRecord& p) {
    if (p.date() / 10000 == year && p.date() <= books.as_of_date) sum += Money::Cents(p.amount_cents());
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
  ASSIGN_OR_RETURN(rules::Lines lines, AllLines(books));
  int32_t first = year;
  for (const auto& l : lines) first = std::min(first, l.civil_year());
  std::vector<rules::AccountBalance> opening;
  rules::CivilYearReport report;
  for (int32_t y = first; y <= year; ++y) {
    rules::Lines of_year;
    for (const auto& l : lines) {
      if (l.civil_year() == y) of_year.push_back(l);
    }
    std::vector<rules::EnvelopeDp> dps;
    for (const auto& c : books.conventions) {
      for (const auto& sy : c.years()) {
        if ((sy.school_year() == y || sy.school_year() == y - 1) && sy.has_dp()) {
          dps.push_back({c.convention_id(), SchoolYear(sy.school_year()), sy.dp()});
        }
      }
    }
    ASSIGN_OR_RETURN(report, rules::BuildCivilYearReport(books.caf_id, CivilYear(y), of_year,
                                                         PaymentEventsOfYear(books, y), opening,
                                                         dps));
    opening = rules::ClosingBalances(report);
  }
  return report;
}

absl::StatusOr<Facts> DecideCloseCivilYear(const v1::CloseCivilYear& cmd, const CafBooks& books) {
  Violations v;
  const int32_t y = cmd.civil_year();
  if (y < 2000 || y > 2098) {
    v.Add(RuleError("R-ACC-8", "§4", "civil_year", absl::StrCat(y), "exercice invalide"));
    return v.ToStatus(absl::StatusCode::kInvalidArgument);
  }
  if (!IsValidYmd(cmd.date()) || cmd.date() < y * 10000 + 1231) {
    v.Add(RuleError("R-ACC-8", "§4", "date", absl::StrCat(cmd.date()),
                    absl::StrFormat("l'exercice %d se clôt à partir du 31/12/%d (mois 13)", y, y)));
    return v.ToStatus(absl::StatusCode::kInvalidArgument);
  }
  if (ClosedYears(books).count(y) > 0) {
    v.Add(RuleError("R-ACC-8", "§4", "civil_year", absl::StrCat(y),
                    "cet exercice est déjà clos ; un exercice clos n'est jamais réécrit"));
    return v.ToStatus(absl::StatusCode::kFailedPrecondition);
  }
  ASSIGN_OR_RETURN(rules::Lines lines,
                   rules::ClosingLines(CivilYear(y), absl::CivilDay(y, 12, 31), ClosingInputs(books, y)));
  NewFact f;
  f.effective_date = cmd.date();
  f.fact.set_caf_id(cmd.caf_id());
  f.fact.mutable_civil_year_closed()->set_civil_year(y);
  for (auto& l : lines) *f.fact.mutable_civil_year_closed()->add_lines() = l;
  return Facts{f};
}

}  // namespace clas
