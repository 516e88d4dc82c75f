// How clasctl shows a civil year's accounts (year report): to people as a report, to an
// accountant as CSV, one row per accounting line.
//
// Thread-safety: pure functions.
#ifndef CLAS_TOOLS_CLASCTL_FORMAT_YEAR_H_
#define CLAS_TOOLS_CLASCTL_FORMAT_YEAR_H_

#include <string>

#include "clas/v1/service.pb.h"

namespace clas::ctl {

// The report of GetCivilYear: every line (date, month, accounts, amount, code, rule, convention,
// school year, label), totals per account and per statistical code, charges à payer booked and
// settled, engagements booked and reversed, the envelope follow-up (R-ACC-7) and the balance
// check (R-ACC-10), with the log position it reflects.
std::string FormatYearReport(const v1::GetCivilYearResponse& year);

// One CSV row per line, after a header:
//   date,month,debit_account,credit_account,amount_eur,statistical_code,rule_id,convention_id,
//   school_year,cause_event_id,label
// date as YYYY-MM-DD, month 1..12 or 13 (closing period), amount in euros with a dot
// ("1200.00"), school year as "2026-2027". Fields are quoted only when needed (RFC 4180).
std::string YearReportCsv(const v1::GetCivilYearResponse& year);

}  // namespace clas::ctl

#endif  // CLAS_TOOLS_CLASCTL_FORMAT_YEAR_H_
