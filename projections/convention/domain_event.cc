#include "projections/convention/domain_event.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace clas {

std::string FactName(const v1::ClasEvent& event) {
  if (event.fact_case() == v1::ClasEvent::FACT_NOT_SET) return "";
  const auto* field = v1::ClasEvent::descriptor()->FindFieldByNumber(event.fact_case());
  return field == nullptr ? "" : field->name();
}

absl::StatusOr<DomainEvent> FromRecord(const ledger::v1::EventBody& body) {
  DomainEvent out;
  if (!out.fact.ParseFromString(body.data().payload())) {
    return absl::DataLossError(
        absl::StrCat("position ", body.position(), ": payload is not a clas.v1.ClasEvent"));
  }
  out.event_id = body.data().event_id();
  out.stream_id = body.stream_id();
  out.position = body.position();
  out.stream_version = body.stream_version();
  out.recorded_at_us = body.recorded_at_us();
  out.effective_date = body.data().effective_date();
  out.caf_id = body.data().tenant_id();
  out.actor = body.data().actor();
  out.rule_version = body.data().rule_version();
  return out;
}

ledger::v1::EventData ToEventData(const v1::ClasEvent& fact, std::string_view event_id,
                                  int32_t effective_date, std::string_view caf_id,
                                  const ledger::v1::Actor& actor,
                                  std::string_view rule_version) {
  ledger::v1::EventData data;
  data.set_event_id(std::string(event_id));
  data.set_event_type(FactName(fact));
  data.set_payload(fact.SerializeAsString());
  data.set_effective_date(effective_date);
  *data.mutable_actor() = actor;
  data.set_tenant_id(std::string(caf_id));
  data.set_rule_version(std::string(rule_version));
  return data;
}

std::string BaremeStream() { return "clas/bareme"; }

std::string GestionnaireStream(std::string_view caf_id, std::string_view gestionnaire_id) {
  return absl::StrCat("clas/", std::string(caf_id), "/gestionnaire/",
                      std::string(gestionnaire_id));
}

std::string ConventionStream(std::string_view caf_id, std::string_view convention_id) {
  return absl::StrCat("clas/", std::string(caf_id), "/convention/", std::string(convention_id));
}

std::string CivilYearStream(std::string_view caf_id, int32_t civil_year) {
  return absl::StrCat("clas/", std::string(caf_id), "/civil-year/", civil_year);
}

std::string ConventionStreamPrefix(std::string_view caf_id) {
  if (caf_id.empty()) return "clas/";
  return absl::StrCat("clas/", std::string(caf_id), "/convention/");
}

}  // namespace clas
