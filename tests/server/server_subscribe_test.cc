// End-to-end, Ledger.Subscribe through a real server: a subscriber catches up from position 1,
// is told so (caught_up_to), receives the appends made while it listens, is cut, and resumes
// from the last position it saw + 1 with no event missed or repeated; filters by Caf and event
// type; a subscriber that stops reading never holds up the appenders; a subscriber restricted
// to one Caf sees nothing of another, live or caught up; a shutdown ends the stream with a
// position to resume from. Nothing here waits on a clock: every read waits for a position.
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/e2e_support.h"
#include "tests/server/grpc_desk.h"

namespace clas::testing {
namespace {

using ::testing::IsEmpty;

constexpr char kService13[] = "svc-13";

std::vector<uint64_t> Range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> out;
  for (uint64_t p = first; p <= last; ++p) out.push_back(p);
  return out;
}

class Subscribe : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    ASSERT_TRUE(a_.Bareme(2026, Eur(7000), Eur(1000), Eur(1500)).status.ok());
    for (GrpcDesk* desk : {&a_, &b_}) {
      const std::string n = desk->caf().substr(4);
      ASSERT_TRUE(desk->Register("asso-" + n, v1::ASSOCIATION).status.ok());
      ASSERT_TRUE(desk->Convention("conv-" + n, "asso-" + n, 2026, 2, Eur(14000)).status.ok());
    }
  }

  // An acompte of one euro on conv-<n> of `desk`'s Caf; its position.
  uint64_t PayOneEuro(GrpcDesk& desk, const std::string& id) {
    Reply paid = desk.Acompte("conv-" + desk.caf().substr(4), id, 2026, Eur(1), 20261102);
    EXPECT_TRUE(paid.status.ok()) << paid.status.error_message();
    return paid.response.log_position();
  }

  uint64_t Note(const std::string& id, const std::string& payload = "note") {
    auto appended = AppendExt(*this, "service-demo", "ext/service-demo/notes", {id}, payload);
    EXPECT_TRUE(appended.status.ok()) << appended.status.error_message();
    return appended.response.last_position();
  }

  GrpcDesk a_{this, kCafA};
  GrpcDesk b_{this, kCafB};
};

TEST_F(Subscribe, CatchesUpGoesLiveIsCutAndResumesWithNoGapNorRepeat) {
  Note("n-1");
  const uint64_t caught_up_head = HeadOf(*this);
  v1::SubscribeRequest from_start;
  from_start.set_from_position(1);
  Subscription first(*this, "service-demo", from_start);
  ASSERT_TRUE(first.ReadUntilCaughtUp(caught_up_head));
  EXPECT_EQ(first.caught_up_to, caught_up_head);
  EXPECT_EQ(PositionsOf(first.events), Range(1, caught_up_head));

  // Live: appends of both kinds while the subscriber listens.
  Note("n-2");
  PayOneEuro(a_, "live-1");
  const uint64_t live_head = Note("n-3");
  ASSERT_TRUE(first.ReadUntilEvent(live_head));
  EXPECT_EQ(PositionsOf(first.events), Range(1, live_head));
  EXPECT_EQ(first.events.back().event_id(), "n-3");
  EXPECT_EQ(first.Cancel().error_code(), grpc::StatusCode::CANCELLED);
  const uint64_t last_seen = first.events.back().position();

  // Written while nobody listens.
  PayOneEuro(b_, "gap-1");
  Note("n-4");
  const uint64_t gap_head = PayOneEuro(a_, "gap-2");
  v1::SubscribeRequest resume;
  resume.set_from_position(last_seen + 1);
  Subscription second(*this, "service-demo", resume);
  ASSERT_TRUE(second.ReadUntilCaughtUp(gap_head));
  EXPECT_EQ(PositionsOf(second.events), Range(last_seen + 1, gap_head));
  const uint64_t after = Note("n-5");
  ASSERT_TRUE(second.ReadUntilEvent(after));
  EXPECT_EQ(PositionsOf(second.events), Range(last_seen + 1, after));
  // The two sessions together: every position once, in order, and each event as the log has it.
  std::vector<v1::RecordedEvent> both = first.events;
  both.insert(both.end(), second.events.begin(), second.events.end());
  EXPECT_EQ(PositionsOf(both), Range(1, after));
  const auto log = ReadWholeLog(*this, "service-demo");
  ASSERT_EQ(log.size(), both.size());
  for (size_t i = 0; i < log.size(); ++i) EXPECT_EQ(both[i].hash(), log[i].hash()) << i;
  second.Cancel();
}

