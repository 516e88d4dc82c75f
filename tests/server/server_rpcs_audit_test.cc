// End-to-end, every RPC of Audit and Ledger through a real server, and the status codes the
// other files do not reach: a replay with the state after each event, a diff between two dates
// with its field paths and events, the chain verified, an export verified offline (each hash
// recomputed as record.proto documents it, the stream links followed), reads of a stream both
// ways and of the whole log by pages, appends retried, a replay over its limit, an unknown
// method, a subscription past its deadline.
#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/hash_chain.h"
#include "tests/server/e2e_support.h"
#include "tests/server/grpc_desk.h"

namespace clas::testing {
namespace {

using ::testing::ElementsAre;

class AuditAndLedger : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    // conv-a (caf-75): request, comité, signature, two acomptes, bilan, solde: 7 events.
    ASSERT_TRUE(desk_.Bareme(2026, Eur(7000), Eur(1000), Eur(1500)).status.ok());
    ASSERT_TRUE(desk_.Register("asso-5", v1::ASSOCIATION).status.ok());
    ASSERT_TRUE(desk_.Convention("conv-a", "asso-5", 2026, 2, Eur(14000)).status.ok());
    ASSERT_TRUE(desk_.Acompte("conv-a", "a1", 2026, Eur(1274), 20261102).status.ok());
    ASSERT_TRUE(desk_.Acompte("conv-a", "a2", 2026, Eur(1911), 20270201).status.ok());
    ASSERT_TRUE(desk_.Bilan("conv-a", 2026, 2, Eur(14000), 20270920).status.ok());
    ASSERT_TRUE(desk_.Solde("conv-a", "s1", 2026, 20271015).status.ok());
  }

  std::vector<v1::ReplayHistoryItem> Replay(const v1::ReplayHistoryRequest& request,
                                            grpc::Status* status,
                                            const std::string& user = "auditeur") {
    auto stub = audit();
    auto context = As(user);
    auto reader = stub->ReplayHistory(context.get(), request);
    std::vector<v1::ReplayHistoryItem> items;
    v1::ReplayHistoryItem item;
    while (reader->Read(&item)) items.push_back(item);
    *status = reader->Finish();
    return items;
  }

  static v1::ReplayHistoryRequest ReplayOf(const std::string& convention) {
    v1::ReplayHistoryRequest r;
    r.set_caf_id(kCafA);
    r.set_convention_id(convention);
    return r;
  }

  GrpcDesk desk_{this, kCafA};
};

