// The values of a Caf's spreadsheet as its French export writes them: amounts ("1 234,56 €"),
// dates ("15/10/2026"), school years ("2026-2027"), counts and yes/no cells, and the folding that
// matches a header or a word without regard to case, accents and spacing.
//
// Every parser is strict (a typing mistake is an error, never a guess) and answers
// kInvalidArgument with a French sentence an agent can act on, without the cell's position
// (the caller adds line and column). No floating point: amounts are read digit by digit into
// integer cents with overflow checks.
//
// Thread-safety: pure functions.
#ifndef CLAS_TOOLS_CLASCTL_CSV_VALUES_H_
#define CLAS_TOOLS_CLASCTL_CSV_VALUES_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace clas::ctl {

// Largest count a cell may hold (collectifs, children, weeks, ...).
inline constexpr int32_t kCsvCountMax = 1'000'000;

// `text` without the spaces (' ', tab, U+00A0, U+202F) at either end.
std::string_view TrimCell(std::string_view text);

// Lower case ASCII, French accented letters without their accent (é -> e, œ -> oe, ç -> c),
// the typographic apostrophe as "'", every run of spaces (space, tab, U+00A0, U+202F) as one
// space, none at either end. "  Année  Scolaire " and "annee scolaire" fold the same.
std::string FoldForMatch(std::string_view utf8);

// Euros -> cents: digits, optionally grouped by three with a space, U+00A0 or U+202F; a decimal
// comma followed by one or two digits; a leading '-'; a trailing "€" (spaced or not).
// "1 234,56" -> 123456, "1234,5" -> 123450, "-12" -> -1200, "1 234,56 €" -> 123456.
// Errors: empty, a dot (the French decimal sign is the comma), more than two decimals, a group
// of other than three digits after a separator, any other character, beyond int64 cents.
absl::StatusOr<int64_t> ParseAmountCents(std::string_view text);

// "15/10/2026" or "5/3/2026" (day/month/year, four-digit year) or ISO "2026-10-15" -> yyyymmdd.
// Errors: another shape (a two-digit year, a time after the date), a day that does not exist
// (30/02), a day outside the ledger's range (calendar.h: 2000 to 2099).
absl::StatusOr<int32_t> ParseDayYmd(std::string_view text);

// "2026" or "2026-2027" (also "2026/2027") -> 2026. Errors: other shapes, two years that do not
// follow each other, a year outside 2000..2099.
absl::StatusOr<int32_t> ParseSchoolYearN(std::string_view text);

// A four-digit year 2000..2099 -> the year.
absl::StatusOr<int32_t> ParseCivilYearN(std::string_view text);

// Digits only, 0 to kCsvCountMax.
absl::StatusOr<int32_t> ParseCount(std::string_view text);

// "oui", "o", "x", "vrai", "1" -> true; "non", "n", "faux", "0" -> false (folded: "OUI" too).
absl::StatusOr<bool> ParseYesNo(std::string_view text);

}  // namespace clas::ctl

#endif  // CLAS_TOOLS_CLASCTL_CSV_VALUES_H_
