// The API contract of "every answer tells the truth of the log", driven end to end as a hostile
// client would: a real server on loopback, real channels, one finding replayed per test.
//
//   exactly-once commands   a request id is one request, whatever the method (R-HIST-1); a retry
//                           answers with its own events and the figures right after them
//   bounded answers         a command's answer, a list, a civil year, an export and a replay stay
//                           under the message limit however long the history
//   bounded input           every string of a command has a length and a character class; ids of
//                           notifications and recoveries are unique (R-CONV-5, R-CTL-5)
//   authentication first    a caller without a valid token learns nothing, not even what is
//                           wrong with its request
//
// After every refusal the log head (position and hash) is what it was; no call ever ends
// INTERNAL or UNKNOWN; every test ends with a chain that verifies.
//
// Barème 2026 (illustrative): plafond 7 000,00 €, bonus 1 000,00 € / 1 500,00 €. An association,
// C = 2, forecast charges 14 000,00 €: PS = (1 400 000 × 13 + 20) div 40 = 455 000 cents, so the
// acomptes of civil year N go up to 127 400 cents (28 %) and those of N+1 up to 191 100 (42 %).
#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "projections/convention/domain_event.h"
#include "projections/rules/rule_version.h"
#include "tests/server/e2e_support.h"
#include "tests/server/grpc_desk.h"

