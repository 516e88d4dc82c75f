// server/auth: token hashes, authentication, the role x action x Caf policy, the method table.
// The token file's parser is tested in auth_token_file_test.cc.
#include "server/auth.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <optional>
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
  // Every refusal above counted once under its cause: missing, malformed, unknown, expired,
  // revoked (Recheck's only).
  EXPECT_EQ(authenticator.failures(), (std::array<uint64_t, kAuthFailureCount>{1, 10, 4, 2, 0}));
  authenticator.CountFailure(AuthFailure::kMalformed);  // the server's own (several headers)
  EXPECT_EQ(authenticator.failures()[static_cast<size_t>(AuthFailure::kMalformed)], 11u);
  EXPECT_EQ(AuthFailureName(AuthFailure::kRevoked), "revoked");
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

// ---------------------------------------------------------------------------------------------
// Recheck: a call admitted earlier, checked again against the table current now

TEST(Authenticator, ReloadBumpsTheGeneration) {
  Authenticator authenticator(TestTokenTable());
  EXPECT_EQ(authenticator.generation(), 0u);
  ASSERT_TRUE(authenticator.Authenticate(BearerHeader(testing::kCnaf.token), kNow).ok());
  EXPECT_EQ(authenticator.generation(), 0u);  // a lookup is no reload
  authenticator.Reload(TestTokenTable());
  EXPECT_EQ(authenticator.generation(), 1u);
  authenticator.Reload(TokenTable());
  EXPECT_EQ(authenticator.generation(), 2u);
}

struct RecheckCase {
  std::string name;
  std::optional<std::string> reloaded;  // the token file reloaded after the admission, if any
  absl::Time now;                       // of the recheck
  std::string expected;                 // "OK", or the code and the start of the message
};

std::string RecheckOutcome(const absl::Status& status) {
  if (status.ok()) return "OK";
  return absl::StrCat(absl::StatusCodeToString(status.code()), ": ", status.message());
}

