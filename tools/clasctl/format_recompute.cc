#include "tools/clasctl/format_recompute.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "projections/history/recompute.h"
#include "tools/clasctl/text.h"

namespace clas::ctl {
namespace {

// "1 écart", "2 écarts"; French keeps 0 singular.
std::string Fr(uint64_t n, const char* singular, const char* plural) {
  return absl::StrCat(Grouped(n), " ", n > 1 ? plural : singular);
}

std::string Value(const std::string& field, int64_t value) {
  return IsAmountField(field) ? Eur(value) : absl::StrCat(value);
}

std::string Rules(const std::string& version) {
  return version.empty() ? "version non enregistrée" : absl::StrCat("règles ", version);
}

}  // namespace

std::string DifferenceLine(const v1::RecomputeDifference& d) {
  return absl::StrCat("écart : ", d.caf_id(), ", position ", d.position(), ", événement ",
                      d.event_id(), " (", EventTypeLabel(d.fact()), ") : ", d.field(),
                      " enregistré ", Value(d.field(), d.recorded_value()), " (",
                      Rules(d.rule_version_recorded()), "), recalculé ",
                      Value(d.field(), d.recomputed_value()), " (",
                      Rules(d.rule_version_current()), ")\n");
}

std::string FormatRecompute(const v1::RecomputeHistoryResponse& all) {
  std::string out;
  for (const v1::RecomputeDifference& d : all.differences()) out += DifferenceLine(d);
  absl::StrAppend(&out, Fr(all.computations_checked(), "calcul revérifié", "calculs revérifiés"),
                  ", ", Fr(static_cast<uint64_t>(all.differences_size()), "écart", "écarts"),
                  " (", Fr(all.events_checked(), "événement lu", "événements lus"), ", ",
                  Grouped(all.cafs_checked()), " Caf ; ", Rules(all.rule_version_current()),
                  ", registre lu jusqu'à la position ", all.log_position(), ")\n");
  return out;
}

}  // namespace clas::ctl
