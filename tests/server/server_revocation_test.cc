// End-to-end, revocation through a real server: a token removed from the token file and
// reloaded, whose role or Caf list changed, or whose expiry passes, ends each of its open
// subscriptions and replication streams with UNAUTHENTICATED within a second (asserted under
// kNoticeMax, for a loaded machine), and nothing written after the reload reaches it; the other
// users' streams go on and receive what follows. Every wait is for a stream to end or an event
// to arrive, under the stream's deadline; none sleeps.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/server/e2e_support.h"
#include "tests/server/grpc_desk.h"

namespace clas::testing {
namespace {

// How late a stream may end after the reload or the expiry, in this test: the server promises
// a second (kCredentialsRecheckInterval); the rest is for a loaded CI machine.
constexpr absl::Duration kNoticeMax = absl::Seconds(3);

constexpr char kRemoved[] =
    "jeton révoqué ou expiré : retiré du fichier des jetons (token revoked or expired: removed "
    "from the token file)";
constexpr char kChanged[] =
    "jeton révoqué ou expiré : il désigne désormais un autre utilisateur, rôle ou liste de Caf "
    "(token revoked or expired: it now stands for another user, role or Caf list)";
constexpr char kExpired[] =
    "jeton révoqué ou expiré : son expiration est passée (token revoked or expired: it has "
    "expired)";

class Revocation : public ServerTest {
 protected:
  uint64_t Note(const std::string& id) {
    auto appended = AppendExt(*this, "service-demo", "ext/service-demo/notes", {id});
    EXPECT_TRUE(appended.status.ok()) << appended.status.error_message();
    return appended.response.last_position();
  }

