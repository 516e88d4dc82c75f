#include "projections/core/money.h"

#include <cstdlib>

#include "absl/strings/str_format.h"

namespace clas {
namespace {

__int128 Product(int64_t a, int64_t num) { return static_cast<__int128>(a) * num; }

// |cents| as an unsigned number: exact for every int64, INT64_MIN included.
uint64_t Magnitude(int64_t cents) {
  return cents < 0 ? uint64_t{0} - static_cast<uint64_t>(cents) : static_cast<uint64_t>(cents);
}

int64_t Narrow(__int128 v) {
  CLAS_CHECK(v <= INT64_MAX && v >= INT64_MIN) << "Money overflow";
  return static_cast<int64_t>(v);
}

}  // namespace

Money Money::MulDivFloor(int64_t num, int64_t den) const {
  CLAS_CHECK(den > 0);
  __int128 p = Product(cents_, num);
  __int128 q = p / den;
  if (p % den != 0 && p < 0) --q;
  return Money(Narrow(q));
}

Money Money::MulDivRoundHalfAway(int64_t num, int64_t den) const {
  CLAS_CHECK(den > 0);
  __int128 p = Product(cents_, num);
  __int128 magnitude = p < 0 ? -p : p;
  __int128 q = (2 * magnitude + den) / (2 * den);
  return Money(Narrow(p < 0 ? -q : q));
}

std::string Money::ToFrench() const {
  uint64_t abs = Magnitude(cents_);
  std::string euros = absl::StrFormat("%d", abs / 100);
  std::string grouped;
  int count = 0;
  for (auto it = euros.rbegin(); it != euros.rend(); ++it) {
    if (count > 0 && count % 3 == 0) grouped.insert(grouped.begin(), ' ');
    grouped.insert(grouped.begin(), *it);
    ++count;
  }
  return absl::StrFormat("%s%s,%02d €", cents_ < 0 ? "-" : "", grouped, abs % 100);
}

std::string Money::ToDecimal() const {
  uint64_t abs = Magnitude(cents_);
  return absl::StrFormat("%s%d.%02d", cents_ < 0 ? "-" : "", abs / 100, abs % 100);
}

}  // namespace clas
