// The one French describer of the Clas facts, with their amounts, for every text clasctl shows a
// Caf agent or an auditor: `convention history`, the HTML report, and any other. The wording
// follows the circular's terms.
//
// Thread-safety: pure functions.
#ifndef CLAS_TOOLS_CLASCTL_DESCRIBE_H_
#define CLAS_TOOLS_CLASCTL_DESCRIBE_H_

#include <string>

#include "clas/v1/events.pb.h"

namespace clas::ctl {

// What a fact says, in French, with its amounts: "a1, 2026-2027 : 2 800,00 € sur l'exercice 2026
// (plafond 2 800,00 €, déjà versé 0,00 €)". "" for a fact of no known kind. Not escaped.
std::string DescribeFact(const v1::ClasEvent& fact);

}  // namespace clas::ctl

#endif  // CLAS_TOOLS_CLASCTL_DESCRIBE_H_
