// The national plan: the barèmes, then every Caf's plan, sorted by the day each command is given.
#include "tools/demo/plan.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "projections/core/calendar.h"
#include "tools/demo/caf_planner.h"

namespace clas::demo {
namespace {

constexpr int kActionsMax = 1'000'000;
constexpr int32_t kFirstSchoolYearMin = 2000;
constexpr int32_t kLastSchoolYearMax = 2090;
constexpr int kRefusalKinds = static_cast<int>(std::size(kRefusalRules));

absl::Status CheckOptions(const DemoOptions& o) {
  if (o.cafs < 1 || o.cafs > kCafsMax) {
    return absl::InvalidArgumentError(absl::StrFormat("demo: %d Caf (1 to %d)", o.cafs, kCafsMax));
  }
  if (o.actions_per_school_year < 1 || o.actions_per_school_year > kActionsMax) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "demo: %d actions a school year (1 to %d)", o.actions_per_school_year, kActionsMax));
  }
  if (o.first_school_year < kFirstSchoolYearMin || o.last_school_year > kLastSchoolYearMax ||
      o.first_school_year > o.last_school_year) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "demo: school years %d to %d (in order, within %d..%d)", o.first_school_year,
        o.last_school_year, kFirstSchoolYearMin, kLastSchoolYearMax));
  }
  if (!IsValidYmd(o.today)) {
    return absl::InvalidArgumentError(absl::StrFormat("demo: today %d is not a day", o.today));
  }
  return absl::OkStatus();
}

int32_t DateOf(const Command& command) {
  return std::visit([](const auto& c) { return static_cast<int32_t>(c.date()); }, command);
}

// The barème of every school year, published by the Cnaf in March (R-DROIT-1, R-DROIT-7).
void PlanBaremes(const DemoOptions& o, Plan& plan) {
  for (int32_t y = o.first_school_year; y <= o.last_school_year; ++y) {
    v1::PublishBareme cmd;
    *cmd.mutable_bareme() = DemoBareme(y);
    cmd.set_reference(absl::StrCat("barème Clas ", SchoolYear(y).ToString(),
                                   " (chiffres illustratifs de démonstration)"));
    cmd.set_date(Ymd(y, 3, 15));
    Step s;
    s.run_date = cmd.date();
    s.seq = static_cast<int64_t>(plan.steps.size());
    s.caf_id = "cnaf";
    s.who = Who::kCnaf;
    s.request_id = absl::StrCat("demo", o.seed, "-bareme-", y);
    s.command = cmd;
    plan.steps.push_back(std::move(s));
  }
}

// The refusals Caf `index` shows: enough per Caf for every kind to appear once in a small demo,
// one per Caf in the national one.
std::vector<std::string> RefusalsOf(int index, int cafs) {
  const int per_caf = std::max(1, (kRefusalKinds + cafs - 1) / cafs);
  std::vector<std::string> out;
  for (int j = 0; j < per_caf; ++j) out.push_back(kRefusalRules[(index * per_caf + j) % kRefusalKinds]);
  return out;
}

}  // namespace

absl::StatusOr<Plan> BuildPlan(const DemoOptions& options) {
  RETURN_IF_ERROR(CheckOptions(options));
  Plan plan;
  PlanBaremes(options, plan);
  std::vector<int64_t> weights;
  for (int i = 0; i < options.cafs; ++i) weights.push_back(CafAt(i).population_thousands);
  const std::vector<int> actions = Spread(options.actions_per_school_year, weights);
  for (int i = 0; i < options.cafs; ++i) {
    CafPlanner(options, i, actions[i], RefusalsOf(i, options.cafs), &plan).Run();
  }
  std::erase_if(plan.steps, [&](const Step& s) {
    return s.run_date > options.today || DateOf(s.command) > options.today;
  });
  std::sort(plan.steps.begin(), plan.steps.end(), [](const Step& a, const Step& b) {
    if (a.run_date != b.run_date) return a.run_date < b.run_date;
    if (a.rank != b.rank) return a.rank < b.rank;
    return a.seq < b.seq;
  });
  return plan;
}

}  // namespace clas::demo
