// End-to-end, cross-Caf isolation on every read path and the rights of each role. caf-75 and
// caf-13 each hold a gestionnaire, a signed convention and a paid acompte; the users of caf-13
// (its agent, its contrôleur, an auditor and a service restricted to caf-13, added to the token
// file) must never see caf-75's data, whatever they name in their requests: the queries refuse
// or find nothing, the lists, reads of the log and subscriptions leave caf-75's events out, and
// an unknown stream of caf-75 looks exactly like one that exists. No refusal writes anything.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/engine/request_key.h"
#include "tests/server/e2e_support.h"
#include "tests/server/grpc_desk.h"

namespace clas::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kService13[] = "svc-13";
constexpr char kAuditor13[] = "auditeur-13";
constexpr char kStream75[] = "clas/caf-75/convention/conv-75";

class Isolation : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    AddToken(*this, kService13, "service", kCafB);
    AddToken(*this, kAuditor13, "auditeur", kCafB);
    Restart();
    GrpcDesk a(this, kCafA), b(this, kCafB);
    ASSERT_TRUE(a.Bareme(2026, Eur(7000), Eur(1000), Eur(1500)).status.ok());
    for (GrpcDesk* desk : {&a, &b}) {
      const std::string n = desk->caf().substr(4);
      ASSERT_TRUE(desk->Register("asso-" + n, v1::ASSOCIATION).status.ok());
      ASSERT_TRUE(desk->Convention("conv-" + n, "asso-" + n, 2026, 2, Eur(14000)).status.ok());
      ASSERT_TRUE(desk->Acompte("conv-" + n, "a1", 2026, Eur(1274), 20261102).status.ok());
    }
    ASSERT_TRUE(AppendExt(*this, "service-demo", "ext/service-demo/notes", {"demo-1"}).status.ok());
    ASSERT_TRUE(AppendExt(*this, kService13, "ext/svc-13/notes", {"s13-1"}).status.ok());
    head_ = HeadOf(*this);
  }

  void TearDown() override {
    EXPECT_EQ(HeadOf(*this), head_) << "a refusal or a read wrote to the log";
    ServerTest::TearDown();
  }

  // Tenants whose events a reader of caf-13 alone may see: its Caf, the national barème, and
  // its own service events.
  static bool SeenByCaf13(const v1::RecordedEvent& e, const std::string& user) {
    return e.caf_id() == kCafB || e.caf_id() == "cnaf" || e.caf_id() == user;
  }

  uint64_t head_ = 0;
};

