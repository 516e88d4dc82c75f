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

}  // namespace clas
