// Exactly-once commands (engine.h, request_key.h): a retry answers with its own events and only
// them, and the figures as they were right after them; the same request id with another method
// or other content is refused naming R-HIST-1 and writes nothing; every request id of 1 to 128
// printable characters works whatever the Caf's id; a request recorded before the fixed-size
// event ids is still answered; a request another writer recorded while this one was deciding
// is answered as a retry; once written, a command is acknowledged even when what follows the
// write fails.
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/engine/request_key.h"
#include "tests/projections/agent.h"

namespace clas::testing {
namespace {

using ::testing::ElementsAre;

// The ids and positions of `events`, to compare answers.
std::vector<std::pair<std::string, uint64_t>> IdsOf(const std::vector<DomainEvent>& events) {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (const DomainEvent& e : events) out.emplace_back(e.event_id, e.position);
  return out;
}

bool SameFigures(const std::optional<v1::ConventionFigures>& a,
                 const std::optional<v1::ConventionFigures>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a.has_value() || a->SerializeAsString() == b->SerializeAsString();
}

class ExactlyOnce : public ::testing::Test {
 protected:
  void SetUp() override { Open(agent_); }

  // A signed annual convention conv-1 of 2 collectifs for 2026 (PS of DP 3 250,00 €: cap of
  // the N share 910,00 €).
  static void Open(Agent& agent) {
    ASSERT_TRUE(agent.PublishBareme(2026, Eur(7000), Eur(1000), Eur(1500)).ok());
    ASSERT_TRUE(agent.Register("asso-1", v1::ASSOCIATION).ok());
    ASSERT_TRUE(
        agent.File(Agent::Request("conv-1", "asso-1", 2026, 1, 2, Eur(10000)), 20260515).ok());
    ASSERT_TRUE(agent.Agree("conv-1", 2026, 2026, 2, 20260620).ok());
    ASSERT_TRUE(agent.Sign("conv-1", 2026, 2026, 20260701).ok());
  }

  v1::PayAcompte Acompte(const std::string& payment_id, int64_t cents, int32_t date = 20261115) {
    v1::PayAcompte cmd;
    cmd.set_caf_id(agent_.caf());
    cmd.set_convention_id("conv-1");
    cmd.set_payment_id(payment_id);
    cmd.set_school_year(2026);
    cmd.set_amount_cents(cents);
    cmd.set_date(date);
    return cmd;
  }

  v1::NotifyCollectifs Notification(const std::string& id, int32_t collectifs) {
    v1::NotifyCollectifs cmd;
    cmd.set_caf_id(agent_.caf());
    cmd.set_convention_id("conv-1");
    cmd.set_notification_id(id);
    cmd.set_school_year(2026);
    cmd.set_collectifs(collectifs);
    cmd.set_date(20261010);
    return cmd;
  }

  Engine& engine() { return agent_.engine(); }
  uint64_t Head() { return agent_.log().HeadPosition(); }

