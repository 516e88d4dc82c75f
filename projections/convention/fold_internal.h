// Helpers shared by the files of the fold's Apply (fold_apply.cc, fold_controle.cc). Not part of
// the public API: include only from those files.
#ifndef CLAS_PROJECTIONS_CONVENTION_FOLD_INTERNAL_H_
#define CLAS_PROJECTIONS_CONVENTION_FOLD_INTERNAL_H_

#include <cstdint>
#include <string>

#include "clas/v1/state.pb.h"
#include "projections/convention/domain_event.h"

namespace clas::fold_internal {

// Adds event `id` to the sources of `figure` of `year`, once.
void AddSource(v1::SchoolYearState* year, const std::string& figure, const std::string& id);
// The state's school year `school_year`, added (in order) when missing.
v1::SchoolYearState* EnsureYear(v1::ConventionState* state, int32_t school_year);
// The payment record of a payment fact `e`.
v1::PaymentRecord MakePayment(const DomainEvent& e, const std::string& id, int64_t amount,
                              const char* kind);

// fold_controle.cc: the facts of a contrôle and of its money.
void ApplyControleOpened(v1::ConventionState* s, const DomainEvent& e);
void ApplyControleFindings(v1::ConventionState* s, const DomainEvent& e);
void ApplyControleDecided(v1::ConventionState* s, const DomainEvent& e);
void ApplyIndu(v1::ConventionState* s, const DomainEvent& e);
void ApplyRecovery(v1::ConventionState* s, const DomainEvent& e);
void ApplyRappel(v1::ConventionState* s, const DomainEvent& e);

}  // namespace clas::fold_internal

#endif  // CLAS_PROJECTIONS_CONVENTION_FOLD_INTERNAL_H_
