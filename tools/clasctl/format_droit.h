// How clasctl shows droits (R-DROIT-6: every droit with its breakdown) and the outcome of a
// contrôle simulation (R-CTL-2/3/4).
//
// Thread-safety: pure functions.
#ifndef CLAS_TOOLS_CLASCTL_FORMAT_DROIT_H_
#define CLAS_TOOLS_CLASCTL_FORMAT_DROIT_H_

#include <string>
#include <utility>
#include <vector>

#include "clas/v1/service.pb.h"
#include "clas/v1/types.pb.h"
#include "tools/clasctl/text.h"

namespace clas::ctl {

// Droits side by side, one column per (title, breakdown), one row per step: barème, C (E, P),
// charges, base, PS, bonuses, the 80 % cap and its reduction, droit, N and N+1 shares.
Table DroitTable(const std::vector<std::pair<std::string, v1::DroitBreakdown>>& droits);

// The simulation's outcome per school year (DC, paid, rappel or indu), then each DC's
// breakdown; the log position it was computed at.
std::string FormatSimulation(const v1::SimulateControleResponse& response);

}  // namespace clas::ctl

#endif  // CLAS_TOOLS_CLASCTL_FORMAT_DROIT_H_