namespace clas::testing {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::Contains;

constexpr auto kInvalid = grpc::StatusCode::INVALID_ARGUMENT;
constexpr auto kPrecondition = grpc::StatusCode::FAILED_PRECONDITION;
constexpr auto kExists = grpc::StatusCode::ALREADY_EXISTS;
constexpr auto kUnauthenticated = grpc::StatusCode::UNAUTHENTICATED;

// `unit` written `count` times: "é" × 200 is 200 characters and 400 bytes.
std::string Repeat(const std::string& unit, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += unit;
  return out;
}

int32_t Ymd(absl::CivilDay day) {
  return static_cast<int32_t>(day.year() * 10000 + day.month() * 100 + day.day());
}

// True when `id` is "<caf>/<32 lowercase hex digits>#<rank>" (request_key.h).
bool IsRequestEventId(const std::string& id, const std::string& caf, int rank) {
  const std::string head = absl::StrCat(caf, "/");
  const std::string tail = absl::StrCat("#", rank);
  if (id.size() != head.size() + 32 + tail.size() || !absl::StartsWith(id, head) ||
      !absl::EndsWith(id, tail)) {
    return false;
  }
  return std::all_of(id.begin() + head.size(), id.begin() + head.size() + 32,
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// What a command's answer tells of school year `y` (state.proto, SchoolYearFigures): the
// contract written out, field by field, to check the server's figures against its own state.
v1::SchoolYearFigures ExpectedFiguresOf(const v1::SchoolYearState& y) {
  v1::SchoolYearFigures expected;
  expected.set_school_year(y.school_year());
  expected.set_covered_by(y.covered_by());
  expected.set_agreed(y.agrement().validated());
  expected.set_agreed_collectifs(y.agrement().agreed_collectifs());
  expected.set_notified_collectifs(y.notified_collectifs());
  if (y.has_dp()) *expected.mutable_dp() = y.dp();
  expected.set_dp_missing_reason(y.dp_missing_reason());
  expected.set_acomptes_n_cents(y.acomptes_n_cents());
  expected.set_acomptes_n1_cents(y.acomptes_n1_cents());
  expected.set_cap_n_cents(y.cap_n_cents());
  expected.set_cap_n1_cents(y.cap_n1_cents());
  expected.set_room_n_cents(y.room_n_cents());
  expected.set_room_n1_cents(y.room_n1_cents());
  expected.set_bilan_received(y.bilan_received());
  if (y.has_dr()) *expected.mutable_dr() = y.dr();
  expected.set_solde_paid(y.solde_paid());
  expected.set_solde_cents(y.solde_paid() ? y.solde().amount_cents() : 0);
  if (y.has_dc()) *expected.mutable_dc() = y.dc();
  expected.set_controle_id(y.controle_id());
  expected.set_rappel_due_cents(y.rappel_due_cents());
  expected.set_indus_notified_cents(y.indus_notified_cents());
  expected.set_indus_recovered_cents(y.indus_recovered_cents());
  expected.set_indus_open_cents(y.indus_open_cents());
  expected.set_paid_cents(y.paid_cents());
  expected.set_paid_net_cents(y.paid_net_cents());
  return expected;
}

class Contract : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    ASSERT_TRUE(desk_.Bareme(2026, Eur(7000), Eur(1000), Eur(1500)).status.ok());
    ASSERT_TRUE(desk_.Register("asso-5", v1::ASSOCIATION).status.ok());
  }

  // Whatever a test did, the chain it leaves verifies.
  void TearDown() override {
    if (server_ != nullptr && !HasFatalFailure()) {
      v1::VerifyChainResponse verified;
      grpc::Status status =
          audit()->VerifyChain(As("auditeur").get(), v1::VerifyChainRequest(), &verified);
      EXPECT_TRUE(status.ok()) << status.error_message();
      EXPECT_TRUE(verified.ok()) << verified.problem();
    }
    ServerTest::TearDown();
  }

  ledger::LogHead Head() { return server_->store().Head(); }

  static void ExpectNeverInternal(const grpc::Status& status) {
    EXPECT_NE(status.error_code(), grpc::StatusCode::INTERNAL) << status.error_message();
    EXPECT_NE(status.error_code(), grpc::StatusCode::UNKNOWN) << status.error_message();
  }

  // A refusal: its code, the rule its details carry ("" = none asked), the field a violation or
  // the message names ("" = none asked), and a log head that did not move.
  void ExpectRefused(const grpc::Status& status, grpc::StatusCode code, const std::string& rule,
                     const std::string& field, const ledger::LogHead& before) {
    ExpectNeverInternal(status);
    EXPECT_EQ(status.error_code(), code) << status.error_message();
    if (!rule.empty()) {
      EXPECT_THAT(RuleIds(status), Contains(rule)) << status.error_message();
    }
    if (!field.empty()) {
      bool named = absl::StrContains(status.error_message(), field);
      for (const auto& v : Violations(status)) named = named || v.field() == field;
      EXPECT_TRUE(named) << "expected " << field << " in: " << status.error_message();
    }
    const ledger::LogHead after = Head();
    EXPECT_EQ(after.position, before.position) << "a refusal wrote";
    EXPECT_EQ(after.hash, before.hash) << "a refusal wrote";
  }

  void ExpectRefused(const Reply& reply, grpc::StatusCode code, const std::string& rule,
                     const std::string& field, const ledger::LogHead& before) {
    ExpectRefused(reply.status, code, rule, field, before);
  }

  // Each event of a command's answer is what the log holds at its position: id, stream,
  // version, hashes; the answer's position is its last event's.
  void ExpectAnswerIsTheLog(const v1::CommandResponse& response) {
    ASSERT_GT(response.events_size(), 0);
    for (const auto& e : response.events()) {
      auto stored = server_->store().Read(e.position());
      ASSERT_TRUE(stored.ok()) << stored.status();
      EXPECT_EQ(e.event_id(), stored->event_id());
      EXPECT_EQ(e.stream_id(), stored->stream_id());
      EXPECT_EQ(e.stream_version(), stored->stream_version());
      EXPECT_EQ(e.hash(), stored->hash);
      EXPECT_EQ(e.prev_hash(), stored->prev_hash);
    }
    const v1::RecordedEvent& last = response.events(response.events_size() - 1);
    EXPECT_EQ(response.log_position(), last.position());
    EXPECT_EQ(response.figures().last_position(), last.position());
    EXPECT_EQ(response.figures().stream_version(), last.stream_version());
  }

  Reply RegisterNamed(GrpcDesk& desk, const std::string& id, const std::string& name) {
    v1::RegisterGestionnaireRequest r;
    r.set_request_id(desk.NextRequest());
    auto* c = r.mutable_command();
    c->set_caf_id(desk.caf());
    c->set_gestionnaire_id(id);
    c->set_name(name);
    c->set_kind(v1::ASSOCIATION);
    c->set_date(20200101);
    return desk.Send(Agent(desk.caf()), r, &v1::Conventions::Stub::RegisterGestionnaire);
  }

  // conv of asso-5 for 2026-2027 paid in full (both acomptes at their caps, bilan at 14 000,00 €,
  // solde), then controlled at 10 000,00 €: an indu of 130 000 cents. Returns the indu's id.
  std::string ControlledWithAnIndu(const std::string& conv) {
    EXPECT_TRUE(desk_.Convention(conv, "asso-5", 2026, 2, Eur(14000)).status.ok());
    EXPECT_TRUE(desk_.Acompte(conv, "a1", 2026, Eur(1274), 20261102).status.ok());
    EXPECT_TRUE(desk_.Acompte(conv, "a2", 2026, Eur(1911), 20270201).status.ok());
    EXPECT_TRUE(desk_.Bilan(conv, 2026, 2, Eur(14000), 20270920).status.ok());
    EXPECT_TRUE(desk_.Solde(conv, "s1", 2026, 20271015).status.ok());
    EXPECT_TRUE(desk_.OpenControle(conv, "ctl-1", 2026, 20280301).status.ok());
    EXPECT_TRUE(desk_.Findings(conv, "ctl-1", GrpcDesk::Controlled(2026, 2, Eur(10000)), 20280401)
                    .status.ok());
    Reply decided = desk_.Decide(conv, "ctl-1", 20280601);
    EXPECT_TRUE(decided.status.ok()) << decided.status.error_message();
    if (decided.response.events_size() != 2) return "";
    EXPECT_EQ(decided.response.events(1).fact().indu_notified().amount_cents(), Eur(1300));
    return decided.response.events(1).fact().indu_notified().indu_id();
  }

  v1::GetCivilYearResponse CivilYear(const v1::GetCivilYearRequest& request, grpc::Status* status) {
    v1::GetCivilYearResponse out;
    *status = queries()->GetCivilYear(As(Agent(kCafA)).get(), request, &out);
    ExpectNeverInternal(*status);
    return out;
  }

  v1::ConventionExport Export(const std::string& conv, uint64_t from_version, int32_t max_count,
                              grpc::Status* status) {
    v1::ExportConventionRequest r;
    r.set_caf_id(kCafA);
    r.set_convention_id(conv);
    r.set_from_version(from_version);
    r.set_max_count(max_count);
    v1::ConventionExport out;
    *status = audit()->ExportConvention(As("auditeur").get(), r, &out);
    ExpectNeverInternal(*status);
    return out;
  }

  // The figures of a command's answer are the state GetConvention gives at the answer's
  // position: each school year they name, field for field, and the convention's own fields.
  void ExpectFiguresAreTheState(const Reply& reply) {
    ASSERT_TRUE(reply.status.ok()) << reply.status.error_message();
    const v1::ConventionFigures& f = reply.response.figures();
    v1::AsOfSpec at;
    at.set_at_position(reply.response.log_position());
    auto read = GetConvention(*this, Agent(kCafA), kCafA, f.convention_id(), at);
    ASSERT_TRUE(read.status.ok()) << read.status.error_message();
    const v1::ConventionState& state = read.response.convention();
    EXPECT_EQ(f.status(), state.status());
    EXPECT_EQ(f.first_school_year(), state.first_school_year());
    EXPECT_EQ(f.last_school_year(), state.last_school_year());
    EXPECT_EQ(f.gestionnaire_id(), state.gestionnaire_id());
    EXPECT_GT(f.years_size(), 0);
    for (const v1::SchoolYearFigures& year : f.years()) {
      const v1::SchoolYearState* y = nullptr;
      for (const auto& candidate : state.years()) {
        if (candidate.school_year() == year.school_year()) y = &candidate;
      }
      ASSERT_NE(y, nullptr) << year.school_year();
      const v1::SchoolYearFigures expected = ExpectedFiguresOf(*y);
      std::string report;
      MessageDifferencer differ;
      differ.ReportDifferencesToString(&report);
      EXPECT_TRUE(differ.Compare(expected, year)) << year.school_year() << ": " << report;
    }
  }

  // Restarts the server with a message limit of `message_bytes`, then files, agrees and signs
  // `conv` (C = 2, 14 000,00 €) and pays it `count` one-cent acomptes, three a day from
  // 01/09/2026 (shares N and N+1): each answer OK and under 8 KiB.
  void LongConvention(const std::string& conv, int count, int message_bytes) {
    config_.max_message_bytes = message_bytes;
    Restart();
    ASSERT_TRUE(desk_.Convention(conv, "asso-5", 2026, 2, Eur(14000)).status.ok());
    const absl::CivilDay first_day(2026, 9, 1);
    for (int i = 0; i < count; ++i) {
      Reply paid = desk_.Acompte(conv, absl::StrCat("a", i), 2026, 1, Ymd(first_day + i / 3));
      ExpectNeverInternal(paid.status);
      ASSERT_TRUE(paid.status.ok()) << i << ": " << paid.status.error_message();
      ASSERT_LT(paid.response.ByteSizeLong(), 8u * 1024) << i;
    }
  }

  GrpcDesk desk_{this, kCafA};
};

// ---------------------------------------------------------------------------------------------
// Exactly-once commands (R-HIST-1)

// A request id names one request, whatever the method: a PayAcompte under the request id of a
// NotifyCollectifs (same convention, same school year, same id "X", 2 cents for 2 collectifs,
// same date: the two commands serialise to the same bytes) was taken for its retry when the
// digest covered the command alone.
TEST_F(Contract, R_HIST_1_SameRequestIdOnAnotherMethodIsAlreadyExists) {
  ASSERT_TRUE(desk_.Convention("conv-a", "asso-5", 2026, 2, Eur(14000)).status.ok());
  v1::NotifyCollectifsRequest notify = desk_.NotifyRequest("conv-a", "X", 2026, 2, 20260901);
  notify.set_request_id("R");
  Reply notified = desk_.Send(Agent(kCafA), notify, &v1::Conventions::Stub::NotifyCollectifs);
  ASSERT_TRUE(notified.status.ok()) << notified.status.error_message();
  ASSERT_EQ(notified.response.events_size(), 1);
  EXPECT_FALSE(notified.response.replayed());

  v1::PayAcompteRequest pay = desk_.AcompteRequest("conv-a", "X", 2026, 2, 20260901);
  pay.set_request_id("R");
  ledger::LogHead before = Head();
  Reply taken = desk_.Send(Agent(kCafA), pay, &v1::Conventions::Stub::PayAcompte);
  ExpectRefused(taken, kExists, "R-HIST-1", "request_id", before);
  EXPECT_THAT(taken.status.error_message(), ::testing::HasSubstr("R-HIST-1"));
  EXPECT_EQ(taken.response.events_size(), 0);

  // The same method with other content is another request too.
  v1::NotifyCollectifsRequest other = notify;
  other.mutable_command()->set_collectifs(1);
  ExpectRefused(desk_.Send(Agent(kCafA), other, &v1::Conventions::Stub::NotifyCollectifs), kExists,
                "R-HIST-1", "request_id", before);

  // The retry of the request that was recorded: its events, nothing written.
  Reply retry = desk_.Send(Agent(kCafA), notify, &v1::Conventions::Stub::NotifyCollectifs);
  ASSERT_TRUE(retry.status.ok()) << retry.status.error_message();
  EXPECT_TRUE(retry.response.replayed());
  ASSERT_EQ(retry.response.events_size(), 1);
  EXPECT_EQ(retry.response.events(0).event_id(), notified.response.events(0).event_id());
  EXPECT_EQ(retry.response.events(0).position(), notified.response.events(0).position());
  EXPECT_EQ(retry.response.events(0).event_type(), "collectifs_notified");
  EXPECT_EQ(retry.response.log_position(), notified.response.log_position());
  EXPECT_EQ(Head().position, before.position);

  // The acompte under a request id of its own goes through; R in another Caf is another request.
  pay.set_request_id("R-pay");
  Reply paid = desk_.Send(Agent(kCafA), pay, &v1::Conventions::Stub::PayAcompte);
  ASSERT_TRUE(paid.status.ok()) << paid.status.error_message();
  EXPECT_FALSE(paid.response.replayed());
  GrpcDesk b(this, kCafB);
  ASSERT_TRUE(b.Register("asso-9", v1::ASSOCIATION).status.ok());
  v1::RegisterGestionnaireRequest in_b;
  in_b.set_request_id("R");
  in_b.mutable_command()->set_caf_id(kCafB);
  in_b.mutable_command()->set_gestionnaire_id("asso-10");
  in_b.mutable_command()->set_name("Association dix");
  in_b.mutable_command()->set_kind(v1::ASSOCIATION);
  in_b.mutable_command()->set_date(20200101);
  Reply b_reply = b.Send(Agent(kCafB), in_b, &v1::Conventions::Stub::RegisterGestionnaire);
  ASSERT_TRUE(b_reply.status.ok()) << b_reply.status.error_message();
  EXPECT_FALSE(b_reply.response.replayed());
}

// A retry's answer holds its own events only: request ids "R#1" and "R#0" spell what the event
// ids of R's facts once began with, and a lookup by prefix answered R's retry with them.
TEST_F(Contract, R_HIST_1_RetryAnswersWithItsOwnEventsAndFigures) {
  ASSERT_TRUE(desk_.Convention("conv-a", "asso-5", 2026, 2, Eur(14000)).status.ok());
  v1::PayAcompteRequest first = desk_.AcompteRequest("conv-a", "p1", 2026, Eur(100), 20261102);
  first.set_request_id("R");
  Reply paid = desk_.Send(Agent(kCafA), first, &v1::Conventions::Stub::PayAcompte);
  ASSERT_TRUE(paid.status.ok()) << paid.status.error_message();
  ASSERT_EQ(paid.response.events_size(), 1);
  ASSERT_EQ(paid.response.figures().years_size(), 1);
  EXPECT_EQ(paid.response.figures().years(0).acomptes_n_cents(), Eur(100));
  EXPECT_TRUE(IsRequestEventId(paid.response.events(0).event_id(), kCafA, 0))
      << paid.response.events(0).event_id();

  for (const char* id : {"R#1", "R#0"}) {
    v1::PayAcompteRequest next =
        desk_.AcompteRequest("conv-a", absl::StrCat("p-", id), 2026, Eur(50), 20261103);
    next.set_request_id(id);
    Reply later = desk_.Send(Agent(kCafA), next, &v1::Conventions::Stub::PayAcompte);
    ASSERT_TRUE(later.status.ok()) << id << ": " << later.status.error_message();
    EXPECT_FALSE(later.response.replayed()) << id;
  }

  const ledger::LogHead before = Head();
  Reply retry = desk_.Send(Agent(kCafA), first, &v1::Conventions::Stub::PayAcompte);
  ASSERT_TRUE(retry.status.ok()) << retry.status.error_message();
  EXPECT_TRUE(retry.response.replayed());
  ASSERT_EQ(retry.response.events_size(), 1) << "a retry answers with its own events only";
  EXPECT_TRUE(MessageDifferencer::Equals(retry.response.events(0), paid.response.events(0)));
  EXPECT_EQ(retry.response.log_position(), paid.response.log_position());
  // The figures right after R: 100,00 € paid, not the 200,00 € paid since.
  EXPECT_EQ(retry.response.figures().SerializeAsString(),
            paid.response.figures().SerializeAsString());
  EXPECT_EQ(Head().position, before.position);
  EXPECT_EQ(Head().hash, before.hash);
}

// A refused request writes nothing and keeps nothing: its id is free for the corrected request.
// A request written is answered on retry even when the rules would refuse it now (the cap of
// its share reached since), and only to the Caf it belongs to.
TEST_F(Contract, R_HIST_1_RetriesAreDecidedByTheLogNotByTheRulesOfNow) {
  ASSERT_TRUE(desk_.Convention("conv-a", "asso-5", 2026, 2, Eur(14000)).status.ok());
  v1::PayAcompteRequest pay =
      desk_.AcompteRequest("conv-a", "p1", 2026, Cents(1274, 1), 20261102);  // R-PAY-2 cap + 1
  pay.set_request_id("R-fixed");
  const ledger::LogHead before = Head();
  ExpectRefused(desk_.Send(Agent(kCafA), pay, &v1::Conventions::Stub::PayAcompte), kPrecondition,
                "R-PAY-2", "amount_cents", before);
  pay.mutable_command()->set_amount_cents(Eur(1000));
  Reply paid = desk_.Send(Agent(kCafA), pay, &v1::Conventions::Stub::PayAcompte);
  ASSERT_TRUE(paid.status.ok()) << paid.status.error_message();
  EXPECT_FALSE(paid.response.replayed());
  ASSERT_TRUE(desk_.Acompte("conv-a", "p2", 2026, Eur(274), 20261103).status.ok());  // the cap

  const ledger::LogHead full = Head();
  Reply retry = desk_.Send(Agent(kCafA), pay, &v1::Conventions::Stub::PayAcompte);
  ASSERT_TRUE(retry.status.ok()) << retry.status.error_message();
  EXPECT_TRUE(retry.response.replayed());
  EXPECT_EQ(retry.response.figures().years(0).acomptes_n_cents(), Eur(1000));
  EXPECT_EQ(Head().position, full.position);
  // The same bytes from an agent of another Caf: refused before anything of caf-75 is read.
  ExpectRefused(desk_.Send(Agent(kCafB), pay, &v1::Conventions::Stub::PayAcompte),
                grpc::StatusCode::PERMISSION_DENIED, "", "", full);
}

// The last request of a convention retried after a restart (no convention head kept: the
// figures come from the log as known then) answers as its first call did.
TEST_F(Contract, R_HIST_1_RetryAfterARestartAnswersAsTheFirstCall) {
  ASSERT_TRUE(desk_.Convention("conv-a", "asso-5", 2026, 2, Eur(14000)).status.ok());
  ASSERT_TRUE(desk_.Acompte("conv-a", "p0", 2026, Eur(300), 20261101).status.ok());
  v1::PayAcompteRequest pay = desk_.AcompteRequest("conv-a", "p1", 2026, Eur(100), 20261102);
  pay.set_request_id("R-last");
  Reply paid = desk_.Send(Agent(kCafA), pay, &v1::Conventions::Stub::PayAcompte);
  ASSERT_TRUE(paid.status.ok()) << paid.status.error_message();
  Reply at_once = desk_.Send(Agent(kCafA), pay, &v1::Conventions::Stub::PayAcompte);
  Restart();
  const ledger::LogHead before = Head();
  Reply later = desk_.Send(Agent(kCafA), pay, &v1::Conventions::Stub::PayAcompte);
  for (const Reply* retry : {&at_once, &later}) {
    ASSERT_TRUE(retry->status.ok()) << retry->status.error_message();
    EXPECT_TRUE(retry->response.replayed());
    ASSERT_EQ(retry->response.events_size(), 1);
    EXPECT_TRUE(MessageDifferencer::Equals(retry->response.events(0), paid.response.events(0)));
    EXPECT_EQ(retry->response.figures().SerializeAsString(),
              paid.response.figures().SerializeAsString());
  }
  EXPECT_EQ(Head().position, before.position);
}

// Calls of one request at once: one writes, the others answer as its retry; calls of one
// request id on two methods at once: one method wins, the other is ALREADY_EXISTS. Each request
// is in the log once.
TEST_F(Contract, R_HIST_1_ConcurrentCallsOfOneRequestWriteOnce) {
  ASSERT_TRUE(desk_.Convention("conv-a", "asso-5", 2026, 2, Eur(14000)).status.ok());
  v1::PayAcompteRequest pay = desk_.AcompteRequest("conv-a", "p1", 2026, Eur(100), 20261102);
  pay.set_request_id("R-together");
  v1::NotifyCollectifsRequest notify = desk_.NotifyRequest("conv-a", "n1", 2026, 1, 20261102);
  notify.set_request_id("R-split");
  const ledger::LogHead before = Head();
  constexpr int kCalls = 8;
  std::vector<Reply> same(kCalls), split(kCalls);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] {
      same[i] = desk_.Send(Agent(kCafA), pay, &v1::Conventions::Stub::PayAcompte);
      v1::PayAcompteRequest other = pay;
      other.set_request_id("R-split");
      other.mutable_command()->set_payment_id("p-split");
      split[i] = i % 2 == 0
                     ? desk_.Send(Agent(kCafA), notify, &v1::Conventions::Stub::NotifyCollectifs)
                     : desk_.Send(Agent(kCafA), other, &v1::Conventions::Stub::PayAcompte);
    });
  }
  for (auto& t : threads) t.join();
  int written = 0;
  for (const Reply& r : same) {
    ExpectNeverInternal(r.status);
    ASSERT_TRUE(r.status.ok()) << r.status.error_message();
    ASSERT_EQ(r.response.events_size(), 1);
    EXPECT_EQ(r.response.events(0).event_id(), same[0].response.events(0).event_id());
    EXPECT_EQ(r.response.figures().SerializeAsString(),
              same[0].response.figures().SerializeAsString());
    written += r.response.replayed() ? 0 : 1;
  }
  EXPECT_EQ(written, 1);
  int winners[2] = {0, 0}, refused[2] = {0, 0}, split_written = 0;
  for (int i = 0; i < kCalls; ++i) {
    ExpectNeverInternal(split[i].status);
    if (split[i].status.ok()) {
      ++winners[i % 2];
      split_written += split[i].response.replayed() ? 0 : 1;
    } else {
      EXPECT_EQ(split[i].status.error_code(), kExists) << split[i].status.error_message();
      EXPECT_THAT(RuleIds(split[i].status), Contains("R-HIST-1"));
      ++refused[i % 2];
    }
  }
  EXPECT_EQ(split_written, 1);
  EXPECT_TRUE((winners[0] == kCalls / 2 && refused[1] == kCalls / 2) ||
              (winners[1] == kCalls / 2 && refused[0] == kCalls / 2))
      << "notify " << winners[0] << " ok / " << refused[0] << " refused, acompte " << winners[1]
      << " ok / " << refused[1] << " refused";
  EXPECT_EQ(Head().position, before.position + 2);
}

