// The demo's plan: every command of the dataset, built from the options alone (no engine), with
// the day it is given, then sorted in that order. Internal to the demo (see demo.h).
//
// Planning is pure and deterministic: a seeded generator per Caf (SplitMix64, whose output is
// fixed by its definition, unlike the distributions of <random>), integer arithmetic only, and
// the droit computed by the same rules function as the engine (rules::ComputeDroit), so that the
// plan knows each acompte's cap and each solde to the cent.
//
// Thread-safety: pure functions and value types.
#ifndef CLAS_TOOLS_DEMO_PLAN_H_
#define CLAS_TOOLS_DEMO_PLAN_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "clas/v1/commands.pb.h"
#include "tools/demo/demo.h"

namespace clas::demo {

using Command =
    std::variant<v1::RegisterGestionnaire, v1::PublishBareme, v1::FileFundingRequest,
                 v1::RecordCommitteeDecision, v1::SignConvention, v1::SignAvenant,
                 v1::NotifyCollectifs, v1::PayAcompte, v1::ReceiveBilan, v1::PaySolde,
                 v1::OpenControle, v1::RecordControleFindings, v1::DecideControle,
                 v1::RecordRecovery, v1::PayRappel, v1::CloseCivilYear, v1::CorrectEvent>;

// Who gives a command (R-HIST-4): the Caf's agent, its controller, or the Cnaf for the barème.
enum class Who { kAgent, kControleur, kCnaf };

// Order of the commands given on one day: payments before the recoveries offset against them,
// closings last.
inline constexpr int kRankDefault = 0;
inline constexpr int kRankAfterPayments = 1;
inline constexpr int kRankClosing = 2;

struct Step {
  int32_t run_date = 0;  // the day the command is given (sort key); its own date, but for a few
                         // refusals sent on purpose after the fact
  int rank = kRankDefault;
  int64_t seq = 0;       // plan order: the last key of the sort
  std::string caf_id;    // "cnaf" for the barème
  Who who = Who::kAgent;
  std::string request_id;
  Command command;
  // Non-empty: sent on purpose to be refused, naming this rule id.
  std::string expect_rule;
  // Non-empty: the first event id the command records is kept under this name...
  std::string remember_as;
  // ...and a CorrectEvent whose target_from names it targets that event.
  std::string target_from;
};

struct Plan {
  std::vector<Step> steps;  // sorted by (run_date, rank, seq), none after options.today
  DemoShape shape;
};

// Checks the options and plans the demo. kInvalidArgument on options out of range.
absl::StatusOr<Plan> BuildPlan(const DemoOptions& options);

// The name of a command's message ("PayAcompte").
std::string CommandName(const Command& command);

// ---- Tools of the planners (plan_*.cc). ----

// SplitMix64: a tiny generator whose sequence is fixed by its definition.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  int64_t Between(int64_t lo, int64_t hi);
  // True with probability percent / 100.
  bool Percent(int percent) { return Between(0, 99) < percent; }

 private:
  uint64_t state_;
};

// A seed mixed with a number, for independent generators (one per Caf).
uint64_t MixSeed(uint64_t seed, uint64_t salt);
// FNV-1a of a text: a salt fixed by its definition (std::hash is not).
uint64_t Fingerprint(std::string_view text);

// Days as yyyymmdd.
int32_t AddDays(int32_t ymd, int days);
// A day drawn uniformly in [from, to]; `from` when to < from.
int32_t DayBetween(Rng& rng, int32_t from, int32_t to);
inline int32_t Ymd(int32_t year, int month, int day) { return year * 10000 + month * 100 + day; }

// The Cafs, in the order of their département numbers.
struct CafInfo {
  const char* code;               // "01", "2A", "974"
  int32_t population_thousands;   // the skew of the actions (illustrative census figures)
};
inline constexpr int kCafsMax = 101;
const CafInfo& CafAt(int index);  // REQUIRES: 0 <= index < kCafsMax
std::string CafId(const CafInfo& caf);  // "caf-01", "caf-2a", "caf-974"

// Spreads `total` over `weights` (largest remainder), at least 1 each when total allows.
std::vector<int> Spread(int total, const std::vector<int64_t>& weights);

// The barème of school year N, as the demo publishes it (illustrative figures).
v1::BaremeFigures DemoBareme(int32_t school_year);

}  // namespace clas::demo

#endif  // CLAS_TOOLS_DEMO_PLAN_H_
