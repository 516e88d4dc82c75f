// Fuzz target: the parsers of `clasctl import` files: JSON Lines of Conventions commands
// (tools/clasctl/import.h) and a spreadsheet's CSV (tools/clasctl/import_csv.h).
//
// Input: one byte, then the file's text. Bit 0 of the byte set ("1", "3"): parse with
// --caf caf-75; clear ("0", "2"): without. Bit 1 set ("2", "3"): the file is CSV; clear ("0",
// "1"): JSON Lines.
//
// Properties, beyond "no crash, no undefined behaviour":
//   - JSON Lines: every non-blank, non-comment line is either one command or one error, in file
//     order, and no line is counted twice;
//   - CSV: every error names a line of the file (0: the file as a whole) and, when it names a
//     column, a known column or a header's name refused as such; at most kCsvErrorsMax are kept; a line that
//     became a command has no error; commands come in file order and keep the bounds every
//     command keeps on the server (CheckCommandInput); the decoded text is valid UTF-8; an
//     amount or a date read from the file's first line, written back in the French form, reads
//     back the same;
//   - every command has a request id of 1 to 128 bytes, none used twice;
//   - with --caf, every command that names a Caf names that one;
//   - JSON Lines: what is accepted can be written back (protobuf's JSON of the body, the same
//     request id) and reads back as the same request.
#include <algorithm>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "projections/engine/command_input.h"
#include "tests/fuzz/fuzz_support.h"
#include "tools/clasctl/csv_reader.h"
#include "tools/clasctl/csv_values.h"
#include "tools/clasctl/import.h"
#include "tools/clasctl/import_csv.h"
#include "tools/clasctl/import_csv_row.h"

namespace clas::fuzz {
namespace {

namespace pb = google::protobuf;

std::string Field(const pb::Message& message, const char* name) {
  const pb::FieldDescriptor* field = message.GetDescriptor()->FindFieldByName(name);
  if (field == nullptr || field->type() != pb::FieldDescriptor::TYPE_STRING) return "";
  return message.GetReflection()->GetString(message, field);
}

const pb::Message& Command(const pb::Message& request) {
  return request.GetReflection()->GetMessage(request,
                                             request.GetDescriptor()->FindFieldByName("command"));
}

// The line a parsed command is written back as.
std::string WriteBack(const ctl::ImportLine& line) {
  std::string body;
  const auto printed = pb::util::MessageToJsonString(Command(*line.request), &body);
  FUZZ_CHECK(printed.ok(), printed.ToString());
  pb::Message* copy = line.request->New();
  copy->CopyFrom(*line.request);
  copy->GetReflection()->ClearField(copy, copy->GetDescriptor()->FindFieldByName("command"));
  std::string id_only;
  FUZZ_CHECK(pb::util::MessageToJsonString(*copy, &id_only).ok(), "request id");
  delete copy;
  // id_only is {"requestId":"..."}: keep the quoted value.
  const size_t colon = id_only.find(':');
  const std::string quoted_id = id_only.substr(colon + 1, id_only.size() - colon - 2);
  return absl::StrCat(R"({"command": ")", line.rpc, R"(", "request_id": )", quoted_id,
                      R"(, "body": )", body, "}");
}

// Lines of a CSV text: LF, CRLF and a lone CR each end one.
int CsvLines(std::string_view text) {
  int lines = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))) {
      ++lines;
    }
  }
  return lines;
}

// "-1 234 567,89": the French form of an amount.
std::string FrenchAmount(int64_t cents) {
  const uint64_t magnitude = cents < 0 ? 0 - static_cast<uint64_t>(cents) : cents;
  const std::string digits = std::to_string(magnitude / 100);
  std::string euros;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) euros.push_back(' ');
    euros.push_back(digits[i]);
  }
  const uint64_t rest = magnitude % 100;
  return absl::StrCat(cents < 0 ? "-" : "", euros, ",", rest < 10 ? "0" : "", rest);
}

// The cell parsers on the first line of `text`: what reads, written back, reads the same.
void CheckCells(std::string_view text) {
  const std::string_view first = text.substr(0, std::min(text.find('\n'), size_t{64}));
  if (const absl::StatusOr<int64_t> cents = ctl::ParseAmountCents(first); cents.ok()) {
    const absl::StatusOr<int64_t> again = ctl::ParseAmountCents(FrenchAmount(*cents));
    FUZZ_CHECK(again.ok() && *again == *cents, FrenchAmount(*cents));
  }
  if (const absl::StatusOr<int32_t> day = ctl::ParseDayYmd(first); day.ok()) {
    const std::string french = absl::StrCat(*day % 100, "/", *day / 100 % 100, "/", *day / 10000);
    const absl::StatusOr<int32_t> again = ctl::ParseDayYmd(french);
    FUZZ_CHECK(again.ok() && *again == *day, french);
  }
}

