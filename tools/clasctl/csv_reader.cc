#include "tools/clasctl/csv_reader.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "projections/engine/command_input.h"

namespace clas::ctl {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Windows-1252's bytes 0x80 to 0x9F; 0 where the code page leaves a byte undefined.
constexpr uint16_t kCp1252High[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,  //
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,       //
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,  //
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

void AppendUtf8(uint32_t c, std::string& out) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

absl::StatusOr<std::string> FromWindows1252(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  int line = 1;
  for (const char ch : bytes) {
    const unsigned char b = static_cast<unsigned char>(ch);
    if (b == '\n') ++line;
    uint32_t c = b;
    if (b >= 0x80 && b <= 0x9F) {
      c = kCp1252High[b - 0x80];
      if (c == 0) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "ligne %d : l'octet 0x%02X n'est ni de l'UTF-8 ni du Windows-1252 ; enregistrez le "
            "fichier en « CSV UTF-8 » ou « CSV (séparateur : point-virgule) »",
            line, b));
      }
    }
    AppendUtf8(c, out);
  }
  return out;
}

enum class Outcome { kRecord, kProblem, kOpenQuote };

// Moves `pos` past the end of the current physical line.
void SkipLine(std::string_view s, size_t& pos, int& line) {
  while (pos < s.size() && s[pos] != '\n' && s[pos] != '\r') ++pos;
  if (pos < s.size()) pos += (s[pos] == '\r' && pos + 1 < s.size() && s[pos + 1] == '\n') ? 2 : 1;
  ++line;
}

// Reads the record at s[pos] into `record`; moves `pos` past its end of line and `line` past
// the lines it spans. Fills `problem` unless the outcome is kRecord.
Outcome ReadRecord(std::string_view s, size_t& pos, int& line, CsvRecord& record,
                   std::string& problem) {
  record.line_number = line;
  record.fields.assign(1, "");
  bool quoted = false, closed = false;  // inside quotes; after a closing quote
  while (pos < s.size()) {
    const char c = s[pos];
    std::string& field = record.fields.back();
    const bool crlf = c == '\r' && pos + 1 < s.size() && s[pos + 1] == '\n';
    if (quoted && c == '"' && pos + 1 < s.size() && s[pos + 1] == '"') {
      field.push_back('"'), pos += 2;
    } else if (quoted && c == '"') {
      quoted = false, closed = true, ++pos;
    } else if (quoted) {
      if (c == '\n' || (c == '\r' && !crlf)) ++line;
      if (c != '\r' || !crlf) field.push_back(c == '\r' ? '\n' : c);
      ++pos;
    } else if (c == ';') {
      if (record.fields.size() >= kCsvFieldsMax) {
        problem = absl::StrCat("plus de ", kCsvFieldsMax, " colonnes");
        SkipLine(s, pos, line);
        return Outcome::kProblem;
      }
      record.fields.emplace_back();
      closed = false, ++pos;
    } else if (c == '\n' || c == '\r') {
      pos += crlf ? 2 : 1;
      ++line;
      return Outcome::kRecord;
    } else if (closed && (c == ' ' || c == '\t')) {
      ++pos;  // spaces between a closing quote and the separator
    } else if (closed) {
      problem = "texte après un guillemet fermant : doublez les guillemets dans un champ (\"\")";
      SkipLine(s, pos, line);
      return Outcome::kProblem;
    } else if (c == '"' && field.empty()) {
      quoted = true, ++pos;
    } else {
      field.push_back(c), ++pos;
    }
    if (record.fields.back().size() > kCsvFieldBytesMax) {
      problem = absl::StrCat("champ de plus de ", kCsvFieldBytesMax, " octets");
      SkipLine(s, pos, line);
      return Outcome::kProblem;
    }
  }
  if (quoted) {
    problem = "guillemet ouvert jamais fermé : le reste du fichier serait ce champ";
    return Outcome::kOpenQuote;
  }
  return Outcome::kRecord;
}

}  // namespace

absl::StatusOr<DecodedCsv> DecodeCsvText(std::string_view bytes) {
  if (bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF")) {
    return absl::InvalidArgumentError(
        "fichier en UTF-16 (« texte Unicode ») : enregistrez-le en « CSV UTF-8 » ou « CSV "
        "(séparateur : point-virgule) »");
  }
  DecodedCsv out;
  if (bytes.starts_with(kUtf8Bom)) {
    bytes.remove_prefix(kUtf8Bom.size());
    if (!IsUtf8(bytes)) {
      return absl::InvalidArgumentError(
          "fichier marqué UTF-8 (BOM) dont le texte n'est pas de l'UTF-8 valide");
    }
    out.utf8 = std::string(bytes);
    return out;
  }
  if (IsUtf8(bytes)) {
    out.utf8 = std::string(bytes);
    return out;
  }
  absl::StatusOr<std::string> converted = FromWindows1252(bytes);
  if (!converted.ok()) return converted.status();
  out.utf8 = std::move(*converted);
  out.encoding = CsvEncoding::kWindows1252;
  return out;
}

CsvRecords SplitCsvRecords(std::string_view utf8) {
  CsvRecords out;
  size_t pos = 0;
  int line = 1;
  while (pos < utf8.size()) {
    CsvRecord record;
    std::string problem;
    const int first_line = line;
    const Outcome outcome = ReadRecord(utf8, pos, line, record, problem);
    if (outcome == Outcome::kRecord) {
      out.records.push_back(std::move(record));
    } else {
      out.problems.push_back({first_line, std::move(problem)});
      if (outcome == Outcome::kOpenQuote) break;
    }
  }
  return out;
}

}  // namespace clas::ctl