  Agent agent_;
};

// Finding 1: a NotifyCollectifs and a PayAcompte that serialise to the same bytes under one
// request id. The second is not "replayed" with the first one's event: it is refused.
TEST_F(ExactlyOnce, R_HIST_1_TheSameRequestIdOnAnotherMethodIsRefused) {
  v1::NotifyCollectifs notify = Notification("X", 2);
  v1::PayAcompte pay = Acompte("X", 2, 20261010);
  ASSERT_EQ(notify.SerializeAsString(), pay.SerializeAsString()) << "the finding's premise";
  auto notified = engine().NotifyCollectifs(notify, agent_.actor(), "R");
  ASSERT_TRUE(notified.ok()) << notified.status();
  const uint64_t head = Head();
  auto paid = engine().PayAcompte(pay, agent_.actor(), "R");
  EXPECT_TRUE(IsRefusal(paid.status(), absl::StatusCode::kAlreadyExists, "R-HIST-1"))
      << paid.status();
  EXPECT_EQ(Head(), head);
  // The first one, retried, is still answered.
  auto again = engine().NotifyCollectifs(notify, agent_.actor(), "R");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(IdsOf(again->events), IdsOf(notified->events));
}

TEST_F(ExactlyOnce, R_HIST_1_TheSameRequestIdWithOtherContentIsRefused) {
  ASSERT_TRUE(engine().PayAcompte(Acompte("a1", Eur(100)), agent_.actor(), "R").ok());
  const uint64_t head = Head();
  auto other = engine().PayAcompte(Acompte("a1", Eur(101)), agent_.actor(), "R");
  EXPECT_TRUE(IsRefusal(other.status(), absl::StatusCode::kAlreadyExists, "R-HIST-1"));
  EXPECT_EQ(Head(), head);
}

// Finding 2: a retry's answer held the events of a request whose id started with its own and
// "#". It holds its own events, and the figures of right after them, and nothing else.
TEST_F(ExactlyOnce, R_HIST_1_ARetryAnswersItsOwnEventsAndFiguresOnly) {
  auto first = engine().PayAcompte(Acompte("a1", Eur(100)), agent_.actor(), "R");
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(engine().PayAcompte(Acompte("a2", Eur(200)), agent_.actor(), "R#1").ok());
  ASSERT_TRUE(engine().PayAcompte(Acompte("a3", Eur(300)), agent_.actor(), "R#0").ok());
  const uint64_t head = Head();
  auto again = engine().PayAcompte(Acompte("a1", Eur(100)), agent_.actor(), "R");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->replayed);
  EXPECT_FALSE(first->replayed);
  EXPECT_EQ(IdsOf(again->events), IdsOf(first->events));
  ASSERT_TRUE(first->figures.has_value());
  EXPECT_EQ(first->figures->years(0).acomptes_n_cents(), Eur(100));
  EXPECT_TRUE(SameFigures(again->figures, first->figures))
      << again->figures->DebugString() << first->figures->DebugString();
  EXPECT_EQ(Head(), head);
}

// A command of several facts (a contrôle decision with its indu) is answered whole on a retry.
TEST_F(ExactlyOnce, R_HIST_1_ARetryOfACommandOfSeveralFactsAnswersThemAll) {
  ASSERT_TRUE(agent_.Acompte("conv-1", "a1", 2026, Eur(910), 20261115).ok());
  ASSERT_TRUE(agent_.Bilan("conv-1", 2026, 2, Eur(10000), 20270915).ok());
  ASSERT_TRUE(agent_.Solde("conv-1", "s1", 2026, 20271105).ok());
  ASSERT_TRUE(agent_.OpenControle("conv-1", "ctl-1", {2026}, 20280115).ok());
  ASSERT_TRUE(
      agent_.Findings("conv-1", "ctl-1", {Agent::Controlled(2026, 1, Eur(5000))}, 20280215).ok());
  v1::DecideControle decide;
  decide.set_caf_id(agent_.caf());
  decide.set_convention_id("conv-1");
  decide.set_controle_id("ctl-1");
  decide.set_date(20280301);
  auto first = engine().DecideControle(decide, agent_.actor(), "decision");
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->events.size(), 2u);  // the decision and its indu
  auto again = engine().DecideControle(decide, agent_.actor(), "decision");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(IdsOf(again->events), IdsOf(first->events));
  EXPECT_TRUE(SameFigures(again->figures, first->figures));
}

// Finding 6: the limit of a request id depended on the Caf id's length. Every request id of 1
// to 128 printable characters works, for a Caf id of 64; 129 characters, or a control
// character, are refused naming R-HIST-1.
TEST_F(ExactlyOnce, R_HIST_1_RequestIdsOfOneTo128CharactersWhateverTheCafId) {
  Agent agent(std::string(kCafIdBytesMax, 'c'));
  Open(agent);
  v1::PayAcompte cmd;
  cmd.set_caf_id(agent.caf());
  cmd.set_convention_id("conv-1");
  cmd.set_school_year(2026);
  cmd.set_amount_cents(100);
  cmd.set_date(20261115);
  const std::string longest(kIdBytesMax, '~');
  for (const std::string& id : {std::string("r"), longest, std::string(121, 'x'),
                                std::string("with spaces / slashes # and \"quotes\"")}) {
    SCOPED_TRACE(id.size());
    cmd.set_payment_id(absl::StrCat("p-", id.size(), "-", std::string(1, id.front())));
    auto paid = agent.engine().PayAcompte(cmd, agent.actor(), id);
    ASSERT_TRUE(paid.ok()) << paid.status();
    EXPECT_LE(paid->events.front().event_id.size(), ledger::kEventIdBytesMax);
    auto again = agent.engine().PayAcompte(cmd, agent.actor(), id);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_TRUE(again->replayed);
  }
  const uint64_t head = agent.log().HeadPosition();
  cmd.set_payment_id("p-too-long");
  for (const std::string& id : {std::string(kIdBytesMax + 1, 'x'), std::string(),
                                std::string("tab\there"), std::string("é")}) {
    EXPECT_TRUE(IsRefusal(agent.engine().PayAcompte(cmd, agent.actor(), id).status(),
                          absl::StatusCode::kInvalidArgument, "R-HIST-1"))
        << id;
  }
  EXPECT_EQ(agent.log().HeadPosition(), head);
}

