// Test users of every role and their tokens, for the tests of auth and of the server. For tests
// only: the tokens are written here in clear.
//
// Thread-safety: pure functions.
#ifndef CLAS_SERVER_AUTH_TEST_UTIL_H_
#define CLAS_SERVER_AUTH_TEST_UTIL_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ledger/base/status_macros.h"
#include "server/auth.h"

namespace clas::server::testing {

struct TestUser {
  std::string_view token;
  std::string_view user_id;
  std::string_view role_and_cafs;  // the rest of its token file line
};

// Caf "caf-75" has one user of each Caf-bound role; "caf-13" one agent.
inline constexpr TestUser kAgent75 = {"test-token-agent-75", "agent-75", "agent caf-75"};
inline constexpr TestUser kAgent13 = {"test-token-agent-13", "agent-13", "agent caf-13"};
inline constexpr TestUser kControleur75 = {"test-token-controleur-75", "controleur-75",
                                           "controleur caf-75"};
inline constexpr TestUser kAuditeurAll = {"test-token-auditeur", "auditeur-national", "auditeur *"};
inline constexpr TestUser kService75 = {"test-token-service-75", "svc-paie", "service caf-75"};
inline constexpr TestUser kCnaf = {"test-token-cnaf", "cnaf-bareme", "cnaf *"};

inline constexpr TestUser kTestUsers[] = {kAgent75,     kAgent13,   kControleur75,
                                          kAuditeurAll, kService75, kCnaf};

// "<HashToken(token)> <rest>\n": one line of a token file.
inline std::string TokenLine(std::string_view token, std::string_view rest) {
  const std::string hash = HashToken(token);
  return absl::StrCat(hash, " ", absl::string_view(rest.data(), rest.size()), "\n");
}

// "<HashToken(token)> <user id> <role> <cafs>\n".
inline std::string TokenLine(const TestUser& user) {
  return TokenLine(
      user.token,
      absl::StrCat(absl::string_view(user.user_id.data(), user.user_id.size()), " ",
                   absl::string_view(user.role_and_cafs.data(), user.role_and_cafs.size())));
}

// A token file with every user of kTestUsers.
inline std::string TestTokenFile() {
  std::string text = "# Test users: never in production.\n";
  for (const TestUser& user : kTestUsers) absl::StrAppend(&text, TokenLine(user));
  return text;
}

// TestTokenFile, parsed. Aborts if it does not parse: a bug of this file.
inline TokenTable TestTokenTable() {
  absl::StatusOr<TokenTable> table = ParseTokenFile(TestTokenFile());
  CLAS_CHECK(table.ok()) << table.status();
  return *std::move(table);
}

// The "authorization" metadata value that presents `token`.
inline std::string BearerHeader(std::string_view token) {
  return absl::StrCat("Bearer ", absl::string_view(token.data(), token.size()));
}

}  // namespace clas::server::testing

#endif  // CLAS_SERVER_AUTH_TEST_UTIL_H_