TEST(Recheck, AnswersEachChangeOfTheTableAndTheClock) {
  const std::string token = "recheck-token";
  const std::string line = "agent-75 agent caf-75,caf-13 expires=2027-01-15T08:00:00Z";
  const absl::Time expiry = absl::FromUnixSeconds(1'800'000'000);  // 2027-01-15T08:00:00Z
  const std::string other = TokenLine("other-token", "agent-69 agent caf-69");
  const std::string removed = "UNAUTHENTICATED: jeton révoqué ou expiré : retiré du fichier";
  const std::string changed =
      "UNAUTHENTICATED: jeton révoqué ou expiré : il désigne désormais un autre utilisateur";
  const std::string expired = "UNAUTHENTICATED: jeton révoqué ou expiré : son expiration";
  const auto with = [&](const std::string& rest) { return TokenLine(token, rest); };
  const RecheckCase cases[] = {
      {"no reload", std::nullopt, kNow, "OK"},
      {"no reload, just before expiry", std::nullopt, expiry - absl::Seconds(1), "OK"},
      {"no reload, at expiry", std::nullopt, expiry, expired},
      {"same file", with(line), kNow, "OK"},
      {"same file, after expiry", with(line), expiry + absl::Hours(1), expired},
      {"another line added", other + with(line), kNow, "OK"},
      {"line removed", other, kNow, removed},
      {"empty file", "", kNow, removed},
      {"role changed", with("agent-75 controleur caf-75,caf-13"), kNow, changed},
      {"a Caf removed", with("agent-75 agent caf-75"), kNow, changed},
      {"a Caf added", with("agent-75 agent caf-75,caf-13,caf-69"), kNow, changed},
      {"user id changed", with("agent-75b agent caf-75,caf-13"), kNow, changed},
      {"expiry put off", with("agent-75 agent caf-75,caf-13 expires=2028-01-01T00:00:00Z"),
       expiry + absl::Hours(1), "OK"},
      {"expiry removed", with("agent-75 agent caf-75,caf-13"), expiry + absl::Hours(1), "OK"},
      {"expiry brought forward", with("agent-75 agent caf-75,caf-13 expires=2026-01-01T00:00:00Z"),
       kNow, expired},
  };
  for (const RecheckCase& c : cases) {
    absl::StatusOr<TokenTable> admitting = ParseTokenFile(with(line));
    ASSERT_TRUE(admitting.ok()) << admitting.status();
    Authenticator authenticator(*std::move(admitting));
    absl::StatusOr<Admission> admission = authenticator.Admit(BearerHeader(token), kNow);
    ASSERT_TRUE(admission.ok()) << c.name << ": " << admission.status();
    if (c.reloaded.has_value()) {
      absl::StatusOr<TokenTable> reloaded = ParseTokenFile(*c.reloaded);
      ASSERT_TRUE(reloaded.ok()) << c.name << ": " << reloaded.status();
      authenticator.Reload(*std::move(reloaded));
    }
    const std::string outcome = RecheckOutcome(authenticator.Recheck(*admission, c.now));
    EXPECT_TRUE(absl::StartsWith(outcome, c.expected)) << c.name << ": " << outcome;
    // A token removed or changed is counted revoked, one past its expiry expired.
    const auto failures = authenticator.failures();
    EXPECT_EQ(failures[static_cast<size_t>(AuthFailure::kRevoked)],
              c.expected == removed || c.expected == changed ? 1u : 0u) << c.name;
    EXPECT_EQ(failures[static_cast<size_t>(AuthFailure::kExpired)], c.expected == expired ? 1u : 0u)
        << c.name;
    EXPECT_FALSE(Contains(outcome, token)) << c.name << " echoes the token";
    EXPECT_FALSE(Contains(outcome, HashToken(token).substr(7, 16))) << c.name;
  }
}

// After a reload, one lookup brings the admission up to the new generation: the next rechecks
// are the cheap comparison again, with the expiry the new table gives.
TEST(Recheck, LooksTheTokenUpOnceAfterEachReload) {
  const std::string token = "recheck-token";
  absl::StatusOr<TokenTable> table = ParseTokenFile(TokenLine(token, "svc-paie service *"));
  ASSERT_TRUE(table.ok()) << table.status();
  Authenticator authenticator(*std::move(table));
  absl::StatusOr<Admission> admission = authenticator.Admit(BearerHeader(token), kNow);
  ASSERT_TRUE(admission.ok()) << admission.status();
  EXPECT_EQ(admission->generation(), authenticator.generation());
  EXPECT_EQ(admission->principal().user_id, "svc-paie");
  EXPECT_EQ(admission->expires_at(), absl::InfiniteFuture());
  ASSERT_TRUE(authenticator.Recheck(*admission, kNow).ok());
  EXPECT_EQ(admission->generation(), 0u);

  const absl::Time expiry = absl::FromUnixSeconds(1'800'000'000);
  absl::StatusOr<TokenTable> expiring =
      ParseTokenFile(TokenLine(token, "svc-paie service * expires=2027-01-15T08:00:00Z"));
  ASSERT_TRUE(expiring.ok()) << expiring.status();
  authenticator.Reload(*std::move(expiring));
  EXPECT_EQ(admission->generation(), 0u);  // not until it is rechecked
  ASSERT_TRUE(authenticator.Recheck(*admission, kNow).ok());
  EXPECT_EQ(admission->generation(), 1u);
  EXPECT_EQ(admission->expires_at(), expiry);
  EXPECT_EQ(authenticator.Recheck(*admission, expiry).code(), absl::StatusCode::kUnauthenticated);

  // A refused recheck records nothing: the token put back with the same principal passes again.
  authenticator.Reload(TokenTable());
  EXPECT_EQ(authenticator.Recheck(*admission, kNow).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(admission->generation(), 1u);
  absl::StatusOr<TokenTable> back = ParseTokenFile(TokenLine(token, "svc-paie service *"));
  ASSERT_TRUE(back.ok()) << back.status();
  authenticator.Reload(*std::move(back));
  EXPECT_TRUE(authenticator.Recheck(*admission, expiry + absl::Hours(1)).ok());
  EXPECT_EQ(admission->generation(), 3u);
}

// Each reader rechecks its own admission, as a stream's thread does, while the table is
// reloaded under it (run under ThreadSanitizer by tools/test.sh).
TEST(Recheck, RechecksWhileAnotherThreadReloads) {
  constexpr int kReloads = 200;
  constexpr int kReaders = 2;
  Authenticator authenticator(TestTokenTable());
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < kReaders; ++i) {
    readers.emplace_back([&] {
      absl::StatusOr<Admission> admission =
          authenticator.Admit(BearerHeader(testing::kAuditeurAll.token), kNow);
      if (!admission.ok()) failures.fetch_add(1);
      while (admission.ok() && !done.load()) {
        if (!authenticator.Recheck(*admission, kNow).ok()) failures.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < kReloads; ++i) authenticator.Reload(TestTokenTable());
  done.store(true);
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(authenticator.generation(), static_cast<uint64_t>(kReloads));
}

}  // namespace
}  // namespace clas::server