  // The final status of `stream` (a Subscription or a ReplicationStream), which the server
  // must end by itself.
  template <typename Stream>
  static grpc::Status Ended(Stream& stream) {
    grpc::Status status = stream.Finish();
    EXPECT_NE(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
        << "the server did not end the stream";
    return status;
  }

  // Whether `user`'s token opens a new call now.
  grpc::StatusCode NewCallAs(const std::string& user) {
    return ReadAll(*this, user, 1, 1).status.error_code();
  }

  v1::SubscribeRequest all_;
};

TEST_F(Revocation, ARemovedTokenLosesEachOfItsStreamsWhileOthersGoOn) {
  AddToken(*this, "svc-gone", "service", "*");
  ASSERT_TRUE(server_->ReloadTokens().ok());
  Note("n-1");
  v1::SubscribeRequest of75;
  of75.add_caf_ids(kCafA);
  Subscription gone(*this, "svc-gone", all_);
  Subscription gone_filtered(*this, "svc-gone", of75);
  Subscription kept(*this, "service-demo", all_);
  const uint64_t head = HeadOf(*this);
  for (Subscription* s : {&gone, &gone_filtered, &kept}) ASSERT_TRUE(s->ReadUntilCaughtUp(head));

  // Nothing is appended until the streams end: an idle stream notices by itself.
  RewriteToken(*this, "svc-gone", "");
  const absl::Time reloaded = absl::Now();
  ASSERT_TRUE(server_->ReloadTokens().ok());
  for (Subscription* s : {&gone, &gone_filtered}) {
    const grpc::Status ended = Ended(*s);
    EXPECT_LT(absl::Now() - reloaded, kNoticeMax);
    EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(ended.error_message(), kRemoved);
  }
  EXPECT_EQ(NewCallAs("svc-gone"), grpc::StatusCode::UNAUTHENTICATED);

  // The reload changed nothing for service-demo: its stream goes on.
  const uint64_t after = Note("n-2");
  ASSERT_TRUE(kept.ReadUntilEvent(after));
  EXPECT_EQ(PositionsOf(kept.events).back(), after);
  EXPECT_EQ(kept.Cancel().error_code(), grpc::StatusCode::CANCELLED);
}

// The actor recorded on events and the Cafs a stream filters on were decided for the principal
// admitted: a token that now stands for another one is revoked for the calls it opened, and
// opens new ones as what it now is.
TEST_F(Revocation, ATokenWhoseRoleOrCafsChangedLosesItsStreams) {
  AddToken(*this, "svc-role", "service", "*");
  AddToken(*this, "svc-cafs", "service", "*");
  ASSERT_TRUE(server_->ReloadTokens().ok());
  Subscription role(*this, "svc-role", all_);
  Subscription cafs(*this, "svc-cafs", all_);
  Subscription kept(*this, "service-demo", all_);
  const uint64_t head = HeadOf(*this);
  for (Subscription* s : {&role, &cafs, &kept}) ASSERT_TRUE(s->ReadUntilCaughtUp(head));

  RewriteToken(*this, "svc-role", "auditeur *");
  RewriteToken(*this, "svc-cafs", "service caf-75");
  ASSERT_TRUE(server_->ReloadTokens().ok());
  // Written after the reload, it wakes every stream; none of the revoked ones may send it.
  const uint64_t after = Note("n-1");
  for (Subscription* s : {&role, &cafs}) {
    const grpc::Status ended = Ended(*s);
    EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(ended.error_message(), kChanged);
    for (const auto& e : s->events) EXPECT_LT(e.position(), after);
  }
  ASSERT_TRUE(kept.ReadUntilEvent(after));
  EXPECT_EQ(PositionsOf(kept.events).back(), after);

  Subscription again(*this, "svc-cafs", all_);
  ASSERT_TRUE(again.ReadUntilCaughtUp(after));
  EXPECT_EQ(again.Cancel().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_EQ(kept.Cancel().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(Revocation, AnExpiringTokenLosesItsStreamAtItsExpiry) {
  // Two to three seconds ahead: expiries are whole seconds.
  const absl::Time expiry = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()) + 3);
  AddToken(*this, "svc-short", "service", "*", expiry);
  ASSERT_TRUE(server_->ReloadTokens().ok());
  Subscription expiring(*this, "svc-short", all_);
  Subscription kept(*this, "service-demo", all_);
  const uint64_t head = HeadOf(*this);
  for (Subscription* s : {&expiring, &kept}) ASSERT_TRUE(s->ReadUntilCaughtUp(head));

  const grpc::Status ended = Ended(expiring);
  const absl::Time seen = absl::Now();
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ended.error_message(), kExpired);
  EXPECT_GE(seen, expiry) << "ended " << absl::FormatDuration(expiry - seen) << " early";
  EXPECT_LT(seen - expiry, kNoticeMax);
  EXPECT_EQ(NewCallAs("svc-short"), grpc::StatusCode::UNAUTHENTICATED);

  const uint64_t after = Note("n-1");
  ASSERT_TRUE(kept.ReadUntilEvent(after));
  EXPECT_EQ(kept.Cancel().error_code(), grpc::StatusCode::CANCELLED);
}

// Ledger.Replicate as Subscribe: a replica token removed, or now of another role, ends its
// replication stream within the same second with the same UNAUTHENTICATED, and no record written
// after the reload reaches it; a new stream with it is refused; another replica's goes on.
TEST_F(Revocation, ARevokedReplicaTokenLosesItsReplicationStream) {
  AddToken(*this, "replica-gone", "replica", "*");
  AddToken(*this, "replica-role", "replica", "*");
  ASSERT_TRUE(server_->ReloadTokens().ok());
  Note("n-1");
  ReplicationStream gone(*this, "replica-gone", 1);
  ReplicationStream role(*this, "replica-role", 1);
  ReplicationStream kept(*this, "replica-demo", 1);
  for (ReplicationStream* s : {&gone, &role, &kept}) ASSERT_TRUE(s->ReadUntilIdle());

  // Nothing is appended until the streams end: an idle stream notices by itself.
  RewriteToken(*this, "replica-gone", "");
  RewriteToken(*this, "replica-role", "auditeur *");
  const absl::Time reloaded = absl::Now();
  ASSERT_TRUE(server_->ReloadTokens().ok());
  for (auto [stream, message] : {std::pair{&gone, kRemoved}, std::pair{&role, kChanged}}) {
    const grpc::Status ended = Ended(*stream);
    EXPECT_LT(absl::Now() - reloaded, kNoticeMax);
    EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(ended.error_message(), message);
  }
  const uint64_t after = Note("n-2");
  for (ReplicationStream* s : {&gone, &role}) {
    for (const uint64_t position : s->positions) EXPECT_LT(position, after);
  }
  auto replicate_as = [this](const std::string& user) {
    ReplicationStream again(*this, user, 1, std::chrono::seconds(3));
    return again.Finish().error_code();
  };
  EXPECT_EQ(replicate_as("replica-gone"), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(replicate_as("replica-role"), grpc::StatusCode::PERMISSION_DENIED);

  ASSERT_TRUE(kept.ReadUntilRecord(after));
  EXPECT_EQ(kept.positions.back(), after);
  EXPECT_EQ(kept.Cancel().error_code(), grpc::StatusCode::CANCELLED);
}

// A replication stream that a write wakes after the reload sends nothing of it: the token is
// checked again before every item.
TEST_F(Revocation, AReplicationWokenByAWriteAfterTheReloadSendsNothingOfIt) {
  AddToken(*this, "replica-gone", "replica", "*");
  ASSERT_TRUE(server_->ReloadTokens().ok());
  const uint64_t before = Note("n-1");
  ReplicationStream gone(*this, "replica-gone", 1);
  ASSERT_TRUE(gone.ReadUntilRecord(before));
  RewriteToken(*this, "replica-gone", "");
  ASSERT_TRUE(server_->ReloadTokens().ok());
  const uint64_t after = Note("n-2");
  const grpc::Status ended = Ended(gone);
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ended.error_message(), kRemoved);
  for (const uint64_t position : gone.positions) EXPECT_LT(position, after);
}

// A read-only server wraps the token guard (server_app.cc): its streams are revoked too.
TEST_F(Revocation, AReadOnlyServerEndsTheStreamsOfARemovedToken) {
  Note("n-1");
  config_.read_only = true;
  Restart();
  Subscription gone(*this, "service-demo", all_);
  ASSERT_TRUE(gone.ReadUntilCaughtUp(HeadOf(*this)));
  RewriteToken(*this, "service-demo", "");
  const absl::Time reloaded = absl::Now();
  ASSERT_TRUE(server_->ReloadTokens().ok());
  const grpc::Status ended = Ended(gone);
  EXPECT_LT(absl::Now() - reloaded, kNoticeMax);
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ended.error_message(), kRemoved);
}

// An audit replay in progress: once its token is removed, the items not yet sent are not sent;
// the replay ends with UNAUTHENTICATED. The client reads the first item, then waits for the
// reload before reading on: the server, held by the stream's flow control, has sent only what
// fits its window by then.
TEST_F(Revocation, AReplayInProgressEndsOnceItsTokenIsRemoved) {
  GrpcDesk desk(this, kCafA);
  ASSERT_TRUE(desk.Bareme(2026, Eur(7000), Eur(1000), Eur(1500)).status.ok());
  ASSERT_TRUE(desk.Register("asso-1", v1::ASSOCIATION).status.ok());
  ASSERT_TRUE(desk.Convention("conv-1", "asso-1", 2026, 2, Eur(14000)).status.ok());
  constexpr int kAcomptes = 400;  // a long history: more than a stream's window of states
  for (int i = 0; i < kAcomptes; ++i) {
    ASSERT_TRUE(desk.Acompte("conv-1", absl::StrCat("a", i), 2026, 1, 20261102).status.ok());
  }
  AddToken(*this, "audit-gone", "auditeur", "*");
  ASSERT_TRUE(server_->ReloadTokens().ok());
  v1::ReplayHistoryRequest request;
  request.set_caf_id(kCafA);
  request.set_convention_id("conv-1");
  auto context = As("audit-gone");
  auto reader = audit()->ReplayHistory(context.get(), request);
  v1::ReplayHistoryItem item;
  ASSERT_TRUE(reader->Read(&item));
  RewriteToken(*this, "audit-gone", "");
  ASSERT_TRUE(server_->ReloadTokens().ok());
  int read = 1;
  while (reader->Read(&item)) ++read;
  const grpc::Status ended = reader->Finish();
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAUTHENTICATED) << ended.error_message();
  EXPECT_EQ(ended.error_message(), kRemoved);
  EXPECT_LT(read, kAcomptes) << "the items after the reload were sent";
}

}  // namespace
}  // namespace clas::testing
