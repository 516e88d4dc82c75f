// The fixture of the hostile-client tests (server_hostile_*_test.cc): bad and hostile input over
// gRPC, through a real server and a real channel, one row per bad request, each with the gRPC
// code it must get and the rule id or field its refusal must name; after every row the log is
// exactly as before (same head position, same head hash, read both from Audit.VerifyChain and
// from the store) and the server still answers.
//
// The world every row runs against (barème 2026, illustrative: plafond 7 000,00 €, bonus
// 1 000,00 € / 1 500,00 €), in caf-75:
//   conv-a  asso-5, 2026-2027, C = 2, forecast charges 14 000,00 €, signed; one acompte of
//           100,00 € (request id "dup-1").
//           R-DROIT-2: base = min(14 000,00, 7 000,00 × 2) = 14 000,00 €;
//           R-DROIT-3: PS = (1 400 000 × 13 + 20) div 40 = 455 000 cents;
//           R-PAY-2: acomptes of civil year 2026 at most 455 000 × 28 div 100 = 127 400 cents,
//           so, 100,00 € paid, one more acompte of 1 174,00 € is the cap and 1 174,01 € is over.
//   conv-f  filed, no agrément yet;  conv-g  filed and agreed, no convention signed.
//   conv-i  paid in full (acomptes at their caps, bilan, solde on 14 000,00 €), then controlled
//           at 10 000,00 €: DC PS = (1 000 000 × 13 + 20) div 40 = 325 000 cents against
//           455 000 paid, an indu of 130 000 cents (R-CTL-3), nothing recovered yet.
// and in caf-13: asso-9 and its signed conv-b. A stream ext/service-demo/notes holds one event.
#ifndef CLAS_TESTS_SERVER_HOSTILE_FIXTURE_H_
#define CLAS_TESTS_SERVER_HOSTILE_FIXTURE_H_

#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"
#include "tests/server/e2e_support.h"
#include "tests/server/grpc_desk.h"

