// A Caf agent's desk for scenario tests: builds the commands of commands.proto with sensible
// defaults and runs them through the engine on an in-memory log, the way the server would.
#ifndef CLAS_TESTS_PROJECTIONS_AGENT_H_
#define CLAS_TESTS_PROJECTIONS_AGENT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/core/calendar.h"
#include "projections/core/violation.h"
#include "projections/engine/engine.h"

namespace clas::testing {

// Euros as cents, for readable figures: Eur(2800) = 280 000 cents; Cents(2800, 1) = 2 800,01 €.
constexpr int64_t Eur(int64_t euros) { return euros * 100; }
constexpr int64_t Cents(int64_t euros, int64_t cents) { return euros * 100 + cents; }

// The rule ids a refusal names.
inline std::vector<std::string> RuleIds(const absl::Status& status) {
  std::vector<std::string> out;
  for (const auto& v : ViolationsOf(status)) out.push_back(v.rule_id());
  return out;
}

// A refusal as a scenario expects it: the status code, and the rule named, either in the
// structured list of violations or, for the refusals that carry none (kNotFound,
// kAlreadyExists), at the start of the French message ("R-HIST-1 (§9) : ...").
inline ::testing::AssertionResult IsRefusal(const absl::Status& status, absl::StatusCode code,
                                            const std::string& rule) {
  if (status.ok()) return ::testing::AssertionFailure() << "accepted, expected a refusal";
  if (status.code() != code) {
    return ::testing::AssertionFailure() << "code " << absl::StatusCodeToString(status.code())
                                         << ", expected " << absl::StatusCodeToString(code)
                                         << ": " << status;
  }
  for (const auto& v : ViolationsOf(status)) {
    if (v.rule_id() == rule) return ::testing::AssertionSuccess();
  }
  if (ViolationsOf(status).empty() &&
      std::string(status.message()).rfind(rule + " ", 0) == 0) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "does not name " << rule << ": " << status;
}

// A command's result as a scenario reads it: what the engine answered, and the whole convention
// right after the command (a query as known at its last event: the answer itself carries only
// the figures of the school years the command touched).
struct Outcome : CommandResult {
  v1::ConventionState convention;
};

class Agent {
 public:
  explicit Agent(std::string caf = "caf-75") : caf_(std::move(caf)), engine_(&log_) {
    actor_.set_id("agent-1");
    actor_.set_role("agent");
    actor_.set_tenant_id(caf_);
  }

  InMemoryEventLog& log() { return log_; }
  Engine& engine() { return engine_; }
  const std::string& caf() const { return caf_; }
  std::string NextRequest() { return absl::StrCat("req-", ++requests_); }

  absl::StatusOr<Outcome> PublishBareme(int32_t year, int64_t plafond, int64_t bonus_e,
                                              int64_t bonus_p) {
    v1::PublishBareme cmd;
    cmd.mutable_bareme()->set_school_year(year);
    cmd.mutable_bareme()->set_plafond_cents(plafond);
    cmd.mutable_bareme()->set_bonus_enfants_cents(bonus_e);
    cmd.mutable_bareme()->set_bonus_parents_cents(bonus_p);
    cmd.set_date(year * 10000 + 601);
    return Done(engine_.PublishBareme(cmd, actor_, NextRequest()));
  }

  // A centre social registered without `agrement_end` has an agrément délivré par la Caf until
  // 31/12/2035 (R-CONV-2); 0 records none.
  absl::StatusOr<Outcome> Register(const std::string& id, v1::GestionnaireKind kind,
                                   int32_t supported_since = 0,
                                   std::optional<int32_t> agrement_end = std::nullopt) {
    v1::RegisterGestionnaire cmd;
    if (kind == v1::CENTRE_SOCIAL) cmd.set_centre_social_agrement_end(agrement_end.value_or(20351231));
    cmd.set_caf_id(caf_);
    cmd.set_gestionnaire_id(id);
    cmd.set_name(absl::StrCat("Gestionnaire ", id));
    cmd.set_kind(kind);
    cmd.set_supported_since_school_year(supported_since);
    cmd.set_date(20200101);
    return Done(engine_.RegisterGestionnaire(cmd, actor_, NextRequest()));
  }

  // R-CONV-2: the agrément délivré par la Caf of centre social `id` renewed to `end`, on `date`.
  absl::StatusOr<Outcome> RenewAgrement(const std::string& id, int32_t end, int32_t date) {
    v1::RenewCentreSocialAgrement cmd;
    cmd.set_caf_id(caf_);
    cmd.set_gestionnaire_id(id);
    cmd.set_centre_social_agrement_end(end);
    cmd.set_date(date);
    return Done(engine_.RenewCentreSocialAgrement(cmd, actor_, NextRequest()));
  }