// A command's figures are the state right after it, one GetConvention away at its position:
// through a notification, acomptes of both shares, one dated before the others, a correction
// that folds the stream again, a bilan, a solde, a contrôle ending in an indu and its recovery.
TEST_F(Contract, R_HIST_2_FiguresOfEveryAnswerAreTheStateAtItsPosition) {
  ExpectFiguresAreTheState(desk_.Convention("conv-f", "asso-5", 2026, 2, Eur(14000)));
  Reply notified = desk_.Notify("conv-f", "n1", 2026, 1, 20260901);
  ExpectFiguresAreTheState(notified);
  ExpectFiguresAreTheState(desk_.Acompte("conv-f", "a1", 2026, Eur(500), 20261102));
  ExpectFiguresAreTheState(desk_.Acompte("conv-f", "a2", 2026, Eur(100), 20261015));
  v1::ClasEvent two;
  two.mutable_collectifs_notified()->set_notification_id("n1");
  two.mutable_collectifs_notified()->set_school_year(2026);
  two.mutable_collectifs_notified()->set_collectifs(2);
  ExpectFiguresAreTheState(
      desk_.Correct("conv-f", notified.response.events(0).event_id(), "deux collectifs", two));
  ExpectFiguresAreTheState(desk_.Acompte("conv-f", "a3", 2026, Eur(600), 20270201));
  ExpectFiguresAreTheState(desk_.Bilan("conv-f", 2026, 2, Eur(14000), 20270920));
  ExpectFiguresAreTheState(desk_.Solde("conv-f", "s1", 2026, 20271015));
  ExpectFiguresAreTheState(desk_.OpenControle("conv-f", "ctl-1", 2026, 20280301));
  ExpectFiguresAreTheState(
      desk_.Findings("conv-f", "ctl-1", GrpcDesk::Controlled(2026, 2, Eur(10000)), 20280401));
  Reply decided = desk_.Decide("conv-f", "ctl-1", 20280601);
  ExpectFiguresAreTheState(decided);
  ASSERT_EQ(decided.response.events_size(), 2);
  const std::string indu = decided.response.events(1).fact().indu_notified().indu_id();
  ExpectFiguresAreTheState(desk_.Recover("conv-f", "r1", indu, Eur(100), 20280701));
}

