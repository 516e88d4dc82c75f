// Money's formats and exact arithmetic, down to the int64 limits an input may still reach
// before validation refuses it (a refusal names the refused amount, so it formats it first).
#include "projections/core/money.h"

#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace clas {
namespace {

TEST(Money, FrenchFormatGroupsThousandsWithASpaceAndUsesAComma) {
  EXPECT_EQ(Money::Cents(0).ToFrench(), "0,00 €");
  EXPECT_EQ(Money::Cents(5).ToFrench(), "0,05 €");
  EXPECT_EQ(Money::Cents(123456).ToFrench(), "1 234,56 €");
  EXPECT_EQ(Money::Cents(-123456).ToFrench(), "-1 234,56 €");
  EXPECT_EQ(Money::Cents(100000000).ToFrench(), "1 000 000,00 €");
}

TEST(Money, DecimalFormatHasAPointAndTwoDigits) {
  EXPECT_EQ(Money::Cents(0).ToDecimal(), "0.00");
  EXPECT_EQ(Money::Cents(-7).ToDecimal(), "-0.07");
  EXPECT_EQ(Money::Cents(123456).ToDecimal(), "1234.56");
}

TEST(Money, Int64LimitsFormatExactly) {
  // INT64_MIN = -9 223 372 036 854 775 808 cents: its magnitude is not an int64.
  const Money lowest = Money::Cents(std::numeric_limits<int64_t>::min());
  const Money highest = Money::Cents(std::numeric_limits<int64_t>::max());
  EXPECT_EQ(lowest.ToDecimal(), "-92233720368547758.08");
  EXPECT_EQ(highest.ToDecimal(), "92233720368547758.07");
  EXPECT_EQ(lowest.ToFrench(), "-92 233 720 368 547 758,08 €");
  EXPECT_EQ(highest.ToFrench(), "92 233 720 368 547 758,07 €");
}

TEST(Money, RoundingRulesNamedAtTheCallSite) {
  // R-PAY-2's cap: PS × 28 div 100, floored to the cent.
  EXPECT_EQ(Money::Cents(1001).MulDivFloor(28, 100), Money::Cents(280));  // 280.28
  EXPECT_EQ(Money::Cents(-1001).MulDivFloor(28, 100), Money::Cents(-281));
  EXPECT_EQ(Money::Cents(5).MulDivRoundHalfAway(1, 2), Money::Cents(3));   // 2.5 → 3
  EXPECT_EQ(Money::Cents(-5).MulDivRoundHalfAway(1, 2), Money::Cents(-3));
  EXPECT_EQ(Money::Cents(kAmountMaxCents).MulDivFloor(80, 1), Money::Cents(kAmountMaxCents * 80));
}

TEST(MoneyDeathTest, OverflowAbortsRatherThanWrapping) {
  const Money highest = Money::Cents(std::numeric_limits<int64_t>::max());
  EXPECT_DEATH(highest + Money::Cents(1), "Money overflow");
  EXPECT_DEATH(highest * 2, "Money overflow");
}

}  // namespace
}  // namespace clas