  // An eligible request of `collectifs` urban collectifs of 10 children.
  static v1::FundingRequestFiled Request(const std::string& convention, const std::string& g,
                                         int32_t first_year, int32_t years, int collectifs,
                                         int64_t charges) {
    v1::FundingRequestFiled r;
    r.set_convention_id(convention);
    r.set_gestionnaire_id(g);
    r.set_first_school_year(first_year);
    r.set_school_years(years);
    for (int i = 0; i < collectifs; ++i) {
      v1::Collectif* c = r.add_collectifs();
      c->set_collectif_id(absl::StrCat("C", i + 1));
      c->set_children(10);
      c->set_animateurs(2);
      c->set_sessions_per_week(2);
      c->set_session_minutes(90);
      c->set_weeks(30);
      c->add_levels(v1::ELEMENTAIRE);
      c->add_levels(v1::COLLEGE);
      c->set_single_accessible_place(true);
    }
    r.mutable_axes()->set_children(true);
    r.mutable_axes()->set_parents(true);
    r.mutable_axes()->set_school(true);
    r.mutable_axes()->set_local_partners(true);
    r.set_family_participation_symbolic(true);
    r.set_action_start_date(first_year * 10000 + 1105);
    r.set_action_end_date((first_year + 1) * 10000 + 630);
    r.set_charges_cents(charges);
    return r;
  }

  absl::StatusOr<Outcome> File(const v1::FundingRequestFiled& r, int32_t date) {
    v1::FileFundingRequest cmd;
    cmd.set_caf_id(caf_);
    *cmd.mutable_request() = r;
    cmd.set_date(date);
    return Done(engine_.FileFundingRequest(cmd, actor_, NextRequest()));
  }

  absl::StatusOr<Outcome> Agree(const std::string& convention, int32_t first, int32_t last,
                                      int32_t collectifs, int32_t date, int32_t bonus_e = 0,
                                      int32_t bonus_p = 0) {
    v1::RecordCommitteeDecision cmd;
    cmd.set_caf_id(caf_);
    cmd.set_convention_id(convention);
    auto* d = cmd.mutable_decision();
    d->set_outcome(v1::VALIDATED);
    d->set_mode(v1::POUR_VALIDATION);
    d->set_first_school_year(first);
    d->set_last_school_year(last);
    d->set_agreed_collectifs(collectifs);
    d->set_bonus_enfants_collectifs(bonus_e);
    d->set_bonus_parents_collectifs(bonus_p);
    cmd.set_date(date);
    return Done(engine_.RecordCommitteeDecision(cmd, actor_, NextRequest()));
  }

  absl::StatusOr<Outcome> Sign(const std::string& convention, int32_t first, int32_t last,
                                     int32_t date) {
    v1::SignConvention cmd;
    cmd.set_caf_id(caf_);
    cmd.set_convention_id(convention);
    cmd.set_first_school_year(first);
    cmd.set_last_school_year(last);
    cmd.set_date(date);
    return Done(engine_.SignConvention(cmd, actor_, NextRequest()));
  }

  absl::StatusOr<Outcome> Avenant(const std::string& convention, const std::string& id,
                                        v1::AvenantKind kind, int32_t year, int32_t collectifs,
                                        int64_t charges, int32_t date) {
    v1::SignAvenant cmd;
    cmd.set_caf_id(caf_);
    cmd.set_convention_id(convention);
    cmd.set_avenant_id(id);
    cmd.set_kind(kind);
    cmd.set_school_year(year);
    cmd.set_collectifs(collectifs);
    cmd.set_charges_cents(charges);
    cmd.set_date(date);
    return Done(engine_.SignAvenant(cmd, actor_, NextRequest()));
  }

  absl::StatusOr<Outcome> Acompte(const std::string& convention, const std::string& id,
                                        int32_t year, int64_t amount, int32_t date,
                                        const std::string& request = "") {
    v1::PayAcompte cmd;
    cmd.set_caf_id(caf_);
    cmd.set_convention_id(convention);
    cmd.set_payment_id(id);
    cmd.set_school_year(year);
    cmd.set_amount_cents(amount);
    cmd.set_date(date);
    return Done(engine_.PayAcompte(cmd, actor_, request.empty() ? NextRequest() : request));
  }