// ---------------------------------------------------------------------------------------------
// Bounded answers

// 300 one-cent acomptes on one convention under a 128 KiB message limit: each answer stays a few
// KiB (no whole state), says what the log holds, and the convention still reads and replays.
TEST_F(Contract, AnswersOfALongConventionStayBoundedAndTellTheLog) {
  config_.max_message_bytes = 128 * 1024;
  Restart();
  ASSERT_TRUE(desk_.Convention("conv-long", "asso-5", 2026, 2, Eur(14000)).status.ok());
  constexpr int kAcomptes = 300;
  const absl::CivilDay first_day(2026, 9, 1);  // up to 27/06/2027: shares N and N+1
  for (int i = 0; i < kAcomptes; ++i) {
    Reply paid = desk_.Acompte("conv-long", absl::StrCat("a", i), 2026, 1, Ymd(first_day + i));
    ExpectNeverInternal(paid.status);
    ASSERT_TRUE(paid.status.ok()) << i << ": " << paid.status.error_message();
    ASSERT_LT(paid.response.ByteSizeLong(), 8u * 1024) << i;
    EXPECT_FALSE(paid.response.facts_omitted()) << i;
    ASSERT_EQ(paid.response.events_size(), 1) << i;
    ExpectAnswerIsTheLog(paid.response);
    ASSERT_FALSE(HasFailure()) << "acompte " << i;
  }
  const uint64_t events = 3 + kAcomptes;  // filed, agreed, signed, the acomptes

  auto read = GetConvention(*this, Agent(kCafA), kCafA, "conv-long");
  ExpectNeverInternal(read.status);
  ASSERT_TRUE(read.status.ok()) << read.status.error_message();
  EXPECT_EQ(static_cast<uint64_t>(read.response.convention().events_size()) +
                read.response.omitted().timeline(),
            events);
  ASSERT_EQ(read.response.convention().years_size(), 1);
  const v1::SchoolYearState& year = read.response.convention().years(0);
  EXPECT_EQ(year.acomptes_size(), kAcomptes);
  EXPECT_EQ(year.acomptes_n_cents() + year.acomptes_n1_cents(), kAcomptes);

  v1::ReplayHistoryRequest replay;
  replay.set_caf_id(kCafA);
  replay.set_convention_id("conv-long");
  replay.set_view(v1::REPLAY_VIEW_CHANGES);
  auto context = As("auditeur");
  auto reader = audit()->ReplayHistory(context.get(), replay);
  std::vector<uint64_t> replayed;
  v1::ReplayHistoryItem item;
  while (reader->Read(&item)) {
    replayed.push_back(item.event().position());
    EXPECT_FALSE(item.has_state_after());
    EXPECT_FALSE(item.state_omitted());
  }
  const grpc::Status ended = reader->Finish();
  ExpectNeverInternal(ended);
  ASSERT_TRUE(ended.ok()) << ended.error_message();
  auto stream = server_->store().ReadStream(ConventionStream(kCafA, "conv-long"), 1,
                                            ledger::Direction::kForward, 1000);
  ASSERT_TRUE(stream.ok()) << stream.status();
  ASSERT_EQ(stream->size(), events);
  std::vector<uint64_t> logged;
  for (const auto& e : *stream) logged.push_back(e.position());
  EXPECT_EQ(replayed, logged);
}

// Under a 32 KiB message limit, a replay of 300 acomptes leaves out the states that would not
// fit (state_omitted) and streams every event.
TEST_F(Contract, ReplayHistoryLeavesOutStatesPastTheMessageLimit) {
  LongConvention("conv-long", 300, 32 * 1024);
  v1::ReplayHistoryRequest replay;
  replay.set_caf_id(kCafA);
  replay.set_convention_id("conv-long");
  auto context = As("auditeur");
  auto reader = audit()->ReplayHistory(context.get(), replay);
  int items = 0, omitted = 0;
  v1::ReplayHistoryItem item;
  while (reader->Read(&item)) {
    ++items;
    omitted += item.state_omitted() ? 1 : 0;
    EXPECT_NE(item.has_state_after(), item.state_omitted()) << items;
    EXPECT_LE(item.ByteSizeLong(), 32u * 1024) << items;
  }
  const grpc::Status ended = reader->Finish();
  ExpectNeverInternal(ended);
  EXPECT_TRUE(ended.ok()) << ended.error_message();
  EXPECT_EQ(items, 303);
  EXPECT_GT(omitted, 0) << "the last states are larger than the limit";
}

// GetConvention leaves out the oldest timeline entries so that the answer fits the message
// limit; the rest of a state grows with its history too (a record and a source per acompte):
// 300 one-cent acomptes under a 32 KiB limit. The lists are cut, the figures stay whole.
TEST_F(Contract, GetConventionOfManyPaymentsFitsTheMessageLimit) {
  LongConvention("conv-long", 300, 32 * 1024);
  auto read = GetConvention(*this, Agent(kCafA), kCafA, "conv-long");
  ExpectNeverInternal(read.status);
  EXPECT_TRUE(read.status.ok()) << read.status.error_message();
  EXPECT_LE(read.response.ByteSizeLong(), 32u * 1024);
  const v1::StateOmissions& omitted = read.response.omitted();
  EXPECT_EQ(omitted.timeline(), 303u) << "the whole timeline goes first";
  EXPECT_TRUE(omitted.sources());
  ASSERT_EQ(read.response.convention().years_size(), 1);
  const v1::SchoolYearState& year = read.response.convention().years(0);
  EXPECT_EQ(year.acomptes_size() + static_cast<int>(omitted.acomptes()), 300);
  EXPECT_EQ(year.acomptes_n_cents() + year.acomptes_n1_cents(), 300) << "the figures are whole";
}

// DiffStates leaves out the changes and then the events that would not fit (changes_omitted,
// events_omitted): the diff of a convention of 300 acomptes, over its whole life or over two
// weeks of it, under a 32 KiB message limit.
TEST_F(Contract, DiffStatesOfALongHistoryFitsTheMessageLimit) {
  LongConvention("conv-long", 300, 32 * 1024);
  for (const auto& [from, to] :
       std::vector<std::pair<int32_t, int32_t>>{{20260101, 20271231}, {20261001, 20261015}}) {
    SCOPED_TRACE(absl::StrCat(from, " to ", to));
    v1::DiffStatesRequest request;
    request.set_caf_id(kCafA);
    request.set_convention_id("conv-long");
    request.set_from_date(from);
    request.set_to_date(to);
    v1::DiffStatesResponse diff;
    const grpc::Status status = audit()->DiffStates(As("auditeur").get(), request, &diff);
    ExpectNeverInternal(status);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_LE(diff.ByteSizeLong(), 32u * 1024);
  }
}