namespace clas::testing {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int32_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr uint64_t kUint64Max = std::numeric_limits<uint64_t>::max();
// RULES.md: amounts are at most 1 billion euros.
constexpr int64_t kBillionEuros = Eur(1'000'000'000);

// PS of conv-a and its R-PAY-2 cap, from the rules (see the head of the file).
constexpr int64_t kPsA = (Eur(14000) * 13 + 20) / 40;
constexpr int64_t kCapA2026 = kPsA * 28 / 100;
static_assert(kPsA == 455'000 && kCapA2026 == 127'400);
constexpr int64_t kPaidA = Eur(100);
constexpr int64_t kInduI = kPsA - (Eur(10000) * 13 + 20) / 40;
static_assert(kInduI == 130'000);

struct Head {
  uint64_t position = 0;
  std::string hash;
};

// One bad request: what it sends, and what it must get.
struct Row {
  std::string name;
  std::function<grpc::Status()> call;
  grpc::StatusCode code;
  std::string rule;   // a rule id the refusal's RuleViolations must hold ("" = none asked)
  std::string field;  // a field one violation must name, or a text the message must hold
};

class Hostile : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    // Tokens beyond the demo's: readers and a service limited to caf-75, an agent whose token
    // expired, one that expires far ahead.
    AddToken(*this, "auditeur-75", "auditeur", kCafA);
    AddToken(*this, "svc-75", "service", kCafA);
    AddExpiringToken("agent-expired", "agent", kCafA, "2020-01-01T00:00:00Z");
    AddExpiringToken("agent-later", "agent", kCafA, "2099-01-01T00:00:00Z");
    Restart();
    ASSERT_TRUE(a_.Bareme(2026, Eur(7000), Eur(1000), Eur(1500)).status.ok());
    ASSERT_TRUE(a_.Register("asso-5", v1::ASSOCIATION).status.ok());
    ASSERT_TRUE(b_.Register("asso-9", v1::ASSOCIATION).status.ok());
    Reply a = a_.Convention("conv-a", "asso-5", 2026, 2, Eur(14000));
    ASSERT_TRUE(a.status.ok()) << a.status.error_message();
    ASSERT_EQ(a.response.figures().years(0).dp().ps_cents(), kPsA);
    v1::PayAcompteRequest first = a_.AcompteRequest("conv-a", "a0", 2026, kPaidA, 20261002);
    first.set_request_id("dup-1");
    dup_ = first;
    ASSERT_TRUE(Call(Agent(kCafA), first, &v1::Conventions::Stub::PayAcompte).ok());
    ASSERT_TRUE(a_.File("conv-f", "asso-5", 2026, 1, 1, Eur(7000)).status.ok());
    ASSERT_TRUE(a_.File("conv-g", "asso-5", 2026, 1, 1, Eur(7000)).status.ok());
    ASSERT_TRUE(a_.Agree("conv-g", 2026, 2026, 1, 20260620).status.ok());
    ASSERT_TRUE(a_.Convention("conv-i", "asso-5", 2026, 2, Eur(14000)).status.ok());
    ASSERT_TRUE(a_.Acompte("conv-i", "a1", 2026, kCapA2026, 20261102).status.ok());
    ASSERT_TRUE(a_.Acompte("conv-i", "a2", 2026, kPsA * 42 / 100, 20270201).status.ok());
    ASSERT_TRUE(a_.Bilan("conv-i", 2026, 2, Eur(14000), 20270920).status.ok());
    ASSERT_TRUE(a_.Solde("conv-i", "s1", 2026, 20271015).status.ok());
    ASSERT_TRUE(a_.OpenControle("conv-i", "ctl-1", 2026, 20280301).status.ok());
    ASSERT_TRUE(a_.Findings("conv-i", "ctl-1", GrpcDesk::Controlled(2026, 2, Eur(10000)), 20280401)
                    .status.ok());
    Reply decided = a_.Decide("conv-i", "ctl-1", 20280601);
    ASSERT_TRUE(decided.status.ok()) << decided.status.error_message();
    ASSERT_EQ(decided.response.events_size(), 2);
    indu_ = decided.response.events(1).fact().indu_notified().indu_id();
    ASSERT_EQ(decided.response.events(1).fact().indu_notified().amount_cents(), kInduI);
    ASSERT_TRUE(b_.Convention("conv-b", "asso-9", 2026, 1, Eur(7000)).status.ok());
    ASSERT_TRUE(AppendExt(*this, "service-demo", "ext/service-demo/notes", {"n1"}).status.ok());
  }

  void AddExpiringToken(const std::string& user, const std::string& role, const std::string& caf,
                        const std::string& expires) {
    auto token = server::GenerateToken();
    ASSERT_TRUE(token.ok());
    std::ofstream hashed(config_.tokens_file, std::ios::app);
    hashed << server::HashToken(*token) << " " << user << " " << role << " " << caf
           << " expires=" << expires << "\n";
    std::ofstream clear(config_.tokens_file + ".clear", std::ios::app);
    clear << user << " " << *token << "\n";
  }

  template <typename Request, typename Method>
  grpc::Status Call(const std::string& user, const Request& request, Method method) {
    return a_.Send(user, request, method).status;
  }

  // A call with a raw authorization header ("" = none).
  template <typename Request, typename Method>
  grpc::Status WithHeader(const std::string& header, const Request& request, Method method) {
    grpc::ClientContext context;
    if (!header.empty()) context.AddMetadata("authorization", header);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    v1::CommandResponse response;
    return ((*conventions()).*method)(&context, request, &response);
  }

  v1::PayAcompteRequest Acompte(int64_t amount, int32_t date = 20261102, int32_t year = 2026,
                                const std::string& convention = "conv-a") {
    return a_.AcompteRequest(convention, "a-bad", year, amount, date);
  }

  grpc::Status PayAcompte(const v1::PayAcompteRequest& request,
                          const std::string& user = Agent(kCafA)) {
    return Call(user, request, &v1::Conventions::Stub::PayAcompte);
  }

  // The raw bytes `body` sent as the request of `method`, through the generic stub, as `user`
  // ("" for no token).
  grpc::Status RawCall(const std::string& method, const std::string& body,
                       const std::string& user) {
    return RawCallIn(*As(user), method, body);
  }

  // The same with `bearer` as the token presented, whatever the token file holds.
  grpc::Status RawCallWithToken(const std::string& method, const std::string& body,
                                const std::string& bearer) {
    auto context = As("");
    context->AddMetadata("authorization", absl::StrCat("Bearer ", bearer));
    return RawCallIn(*context, method, body);
  }

  grpc::Status RawCallIn(grpc::ClientContext& context, const std::string& method,
                         const std::string& body) {
    grpc::GenericStub stub(channel_);
    grpc::CompletionQueue cq;
    grpc::Slice slice(body);
    grpc::ByteBuffer request(&slice, 1);
    auto call = stub.PrepareUnaryCall(&context, method, request, &cq);
    call->StartCall();
    grpc::ByteBuffer response;
    grpc::Status status;
    call->Finish(&response, &status, reinterpret_cast<void*>(1));
    void* tag = nullptr;
    bool ok = false;
    EXPECT_TRUE(cq.Next(&tag, &ok));
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) {
    }
    return status;
  }

