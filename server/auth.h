// Authentication and authorisation of the callers of the gRPC server, pure of gRPC: the server
// hands this module the "authorization" metadata value and the full method name, and maps the
// returned statuses onto the call.
//
//   Authentication  a bearer token, looked up by its SHA-256 in a token file (grammar below).
//                   Tokens are never stored, logged or echoed: only their hashes are kept, and
//                   no message of this module contains a token or a token hash.
//   Revocation      removing a token's line (then Reload) or letting its expiry pass refuses
//                   the token's next calls at once; a call already admitted keeps its
//                   Admission and asks Recheck as it goes, so that a long stream stops too.
//   Authorisation   a fixed policy of roles x actions x Cafs (Authorize, the table in auth.cc):
//
//     action              agent  controleur  auditeur  service  cnaf      replica
//     kCommand            Caf    -           -         -        -         -
//     kControleCommand    Caf    Caf         -         -        -         -
//     kPublishBareme      -      -           -         -        national  -
//     kRead               Caf    Caf         Caf       Caf      Caf       -
//     kSimulateControle   Caf    Caf         Caf       -        -         -
//     kAudit              -      -           Caf       -        -         -
//     kRecompute          Caf    Caf         Caf       -        -         -
//     kLedgerRead         -      -           Caf       Caf      -         -
//     kSubscribe          -      -           Caf       Caf      -         -
//     kLedgerAppend       -      -           -         ext/<own user id>/...  -
//     kReplicate          -      -           -         -        -         the whole log
//     kUnknownMethod      -      -           -         -        -         -
//
//   "Caf" means: for the Cafs the token lists (or every Caf when it lists "*"). As the roles of
//   the ledger say, an agent runs every command of its Caf (the contrôle's included: recording
//   a recovery or paying a rappel are an agent's acts too), a contrôleur the contrôle ones
//   (OpenControle, RecordControleFindings, DecideControle, RecordRecovery, PayRappel) and the
//   simulations. The barème is national: only the dedicated role "cnaf" publishes
//   it, so that no Caf's agent can change every Caf's figures. The recompute check (R-HIST-3)
//   is a read of the amounts a Caf paid and decided: the agents and contrôleurs who recorded
//   them may run it for their Cafs, the auditeur for the Cafs it lists (every one for "*").
//   Replication copies the whole log byte for byte, every Caf's events and hashes: only the
//   dedicated role "replica" may, a follower node's credential, which may do nothing else (a
//   stolen follower token reads the log, but neither writes nor queries as a person would).
//
// Token file grammar (one entry per line; '#' lines and blank lines are ignored; fields are
// separated by spaces or tabs; a trailing '\r' is ignored):
//
//   entry    = hash SP user-id SP role SP cafs [SP expires]
//   hash     = "sha256:" 64(lowercase hex digit)        ; HashToken(token), never the token
//   user-id  = (ALPHA / DIGIT) *63(ALPHA / DIGIT / "." / "_" / "-")
//   role     = "agent" / "controleur" / "auditeur" / "service" / "cnaf" / "replica"
//   cafs     = "*" / caf-id *("," caf-id)               ; at most kCafsPerEntryMax, no repeat
//   caf-id   = 1*64(ALPHA / DIGIT / "." / "_" / "-")
//   expires  = "expires=" YYYY "-" MM "-" DD "T" hh ":" mm ":" ss "Z"   ; UTC, a real instant
//
//   Rules: "*" is refused for the roles agent and controleur (commands act for named Cafs
//   only), and required for the role replica (it copies every Caf's events). A hash appears once. A user id may appear on several lines (to rotate a token: add
//   the new one, deploy, remove the old) only with the same role and Caf list on every line, so
//   that the actor recorded on events (R-HIST-4) means one thing. A token whose expiry has
//   passed authenticates no more; the token is valid while now < expires.
//
//   Example (the hashes of two random tokens):
// clang-format off
//     # Caf de Paris
//     sha256:980d6cc5445db72a189e817565529c8402f63dd6dedab0c50cc230de54c5076c a.martin agent caf-75
//     sha256:c37f3b96eb11888201448408dc51ad46adce1bcb46a89fc53e1ff74536864d8a cour-des-comptes auditeur * expires=2027-01-01T00:00:00Z
// clang-format on
//
// Thread-safety: the free functions are pure (GenerateToken draws from OpenSSL's thread-safe
// generator); Authenticator is safe for concurrent use by any number of threads; an Admission
// is a value used by one thread at a time.
#ifndef CLAS_SERVER_AUTH_H_
#define CLAS_SERVER_AUTH_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "projections/core/identifiers.h"

