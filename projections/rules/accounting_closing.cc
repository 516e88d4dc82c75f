// R-ACC-3, R-ACC-4: the lines of a civil year's closing, and the reversal of its engagements the
// next December (declared in accounting.h).
#include <map>
#include <string>
#include <utility>

#include "absl/strings/str_format.h"
#include "ledger/base/status_macros.h"
#include "projections/rules/accounting.h"
#include "projections/rules/accounting_internal.h"

namespace clas::rules {

using namespace accounting_internal;  // NOLINT: the helpers of the accounting files

namespace {

void CheckClosing(Faults& f, CivilYear year, absl::CivilDay booked_on,
                  const std::vector<ClosingInput>& conventions) {
  CheckDay(f, "booked_on", booked_on);
  if (booked_on.year() != year.y()) {
    f.Add("booked_on", FrenchDate(YmdFromDay(booked_on)),
          absl::StrFormat("la clôture de l'exercice %d est datée en %d", year.y(), year.y()));
  }
  if (conventions.size() > kClosingConventionsMax) {
    f.Add("conventions", absl::StrFormat("%d", conventions.size()),
          absl::StrFormat("au plus %d conventions par clôture", kClosingConventionsMax));
    return;
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < conventions.size(); ++i) {
    const ClosingInput& c = conventions[i];
    const std::string field = absl::StrFormat("conventions[%d]", i);
    if (c.convention_id.empty()) f.Add(field + ".convention_id", "", "convention non renseignée");
    if (!seen.insert(c.convention_id).second) {
      f.Add(field + ".convention_id", c.convention_id, "convention présente deux fois");
    }
    if (c.cause_event_id.empty()) {
      f.Add(field + ".cause_event_id", "", "événement d'origine non renseigné");
    }
    CheckKind(f, field + ".kind", c.kind);
    CheckBreakdown(f, field + ".dp", c.dp, SchoolYear(year.y()));
    CheckAmount(f, field + ".acomptes_dated_in_y", c.acomptes_dated_in_y, false);
  }
}

}  // namespace

// R-ACC-3 and R-ACC-4 (closing of civil year Y, period 13).
absl::StatusOr<Lines> ClosingLines(CivilYear year, absl::CivilDay booked_on,
                                   const std::vector<ClosingInput>& conventions) {
  Faults f(rule::kAcc3);
  CheckClosing(f, year, booked_on, conventions);
  RETURN_IF_ERROR(f.ToStatus());
  const std::string school_year = SchoolYear(year.y()).ToString();
  const Booking when{booked_on, kClosingMonth};
  Lines out;
  for (const ClosingInput& c : conventions) {
    const DroitShares& dp = c.dp;
    const StatisticalCode code = StatisticalCodeOf(*c.kind, false);
    // R-ACC-3: the 4/10 of the service rendered in Y, less what its acomptes already paid.
    const Money charge = Max(Money::Zero(), dp.n_share - c.acomptes_dated_in_y);
    accounting_internal::Book(c.convention_id, SchoolYear(year.y()), c.cause_event_id, when,
                              {Account::kSubsidyN, Account::kChargesAPayer, charge, code,
                               rule::kAcc3, "Charge à payer 4/10 " + school_year},
                              &out);
    // R-ACC-4: the 6/10 of the service to be rendered in Y+1, as an engagement.
    accounting_internal::Book(
        c.convention_id, SchoolYear(year.y()), c.cause_event_id, when,
        {Account::kEngagementDebit, Account::kEngagementCredit, dp.ps - dp.n_share, code,
         rule::kAcc4, "Engagement 6/10 " + school_year},
        &out);
  }
  return out;
}

// R-ACC-4 (reversal in month 12 of N+1).
absl::StatusOr<Lines> EngagementReversalLines(SchoolYear school_year, absl::CivilDay booked_on,
                                              std::string_view cause_event_id,
                                              const Lines& booked) {
  Faults f(rule::kAcc4);
  CheckDay(f, "booked_on", booked_on);
  if (booked_on.year() != school_year.n() + 1 || booked_on.month() != 12) {
    f.Add("booked_on", FrenchDate(YmdFromDay(booked_on)),
          absl::StrFormat("l'engagement de %s est contrepassé en décembre %d",
                          school_year.ToString(), school_year.n() + 1));
  }
  if (cause_event_id.empty()) f.Add("cause_event_id", "", "événement d'origine non renseigné");
  if (booked.size() > kLinesMax) f.Add("booked", "", "trop de lignes");
  RETURN_IF_ERROR(f.ToStatus());
  // Net engagement per (convention, code): debits minus credits of kEngagementDebit.
  std::map<std::pair<std::string, StatisticalCode>, Money> net;
  for (const Line& line : booked) {
    if (line.school_year != school_year) continue;
    const bool earlier_reversal =
        line.rule == rule::kAcc4 && line.civil_year().y() > school_year.n();
    if (earlier_reversal || !accounting_internal::AmountInRange(line)) continue;
    const auto key = std::make_pair(line.convention_id, line.code);
    if (line.debit == Account::kEngagementDebit && line.credit == Account::kEngagementCredit) {
      net[key] += line.amount;
    } else if (line.debit == Account::kEngagementCredit &&
               line.credit == Account::kEngagementDebit) {
      net[key] -= line.amount;
    }
  }
  Lines out;
  for (const auto& [key, amount] : net) {
    if (amount < Money::Zero()) {
      f.Add("booked", key.first, "engagement net créditeur sur T 8091 : rien à contrepasser");
      continue;
    }
    accounting_internal::Book(
        key.first, school_year, cause_event_id, {booked_on, 12},
        {Account::kEngagementCredit, Account::kEngagementDebit, amount, key.second, rule::kAcc4,
         "Contrepassation engagement 6/10 " + school_year.ToString()},
        &out);
  }
  RETURN_IF_ERROR(f.ToStatus());
  return out;
}

Money OpenChargeAPayer(const Lines& booked, std::string_view convention_id,
                       SchoolYear school_year) {
  CLAS_CHECK(booked.size() <= kLinesMax);
  Money open;
  for (const Line& line : booked) {
    if (line.convention_id != convention_id || line.school_year != school_year ||
        !accounting_internal::AmountInRange(line)) {
      continue;
    }
    if (line.credit == Account::kChargesAPayer) open += line.amount;
    if (line.debit == Account::kChargesAPayer) open -= line.amount;
  }
  return open;
}

}  // namespace clas::rules
