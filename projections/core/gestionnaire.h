// A gestionnaire as the ledger knows it: what its registration recorded, and the renewals of a
// centre social's agrément délivré par la Caf (R-CONV-2). Its wire form is
// clas.v1.GestionnaireState, written by codec/state_codec.h only.
//
// Thread-safety: value type.
#ifndef CLAS_PROJECTIONS_CORE_GESTIONNAIRE_H_
#define CLAS_PROJECTIONS_CORE_GESTIONNAIRE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "projections/core/calendar.h"

namespace clas {

// The kinds of gestionnaire (circular §2.1), and the Caf itself: each has its statistical codes
// (R-ACC-6). A kind the wire carries and this enum lacks (one added to the schema later) is read
// as none: std::optional<GestionnaireKind>.
enum class GestionnaireKind : uint8_t {
  kAssociation,
  kCentreSocial,
  kEvs,
  kCommune,
  kEntreprise,
  kCafInterne,
};

struct Gestionnaire {
  std::string caf_id;
  std::string gestionnaire_id;
  std::string name;
  std::optional<GestionnaireKind> kind;  // as registered; nullopt for a kind unknown here
  // R-CONV-2: the first school year the Caf supported it; nullopt when never before.
  std::optional<SchoolYear> supported_since;
  // R-CONV-2: the last day of a centre social's agrément; nullopt when none is recorded.
  std::optional<absl::CivilDay> centre_social_agrement_end;
  std::string event_id;  // the event that registered it
  // Its conventions: filled by the query that answers for one gestionnaire only.
  std::vector<std::string> convention_ids;

  // R-CONV-2: supported by the Caf for at least `years` school years before school year `n`.
  bool SupportedFor(int32_t years, SchoolYear n) const {
    return supported_since.has_value() && n.n() - supported_since->n() >= years;
  }
  friend bool operator==(const Gestionnaire&, const Gestionnaire&) = default;
};

}  // namespace clas

#endif  // CLAS_PROJECTIONS_CORE_GESTIONNAIRE_H_
