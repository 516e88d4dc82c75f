// Simulation::Send, shared by the files of the simulation's generator. Not part of its API.
#ifndef CLAS_TESTS_SIM_SIMULATION_INTERNAL_H_
#define CLAS_TESTS_SIM_SIMULATION_INTERNAL_H_

#include <cstdio>
#include <string>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "tests/sim/simulation.h"

namespace clas::sim {

template <typename Cmd>
void Simulation::Send(const std::string& what, const Cmd& cmd,
                      absl::StatusOr<CommandResult> (Engine::*method)(const Cmd&,
                                                                      const ledger::v1::Actor&,
                                                                      const std::string&),
                      const std::string& convention) {
  ++summary_.steps;
  const Expectation expected = model_.Expect(cmd);
  const ledger::LogHead before = store_->Head();
  const std::string request = NextRequest();
  auto result = (engine_.get()->*method)(cmd, actor_, request);
  if (trace_) {
    std::printf("%s -> %s\n", what.c_str(),
                result.ok() ? "accepted" : result.status().ToString().substr(0, 160).c_str());
  }
  if (result.ok() != expected.accepted()) {
    std::string rules;
    for (const auto& r : expected.rules) absl::StrAppend(&rules, r, " ");
    Violation(
        result.ok() ? rules : "model",
        absl::StrCat(what, ": the engine ", result.ok() ? "accepted" : "refused", " it, the model ",
                     result.ok() ? "refuses it (" + rules + ")" : "accepts it",
                     result.ok() ? "" : absl::StrCat(": ", result.status().ToString())));
  }
  applied_.clear();
  if (!result.ok()) {
    ++summary_.refused;
    CheckRefusal(what, expected, result.status(), before);
    return;
  }
  if (!expected.accepted()) return;  // the model cannot follow a state it refuses
  ++summary_.accepted;
  std::string caf;
  if constexpr (!std::is_same_v<Cmd, v1::PublishBareme>) caf = cmd.caf_id();
  const int64_t lines_before = caf.empty() ? 0 : model_.cafs[caf].lines_changed;
  ++model_.seq;
  model_.Apply(cmd);
  if (!convention.empty()) RegisterEvents(caf, convention, result->events);
  CheckWarnings(what, expected, *result);
  Sent sent;
  sent.request_id = request;
  for (const auto& e : result->events) sent.event_ids.push_back(e.event_id);
  applied_ = sent.event_ids;
  sent.same = [this, cmd, method](const std::string& id) {
    return (engine_.get()->*method)(cmd, actor_, id);
  };
  sent.other = [this, cmd, method](const std::string& id) {
    Cmd other = cmd;
    other.set_date(cmd.date() == 20991231 ? 20000101 : cmd.date() + 1);
    return (engine_.get()->*method)(other, actor_, id);
  };
  sent_.push_back(std::move(sent));
  CheckAccepted(caf, convention, *result);
  // R-ACC-3/4/8: after a closing, or a fact the model regularises a closed year with. (A line
  // the ledger books where the model books none shows at the next check, or at the end.)
  if (!caf.empty() && model_.cafs[caf].lines_changed != lines_before) CheckBooks(caf);
}

}  // namespace clas::sim

#endif  // CLAS_TESTS_SIM_SIMULATION_INTERNAL_H_
