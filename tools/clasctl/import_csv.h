// `clasctl import` of a CSV file as a Caf's spreadsheet exports it: one row per act, French
// headers, ';' separators, "1 234,56" amounts (csv_reader.h for the bytes, csv_values.h for the
// cells). Each row becomes the same Conventions request a JSON Lines line would (import.h), sent
// the same way.
//
//   file    = header-row *(row / blank-row)
//   header  = the column names of the file, in any order; matched without regard to case,
//             accents and spaces ("Année scolaire" = "annee  scolaire"); an unknown or repeated
//             name is an error; empty names at the end are ignored
//   row     = "acte" names the act (demande, agrément, refus, décision, convention, avenant,
//             collectifs, acompte, bilan, solde, rappel, recouvrement, clôture, gestionnaire);
//             the act says which columns it requires and which it may take (the README lists
//             them); a cell filled in a column its act does not take is an error, so that
//             nothing typed is silently dropped
//
// A row without "identifiant de saisie" gets the request id "import:<file name>:<line>", as a
// JSON Lines line does: running the same file again replays what was recorded.
//
// Acts too rich for one flat row (the barème, the contrôle, a correction, a request whose
// collectifs differ or which asks for a bonus project) stay in JSON Lines.
//
// Thread-safety: pure functions.
#ifndef CLAS_TOOLS_CLASCTL_IMPORT_CSV_H_
#define CLAS_TOOLS_CLASCTL_IMPORT_CSV_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "tools/clasctl/import.h"

namespace clas::ctl {

// Errors kept (every one is counted): enough for an agent to see what is wrong with a file.
inline constexpr size_t kCsvErrorsMax = 50;

enum class ImportFormat { kJsonLines, kCsv };

// `flag` is "csv", "jsonl" or empty; empty takes the file name's extension (".csv" in any case:
// CSV; anything else: JSON Lines). InvalidArgument for another flag value.
absl::StatusOr<ImportFormat> ImportFormatOf(std::string_view flag, std::string_view file_name);

// Parses the CSV file `bytes` named `file_name` (its base name makes the default request ids).
// With `caf` non-empty, a row without a Caf gets it and a row of another Caf is an error; with
// it empty, every row needs its "caf" column. Never fails as a whole: each error (French) names
// its line and, when it has one, its column; a row with an error gives no line. At most
// kCsvErrorsMax errors are kept, the others counted in errors_left_off.
ParsedImport ParseCsvImport(std::string_view bytes, std::string_view file_name,
                            std::string_view caf);

}  // namespace clas::ctl

#endif  // CLAS_TOOLS_CLASCTL_IMPORT_CSV_H_
