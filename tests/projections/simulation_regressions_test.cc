// Regressions found by the deterministic simulation of the rules (tests/sim), each named after
// the rule it broke, with the seed that found it.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/projections/agent.h"

namespace clas::testing {
namespace {

std::string LinesText(const std::vector<v1::AccountingLine>& lines) {
  std::string out;
  for (const auto& l : lines) out += l.ShortDebugString() + "\n";
  return out;
}

// Found by seed 13: civil year 2026 closed, then 2025. Closing 2025 books the reversal of its
// engagement in month 12 of 2026, carries its charge à payer into 2026 (where a solde settles it)
// and so rewrote the books of 2026, already closed. A year is now refused once a later one is
// closed, and nothing is written.
TEST(SimulationRegressions, R_ACC_8_AYearCannotBeClosedOnceALaterYearIsClosed) {
  Agent agent;
  ASSERT_TRUE(agent.PublishBareme(2026, Eur(8000), Eur(1000), Eur(1500)).ok());
  ASSERT_TRUE(agent.Register("asso-1", v1::ASSOCIATION).ok());
  ASSERT_TRUE(agent.File(Agent::Request("conv-1", "asso-1", 2026, 1, 2, Eur(20000)), 20260601).ok());
  ASSERT_TRUE(agent.Agree("conv-1", 2026, 2026, 2, 20260701).ok());
  ASSERT_TRUE(agent.Sign("conv-1", 2026, 2026, 20260715).ok());
  // PS of DP = 32.5 % of min(20 000, 2 × 8 000) = 5 200,00 €; caps 1 456,00 € and 2 184,00 €.
  ASSERT_TRUE(agent.Acompte("conv-1", "a1", 2026, Eur(1000), 20261015).ok());
  ASSERT_TRUE(agent.Acompte("conv-1", "a2", 2026, Eur(2000), 20270215).ok());
  auto closed_2027 = agent.Close(2027, 20280115);
  ASSERT_TRUE(closed_2027.ok()) << closed_2027.status();
  const std::string books_2027 = LinesText(agent.Lines(2027));
  const uint64_t head = agent.log().HeadPosition();

  auto closed_2026 = agent.Close(2026, 20280116);
  EXPECT_TRUE(IsRefusal(closed_2026.status(), absl::StatusCode::kFailedPrecondition, "R-ACC-8"));
  EXPECT_EQ(agent.log().HeadPosition(), head) << "a refused closing wrote to the log";
  EXPECT_EQ(LinesText(agent.Lines(2027)), books_2027) << "the closed year 2027 was rewritten";
  // The years after still close in order.
  EXPECT_TRUE(agent.Close(2028, 20290115).ok());
}

}  // namespace
}  // namespace clas::testing