// Every page of ListConventionsResponse pages fetched following next_page_token from `request`,
// each checked OK and under `bytes_max` (at most 100 pages).
std::vector<v1::ListConventionsResponse> AllPages(ServerTest& test, const std::string& user,
                                                  v1::ListConventionsRequest request,
                                                  size_t bytes_max) {
  std::vector<v1::ListConventionsResponse> pages;
  for (int page = 0; page < 100; ++page) {
    auto answer = List(test, user, request);
    EXPECT_NE(answer.status.error_code(), grpc::StatusCode::INTERNAL);
    EXPECT_TRUE(answer.status.ok()) << "page " << page << ": " << answer.status.error_message();
    if (!answer.status.ok()) break;
    EXPECT_LE(answer.response.ByteSizeLong(), bytes_max) << "page " << page;
    pages.push_back(answer.response);
    if (answer.response.next_page_token().empty()) break;
    request.set_page_token(answer.response.next_page_token());
  }
  return pages;
}

std::vector<std::string> IdsOf(const std::vector<v1::ListConventionsResponse>& pages) {
  std::vector<std::string> ids;
  for (const auto& page : pages) {
    for (const auto& c : page.conventions()) {
      ids.push_back(absl::StrCat(c.caf_id(), "/", c.convention_id()));
    }
  }
  return ids;
}

// Summaries of 400-byte names under a 64 KiB message limit: the 240 conventions of caf-75 in one
// page of 500 would be about 106 KB. Each page ends within the answer's bytes, and the pages list
// every convention exactly once, for an agent of one Caf and for the national auditor listing every
// Caf.
TEST_F(Contract, ListConventionsPagesByBytesUnderASmallMessageLimit) {
  config_.max_message_bytes = 64 * 1024;
  Restart();
  const std::string name = Repeat("\xc3\xa9", 200);  // "é" × 200: the longest name, 400 bytes
  GrpcDesk b(this, kCafB);
  ASSERT_TRUE(RegisterNamed(desk_, "g-long", name).status.ok());
  ASSERT_TRUE(RegisterNamed(b, "g-long", name).status.ok());
  std::vector<std::string> of_a, of_all;
  for (int i = 0; i < 280; ++i) {
    GrpcDesk& desk = i < 240 ? desk_ : b;
    const std::string conv = absl::StrFormat("conv-%03d", i);
    Reply filed = desk.File(conv, "g-long", 2026, 1, 1, Eur(7000));
    ASSERT_TRUE(filed.status.ok()) << conv << ": " << filed.status.error_message();
    (i < 240 ? of_a : of_all).push_back(absl::StrCat(desk.caf(), "/", conv));
  }
  of_all.insert(of_all.end(), of_a.begin(), of_a.end());  // caf-13 sorts before caf-75

  v1::ListConventionsRequest all_a;
  all_a.set_caf_id(kCafA);
  all_a.set_page_size(500);
  const size_t limit = config_.max_message_bytes;
  const auto pages = AllPages(*this, Agent(kCafA), all_a, limit);
  EXPECT_GT(pages.size(), 2u) << "the bytes, not the count, end the pages";
  EXPECT_EQ(IdsOf(pages), of_a);
  for (const auto& page : pages) {
    for (const auto& c : page.conventions()) EXPECT_EQ(c.gestionnaire_name(), name);
  }
  v1::ListConventionsRequest by_default;
  by_default.set_caf_id(kCafA);
  EXPECT_EQ(IdsOf(AllPages(*this, Agent(kCafA), by_default, limit)), of_a);

  v1::ListConventionsRequest every;  // caf_id "": every Caf the caller reads
  every.set_page_size(500);
  const auto national = AllPages(*this, "auditeur", every, limit);
  EXPECT_GT(national.size(), 2u);
  EXPECT_EQ(IdsOf(national), of_all);
  // An agent listing without a Caf sees its own only.
  EXPECT_EQ(IdsOf(AllPages(*this, Agent(kCafA), every, limit)), of_a);
}

// A gestionnaire's name recorded before names were bounded (here 5 000 characters, written to
// the log as the ledger wrote it then) is cut in a list's summaries: 200 characters and "…".
TEST_F(Contract, ListConventionsCutsNamesRecordedBeforeTheBound) {
  v1::ClasEvent fact;
  fact.set_caf_id(kCafA);
  fact.set_request_id("old-register-1");
  auto* g = fact.mutable_gestionnaire_registered();
  g->set_gestionnaire_id("g-old");
  g->set_name(Repeat("\xc3\xa9", 5000));
  g->set_kind(v1::ASSOCIATION);
  ledger::v1::Actor actor;
  actor.set_id(Agent(kCafA));
  actor.set_role("agent");
  actor.set_tenant_id(kCafA);
  std::vector<ledger::v1::EventData> old = {
      ToEventData(fact, "caf-75/old-register-1#0", 20200101, kCafA, actor, rules::kRuleVersion)};
  auto appended = server_->store().Append(GestionnaireStream(kCafA, "g-old"),
                                          ledger::ExpectedVersion::NoStream(), std::move(old));
  ASSERT_TRUE(appended.ok()) << appended.status();
  Reply filed = desk_.File("conv-old", "g-old", 2026, 1, 1, Eur(7000));
  ASSERT_TRUE(filed.status.ok()) << filed.status.error_message();

  v1::ListConventionsRequest request;
  request.set_caf_id(kCafA);
  auto listed = List(*this, Agent(kCafA), request);
  ASSERT_TRUE(listed.status.ok()) << listed.status.error_message();
  ASSERT_EQ(listed.response.conventions_size(), 1);
  EXPECT_EQ(listed.response.conventions(0).gestionnaire_name(),
            Repeat("\xc3\xa9", 200) + "\xe2\x80\xa6");
}

// ---------------------------------------------------------------------------------------------
// Bounded input

// Names and texts are valid UTF-8 of at most 200 (1 000) characters without control, bidi or
// invisible characters; counted in characters, not bytes.
TEST_F(Contract, R_CONV_4_GestionnaireNamesAreBoundedText) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"NUL", std::string("Asso\0ciation", 12)},
      {"line feed", "Asso\nciation"},
      {"ANSI escape", "\x1b[31mAssociation"},
      {"U+202E right-to-left override",
       "Asso\xe2\x80\xae"
       "ciation"},
      {"U+0085 next line",
       "Asso\xc2\x85"
       "ciation"},
      {"U+200B zero width space",
       "Asso\xe2\x80\x8b"
       "ciation"},
      {"U+FEFF byte order mark",
       "\xef\xbb\xbf"
       "Association"},
      {"U+2066 left-to-right isolate",
       "Asso\xe2\x81\xa6"
       "ciation"},
      {"201 characters", std::string(201, 'a')},
      {"201 accented characters", Repeat("\xc3\xa9", 201)},
  };
  for (const auto& [what, name] : bad) {
    SCOPED_TRACE(what);
    const ledger::LogHead before = Head();
    ExpectRefused(RegisterNamed(desk_, "asso-x", name), kInvalid, "R-CONV-4", "name", before);
  }
  const std::string accented = Repeat("\xc3\xa9", 200);  // 200 characters, 400 bytes
  Reply registered = RegisterNamed(desk_, "asso-e", accented);
  ASSERT_TRUE(registered.status.ok()) << registered.status.error_message();
  ASSERT_TRUE(RegisterNamed(desk_, "asso-a", std::string(200, 'a')).status.ok());
  v1::GetGestionnaireRequest g;
  g.set_caf_id(kCafA);
  g.set_gestionnaire_id("asso-e");
  v1::GetGestionnaireResponse got;
  ASSERT_TRUE(queries()->GetGestionnaire(As(Agent(kCafA)).get(), g, &got).ok());
  EXPECT_EQ(got.gestionnaire().name(), accented);
}

