// End-to-end: a real server on a loopback port, driven through real channels as a Caf agent, an
// auditor and another service would. Figures are RULES.md §7's worked example.
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/grpc_desk.h"

namespace clas::testing {
namespace {

using ::testing::Contains;

// PS = (base × 13 + 20) div 40: 30 769,22 € → 10 000,00 €; 27 692,30 € → 9 000,00 € (R-DROIT-3).
constexpr int64_t kChargesDp = Cents(30769, 22);
constexpr int64_t kChargesDr = Cents(27692, 30);

class EndToEnd : public ServerTest {
 protected:
  // The worked example up to the bilan, in caf-75.
  void Lifecycle(GrpcDesk& desk) {
    Reply bareme = desk.Bareme(2026, Eur(11000), Eur(1000), Eur(1500));
    ASSERT_TRUE(bareme.status.ok()) << bareme.status.error_message();
    ASSERT_TRUE(desk.Register("asso-1", v1::ASSOCIATION).status.ok());
    Reply filed = desk.File("conv-1", "asso-1", 2026, 1, 3, kChargesDp);
    ASSERT_TRUE(filed.status.ok()) << filed.status.error_message();
    ASSERT_TRUE(desk.Agree("conv-1", 2026, 2026, 3, 20260701).status.ok());
    Reply signed_ = desk.Sign("conv-1", 2026, 2026, 20260715);
    ASSERT_TRUE(signed_.status.ok()) << signed_.status.error_message();
    ASSERT_EQ(signed_.response.figures().years(0).dp().ps_cents(), Eur(10000));
  }