  absl::StatusOr<Outcome> Bilan(const std::string& convention, int32_t year,
                                      int32_t collectifs, int64_t charges, int32_t date,
                                      int32_t bonus_e = 0, int32_t bonus_p = 0) {
    v1::ReceiveBilan cmd;
    cmd.set_caf_id(caf_);
    cmd.set_convention_id(convention);
    cmd.set_school_year(year);
    cmd.mutable_figures()->set_collectifs(collectifs);
    cmd.mutable_figures()->set_charges_cents(charges);
    cmd.mutable_figures()->set_bonus_enfants_collectifs(bonus_e);
    cmd.mutable_figures()->set_bonus_parents_collectifs(bonus_p);
    cmd.set_date(date);
    return Done(engine_.ReceiveBilan(cmd, actor_, NextRequest()));
  }

  absl::StatusOr<Outcome> Solde(const std::string& convention, const std::string& id,
                                      int32_t year, int32_t date) {
    v1::PaySolde cmd;
    cmd.set_caf_id(caf_);
    cmd.set_convention_id(convention);
    cmd.set_payment_id(id);
    cmd.set_school_year(year);
    cmd.set_date(date);
    return Done(engine_.PaySolde(cmd, actor_, NextRequest()));
  }

  absl::StatusOr<Outcome> Close(int32_t year, int32_t date) {
    v1::CloseCivilYear cmd;
    cmd.set_caf_id(caf_);
    cmd.set_civil_year(year);
    cmd.set_date(date);
    return Done(engine_.CloseCivilYear(cmd, actor_, NextRequest()));
  }

  absl::StatusOr<Outcome> OpenControle(const std::string& convention, const std::string& id,
                                             std::vector<int32_t> years, int32_t date) {
    v1::OpenControle cmd;
    cmd.set_caf_id(caf_);
    cmd.set_convention_id(convention);
    cmd.set_controle_id(id);
    for (int32_t y : years) cmd.add_school_years(y);
    cmd.set_date(date);
    return Done(engine_.OpenControle(cmd, actor_, NextRequest()));
  }

  static v1::ControlledYear Controlled(int32_t year, int32_t collectifs, int64_t charges,
                                       int32_t bonus_e = 0, int32_t bonus_p = 0) {
    v1::ControlledYear y;
    y.set_school_year(year);
    y.mutable_figures()->set_collectifs(collectifs);
    y.mutable_figures()->set_charges_cents(charges);
    y.mutable_figures()->set_bonus_enfants_collectifs(bonus_e);
    y.mutable_figures()->set_bonus_parents_collectifs(bonus_p);
    return y;
  }

  absl::StatusOr<Outcome> Findings(const std::string& convention, const std::string& id,
                                         std::vector<v1::ControlledYear> years, int32_t date) {
    v1::RecordControleFindings cmd;
    cmd.set_caf_id(caf_);
    cmd.set_convention_id(convention);
    cmd.set_controle_id(id);
    for (auto& y : years) *cmd.add_years() = y;
    cmd.set_date(date);
    return Done(engine_.RecordControleFindings(cmd, actor_, NextRequest()));
  }

  absl::StatusOr<Outcome> DecideControle(const std::string& convention,
                                               const std::string& id, int32_t date) {
    v1::DecideControle cmd;
    cmd.set_caf_id(caf_);
    cmd.set_convention_id(convention);
    cmd.set_controle_id(id);
    cmd.set_date(date);
    return Done(engine_.DecideControle(cmd, actor_, NextRequest()));
  }

  absl::StatusOr<Outcome> Recover(const std::string& convention, const std::string& id,
                                        const std::string& indu, int64_t amount,
                                        v1::RecoveryMethod method, int32_t date,
                                        const std::string& offset_payment = "",
                                        const std::string& offset_convention = "") {
    v1::RecordRecovery cmd;
    cmd.set_caf_id(caf_);
    cmd.set_convention_id(convention);
    cmd.set_recovery_id(id);
    cmd.set_indu_id(indu);
    cmd.set_amount_cents(amount);
    cmd.set_method(method);
    cmd.set_offset_payment_id(offset_payment);
    cmd.set_offset_convention_id(offset_convention);
    cmd.set_date(date);
    return Done(engine_.RecordRecovery(cmd, actor_, NextRequest()));
  }

  absl::StatusOr<Outcome> Rappel(const std::string& convention, const std::string& id,
                                       int32_t year, int32_t date) {
    v1::PayRappel cmd;
    cmd.set_caf_id(caf_);
    cmd.set_convention_id(convention);
    cmd.set_payment_id(id);
    cmd.set_school_year(year);
    cmd.set_date(date);
    return Done(engine_.PayRappel(cmd, actor_, NextRequest()));
  }