TEST_F(Contract, R_DROIT_1_AndR_HIST_1_ReferencesAndReasonsAreBoundedText) {
  auto bareme = [&](const std::string& reference) {
    v1::PublishBaremeRequest r;
    r.set_request_id(desk_.NextRequest());
    auto* b = r.mutable_command()->mutable_bareme();
    b->set_school_year(2027);
    b->set_plafond_cents(Eur(7200));
    b->set_bonus_enfants_cents(Eur(1000));
    b->set_bonus_parents_cents(Eur(1500));
    r.mutable_command()->set_reference(reference);
    r.mutable_command()->set_date(20270601);
    return desk_.Send("cnaf-bareme", r, &v1::Conventions::Stub::PublishBareme);
  };
  ledger::LogHead before = Head();
  ExpectRefused(bareme(std::string(201, 'r')), kInvalid, "R-DROIT-1", "reference", before);
  ExpectRefused(bareme("Circulaire\t2027"), kInvalid, "R-DROIT-1", "reference", before);
  Reply published = bareme(std::string(200, 'r'));
  ASSERT_TRUE(published.status.ok()) << published.status.error_message();

  ASSERT_TRUE(desk_.Convention("conv-n", "asso-5", 2026, 2, Eur(14000)).status.ok());
  Reply notified = desk_.Notify("conv-n", "n1", 2026, 1, 20260901);
  ASSERT_TRUE(notified.status.ok()) << notified.status.error_message();
  const std::string target = notified.response.events(0).event_id();
  v1::ClasEvent two;
  two.mutable_collectifs_notified()->set_notification_id("n1");
  two.mutable_collectifs_notified()->set_school_year(2026);
  two.mutable_collectifs_notified()->set_collectifs(2);
  before = Head();
  ExpectRefused(desk_.Correct("conv-n", target, std::string(1001, 'x'), two), kInvalid, "R-HIST-1",
                "reason", before);
  ExpectRefused(desk_.Correct("conv-n", target, "erreur\xe2\x80\xae de saisie", two), kInvalid,
                "R-HIST-1", "reason", before);
  Reply corrected = desk_.Correct("conv-n", target, Repeat("\xc3\xa9", 1000), two);
  ASSERT_TRUE(corrected.status.ok()) << corrected.status.error_message();
  EXPECT_EQ(corrected.response.figures().years(0).dp().ps_cents(), Eur(4550));
}

// Identifiers: printable ASCII without space or "/", not "." nor ".."; a Caf id of at most 64
// characters of A-Z a-z 0-9 . _ -. Refused by commands and by queries alike (the national
// auditor reads every Caf: its queries pass authorisation whatever the Caf id).
TEST_F(Contract, R_CONV_4_AndR_HIST_4_IdentifiersAreBounded) {
  ASSERT_TRUE(desk_.Convention("conv-a", "asso-5", 2026, 2, Eur(14000)).status.ok());
  for (const std::string& conv :
       std::vector<std::string>{"conv a", "conv/a", "..", ".", std::string(129, 'c')}) {
    SCOPED_TRACE(conv);
    const ledger::LogHead before = Head();
    ExpectRefused(desk_.Acompte(conv, "p1", 2026, Eur(10), 20261102), kInvalid, "R-CONV-4",
                  "convention_id", before);
    ExpectRefused(GetConvention(*this, "auditeur", kCafA, conv).status, kInvalid, "R-CONV-4",
                  "convention_id", before);
    v1::ExportConventionRequest r;
    r.set_caf_id(kCafA);
    r.set_convention_id(conv);
    v1::ConventionExport ignored;
    ExpectRefused(audit()->ExportConvention(As("auditeur").get(), r, &ignored), kInvalid,
                  "R-CONV-4", "convention_id", before);
  }
  const ledger::LogHead before = Head();
  const std::string caf65(65, 'c');
  ExpectRefused(GetConvention(*this, "auditeur", caf65, "conv-a").status, kInvalid, "R-HIST-4",
                "caf_id", before);
  ExpectRefused(GetConvention(*this, "auditeur", "caf 75", "conv-a").status, kInvalid, "R-HIST-4",
                "caf_id", before);
  v1::ListConventionsRequest list;
  list.set_caf_id(caf65);
  ExpectRefused(List(*this, "auditeur", list).status, kInvalid, "R-HIST-4", "caf_id", before);
  // 64 characters is a Caf id: one without conventions.
  ExpectRefused(GetConvention(*this, "auditeur", std::string(64, 'c'), "conv-a").status,
                grpc::StatusCode::NOT_FOUND, "", "", before);
  // A command naming such a Caf is refused by authorisation first (the agent acts for caf-75).
  v1::PayAcompteRequest pay = desk_.AcompteRequest("conv-a", "p1", 2026, Eur(10), 20261102);
  pay.mutable_command()->set_caf_id(caf65);
  ExpectRefused(desk_.Send(Agent(kCafA), pay, &v1::Conventions::Stub::PayAcompte),
                grpc::StatusCode::PERMISSION_DENIED, "", "", before);
}

// Request ids: 1 to 128 printable ASCII characters whatever the Caf id (the old limit was 128
// minus the Caf id and the rank), spaces, '#', '/' and quotes included.
TEST_F(Contract, R_HIST_1_RequestIdsOfOneTo128PrintableCharacters) {
  ASSERT_TRUE(desk_.Convention("conv-a", "asso-5", 2026, 2, Eur(14000)).status.ok());
  std::string longest = "req #1/\"quoted\" caf-75/x#0 ";
  while (longest.size() < 128) longest += static_cast<char>('!' + longest.size() % 94);
  v1::PayAcompteRequest pay = desk_.AcompteRequest("conv-a", "p-long", 2026, Eur(1), 20261102);
  pay.set_request_id(longest);
  Reply paid = desk_.Send(Agent(kCafA), pay, &v1::Conventions::Stub::PayAcompte);
  ASSERT_TRUE(paid.status.ok()) << paid.status.error_message();
  ASSERT_EQ(paid.response.events_size(), 1);
  EXPECT_TRUE(IsRequestEventId(paid.response.events(0).event_id(), kCafA, 0))
      << paid.response.events(0).event_id();
  EXPECT_EQ(paid.response.events(0).fact().request_id(), longest);
  Reply retry = desk_.Send(Agent(kCafA), pay, &v1::Conventions::Stub::PayAcompte);
  ASSERT_TRUE(retry.status.ok()) << retry.status.error_message();
  EXPECT_TRUE(retry.response.replayed());
  ASSERT_EQ(retry.response.events_size(), 1);
  EXPECT_EQ(retry.response.events(0).event_id(), paid.response.events(0).event_id());

  for (size_t length = 121; length <= 128; ++length) {
    pay = desk_.AcompteRequest("conv-a", absl::StrCat("p", length), 2026, Eur(1), 20261102);
    pay.set_request_id(std::string(length, 'r'));
    Reply accepted = desk_.Send(Agent(kCafA), pay, &v1::Conventions::Stub::PayAcompte);
    ExpectNeverInternal(accepted.status);
    EXPECT_TRUE(accepted.status.ok()) << length << ": " << accepted.status.error_message();
    EXPECT_FALSE(accepted.response.replayed()) << length;
  }
  pay = desk_.AcompteRequest("conv-a", "p-bad", 2026, Eur(1), 20261102);
  for (const std::string& id : {std::string(129, 'r'), std::string(), std::string("r\x7f", 2)}) {
    SCOPED_TRACE(id.size());
    const ledger::LogHead before = Head();
    pay.set_request_id(id);
    ExpectRefused(desk_.Send(Agent(kCafA), pay, &v1::Conventions::Stub::PayAcompte), kInvalid,
                  "R-HIST-1", "request_id", before);
  }
}

// A bilan and a controlled year carry their figures; a notification id and a recovery id are
// used once in their convention.
TEST_F(Contract, R_CONV_5_AndR_CTL_5_IdsAreUniqueAndFiguresRequired) {
  ASSERT_TRUE(desk_.Convention("conv-b", "asso-5", 2026, 2, Eur(14000)).status.ok());
  v1::ReceiveBilanRequest bilan;
  bilan.set_request_id(desk_.NextRequest());
  bilan.mutable_command()->set_caf_id(kCafA);
  bilan.mutable_command()->set_convention_id("conv-b");
  bilan.mutable_command()->set_school_year(2026);
  bilan.mutable_command()->set_date(20270920);
  ledger::LogHead before = Head();
  ExpectRefused(desk_.Send(Agent(kCafA), bilan, &v1::Conventions::Stub::ReceiveBilan), kInvalid,
                "R-CONV-6", "figures", before);

  ASSERT_TRUE(desk_.Notify("conv-b", "n1", 2026, 1, 20260901).status.ok());
  before = Head();
  ExpectRefused(desk_.Notify("conv-b", "n1", 2026, 2, 20261001), kPrecondition, "R-CONV-5",
                "notification_id", before);

  const std::string indu = ControlledWithAnIndu("conv-i");
  ASSERT_FALSE(indu.empty());
  before = Head();
  v1::ControlledYear no_figures;
  no_figures.set_school_year(2026);
  ExpectRefused(desk_.Findings("conv-i", "ctl-1", no_figures, 20280402), kInvalid, "R-CTL-1",
                "years[0].figures", before);
  Reply r1 = desk_.Recover("conv-i", "r1", indu, Eur(500), 20280701);
  ASSERT_TRUE(r1.status.ok()) << r1.status.error_message();
  before = Head();
  ExpectRefused(desk_.Recover("conv-i", "r1", indu, Eur(100), 20280801), kPrecondition, "R-CTL-5",
                "recovery_id", before);
  Reply r2 = desk_.Recover("conv-i", "r2", indu, Eur(100), 20280801);
  ASSERT_TRUE(r2.status.ok()) << r2.status.error_message();
  EXPECT_EQ(r2.response.figures().years(0).indus_open_cents(), Eur(700));
}

