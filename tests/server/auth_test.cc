// server/auth: token hashes, authentication, the role x action x Caf policy, the method table.
// The token file's parser is tested in auth_token_file_test.cc.
#include "server/auth.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "server/auth_test_util.h"

namespace clas::server {
namespace {

using ::clas::server::testing::BearerHeader;
using ::clas::server::testing::TestTokenTable;
using ::clas::server::testing::TokenLine;

const absl::Time kNow = absl::FromUnixSeconds(1'790'000'000);  // 2026-09-21

bool Contains(std::string_view text, std::string_view part) {
  return absl::StrContains(absl::string_view(text.data(), text.size()),
                           absl::string_view(part.data(), part.size()));
}

// ---------------------------------------------------------------------------------------------
// Hashes and new tokens

TEST(HashToken, IsTheSha256OfTheTokenInLowercaseHex) {
  EXPECT_EQ(HashToken("abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HashToken(""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HashToken("abc"), HashToken("abc"));
  EXPECT_NE(HashToken("abc"), HashToken("abd"));
}

TEST(GenerateToken, Makes48CharacterBearerTokensThatDiffer) {
  absl::StatusOr<std::string> first = GenerateToken();
  absl::StatusOr<std::string> second = GenerateToken();
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE(*first, *second);
  EXPECT_EQ(first->size(), 48u);
  EXPECT_TRUE(absl::StartsWith(*first, "clas_"));
  // A generated token works end to end: in a token file by its hash, then in a header.
  absl::StatusOr<TokenTable> table = ParseTokenFile(TokenLine(*first, "svc-new service caf-75"));
  ASSERT_TRUE(table.ok()) << table.status();
  Authenticator authenticator(*std::move(table));
  absl::StatusOr<Principal> principal = authenticator.Authenticate(BearerHeader(*first), kNow);
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->user_id, "svc-new");
}

// ---------------------------------------------------------------------------------------------
// Authentication

struct AuthenticateCase {
  std::string name;
  std::string header;
  absl::Time now;
  std::string expected;  // the user id, or the code and a part of the message
};

std::string Outcome(const absl::StatusOr<Principal>& principal) {
  if (principal.ok()) return principal->user_id;
  return absl::StrCat(absl::StatusCodeToString(principal.status().code()), ": ",
                      principal.status().message());
}

TEST(Authenticate, AnswersEachHeader) {
  const std::string token = "valid-token-1";
  const std::string expiring = "expiring-token";
  const absl::Time expiry = absl::FromUnixSeconds(1'800'000'000);  // 2027-01-15T08:00:00Z
  absl::StatusOr<TokenTable> table =
      ParseTokenFile(TokenLine(token, "agent-75 agent caf-75") +
                     TokenLine(expiring, "agent-13 agent caf-13 expires=2027-01-15T08:00:00Z"));
  ASSERT_TRUE(table.ok()) << table.status();
  const Authenticator authenticator(*std::move(table));
  const std::string missing = "UNAUTHENTICATED: jeton absent";
  const std::string malformed = "UNAUTHENTICATED: en-tête authorization mal formé";
  const std::string unknown = "UNAUTHENTICATED: jeton inconnu (unknown token)";
  const AuthenticateCase cases[] = {
      {"valid", "Bearer " + token, kNow, "agent-75"},
      {"scheme in lowercase", "bearer " + token, kNow, "agent-75"},
      {"scheme in capitals", "BEARER " + token, kNow, "agent-75"},
      {"two spaces", "Bearer  " + token, kNow, "agent-75"},
      {"missing", "", kNow, missing},
      {"scheme alone", "Bearer", kNow, malformed},
      {"no token", "Bearer ", kNow, malformed},
      {"no space", "Bearer" + token, kNow, malformed},
      {"basic scheme", "Basic YWdlbnQ6cGFzcw==", kNow, malformed},
      {"token alone", token, kNow, malformed},
      {"trailing space", "Bearer " + token + " ", kNow, malformed},
      {"space inside", "Bearer valid-token 1", kNow, malformed},
      {"tab before", "Bearer\t" + token, kNow, malformed},
      {"padding inside", "Bearer ab=cd", kNow, malformed},
      {"too long", "Bearer " + std::string(kBearerTokenBytesMax + 1, 'a'), kNow, malformed},
      {"forged", "Bearer valid-token-2", kNow, unknown},
      {"one more byte", "Bearer " + token + "x", kNow, unknown},
      {"the hash itself", "Bearer " + HashToken(token).substr(7), kNow, unknown},
      {"padded", "Bearer " + token + "==", kNow, unknown},
      {"before expiry", "Bearer " + expiring, expiry - absl::Seconds(1), "agent-13"},
      {"at expiry", "Bearer " + expiring, expiry, "UNAUTHENTICATED: jeton expiré (expired token)"},
      {"after expiry", "Bearer " + expiring, expiry + absl::Hours(1),
       "UNAUTHENTICATED: jeton expiré (expired token)"},
  };
  for (const AuthenticateCase& c : cases) {
    const absl::StatusOr<Principal> principal = authenticator.Authenticate(c.header, c.now);
    const std::string outcome = Outcome(principal);
    EXPECT_TRUE(absl::StartsWith(outcome, c.expected)) << c.name << ": " << outcome;
    if (!principal.ok()) {
      EXPECT_FALSE(Contains(outcome, token)) << c.name << " echoes the token";
      EXPECT_FALSE(Contains(outcome, expiring)) << c.name << " echoes the token";
      EXPECT_FALSE(Contains(outcome, HashToken(token).substr(7, 16))) << c.name;
    }
  }
}

TEST(Authenticate, ReturnsThePrincipalOfTheToken) {
  const Authenticator authenticator(TestTokenTable());
  absl::StatusOr<Principal> auditeur =
      authenticator.Authenticate(BearerHeader(testing::kAuditeurAll.token), kNow);
  ASSERT_TRUE(auditeur.ok()) << auditeur.status();
  EXPECT_EQ(*auditeur, (Principal{"auditeur-national", Role::kAuditeur, {}, true}));
  absl::StatusOr<Principal> agent =
      authenticator.Authenticate(BearerHeader(testing::kAgent75.token), kNow);
  ASSERT_TRUE(agent.ok()) << agent.status();
  EXPECT_EQ(*agent, (Principal{"agent-75", Role::kAgent, {"caf-75"}, false}));
}

TEST(Authenticate, AnEmptyTableAuthenticatesNobody) {
  const Authenticator authenticator{TokenTable()};
  EXPECT_EQ(authenticator.entry_count(), 0u);
  EXPECT_EQ(authenticator.Authenticate(BearerHeader("anything"), kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(Authenticator, ReloadReplacesTheTable) {
  Authenticator authenticator(TestTokenTable());
  EXPECT_EQ(authenticator.entry_count(), std::size(testing::kTestUsers));
  const std::string old_header = BearerHeader(testing::kAgent75.token);
  const std::string new_header = BearerHeader("rotated-token");
  ASSERT_TRUE(authenticator.Authenticate(old_header, kNow).ok());
  absl::StatusOr<TokenTable> rotated =
      ParseTokenFile(TokenLine("rotated-token", "agent-75 agent caf-75"));
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  authenticator.Reload(*std::move(rotated));
  EXPECT_EQ(authenticator.entry_count(), 1u);
  EXPECT_EQ(authenticator.Authenticate(old_header, kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(authenticator.Authenticate(new_header, kNow).ok());
}

TEST(Authenticator, AuthenticatesWhileAnotherThreadReloads) {
  constexpr int kReloads = 200;
  constexpr int kReaders = 2;
  Authenticator authenticator(TestTokenTable());
  const std::string header = BearerHeader(testing::kCnaf.token);
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < kReaders; ++i) {
    readers.emplace_back([&] {
      while (!done.load()) {
        absl::StatusOr<Principal> principal = authenticator.Authenticate(header, kNow);
        if (!principal.ok() || principal->user_id != "cnaf-bareme") failures.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < kReloads; ++i) authenticator.Reload(TestTokenTable());
  done.store(true);
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace clas::server
