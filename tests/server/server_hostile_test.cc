// Hostile and bad input over gRPC, through a real server and a real channel: one row per bad
// request, each with the gRPC code it must get and the rule id or field its refusal must name;
// after every row the log is exactly as before (hostile_fixture.h describes the world).
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/hostile_fixture.h"

namespace clas::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

// Every method of the API, called without a token or with an unknown one (an empty request
// sent through the generic stub), is refused as unauthenticated before anything is read or
// written: a method added to service.proto without a guard fails here. The log is unchanged.
TEST_F(Hostile, EveryMethodOfTheApiRefusesACallWithoutAValidToken) {
  const Head before = HeadNow();
  const google::protobuf::FileDescriptor* file = v1::ReplicateRequest::descriptor()->file();
  ASSERT_GE(file->service_count(), 4);
  int methods = 0;
  for (int s = 0; s < file->service_count(); ++s) {
    const google::protobuf::ServiceDescriptor* service = file->service(s);
    for (int m = 0; m < service->method_count(); ++m) {
      const std::string method =
          absl::StrCat("/", service->full_name(), "/", service->method(m)->name());
      EXPECT_EQ(RawCall(method, "", "").error_code(), grpc::StatusCode::UNAUTHENTICATED)
          << method << " without a token";
      ++methods;
    }
  }
  EXPECT_GE(methods, 30);
  const grpc::Status status =
      RawCallWithToken("/clas.v1.Queries/GetConvention", "", "not-a-token-of-the-file");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << "an unknown token";
  const Head after = HeadNow();
  EXPECT_EQ(after.position, before.position);
  EXPECT_EQ(after.hash, before.hash);
}

TEST_F(Hostile, AmountsOutOfRange) {
  std::vector<Row> rows = {
      {"negative acompte", [&] { return PayAcompte(Acompte(-1)); }, kInvalid, "R-PAY-2",
       "amount_cents"},
      {"zero acompte", [&] { return PayAcompte(Acompte(0)); }, kInvalid, "R-PAY-2", "amount_cents"},
      {"acompte one cent above 1 billion euros",
       [&] { return PayAcompte(Acompte(kBillionEuros + 1)); }, kInvalid, "R-PAY-2", "amount_cents"},
      {"acompte at INT64_MAX", [&] { return PayAcompte(Acompte(kInt64Max)); }, kInvalid, "R-PAY-2",
       "amount_cents"},
      {"acompte at INT64_MIN", [&] { return PayAcompte(Acompte(kInt64Min)); }, kInvalid, "R-PAY-2",
       "amount_cents"},
      {"acompte one cent over its R-PAY-2 cap",
       [&] { return PayAcompte(Acompte(kCapA2026 - kPaidA + 1)); }, kPrecondition, "R-PAY-2",
       "amount_cents"},
      {"bilan charges at INT64_MAX",
       [&] { return a_.Bilan("conv-a", 2026, 2, kInt64Max, 20270920).status; }, kInvalid, "",
       "figures.charges_cents"},
      {"bilan charges negative",
       [&] { return a_.Bilan("conv-a", 2026, 2, -Eur(1), 20270920).status; }, kInvalid, "",
       "figures.charges_cents"},
      {"funding request charges above 1 billion euros",
       [&] { return a_.File("conv-x", "asso-5", 2026, 1, 1, kBillionEuros + 1).status; }, kInvalid,
       "", "charges_cents"},
      {"convention signed with autres_bf at INT64_MAX",
       [&] {
         v1::SignConventionRequest r;
         r.set_request_id(a_.NextRequest());
         auto* c = r.mutable_command();
         c->set_caf_id(kCafA);
         c->set_convention_id("conv-g");
         c->set_first_school_year(2026);
         c->set_last_school_year(2026);
         c->set_charges_cents(kInt64Max);
         c->set_autres_bf_cents(kInt64Max);
         c->set_date(20260701);
         return Call(Agent(kCafA), r, &v1::Conventions::Stub::SignConvention);
       },
       kInvalid, "", "charges_cents"},
      {"barème plafond at INT64_MAX",
       [&] { return a_.Bareme(2027, kInt64Max, Eur(1000), Eur(1500)).status; }, kInvalid, "",
       "plafond_cents"},
      {"recovery above the indu",
       [&] { return a_.Recover("conv-i", "r-bad", indu_, kInduI + 1, 20280701).status; },
       kPrecondition, "R-CTL-5", "amount_cents"},
      {"recovery negative",
       [&] { return a_.Recover("conv-i", "r-bad", indu_, -1, 20280701).status; }, kInvalid,
       "R-CTL-5", "amount_cents"},
      {"recovery at INT64_MIN",
       [&] { return a_.Recover("conv-i", "r-bad", indu_, kInt64Min, 20280701).status; }, kInvalid,
       "R-CTL-5", "amount_cents"},
      {"rappel with an amount of INT64_MAX",
       [&] {
         v1::PayRappelRequest r;
         r.set_request_id(a_.NextRequest());
         auto* c = r.mutable_command();
         c->set_caf_id(kCafA);
         c->set_convention_id("conv-i");
         c->set_payment_id("rp-bad");
         c->set_school_year(2026);
         c->set_controle_id("ctl-1");
         c->set_amount_cents(kInt64Max);
         c->set_date(20280701);
         return Call(Controleur(kCafA), r, &v1::Conventions::Stub::PayRappel);
       },
       kInvalid, "R-CTL-3", "amount_cents"},
  };
  RunRows(rows);
  // The cap itself is accepted: the row above was refused for its one cent only.
  ASSERT_TRUE(PayAcompte(Acompte(kCapA2026 - kPaidA)).ok());
}