// A simulated contrôle covers at most the five school years a convention can have, as the
// contrôle commands do (OpenControle, RecordControleFindings, DecideControle): SimulateControle
// took any count, and answered one outcome per entry, 77 bytes each, past the message limit.
TEST_F(Contract, R_CTL_4_SimulateControleBoundsItsYears) {
  ASSERT_TRUE(desk_.Convention("conv-a", "asso-5", 2026, 2, Eur(14000)).status.ok());
  const ledger::LogHead before = Head();
  for (const int count : {6, 60'000}) {
    SCOPED_TRACE(count);
    v1::SimulateControleRequest request;
    request.set_caf_id(kCafA);
    request.set_convention_id("conv-a");
    for (int i = 0; i < count; ++i) {
      *request.add_years() = GrpcDesk::Controlled(2026, 2, Eur(10000));
    }
    v1::SimulateControleResponse simulated;
    ExpectRefused(queries()->SimulateControle(As(Controleur(kCafA)).get(), request, &simulated),
                  kInvalid, "", "years", before);
  }
}

// A notification id is used once in its convention, also through a correction: notification
// n1 corrected into a notification named "n2", the id of another notification of the
// convention.
TEST_F(Contract, R_CONV_5_ACorrectionKeepsNotificationIdsUnique) {
  ASSERT_TRUE(desk_.Convention("conv-n", "asso-5", 2026, 2, Eur(14000)).status.ok());
  Reply n1 = desk_.Notify("conv-n", "n1", 2026, 1, 20260901);
  ASSERT_TRUE(n1.status.ok()) << n1.status.error_message();
  ASSERT_TRUE(desk_.Notify("conv-n", "n2", 2026, 2, 20261001).status.ok());
  v1::ClasEvent renamed;
  renamed.mutable_collectifs_notified()->set_notification_id("n2");
  renamed.mutable_collectifs_notified()->set_school_year(2026);
  renamed.mutable_collectifs_notified()->set_collectifs(2);
  const ledger::LogHead before = Head();
  ExpectRefused(desk_.Correct("conv-n", n1.response.events(0).event_id(), "saisie", renamed),
                kPrecondition, "R-CONV-5", "notification_id", before);
  auto read = GetConvention(*this, Agent(kCafA), kCafA, "conv-n");
  ASSERT_TRUE(read.status.ok()) << read.status.error_message();
  const auto& ids = read.response.convention().notification_ids();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), static_cast<size_t>(ids.size()))
      << "notification ids of conv-n: " << absl::StrJoin(ids, ", ");
}

// A correction of a contrôle's findings keeps them the findings of that contrôle: corrected into
// findings of "ctl-ghost", a contrôle never opened (R-CTL-1).
TEST_F(Contract, R_CTL_1_ACorrectionKeepsFindingsWithTheirControle) {
  ASSERT_TRUE(desk_.Convention("conv-c", "asso-5", 2026, 2, Eur(14000)).status.ok());
  ASSERT_TRUE(desk_.OpenControle("conv-c", "ctl-1", 2026, 20280301).status.ok());
  Reply found =
      desk_.Findings("conv-c", "ctl-1", GrpcDesk::Controlled(2026, 2, Eur(10000)), 20280401);
  ASSERT_TRUE(found.status.ok()) << found.status.error_message();
  v1::ClasEvent moved;
  moved.mutable_controle_findings_recorded()->set_controle_id("ctl-ghost");
  *moved.mutable_controle_findings_recorded()->add_years() =
      GrpcDesk::Controlled(2026, 2, Eur(9000));
  const ledger::LogHead before = Head();
  Reply corrected = desk_.Correct("conv-c", found.response.events(0).event_id(), "saisie", moved);
  ExpectNeverInternal(corrected.status);
  EXPECT_THAT(corrected.status.error_code(), ::testing::AnyOf(kInvalid, kPrecondition))
      << "the correction was recorded";
  EXPECT_EQ(Head().position, before.position);
  const ledger::LogHead after_correction = Head();
  ExpectRefused(desk_.Decide("conv-c", "ctl-ghost", 20280601), grpc::StatusCode::NOT_FOUND,
                "R-CTL-1", "controle_id", after_correction);
}

// ---------------------------------------------------------------------------------------------
// Authentication before validation

using Context = std::function<std::unique_ptr<grpc::ClientContext>()>;
using Rpc = std::function<grpc::Status(const Context&, const std::string& caf)>;

// Every query naming a Caf, as (name, call); each names conv-a or asso-5 of `caf`.
std::vector<std::pair<std::string, Rpc>> QueryRpcs(ServerTest& t) {
  return {
      {"GetConvention",
       [&t](const Context& c, const std::string& caf) {
         v1::GetConventionRequest r;
         r.set_caf_id(caf);
         r.set_convention_id("conv-a");
         v1::GetConventionResponse out;
         return t.queries()->GetConvention(c().get(), r, &out);
       }},
      {"GetGestionnaire",
       [&t](const Context& c, const std::string& caf) {
         v1::GetGestionnaireRequest r;
         r.set_caf_id(caf);
         r.set_gestionnaire_id("asso-5");
         v1::GetGestionnaireResponse out;
         return t.queries()->GetGestionnaire(c().get(), r, &out);
       }},
      {"GetCivilYear",
       [&t](const Context& c, const std::string& caf) {
         v1::GetCivilYearRequest r;
         r.set_caf_id(caf);
         r.set_civil_year(2026);
         v1::GetCivilYearResponse out;
         return t.queries()->GetCivilYear(c().get(), r, &out);
       }},
      {"ListConventions",
       [&t](const Context& c, const std::string& caf) {
         v1::ListConventionsRequest r;
         r.set_caf_id(caf);
         v1::ListConventionsResponse out;
         return t.queries()->ListConventions(c().get(), r, &out);
       }},
      {"SimulateControle",
       [&t](const Context& c, const std::string& caf) {
         v1::SimulateControleRequest r;
         r.set_caf_id(caf);
         r.set_convention_id("conv-a");
         *r.add_years() = GrpcDesk::Controlled(2026, 2, Eur(10000));
         v1::SimulateControleResponse out;
         return t.queries()->SimulateControle(c().get(), r, &out);
       }},
  };
}

// Every audit naming a Caf, as (name, call); each names conv-a of `caf`.
std::vector<std::pair<std::string, Rpc>> AuditRpcs(ServerTest& t) {
  return {
      {"ReplayHistory",
       [&t](const Context& c, const std::string& caf) {
         v1::ReplayHistoryRequest r;
         r.set_caf_id(caf);
         r.set_convention_id("conv-a");
         auto context = c();
         auto reader = t.audit()->ReplayHistory(context.get(), r);
         v1::ReplayHistoryItem item;
         while (reader->Read(&item)) {
         }
         return reader->Finish();
       }},
      {"DiffStates",
       [&t](const Context& c, const std::string& caf) {
         v1::DiffStatesRequest r;
         r.set_caf_id(caf);
         r.set_convention_id("conv-a");
         r.set_from_date(20260101);
         r.set_to_date(20271231);
         v1::DiffStatesResponse out;
         return t.audit()->DiffStates(c().get(), r, &out);
       }},
      {"ExportConvention",
       [&t](const Context& c, const std::string& caf) {
         v1::ExportConventionRequest r;
         r.set_caf_id(caf);
         r.set_convention_id("conv-a");
         v1::ConventionExport out;
         return t.audit()->ExportConvention(c().get(), r, &out);
       }},
      {"RecomputeHistory",
       [&t](const Context& c, const std::string& caf) {
         v1::RecomputeHistoryRequest r;
         r.set_caf_id(caf);
         r.set_convention_id("conv-a");
         v1::RecomputeHistoryResponse out;
         return t.audit()->RecomputeHistory(c().get(), r, &out);
       }},
  };
}

// Who may call read RPC `rpc` for caf-75: a contrôleur simulates, an agent queries, the
// national auditor audits.
std::string CallerOf(const std::string& rpc) {
  if (rpc == "SimulateControle") return ServerTest::Controleur(kCafA);
  if (absl::StartsWith(rpc, "Get") || rpc == "ListConventions") return ServerTest::Agent(kCafA);
  return "auditeur";
}

std::vector<std::pair<std::string, Rpc>> ReadRpcs(ServerTest& t) {
  std::vector<std::pair<std::string, Rpc>> all = QueryRpcs(t);
  for (auto& rpc : AuditRpcs(t)) all.push_back(std::move(rpc));
  return all;
}

