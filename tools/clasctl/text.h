// Text building blocks of clasctl's output: amounts, dates and instants as people read them,
// aligned tables that render as text or CSV, and the parsing of what people type (euros,
// instants). Every function is pure.
//
// Widths count Unicode code points, so that "€" and accented labels align.
//
// Thread-safety: value types and pure functions.
#ifndef CLAS_TOOLS_CLASCTL_TEXT_H_
#define CLAS_TOOLS_CLASCTL_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "clas/v1/state.pb.h"
#include "clas/v1/types.pb.h"
#include "google/protobuf/message.h"

namespace clas::ctl {

// "1 234,56 €".
std::string Eur(int64_t cents);
// "1234.56": for CSV files an accountant loads.
std::string EurDot(int64_t cents);
// yyyymmdd -> "15/10/2026"; 0 -> "—".
std::string Day(int32_t yyyymmdd);
// yyyymmdd -> "2026-10-15"; 0 -> "".
std::string IsoDay(int32_t yyyymmdd);
// UTC microseconds -> "2026-07-15 10:32:05 UTC"; 0 -> "—".
std::string Instant(int64_t unix_us);
// 2026 -> "2026-2027"; 0 -> "—".
std::string SchoolYearText(int32_t n);

// "1234,56", "1 234,56", "1234.5", "1234" (euros) -> cents, exactly. InvalidArgument for
// anything else, more than two decimals, or a negative amount.
absl::StatusOr<int64_t> ParseEuros(std::string_view text);
// An instant: RFC 3339 ("2026-07-15T10:32:05Z", offsets allowed) or an integer of UTC
// microseconds. InvalidArgument otherwise.
absl::StatusOr<int64_t> ParseInstant(std::string_view text);
// "2026-10-15" or "15/10/2026" -> yyyymmdd, strictly. InvalidArgument otherwise.
absl::StatusOr<int32_t> ParseDay(std::string_view text);

// Words for enum values, in the users' terms.
std::string StatusLabel(v1::ConventionStatus status);
std::string KindLabel(v1::GestionnaireKind kind);
// Where an indu comes from: "contrôle ctl-1", "solde négatif", "bilan corrigé après le solde".
std::string InduOriginLabel(v1::InduOrigin origin, std::string_view controle_id);
// R-PAY-9: " ; solde recalculé (DR 3 900,00 € → 4 225,00 €) : complément de solde de 325,00 €
// dû", or the indu notified, or "sans écart"; empty when `r` is unset.
std::string SoldeRevisionText(const v1::EventCorrected& c);
// What a rappel pays: "contrôle ctl-1", or "complément de solde" (R-PAY-9) without a contrôle.
// A renewal of a centre social's agrément: its id, new last day and the one replaced (French).
std::string AgrementRenewalText(const v1::CentreSocialAgrementRenewed& r);
std::string RappelCauseLabel(std::string_view controle_id);
// "acompte_paid" -> "acompte payé"; an unknown type is shown as is.
std::string EventTypeLabel(std::string_view event_type);
// "R-PAY-2 (§4) amount_cents = 2800,01 : <message>".
std::string ViolationLine(const v1::RuleViolation& v);

// "1 collectif", "3 collectifs" (the plural with an s).
std::string Count(int64_t n, std::string_view word);
// 12345678 -> "12 345 678".
std::string Grouped(uint64_t n);
// 3375134 -> "3.2 MiB".
std::string Bytes(uint64_t bytes);

// Number of code points of a UTF-8 string.
size_t DisplayWidth(std::string_view utf8);

// A table of text cells: rendered with aligned columns for people, or as RFC 4180 CSV.
class Table {
 public:
  enum class Align { kLeft, kRight };
  struct Column {
    std::string title;
    Align align = Align::kLeft;
  };

  explicit Table(std::vector<Column> columns);
  // REQUIRES: cells.size() == number of columns.
  void AddRow(std::vector<std::string> cells);
  size_t rows() const { return rows_.size(); }

  // The header and a rule of dashes (unless `header` is false), then the rows; each line
  // prefixed by `indent` and ended by '\n'; trailing spaces trimmed.
  std::string Render(std::string_view indent = "", bool header = true) const;
  // The header row, then one row per line, fields quoted when they hold a comma, a quote or a
  // line break; lines end with '\n', which every spreadsheet reads.
  std::string Csv() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// One CSV field, quoted when needed (RFC 4180).
std::string CsvField(std::string_view text);

// The message as protobuf's JSON mapping (proto field names, indented), ending with '\n'.
std::string ToJson(const google::protobuf::Message& message);
// The same on a single line (for JSON Lines streams).
std::string ToJsonLine(const google::protobuf::Message& message);

}  // namespace clas::ctl

#endif  // CLAS_TOOLS_CLASCTL_TEXT_H_
