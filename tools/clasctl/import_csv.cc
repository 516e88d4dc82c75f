#include "tools/clasctl/import_csv.h"

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/base/absl_view.h"
#include "projections/core/violation.h"
#include "projections/engine/command_input.h"
#include "tools/clasctl/csv_reader.h"
#include "tools/clasctl/csv_values.h"
#include "tools/clasctl/import_csv_row.h"

namespace clas::ctl {
namespace {

namespace pb = google::protobuf;
using csv::CsvRow;
using csv::Need;
namespace col = csv::col;

// Keeps the first kCsvErrorsMax errors, counts the others.
void AddError(ParsedImport& out, ImportError error) {
  if (out.errors.size() < kCsvErrorsMax) {
    out.errors.push_back(std::move(error));
  } else {
    ++out.errors_left_off;
  }
}

bool Blank(const CsvRecord& record) {
  for (const std::string& field : record.fields) {
    if (!TrimCell(field).empty()) return false;
  }
  return true;
}

// The header's columns by folded name, and in `width` their number but for empty names at the
// end; its errors added to `out`. Empty when no row can be read.
std::map<std::string, size_t> ReadHeader(CsvRecord header, size_t& width, ParsedImport& out) {
  std::map<std::string, size_t> columns;
  while (!header.fields.empty() && TrimCell(header.fields.back()).empty()) header.fields.pop_back();
  width = header.fields.size();
  const int line = header.line_number;
  if (header.fields.size() == 1 && header.fields[0].find_first_of(",\t") != std::string::npos) {
    AddError(out,
             {line, "l'en-tête n'a pas de point-virgule : les colonnes sont séparées par « ; »"});
    return columns;
  }
  std::set<std::string> known;
  for (const std::string_view name : csv::KnownColumns()) known.insert(FoldForMatch(name));
  for (size_t i = 0; i < header.fields.size(); ++i) {
    const std::string folded = FoldForMatch(header.fields[i]);
    const std::string shown(TrimCell(header.fields[i]));
    if (folded.empty()) {
      AddError(out, {line, absl::StrCat("la colonne ", i + 1, " n'a pas de nom")});
    } else if (known.count(folded) == 0) {
      AddError(out, {line, "en-tête inconnu (les colonnes : clasctl import --help)", shown});
    } else if (!columns.emplace(folded, i).second) {
      AddError(out, {line, "en-tête répété", shown});
    }
  }
  if (columns.count(FoldForMatch(col::kActe)) == 0) {
    AddError(out, {line, "colonne absente de l'en-tête : chaque ligne nomme son acte",
                   std::string(col::kActe)});
    columns.clear();
  }
  return columns;
}

// The column of a field refused by CheckCommandInput ("request.convention_id"), or "".
std::string_view ColumnOfField(std::string_view path) {
  static const auto* const kColumns = new std::map<std::string_view, std::string_view>{
      {"caf_id", col::kCaf},
      {"convention_id", col::kConvention},
      {"gestionnaire_id", col::kGestionnaire},
      {"name", col::kNom},
      {"payment_id", col::kPaiement},
      {"avenant_id", col::kAvenant},
      {"notification_id", col::kNotification},
      {"controle_id", col::kControle},
      {"recovery_id", col::kRecouvrement},
      {"indu_id", col::kIndu},
      {"offset_payment_id", col::kPaiementCompense},
      {"offset_convention_id", col::kConventionCompensee},
      {"refusal_reason", col::kMotif},
      {"request_id", col::kSaisie},
      {"first_school_year", col::kAnnee},
      {"school_year", col::kAnnee},
  };
  const size_t dot = path.find_last_of('.');
  const auto it = kColumns->find(dot == std::string_view::npos ? path : path.substr(dot + 1));
  return it == kColumns->end() ? std::string_view() : it->second;
}

// The bounds every command keeps on the server (command_input.h), checked here too so that a
// row the server would refuse for them is an error of the file, before anything is sent.
void CheckInput(CsvRow& row, const std::string& request_id, const pb::Message& request) {
  const pb::Message& command = request.GetReflection()->GetMessage(
      request, request.GetDescriptor()->FindFieldByName("command"));
  const absl::Status status = CheckCommandInput(request_id, command);
  if (status.ok()) return;
  for (const v1::RuleViolation& v : ViolationsOf(status)) {
    const std::string_view column = ColumnOfField(v.field());
    row.Fail(column, column.empty() ? absl::StrCat(v.field(), " : ", v.message()) : v.message());
  }
}

// The request of one data row; its errors are in row.errors().
std::shared_ptr<pb::Message> ReadRow(CsvRow& row, std::string_view file_name,
                                     std::string& request_id, std::string& rpc) {
  const std::string act_text = row.Text(col::kActe, Need::kOptional);
  const csv::CsvAct* act = csv::FindCsvAct(FoldForMatch(act_text));
  if (act == nullptr) {
    row.Fail(col::kActe,
             absl::StrCat(act_text.empty() ? "acte manquant"
                                           : absl::StrCat("acte inconnu « ", act_text, " »"),
                          " ; les actes : ", csv::CsvActNames()));
    return nullptr;
  }
  row.set_act(act->name);
  rpc = std::string(act->rpc);
  request_id = row.RequestId();
  std::shared_ptr<pb::Message> request = act->build(row);
  row.CheckUnused();
  if (request_id.empty()) request_id = DefaultRequestId(file_name, row.line_number());
  if (!row.errors().empty()) return nullptr;
  request->GetReflection()->SetString(
      request.get(), request->GetDescriptor()->FindFieldByName("request_id"), request_id);
  CheckInput(row, request_id, *request);
  return row.errors().empty() ? request : nullptr;
}

// The rows under the header, each a line or its errors, in file order with the reading's
// problems.
void ReadRows(const CsvRecords& split, size_t first, const std::map<std::string, size_t>& columns,
              size_t width, std::string_view file_name, std::string_view caf, ParsedImport& out) {
  std::map<std::string, int> request_ids;  // -> line
  size_t problem = 0;
  for (size_t r = first; r < split.records.size(); ++r) {
    const CsvRecord& record = split.records[r];
    for (; problem < split.problems.size() &&
           split.problems[problem].line_number < record.line_number;
         ++problem) {
      AddError(out, {split.problems[problem].line_number, split.problems[problem].message});
    }
    if (Blank(record)) continue;
    if (out.lines.size() + out.errors.size() + out.errors_left_off >= kImportLinesMax) {
      AddError(out, {record.line_number, absl::StrCat("plus de ", kImportLinesMax, " lignes")});
      return;
    }
    CsvRow row(columns, record, caf);
    for (size_t i = width; i < record.fields.size(); ++i) {
      if (!TrimCell(record.fields[i]).empty()) {
        row.Fail("", absl::StrCat("valeur dans la colonne ", i + 1,
                                  ", au-delà des colonnes de l'en-tête"));
        break;
      }
    }
    std::string request_id, rpc;
    std::shared_ptr<pb::Message> request = ReadRow(row, file_name, request_id, rpc);
    if (request != nullptr) {
      const auto [it, added] = request_ids.emplace(request_id, record.line_number);
      if (!added) {
        row.Fail(col::kSaisie, absl::StrCat("identifiant « ", request_id,
                                            " » déjà pris à la ligne ", it->second));
      }
    }
    for (ImportError& e : row.errors()) AddError(out, std::move(e));
    if (row.errors().empty()) out.lines.push_back({record.line_number, rpc, std::move(request)});
  }
  for (; problem < split.problems.size(); ++problem) {
    AddError(out, {split.problems[problem].line_number, split.problems[problem].message});
  }
}

}  // namespace

absl::StatusOr<ImportFormat> ImportFormatOf(std::string_view flag, std::string_view file_name) {
  if (flag == "csv") return ImportFormat::kCsv;
  if (flag == "jsonl") return ImportFormat::kJsonLines;
  if (!flag.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--format ", std::string(flag), ": expected csv or jsonl"));
  }
  return absl::EndsWithIgnoreCase(base::ToAbsl(file_name), ".csv") ? ImportFormat::kCsv
                                                                   : ImportFormat::kJsonLines;
}

ParsedImport ParseCsvImport(std::string_view bytes, std::string_view file_name,
                            std::string_view caf) {
  ParsedImport out;
  absl::StatusOr<DecodedCsv> decoded = DecodeCsvText(bytes);
  if (!decoded.ok()) {
    AddError(out, {0, std::string(decoded.status().message())});
    return out;
  }
  const CsvRecords split = SplitCsvRecords(decoded->utf8);
  size_t header = 0;
  while (header < split.records.size() && Blank(split.records[header])) ++header;
  if (header == split.records.size()) {
    for (const CsvProblem& p : split.problems) AddError(out, {p.line_number, p.message});
    if (out.errors.empty()) AddError(out, {0, "fichier vide : pas de ligne d'en-tête"});
    return out;
  }
  size_t width = 0;
  const std::map<std::string, size_t> columns = ReadHeader(split.records[header], width, out);
  if (columns.empty()) return out;
  ReadRows(split, header + 1, columns, width, file_name, caf, out);
  return out;
}

}  // namespace clas::ctl
