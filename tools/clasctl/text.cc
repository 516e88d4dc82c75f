#include "tools/clasctl/text.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/base/status_macros.h"
#include "projections/core/calendar.h"
#include "projections/core/money.h"

namespace clas::ctl {

std::string Eur(int64_t cents) { return Money::Cents(cents).ToFrench(); }
std::string EurDot(int64_t cents) { return Money::Cents(cents).ToDecimal(); }
std::string Day(int32_t yyyymmdd) { return yyyymmdd == 0 ? "—" : FrenchDate(yyyymmdd); }

std::string IsoDay(int32_t yyyymmdd) {
  if (yyyymmdd == 0) return "";
  return absl::StrFormat("%04d-%02d-%02d", yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);
}

std::string Instant(int64_t unix_us) {
  if (unix_us == 0) return "—";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::FromUnixMicros(unix_us),
                          absl::UTCTimeZone());
}

std::string SchoolYearText(int32_t n) { return n == 0 ? "—" : SchoolYear(n).ToString(); }

absl::StatusOr<int64_t> ParseEuros(std::string_view text) {
  const auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat("amount '", std::string(text),
                                                   "': expected euros such as 1234,56 or 1234.56"));
  };
  std::string digits = absl::StrReplaceAll(std::string(text),
                                           {{" ", ""}, {"\u202f", ""}, {"\u00a0", ""}, {"€", ""}});
  const size_t separator = digits.find_first_of(",.");
  std::string whole = digits.substr(0, separator);
  std::string fraction = separator == std::string::npos ? "" : digits.substr(separator + 1);
  if (whole.empty() || fraction.size() > 2 ||
      (separator != std::string::npos && fraction.empty())) {
    return bad();
  }
  for (char c : whole + fraction) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return bad();
  }
  int64_t euros = 0;
  if (whole.size() > 12 || !absl::SimpleAtoi(whole, &euros)) return bad();
  while (fraction.size() < 2) fraction.push_back('0');
  return euros * 100 + (fraction[0] - '0') * 10 + (fraction[1] - '0');
}

absl::StatusOr<int64_t> ParseInstant(std::string_view text) {
  int64_t micros = 0;
  if (absl::SimpleAtoi(std::string(text), &micros) && micros >= 0) return micros;
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, std::string(text), &time, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("instant '", std::string(text),
                     "': expected RFC 3339 (2026-07-15T10:32:05Z) or UTC microseconds"));
  }
  return absl::ToUnixMicros(time);
}

absl::StatusOr<int32_t> ParseDay(std::string_view text) {
  auto day = ParseDate(text);
  if (!day.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("date '", std::string(text), "': expected YYYY-MM-DD, a real day"));
  }
  return *day;
}

std::string StatusLabel(v1::ConventionStatus status) {
  switch (status) {
    case v1::DEMANDE_DEPOSEE:
      return "demande déposée";
    case v1::DEMANDE_REFUSEE:
      return "demande refusée";
    case v1::AGREEE:
      return "agréée";
    case v1::SIGNEE:
      return "signée";
    case v1::SOLDEE:
      return "soldée";
    default:
      return "—";
  }
}

std::string InduOriginLabel(v1::InduOrigin origin, std::string_view controle_id) {
  switch (origin) {
    case v1::INDU_FROM_CONTROLE:
      return absl::StrCat("contrôle ", std::string(controle_id));
    case v1::INDU_FROM_NEGATIVE_SOLDE:
      return "solde négatif";
    case v1::INDU_FROM_BILAN_CORRECTION:
      return "bilan corrigé après le solde";
    default:
      return "origine non renseignée";
  }
}

std::string SoldeRevisionText(const v1::EventCorrected& c) {
  if (!c.has_solde_revision()) return "";
  const v1::SoldeRevision& r = c.solde_revision();
  std::string out = absl::StrCat(" ; solde recalculé (DR ", Eur(r.dr_before().droit_cents()), " → ",
                                 Eur(r.dr_after().droit_cents()), ") : ");
  if (r.delta_cents() > 0) {
    absl::StrAppend(&out, "complément de solde de ", Eur(r.delta_cents()), " dû");
  } else if (r.delta_cents() < 0) {
    absl::StrAppend(&out, "indu de ", Eur(-r.delta_cents()), " notifié (", r.indu_id(), ")");
  } else {
    absl::StrAppend(&out, "sans écart");
  }
  return out;
}

std::string AgrementRenewalText(const v1::CentreSocialAgrementRenewed& r) {
  return absl::StrCat(r.gestionnaire_id(), " : agrément délivré par la Caf jusqu'au ",
                      Day(r.centre_social_agrement_end()),
                      r.previous_agrement_end() == 0
                          ? " (aucun enregistré avant)"
                          : absl::StrCat(" (auparavant jusqu'au ", Day(r.previous_agrement_end()),
                                         ")"));
}

std::string RappelCauseLabel(std::string_view controle_id) {
  if (controle_id.empty()) return "complément de solde";
  return absl::StrCat("contrôle ", std::string(controle_id));
}