namespace clas::server {

// Limits of the token file and of a presented token. Raising one is safe; lowering one may
// refuse a token file that earlier builds accepted.
inline constexpr size_t kTokenFileBytesMax = size_t{1} << 20;  // 1 MiB
inline constexpr size_t kTokenFileLineBytesMax = 1024;
inline constexpr size_t kTokenEntriesMax = 10'000;
inline constexpr size_t kTokenFileErrorsReportedMax = 50;  // the rest are counted
inline constexpr size_t kUserIdBytesMax = 64;
inline constexpr size_t kCafsPerEntryMax = 128;
inline constexpr size_t kBearerTokenBytesMax = 512;
inline constexpr size_t kGeneratedTokenRandomBytes = 32;
inline constexpr size_t kTokenDigestBytes = 32;  // SHA-256

// The prefix of a token file's hash field (HashToken's output).
inline constexpr std::string_view kTokenHashPrefix = "sha256:";

// Roles. RoleName(role) is written in token files and recorded on events as the actor's role:
// do not change the names.
enum class Role { kAgent, kControleur, kAuditeur, kService, kCnaf, kReplica };

// "agent", "controleur", "auditeur", "service", "cnaf" or "replica".
std::string_view RoleName(Role role);

// The role named `name` (exactly, lowercase); nullopt for any other text.
std::optional<Role> RoleOfName(std::string_view name);

// What a call asks to do. Each method's handler names what it needs (guard.h: Need, mapped to an
// Action by security.cc) and asks Authorize; a test calls every method of the API without a
// token and sees it refused. There is no administrative action: the token file is the only
// administration.
enum class Action {
  kCommand,           // a Conventions command for one Caf, other than the ones below
  kControleCommand,   // OpenControle, RecordControleFindings, DecideControle, RecordRecovery,
                      // PayRappel
  kPublishBareme,     // the national barème
  kRead,              // Queries other than SimulateControle
  kSimulateControle,  // Queries.SimulateControle
  kAudit,             // Audit: ReplayHistory, DiffStates, VerifyChain, ExportConvention
  kRecompute,         // Audit.RecomputeHistory (R-HIST-3)
  kLedgerRead,        // Ledger.ReadStream, Ledger.ReadAll
  kSubscribe,         // Ledger.Subscribe
  kLedgerAppend,      // Ledger.Append (AuthorizeLedgerAppend checks the stream)
  kReplicate,         // Ledger.Replicate: the whole log as stored, for a follower node
  kUnknownMethod,     // a method this module does not know: granted to no role
};

// A short English name for logs: "command", "controle_command", "publish_bareme", ...
std::string_view ActionName(Action action);

// Why a call's token was refused, counted by the Authenticator (for metrics): no
// authorization header; a header that is not one "Bearer <token>"; a token the table does not
// hold; a token past its expiry (at admission, or during a long call); a token removed from
// the table, or now standing for another principal, during a long call (Recheck).
enum class AuthFailure { kMissing, kMalformed, kUnknown, kExpired, kRevoked };
inline constexpr size_t kAuthFailureCount = 5;

// "missing", "malformed", "unknown", "expired" or "revoked".
std::string_view AuthFailureName(AuthFailure failure);

// The identity a valid token stands for.
struct Principal {
  std::string user_id;
  Role role = Role::kAgent;
  std::set<std::string> cafs;  // empty when all_cafs
  bool all_cafs = false;

