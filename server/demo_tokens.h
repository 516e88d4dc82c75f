// Demo convenience: a token file with one token per role, and the tokens in clear beside it, so
// that a new user can call the server at once. Never for production: there the operator makes
// tokens with --new_token / --hash_token and keeps the clear ones to himself.
#ifndef CLAS_SERVER_DEMO_TOKENS_H_
#define CLAS_SERVER_DEMO_TOKENS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace clas::server {

// When `tokens_path` does not exist: writes it (mode 0600) with a token for an agent and a
// controleur of each Caf of `cafs`, an auditeur of every Caf, a service and the Cnaf (barème),
// and writes the clear tokens to `tokens_path` + ".clear" (mode 0600). Does nothing when the file
// exists. Errors name the path.
absl::Status EnsureDemoTokens(const std::string& tokens_path, const std::vector<std::string>& cafs);

// The clear token of `user_id` in a ".clear" file written by EnsureDemoTokens; NotFound if absent.
absl::StatusOr<std::string> DemoToken(const std::string& tokens_path, const std::string& user_id);

}  // namespace clas::server

#endif  // CLAS_SERVER_DEMO_TOKENS_H_