  uint64_t Head() { return server_->store().Head().position; }
};

TEST_F(EndToEnd, WorkedExampleThroughTheApi) {
  GrpcDesk desk(this, kCafA);
  Lifecycle(desk);
  ASSERT_TRUE(desk.Acompte("conv-1", "a1", 2026, Eur(2800), 20261015).status.ok());
  ASSERT_TRUE(desk.Close(2026, 20261231).status.ok());
  ASSERT_TRUE(desk.Acompte("conv-1", "a2", 2026, Eur(4200), 20270201).status.ok());
  ASSERT_TRUE(desk.Bilan("conv-1", 2026, 3, kChargesDr, 20270915).status.ok());
  Reply solde = desk.Solde("conv-1", "s1", 2026, 20271105);
  ASSERT_TRUE(solde.status.ok()) << solde.status.error_message();
  EXPECT_EQ(solde.response.figures().years(0).solde_cents(), Eur(2000));  // R-PAY-5

  v1::GetCivilYearRequest year;
  year.set_caf_id(kCafA);
  year.set_civil_year(2027);
  v1::GetCivilYearResponse accounts;
  ASSERT_TRUE(queries()->GetCivilYear(As(Agent(kCafA)).get(), year, &accounts).ok());
  EXPECT_TRUE(accounts.balanced());                                      // R-ACC-10
  EXPECT_EQ(accounts.payments_from_events_cents(), Eur(6200));
  EXPECT_EQ(accounts.payments_from_lines_cents(), Eur(6200));
  EXPECT_EQ(accounts.log_position(), Head());
}

TEST_F(EndToEnd, StatusCodesAndRuleDetails) {
  GrpcDesk desk(this, kCafA);
  Lifecycle(desk);
  const uint64_t head = Head();
  // R-PAY-2: one cent over the cap is a rule the state forbids.
  Reply over = desk.Acompte("conv-1", "a1", 2026, Cents(2800, 1), 20261015);
  EXPECT_EQ(over.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(RuleIds(over.status), Contains("R-PAY-2"));
  // A negative amount is a malformed figure.
  Reply negative = desk.Acompte("conv-1", "a1", 2026, -5, 20261015);
  EXPECT_EQ(negative.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Head(), head);

  v1::GetConventionRequest get;
  get.set_caf_id(kCafA);
  get.set_convention_id("nope");
  v1::GetConventionResponse got;
  EXPECT_EQ(queries()->GetConvention(As(Agent(kCafA)).get(), get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  get.set_convention_id("conv-1");
  EXPECT_EQ(queries()->GetConvention(As("").get(), get, &got).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  auto forged = std::make_unique<grpc::ClientContext>();
  forged->AddMetadata("authorization", "Bearer clas_forgedforgedforgedforgedforgedforged");
  EXPECT_EQ(queries()->GetConvention(forged.get(), get, &got).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // Another Caf's agent neither reads nor writes caf-75's convention.
  EXPECT_EQ(queries()->GetConvention(As(Agent(kCafB)).get(), get, &got).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  Reply foreign = desk.Send(Agent(kCafB), desk.AcompteRequest("conv-1", "x", 2026, 100, 20261015),
                            &v1::Conventions::Stub::PayAcompte);
  EXPECT_EQ(foreign.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // A query that names no Caf would span every Caf: refused, never computed.
  v1::GetCivilYearRequest national;
  national.set_civil_year(2026);
  v1::GetCivilYearResponse books;
  EXPECT_EQ(queries()->GetCivilYear(As(Agent(kCafB)).get(), national, &books).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // An auditor runs no command.
  Reply auditor = desk.Send("auditeur", desk.AcompteRequest("conv-1", "x", 2026, 100, 20261015),
                            &v1::Conventions::Stub::PayAcompte);
  EXPECT_EQ(auditor.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Head(), head);
}

TEST_F(EndToEnd, RetriesAreIdempotentAndReusedIdsRefused) {
  GrpcDesk desk(this, kCafA);
  Lifecycle(desk);
  v1::PayAcompteRequest request = desk.AcompteRequest("conv-1", "a1", 2026, Eur(1000), 20261015);
  Reply first = desk.Send(Agent(kCafA), request, &v1::Conventions::Stub::PayAcompte);
  ASSERT_TRUE(first.status.ok());
  const uint64_t head = Head();
  Reply retry = desk.Send(Agent(kCafA), request, &v1::Conventions::Stub::PayAcompte);
  ASSERT_TRUE(retry.status.ok());
  EXPECT_TRUE(retry.response.replayed());
  EXPECT_EQ(retry.response.events(0).position(), first.response.events(0).position());
  EXPECT_EQ(Head(), head);
  request.mutable_command()->set_amount_cents(Eur(1001));
  Reply reused = desk.Send(Agent(kCafA), request, &v1::Conventions::Stub::PayAcompte);
  EXPECT_EQ(reused.status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Head(), head);
}

TEST_F(EndToEnd, LedgerAppendIsConfinedToTheServiceNamespace) {
  auto stub = ledger();
  v1::AppendRequest append;
  append.set_stream_id("ext/service-demo/orders");
  append.set_expected_kind(v1::EXPECTED_NO_STREAM);
  auto* e = append.add_events();
  e->set_event_id("svc-1");
  e->set_event_type("order_placed");
  e->set_payload("hello");
  v1::AppendResponse appended;
  ASSERT_TRUE(stub->Append(As("service-demo").get(), append, &appended).ok());
  EXPECT_EQ(appended.first_version(), 1u);
  // Wrong expected version: ABORTED.
  append.mutable_events(0)->set_event_id("svc-2");
  EXPECT_EQ(stub->Append(As("service-demo").get(), append, &appended).error_code(),
            grpc::StatusCode::ABORTED);
  // A Clas stream is never written through Ledger.Append.
  append.set_stream_id("clas/caf-75/convention/conv-1");
  append.set_expected_kind(v1::EXPECTED_ANY);
  EXPECT_EQ(stub->Append(As("service-demo").get(), append, &appended).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // An oversized message is refused by the transport.
  append.set_stream_id("ext/service-demo/orders");
  append.mutable_events(0)->set_payload(std::string(config_.max_message_bytes + 1, 'x'));
  EXPECT_EQ(stub->Append(As("service-demo").get(), append, &appended).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(EndToEnd, HealthIsServedWithoutAToken) {
  std::string bytes;
  const grpc::Status status = RawUnaryCall(channel_, "/grpc.health.v1.Health/Check", "", &bytes);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));  // status: SERVING
}

}  // namespace
}  // namespace clas::testing
