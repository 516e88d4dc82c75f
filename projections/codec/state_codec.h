// The wire form of the states the API answers with, written here only (the server's side of the
// typed core: a state is folded as C++ values and encoded once, when it is answered).
//
// Thread-safety: pure functions.
#ifndef CLAS_PROJECTIONS_CODEC_STATE_CODEC_H_
#define CLAS_PROJECTIONS_CODEC_STATE_CODEC_H_

#include <optional>

#include "clas/v1/events.pb.h"
#include "clas/v1/state.pb.h"
#include "clas/v1/types.pb.h"
#include "projections/core/gestionnaire.h"
#include "projections/core/recovery.h"

namespace clas::codec {

v1::GestionnaireKind Encode(std::optional<GestionnaireKind> kind);  // nullopt: UNSPECIFIED
std::optional<GestionnaireKind> KindOf(v1::GestionnaireKind kind);  // UNSPECIFIED, unknown: none

// UNSPECIFIED, unknown: none.
std::optional<RecoveryMethod> MethodOf(v1::RecoveryMethod method);

void Encode(const Gestionnaire& g, v1::GestionnaireState* out);
v1::GestionnaireState Encode(const Gestionnaire& g);

}  // namespace clas::codec

#endif  // CLAS_PROJECTIONS_CODEC_STATE_CODEC_H_