// A caller without a valid token learns nothing of its request: not that its Caf is missing
// or malformed. With a valid token, a missing Caf is named.
TEST_F(Contract, R_HIST_4_AuthenticationComesBeforeValidation) {
  ASSERT_TRUE(desk_.Convention("conv-a", "asso-5", 2026, 2, Eur(14000)).status.ok());
  const ledger::LogHead before = Head();
  const Context none = [] {
    auto c = std::make_unique<grpc::ClientContext>();
    c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return c;
  };
  const Context forged = [] {
    auto c = std::make_unique<grpc::ClientContext>();
    c->AddMetadata("authorization", "Bearer forged-token-of-no-one");
    c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return c;
  };
  auto as = [this](const std::string& user) -> Context {
    return [this, user] { return As(user); };
  };
  for (const auto& [name, rpc] : ReadRpcs(*this)) {
    SCOPED_TRACE(name);
    for (const std::string& caf : {std::string(), std::string(65, 'c'), std::string("caf 75")}) {
      ExpectRefused(rpc(none, caf), kUnauthenticated, "", "", before);
      ExpectRefused(rpc(forged, caf), kUnauthenticated, "", "", before);
    }
    // Who may call it, with no Caf: refused naming caf_id (but a list, which spans Cafs).
    const std::string user = CallerOf(name);
    const grpc::Status empty = rpc(as(user), "");
    if (name == "ListConventions") {
      EXPECT_TRUE(empty.ok()) << empty.error_message();
    } else {
      ExpectRefused(empty, kInvalid, "", "caf_id", before);
    }
    const grpc::Status named = rpc(as(user), kCafA);
    ExpectNeverInternal(named);
    EXPECT_TRUE(named.ok()) << user << ": " << named.error_message();
  }
  // A command too: no token, no Caf.
  v1::PayAcompteRequest pay = desk_.AcompteRequest("conv-a", "p1", 2026, Eur(10), 20261102);
  pay.mutable_command()->set_caf_id("");
  v1::CommandResponse ignored;
  ExpectRefused(conventions()->PayAcompte(none().get(), pay, &ignored), kUnauthenticated, "", "",
                before);
}

// A missing Caf is a Caf id that breaks its rule (R-HIST-4, 1 to 64 characters), as the audits
// say in their details; the queries and the commands say it in their message only.
TEST_F(Contract, R_HIST_4_AMissingCafNamesItsRuleLikeAMalformedOne) {
  ASSERT_TRUE(desk_.Convention("conv-a", "asso-5", 2026, 2, Eur(14000)).status.ok());
  const ledger::LogHead before = Head();
  for (const auto& [name, rpc] : ReadRpcs(*this)) {
    if (name == "ListConventions") continue;  // "" lists every Caf the caller reads
    SCOPED_TRACE(name);
    const std::string user = CallerOf(name);
    ExpectRefused(rpc([this, user] { return As(user); }, ""), kInvalid, "R-HIST-4", "caf_id",
                  before);
  }
  v1::PayAcompteRequest pay = desk_.AcompteRequest("conv-a", "p1", 2026, Eur(10), 20261102);
  pay.mutable_command()->set_caf_id("");
  ExpectRefused(desk_.Send(Agent(kCafA), pay, &v1::Conventions::Stub::PayAcompte), kInvalid,
                "R-HIST-4", "caf_id", before);
}

// ---------------------------------------------------------------------------------------------
// Pages of one reading

// The lines of a Caf-year two at a time, every page read at the first page's position: each
// line once, the same totals on every page, whatever was written meanwhile.
TEST_F(Contract, GetCivilYearPagesItsLinesAtOnePosition) {
  ASSERT_TRUE(desk_.Convention("conv-y", "asso-5", 2026, 2, Eur(14000)).status.ok());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        desk_.Acompte("conv-y", absl::StrCat("a", i), 2026, Eur(100), 20261002 + i).status.ok());
  }
  v1::GetCivilYearRequest request;
  request.set_caf_id(kCafA);
  request.set_civil_year(2026);
  request.set_page_size(2);
  grpc::Status status;
  const v1::GetCivilYearResponse first = CivilYear(request, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(first.lines_size(), 2);
  ASSERT_FALSE(first.next_page_token().empty());
  const uint64_t at = first.log_position();
  ASSERT_TRUE(desk_.Acompte("conv-y", "a-later", 2026, Eur(100), 20261201).status.ok());

  auto totals = [](v1::GetCivilYearResponse page) {
    page.clear_lines();
    page.clear_next_page_token();
    return page;
  };
  request.mutable_as_of()->set_at_position(at);
  std::vector<v1::AccountingLine> paged(first.lines().begin(), first.lines().end());
  request.set_page_token(first.next_page_token());
  for (int page = 1; page < 100 && !request.page_token().empty(); ++page) {
    const v1::GetCivilYearResponse next = CivilYear(request, &status);
    ASSERT_TRUE(status.ok()) << page << ": " << status.error_message();
    EXPECT_LE(next.lines_size(), 2);
    EXPECT_EQ(next.log_position(), at);
    EXPECT_TRUE(MessageDifferencer::Equals(totals(next), totals(first))) << page;
    paged.insert(paged.end(), next.lines().begin(), next.lines().end());
    request.set_page_token(next.next_page_token());
  }
  EXPECT_TRUE(request.page_token().empty());

  request.clear_page_token();
  request.set_page_size(0);
  const v1::GetCivilYearResponse whole = CivilYear(request, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(whole.next_page_token().empty());
  EXPECT_GT(whole.lines_size(), 4) << "more lines than two pages";
  ASSERT_EQ(paged.size(), static_cast<size_t>(whole.lines_size()));
  for (int i = 0; i < whole.lines_size(); ++i) {
    EXPECT_TRUE(MessageDifferencer::Equals(paged[i], whole.lines(i))) << i;
  }
  EXPECT_TRUE(MessageDifferencer::Equals(totals(whole), totals(first)));
  request.mutable_as_of()->clear_at_position();
  const v1::GetCivilYearResponse now = CivilYear(request, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_GT(now.lines_size(), whole.lines_size()) << "the acompte written meanwhile has lines";

  const ledger::LogHead before = Head();
  for (const std::string& token : std::vector<std::string>{
           "x", "-1", absl::StrCat(now.lines_size() + 1), "99999999999999999999999", "1x"}) {
    SCOPED_TRACE(token);
    request.set_page_size(2);
    request.set_page_token(token);
    CivilYear(request, &status);
    ExpectRefused(status, kInvalid, "", "page_token", before);
  }
}

// An export a page of two events at a time is the export of the whole stream, in order.
TEST_F(Contract, ExportConventionPagesMakeTheWholeStream) {
  ASSERT_TRUE(desk_.Convention("conv-x", "asso-5", 2026, 2, Eur(14000)).status.ok());
  ASSERT_TRUE(desk_.Acompte("conv-x", "a1", 2026, Eur(100), 20261102).status.ok());
  ASSERT_TRUE(desk_.Acompte("conv-x", "a2", 2026, Eur(100), 20261103).status.ok());
  grpc::Status status;
  const v1::ConventionExport whole = Export("conv-x", 0, 0, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(whole.events_size(), 5);
  EXPECT_EQ(whole.next_version(), 0u);

  std::vector<std::string> paged;
  uint64_t from = 0;
  int pages = 0;
  for (; pages < 10; ++pages) {
    const v1::ConventionExport page = Export("conv-x", from, 2, &status);
    ASSERT_TRUE(status.ok()) << pages << ": " << status.error_message();
    EXPECT_LE(page.events_size(), 2);
    for (const auto& e : page.events()) paged.push_back(e.hash());
    if (page.next_version() == 0) break;
    from = page.next_version();
  }
  EXPECT_EQ(pages + 1, 3);
  std::vector<std::string> hashes;
  for (const auto& e : whole.events()) hashes.push_back(e.hash());
  EXPECT_EQ(paged, hashes);
}

// The page that holds a stream's last event says it is the last (next_version 0), as every
// other pager of the API does (ListConventions, GetCivilYear): here 6 events in pages of 2.
TEST_F(Contract, ExportConventionPageEndingTheStreamSaysItIsTheLast) {
  ASSERT_TRUE(desk_.Convention("conv-x", "asso-5", 2026, 2, Eur(14000)).status.ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        desk_.Acompte("conv-x", absl::StrCat("a", i), 2026, Eur(100), 20261102 + i).status.ok());
  }
  grpc::Status status;
  const v1::ConventionExport last = Export("conv-x", 5, 2, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(last.events_size(), 2);
  EXPECT_EQ(last.next_version(), 0u) << "versions 5 and 6 are the stream's last";
  // What a client following the token reads next: nothing, and then 0.
  const v1::ConventionExport past = Export("conv-x", 7, 2, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(past.events_size(), 0);
  EXPECT_EQ(past.next_version(), 0u);
}

}  // namespace
}  // namespace clas::testing