  absl::StatusOr<v1::ConventionState> State(const std::string& convention, AsOf as_of = {}) {
    return engine_.GetConvention(caf_, convention, as_of);
  }

  // The actor recorded on the next commands (R-HIST-4): a controller, another agent...
  void ActAs(const std::string& id, const std::string& role) {
    actor_.set_id(id);
    actor_.set_role(role);
  }

  // A comité decision given in full (derogation, bonuses, refusal...).
  absl::StatusOr<Outcome> Comite(const std::string& convention,
                                         const v1::CommitteeDecisionRecorded& decision,
                                         int32_t date) {
    v1::RecordCommitteeDecision cmd;
    cmd.set_caf_id(caf_);
    cmd.set_convention_id(convention);
    *cmd.mutable_decision() = decision;
    cmd.set_date(date);
    return Done(engine_.RecordCommitteeDecision(cmd, actor_, NextRequest()));
  }

  absl::StatusOr<Outcome> Notify(const std::string& convention, const std::string& id,
                                       int32_t year, int32_t collectifs, int32_t date) {
    v1::NotifyCollectifs cmd;
    cmd.set_caf_id(caf_);
    cmd.set_convention_id(convention);
    cmd.set_notification_id(id);
    cmd.set_school_year(year);
    cmd.set_collectifs(collectifs);
    cmd.set_date(date);
    return Done(engine_.NotifyCollectifs(cmd, actor_, NextRequest()));
  }

  // Cancels the fact of `target` (date 0: the target's own effective date).
  absl::StatusOr<Outcome> Cancel(const std::string& convention, const std::string& target,
                                 const std::string& reason, int32_t date = 0) {
    v1::CorrectEvent cmd;
    cmd.set_caf_id(caf_);
    cmd.set_convention_id(convention);
    cmd.set_target_event_id(target);
    cmd.set_reason(reason);
    cmd.set_cancel(true);
    cmd.set_date(date);
    return Done(engine_.CorrectEvent(cmd, actor_, NextRequest()));
  }

  // Replaces the fact of `target` by `replacement` (date 0: the target's own effective date).
  absl::StatusOr<Outcome> Correct(const std::string& convention, const std::string& target,
                                        const std::string& reason,
                                        const v1::ClasEvent& replacement, int32_t date = 0) {
    v1::CorrectEvent cmd;
    cmd.set_caf_id(caf_);
    cmd.set_convention_id(convention);
    cmd.set_target_event_id(target);
    cmd.set_reason(reason);
    *cmd.mutable_replacement() = replacement;
    cmd.set_date(date);
    return Done(engine_.CorrectEvent(cmd, actor_, NextRequest()));
  }

  // Every line of the Caf's books booked in civil year `year`, as of `as_of`.
  clas::Lines Lines(int32_t year, AsOf as_of = {}) {
    clas::Lines out;
    auto books = engine_.Books(caf_, as_of);
    EXPECT_TRUE(books.ok()) << books.status();
    if (!books.ok()) return out;
    auto lines = AllLines(*books);
    EXPECT_TRUE(lines.ok()) << lines.status();
    if (!lines.ok()) return out;
    for (const auto& l : *lines) {
      if (l.civil_year().y() == year) out.push_back(l);
    }
    return out;
  }

  const ledger::v1::Actor& actor() const { return actor_; }

 private:
  // The engine's answer, with the convention as known right after it (for a command of one).
  absl::StatusOr<Outcome> Done(absl::StatusOr<CommandResult> result) {
    if (!result.ok()) return result.status();
    Outcome out;
    static_cast<CommandResult&>(out) = *std::move(result);
    if (out.figures.has_value() && !out.events.empty()) {
      auto state = engine_.GetConvention(caf_, out.figures->convention_id(),
                                         AsOf{.known_at_us = out.events.back().recorded_at_us});
      if (state.ok()) out.convention = *std::move(state);
    }
    return out;
  }
  std::string caf_;
  InMemoryEventLog log_;
  Engine engine_;
  ledger::v1::Actor actor_;
  int requests_ = 0;
};

// Sums the lines of `lines` matching the predicate.
template <typename Pred>
int64_t SumLines(const clas::Lines& lines, Pred pred) {
  Money sum;
  for (const Line& l : lines) {
    if (pred(l)) sum += l.amount;
  }
  return sum.cents();
}

}  // namespace clas::testing

#endif  // CLAS_TESTS_PROJECTIONS_AGENT_H_