void CheckCsv(std::string_view text, const std::string& caf) {
  CheckCells(text);
  const absl::StatusOr<ctl::DecodedCsv> decoded = ctl::DecodeCsvText(text);
  if (decoded.ok()) FUZZ_CHECK(IsUtf8(decoded->utf8), "decoded text is not UTF-8");
  const ctl::ParsedImport parsed = ctl::ParseCsvImport(text, "fuzz.csv", caf);
  const int lines_in_file = CsvLines(text);
  FUZZ_CHECK(parsed.errors.size() <= ctl::kCsvErrorsMax, absl::StrCat(parsed.errors.size()));
  std::set<std::string> known;
  for (const std::string_view name : ctl::csv::KnownColumns()) known.insert(std::string(name));
  std::set<int> error_lines;
  for (const ctl::ImportError& e : parsed.errors) {
    FUZZ_CHECK(e.line_number >= 0 && e.line_number <= lines_in_file, e.message);
    FUZZ_CHECK(!e.message.empty(), "an error without a message");
    // A column is a known one, or a header's name refused as such.
    FUZZ_CHECK(e.column.empty() || known.count(e.column) > 0 ||
                   std::string_view(e.message).starts_with("en-tête"),
               e.column + ": " + e.message);
    error_lines.insert(e.line_number);
  }
  std::set<std::string> ids;
  int previous = 0;
  for (const ctl::ImportLine& line : parsed.lines) {
    FUZZ_CHECK(line.line_number > previous && line.line_number <= lines_in_file,
               absl::StrCat(line.line_number));
    previous = line.line_number;
    FUZZ_CHECK(error_lines.count(line.line_number) == 0, absl::StrCat(line.line_number));
    const std::string id = Field(*line.request, "request_id");
    FUZZ_CHECK(!id.empty() && id.size() <= 128, id);
    FUZZ_CHECK(ids.insert(id).second, "request id used twice: " + id);
    const absl::Status input = CheckCommandInput(id, Command(*line.request));
    FUZZ_CHECK(input.ok(), std::string(input.message()));
    if (!caf.empty()) FUZZ_CHECK(Field(Command(*line.request), "caf_id") == caf, id);
  }
}

}  // namespace
}  // namespace clas::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clas;
  if (size == 0) return 0;
  const std::string caf = (data[0] & 1) ? "caf-75" : "";
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] & 2) {
    fuzz::CheckCsv(text, caf);
    return 0;
  }
  const ctl::ParsedImport parsed = ctl::ParseImport(text, "fuzz.jsonl", caf);

  const int lines_in_file = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  std::set<int> seen;
  for (const ctl::ImportError& e : parsed.errors) {
    FUZZ_CHECK(e.line_number >= 1 && e.line_number <= lines_in_file, e.message);
    FUZZ_CHECK(seen.insert(e.line_number).second, absl::StrCat("line ", e.line_number, " twice"));
    FUZZ_CHECK(!e.message.empty(), "an error without a message");
  }
  std::set<std::string> ids;
  int previous = 0;
  for (const ctl::ImportLine& line : parsed.lines) {
    FUZZ_CHECK(line.line_number > previous && line.line_number <= lines_in_file,
               absl::StrCat(line.line_number));
    previous = line.line_number;
    FUZZ_CHECK(seen.insert(line.line_number).second, absl::StrCat("line ", line.line_number));
    const std::string id = fuzz::Field(*line.request, "request_id");
    FUZZ_CHECK(!id.empty() && id.size() <= 128, id);
    FUZZ_CHECK(ids.insert(id).second, "request id used twice: " + id);
    const std::string line_caf = fuzz::Field(fuzz::Command(*line.request), "caf_id");
    if (!caf.empty() && fuzz::Command(*line.request).GetDescriptor()->FindFieldByName("caf_id")) {
      FUZZ_CHECK(line_caf == caf, line_caf);
    }

    const std::string back = fuzz::WriteBack(line);
    const ctl::ParsedImport again = ctl::ParseImport(back, "fuzz.jsonl", caf);
    FUZZ_CHECK(again.errors.empty() && again.lines.size() == 1,
               absl::StrCat(back, "\n  ", again.errors.empty() ? "" : again.errors[0].message));
    FUZZ_CHECK(again.lines[0].rpc == line.rpc, again.lines[0].rpc);
    FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(*again.lines[0].request,
                                                                   *line.request),
               back);
  }
  int counted = 0;
  for (const auto& [rpc, n] : ctl::CountByRpc(parsed.lines)) counted += n;
  FUZZ_CHECK(counted == static_cast<int>(parsed.lines.size()), "CountByRpc");
  return 0;
}