std::string KindLabel(v1::GestionnaireKind kind) {
  switch (kind) {
    case v1::ASSOCIATION:
      return "association";
    case v1::CENTRE_SOCIAL:
      return "centre social";
    case v1::EVS:
      return "espace de vie sociale";
    case v1::COMMUNE:
      return "commune ou EPCI";
    case v1::ENTREPRISE:
      return "entreprise";
    case v1::CAF_INTERNE:
      return "Caf (dépenses internes)";
    default:
      return "—";
  }
}

std::string EventTypeLabel(std::string_view event_type) {
  static const auto* const kLabels = new std::map<std::string, std::string, std::less<>>{
      {"gestionnaire_registered", "gestionnaire enregistré"},
      {"bareme_published", "barème publié"},
      {"funding_request_filed", "demande déposée"},
      {"committee_decision_recorded", "décision du comité"},
      {"convention_signed", "convention signée"},
      {"avenant_signed", "avenant signé"},
      {"collectifs_notified", "collectifs notifiés"},
      {"acompte_paid", "acompte payé"},
      {"bilan_received", "bilan reçu"},
      {"solde_paid", "solde payé"},
      {"controle_opened", "contrôle ouvert"},
      {"controle_findings_recorded", "constats du contrôle"},
      {"controle_decided", "contrôle décidé"},
      {"indu_notified", "indu notifié"},
      {"recovery_recorded", "recouvrement"},
      {"rappel_paid", "rappel payé"},
      {"civil_year_closed", "exercice clos"},
      {"event_corrected", "correction"},
      {"centre_social_agrement_renewed", "agrément du centre social renouvelé"},
  };
  auto it = kLabels->find(event_type);
  return it == kLabels->end() ? std::string(event_type) : it->second;
}

std::string ViolationLine(const v1::RuleViolation& v) {
  std::string line = absl::StrCat(v.rule_id(), " (", v.section(), ")");
  if (!v.field().empty()) absl::StrAppend(&line, " ", v.field(), " = ", v.value());
  absl::StrAppend(&line, " : ", v.message());
  return line;
}

std::string Count(int64_t n, std::string_view word) {
  return absl::StrCat(n, " ", std::string(word), n == 1 || n == -1 ? "" : "s");
}

std::string Grouped(uint64_t n) {
  std::string digits = absl::StrCat(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ' ';
    out += digits[i];
  }
  return out;
}

std::string Bytes(uint64_t bytes) {
  constexpr uint64_t kKiB = 1024, kMiB = kKiB * 1024, kGiB = kMiB * 1024;
  if (bytes >= kGiB) return absl::StrFormat("%.1f GiB", static_cast<double>(bytes) / kGiB);
  if (bytes >= kMiB) return absl::StrFormat("%.1f MiB", static_cast<double>(bytes) / kMiB);
  if (bytes >= kKiB) return absl::StrFormat("%.1f KiB", static_cast<double>(bytes) / kKiB);
  return absl::StrCat(bytes, " bytes");
}

size_t DisplayWidth(std::string_view utf8) {
  size_t width = 0;
  for (unsigned char c : utf8) width += (c & 0xC0) != 0x80;
  return width;
}

Table::Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

void Table::AddRow(std::vector<std::string> cells) {
  CLAS_CHECK(cells.size() == columns_.size()) << cells.size() << " cells";
  rows_.push_back(std::move(cells));
}

std::string Table::Render(std::string_view indent, bool header) const {
  std::vector<size_t> widths;
  for (const Column& c : columns_) widths.push_back(header ? DisplayWidth(c.title) : 0);
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  }
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string out(indent);
    for (size_t i = 0; i < cells.size(); ++i) {
      const std::string pad(widths[i] - DisplayWidth(cells[i]), ' ');
      if (i > 0) out += "  ";
      out += columns_[i].align == Align::kRight ? pad + cells[i] : cells[i] + pad;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::vector<std::string> titles, rules;
  for (size_t i = 0; i < columns_.size(); ++i) {
    titles.push_back(columns_[i].title);
    rules.push_back(std::string(widths[i], '-'));
  }
  std::string out = header ? line(titles) + line(rules) : "";
  for (const auto& row : rows_) out += line(row);
  return out;
}

std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  return absl::StrCat("\"", absl::StrReplaceAll(std::string(text), {{"\"", "\"\""}}), "\"");
}

std::string Table::Csv() const {
  const auto line = [](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) out += ",";
      out += CsvField(cells[i]);
    }
    return out + "\n";
  };
  std::vector<std::string> titles;
  for (const Column& c : columns_) titles.push_back(c.title);
  std::string out = line(titles);
  for (const auto& row : rows_) out += line(row);
  return out;
}

namespace {

std::string Json(const google::protobuf::Message& message, bool indent) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = indent;
  options.preserve_proto_field_names = true;
  std::string out;
  // Printing a message we built cannot fail; a failure would be a broken invariant.
  const auto status = google::protobuf::util::MessageToJsonString(message, &out, options);
  CLAS_CHECK(status.ok()) << status.ToString();
  if (out.empty() || out.back() != '\n') out += "\n";
  return out;
}

}  // namespace

std::string ToJson(const google::protobuf::Message& message) { return Json(message, true); }
std::string ToJsonLine(const google::protobuf::Message& message) { return Json(message, false); }

}  // namespace clas::ctl
