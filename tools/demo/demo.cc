// Gives the plan's commands to the engine, one after the other, and counts what happened.
#include "tools/demo/demo.h"

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "projections/core/money.h"
#include "projections/core/violation.h"
#include "tools/demo/plan.h"

namespace clas {
namespace {

using demo::Command;
using demo::Step;
using demo::Who;

// Progress is reported about this many times over a run.
constexpr int64_t kProgressReportsMax = 200;

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

absl::StatusOr<CommandResult> Send(Engine& e, const Command& command,
                                   const ledger::v1::Actor& a, const std::string& id) {
  return std::visit(
      Overloaded{
          [&](const v1::RegisterGestionnaire& c) { return e.RegisterGestionnaire(c, a, id); },
          [&](const v1::PublishBareme& c) { return e.PublishBareme(c, a, id); },
          [&](const v1::FileFundingRequest& c) { return e.FileFundingRequest(c, a, id); },
          [&](const v1::RecordCommitteeDecision& c) { return e.RecordCommitteeDecision(c, a, id); },
          [&](const v1::SignConvention& c) { return e.SignConvention(c, a, id); },
          [&](const v1::SignAvenant& c) { return e.SignAvenant(c, a, id); },
          [&](const v1::NotifyCollectifs& c) { return e.NotifyCollectifs(c, a, id); },
          [&](const v1::PayAcompte& c) { return e.PayAcompte(c, a, id); },
          [&](const v1::ReceiveBilan& c) { return e.ReceiveBilan(c, a, id); },
          [&](const v1::PaySolde& c) { return e.PaySolde(c, a, id); },
          [&](const v1::OpenControle& c) { return e.OpenControle(c, a, id); },
          [&](const v1::RecordControleFindings& c) { return e.RecordControleFindings(c, a, id); },
          [&](const v1::DecideControle& c) { return e.DecideControle(c, a, id); },
          [&](const v1::RecordRecovery& c) { return e.RecordRecovery(c, a, id); },
          [&](const v1::PayRappel& c) { return e.PayRappel(c, a, id); },
          [&](const v1::CloseCivilYear& c) { return e.CloseCivilYear(c, a, id); },
          [&](const v1::CorrectEvent& c) { return e.CorrectEvent(c, a, id); },
      },
      command);
}

// R-HIST-4: the Caf's agent, its controller, or the Cnaf's barème service.
ledger::v1::Actor ActorOf(const Step& step) {
  ledger::v1::Actor actor;
  switch (step.who) {
    case Who::kCnaf:
      actor.set_id("cnaf-bareme");
      actor.set_role("agent");
      actor.set_tenant_id("cnaf");
      break;
    case Who::kControleur:
      actor.set_id(absl::StrCat("controleur-", step.caf_id));
      actor.set_role("controleur");
      actor.set_tenant_id(step.caf_id);
      break;
    case Who::kAgent:
      actor.set_id(absl::StrCat("agent-", step.caf_id));
      actor.set_role("agent");
      actor.set_tenant_id(step.caf_id);
      break;
  }
  return actor;
}

// The code and message of a status, without its payload (the violations are in the message).
std::string Text(const absl::Status& status) {
  return absl::StrCat(absl::StatusCodeToString(status.code()), ": ", status.message());
}

// True when a refusal names `rule`: in its list of violations, or, for refusals that carry none
// (kAlreadyExists, kNotFound), at the start of its message ("R-HIST-1 (§9) : ...").
bool Names(const absl::Status& status, const std::string& rule) {
  if (status.ok()) return false;
  const std::vector<RuleViolation> violations = ViolationsOf(status);
  for (const auto& v : violations) {
    if (v.rule_id() == rule) return true;
  }
  return violations.empty() && std::string(status.message()).rfind(rule + " ", 0) == 0;
}

void Unexpected(DemoReport& report, DemoCommandCounts& counts, const Step& step,
                const std::string& what) {
  ++report.unexpected;
  ++counts.unexpected;
  if (report.unexpected_samples.size() < kDemoSamplesMax) {
    report.unexpected_samples.push_back(
        absl::StrCat(step.caf_id, " ", step.request_id, " (", demo::CommandName(step.command),
                     "): ", what));
  }
}

void Count(DemoReport& report, const Step& step, const absl::StatusOr<CommandResult>& result) {
  DemoCommandCounts& counts = report.by_command[demo::CommandName(step.command)];
  ++report.commands;
  ++counts.sent;
  if (!step.expect_rule.empty()) {
    if (Names(result.status(), step.expect_rule)) {
      ++report.refused_as_intended;
      ++counts.refused_as_intended;
      ++report.refused_by_rule[step.expect_rule];
    } else {
      Unexpected(report, counts, step,
                 result.ok() ? absl::StrCat("accepted, expected a refusal naming ",
                                            step.expect_rule)
                             : absl::StrCat("refused without naming ", step.expect_rule, ": ",
                                            result.status().ToString()));
    }
    return;
  }
  if (!result.ok()) {
    Unexpected(report, counts, step, Text(result.status()));
  } else if (result->replayed) {
    ++report.replayed;
    ++counts.replayed;
  } else {
    ++report.accepted;
    ++counts.accepted;
    report.events_written += static_cast<int64_t>(result->events.size());
    counts.events_written += static_cast<int64_t>(result->events.size());
  }
}

}  // namespace

absl::StatusOr<DemoReport> GenerateDemo(Engine& engine, const DemoOptions& options) {
  ASSIGN_OR_RETURN(demo::Plan plan, demo::BuildPlan(options));
  DemoReport report;
  report.shape = plan.shape;
  const int64_t total = static_cast<int64_t>(plan.steps.size());
  const int64_t every = std::max<int64_t>(1, total / kProgressReportsMax);
  // First event id of the steps a later correction targets, by handle.
  std::map<std::string, std::string> remembered;
  for (int64_t i = 0; i < total; ++i) {
    Step& step = plan.steps[i];
    if (!step.target_from.empty()) {
      auto it = remembered.find(step.target_from);
      auto* correction = std::get_if<v1::CorrectEvent>(&step.command);
      CLAS_CHECK(correction != nullptr) << "only a correction names a target";
      if (it != remembered.end()) correction->set_target_event_id(it->second);
    }
    auto result = Send(engine, step.command, ActorOf(step), step.request_id);
    Count(report, step, result);
    if (result.ok() && !step.remember_as.empty() && !result->events.empty()) {
      remembered[step.remember_as] = result->events.front().event_id;
    }
    if (options.progress && (i + 1) % every == 0) options.progress(i + 1, total);
  }
  if (options.progress) options.progress(total, total);
  return report;
}

std::string FormatDemoReport(const DemoReport& r) {
  std::string out = absl::StrFormat(
      "commands %d: accepted %d, replayed %d, refused as intended %d, unexpected %d; events "
      "written %d\n",
      r.commands, r.accepted, r.replayed, r.refused_as_intended, r.unexpected, r.events_written);
  const DemoShape& s = r.shape;
  absl::StrAppendFormat(&out,
                        "%d Caf, %d gestionnaires, %d conventions, %d avenants, %d demandes "
                        "refusées, %d contrôles\n",
                        s.cafs, s.gestionnaires, s.conventions, s.avenants, s.refused_requests,
                        s.controles);
  for (const auto& [year, actions] : s.actions_by_school_year) {
    const auto it = s.dp_cents_by_school_year.find(year);
    const int64_t dp = it == s.dp_cents_by_school_year.end() ? 0 : it->second;
    absl::StrAppendFormat(&out, "  %s: %d actions, DP %s (%s par action)\n",
                          SchoolYear(year).ToString(), actions, Money::Cents(dp).ToFrench(),
                          Money::Cents(actions > 0 ? dp / actions : 0).ToFrench());
  }
  for (const auto& [name, c] : r.by_command) {
    absl::StrAppendFormat(&out, "  %-24s sent %7d accepted %7d replayed %7d events %7d refused "
                          "as intended %3d unexpected %d\n",
                          name, c.sent, c.accepted, c.replayed, c.events_written,
                          c.refused_as_intended, c.unexpected);
  }
  for (const auto& [rule, n] : r.refused_by_rule) {
    absl::StrAppendFormat(&out, "  refused as intended, %s: %d\n", rule, n);
  }
  for (const auto& sample : r.unexpected_samples) absl::StrAppend(&out, "  unexpected: ", sample, "\n");
  return out;
}

}  // namespace clas