// A request recorded before the fixed-size ids ("<caf>/<request id>#<rank>", an 8-byte digest
// of the command alone) is answered on a retry, and its id taken by another method is refused.
TEST_F(ExactlyOnce, R_HIST_1_ARequestRecordedBeforeTheFixedSizeIdsIsStillAnswered) {
  v1::PayAcompte cmd = Acompte("old-1", Eur(100));
  // As the ledger recorded it then: the acompte's fact under its old id and digest.
  auto decided = engine().PayAcompte(Acompte("probe", Eur(100)), agent_.actor(), "probe");
  ASSERT_TRUE(decided.ok());
  v1::ClasEvent fact = decided->events.front().fact;
  fact.mutable_acompte_paid()->set_payment_id("old-1");
  fact.set_request_id("old-request");
  fact.set_request_digest(LegacyDigest(cmd));
  const std::string old_id = *LegacyEventId(agent_.caf(), "old-request", 0);
  std::vector<ledger::v1::EventData> data = {
      ToEventData(fact, old_id, 20261115, agent_.caf(), agent_.actor(), "2026.1")};
  const std::string stream = ConventionStream(agent_.caf(), "conv-1");
  auto appended = agent_.log().Append(stream, decided->events.front().stream_version, data);
  ASSERT_TRUE(appended.ok()) << appended.status();
  const uint64_t head = Head();

  auto retry = engine().PayAcompte(cmd, agent_.actor(), "old-request");
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->replayed);
  EXPECT_THAT(IdsOf(retry->events), ElementsAre(std::pair(old_id, head)));
  ASSERT_TRUE(retry->figures.has_value());
  EXPECT_EQ(retry->figures->years(0).acomptes_n_cents(), Eur(200));
  // The same bytes as another command: the old digest does not say which; the fact does.
  v1::NotifyCollectifs notify;
  ASSERT_TRUE(notify.ParseFromString(cmd.SerializeAsString()));
  EXPECT_TRUE(IsRefusal(engine().NotifyCollectifs(notify, agent_.actor(), "old-request").status(),
                        absl::StatusCode::kAlreadyExists, "R-HIST-1"));
  EXPECT_TRUE(IsRefusal(engine().PayAcompte(Acompte("old-1", Eur(99)), agent_.actor(),
                                            "old-request").status(),
                        absl::StatusCode::kAlreadyExists, "R-HIST-1"));
  EXPECT_EQ(Head(), head);
}

// A log on which another writer records the same request between this engine's check and its
// append (as two servers on one log, or a retry crossing its original).
class RacingLog : public InMemoryEventLog {
 public:
  absl::StatusOr<Appended> Append(const std::string& stream, uint64_t expected_version,
                                  std::vector<ledger::v1::EventData> events) override {
    if (race_next_) {
      race_next_ = false;
      auto other = InMemoryEventLog::Append(stream, expected_version, events);
      if (!other.ok()) return other.status();
      raced_ = other->events;
    }
    return InMemoryEventLog::Append(stream, expected_version, std::move(events));
  }
  void RaceNext() { race_next_ = true; }
  const std::vector<DomainEvent>& raced() const { return raced_; }

 private:
  bool race_next_ = false;
  std::vector<DomainEvent> raced_;
};

TEST(ExactlyOnceRace, R_HIST_1_ARequestRecordedMeanwhileByAnotherWriterIsAnsweredAsARetry) {
  RacingLog log;
  Engine engine(&log);
  ledger::v1::Actor actor;
  actor.set_id("agent-1");
  actor.set_role("agent");
  actor.set_tenant_id("caf-75");
  v1::RegisterGestionnaire cmd;
  cmd.set_caf_id("caf-75");
  cmd.set_gestionnaire_id("asso-1");
  cmd.set_name("Association des devoirs");
  cmd.set_kind(v1::ASSOCIATION);
  cmd.set_date(20260101);
  log.RaceNext();
  auto answer = engine.RegisterGestionnaire(cmd, actor, "R");
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_TRUE(answer->replayed);
  EXPECT_EQ(IdsOf(answer->events), IdsOf(log.raced()));
  EXPECT_EQ(log.HeadPosition(), 1u);
}

