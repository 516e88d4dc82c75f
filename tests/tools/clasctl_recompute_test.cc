// clasctl audit recompute (R-HIST-3): one French line per difference, then the count of what was
// checked; exit 0 when every computation is reproduced, 1 when a difference is found; the same
// output offline on the data directory (--data).
//
// The figures come from RULES.md §7's worked example (clasctl_fixture.h): PS of DP 10 000,00 €,
// so the cap of an acompte dated in civil year N is 28 % of it, 2 800,00 € (R-PAY-2).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "projections/rules/rule_version.h"
#include "tests/server/recorded_event.h"
#include "tests/tools/clasctl_fixture.h"

namespace clas::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kOlderRules[] = "C-2025-001/0";

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

class ClasctlRecompute : public ClasctlTest {
 protected:
  // conv-2 signed like conv-1, then an acompte written into its stream as an older code would
  // have recorded it: conv-1's DP breakdown (same inputs), a cap of 2 900,00 €.
  uint64_t OlderAcompte() {
    Signed("conv-2", "asso-2");
    v1::ClasEvent fact = RecordedFact(server_->store(), kCaf, "conv-1", [](const auto& f) {
      return f.has_acompte_paid() && f.acompte_paid().payment_id() == "a1";
    });
    EXPECT_EQ(fact.acompte_paid().dp().ps_cents(), Eur(10000)) << "the worked example's DP";
    v1::AcomptePaid* a = fact.mutable_acompte_paid();
    a->set_payment_id("old-1");
    a->set_cap_cents(Eur(2900));
    a->set_amount_cents(Eur(100));
    a->set_paid_before_cents(0);
    return AppendAsRecorded(server_->store(), kCaf, "conv-2", "caf-75/older-1", 20261020, fact,
                            kOlderRules);
  }
};

TEST_F(ClasctlRecompute, R_HIST_3_AHistoryOfTheRulesRecomputesWithoutDifferenceExitZero) {
  WorkedExample();
  const Ran one = RunAs(Agent(), {"audit", "recompute", "conv-1", "--caf", kCaf});
  EXPECT_EQ(one.code, 0) << one.err;
  ASSERT_EQ(Lines(one.out).size(), 1u) << one.out;
  // a1, a2 and s1; 7 events: request, comité, signature, two acomptes, bilan, solde.
  EXPECT_THAT(one.out, StartsWith("3 calculs revérifiés, 0 écart (7 événements lus, 1 Caf ; "
                                  "règles "))
      << one.out;
  EXPECT_THAT(one.out, HasSubstr(rules::kRuleVersion));
  EXPECT_THAT(one.out, HasSubstr(absl::StrCat("position ", Head(), ")")));
  // The Caf: the closing of 2026 too, and the gestionnaire's event.
  const Ran caf = RunAs(Agent(), {"audit", "recompute", "--caf", kCaf});
  EXPECT_EQ(caf.code, 0) << caf.err;
  EXPECT_THAT(caf.out, StartsWith("4 calculs revérifiés, 0 écart (9 événements lus, 1 Caf ; "));
  // Every Caf the national auditor reads (caf-13 holds nothing).
  const Ran national = RunAs("auditeur", {"audit", "recompute"});
  EXPECT_EQ(national.code, 0) << national.err;
  EXPECT_THAT(national.out, StartsWith("4 calculs revérifiés, 0 écart (9 événements lus, 1 Caf"));
}

TEST_F(ClasctlRecompute, R_HIST_3_AnOlderAcompteIsOneLineAndExitsOne) {
  WorkedExample();
  const uint64_t position = OlderAcompte();
  ASSERT_GT(position, 0u);
  const std::string line = absl::StrCat(
      "écart : caf-75, position ", position,
      ", événement caf-75/older-1 (acompte payé) : cap_cents enregistré 2 900,00 € (règles ",
      kOlderRules, "), recalculé 2 800,00 € (règles ", rules::kRuleVersion, ")");
  const Ran ran = RunAs(Agent(), {"audit", "recompute", "conv-2", "--caf", kCaf});
  EXPECT_EQ(ran.code, 1) << ran.err;
  const std::vector<std::string> lines = Lines(ran.out);
  ASSERT_EQ(lines.size(), 2u) << ran.out;
  EXPECT_EQ(lines[0], line);
  EXPECT_THAT(lines[1], StartsWith("1 calcul revérifié, 1 écart (4 événements lus, 1 Caf ; "));

  // The whole Caf: conv-1's computations reproduced, conv-2's acompte not.
  const Ran caf = RunAs(Agent(), {"audit", "recompute", "--caf", kCaf});
  EXPECT_EQ(caf.code, 1);
  EXPECT_THAT(caf.out, HasSubstr(line));
  EXPECT_THAT(Lines(caf.out).back(), StartsWith("5 calculs revérifiés, 1 écart ("));

  // Offline, on the data directory opened read-only beside the server: the same answer.
  const Ran offline =
      Run({"audit", "recompute", "conv-2", "--caf", kCaf, "--data", config_.data_dir});
  EXPECT_EQ(offline.code, 1) << offline.err;
  EXPECT_EQ(offline.out, ran.out);

  // --json: the response of every page put together.
  const Ran json = RunAs(Agent(), {"audit", "recompute", "conv-2", "--caf", kCaf, "--json"});
  EXPECT_EQ(json.code, 1);
  v1::RecomputeHistoryResponse parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.out, &parsed).ok()) << json.out;
  ASSERT_EQ(parsed.differences_size(), 1);
  EXPECT_EQ(parsed.differences(0).recorded_value(), Eur(2900));
  EXPECT_EQ(parsed.differences(0).recomputed_value(), Eur(2800));
  EXPECT_EQ(parsed.differences(0).rule_version_recorded(), kOlderRules);
  EXPECT_EQ(parsed.computations_checked(), 1u);
}

TEST_F(ClasctlRecompute, UsageRefusalsAndHelp) {
  WorkedExample();
  EXPECT_EQ(RunAs(Agent(), {"audit", "recompute", "conv-1"}).code, 2) << "a convention needs --caf";
  EXPECT_EQ(RunAs(Agent(), {"audit", "recompute", "conv-1", "conv-2", "--caf", kCaf}).code, 2);
  const Ran other = RunAs(absl::StrCat("agent-", kOtherCaf),
                          {"audit", "recompute", "conv-1", "--caf", kCaf});
  EXPECT_EQ(other.code, 1);
  EXPECT_THAT(other.err, HasSubstr("PERMISSION_DENIED"));
  EXPECT_THAT(other.out, Not(HasSubstr("calcul")));
  const Ran unknown = RunAs(Agent(), {"audit", "recompute", "conv-9", "--caf", kCaf});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("NOT_FOUND"));
  EXPECT_THAT(unknown.err, HasSubstr("convention_id"));
  const Ran help = Run({"audit", "recompute", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_THAT(help.out, HasSubstr("usage: clasctl audit recompute [CONVENTION] [FLAGS]"));
  EXPECT_THAT(help.out, HasSubstr("Exit 1 when a difference is found"));
  EXPECT_THAT(help.out, HasSubstr("--data DIR"));
  const Ran overview = Run({"--help"});
  EXPECT_THAT(overview.out, HasSubstr("audit recompute [CONVENTION]"));
}

}  // namespace
}  // namespace clas::testing