TEST_F(AuditAndLedger, ReplayHistoryGivesEveryEventInOrderWithTheStateAfterIt) {
  grpc::Status status;
  const auto items = Replay(ReplayOf("conv-a"), &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(items.size(), 7u);
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& e = items[i].event();
    EXPECT_EQ(e.stream_version(), i + 1);
    EXPECT_EQ(items[i].state_after().last_position(), e.position());
    EXPECT_EQ(items[i].state_after().events_size(), 0) << "the replay's items are the timeline";
    auto recorded = server_->store().Read(e.position());  // the event with its hashes
    ASSERT_TRUE(recorded.ok());
    EXPECT_EQ(e.hash(), recorded->hash);
    EXPECT_EQ(e.prev_stream_hash(), recorded->prev_stream_hash);
    if (i > 0) {
      EXPECT_GT(e.position(), items[i - 1].event().position());
    }
  }
  EXPECT_EQ(items[0].event().event_type(), "funding_request_filed");
  EXPECT_EQ(items[0].state_after().status(), v1::DEMANDE_DEPOSEE);
  EXPECT_EQ(items[6].event().event_type(), "solde_paid");
  EXPECT_EQ(items[6].state_after().status(), v1::SOLDEE);
  auto now = GetConvention(*this, "auditeur", kCafA, "conv-a");
  ASSERT_TRUE(now.status.ok());
  EXPECT_TRUE(SameState(items.back().state_after(), WithoutTimeline(now.response.convention())));

  // Bounded by effective dates: the events of civil year 2027.
  v1::ReplayHistoryRequest in2027 = ReplayOf("conv-a");
  in2027.set_from_date(20270101);
  in2027.set_to_date(20271231);
  const auto bounded = Replay(in2027, &status);
  ASSERT_TRUE(status.ok());
  std::vector<std::string> types;
  for (const auto& item : bounded) types.push_back(item.event().event_type());
  EXPECT_THAT(types, ElementsAre("acompte_paid", "bilan_received", "solde_paid"));

  v1::ReplayHistoryRequest bad_date = ReplayOf("conv-a");
  bad_date.set_from_date(20270230);
  Replay(bad_date, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  bad_date.set_from_date(20271231);
  bad_date.set_to_date(20270101);
  Replay(bad_date, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  Replay(ReplayOf("nope"), &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  Replay(ReplayOf("conv-a"), &status, Agent(kCafA));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AuditAndLedger, DiffStatesNamesTheFieldsAndTheEventsBetweenTwoDates) {
  v1::DiffStatesRequest r;
  r.set_caf_id(kCafA);
  r.set_convention_id("conv-a");
  r.set_from_date(20270919);
  r.set_to_date(20271015);
  v1::DiffStatesResponse diff;
  ASSERT_TRUE(audit()->DiffStates(As("auditeur").get(), r, &diff).ok());
  std::vector<std::string> types;
  for (const auto& e : diff.events()) types.push_back(e.event_type());
  EXPECT_THAT(types, ElementsAre("bilan_received", "solde_paid"));
  EXPECT_EQ(diff.events(1).hash(), server_->store().Head().hash);
  std::map<std::string, std::pair<std::string, std::string>> changes;
  for (const auto& c : diff.changes()) changes[c.path()] = {c.before(), c.after()};
  EXPECT_EQ(changes["years[0].bilan_received"],
            std::make_pair(std::string("false"), std::string("true")));
  EXPECT_EQ(changes["years[0].solde_paid"],
            std::make_pair(std::string("false"), std::string("true")));
  EXPECT_EQ(changes["years[0].solde.amount_cents"].second, "136500");  // 4 550,00 − 3 185,00
  EXPECT_EQ(changes["status"], std::make_pair(std::string("SIGNEE"), std::string("SOLDEE")));
  EXPECT_EQ(changes.count("known_at_us"), 0u);
  EXPECT_EQ(diff.log_position(), HeadOf(*this));
  EXPECT_EQ(audit()->DiffStates(As(Controleur(kCafA)).get(), r, &diff).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Dates are real days, the first before the second.
  for (auto [from, to] : {std::pair{20270230, 20271015}, std::pair{20270101, 20271232},
                          std::pair{20271015, 20270919}}) {
    r.set_from_date(from);
    r.set_to_date(to);
    EXPECT_EQ(audit()->DiffStates(As("auditeur").get(), r, &diff).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT)
        << from << " " << to;
  }
}

TEST_F(AuditAndLedger, VerifyChainChecksTheWholeLogOrARange) {
  v1::VerifyChainRequest r;
  v1::VerifyChainResponse verified;
  ASSERT_TRUE(audit()->VerifyChain(As("auditeur").get(), r, &verified).ok());
  const ledger::LogHead head = server_->store().Head();
  EXPECT_TRUE(verified.ok()) << verified.problem();
  EXPECT_EQ(verified.events_checked(), head.position);
  EXPECT_EQ(verified.head_position(), head.position);
  EXPECT_EQ(verified.head_hash(), head.hash);
  r.set_from_position(3);
  r.set_to_position(5);
  ASSERT_TRUE(audit()->VerifyChain(As("auditeur").get(), r, &verified).ok());
  EXPECT_TRUE(verified.ok());
  EXPECT_EQ(verified.events_checked(), 3u);
  r.set_from_position(5);
  r.set_to_position(3);
  EXPECT_EQ(audit()->VerifyChain(As("auditeur").get(), r, &verified).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  r.set_from_position(1);
  r.set_to_position(head.position + 1);
  EXPECT_EQ(audit()->VerifyChain(As("auditeur").get(), r, &verified).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(audit()->VerifyChain(As("service-demo").get(), r, &verified).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

// The auditor's offline check of an export: nothing but the exported bytes and SHA-256.
::testing::AssertionResult VerifiesOffline(const v1::ConventionExport& x) {
  std::string prev_stream_hash = ledger::GenesisHash();
  uint64_t position = 0;
  for (int i = 0; i < x.events_size(); ++i) {
    const auto& stored = x.events(i);
    ledger::v1::EventBody body;
    if (!body.ParseFromString(stored.body())) {
      return ::testing::AssertionFailure() << "event " << i << ": body does not parse";
    }
    if (body.stream_id() != x.stream_id() || body.stream_version() != uint64_t(i) + 1) {
      return ::testing::AssertionFailure() << "event " << i << ": not version " << i + 1;
    }
    if (stored.prev_stream_hash() != prev_stream_hash) {
      return ::testing::AssertionFailure() << "event " << i << ": stream link broken";
    }
    if (ledger::EventHash(stored.prev_hash(), stored.prev_stream_hash(), stored.body()) !=
        stored.hash()) {
      return ::testing::AssertionFailure() << "event " << i << ": hash is not of its bytes";
    }
    if (body.position() <= position || body.position() > x.head_position()) {
      return ::testing::AssertionFailure() << "event " << i << ": position out of order";
    }
    position = body.position();
    prev_stream_hash = stored.hash();
  }
  return ::testing::AssertionSuccess();
}

TEST_F(AuditAndLedger, ExportConventionVerifiesOffline) {
  v1::ExportConventionRequest r;
  r.set_caf_id(kCafA);
  r.set_convention_id("conv-a");
  v1::ConventionExport x;
  ASSERT_TRUE(audit()->ExportConvention(As("auditeur").get(), r, &x).ok());
  EXPECT_EQ(x.stream_id(), "clas/caf-75/convention/conv-a");
  ASSERT_EQ(x.events_size(), 7);
  EXPECT_EQ(x.head_position(), HeadOf(*this));
  EXPECT_EQ(x.head_hash(), server_->store().Head().hash);
  EXPECT_TRUE(VerifiesOffline(x));
  // The global links hold too: each prev_hash is the hash of the position before.
  for (const auto& stored : x.events()) {
    ledger::v1::EventBody body;
    ASSERT_TRUE(body.ParseFromString(stored.body()));
    auto before = server_->store().Read(body.position() - 1);
    ASSERT_TRUE(before.ok());
    EXPECT_EQ(stored.prev_hash(), before->hash);
  }
  // The check is not vacuous: one byte changed, or one event removed, is found.
  v1::ConventionExport changed = x;
  std::string* bytes = changed.mutable_events(3)->mutable_body();
  (*bytes)[bytes->size() / 2] ^= 0x01;
  EXPECT_FALSE(VerifiesOffline(changed));
  v1::ConventionExport removed = x;
  removed.mutable_events()->DeleteSubrange(2, 1);
  EXPECT_FALSE(VerifiesOffline(removed));

  r.set_convention_id("nope");
  EXPECT_EQ(audit()->ExportConvention(As("auditeur").get(), r, &x).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(AuditAndLedger, ReadStreamBothWaysAndReadAllByPages) {
  const std::string stream = "clas/caf-75/convention/conv-a";
  auto forward = ReadStream(*this, "auditeur", stream, 2, false, 3);
  ASSERT_TRUE(forward.status.ok()) << forward.status.error_message();
  std::vector<uint64_t> versions;
  for (const auto& e : forward.response.events()) versions.push_back(e.stream_version());
  EXPECT_THAT(versions, ElementsAre(2, 3, 4));
  EXPECT_TRUE(forward.response.events(0).fact().has_committee_decision_recorded());
  EXPECT_EQ(forward.response.head_position(), HeadOf(*this));
  auto backward = ReadStream(*this, "service-demo", stream, 0, true, 2);
  ASSERT_TRUE(backward.status.ok());
  versions.clear();
  for (const auto& e : backward.response.events()) versions.push_back(e.stream_version());
  EXPECT_THAT(versions, ElementsAre(7, 6));
  EXPECT_EQ(backward.response.events(0).event_type(), "solde_paid");
  EXPECT_EQ(backward.response.events(0).hash(), server_->store().Head().hash);

  // ReadAll by pages of 4 positions: every position once, in order, hashes chained.
  const auto all = ReadWholeLog(*this, "auditeur", 4);
  ASSERT_EQ(all.size(), HeadOf(*this));
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].position(), i + 1);
    if (i > 0) {
      EXPECT_EQ(all[i].prev_hash(), all[i - 1].hash());
    }
  }
  EXPECT_EQ(ReadAll(*this, Agent(kCafA), 1, 10).status.error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

// Events near the payload limit: a page of them would pass the message limit, so an answer
// holds fewer events than asked, never fails, and reading on from the last one gets them all.
TEST_F(AuditAndLedger, ReadsOfLargeEventsComeInPagesThatFitAMessage) {
  const std::string big(900 << 10, 'x');
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(
        AppendExt(*this, "service-demo", "ext/service-demo/bulk", {absl::StrCat("b", i)}, big)
            .status.ok());
  }
  std::vector<uint64_t> positions;
  for (uint64_t from = 1; from <= HeadOf(*this);) {
    auto page = ReadAll(*this, "service-demo", from, 0);
    ASSERT_TRUE(page.status.ok()) << page.status.error_message();
    ASSERT_GT(page.response.events_size(), 0);
    for (const auto& e : page.response.events()) positions.push_back(e.position());
    from = positions.back() + 1;
  }
  EXPECT_EQ(positions.size(), HeadOf(*this));
  EXPECT_EQ(positions.back(), HeadOf(*this));
  std::vector<uint64_t> versions;
  for (uint64_t from = 1; versions.size() < 6;) {
    auto page = ReadStream(*this, "service-demo", "ext/service-demo/bulk", from, false, 0);
    ASSERT_TRUE(page.status.ok()) << page.status.error_message();
    ASSERT_GT(page.response.events_size(), 0);
    ASSERT_LT(page.response.events_size(), 6);
    for (const auto& e : page.response.events()) versions.push_back(e.stream_version());
    from = versions.back() + 1;
  }
  EXPECT_THAT(versions, ElementsAre(1, 2, 3, 4, 5, 6));
}

TEST_F(AuditAndLedger, AppendRetriedIsADuplicateAndReusedIdsAreRefused) {
  auto first = AppendExt(*this, "service-demo", "ext/service-demo/notes", {"n-1", "n-2"});
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  EXPECT_EQ(first.response.last_position() - first.response.first_position(), 1u);
  const uint64_t head = HeadOf(*this);
  auto retry = AppendExt(*this, "service-demo", "ext/service-demo/notes", {"n-1", "n-2"});
  ASSERT_TRUE(retry.status.ok());
  EXPECT_TRUE(retry.response.duplicate());
  EXPECT_EQ(retry.response.first_position(), first.response.first_position());
  EXPECT_EQ(retry.response.last_hash(), first.response.last_hash());
  EXPECT_EQ(AppendExt(*this, "service-demo", "ext/service-demo/notes", {"n-1"}, "other")
                .status.error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(HeadOf(*this), head);
  auto read = ReadStream(*this, "service-demo", "ext/service-demo/notes", 1, false, 10);
  ASSERT_EQ(read.response.events_size(), 2);
  EXPECT_EQ(read.response.events(0).payload(), "payload");
  EXPECT_FALSE(read.response.events(0).has_fact());
  EXPECT_EQ(read.response.events(0).actor().id(), "service-demo");  // R-HIST-4, from the token
}

TEST_F(AuditAndLedger, StatusCodesOfLimitsUnknownMethodsAndDeadlines) {
  // RESOURCE_EXHAUSTED: a replay longer than the configured limit.
  config_.limits.replay_events_max = 3;
  Restart();
  grpc::Status status;
  const auto items = Replay(ReplayOf("conv-a"), &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(items.size(), 3u);

  // UNIMPLEMENTED: a method the server does not have.
  status = RawUnaryCall(channel_, "/clas.v1.Queries/DropConvention", "");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);

  // DEADLINE_EXCEEDED: a subscription never ends by itself.
  v1::SubscribeRequest all;
  Subscription short_lived(*this, "service-demo", all, std::chrono::seconds(1));
  EXPECT_EQ(short_lived.Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);

  // UNAUTHENTICATED on every service.
  v1::VerifyChainResponse verified;
  EXPECT_EQ(audit()->VerifyChain(As("").get(), {}, &verified).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::ReadResponse read;
  EXPECT_EQ(ledger()->ReadAll(As("").get(), {}, &read).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::CommandResponse command;
  v1::CloseCivilYearRequest close;
  close.set_request_id("close");
  close.mutable_command()->set_caf_id(kCafA);
  close.mutable_command()->set_civil_year(2026);
  EXPECT_EQ(conventions()->CloseCivilYear(As("").get(), close, &command).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace clas::testing