  // The final status of a subscription, read until it ends (or 3 s pass).
  grpc::Status SubscribeStatus(const std::string& user, const v1::SubscribeRequest& request) {
    Subscription s(*this, user, request, std::chrono::seconds(3));
    return s.Finish();
  }

  // The final status of a replication stream, read until it ends (or 3 s pass).
  grpc::Status ReplicateStatus(const std::string& user, uint64_t from_position) {
    ReplicationStream s(*this, user, from_position, std::chrono::seconds(3));
    return s.Finish();
  }

  Head HeadNow() {
    v1::VerifyChainRequest request;
    v1::VerifyChainResponse response;
    // A row may have made the server close the connection (a header past its limit): a call
    // already on its way over it ends with the transport's error (UNAVAILABLE, or "Broken pipe"
    // under load, seen in the sanitizer build), and the channel reconnects for the next one.
    // VerifyChain only reads: asked again, up to five times.
    grpc::Status status;
    for (int attempt = 0; attempt < 5; ++attempt) {
      auto context = As("auditeur");
      context->set_wait_for_ready(true);
      status = audit()->VerifyChain(context.get(), request, &response);
      if (status.ok()) break;
    }
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_TRUE(response.ok()) << response.problem();
    EXPECT_EQ(response.head_position(), server_->store().Head().position);
    EXPECT_EQ(response.head_hash(), server_->store().Head().hash);
    return Head{response.head_position(), response.head_hash()};
  }

  // Runs every row: its code, its rule or field, an unchanged log, a server still serving.
  void RunRows(const std::vector<Row>& rows) {
    for (const Row& row : rows) {
      SCOPED_TRACE(row.name);
      const Head before = HeadNow();
      const grpc::Status status = row.call();
      EXPECT_EQ(status.error_code(), row.code) << status.error_message();
      // INTERNAL is gRPC's own answer to bytes that do not parse, UNIMPLEMENTED to an unknown
      // method, both sent before any handler runs, with no message.
      if (status.error_code() != grpc::StatusCode::OK && row.code != grpc::StatusCode::INTERNAL &&
          row.code != grpc::StatusCode::UNIMPLEMENTED) {
        EXPECT_FALSE(status.error_message().empty()) << "a refusal says why";
        EXPECT_LT(status.error_message().size(), 4096u) << "a refusal stays short";
      }
      if (!row.rule.empty()) EXPECT_THAT(RuleIds(status), ::testing::Contains(row.rule));
      if (!row.field.empty()) {
        bool named = absl::StrContains(status.error_message(), row.field);
        for (const auto& v : Violations(status)) named = named || v.field() == row.field;
        EXPECT_TRUE(named) << "expected " << row.field << " in: " << status.error_message();
      }
      const Head after = HeadNow();
      EXPECT_EQ(after.position, before.position);
      EXPECT_EQ(after.hash, before.hash);
      ++rows_run_;
    }
  }

  GrpcDesk a_{this, kCafA};
  GrpcDesk b_{this, kCafB};
  v1::PayAcompteRequest dup_;
  std::string indu_;
  int rows_run_ = 0;
};

constexpr auto kInvalid = grpc::StatusCode::INVALID_ARGUMENT;
constexpr auto kPrecondition = grpc::StatusCode::FAILED_PRECONDITION;
constexpr auto kDenied = grpc::StatusCode::PERMISSION_DENIED;
constexpr auto kUnauthenticated = grpc::StatusCode::UNAUTHENTICATED;

}  // namespace clas::testing

#endif  // CLAS_TESTS_SERVER_HOSTILE_FIXTURE_H_
