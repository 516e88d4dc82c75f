// The audit report of one convention as a single self-contained HTML page (`clasctl convention
// report --html`): a header that ties the page to a point of the ledger (log position and hash of
// the last event covered), the timeline of events, one SVG bar chart per school year comparing
// the droits (DP, DR, DC) with what was paid, and the open indus.
//
// The page loads nothing: the CSS and the charts are inline, there is no script and no link to
// another site, so that it can be archived with the file it audits and printed as is. Every text
// that comes from the ledger is HTML-escaped.
//
// Thread-safety: pure functions.
#ifndef CLAS_TOOLS_CLASCTL_REPORT_HTML_H_
#define CLAS_TOOLS_CLASCTL_REPORT_HTML_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "clas/v1/service.pb.h"
#include "clas/v1/state.pb.h"

namespace clas::ctl {

// `text` with &, <, >, " and ' replaced by their character references.
std::string HtmlEscape(std::string_view text);

// The page, in French. `state` is the convention as of the last item of `history` (the items of
// Audit.ReplayHistory, in log order); `report_at_us` is the instant of the report (UTC
// microseconds). An empty history gives a page that says so.
std::string ConventionReportHtml(const v1::ConventionState& state,
                                 const std::vector<v1::ReplayHistoryItem>& history,
                                 int64_t report_at_us);

// One school year's chart: horizontal bars for DP, DR and DC (those computed), and a bar of what
// was paid, stacked by acomptes, solde and rappels, with the indus notified hatched at its end;
// each bar labelled with its amount ("1 234,56 €").
std::string SchoolYearChartSvg(const v1::SchoolYearState& year);

}  // namespace clas::ctl

#endif  // CLAS_TOOLS_CLASCTL_REPORT_HTML_H_
