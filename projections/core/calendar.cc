#include "projections/core/calendar.h"

#include "absl/status/status.h"
#include "absl/strings/str_format.h"

namespace clas {

absl::StatusOr<absl::CivilDay> DayFromYmd(int32_t yyyymmdd) {
  if (yyyymmdd < kDateMin || yyyymmdd > kDateMax) {
    return absl::InvalidArgumentError(
        absl::StrFormat("date %d hors de la plage acceptée (%d à %d)", yyyymmdd, kDateMin,
                        kDateMax));
  }
  int32_t y = yyyymmdd / 10000, m = yyyymmdd / 100 % 100, d = yyyymmdd % 100;
  absl::CivilDay day(y, m, d);
  if (day.year() != y || day.month() != m || day.day() != d) {
    return absl::InvalidArgumentError(absl::StrFormat("date %d n'existe pas", yyyymmdd));
  }
  return day;
}

int32_t YmdFromDay(absl::CivilDay day) {
  return static_cast<int32_t>(day.year() * 10000 + day.month() * 100 + day.day());
}

bool IsValidYmd(int32_t yyyymmdd) { return DayFromYmd(yyyymmdd).ok(); }

namespace {

// Digits of text[pos, pos + len) as a number; -1 when any is not a digit.
int Digits(std::string_view text, size_t pos, size_t len) {
  int out = 0;
  for (size_t i = pos; i < pos + len; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    out = out * 10 + (text[i] - '0');
  }
  return out;
}

}  // namespace

absl::StatusOr<int32_t> ParseDate(std::string_view text) {
  int y = -1, m = -1, d = -1;
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    y = Digits(text, 0, 4), m = Digits(text, 5, 2), d = Digits(text, 8, 2);
  } else if (text.size() == 10 && text[2] == '/' && text[5] == '/') {
    d = Digits(text, 0, 2), m = Digits(text, 3, 2), y = Digits(text, 6, 4);
  }
  if (y < 0 || m < 0 || d < 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "date illisible: %s (attendu AAAA-MM-JJ ou JJ/MM/AAAA)", std::string(text)));
  }
  int32_t ymd = y * 10000 + m * 100 + d;
  auto day = DayFromYmd(ymd);
  if (!day.ok()) return day.status();
  return ymd;
}

std::string FrenchDate(int32_t yyyymmdd) {
  return absl::StrFormat("%02d/%02d/%04d", yyyymmdd % 100, yyyymmdd / 100 % 100,
                         yyyymmdd / 10000);
}

SchoolYear SchoolYear::Containing(absl::CivilDay day) {
  int32_t y = static_cast<int32_t>(day.year());
  return SchoolYear(day.month() >= 9 ? y : y - 1);
}

std::string SchoolYear::ToString() const { return absl::StrFormat("%d-%d", n_, n_ + 1); }

std::string CivilYear::ToString() const { return absl::StrFormat("%d", y_); }

}  // namespace clas
