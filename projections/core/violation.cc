#include "projections/core/violation.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace clas {
namespace {

RuleViolation Make(v1::Severity severity, const Rule& rule, std::string_view field,
                   std::string_view value, std::string_view message) {
  RuleViolation v;
  v.set_rule_id(std::string(rule.id));
  v.set_section(std::string(rule.section));
  v.set_field(std::string(field));
  v.set_value(std::string(value));
  v.set_message(std::string(message));
  v.set_severity(severity);
  return v;
}

}  // namespace

RuleViolation RuleError(const Rule& rule, std::string_view field, std::string_view value,
                        std::string_view message_fr) {
  return Make(v1::SEVERITY_ERROR, rule, field, value, message_fr);
}

RuleViolation RuleWarning(const Rule& rule, std::string_view field, std::string_view value,
                          std::string_view message_fr) {
  return Make(v1::SEVERITY_WARNING, rule, field, value, message_fr);
}

std::string Describe(const RuleViolation& v) {
  std::string out = absl::StrCat(v.rule_id(), " (", v.section(), ")");
  if (!v.field().empty()) absl::StrAppend(&out, " ", v.field());
  if (!v.value().empty()) absl::StrAppend(&out, " = ", v.value());
  absl::StrAppend(&out, " : ", v.message());
  if (v.severity() == v1::SEVERITY_WARNING) absl::StrAppend(&out, " [avertissement]");
  return out;
}

bool Violations::has_errors() const {
  for (const auto& v : all_) {
    if (v.severity() == v1::SEVERITY_ERROR) return true;
  }
  return false;
}

std::vector<RuleViolation> Violations::errors() const {
  std::vector<RuleViolation> out;
  for (const auto& v : all_) {
    if (v.severity() == v1::SEVERITY_ERROR) out.push_back(v);
  }
  return out;
}

std::vector<RuleViolation> Violations::warnings() const {
  std::vector<RuleViolation> out;
  for (const auto& v : all_) {
    if (v.severity() == v1::SEVERITY_WARNING) out.push_back(v);
  }
  return out;
}

bool Violations::Names(std::string_view rule_id) const {
  for (const auto& v : all_) {
    if (v.rule_id() == rule_id) return true;
  }
  return false;
}

absl::Status Violations::ToStatus(absl::StatusCode code) const {
  if (!has_errors()) return absl::OkStatus();
  std::vector<std::string> lines;
  v1::RuleViolations list;
  for (const auto& v : errors()) {
    lines.push_back(Describe(v));
    *list.add_violations() = v;
  }
  for (const auto& v : warnings()) {
    lines.push_back(Describe(v));
    *list.add_violations() = v;
  }
  absl::Status status(code, absl::StrJoin(lines, "\n"));
  status.SetPayload(kRuleViolationsPayloadUrl, absl::Cord(list.SerializeAsString()));
  return status;
}

absl::Status RuleStatus(absl::StatusCode code, RuleViolation violation) {
  Violations v;
  v.Add(std::move(violation));
  return v.ToStatus(code);
}

std::vector<RuleViolation> ViolationsOf(const absl::Status& status) {
  std::vector<RuleViolation> out;
  auto payload = status.GetPayload(kRuleViolationsPayloadUrl);
  if (!payload.has_value()) return out;
  v1::RuleViolations list;
  if (!list.ParseFromString(std::string(*payload))) return out;
  out.assign(list.violations().begin(), list.violations().end());
  return out;
}

}  // namespace clas
