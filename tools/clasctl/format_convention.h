// How clasctl shows conventions to people: one convention's whole state (convention show), and
// the summaries of a list (convention list). Pure functions of the API's messages.
//
// Thread-safety: pure functions.
#ifndef CLAS_TOOLS_CLASCTL_FORMAT_CONVENTION_H_
#define CLAS_TOOLS_CLASCTL_FORMAT_CONVENTION_H_

#include <string>
#include <vector>

#include "clas/v1/service.pb.h"
#include "clas/v1/state.pb.h"
#include "tools/clasctl/text.h"

namespace clas::ctl {

// A readable summary of a convention: parties, status, avenants; per school year the agrément,
// collectifs, DP/DR/DC with their breakdowns, acomptes by civil year with caps and room, bilan,
// solde, rappels, indus; contrôles; indus with their recoveries; warnings; and the log position
// the state reflects.
std::string FormatConvention(const v1::ConventionState& state, uint64_t log_position);

// DP, DR and DC side by side, one line per step of the computation (R-DROIT-6). Absent droits
// are left out; "" when none is present.
std::string FormatDroits(const v1::SchoolYearState& year, const std::string& indent);

// The table of `convention list`: Caf, convention, gestionnaire, status, school years, paid,
// open indus.
Table ConventionListTable(const std::vector<v1::ConventionSummary>& conventions);
// The same for a spreadsheet: caf_id, convention_id, gestionnaire_id, gestionnaire_name, status
// (the API's name in lower case: signee, soldee, ...), first_school_year, last_school_year
// ("2026-2027"), paid_eur and indus_open_eur ("1234.56").
std::string ConventionListCsv(const std::vector<v1::ConventionSummary>& conventions);

}  // namespace clas::ctl

#endif  // CLAS_TOOLS_CLASCTL_FORMAT_CONVENTION_H_
