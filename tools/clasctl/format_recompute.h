// How clasctl shows the recompute check (Audit.RecomputeHistory, R-HIST-3) to a Caf agent, in
// French: one line per difference, then one line saying how much was checked.
//
// Thread-safety: pure functions.
#ifndef CLAS_TOOLS_CLASCTL_FORMAT_RECOMPUTE_H_
#define CLAS_TOOLS_CLASCTL_FORMAT_RECOMPUTE_H_

#include <string>

#include "clas/v1/service.pb.h"

namespace clas::ctl {

// One line: "écart : caf-75, position 42, événement <id> (acompte payé) : cap_cents enregistré
// 1 300,00 € (règles C-2025-001/0), recalculé 1 274,00 € (règles C-2026-069/1)". Amounts in
// euros, counts as numbers.
std::string DifferenceLine(const v1::RecomputeDifference& d);

// The differences of every page put together (`all`: their counts summed), one line each, then
// the summary: "3 calculs revérifiés, 0 écart (8 événements lus, 1 Caf ; règles C-2026-069/1,
// registre lu jusqu'à la position 42)".
std::string FormatRecompute(const v1::RecomputeHistoryResponse& all);

}  // namespace clas::ctl

#endif  // CLAS_TOOLS_CLASCTL_FORMAT_RECOMPUTE_H_
