#include "projections/convention/gestionnaire.h"

#include "projections/codec/state_codec.h"

namespace clas {
namespace {

// A recorded day, or nullopt for 0 ("none recorded"). A recorded day was checked a real day when
// its command was decided (R-HIST-2); a fold takes a corrupt one as none rather than crashing.
std::optional<absl::CivilDay> RecordedDay(int32_t yyyymmdd) {
  if (yyyymmdd == 0) return std::nullopt;
  absl::StatusOr<absl::CivilDay> day = DayFromYmd(yyyymmdd);
  return day.ok() ? std::optional(*day) : std::nullopt;
}

// The gestionnaire of Caf `caf_id` as its registration `e` (a gestionnaire_registered fact) says.
Gestionnaire Registered(const std::string& caf_id, const DomainEvent& e) {
  const v1::GestionnaireRegistered& g = e.fact.gestionnaire_registered();
  const int32_t since = g.supported_since_school_year();
  return Gestionnaire{
      .caf_id = caf_id,
      .gestionnaire_id = g.gestionnaire_id(),
      .name = g.name(),
      .kind = codec::KindOf(g.kind()),
      .supported_since = since > 0 ? std::optional(SchoolYear(since)) : std::nullopt,
      .centre_social_agrement_end = RecordedDay(g.centre_social_agrement_end()),
      .event_id = e.event_id};
}

}  // namespace

std::optional<Gestionnaire> FoldGestionnaire(const std::string& caf_id,
                                             const std::vector<DomainEvent>& stream,
                                             const AsOf& as_of) {
  std::optional<Gestionnaire> out;
  for (const DomainEvent& e : Timeline(stream, as_of)) {
    if (e.fact.has_gestionnaire_registered()) {
      out = Registered(caf_id, e);
    } else if (e.fact.has_centre_social_agrement_renewed() && out.has_value()) {
      out->centre_social_agrement_end =
          RecordedDay(e.fact.centre_social_agrement_renewed().centre_social_agrement_end());
    }
  }
  return out;
}

}  // namespace clas