  bool operator==(const Principal&) const = default;
};

// One line of a token file.
struct TokenEntry {
  std::string digest;  // the kTokenDigestBytes raw bytes of SHA-256(token)
  Principal principal;
  absl::Time expires_at = absl::InfiniteFuture();
  int line = 0;  // 1-based, for operators' messages
};

// The parsed token file. Only ParseTokenFile makes a non-empty one, so its entries always keep
// the file's rules (distinct hashes, consistent user ids, at most kTokenEntriesMax). An empty
// table authenticates nobody.
class TokenTable {
 public:
  TokenTable() = default;

  const std::vector<TokenEntry>& entries() const { return entries_; }

 private:
  explicit TokenTable(std::vector<TokenEntry> entries) : entries_(std::move(entries)) {}
  friend absl::StatusOr<TokenTable> ParseTokenFile(std::string_view text);

  std::vector<TokenEntry> entries_;
};

// Parses a token file (grammar above). On success, the table of its entries (possibly empty).
// InvalidArgument if `text` exceeds kTokenFileBytesMax, or listing every bad line as
// "line <n>: <what is wrong>" (the first kTokenFileErrorsReportedMax, then how many more): a
// line too long or holding a control or non-ASCII byte outside a comment, a wrong number of
// fields, a bad hash, user id, role, Caf list or expiry, "*" for agent or controleur, a hash
// already used on an earlier line, a user id declared earlier with another role or Caf list,
// more than kTokenEntriesMax entries. No message contains a hash field's content. Messages are
// in English: they are for the operators who edit the file.
absl::StatusOr<TokenTable> ParseTokenFile(std::string_view text);

// Reads and parses the token file at `path`, a regular file of at most kTokenFileBytesMax
// bytes. NotFound if it does not exist; PermissionDenied if it may not be read;
// FailedPrecondition if it is not a regular file or is writable by group or others (anyone who
// may write it may grant himself any role); InvalidArgument as ParseTokenFile, or if too large;
// the errno's code for any other I/O error. Every message names the path.
absl::StatusOr<TokenTable> LoadTokenFile(const std::string& path);

// "sha256:" and the 64 lowercase hex digits of SHA-256(token): the hash field of a token file.
std::string HashToken(std::string_view token);

// A new token: "clas_" and the unpadded base64url of kGeneratedTokenRandomBytes bytes from
// OpenSSL's generator (48 characters, valid in a bearer header). Internal if the generator
// fails (no entropy); never a weak token.
absl::StatusOr<std::string> GenerateToken();

// What a call was admitted with (Authenticator::Admit): the principal, the expiry and the
// SHA-256 digest of its token (never the token), and the generation of the table that admitted
// it. A long call keeps it to ask Authenticator::Recheck, as it goes, whether its token still
// stands for the same principal. A value: copies are independent; not for concurrent use.
class Admission {
 public:
  const Principal& principal() const { return principal_; }
  // The token's expiry as last checked (InfiniteFuture for a token without one).
  absl::Time expires_at() const { return expires_at_; }
  // The generation of the table it was last checked against: Recheck is cheap while it is
  // Authenticator::generation().
  uint64_t generation() const { return generation_; }

 private:
  friend class Authenticator;

  std::string digest_;  // kTokenDigestBytes raw bytes of SHA-256(token)
  Principal principal_;
  absl::Time expires_at_ = absl::InfiniteFuture();
  uint64_t generation_ = 0;  // of the table it was last checked against
};

// Checks bearer tokens against a TokenTable that Reload may replace while calls are served
// (e.g. when the server re-reads the token file on SIGHUP).
class Authenticator {
 public:
  explicit Authenticator(TokenTable table);
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // The admission of the token in `authorization_header`, the value of the call's
  // "authorization" metadata ("" when the call has none; the server must refuse a call that
  // carries several values). The scheme "Bearer" is matched without regard to case and
  // followed by one or more spaces and a token of 1..kBearerTokenBytesMax characters of the
  // RFC 6750 token68 set. Unauthenticated if the header is missing, malformed, the token is
  // unknown, or it has expired (now >= its expiry). The message never contains the token.
  // Every entry's hash is compared, in constant time, whatever the outcome.
  absl::StatusOr<Admission> Admit(std::string_view authorization_header, absl::Time now) const;