TEST_F(Isolation, QueriesOfAnotherCafAreRefused) {
  auto get = GetConvention(*this, Agent(kCafB), kCafA, "conv-75");
  EXPECT_EQ(get.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Naming its own Caf or no Caf does not reach caf-75's convention either.
  EXPECT_EQ(GetConvention(*this, Agent(kCafB), kCafB, "conv-75").status.error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(GetConvention(*this, Agent(kCafB), "", "conv-75").status.error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  v1::GetGestionnaireRequest g;
  g.set_caf_id(kCafA);
  g.set_gestionnaire_id("asso-75");
  v1::GetGestionnaireResponse gestionnaire;
  EXPECT_EQ(queries()->GetGestionnaire(As(Agent(kCafB)).get(), g, &gestionnaire).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  g.set_caf_id("");
  EXPECT_EQ(queries()->GetGestionnaire(As(Agent(kCafB)).get(), g, &gestionnaire).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  v1::GetCivilYearRequest y;
  y.set_caf_id(kCafA);
  y.set_civil_year(2026);
  v1::GetCivilYearResponse year;
  EXPECT_EQ(queries()->GetCivilYear(As(Agent(kCafB)).get(), y, &year).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A civil year names one Caf: "" is not "every Caf" (it would add up caf-75's payments).
  y.set_caf_id("");
  grpc::Status no_caf = queries()->GetCivilYear(As(Agent(kCafB)).get(), y, &year);
  EXPECT_EQ(no_caf.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  for (const auto& line : year.lines()) EXPECT_NE(line.convention_id(), "conv-75");

  v1::SimulateControleRequest s;
  s.set_caf_id(kCafA);
  s.set_convention_id("conv-75");
  *s.add_years() = GrpcDesk::Controlled(2026, 2, Eur(10000));
  v1::SimulateControleResponse simulated;
  EXPECT_EQ(queries()->SimulateControle(As(Controleur(kCafB)).get(), s, &simulated).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(queries()->SimulateControle(As(Agent(kCafB)).get(), s, &simulated).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  s.set_caf_id(kCafB);
  EXPECT_EQ(queries()->SimulateControle(As(Controleur(kCafB)).get(), s, &simulated).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(Isolation, ListsShowOnlyTheCallersCafs) {
  v1::ListConventionsRequest every;
  EXPECT_THAT(ListAllPages(*this, Agent(kCafB), every), ElementsAre("caf-13/conv-13"));
  every.set_page_size(1);
  EXPECT_THAT(ListAllPages(*this, kAuditor13, every), ElementsAre("caf-13/conv-13"));
  every.set_page_token("caf-13/conv-13");  // a token pointing past its own Caf
  EXPECT_THAT(ListAllPages(*this, Agent(kCafB), every), IsEmpty());
  every.set_page_token("");
  every.set_gestionnaire_id("asso-75");
  EXPECT_THAT(ListAllPages(*this, Agent(kCafB), every), IsEmpty());
  v1::ListConventionsRequest of75;
  of75.set_caf_id(kCafA);
  EXPECT_EQ(List(*this, Agent(kCafB), of75).status.error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(ListAllPages(*this, "auditeur", v1::ListConventionsRequest()),
              ElementsAre("caf-13/conv-13", "caf-75/conv-75"));
}

TEST_F(Isolation, AuditIsForAuditorsOfTheCaf) {
  for (const std::string& user : {Agent(kCafB), std::string(kAuditor13)}) {
    v1::ReplayHistoryRequest replay;
    replay.set_caf_id(kCafA);
    replay.set_convention_id("conv-75");
    auto context = As(user);
    auto reader = audit()->ReplayHistory(context.get(), replay);
    v1::ReplayHistoryItem item;
    EXPECT_FALSE(reader->Read(&item)) << user;
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED) << user;
    v1::DiffStatesRequest diff;
    diff.set_caf_id(kCafA);
    diff.set_convention_id("conv-75");
    diff.set_to_date(20271231);
    v1::DiffStatesResponse diffed;
    EXPECT_EQ(audit()->DiffStates(As(user).get(), diff, &diffed).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << user;
    v1::ExportConventionRequest x;
    x.set_caf_id(kCafA);
    x.set_convention_id("conv-75");
    v1::ConventionExport exported;
    EXPECT_EQ(audit()->ExportConvention(As(user).get(), x, &exported).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << user;
  }
  v1::VerifyChainResponse verified;
  EXPECT_EQ(audit()->VerifyChain(As(Agent(kCafB)).get(), {}, &verified).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // The auditor of caf-13 exports its own Caf's convention.
  v1::ExportConventionRequest own;
  own.set_caf_id(kCafB);
  own.set_convention_id("conv-13");
  v1::ConventionExport exported;
  EXPECT_TRUE(audit()->ExportConvention(As(kAuditor13).get(), own, &exported).ok());
}

// R-HIST-3's check reads the amounts of the Cafs its caller reads, and only them: naming
// caf-75 is refused, naming no Caf checks caf-13 alone (its acompte), where the national auditor
// checks both Cafs.
TEST_F(Isolation, RecomputeCoversOnlyTheCafsOfItsCaller) {
  v1::RecomputeHistoryRequest of75;
  of75.set_caf_id(kCafA);
  v1::RecomputeHistoryRequest conv75 = of75;
  conv75.set_convention_id("conv-75");
  for (const std::string& user :
       {Agent(kCafB), Controleur(kCafB), std::string(kAuditor13)}) {
    v1::RecomputeHistoryResponse r;
    EXPECT_EQ(audit()->RecomputeHistory(As(user).get(), of75, &r).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << user;
    EXPECT_EQ(audit()->RecomputeHistory(As(user).get(), conv75, &r).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << user;
    v1::RecomputeHistoryResponse every;
    ASSERT_TRUE(audit()->RecomputeHistory(As(user).get(), {}, &every).ok()) << user;
    EXPECT_EQ(every.cafs_checked(), 1u) << user;
    EXPECT_EQ(every.computations_checked(), 1u) << user << ": caf-13's acompte";
    EXPECT_TRUE(every.next_page_token().empty());
  }
  v1::RecomputeHistoryResponse national;
  ASSERT_TRUE(audit()->RecomputeHistory(As("auditeur").get(), {}, &national).ok());
  EXPECT_EQ(national.cafs_checked(), 2u);
  EXPECT_EQ(national.computations_checked(), 2u);
}

TEST_F(Isolation, ReadsOfTheLogLeaveOtherCafsOut) {
  // A stream of caf-75 answers as an unknown one does: no oracle of what exists there.
  auto existing = ReadStream(*this, kService13, kStream75, 1, false, 10);
  auto unknown = ReadStream(*this, kService13, "clas/caf-75/convention/nope", 1, false, 10);
  EXPECT_EQ(unknown.status.error_code(), grpc::StatusCode::OK);
  EXPECT_EQ(existing.status.error_code(), unknown.status.error_code());
  EXPECT_THAT(existing.response.events(), IsEmpty());
  auto past_end = ReadStream(*this, kService13, kStream75, 99, false, 10);
  EXPECT_EQ(past_end.status.error_code(), unknown.status.error_code());
  auto backward = ReadStream(*this, kService13, kStream75, 0, true, 10);
  EXPECT_EQ(backward.status.error_code(), unknown.status.error_code());
  EXPECT_THAT(backward.response.events(), IsEmpty());
  EXPECT_EQ(ReadStream(*this, Agent(kCafB), kStream75, 1, false, 10).status.error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  auto own = ReadStream(*this, kService13, "clas/caf-13/convention/conv-13", 1, false, 10);
  ASSERT_TRUE(own.status.ok());
  EXPECT_EQ(own.response.events_size(), 4);

  for (const std::string& user : {std::string(kService13), std::string(kAuditor13)}) {
    const auto seen = ReadWholeLog(*this, user, 3);
    ASSERT_FALSE(seen.empty());
    for (const auto& e : seen) {
      EXPECT_TRUE(SeenByCaf13(e, user)) << user << " sees " << e.stream_id();
    }
    // And everything it may see is there.
    size_t visible = 0;
    for (const auto& e : ReadWholeLog(*this, "auditeur")) visible += SeenByCaf13(e, user);
    EXPECT_EQ(seen.size(), visible) << user;
  }
  EXPECT_EQ(ReadAll(*this, Agent(kCafB), 1, 10).status.error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(Isolation, SubscriptionsLeaveOtherCafsOut) {
  std::vector<uint64_t> expected;
  for (const auto& e : ReadWholeLog(*this, "auditeur")) {
    if (SeenByCaf13(e, kService13)) expected.push_back(e.position());
  }
  v1::SubscribeRequest all;
  Subscription everything(*this, kService13, all);
  ASSERT_TRUE(everything.ReadUntilCaughtUp(head_));
  EXPECT_EQ(PositionsOf(everything.events), expected);
  EXPECT_EQ(everything.Cancel().error_code(), grpc::StatusCode::CANCELLED);

  v1::SubscribeRequest of75;
  of75.add_caf_ids(kCafA);
  Subscription asked(*this, kService13, of75);
  ASSERT_TRUE(asked.ReadUntilCaughtUp(head_));
  EXPECT_THAT(asked.events, IsEmpty());
  asked.Cancel();

  v1::SubscribeRequest none;
  Subscription agent(*this, Agent(kCafB), none);
  EXPECT_EQ(agent.Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(agent.events, IsEmpty());
}

TEST_F(Isolation, EachRoleKeepsToItsRights) {
  GrpcDesk a(this, kCafA);
  const auto acompte = a.AcompteRequest("conv-75", "a2", 2026, Eur(100), 20270201);
  for (const char* user : {"auditeur", "controleur-caf-75", "service-demo", "cnaf-bareme"}) {
    EXPECT_EQ(a.Send(user, acompte, &v1::Conventions::Stub::PayAcompte).status.error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << user;
  }
  EXPECT_EQ(a.Send(Agent(kCafB), acompte, &v1::Conventions::Stub::PayAcompte).status.error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // An auditor runs no command, not even a contrôle's or the barème.
  const auto open = a.OpenControleRequest("conv-75", "ctl-1", 2026, 20280301);
  for (const char* user : {"auditeur", "agent-caf-13", "controleur-caf-13"}) {
    EXPECT_EQ(a.Send(user, open, &v1::Conventions::Stub::OpenControle).status.error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << user;
  }
  // A contrôle's commands are open to the Caf's agents as well as its contrôleurs (the issue's
  // roles: an agent runs the commands of its Caf; a contrôleur, the contrôle ones).
  EXPECT_EQ(a.Send("controleur-caf-13", a.DecideRequest("conv-75", "ctl-1", 20280601),
                   &v1::Conventions::Stub::DecideControle)
                .status.error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::PublishBaremeRequest bareme;
  bareme.set_request_id("bareme-2027");
  bareme.mutable_command()->mutable_bareme()->set_school_year(2027);
  bareme.mutable_command()->mutable_bareme()->set_plafond_cents(Eur(9000));
  bareme.mutable_command()->set_date(20270601);
  for (const char* user : {"auditeur", "agent-caf-75", "service-demo"}) {
    EXPECT_EQ(a.Send(user, bareme, &v1::Conventions::Stub::PublishBareme).status.error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << user;
  }
  // A service appends under ext/<its id>/ only.
  for (const char* stream : {"ext/svc-13/notes", "ext/service-demo", "ext/service-demo/",
                             "ext/service-demo-2/notes", kStream75, "clas/bareme"}) {
    EXPECT_EQ(AppendExt(*this, "service-demo", stream, {"x-1"}).status.error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << stream;
  }
  EXPECT_EQ(AppendExt(*this, kService13, "ext/service-demo/notes", {"x-2"}).status.error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  for (const char* user : {"agent-caf-75", "auditeur", "cnaf-bareme"}) {
    EXPECT_EQ(AppendExt(*this, user, "ext/service-demo/notes", {"x-3"}).status.error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << user;
  }
}

// Request ids are the client's: the same id in two Cafs names two commands. Answering the
// second as a retry (or ALREADY_EXISTS) would tell caf-13 what caf-75 did.
TEST_F(Isolation, RequestIdsOfOneCafAreFreeInAnother) {
  GrpcDesk a(this, kCafA), b(this, kCafB);
  auto of75 = a.AcompteRequest("conv-75", "a2", 2026, Eur(100), 20270201);
  of75.set_request_id("shared-id");
  Reply first = a.Send(Agent(kCafA), of75, &v1::Conventions::Stub::PayAcompte);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  auto of13 = b.AcompteRequest("conv-13", "a2", 2026, Eur(200), 20270201);
  of13.set_request_id("shared-id");
  Reply second = b.Send(Agent(kCafB), of13, &v1::Conventions::Stub::PayAcompte);
  ASSERT_TRUE(second.status.ok()) << second.status.error_message();
  EXPECT_FALSE(second.response.replayed());
  EXPECT_EQ(second.response.events(0).caf_id(), kCafB);
  EXPECT_EQ(second.response.events(0).fact().acompte_paid().amount_cents(), Eur(200));
  head_ = HeadOf(*this);
}

// A service's own events are tagged with its id as tenant. A service whose id happens to be the
// id of a Caf it was not granted must still see nothing of that Caf.
TEST_F(Isolation, AServiceNamedAfterAnotherCafSeesNothingOfIt) {
  AddToken(*this, kCafA, "service", kCafB);
  Restart();
  ASSERT_TRUE(AppendExt(*this, kCafA, "ext/caf-75/notes", {"own-1"}).status.ok());
  for (const auto& e : ReadWholeLog(*this, kCafA)) {
    EXPECT_TRUE(e.caf_id() != kCafA || e.stream_id() == "ext/caf-75/notes") << e.stream_id();
  }
  auto own = ReadStream(*this, kCafA, "ext/caf-75/notes", 1, false, 10);
  EXPECT_EQ(own.response.events_size(), 1);
  EXPECT_THAT(ReadStream(*this, kCafA, kStream75, 1, false, 10).response.events(), IsEmpty());
  EXPECT_THAT(ListAllPages(*this, kCafA, v1::ListConventionsRequest()),
              ElementsAre("caf-13/conv-13"));
  v1::SubscribeRequest all;
  Subscription subscription(*this, kCafA, all);
  ASSERT_TRUE(subscription.ReadUntilCaughtUp(HeadOf(*this)));
  for (const auto& e : subscription.events) {
    EXPECT_TRUE(e.caf_id() != kCafA || e.stream_id() == "ext/caf-75/notes") << e.stream_id();
  }
  subscription.Cancel();
  head_ = HeadOf(*this);
}

// A service chooses its event ids, which are unique across the whole log: it must not be able
// to take the id a Caf's command will record under (request_key.h) and so block it.
TEST_F(Isolation, AServiceCannotTakeTheEventIdsOfACafsCommands) {
  auto squat =
      AppendExt(*this, kService13, "ext/svc-13/notes", {RequestEventId(kCafA, "next-acompte", 0)});
  EXPECT_EQ(squat.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  GrpcDesk a(this, kCafA);
  auto request = a.AcompteRequest("conv-75", "a2", 2026, Eur(100), 20270201);
  request.set_request_id("next-acompte");
  Reply paid = a.Send(Agent(kCafA), request, &v1::Conventions::Stub::PayAcompte);
  EXPECT_TRUE(paid.status.ok()) << paid.status.error_message();
  head_ = HeadOf(*this);
}

}  // namespace
}  // namespace clas::testing
