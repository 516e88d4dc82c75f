// Money: an exact number of euro cents. No floating point ever touches an amount.
//
// Arithmetic is overflow-checked: an operation that would leave int64 aborts (a broken
// invariant), because every input amount is bounded by validation long before (see
// kAmountMaxCents). Rates are exact fractions with the rounding rule named at the call site.
//
// Thread-safety: a value type; safe to share read-only.
#ifndef CLAS_PROJECTIONS_CORE_MONEY_H_
#define CLAS_PROJECTIONS_CORE_MONEY_H_

#include <compare>
#include <cstdint>
#include <string>

#include "ledger/base/status_macros.h"

namespace clas {

// The largest amount any input may carry: 1 billion euros. Far above any Clas figure, far below
// int64 limits, so that products by small factors (13, 28, 42, 80, collectif counts) never
// overflow.
inline constexpr int64_t kAmountMaxCents = int64_t{100'000'000'000};

class Money {
 public:
  constexpr Money() = default;
  static constexpr Money Cents(int64_t cents) { return Money(cents); }
  static constexpr Money Zero() { return Money(0); }

  constexpr int64_t cents() const { return cents_; }

  friend Money operator+(Money a, Money b) {
    int64_t out = 0;
    CLAS_CHECK(!__builtin_add_overflow(a.cents_, b.cents_, &out)) << "Money overflow";
    return Money(out);
  }
  friend Money operator-(Money a, Money b) {
    int64_t out = 0;
    CLAS_CHECK(!__builtin_sub_overflow(a.cents_, b.cents_, &out)) << "Money overflow";
    return Money(out);
  }
  Money& operator+=(Money b) { return *this = *this + b; }
  Money& operator-=(Money b) { return *this = *this - b; }
  friend Money operator*(Money a, int64_t k) {
    int64_t out = 0;
    CLAS_CHECK(!__builtin_mul_overflow(a.cents_, k, &out)) << "Money overflow";
    return Money(out);
  }
  friend auto operator<=>(Money, Money) = default;

  // a × num / den, rounded toward negative infinity ("floor to the cent").
  // REQUIRES: den > 0.
  Money MulDivFloor(int64_t num, int64_t den) const;
  // a × num / den, rounded half away from zero. REQUIRES: den > 0.
  Money MulDivRoundHalfAway(int64_t num, int64_t den) const;

  // "1 234,56 €" (French format, for messages and reports).
  std::string ToFrench() const;
  // "1234.56" (for CSV and logs).
  std::string ToDecimal() const;

 private:
  explicit constexpr Money(int64_t cents) : cents_(cents) {}
  int64_t cents_ = 0;
};

inline Money Min(Money a, Money b) { return a < b ? a : b; }
inline Money Max(Money a, Money b) { return a < b ? b : a; }

}  // namespace clas

#endif  // CLAS_PROJECTIONS_CORE_MONEY_H_