// Sums that would overflow int64 if added naively: every figure at its largest allowed value.
TEST_F(Hostile, LargestFiguresDoNotOverflow) {
  v1::ComputeDroitRequest r;
  auto* in = r.mutable_inputs();
  in->set_school_year(2026);
  in->set_kind(v1::DROIT_PREVISIONNEL);
  in->set_collectifs(1000);
  in->set_charges_cents(kBillionEuros);
  in->set_bonus_enfants_collectifs(1000);
  in->set_bonus_parents_collectifs(1000);
  in->set_autres_bf_cents(0);
  in->mutable_bareme()->set_school_year(2026);
  in->mutable_bareme()->set_plafond_cents(kBillionEuros);
  in->mutable_bareme()->set_bonus_enfants_cents(kBillionEuros);
  in->mutable_bareme()->set_bonus_parents_cents(kBillionEuros);
  v1::ComputeDroitResponse response;
  grpc::Status status = queries()->ComputeDroit(As(Agent(kCafA)).get(), r, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  // R-DROIT-2/3: base = min(1e11, 1e11 × 1000) = 1e11; PS = (1e11 × 13 + 20) div 40.
  EXPECT_EQ(response.breakdown().base_cents(), kBillionEuros);
  EXPECT_EQ(response.breakdown().ps_cents(), (kBillionEuros * 13 + 20) / 40);
  // R-DROIT-5: PS + bonus ≤ 80 % of charges.
  EXPECT_LE(response.breakdown().ps_cents() + response.breakdown().bonus_enfants_cents() +
                response.breakdown().bonus_parents_cents(),
            kBillionEuros * 8 / 10);

  std::vector<Row> rows = {
      {"droit with charges at INT64_MAX",
       [&] {
         v1::ComputeDroitRequest bad = r;
         bad.mutable_inputs()->set_charges_cents(kInt64Max);
         v1::ComputeDroitResponse ignored;
         return queries()->ComputeDroit(As(Agent(kCafA)).get(), bad, &ignored);
       },
       kInvalid, "", "charges_cents"},
      {"droit with a plafond at INT64_MAX and INT32_MAX collectifs",
       [&] {
         v1::ComputeDroitRequest bad = r;
         bad.mutable_inputs()->set_collectifs(kInt32Max);
         bad.mutable_inputs()->mutable_bareme()->set_plafond_cents(kInt64Max);
         v1::ComputeDroitResponse ignored;
         return queries()->ComputeDroit(As(Agent(kCafA)).get(), bad, &ignored);
       },
       kInvalid, "", "collectifs"},
      {"contrôle simulated with charges at INT64_MAX",
       [&] {
         v1::SimulateControleRequest s;
         s.set_caf_id(kCafA);
         s.set_convention_id("conv-i");
         *s.add_years() = GrpcDesk::Controlled(2026, 2, kInt64Max);
         v1::SimulateControleResponse ignored;
         return queries()->SimulateControle(As(Controleur(kCafA)).get(), s, &ignored);
       },
       kInvalid, "", "charges_cents"},
  };
  RunRows(rows);
}

TEST_F(Hostile, DatesOutOfRangeOrInverted) {
  std::vector<Row> rows = {
      {"acompte without a date", [&] { return PayAcompte(Acompte(Eur(10), 0)); }, kInvalid, "",
       "date"},
      {"acompte in year 0", [&] { return PayAcompte(Acompte(Eur(10), 101)); }, kInvalid, "",
       "date"},
      {"acompte on 31/12/9999", [&] { return PayAcompte(Acompte(Eur(10), 99991231)); }, kInvalid,
       "", "date"},
      {"acompte on 30/02/2026", [&] { return PayAcompte(Acompte(Eur(10), 20260230)); }, kInvalid,
       "", "date"},
      {"acompte on a negative date", [&] { return PayAcompte(Acompte(Eur(10), -20261102)); },
       kInvalid, "", "date"},
      {"acompte on INT32_MAX", [&] { return PayAcompte(Acompte(Eur(10), kInt32Max)); }, kInvalid,
       "", "date"},
      {"acompte dated after 31 August N+1 (R-PAY-4)",
       [&] { return PayAcompte(Acompte(Eur(10), 20270901)); }, kInvalid, "R-PAY-4", "date"},
      {"action ending before it starts",
       [&] {
         auto r = a_.FileRequest("conv-x", "asso-5", 2026, 1, 1, Eur(7000));
         r.mutable_command()->mutable_request()->set_action_start_date(20270630);
         r.mutable_command()->mutable_request()->set_action_end_date(20261105);
         return Call(Agent(kCafA), r, &v1::Conventions::Stub::FileFundingRequest);
       },
       kInvalid, "", "action_end_date"},
      {"action dated 31/02",
       [&] {
         auto r = a_.FileRequest("conv-x", "asso-5", 2026, 1, 1, Eur(7000));
         r.mutable_command()->mutable_request()->set_action_end_date(20270231);
         return Call(Agent(kCafA), r, &v1::Conventions::Stub::FileFundingRequest);
       },
       kInvalid, "", "action_end_date"},
      {"agrément whose last year precedes its first",
       [&] { return a_.Agree("conv-f", 2026, 2025, 1, 20260620).status; }, kInvalid, "", ""},
      {"convention whose last year precedes its first",
       [&] { return a_.Sign("conv-g", 2026, 2025, 20260701).status; }, kInvalid, "", ""},
      {"diff of states from a date after its end",
       [&] {
         v1::DiffStatesRequest r;
         r.set_caf_id(kCafA);
         r.set_convention_id("conv-a");
         r.set_from_date(20270101);
         r.set_to_date(20260101);
         v1::DiffStatesResponse ignored;
         return audit()->DiffStates(As("auditeur").get(), r, &ignored);
       },
       kInvalid, "R-HIST-2", "from_date"},
      {"state as of 30/02/2026",
       [&] {
         v1::AsOfSpec as_of;
         as_of.set_effective_date(20260230);
         return GetConvention(*this, Agent(kCafA), kCafA, "conv-a", as_of).status;
       },
       kInvalid, "R-HIST-2", "as_of.effective_date"},
      {"state known at a negative instant",
       [&] {
         v1::AsOfSpec as_of;
         as_of.set_known_at_us(-1);
         return GetConvention(*this, Agent(kCafA), kCafA, "conv-a", as_of).status;
       },
       kInvalid, "R-HIST-2", "as_of.known_at_us"},
      {"state at a position beyond the head",
       [&] {
         v1::AsOfSpec as_of;
         as_of.set_at_position(kUint64Max);
         return GetConvention(*this, Agent(kCafA), kCafA, "conv-a", as_of).status;
       },
       kInvalid, "", "at_position"},
  };
  RunRows(rows);
}

TEST_F(Hostile, UnknownEnumsAndWrongSchoolYears) {
  std::vector<Row> rows = {
      {"gestionnaire of kind 99",
       [&] { return a_.Register("asso-x", static_cast<v1::GestionnaireKind>(99)).status; },
       kInvalid, "", "kind"},
      {"gestionnaire of no kind",
       [&] { return a_.Register("asso-x", v1::GESTIONNAIRE_KIND_UNSPECIFIED).status; }, kInvalid,
       "", "kind"},
      {"avenant of kind 77",
       [&] {
         return a_
             .AvenantOf("conv-a", "av-x", static_cast<v1::AvenantKind>(77), 2027, 2, Eur(14000),
                        20270601)
             .status;
       },
       kInvalid, "", "kind"},
      {"recovery by method 42",
       [&] {
         v1::RecordRecoveryRequest r;
         r.set_request_id(a_.NextRequest());
         auto* c = r.mutable_command();
         c->set_caf_id(kCafA);
         c->set_convention_id("conv-i");
         c->set_recovery_id("r-x");
         c->set_indu_id(indu_);
         c->set_amount_cents(Eur(10));
         c->set_method(static_cast<v1::RecoveryMethod>(42));
         c->set_date(20280701);
         return Call(Controleur(kCafA), r, &v1::Conventions::Stub::RecordRecovery);
       },
       kInvalid, "", "method"},
      {"list filtered by status 999",
       [&] {
         v1::ListConventionsRequest r;
         r.set_caf_id(kCafA);
         r.set_status(static_cast<v1::ConventionStatus>(999));
         return List(*this, Agent(kCafA), r).status;
       },
       kInvalid, "", "status"},
      {"list filtered by a school year of INT32_MAX",
       [&] {
         v1::ListConventionsRequest r;
         r.set_caf_id(kCafA);
         r.set_school_year(kInt32Max);
         return List(*this, Agent(kCafA), r).status;
       },
       grpc::StatusCode::OK, "", ""},
      {"acompte for a school year the convention does not cover",
       [&] { return PayAcompte(Acompte(Eur(10), 20251102, 2025)); }, kPrecondition, "R-CONV-1", ""},
      {"acompte for school year 0", [&] { return PayAcompte(Acompte(Eur(10), 20261102, 0)); },
       kInvalid, "", "school_year"},
      {"acompte for school year -2026",
       [&] { return PayAcompte(Acompte(Eur(10), 20261102, -2026)); }, kInvalid, "", "school_year"},
      {"acompte for school year INT32_MAX",
       [&] { return PayAcompte(Acompte(Eur(10), 20261102, kInt32Max)); }, kInvalid, "",
       "school_year"},
      {"bilan for school year INT32_MAX",
       [&] { return a_.Bilan("conv-a", kInt32Max, 2, Eur(14000), 20270920).status; }, kInvalid,
       "R-CONV-2", "school_year"},
      {"contrôle opened on school year INT32_MAX",
       [&] { return a_.OpenControle("conv-a", "ctl-x", kInt32Max, 20270301).status; }, kInvalid,
       "R-CONV-2", "school_years[0]"},
      {"contrôle simulated on school year INT32_MAX",
       [&] {
         v1::SimulateControleRequest s;
         s.set_caf_id(kCafA);
         s.set_convention_id("conv-i");
         *s.add_years() = GrpcDesk::Controlled(kInt32Max, 2, Eur(10000));
         v1::SimulateControleResponse ignored;
         return queries()->SimulateControle(As(Controleur(kCafA)).get(), s, &ignored);
       },
       kInvalid, "R-CONV-2", "years[0].school_year"},
      {"civil year 0 closed", [&] { return a_.Close(0, 20270115).status; }, kInvalid, "",
       "civil_year"},
      {"civil year INT32_MAX read",
       [&] {
         v1::GetCivilYearRequest r;
         r.set_caf_id(kCafA);
         r.set_civil_year(kInt32Max);
         v1::GetCivilYearResponse ignored;
         return queries()->GetCivilYear(As(Agent(kCafA)).get(), r, &ignored);
       },
       kInvalid, "R-ACC-10", "civil_year"},
      {"civil year -1 read",
       [&] {
         v1::GetCivilYearRequest r;
         r.set_caf_id(kCafA);
         r.set_civil_year(-1);
         v1::GetCivilYearResponse ignored;
         return queries()->GetCivilYear(As(Agent(kCafA)).get(), r, &ignored);
       },
       kInvalid, "R-ACC-10", "civil_year"},
      {"civil year INT32_MAX closed", [&] { return a_.Close(kInt32Max, 20270115).status; },
       kInvalid, "R-ACC-8", "civil_year"},
  };
  RunRows(rows);
}

TEST_F(Hostile, PaymentsOutOfOrder) {
  std::vector<Row> rows = {
      {"acompte before the agrément",
       [&] { return PayAcompte(Acompte(Eur(10), 20261102, 2026, "conv-f")); }, kPrecondition,
       "R-CONV-1", ""},
      {"acompte before the convention",
       [&] { return PayAcompte(Acompte(Eur(10), 20261102, 2026, "conv-g")); }, kPrecondition,
       "R-CONV-1", ""},
      {"acompte on a convention that does not exist",
       [&] { return PayAcompte(Acompte(Eur(10), 20261102, 2026, "conv-none")); },
       grpc::StatusCode::NOT_FOUND, "", "conv-none"},
      {"solde before the bilan", [&] { return a_.Solde("conv-a", "s-x", 2026, 20270915).status; },
       kPrecondition, "R-CONV-6", ""},
      // conv-i's year was settled by its contrôle's decision: no solde follows (R-PAY-8).
      {"second solde", [&] { return a_.Solde("conv-i", "s-2", 2026, 20271115).status; },
       kPrecondition, "R-PAY-8", ""},
      {"recovery of an indu that does not exist",
       [&] { return a_.Recover("conv-i", "r-x", "no-such-indu", Eur(1), 20280701).status; },
       grpc::StatusCode::NOT_FOUND, "", "no-such-indu"},
  };
  RunRows(rows);
}

TEST_F(Hostile, RetriesAndVersions) {
  v1::PayAcompteRequest other = dup_;
  other.mutable_command()->set_amount_cents(kPaidA + 1);
  std::vector<Row> rows = {
      {"request id reused with other content", [&] { return PayAcompte(other); },
       grpc::StatusCode::ALREADY_EXISTS, "", "dup-1"},
      {"request id reused by another Caf's convention of this Caf",
       [&] {
         v1::PayAcompteRequest r = Acompte(Eur(1), 20261102, 2026, "conv-i");
         r.set_request_id("dup-1");
         return PayAcompte(r);
       },
       grpc::StatusCode::ALREADY_EXISTS, "", "dup-1"},
      {"the same request again (a retry)", [&] { return PayAcompte(dup_); }, grpc::StatusCode::OK,
       "", ""},
      {"ledger append at a wrong expected version",
       [&] {
         v1::AppendRequest r;
         r.set_stream_id("ext/service-demo/notes");
         r.set_expected_kind(v1::EXPECTED_EXACTLY);
         r.set_expected_version(5);
         auto* e = r.add_events();
         e->set_event_id("n2");
         e->set_event_type("ext_note");
         v1::AppendResponse ignored;
         return ledger()->Append(As("service-demo").get(), r, &ignored);
       },
       grpc::StatusCode::ABORTED, "", ""},
      {"ledger append expecting no stream to an existing one",
       [&] {
         v1::AppendRequest r;
         r.set_stream_id("ext/service-demo/notes");
         r.set_expected_kind(v1::EXPECTED_NO_STREAM);
         auto* e = r.add_events();
         e->set_event_id("n2");
         e->set_event_type("ext_note");
         v1::AppendResponse ignored;
         return ledger()->Append(As("service-demo").get(), r, &ignored);
       },
       grpc::StatusCode::ABORTED, "", ""},
      {"ledger append of an event id already used, other content",
       [&] {
         return AppendExt(*this, "service-demo", "ext/service-demo/notes", {"n1"}, "other").status;
       },
       grpc::StatusCode::ALREADY_EXISTS, "", ""},
      {"ledger append with expected kind 9",
       [&] {
         v1::AppendRequest r;
         r.set_stream_id("ext/service-demo/notes");
         r.set_expected_kind(static_cast<v1::ExpectedVersionKind>(9));
         auto* e = r.add_events();
         e->set_event_id("n3");
         e->set_event_type("ext_note");
         v1::AppendResponse ignored;
         return ledger()->Append(As("service-demo").get(), r, &ignored);
       },
       kInvalid, "", "expected_kind"},
  };
  RunRows(rows);
}

TEST_F(Hostile, OversizedAndGarbageMessages) {
  const std::string big(config_.max_message_bytes + 1024, 'x');
  std::vector<Row> rows = {
      {"request above the server's receive limit",
       [&] {
         v1::PayAcompteRequest r = Acompte(Eur(10));
         r.set_request_id(big);
         return PayAcompte(r);
       },
       grpc::StatusCode::RESOURCE_EXHAUSTED, "", ""},
      {"ledger append of a payload above the event limit",
       [&] {
         return AppendExt(*this, "service-demo", "ext/service-demo/notes", {"big"},
                          std::string((1 << 20) + 1, 'p'))
             .status;
       },
       kInvalid, "", "payload"},
      {"ledger append of 257 events",
       [&] {
         std::vector<std::string> ids;
         for (int i = 0; i < 257; ++i) ids.push_back(absl::StrCat("m", i));
         return AppendExt(*this, "service-demo", "ext/service-demo/notes", ids).status;
       },
       kInvalid, "", "events"},
      {"garbage bytes to PayAcompte",
       [&] {
         return RawCall("/clas.v1.Conventions/PayAcompte",
                        std::string("\xff\xff\xff\xff\x0f garbage", 14), Agent(kCafA));
       },
       grpc::StatusCode::INTERNAL, "", ""},
      {"a truncated request to PayAcompte",
       [&] {
         const std::string whole = Acompte(Eur(10)).SerializeAsString();
         return RawCall("/clas.v1.Conventions/PayAcompte", whole.substr(0, whole.size() - 3),
                        Agent(kCafA));
       },
       grpc::StatusCode::INTERNAL, "", ""},
      {"garbage bytes to Ledger.Append",
       [&] { return RawCall("/clas.v1.Ledger/Append", std::string(64, '\xfe'), "service-demo"); },
       grpc::StatusCode::INTERNAL, "", ""},
      {"an empty request to PayAcompte",
       [&] { return RawCall("/clas.v1.Conventions/PayAcompte", "", Agent(kCafA)); }, kInvalid, "",
       "caf_id"},
      {"an unknown method", [&] { return RawCall("/clas.v1.Conventions/Mint", "", Agent(kCafA)); },
       grpc::StatusCode::UNIMPLEMENTED, "", ""},
      {"invalid UTF-8 in a string field",
       [&] {
         v1::PayAcompteRequest r = Acompte(Eur(10));
         r.mutable_command()->set_payment_id("a\xc3\x28");
         // Serialised by hand: the client library would refuse to send it as a message.
         return RawCall("/clas.v1.Conventions/PayAcompte", r.SerializeAsString(), Agent(kCafA));
       },
       grpc::StatusCode::INTERNAL, "", ""},
  };
  RunRows(rows);
}

TEST_F(Hostile, AnotherCafsIdentifiers) {
  std::vector<Row> rows = {
      {"acompte on another Caf's convention, naming that Caf",
       [&] {
         v1::PayAcompteRequest r = Acompte(Eur(10), 20261102, 2026, "conv-b");
         r.mutable_command()->set_caf_id(kCafB);
         return PayAcompte(r);
       },
       kDenied, "", kCafB},
      {"acompte on another Caf's convention, naming one's own Caf",
       [&] { return PayAcompte(Acompte(Eur(10), 20261102, 2026, "conv-b")); },
       grpc::StatusCode::NOT_FOUND, "", "conv-b"},
      {"funding request naming another Caf's gestionnaire",
       [&] { return a_.File("conv-x", "asso-9", 2026, 1, 1, Eur(7000)).status; }, kPrecondition, "",
       "gestionnaire_id"},
      {"reading another Caf's convention",
       [&] { return GetConvention(*this, Agent(kCafA), kCafB, "conv-b").status; }, kDenied, "",
       kCafB},
      {"a Caf's auditor exporting another Caf's convention",
       [&] {
         v1::ExportConventionRequest r;
         r.set_caf_id(kCafB);
         r.set_convention_id("conv-b");
         v1::ConventionExport ignored;
         return audit()->ExportConvention(As("auditeur-75").get(), r, &ignored);
       },
       kDenied, "", kCafB},
      {"a Caf's service appending to another service's streams",
       [&] { return AppendExt(*this, "svc-75", "ext/service-demo/notes", {"x1"}).status; }, kDenied,
       "", "ext/svc-75/"},
      {"a service appending to a clas/ stream",
       [&] {
         return AppendExt(*this, "service-demo", ConventionStream(kCafA, "conv-a"), {"x2"}).status;
       },
       kDenied, "", "ext/service-demo/"},
      {"a service appending to ext/<its id>/ with no stream name",
       [&] { return AppendExt(*this, "service-demo", "ext/service-demo/", {"x3"}).status; },
       kDenied, "", ""},
      {"a service appending under a path that climbs out of its namespace",
       [&] {
         return AppendExt(*this, "service-demo", "ext/service-demo/../../clas/caf-75/conv/conv-a",
                          {"x4"})
             .status;
       },
       kInvalid, "", "stream_id"},
      {"a confusable Caf code (Cyrillic es)",
       [&] {
         v1::PayAcompteRequest r = Acompte(Eur(10));
         r.mutable_command()->set_caf_id(
             "\xd1\x81"
             "af-75");
         return PayAcompte(r);
       },
       kDenied, "", ""},
      {"a Caf code differing by a trailing space",
       [&] {
         v1::PayAcompteRequest r = Acompte(Eur(10));
         r.mutable_command()->set_caf_id("caf-75 ");
         return PayAcompte(r);
       },
       kDenied, "", ""},
      {"a Caf code in capitals",
       [&] {
         v1::PayAcompteRequest r = Acompte(Eur(10));
         r.mutable_command()->set_caf_id("CAF-75");
         return PayAcompte(r);
       },
       kDenied, "", ""},
  };
  RunRows(rows);
  // What a Caf's readers may not see reads as nothing, not as a refusal that tells it exists.
  auto other = ReadStream(*this, "svc-75", ConventionStream(kCafB, "conv-b"), 1, false, 100);
  ASSERT_TRUE(other.status.ok()) << other.status.error_message();
  EXPECT_EQ(other.response.events_size(), 0);
  for (const auto& e : ReadWholeLog(*this, "svc-75")) {
    EXPECT_NE(e.caf_id(), kCafB) << e.stream_id();
  }
}

TEST_F(Hostile, TokensMissingExpiredOrForged) {
  const v1::PayAcompteRequest r = Acompte(Eur(10));
  const auto pay = &v1::Conventions::Stub::PayAcompte;
  const std::string good = Token(Agent(kCafA));
  std::string forged = good;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  std::string hash_line;
  {
    std::ifstream in(config_.tokens_file);
    std::string line;
    while (std::getline(in, line)) {
      if (absl::StrContains(line, Agent(kCafA))) hash_line = line.substr(0, line.find(' '));
    }
  }
  ASSERT_FALSE(hash_line.empty());
  std::vector<Row> rows = {
      {"no token", [&] { return WithHeader("", r, pay); }, kUnauthenticated, "", "absent"},
      {"an empty bearer", [&] { return WithHeader("Bearer ", r, pay); }, kUnauthenticated, "", ""},
      {"another scheme", [&] { return WithHeader("Basic " + good, r, pay); }, kUnauthenticated, "",
       ""},
      {"a forged token (one character changed)",
       [&] { return WithHeader("Bearer " + forged, r, pay); }, kUnauthenticated, "", "inconnu"},
      {"the token file's hash sent as the token",
       [&] { return WithHeader("Bearer " + hash_line, r, pay); }, kUnauthenticated, "", ""},
      {"the hash's hex without its prefix",
       [&] { return WithHeader("Bearer " + hash_line.substr(7), r, pay); }, kUnauthenticated, "",
       "inconnu"},
      {"an expired token", [&] { return PayAcompte(r, "agent-expired"); }, kUnauthenticated, "",
       "expir"},
      {"a token of 4 000 characters",
       [&] { return WithHeader("Bearer " + std::string(4'000, 'a'), r, pay); }, kUnauthenticated,
       "", ""},
      {"a header of 100 000 characters, beyond gRPC's metadata limit",
       [&] { return WithHeader("Bearer " + std::string(100'000, 'a'), r, pay); },
       grpc::StatusCode::RESOURCE_EXHAUSTED, "", ""},
      {"a token followed by another",
       [&] { return WithHeader("Bearer " + good + " " + good, r, pay); }, kUnauthenticated, "", ""},
      {"two authorization headers",
       [&] {
         grpc::ClientContext context;
         context.AddMetadata("authorization", "Bearer " + good);
         context.AddMetadata("authorization", "Bearer " + good);
         v1::CommandResponse ignored;
         return conventions()->PayAcompte(&context, r, &ignored);
       },
       kUnauthenticated, "", ""},
  };
  RunRows(rows);
  // A token whose expiry is ahead works.
  EXPECT_TRUE(PayAcompte(Acompte(Eur(10)), "agent-later").ok());
}

// Every role against RPCs README's roles paragraph does not grant it.
TEST_F(Hostile, EveryRoleOutsideItsRights) {
  auto acompte = [&](const std::string& user) { return PayAcompte(Acompte(Eur(10)), user); };
  auto controle = [&](const std::string& user) {
    return Call(user, a_.OpenControleRequest("conv-a", "ctl-x", 2026, 20270301),
                &v1::Conventions::Stub::OpenControle);
  };
  auto bareme = [&](const std::string& user) {
    v1::PublishBaremeRequest b;
    b.set_request_id(a_.NextRequest());
    b.mutable_command()->mutable_bareme()->set_school_year(2027);
    b.mutable_command()->mutable_bareme()->set_plafond_cents(Eur(7000));
    b.mutable_command()->set_date(20270601);
    return Call(user, b, &v1::Conventions::Stub::PublishBareme);
  };
  auto verify = [&](const std::string& user) {
    v1::VerifyChainResponse ignored;
    return audit()->VerifyChain(As(user).get(), v1::VerifyChainRequest(), &ignored);
  };
  auto replay = [&](const std::string& user) {
    v1::ReplayHistoryRequest q;
    q.set_caf_id(kCafA);
    q.set_convention_id("conv-a");
    auto context = As(user);
    auto reader = audit()->ReplayHistory(context.get(), q);
    v1::ReplayHistoryItem item;
    while (reader->Read(&item)) {
    }
    return reader->Finish();
  };
  auto recompute = [&](const std::string& user) {
    v1::RecomputeHistoryRequest q;
    q.set_caf_id(kCafA);
    v1::RecomputeHistoryResponse ignored;
    return audit()->RecomputeHistory(As(user).get(), q, &ignored);
  };
  auto simulate = [&](const std::string& user) {
    v1::SimulateControleRequest s;
    s.set_caf_id(kCafA);
    s.set_convention_id("conv-i");
    *s.add_years() = GrpcDesk::Controlled(2026, 2, Eur(10000));
    v1::SimulateControleResponse ignored;
    return queries()->SimulateControle(As(user).get(), s, &ignored);
  };
  auto read_all = [&](const std::string& user) { return ReadAll(*this, user, 1, 10).status; };
  auto subscribe = [&](const std::string& user) {
    return SubscribeStatus(user, v1::SubscribeRequest());
  };
  auto append = [&](const std::string& user) {
    return AppendExt(*this, user, absl::StrCat("ext/", user, "/s"), {"r1"}).status;
  };
  auto replicate = [&](const std::string& user) { return ReplicateStatus(user, 1); };
  auto get = [&](const std::string& user) {
    return GetConvention(*this, user, kCafA, "conv-a").status;
  };
  auto list = [&](const std::string& user) {
    return List(*this, user, v1::ListConventionsRequest()).status;
  };
  auto gestionnaire = [&](const std::string& user) {
    v1::GetGestionnaireRequest q;
    q.set_caf_id(kCafA);
    q.set_gestionnaire_id("asso-5");
    v1::GetGestionnaireResponse ignored;
    return queries()->GetGestionnaire(As(user).get(), q, &ignored);
  };
  auto register_gestionnaire = [&](const std::string& user) {
    v1::RegisterGestionnaireRequest r;
    r.set_request_id(a_.NextRequest());
    r.mutable_command()->set_caf_id(kCafA);
    r.mutable_command()->set_gestionnaire_id("asso-r");
    r.mutable_command()->set_name("Association R");
    r.mutable_command()->set_kind(v1::ASSOCIATION);
    r.mutable_command()->set_date(20260101);
    return Call(user, r, &v1::Conventions::Stub::RegisterGestionnaire);
  };
  using Rpc = std::function<grpc::Status(const std::string&)>;
  const std::vector<std::pair<std::string, std::vector<std::pair<std::string, Rpc>>>> matrix = {
      {Agent(kCafA),
       {{"PublishBareme", bareme},
        {"VerifyChain", verify},
        {"ReplayHistory", replay},
        {"ReadAll", read_all},
        {"Subscribe", subscribe},
        {"Append", append},
        {"Replicate", replicate}}},
      {Controleur(kCafA),
       {{"PayAcompte", acompte},
        {"PublishBareme", bareme},
        {"VerifyChain", verify},
        {"ReplayHistory", replay},
        {"ReadAll", read_all},
        {"Subscribe", subscribe},
        {"Append", append},
        {"Replicate", replicate}}},
      {"auditeur",
       {{"PayAcompte", acompte},
        {"OpenControle", controle},
        {"PublishBareme", bareme},
        {"Append", append},
        {"Replicate", replicate}}},
      {"service-demo",
       {{"PayAcompte", acompte},
        {"OpenControle", controle},
        {"PublishBareme", bareme},
        {"SimulateControle", simulate},
        {"VerifyChain", verify},
        {"ReplayHistory", replay},
        {"RecomputeHistory", recompute},
        {"Replicate", replicate}}},
      {"cnaf-bareme",
       {{"PayAcompte", acompte},
        {"OpenControle", controle},
        {"SimulateControle", simulate},
        {"VerifyChain", verify},
        {"ReplayHistory", replay},
        {"RecomputeHistory", recompute},
        {"ReadAll", read_all},
        {"Subscribe", subscribe},
        {"Append", append},
        {"Replicate", replicate}}},
      // A follower node's token copies the whole log with Replicate, and does nothing else:
      // neither a write nor a read of one Caf, though it holds every Caf's records.
      {"replica-demo",
       {{"RegisterGestionnaire", register_gestionnaire},
        {"PayAcompte", acompte},
        {"OpenControle", controle},
        {"PublishBareme", bareme},
        {"GetConvention", get},
        {"ListConventions", list},
        {"GetGestionnaire", gestionnaire},
        {"SimulateControle", simulate},
        {"VerifyChain", verify},
        {"ReplayHistory", replay},
        {"RecomputeHistory", recompute},
        {"ReadAll", read_all},
        {"Subscribe", subscribe},
        {"Append", append}}},
  };
  std::vector<Row> rows;
  for (const auto& [user, rpcs] : matrix) {
    for (const auto& [name, rpc] : rpcs) {
      rows.push_back({absl::StrCat(user, " calls ", name),
                      [&, user = user, rpc = rpc] { return rpc(user); }, kDenied, "",
                      "ne peut pas"});
    }
  }
  RunRows(rows);
  EXPECT_EQ(rows_run_, 52);
}

TEST_F(Hostile, HostileStringsAndIds) {
  auto with_convention = [&](const std::string& id) {
    return [&, id] { return PayAcompte(Acompte(Eur(10), 20261102, 2026, id)); };
  };
  auto with_request_id = [&](const std::string& id) {
    return [&, id] {
      v1::PayAcompteRequest r = Acompte(Eur(10));
      r.set_request_id(id);
      return PayAcompte(r);
    };
  };
  auto filed_as = [&](const std::string& id) {
    return [&, id] { return a_.File(id, "asso-5", 2026, 1, 1, Eur(7000)).status; };
  };
  std::vector<Row> rows = {
      {"convention id with a NUL byte", with_convention(std::string("conv-a\0x", 8)), kInvalid,
       "R-CONV-4", "convention_id"},
      {"convention id of 10 000 characters", with_convention(std::string(10'000, 'c')), kInvalid,
       "R-CONV-4", "convention_id"},
      {"convention id climbing a path", with_convention("../conv-a"), kInvalid, "R-CONV-4",
       "convention_id"},
      {"convention id with a slash", with_convention("conv-a/x"), kInvalid, "R-CONV-4",
       "convention_id"},
      {"convention id with a line break and a header", with_convention("conv-a\r\nx-injected: 1"),
       kInvalid, "R-CONV-4", "convention_id"},
      {"convention id in non-ASCII letters", with_convention("conv-\xc3\xa0"), kInvalid, "R-CONV-4",
       "convention_id"},
      {"funding request for a convention named '..'", filed_as(".."), kInvalid, "R-CONV-4",
       "request.convention_id"},
      {"funding request for a convention named with a tab", filed_as("conv\tx"), kInvalid,
       "R-CONV-4", "request.convention_id"},
      {"funding request with a NUL in a collectif id",
       [&] {
         auto r = a_.FileRequest("conv-x", "asso-5", 2026, 1, 1, Eur(7000));
         r.mutable_command()->mutable_request()->mutable_collectifs(0)->set_collectif_id(
             std::string("C\0", 2));
         return Call(Agent(kCafA), r, &v1::Conventions::Stub::FileFundingRequest);
       },
       kInvalid, "R-ELIG-1", "request.collectifs[0].collectif_id"},
      {"funding request with a gestionnaire id climbing a path",
       [&] { return a_.File("conv-x", "../asso-5", 2026, 1, 1, Eur(7000)).status; }, kInvalid,
       "R-CONV-4", "gestionnaire_id"},
      {"request id with a NUL byte", with_request_id(std::string("r\0x", 3)), kInvalid, "R-HIST-1",
       "request_id"},
      {"request id of 10 000 characters", with_request_id(std::string(10'000, 'r')), kInvalid,
       "R-HIST-1", "request_id"},
      {"request id with a line break", with_request_id("r\r\nauthorization: Bearer x"), kInvalid,
       "R-HIST-1", "request_id"},
      {"request id '..'", with_request_id(".."), kInvalid, "R-HIST-1", "request_id"},
      {"request id in Cyrillic letters",
       with_request_id("\xd1\x80"
                       "eq-1"),
       kInvalid, "R-HIST-1", "request_id"},
      {"empty request id", with_request_id(""), kInvalid, "R-HIST-1", "request_id"},
      {"Caf id of 10 000 characters",
       [&] {
         v1::PayAcompteRequest r = Acompte(Eur(10));
         r.mutable_command()->set_caf_id(std::string(10'000, 'c'));
         return PayAcompte(r);
       },
       kDenied, "", ""},
      {"payment id with a NUL byte",
       [&] {
         v1::PayAcompteRequest r = Acompte(Eur(10));
         r.mutable_command()->set_payment_id(std::string("a\0b", 3));
         return PayAcompte(r);
       },
       kInvalid, "R-HIST-1", "payment_id"},
      {"payment id of 10 000 characters",
       [&] {
         v1::PayAcompteRequest r = Acompte(Eur(10));
         r.mutable_command()->set_payment_id(std::string(10'000, 'p'));
         return PayAcompte(r);
       },
       kInvalid, "R-HIST-1", "payment_id"},
      {"ledger stream id with a NUL byte",
       [&] {
         return AppendExt(*this, "service-demo", std::string("ext/service-demo/a\0b", 20), {"z1"})
             .status;
       },
       kInvalid, "", "stream_id"},
      {"ledger event id with a slash",
       [&] {
         return AppendExt(*this, "service-demo", "ext/service-demo/notes", {"caf-75/dup-1#0"})
             .status;
       },
       kInvalid, "", "event_id"},
      {"reading a stream id with a NUL byte",
       [&] {
         return ReadStream(*this, "service-demo", std::string("clas/caf-75\0x", 13), 1, false, 10)
             .status;
       },
       kInvalid, "", "stream_id"},
  };
  RunRows(rows);
}

TEST_F(Hostile, AbsurdReadsAndSubscriptions) {
  std::vector<Row> rows = {
      {"subscription from the last possible position",
       [&] {
         v1::SubscribeRequest r;
         r.set_from_position(kUint64Max);
         return SubscribeStatus("service-demo", r);
       },
       grpc::StatusCode::OUT_OF_RANGE, "", "from_position"},
      {"subscription filtered by 100 000 Cafs",
       [&] {
         v1::SubscribeRequest r;
         for (int i = 0; i < 100'000; ++i) r.add_caf_ids(absl::StrCat("caf-", i));
         return SubscribeStatus("service-demo", r);
       },
       kInvalid, "", "caf_ids"},
      {"subscription filtered by 100 000 event types",
       [&] {
         v1::SubscribeRequest r;
         for (int i = 0; i < 100'000; ++i) r.add_event_types(absl::StrCat("t", i));
         return SubscribeStatus("service-demo", r);
       },
       kInvalid, "", "event_types"},
      {"subscription filtered by a Caf id of a megabyte",
       [&] {
         v1::SubscribeRequest r;
         r.add_caf_ids(std::string(1 << 20, 'c'));
         return SubscribeStatus("service-demo", r);
       },
       kInvalid, "R-HIST-4", "caf_ids"},
      {"subscription filtered by an event type of 10 000 bytes",
       [&] {
         v1::SubscribeRequest r;
         r.add_event_types(std::string(10'000, 't'));
         return SubscribeStatus("service-demo", r);
       },
       kInvalid, "", "event_types"},
      {"list of INT32_MAX conventions a page",
       [&] {
         v1::ListConventionsRequest r;
         r.set_caf_id(kCafA);
         r.set_page_size(kInt32Max);
         return List(*this, Agent(kCafA), r).status;
       },
       kInvalid, "", "page_size"},
      {"replay from a position after its end",
       [&] {
         v1::ReplayHistoryRequest q;
         q.set_caf_id(kCafA);
         q.set_convention_id("conv-a");
         q.set_from_position(10);
         q.set_to_position(2);
         auto context = As("auditeur");
         auto reader = audit()->ReplayHistory(context.get(), q);
         v1::ReplayHistoryItem item;
         while (reader->Read(&item)) {
         }
         return reader->Finish();
       },
       kInvalid, "", "from_position"},
      {"chain verified from a position after its end",
       [&] {
         v1::VerifyChainRequest q;
         q.set_from_position(10);
         q.set_to_position(2);
         v1::VerifyChainResponse ignored;
         return audit()->VerifyChain(As("auditeur").get(), q, &ignored);
       },
       kInvalid, "", ""},
      {"chain verified up to the last possible position",
       [&] {
         v1::VerifyChainRequest q;
         q.set_to_position(kUint64Max);
         v1::VerifyChainResponse ignored;
         return audit()->VerifyChain(As("auditeur").get(), q, &ignored);
       },
       kInvalid, "", ""},
  };
  RunRows(rows);

  // Reads at their limits answer at most a page, never an error or a hang.
  auto all = ReadAll(*this, "service-demo", 1, kInt32Max);
  ASSERT_TRUE(all.status.ok()) << all.status.error_message();
  EXPECT_LE(all.response.events_size(), 1000);
  auto past = ReadAll(*this, "service-demo", kUint64Max, 10);
  ASSERT_TRUE(past.status.ok()) << past.status.error_message();
  EXPECT_EQ(past.response.events_size(), 0);
  auto back =
      ReadStream(*this, "service-demo", "ext/service-demo/notes", kUint64Max, true, kInt32Max);
  ASSERT_TRUE(back.status.ok()) << back.status.error_message();
  EXPECT_EQ(back.response.events_size(), 1);
}

// A request that fails 200 times over (200 collectifs of 4 children, R-ELIG-1) still
// gets a readable refusal: its trailers stay under the client's metadata limit.
TEST_F(Hostile, ManyViolationsStayReadable) {
  std::vector<Row> rows = {
      {"funding request with 200 collectifs of 4 children",
       [&] {
         auto r = a_.FileRequest("conv-x", "asso-5", 2026, 1, 200, Eur(7000));
         for (auto& k : *r.mutable_command()->mutable_request()->mutable_collectifs()) {
           k.set_children(4);
         }
         return Call(Agent(kCafA), r, &v1::Conventions::Stub::FileFundingRequest);
       },
       kInvalid, "R-ELIG-1", "violations non détaillées"},
      {"a 10 000-character id shown in a not-found message",
       [&] {
         v1::ExportConventionRequest r;
         r.set_caf_id(kCafA);
         r.set_convention_id(std::string(10'000, 'e'));
         v1::ConventionExport ignored;
         return audit()->ExportConvention(As("auditeur").get(), r, &ignored);
       },
       kInvalid, "R-CONV-4", "convention_id"},
  };
  RunRows(rows);
}

// Many subscriptions at once, each holding a server thread: past the limit a new one is refused
// at once, and a slot freed is usable again.
TEST_F(Hostile, ConcurrentSubscriptionsAreBounded) {
  config_.limits.subscriptions_max = 3;
  Restart();
  std::vector<std::unique_ptr<Subscription>> open;
  const uint64_t head = HeadOf(*this);
  for (int i = 0; i < 3; ++i) {
    open.push_back(std::make_unique<Subscription>(*this, "service-demo", v1::SubscribeRequest()));
    ASSERT_TRUE(open.back()->ReadUntilCaughtUp(head)) << i;
  }
  std::vector<Row> rows = {
      {"a fourth subscription",
       [&] { return SubscribeStatus("service-demo", v1::SubscribeRequest()); },
       grpc::StatusCode::RESOURCE_EXHAUSTED, "", "abonnements"},
      {"a fourth subscription from another user",
       [&] { return SubscribeStatus("auditeur", v1::SubscribeRequest()); },
       grpc::StatusCode::RESOURCE_EXHAUSTED, "", "abonnements"},
  };
  RunRows(rows);
  EXPECT_EQ(open.front()->Cancel().error_code(), grpc::StatusCode::CANCELLED);
  open.erase(open.begin());
  // The slot is released when the handler returns, just after the client saw the cancel.
  bool reopened = false;
  for (int attempt = 0; attempt < 50 && !reopened; ++attempt) {
    Subscription again(*this, "service-demo", v1::SubscribeRequest());
    reopened = again.ReadUntilCaughtUp(head);
    if (!reopened) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (reopened) again.Cancel();
  }
  EXPECT_TRUE(reopened);
  for (auto& s : open) s->Cancel();
}

// A list whose filter matches nothing folds at most list_scan_max conventions per call: the page
// ends short (here empty) with a token to go on from, and following the tokens still finds
// exactly what matches.
TEST_F(Hostile, ListsFoldABoundedNumberOfConventionsPerCall) {
  config_.limits.list_scan_max = 2;
  Restart();
  v1::ListConventionsRequest nothing;
  nothing.set_gestionnaire_id("nobody");
  auto first = List(*this, "auditeur", nothing);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  EXPECT_EQ(first.response.conventions_size(), 0);
  EXPECT_FALSE(first.response.next_page_token().empty());
  EXPECT_TRUE(ListAllPages(*this, "auditeur", nothing).empty());
  // Every convention of the world (4 in caf-75, 1 in caf-13), over pages of at most 2 folds.
  v1::ListConventionsRequest all;
  all.set_page_size(50);
  EXPECT_EQ(ListAllPages(*this, "auditeur", all).size(), 5u);
  v1::ListConventionsRequest of_asso5;
  of_asso5.set_gestionnaire_id("asso-5");
  EXPECT_EQ(ListAllPages(*this, "auditeur", of_asso5).size(), 4u);
}

}  // namespace
}  // namespace clas::testing