// Appenders racing each other while the subscriber reads: still every position once, in order.
TEST_F(Subscribe, ConcurrentAppendersAreDeliveredInOrderWithNoGap) {
  v1::SubscribeRequest all;
  Subscription live(*this, "service-demo", all);
  ASSERT_TRUE(live.ReadUntilCaughtUp(HeadOf(*this)));
  constexpr int kThreads = 3, kAppends = 20;
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([this, t] {
      for (int i = 0; i < kAppends; ++i) {
        auto appended = AppendExt(*this, "service-demo", absl::StrCat("ext/service-demo/w", t),
                                  {absl::StrCat("w", t, "-", i)});
        EXPECT_TRUE(appended.status.ok()) << appended.status.error_message();
      }
    });
  }
  for (auto& w : writers) w.join();
  const uint64_t head = HeadOf(*this);
  ASSERT_TRUE(live.ReadUntilCaughtUp(head));
  EXPECT_EQ(PositionsOf(live.events), Range(1, head));
  live.Cancel();
}

TEST_F(Subscribe, FiltersByCafAndByEventType) {
  PayOneEuro(a_, "a-1");
  PayOneEuro(b_, "b-1");
  Note("n-1");
  auto expected = [&](auto keep) {
    std::vector<uint64_t> out;
    for (const auto& e : ReadWholeLog(*this, "auditeur")) {
      if (keep(e)) out.push_back(e.position());
    }
    return out;
  };
  const auto is13 = [](const v1::RecordedEvent& e) { return e.caf_id() == kCafB; };
  const auto isAcompte = [](const v1::RecordedEvent& e) {
    return e.event_type() == "acompte_paid";
  };
  const auto of75Wanted = [](const v1::RecordedEvent& e) {
    return e.caf_id() == kCafA &&
           (e.event_type() == "acompte_paid" || e.event_type() == "convention_signed");
  };
  v1::SubscribeRequest of13;
  of13.add_caf_ids(kCafB);
  v1::SubscribeRequest acomptes;
  acomptes.add_event_types("acompte_paid");
  v1::SubscribeRequest both;
  both.add_caf_ids(kCafA);
  both.add_event_types("acompte_paid");
  both.add_event_types("convention_signed");
  Subscription caf(*this, "service-demo", of13);
  Subscription type(*this, "service-demo", acomptes);
  Subscription caf_and_types(*this, "service-demo", both);
  uint64_t head = HeadOf(*this);
  for (Subscription* s : {&caf, &type, &caf_and_types}) ASSERT_TRUE(s->ReadUntilCaughtUp(head));
  EXPECT_EQ(PositionsOf(caf.events), expected(is13));
  EXPECT_EQ(PositionsOf(type.events), expected(isAcompte));
  EXPECT_EQ(PositionsOf(caf_and_types.events), expected(of75Wanted));
  EXPECT_EQ(expected(isAcompte).size(), 2u);
  EXPECT_EQ(expected(of75Wanted).size(), 2u);

  // Live: events each filter keeps or leaves out, in both Cafs.
  PayOneEuro(a_, "a-2");
  PayOneEuro(b_, "b-2");
  Note("n-2");
  head = PayOneEuro(a_, "a-3");
  for (Subscription* s : {&caf, &type, &caf_and_types}) ASSERT_TRUE(s->ReadUntilCaughtUp(head));
  EXPECT_EQ(PositionsOf(caf.events), expected(is13));
  EXPECT_EQ(PositionsOf(type.events), expected(isAcompte));
  EXPECT_EQ(PositionsOf(caf_and_types.events), expected(of75Wanted));
  EXPECT_EQ(expected(isAcompte).size(), 5u);
  for (Subscription* s : {&caf, &type, &caf_and_types}) {
    EXPECT_EQ(s->Cancel().error_code(), grpc::StatusCode::CANCELLED);
  }
}

