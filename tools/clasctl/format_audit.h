// How clasctl shows a convention's history (ReplayHistory) and the difference between two dates
// (DiffStates).
//
// Thread-safety: pure functions.
#ifndef CLAS_TOOLS_CLASCTL_FORMAT_AUDIT_H_
#define CLAS_TOOLS_CLASCTL_FORMAT_AUDIT_H_

#include <string>
#include <vector>

#include "clas/v1/service.pb.h"

namespace clas::ctl {

// The timeline, in French: per event its position, effective date, recording instant, type, who
// (actor id and role), what it says with its amounts (describe.h), the rule ids it carries
// (warnings and rules applied), and whether a later event corrected or cancelled it. The marks come
// from `last`, the state after the last event (GetConvention at its position), which knows every
// correction.
std::string FormatHistory(const v1::ConventionState& last,
                          const std::vector<v1::ReplayHistoryItem>& items);

// The changes between the two dates (path, before, after; amounts in euros, dates as days),
// then the events effective in between. Unless `all`, changes of the timeline (events[...]),
// of provenance (sources, event ids) and of the log position are counted but not listed, and
// long values are cut.
std::string FormatDiff(const v1::DiffStatesResponse& diff, int32_t from_date, int32_t to_date,
                       bool all);

}  // namespace clas::ctl

#endif  // CLAS_TOOLS_CLASCTL_FORMAT_AUDIT_H_
