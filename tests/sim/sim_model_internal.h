// Helpers shared by the files of the simulation's model (sim_model*.cc). Not part of its API.
#ifndef CLAS_TESTS_SIM_SIM_MODEL_INTERNAL_H_
#define CLAS_TESTS_SIM_SIM_MODEL_INTERNAL_H_

#include <string>

#include "tests/sim/sim_model.h"

namespace clas::sim::model_internal {

inline constexpr int64_t kAmountMax =
    100'000'000'000;  // 1 billion euros: a figure beyond is malformed
inline constexpr int32_t kCollectifsMax = 1000;
inline constexpr int32_t kConventionYearsMax = 5;  // R-CONV-2
inline constexpr int32_t kSupportedYearsMin = 2;   // R-CONV-2

inline void Add(Expectation* e, const std::string& rule) { e->rules.push_back(rule); }

inline ModelFigures FromProto(const v1::Figures& f) {
  return ModelFigures{.collectifs = f.collectifs(),
                      .bonus_enfants = f.bonus_enfants_collectifs(),
                      .bonus_parents = f.bonus_parents_collectifs(),
                      .charges = f.charges_cents(),
                      .autres_bf = f.autres_bf_cents()};
}

// The figure checks every bilan and contrôle shares (R-DROIT-2, R-DROIT-4, R-DROIT-5, R-BON-3).
inline void CheckFigures(Expectation* e, const ModelFigures& f, const ModelYear* y) {
  if (f.collectifs < 0 || f.collectifs > kCollectifsMax) Add(e, "R-DROIT-2");
  if (f.charges < 0 || f.charges > kAmountMax) Add(e, "R-DROIT-2");
  if (f.autres_bf < 0 || f.autres_bf > kAmountMax) Add(e, "R-DROIT-5");
  const int32_t granted[] = {y ? y->agreed_bonus_enfants : 0, y ? y->agreed_bonus_parents : 0};
  const int32_t count[] = {f.bonus_enfants, f.bonus_parents};
  for (int i = 0; i < 2; ++i) {
    if (count[i] < 0 || count[i] > f.collectifs) {
      Add(e, "R-DROIT-4");
    } else if (y != nullptr && count[i] > granted[i]) {
      Add(e, "R-BON-3");
    }
  }
}

}  // namespace clas::sim::model_internal

#endif  // CLAS_TESTS_SIM_SIM_MODEL_INTERNAL_H_