// The subscriber reads nothing while ~24 MiB of events are appended (more than the transport
// buffers between them): every append still completes; then everything arrives, in order.
TEST_F(Subscribe, ASlowSubscriberDoesNotBlockAppenders) {
  v1::SubscribeRequest all;
  Subscription slow(*this, "service-demo", all, std::chrono::seconds(120));
  ASSERT_TRUE(slow.ReadUntilCaughtUp(HeadOf(*this)));
  const std::string big(512 << 10, 'x');
  constexpr int kAppends = 48;
  uint64_t last = 0;
  for (int i = 0; i < kAppends; ++i) {
    auto appended =
        AppendExt(*this, "service-demo", "ext/service-demo/bulk", {absl::StrCat("bulk-", i)}, big);
    ASSERT_TRUE(appended.status.ok()) << i << ": " << appended.status.error_message();
    last = appended.response.last_position();
  }
  const uint64_t paid = PayOneEuro(a_, "after-bulk");  // a Caf command is not held up either
  ASSERT_EQ(paid, last + 1);
  ASSERT_TRUE(slow.ReadUntilEvent(paid));
  EXPECT_EQ(PositionsOf(slow.events), Range(1, paid));
  for (const auto& e : slow.events) {
    if (e.stream_id() == "ext/service-demo/bulk") {
      EXPECT_EQ(e.payload().size(), big.size());
    }
  }
  slow.Cancel();
}

TEST_F(Subscribe, ARestrictedSubscriberSeesNoEventOfAnotherCafLiveOrCaughtUp) {
  PayOneEuro(a_, "a-1");
  PayOneEuro(b_, "b-1");
  AddToken(*this, kService13, "service", kCafB);
  Restart();
  v1::SubscribeRequest all;
  Subscription restricted(*this, kService13, all);
  ASSERT_TRUE(restricted.ReadUntilCaughtUp(HeadOf(*this)));
  const uint64_t hidden = PayOneEuro(a_, "a-2");
  Note("n-1");  // another service's event: not of caf-13 either
  const uint64_t shown = PayOneEuro(b_, "b-2");
  ASSERT_TRUE(restricted.ReadUntilEvent(shown));
  std::vector<uint64_t> expected;
  for (const auto& e : ReadWholeLog(*this, "auditeur")) {
    if (e.caf_id() == kCafB || e.caf_id() == "cnaf") expected.push_back(e.position());
  }
  EXPECT_EQ(PositionsOf(restricted.events), expected);
  for (const auto& e : restricted.events) {
    EXPECT_NE(e.caf_id(), kCafA) << e.position();
    EXPECT_NE(e.position(), hidden);
  }
  v1::SubscribeRequest asked75;
  asked75.add_caf_ids(kCafA);
  Subscription refused(*this, kService13, asked75);
  ASSERT_TRUE(refused.ReadUntilCaughtUp(HeadOf(*this)));
  EXPECT_THAT(refused.events, IsEmpty());
  restricted.Cancel();
  refused.Cancel();
}

// A shutdown ends an open subscription with UNAVAILABLE after a caught_up_to; resuming from it
// after the restart gives exactly what was written since.
TEST_F(Subscribe, ShutdownEndsTheStreamWithAPositionToResumeFrom) {
  v1::SubscribeRequest all;
  auto open = std::make_unique<Subscription>(*this, "service-demo", all);
  const uint64_t head = HeadOf(*this);
  ASSERT_TRUE(open->ReadUntilCaughtUp(head));
  server_->Shutdown(absl::Seconds(10));
  EXPECT_EQ(open->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(open->caught_up_to, head);
  EXPECT_EQ(PositionsOf(open->events), Range(1, head));
  open.reset();
  Restart();
  const uint64_t written = PayOneEuro(a_, "after-restart");
  v1::SubscribeRequest resume;
  resume.set_from_position(head + 1);
  Subscription resumed(*this, "service-demo", resume);
  ASSERT_TRUE(resumed.ReadUntilCaughtUp(written));
  EXPECT_EQ(PositionsOf(resumed.events), Range(head + 1, written));
  resumed.Cancel();
}

}  // namespace
}  // namespace clas::testing
