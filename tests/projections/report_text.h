// A civil year's report as French text, one account, code or check per line: how the tests show
// a report they check, and compare one report with another.
#ifndef CLAS_TESTS_PROJECTIONS_REPORT_TEXT_H_
#define CLAS_TESTS_PROJECTIONS_REPORT_TEXT_H_

#include <string>

#include "projections/rules/accounting_report.h"

namespace clas::testing {

std::string FormatReport(const rules::CivilYearReport& report);

}  // namespace clas::testing

#endif  // CLAS_TESTS_PROJECTIONS_REPORT_TEXT_H_
