// The simulation (simulation.h): a run, a range of seeds, summaries.
#include "tests/sim/simulation.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"

namespace clas::sim {

using testing::Dice;

void SimSummary::Add(const SimSummary& o) {
  steps += o.steps;
  accepted += o.accepted;
  refused += o.refused;
  replays += o.replays;
  events += o.events;
  checks += o.checks;
  violations_total += o.violations_total;
  for (const auto& v : o.violations) {
    if (violations.size() < kSimViolationsKeptMax) violations.push_back(v);
  }
}

Simulation::Simulation(uint32_t seed, std::string data_dir)
    : seed_(seed),
      dir_(std::move(data_dir)),
      dice_(seed),
      trace_(std::getenv("CLAS_SIM_TRACE") != nullptr) {
  summary_.seed = seed;
  actor_.set_id("sim-agent");
  actor_.set_role("agent");
}

Simulation::~Simulation() {
  engine_.reset();
  log_.reset();
  store_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string Simulation::What(const std::string& text) const {
  return absl::StrCat(text, " le ", today_);
}

ModelConvention* Simulation::ModelOf(const Plan& p) {
  auto k = model_.cafs.find(p.caf);
  if (k == model_.cafs.end()) return nullptr;
  auto c = k->second.conventions.find(p.id);
  return c == k->second.conventions.end() ? nullptr : &c->second;
}

// --- runs ---------------------------------------------------------------------------------

SimSummary Simulation::Run() {
  SetUp();
  if (engine_ == nullptr) return summary_;
  while (today_ < kSimEnd && summary_.steps < kSimStepsMax) {
    today_ = Dice::Plus(today_, dice_.Between(0, 8));
    Step();
  }
  CheckAtTheEnd();
  summary_.events = static_cast<int64_t>(store_->Head().position);
  return summary_;
}

SimSummary RunSeeds(uint32_t first, uint32_t count, const std::string& work_dir,
                    const std::function<void(const SimSummary&)>& progress) {
  SimSummary total;
  for (uint32_t seed = first; seed < first + count; ++seed) {
    Simulation sim(seed, absl::StrCat(work_dir, "/seed-", seed));
    SimSummary s = sim.Run();
    if (progress) progress(s);
    total.Add(s);
  }
  return total;
}

std::string FormatSummary(const SimSummary& s, int64_t seeds) {
  return absl::StrCat("seeds ", seeds, ", steps ", s.steps, ", accepted ", s.accepted, ", refused ",
                      s.refused, ", replays ", s.replays, ", events ", s.events, ", checks ",
                      s.checks, ", violations: ", s.violations_total);
}

}  // namespace clas::sim