// Two calls of one request at once on one engine: one writes, the other answers as a retry,
// with the same events.
TEST_F(ExactlyOnce, R_HIST_1_ConcurrentCallsOfOneRequestWriteOnce) {
  constexpr int kCalls = 8;
  std::vector<absl::StatusOr<CommandResult>> answers(kCalls, absl::UnknownError("not run"));
  const uint64_t head = Head();
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < kCalls; ++i) {
      threads.emplace_back([&, i] {
        answers[i] = engine().PayAcompte(Acompte("a1", Eur(100)), agent_.actor(), "same");
      });
    }
    for (auto& t : threads) t.join();
  }
  EXPECT_EQ(Head(), head + 1);
  int written = 0;
  for (const auto& a : answers) {
    ASSERT_TRUE(a.ok()) << a.status();
    written += a->replayed ? 0 : 1;
    EXPECT_EQ(IdsOf(a->events), IdsOf(answers[0]->events));
    EXPECT_TRUE(SameFigures(a->figures, answers[0]->figures));
  }
  EXPECT_EQ(written, 1);
}

// A log whose reads fail once an append succeeded: what follows a write fails.
class FailingAfterAppendLog : public InMemoryEventLog {
 public:
  absl::StatusOr<Appended> Append(const std::string& stream, uint64_t expected_version,
                                  std::vector<ledger::v1::EventData> events) override {
    auto out = InMemoryEventLog::Append(stream, expected_version, std::move(events));
    if (out.ok() && arm_) failing_ = true;
    return out;
  }
  absl::StatusOr<std::vector<DomainEvent>> ReadStream(const std::string& stream) override {
    if (failing_) return absl::UnavailableError("disk gone");
    return InMemoryEventLog::ReadStream(stream);
  }
  void Arm() { arm_ = true; }

 private:
  bool arm_ = false, failing_ = false;
};

// Finding 3's principle: a command whose events are written is acknowledged, whatever fails
// after the write (here the fold again of the stream a correction needs): the answer holds the
// events, without figures.
TEST(ExactlyOnceAfterWrite, R_HIST_1_AWrittenCommandIsAcknowledgedEvenWhenWhatFollowsFails) {
  FailingAfterAppendLog log;
  Engine engine(&log);
  ledger::v1::Actor actor;
  actor.set_id("agent-1");
  actor.set_role("agent");
  actor.set_tenant_id("caf-75");
  auto run = [&](auto method, auto cmd, const std::string& id) {
    cmd.set_caf_id("caf-75");
    return (engine.*method)(cmd, actor, id);
  };
  v1::PublishBareme bareme;
  bareme.mutable_bareme()->set_school_year(2026);
  bareme.mutable_bareme()->set_plafond_cents(Eur(7000));
  bareme.set_date(20260601);
  ASSERT_TRUE(engine.PublishBareme(bareme, actor, "b").ok());
  v1::RegisterGestionnaire g;
  g.set_gestionnaire_id("asso-1");
  g.set_name("Association");
  g.set_kind(v1::ASSOCIATION);
  g.set_date(20260101);
  ASSERT_TRUE(run(&Engine::RegisterGestionnaire, g, "g").ok());
  v1::FileFundingRequest file;
  *file.mutable_request() = Agent::Request("conv-1", "asso-1", 2026, 1, 2, Eur(10000));
  file.set_date(20260515);
  auto filed = run(&Engine::FileFundingRequest, file, "f");
  ASSERT_TRUE(filed.ok()) << filed.status();
  v1::CorrectEvent correct;
  correct.set_convention_id("conv-1");
  correct.set_target_event_id(filed->events.front().event_id);
  correct.set_reason("charges mal saisies");
  *correct.mutable_replacement()->mutable_funding_request_filed() =
      Agent::Request("conv-1", "asso-1", 2026, 1, 2, Eur(11000));
  log.Arm();
  const uint64_t head = log.HeadPosition();
  auto corrected = run(&Engine::CorrectEvent, correct, "c");
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  EXPECT_FALSE(corrected->replayed);
  ASSERT_EQ(corrected->events.size(), 1u);
  EXPECT_EQ(corrected->events.front().position, head + 1);
  EXPECT_FALSE(corrected->figures.has_value());
  EXPECT_EQ(log.HeadPosition(), head + 1);
}

}  // namespace
}  // namespace clas::testing
