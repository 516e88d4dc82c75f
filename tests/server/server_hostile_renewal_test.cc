// Conventions.RenewCentreSocialAgrement (R-CONV-2) against hostile clients, over the world of
// hostile_fixture.h with, besides, a centre social in each Caf, both registered on 01/01/2020
// with an agrément délivré par la Caf until 31/12/2035: cs-5 of caf-75 and cs-9 of caf-13.
// Every refusal writes nothing (RunRows); every bound is refused one past it and accepted at it.
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "tests/server/hostile_fixture.h"

namespace clas::testing {
namespace {

constexpr int32_t kAgrementEnd = 20351231;  // of cs-5 and cs-9, as GrpcDesk registers them
constexpr int32_t kRegistered = 20200101;   // the day GrpcDesk registers a gestionnaire
constexpr auto kTaken = grpc::StatusCode::ALREADY_EXISTS;

class HostileRenewal : public Hostile {
 protected:
  void SetUp() override {
    Hostile::SetUp();
    ASSERT_TRUE(a_.Register("cs-5", v1::CENTRE_SOCIAL).status.ok());
    ASSERT_TRUE(b_.Register("cs-9", v1::CENTRE_SOCIAL).status.ok());
  }

  // A valid renewal of `gestionnaire` of caf-75 until `end`, delivered on `date`.
  v1::RenewCentreSocialAgrementRequest Renewal(const std::string& gestionnaire, int32_t end,
                                               int32_t date = 20260502) {
    v1::RenewCentreSocialAgrementRequest r;
    r.set_request_id(a_.NextRequest());
    r.mutable_command()->set_caf_id(kCafA);
    r.mutable_command()->set_gestionnaire_id(gestionnaire);
    r.mutable_command()->set_centre_social_agrement_end(end);
    r.mutable_command()->set_date(date);
    return r;
  }

  Reply Renew(const v1::RenewCentreSocialAgrementRequest& r,
              const std::string& user = Agent(kCafA)) {
    return a_.Send(user, r, &v1::Conventions::Stub::RenewCentreSocialAgrement);
  }

  v1::RegisterGestionnaireRequest Registration(const std::string& caf, const std::string& id,
                                               int32_t date = kRegistered) {
    v1::RegisterGestionnaireRequest r;
    r.set_request_id(a_.NextRequest());
    auto* c = r.mutable_command();
    c->set_caf_id(caf);
    c->set_gestionnaire_id(id);
    c->set_name("Centre social " + id.substr(0, 16));
    c->set_kind(v1::CENTRE_SOCIAL);
    c->set_centre_social_agrement_end(kAgrementEnd);
    c->set_date(date);
    return r;
  }

  // The agrément's last day of `gestionnaire` as the Caf's agent reads it now (0: unreadable).
  int32_t AgrementEnd(const std::string& caf, const std::string& gestionnaire) {
    v1::GetGestionnaireRequest get;
    get.set_caf_id(caf);
    get.set_gestionnaire_id(gestionnaire);
    v1::GetGestionnaireResponse got;
    const grpc::Status status = queries()->GetGestionnaire(As(Agent(caf)).get(), get, &got);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return got.gestionnaire().centre_social_agrement_end();
  }

