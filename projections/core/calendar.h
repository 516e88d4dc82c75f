// Business dates: civil days, school years and civil years, each a type of its own.
//
// A civil day travels as int32 yyyymmdd on the wire and in the store; inside the code it is an
// absl::CivilDay. External dates are parsed strictly: 30 February is an error, not 2 March.
//
// Thread-safety: value types.
#ifndef CLAS_PROJECTIONS_CORE_CALENDAR_H_
#define CLAS_PROJECTIONS_CORE_CALENDAR_H_

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace clas {

// Earliest and latest civil days the ledger accepts (anything else is a typing mistake).
inline constexpr int32_t kDateMin = 20000101;
inline constexpr int32_t kDateMax = 20991231;

// The years of the earliest and latest days.
inline constexpr int32_t kYearMin = kDateMin / 10000;
inline constexpr int32_t kYearMax = kDateMax / 10000;

// The civil year of a yyyymmdd date (20261015 -> 2026), without checking the day.
constexpr int32_t CivilYearOfYmd(int32_t yyyymmdd) { return yyyymmdd / 10000; }

// yyyymmdd -> CivilDay. Fails (kInvalidArgument) when the number is not a real day in range.
absl::StatusOr<absl::CivilDay> DayFromYmd(int32_t yyyymmdd);
int32_t YmdFromDay(absl::CivilDay day);
// True when yyyymmdd is a real civil day within [kDateMin, kDateMax].
bool IsValidYmd(int32_t yyyymmdd);
// "2026-10-15" or "15/10/2026" -> yyyymmdd, strictly.
absl::StatusOr<int32_t> ParseDate(std::string_view text);
// 20261015 -> "15/10/2026".
std::string FrenchDate(int32_t yyyymmdd);

// School year N: 1 September N to 31 August N+1. Prints as "2026-2027".
class SchoolYear {
 public:
  constexpr explicit SchoolYear(int32_t opening_year) : n_(opening_year) {}
  // The school year a civil day falls in.
  static SchoolYear Containing(absl::CivilDay day);
  constexpr int32_t n() const { return n_; }
  absl::CivilDay first_day() const { return absl::CivilDay(n_, 9, 1); }
  absl::CivilDay last_day() const { return absl::CivilDay(n_ + 1, 8, 31); }
  SchoolYear next() const { return SchoolYear(n_ + 1); }
  std::string ToString() const;
  friend auto operator<=>(SchoolYear, SchoolYear) = default;

 private:
  int32_t n_;
};

// A civil year (exercice): 1 January to 31 December.
class CivilYear {
 public:
  constexpr explicit CivilYear(int32_t year) : y_(year) {}
  static CivilYear Of(absl::CivilDay day) { return CivilYear(static_cast<int32_t>(day.year())); }
  constexpr int32_t y() const { return y_; }
  std::string ToString() const;
  friend auto operator<=>(CivilYear, CivilYear) = default;

 private:
  int32_t y_;
};

}  // namespace clas

#endif  // CLAS_PROJECTIONS_CORE_CALENDAR_H_