  // Admit's principal: for calls that end before a reload could matter to them.
  absl::StatusOr<Principal> Authenticate(std::string_view authorization_header,
                                         absl::Time now) const;

  // OkStatus if the token `admission` was admitted with is still valid at `now` for the same
  // principal, against the current table. Unauthenticated, in French then English ("jeton
  // révoqué ou expiré : ... (token revoked or expired: ...)"), if the token is no longer in the
  // table, now stands for another user, role or Caf list, or has expired (now >= its expiry,
  // which a reload may have moved). When no reload happened since `admission` was last checked,
  // this compares two integers and two instants, nothing more, so that a stream may call it
  // before every item it sends; after a reload it looks the digest up once, comparing every
  // entry in constant time as Admit does, and records in `admission` the new generation and
  // expiry so that the next calls are cheap again.
  absl::Status Recheck(Admission& admission, absl::Time now) const;

  // Replaces the table atomically and bumps the generation: calls that already hold the old
  // table finish their lookup with it; every later lookup, Recheck's included, sees the new
  // one. A server that fails to re-read its token file keeps serving the old table rather than
  // reload an empty one.
  void Reload(TokenTable table);

  // How many times Reload has run since construction: Recheck's cheap test.
  uint64_t generation() const;

  // How many entries the current table holds (for the server's log line after a load).
  size_t entry_count() const;

  // The refusals of Admit and Recheck since construction, indexed by AuthFailure, with those
  // told by CountFailure.
  std::array<uint64_t, kAuthFailureCount> failures() const;
  // Counts a refusal the caller found itself (a call with several authorization headers is
  // kMalformed). Thread-safe.
  void CountFailure(AuthFailure failure) const;

 private:
  mutable absl::Mutex mutex_;
  std::shared_ptr<const TokenTable> table_ ABSL_GUARDED_BY(mutex_);
  // Written under mutex_ together with table_, so that a reader holding mutex_ sees a matching
  // pair; read without it by Recheck's cheap test.
  std::atomic<uint64_t> generation_{0};
  mutable std::array<std::atomic<uint64_t>, kAuthFailureCount> failures_{};
};

// OkStatus if `principal` may do `action` for `caf_id`, where caf_id is the Caf the request
// names, or "" for a request that names none (a list, ComputeDroit, VerifyChain, ReadAll,
// Subscribe without filter: the server then filters what it returns with MayRead).
// PermissionDenied, naming the role and the action in French then English ("le rôle auditeur
// ne peut pas exécuter de commande (role auditeur may not run a command)"), if the role may
// never do the action, or if it may but not for caf_id. InvalidArgument if caf_id is "" for a
// command or SimulateControle (each names its Caf), or is not "" for kPublishBareme or
// kLedgerAppend (national, resp. scoped by stream). The answer depends only on the principal,
// never on what exists in the log, so that it reveals nothing of another Caf.
// REQUIRES for kLedgerAppend: the server also calls AuthorizeLedgerAppend with the stream.
absl::Status Authorize(const Principal& principal, Action action, std::string_view caf_id);

// Whether `principal` may see data of `caf_id` ("" = data of no Caf, such as the barème: every
// principal may). For filtering lists, reads of the whole log and subscriptions.
bool MayRead(const Principal& principal, std::string_view caf_id);

// OkStatus if `principal` is a service and `stream_id` starts with "ext/<its user id>/" and
// names a stream under it. PermissionDenied otherwise (naming the role, and for a service the
// namespace it may write to).
absl::Status AuthorizeLedgerAppend(const Principal& principal, std::string_view stream_id);

}  // namespace clas::server

#endif  // CLAS_SERVER_AUTH_H_