  // A command's answer as bytes, but for `replayed` (which a retry sets).
  static std::string Bytes(v1::CommandResponse response) {
    response.set_replayed(false);
    return response.SerializeAsString();
  }
};

// ---------------------------------------------------------------------------------------------
// Request ids: exactly once, whatever the method.

TEST_F(HostileRenewal, ARequestIdOfAnotherMethodIsRefusedEitherWay) {
  // Taken by RegisterGestionnaire and by FileFundingRequest, then sent to the renewal.
  v1::RegisterGestionnaireRequest registered = Registration(kCafA, "cs-6");
  registered.set_request_id("shared-1");
  const Reply first_registration =
      a_.Send(Agent(kCafA), registered, &v1::Conventions::Stub::RegisterGestionnaire);
  ASSERT_TRUE(first_registration.status.ok()) << first_registration.status.error_message();
  v1::FileFundingRequestRequest filed = a_.FileRequest("conv-x", "asso-5", 2026, 1, 1, Eur(7000));
  filed.set_request_id("shared-2");
  ASSERT_TRUE(Call(Agent(kCafA), filed, &v1::Conventions::Stub::FileFundingRequest).ok());
  // Taken by the renewal, then sent to the other methods.
  v1::RenewCentreSocialAgrementRequest renewed = Renewal("cs-5", 20371231);
  renewed.set_request_id("shared-3");
  const Reply first_renewal = Renew(renewed);
  ASSERT_TRUE(first_renewal.status.ok()) << first_renewal.status.error_message();

  auto renewal_as = [&](const std::string& id, const std::string& gestionnaire) {
    return [&, id, gestionnaire] {
      v1::RenewCentreSocialAgrementRequest r = Renewal(gestionnaire, 20391231);
      r.set_request_id(id);
      return Renew(r).status;
    };
  };
  std::vector<Row> rows = {
      {"a RegisterGestionnaire's request id sent to the renewal of the centre it registered",
       renewal_as("shared-1", "cs-6"), kTaken, "R-HIST-1", "shared-1"},
      {"a RegisterGestionnaire's request id sent to another renewal",
       renewal_as("shared-1", "cs-5"), kTaken, "R-HIST-1", "shared-1"},
      {"a FileFundingRequest's request id sent to a renewal", renewal_as("shared-2", "cs-5"),
       kTaken, "R-HIST-1", "shared-2"},
      {"a renewal's request id sent to RegisterGestionnaire",
       [&] {
         v1::RegisterGestionnaireRequest r = Registration(kCafA, "cs-7");
         r.set_request_id("shared-3");
         return Call(Agent(kCafA), r, &v1::Conventions::Stub::RegisterGestionnaire);
       },
       kTaken, "R-HIST-1", "shared-3"},
      {"a renewal's request id sent to FileFundingRequest",
       [&] {
         v1::FileFundingRequestRequest r =
             a_.FileRequest("conv-y", "asso-5", 2026, 1, 1, Eur(7000));
         r.set_request_id("shared-3");
         return Call(Agent(kCafA), r, &v1::Conventions::Stub::FileFundingRequest);
       },
       kTaken, "R-HIST-1", "shared-3"},
      {"a renewal's request id sent to PayAcompte",
       [&] {
         v1::PayAcompteRequest r = Acompte(Eur(10));
         r.set_request_id("shared-3");
         return PayAcompte(r);
       },
       kTaken, "R-HIST-1", "shared-3"},
      {"a renewal's request id sent to CloseCivilYear",
       [&] {
         v1::CloseCivilYearRequest r;
         r.set_request_id("shared-3");
         r.mutable_command()->set_caf_id(kCafA);
         r.mutable_command()->set_civil_year(2025);
         r.mutable_command()->set_date(20260115);
         return Call(Agent(kCafA), r, &v1::Conventions::Stub::CloseCivilYear);
       },
       kTaken, "R-HIST-1", "shared-3"},
      {"PayAcompte's request id of the fixture sent to a renewal", renewal_as("dup-1", "cs-5"),
       kTaken, "R-HIST-1", "dup-1"},
  };
  RunRows(rows);

  // Each first request still gets its own answer, and only it, writing nothing.
  const Head before = HeadNow();
  const Reply registration_again =
      a_.Send(Agent(kCafA), registered, &v1::Conventions::Stub::RegisterGestionnaire);
  ASSERT_TRUE(registration_again.status.ok()) << registration_again.status.error_message();
  EXPECT_TRUE(registration_again.response.replayed());
  EXPECT_EQ(Bytes(registration_again.response), Bytes(first_registration.response));
  ASSERT_EQ(registration_again.response.events_size(), 1);
  EXPECT_TRUE(registration_again.response.events(0).fact().has_gestionnaire_registered());
  const Reply renewal_again = Renew(renewed);
  ASSERT_TRUE(renewal_again.status.ok()) << renewal_again.status.error_message();
  EXPECT_EQ(Bytes(renewal_again.response), Bytes(first_renewal.response));
  EXPECT_EQ(HeadNow().position, before.position);
  EXPECT_EQ(AgrementEnd(kCafA, "cs-5"), 20371231);
  EXPECT_EQ(AgrementEnd(kCafA, "cs-6"), kAgrementEnd);
}

// A request id is the idempotency key of one Caf's requests: another Caf's agent sending the
// same id gets the answer of its own request, never the first Caf's.
TEST_F(HostileRenewal, AnotherCafsRequestIdIsItsOwnRequest) {
  v1::RenewCentreSocialAgrementRequest ours = Renewal("cs-5", 20371231);
  ours.set_request_id("same-id");
  const Reply first = Renew(ours);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  v1::RenewCentreSocialAgrementRequest theirs = ours;
  theirs.mutable_command()->set_caf_id(kCafB);
  theirs.mutable_command()->set_gestionnaire_id("cs-9");
  theirs.mutable_command()->set_centre_social_agrement_end(20381231);
  const uint64_t head = HeadNow().position;
  const Reply other = Renew(theirs, Agent(kCafB));
  ASSERT_TRUE(other.status.ok()) << other.status.error_message();
  EXPECT_FALSE(other.response.replayed());
  EXPECT_EQ(other.response.log_position(), head + 1);
  ASSERT_EQ(other.response.events_size(), 1);
  EXPECT_EQ(other.response.events(0).caf_id(), kCafB);
  EXPECT_NE(other.response.events(0).event_id(), first.response.events(0).event_id());
  EXPECT_EQ(AgrementEnd(kCafB, "cs-9"), 20381231);
  EXPECT_EQ(AgrementEnd(kCafA, "cs-5"), 20371231);
}

TEST_F(HostileRenewal, ARetryGetsTheOriginalAnswerAndAnotherBodyIsRefused) {
  const v1::RenewCentreSocialAgrementRequest renewal = Renewal("cs-5", 20371231);
  const uint64_t head = HeadNow().position;
  const Reply first = Renew(renewal);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  EXPECT_FALSE(first.response.replayed());
  EXPECT_EQ(first.response.log_position(), head + 1);
  ASSERT_EQ(first.response.events_size(), 1);
  const auto& fact = first.response.events(0).fact().centre_social_agrement_renewed();
  EXPECT_EQ(fact.centre_social_agrement_end(), 20371231);
  EXPECT_EQ(fact.previous_agrement_end(), kAgrementEnd);
  EXPECT_FALSE(first.response.has_figures()) << "no convention: no figures";

  // The same request again: the same answer, byte for byte, at the same position; no write.
  const Reply retry = Renew(renewal);
  ASSERT_TRUE(retry.status.ok()) << retry.status.error_message();
  EXPECT_TRUE(retry.response.replayed());
  EXPECT_EQ(Bytes(retry.response), Bytes(first.response));
  EXPECT_EQ(HeadNow().position, head + 1);

  // Another renewal since: the retry still answers the first one, which the rules would now
  // take as a new renewal (20371231 is no longer the day recorded).
  ASSERT_TRUE(Renew(Renewal("cs-5", 20391231, 20260601)).status.ok());
  const uint64_t moved = HeadNow().position;
  const Reply late_retry = Renew(renewal);
  ASSERT_TRUE(late_retry.status.ok()) << late_retry.status.error_message();
  EXPECT_EQ(Bytes(late_retry.response), Bytes(first.response));
  EXPECT_EQ(HeadNow().position, moved);
  EXPECT_EQ(AgrementEnd(kCafA, "cs-5"), 20391231);

  auto changed = [&](std::function<void(v1::RenewCentreSocialAgrement*)> change) {
    return [&, change] {
      v1::RenewCentreSocialAgrementRequest r = renewal;
      change(r.mutable_command());
      return Renew(r).status;
    };
  };
  std::vector<Row> rows = {
      {"the same request id with another last day",
       changed([](auto* c) { c->set_centre_social_agrement_end(20401231); }), kTaken, "R-HIST-1",
       renewal.request_id()},
      {"the same request id with another date", changed([](auto* c) { c->set_date(20260503); }),
       kTaken, "R-HIST-1", renewal.request_id()},
      {"the same request id for another centre social",
       changed([](auto* c) { c->set_gestionnaire_id("asso-5"); }), kTaken, "R-HIST-1",
       renewal.request_id()},
      {"the same request id with a last day the rules refuse",
       changed([](auto* c) { c->set_centre_social_agrement_end(20391231); }), kTaken, "R-HIST-1",
       renewal.request_id()},
  };
  RunRows(rows);
  EXPECT_EQ(AgrementEnd(kCafA, "cs-5"), 20391231);
}

// ---------------------------------------------------------------------------------------------
// Bounds: one past each refused, naming its field; each at its limit accepted.

TEST_F(HostileRenewal, EveryBoundPlusOneIsRefusedNamingItsField) {
  const std::string id_max(128, 'g'), id_over(129, 'g');
  const std::string caf_over(65, 'c');
  auto with = [&](std::function<void(v1::RenewCentreSocialAgrementRequest*)> change) {
    return [&, change] {
      v1::RenewCentreSocialAgrementRequest r = Renewal("cs-5", 20371231);
      change(&r);
      return Renew(r).status;
    };
  };
  auto dated = [&](int32_t date) {
    return with([date](auto* r) { r->mutable_command()->set_date(date); });
  };
  auto ending = [&](int32_t end) {
    return with([end](auto* r) { r->mutable_command()->set_centre_social_agrement_end(end); });
  };
  constexpr char kDate[] = "date", kEnd[] = "centre_social_agrement_end";
  std::vector<Row> rows = {
      {"request id of 129 characters", with([&](auto* r) { r->set_request_id(id_over); }), kInvalid,
       "R-HIST-1", "request_id"},
      {"no request id", with([](auto* r) { r->set_request_id(""); }), kInvalid, "R-HIST-1",
       "request_id"},
      {"gestionnaire id of 129 characters",
       with([&](auto* r) { r->mutable_command()->set_gestionnaire_id(id_over); }), kInvalid,
       "R-CONV-2", "gestionnaire_id"},
      {"gestionnaire id of 10 000 characters",
       with([&](auto* r) { r->mutable_command()->set_gestionnaire_id(std::string(10'000, 'g')); }),
       kInvalid, "R-CONV-2", "gestionnaire_id"},
      {"no gestionnaire id", with([](auto* r) { r->mutable_command()->set_gestionnaire_id(""); }),
       kInvalid, "R-CONV-2", "gestionnaire_id"},
      // No token acts for a Caf id past the bound (the token file refuses one): the caller is
      // refused for it before the input is looked at, as for every command.
      {"Caf id of 65 characters",
       with([&](auto* r) { r->mutable_command()->set_caf_id(caf_over); }), kDenied, "",
       "ne peut pas"},
      {"no Caf id", with([](auto* r) { r->mutable_command()->set_caf_id(""); }), kInvalid,
       "R-HIST-4", "caf_id"},
      {"no date", dated(0), kInvalid, "R-HIST-2", kDate},
      {"date on 31/12/1999, the day before the first", dated(19991231), kInvalid, "R-HIST-2",
       kDate},
      {"date on 01/01/2100, the day after the last", dated(21000101), kInvalid, "R-HIST-2", kDate},
      {"date on 30/02/2027", dated(20270230), kInvalid, "R-HIST-2", kDate},
      {"date on 31/04/2026", dated(20260431), kInvalid, "R-HIST-2", kDate},
      {"date on 29/02/2027 (not a leap year)", dated(20270229), kInvalid, "R-HIST-2", kDate},
      {"date in month 13", dated(20261301), kInvalid, "R-HIST-2", kDate},
      {"negative date", dated(-20260502), kInvalid, "R-HIST-2", kDate},
      {"date at INT32_MAX", dated(kInt32Max), kInvalid, "R-HIST-2", kDate},
      {"no last day", ending(0), kInvalid, "R-CONV-2", kEnd},
      {"last day on 01/01/2100, the day after the last", ending(21000101), kInvalid, "R-CONV-2",
       kEnd},
      {"last day on 30/02/2027", ending(20270230), kInvalid, "R-CONV-2", kEnd},
      {"last day on 00/01/2030", ending(20300100), kInvalid, "R-CONV-2", kEnd},
      {"negative last day", ending(-20371231), kInvalid, "R-CONV-2", kEnd},
      {"last day at INT32_MIN", ending(std::numeric_limits<int32_t>::min()), kInvalid, "R-CONV-2",
       kEnd},
      {"last day at INT32_MAX", ending(kInt32Max), kInvalid, "R-CONV-2", kEnd},
      {"last day the day of the act", ending(20260502), kInvalid, "R-CONV-2", kEnd},
      {"last day the day before the act", ending(20260501), kInvalid, "R-CONV-2", kEnd},
      {"last day already recorded", ending(kAgrementEnd), kPrecondition, "R-CONV-2", kEnd},
      {"renewed before the centre social was registered", dated(20191231), kPrecondition,
       "R-CONV-2", kDate},
      {"renewed on the first day the ledger knows, before the registration", dated(20000101),
       kPrecondition, "R-CONV-2", kDate},
  };
  RunRows(rows);
  EXPECT_EQ(AgrementEnd(kCafA, "cs-5"), kAgrementEnd);
}

TEST_F(HostileRenewal, EveryBoundIsAcceptedAtItsLimit) {
  // Ids at their limits: a Caf of 64 characters, a centre social of 128, a request id of 128.
  const std::string caf_max(64, 'c'), id_max(128, 'g');
  AddToken(*this, "agent-long", "agent", caf_max);
  ASSERT_TRUE(server_->ReloadTokens().ok());
  ASSERT_TRUE(a_.Send("agent-long", Registration(caf_max, id_max),
                      &v1::Conventions::Stub::RegisterGestionnaire)
                  .status.ok());
  // A centre social registered on the first day the ledger knows, and one renewed the day it
  // was registered (a renewal takes effect on its date: one dated before cs-5's later ones
  // would not be what cs-5 holds now).
  ASSERT_TRUE(a_.Send(Agent(kCafA), Registration(kCafA, "cs-2000", 20000101),
                      &v1::Conventions::Stub::RegisterGestionnaire)
                  .status.ok());
  ASSERT_TRUE(a_.Send(Agent(kCafA), Registration(kCafA, "cs-same-day"),
                      &v1::Conventions::Stub::RegisterGestionnaire)
                  .status.ok());

  struct Accepted {
    std::string name;
    std::string user;
    v1::RenewCentreSocialAgrementRequest request;
  };
  auto renewal = [&](const std::string& caf, const std::string& id, int32_t end, int32_t date) {
    v1::RenewCentreSocialAgrementRequest r = Renewal(id, end, date);
    r.mutable_command()->set_caf_id(caf);
    return r;
  };
  v1::RenewCentreSocialAgrementRequest long_request_id = renewal(kCafA, "cs-5", 20361231, 20260502);
  long_request_id.set_request_id(std::string(64, '~') + std::string(64, ' '));
  // cs-5's renewals in the order of their dates.
  const std::vector<Accepted> accepted = {
      {"Caf id of 64 and gestionnaire id of 128 characters", "agent-long",
       renewal(caf_max, id_max, 20371231, 20260502)},
      {"request id of 128 printable characters", Agent(kCafA), long_request_id},
      {"last day on 29/02/2028", Agent(kCafA), renewal(kCafA, "cs-5", 20280229, 20260701)},
      {"last day on 31/12/2099, the last the ledger knows", Agent(kCafA),
       renewal(kCafA, "cs-5", 20991231, 20260801)},
      {"delivered on 29/12/2099 until the next day", Agent(kCafA),
       renewal(kCafA, "cs-5", 20991230, 20991229)},
      {"delivered the day of the registration", Agent(kCafA),
       renewal(kCafA, "cs-same-day", 20301231, kRegistered)},
      {"delivered on 01/01/2000, the first day the ledger knows", Agent(kCafA),
       renewal(kCafA, "cs-2000", 20000102, 20000101)},
  };
  for (const Accepted& a : accepted) {
    SCOPED_TRACE(a.name);
    const uint64_t head = HeadNow().position;
    const Reply reply = Renew(a.request, a.user);
    ASSERT_TRUE(reply.status.ok()) << reply.status.error_message();
    EXPECT_EQ(reply.response.log_position(), head + 1);
    EXPECT_EQ(HeadNow().position, head + 1);
    const int32_t end = a.request.command().centre_social_agrement_end();
    ASSERT_EQ(reply.response.events_size(), 1);
    EXPECT_EQ(reply.response.events(0)
                  .fact()
                  .centre_social_agrement_renewed()
                  .centre_social_agrement_end(),
              end);
    // The renewal is what the gestionnaire now holds: it was not recorded for nothing.
    if (a.user == Agent(kCafA)) {
      EXPECT_EQ(AgrementEnd(kCafA, a.request.command().gestionnaire_id()), end);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Characters.

TEST_F(HostileRenewal, ControlCharactersAndInvalidUtf8AreRefused) {
  auto gestionnaire = [&](const std::string& id) {
    return [&, id] { return Renew(Renewal(id, 20371231)).status; };
  };
  auto request_id = [&](const std::string& id) {
    return [&, id] {
      v1::RenewCentreSocialAgrementRequest r = Renewal("cs-5", 20371231);
      r.set_request_id(id);
      return Renew(r).status;
    };
  };
  // Serialised by hand: the client library would not send invalid UTF-8 in a string field.
  auto raw = [&](std::function<void(v1::RenewCentreSocialAgrementRequest*)> change) {
    return [&, change] {
      v1::RenewCentreSocialAgrementRequest r = Renewal("cs-5", 20371231);
      change(&r);
      return RawCall("/clas.v1.Conventions/RenewCentreSocialAgrement", r.SerializeAsString(),
                     Agent(kCafA));
    };
  };
  constexpr char kId[] = "gestionnaire_id";
  std::vector<Row> rows = {
      {"gestionnaire id with a NUL byte", gestionnaire(std::string("cs-5\0x", 6)), kInvalid,
       "R-CONV-2", kId},
      {"gestionnaire id with a start-of-heading", gestionnaire("cs-5\x01"), kInvalid, "R-CONV-2",
       kId},
      {"gestionnaire id with a tab", gestionnaire("cs\t5"), kInvalid, "R-CONV-2", kId},
      {"gestionnaire id with a line break and a header", gestionnaire("cs-5\r\nx-injected: 1"),
       kInvalid, "R-CONV-2", kId},
      {"gestionnaire id with DEL", gestionnaire("cs-5\x7f"), kInvalid, "R-CONV-2", kId},
      {"gestionnaire id with a C1 control (U+0085)", gestionnaire("cs-5\xc2\x85"), kInvalid,
       "R-CONV-2", kId},
      {"gestionnaire id with a right-to-left override",
       gestionnaire("cs-\xe2\x80\xae"
                    "5"),
       kInvalid, "R-CONV-2", kId},
      {"gestionnaire id with a space", gestionnaire("cs 5"), kInvalid, "R-CONV-2", kId},
      {"gestionnaire id with a slash", gestionnaire("cs-5/x"), kInvalid, "R-CONV-2", kId},
      {"gestionnaire id climbing a path", gestionnaire("../cs-5"), kInvalid, "R-CONV-2", kId},
      {"gestionnaire id '..'", gestionnaire(".."), kInvalid, "R-CONV-2", kId},
      {"gestionnaire id in accented letters", gestionnaire("cs-\xc3\xa9"), kInvalid, "R-CONV-2",
       kId},
      {"request id with a line break", request_id("r\r\nauthorization: Bearer x"), kInvalid,
       "R-HIST-1", "request_id"},
      {"request id with a NUL byte", request_id(std::string("r\0x", 3)), kInvalid, "R-HIST-1",
       "request_id"},
      {"request id with DEL", request_id("r\x7f"), kInvalid, "R-HIST-1", "request_id"},
      {"request id in Cyrillic letters",
       request_id("\xd1\x80"
                  "eq-1"),
       kInvalid, "R-HIST-1", "request_id"},
      // The Caf is the caller's first: an agent acts for no Caf spelled so.
      {"Caf id with a line break",
       [&] {
         v1::RenewCentreSocialAgrementRequest r = Renewal("cs-5", 20371231);
         r.mutable_command()->set_caf_id("caf-75\n");
         return Renew(r).status;
       },
       kDenied, "", "caf-75\\n"},
      // Invalid UTF-8 in a string field does not parse as the message: gRPC refuses it, INTERNAL
      // with no message, before any handler runs (as for every method).
      {"invalid UTF-8 in the gestionnaire id",
       raw([](auto* r) { r->mutable_command()->set_gestionnaire_id("cs-\xc3\x28"); }),
       grpc::StatusCode::INTERNAL, "", ""},
      {"invalid UTF-8 in the request id", raw([](auto* r) { r->set_request_id("r-\xff"); }),
       grpc::StatusCode::INTERNAL, "", ""},
      {"invalid UTF-8 in the Caf id",
       raw([](auto* r) { r->mutable_command()->set_caf_id("caf-\xe2\x82"); }),
       grpc::StatusCode::INTERNAL, "", ""},
      {"the same request, valid, through the same raw path", raw([](auto*) {}),
       grpc::StatusCode::OK, "", ""},
  };
  // The last row writes: RunRows checks the others wrote nothing, and it is checked apart.
  const Row valid = rows.back();
  rows.pop_back();
  RunRows(rows);
  const uint64_t head = HeadNow().position;
  EXPECT_TRUE(valid.call().ok()) << "the raw path itself works";
  EXPECT_EQ(HeadNow().position, head + 1);
}

// ---------------------------------------------------------------------------------------------
// Another Caf's gestionnaire, and roles.

// A Caf's agent learns nothing of another Caf's gestionnaires: named under its own Caf, one
// reads as unknown, with the very answer an id no Caf holds gets; named under the other Caf,
// the caller is refused for that Caf before anything is looked up.
TEST_F(HostileRenewal, AnotherCafsGestionnaireReadsAsAnUnknownOne) {
  auto own_caf = [&](const std::string& id, int32_t date = 20260502) {
    return Renew(Renewal(id, 20371231, date)).status;
  };
  auto other_caf = [&](const std::string& id) {
    v1::RenewCentreSocialAgrementRequest r = Renewal(id, 20371231);
    r.mutable_command()->set_caf_id(kCafB);
    return Renew(r).status;
  };
  std::vector<Row> rows = {
      {"caf-13's centre social under caf-75", [&] { return own_caf("cs-9"); },
       grpc::StatusCode::NOT_FOUND, "R-CONV-2", "gestionnaire_id"},
      {"an id no Caf holds under caf-75", [&] { return own_caf("cs-none"); },
       grpc::StatusCode::NOT_FOUND, "R-CONV-2", "gestionnaire_id"},
      {"caf-13's centre social under caf-13", [&] { return other_caf("cs-9"); }, kDenied, "",
       kCafB},
      {"an id no Caf holds under caf-13", [&] { return other_caf("cs-none"); }, kDenied, "", kCafB},
  };
  RunRows(rows);
  auto same_answer = [](const grpc::Status& a, const grpc::Status& b, const std::string& id_a,
                        const std::string& id_b) {
    EXPECT_EQ(a.error_code(), b.error_code());
    EXPECT_EQ(absl::StrReplaceAll(a.error_message(), {{id_a, id_b}}), b.error_message());
    const auto va = Violations(a), vb = Violations(b);
    ASSERT_EQ(va.size(), vb.size());
    for (size_t i = 0; i < va.size(); ++i) {
      EXPECT_EQ(va[i].rule_id(), vb[i].rule_id());
      EXPECT_EQ(va[i].field(), vb[i].field());
      EXPECT_EQ(absl::StrReplaceAll(va[i].message(), {{id_a, id_b}}), vb[i].message());
    }
  };
  same_answer(own_caf("cs-9"), own_caf("cs-none"), "cs-9", "cs-none");
  same_answer(other_caf("cs-9"), other_caf("cs-none"), "cs-9", "cs-none");
  // Dated before caf-13 registered it: the same answer still (no date of another Caf's
  // gestionnaire shows through).
  same_answer(own_caf("cs-9", 20000101), own_caf("cs-none", 20000101), "cs-9", "cs-none");
  EXPECT_EQ(AgrementEnd(kCafB, "cs-9"), kAgrementEnd);
}

// service.proto: an agent of the command's Caf, and no one else, runs it.
TEST_F(HostileRenewal, EveryRoleButTheCafsAgentIsRefused) {
  AddToken(*this, "controleur-all", "controleur", absl::StrCat(kCafA, ",", kCafB));
  ASSERT_TRUE(server_->ReloadTokens().ok());
  auto as = [&](const std::string& user) {
    return [&, user] { return Renew(Renewal("cs-5", 20371231), user).status; };
  };
  std::vector<Row> rows;
  const std::vector<std::string> others = {Controleur(kCafA), "controleur-all", "auditeur",
                                           "auditeur-75",     "service-demo",   "svc-75",
                                           "cnaf-bareme",     "replica-demo"};
  for (const std::string& user : others) {
    rows.push_back({user + " renews", as(user), kDenied, "", "ne peut pas"});
  }
  rows.push_back({"caf-13's agent renews for caf-75", as(Agent(kCafB)), kDenied, "", kCafA});
  rows.push_back(
      {"an expired agent of caf-75 renews", as("agent-expired"), kUnauthenticated, "", "expir"});
  rows.push_back({"no token", as(""), kUnauthenticated, "", ""});
  RunRows(rows);
  EXPECT_EQ(rows_run_, 11);
  // The very request, by the Caf's agent: the rows above were refused for the caller alone.
  const uint64_t head = HeadNow().position;
  EXPECT_TRUE(Renew(Renewal("cs-5", 20371231)).status.ok());
  EXPECT_EQ(HeadNow().position, head + 1);
}

}  // namespace
}  // namespace clas::testing
