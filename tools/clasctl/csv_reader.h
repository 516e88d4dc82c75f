// The bytes of a CSV file as LibreOffice Calc and Excel write them for a French locale, read
// into records of text fields:
//
//   file     = [BOM] record *(EOL record) [EOL]
//   record   = field *(';' field)
//   field    = plain / '"' *(any but '"' / '""') '"'      ; "" is one quote inside quotes
//   EOL      = CRLF / LF / CR                              ; inside quotes, part of the field
//
// Encoding: UTF-8 (with or without its BOM) is read as is; a file that is not valid UTF-8 is read
// as Windows-1252 (Excel's "CSV (séparateur : point-virgule)"), its bytes converted to UTF-8; a
// UTF-16 file (its BOM) is refused with a sentence saying how to save it.
//
// Thread-safety: pure functions and value types.
#ifndef CLAS_TOOLS_CLASCTL_CSV_READER_H_
#define CLAS_TOOLS_CLASCTL_CSV_READER_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace clas::ctl {

// Limits: a larger record is a mistake (a missing closing quote swallows the file).
inline constexpr size_t kCsvFieldsMax = 256;
inline constexpr size_t kCsvFieldBytesMax = 4096;

enum class CsvEncoding { kUtf8, kWindows1252 };

struct DecodedCsv {
  std::string utf8;  // without the BOM
  CsvEncoding encoding = CsvEncoding::kUtf8;
};

// The file's text in UTF-8. kInvalidArgument (a French sentence) for UTF-16, or for a byte that
// is neither UTF-8 nor Windows-1252 (0x81, 0x8D, 0x8F, 0x90, 0x9D), naming its line.
absl::StatusOr<DecodedCsv> DecodeCsvText(std::string_view bytes);

// One record: its fields, unquoted, and the line it starts on (1-based).
struct CsvRecord {
  int line_number = 0;
  std::vector<std::string> fields;
};

// A record that cannot be read, and why (French).
struct CsvProblem {
  int line_number = 0;
  std::string message;
};

struct CsvRecords {
  std::vector<CsvRecord> records;    // in file order; blank lines are records of one empty field
  std::vector<CsvProblem> problems;  // in file order; such a record is left out of `records`
};

// Splits `utf8` into records. A text after a closing quote, a field longer than
// kCsvFieldBytesMax or a record of more than kCsvFieldsMax fields is a problem of that record
// (reading goes on at the next line); a quote left open is a problem of the record it opens,
// and ends the reading (the rest of the file would be its field).
CsvRecords SplitCsvRecords(std::string_view utf8);

}  // namespace clas::ctl

#endif  // CLAS_TOOLS_CLASCTL_CSV_READER_H_
