// The Guard of the services, over bearer tokens (auth.h): authenticates each call from its
// "authorization" metadata and authorises what it needs for the Caf it names. The Caller it
// returns keeps the call's Admission (its token's digest, never the token), and its
// still_valid re-checks it against the table current then (Authenticator::Recheck).
//
// Thread-safety: thread-safe; the token table may be reloaded while calls are served.
// REQUIRES: a TokenGuard outlives the calls it admitted (their still_valid refers to it).
#ifndef CLAS_SERVER_SECURITY_H_
#define CLAS_SERVER_SECURITY_H_

#include <memory>

#include "server/auth.h"
#include "server/guard.h"

namespace clas::server {

class TokenGuard final : public Guard {
 public:
  explicit TokenGuard(TokenTable table) : authenticator_(std::move(table)) {}

  absl::StatusOr<Caller> Check(const grpc::ServerContext& context, Need need,
                               const std::string& caf_id) const override;

  Authenticator& authenticator() { return authenticator_; }

 private:
  Authenticator authenticator_;
};

}  // namespace clas::server

#endif  // CLAS_SERVER_SECURITY_H_
