// Tokens, the Authenticator, the authorisation policy and the method table. The token file's
// parser lives in auth_token_file.cc.
#include "server/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "ledger/base/status_macros.h"

namespace clas::server {
namespace {

constexpr std::string_view kGeneratedTokenPrefix = "clas_";
constexpr std::string_view kBearerScheme = "bearer";  // matched without regard to case
constexpr std::string_view kExtStreamPrefix = "ext/";
constexpr size_t kRequestTextShownBytesMax = 64;  // of a request's Caf id, in a message

absl::string_view Absl(std::string_view view) { return {view.data(), view.size()}; }

// ---------------------------------------------------------------------------------------------
// The policy. Each row reads as the matrix of auth.h.

constexpr size_t kRoleCount = 6;
constexpr std::array<std::string_view, kRoleCount> kRoleNames = {
    "agent", "controleur", "auditeur", "service", "cnaf", "replica"};

size_t IndexOf(Role role) {
  const size_t index = static_cast<size_t>(role);
  CLAS_CHECK(index < kRoleCount) << "role " << index;
  return index;
}

// Whether a request for the action names a Caf.
enum class CafScope {
  kRequired,  // it always does (commands, SimulateControle)
  kOptional,  // it may; "" asks for what the principal may read, filtered with MayRead
  kNone,      // it never does (national, or scoped otherwise)
};

struct ActionRule {
  Action action;
  CafScope caf_scope;
  std::array<bool, kRoleCount> granted;  // indexed by Role
};

// The matrix of auth.h, aligned so that it reads as one (hence no clang-format).
// clang-format off
constexpr ActionRule kActionRules[] = {
    //                                                     agent  controleur auditeur service cnaf   replica
    {Action::kCommand,          CafScope::kRequired, {true,  false,     false,   false,  false, false}},
    {Action::kControleCommand,  CafScope::kRequired, {true,  true,      false,   false,  false, false}},
    {Action::kPublishBareme,    CafScope::kNone,     {false, false,     false,   false,  true,  false}},
    {Action::kRead,             CafScope::kOptional, {true,  true,      true,    true,   true,  false}},
    {Action::kSimulateControle, CafScope::kRequired, {true,  true,      true,    false,  false, false}},
    {Action::kAudit,            CafScope::kOptional, {false, false,     true,    false,  false, false}},
    {Action::kRecompute,        CafScope::kOptional, {true,  true,      true,    false,  false, false}},
    {Action::kLedgerRead,       CafScope::kOptional, {false, false,     true,    true,   false, false}},
    {Action::kSubscribe,        CafScope::kOptional, {false, false,     true,    true,   false, false}},
    {Action::kLedgerAppend,     CafScope::kNone,     {false, false,     false,   true,   false, false}},
    {Action::kReplicate,        CafScope::kNone,     {false, false,     false,   false,  false, true}},
    {Action::kUnknownMethod,    CafScope::kNone,     {false, false,     false,   false,  false, false}},
};
// clang-format on

// How messages name an action, in the order of Action.
struct ActionWords {
  std::string_view name;     // ActionName
  std::string_view french;   // completes "le rôle X ne peut pas ..."
  std::string_view english;  // completes "role X may not ..."
};

constexpr ActionWords kActionWords[] = {
    {"command", "exécuter de commande", "run a command"},
    {"controle_command", "exécuter de commande de contrôle", "run a contrôle command"},
    {"publish_bareme", "publier le barème national", "publish the national barème"},
    {"read", "lire", "read"},
    {"simulate_controle", "simuler de contrôle", "simulate a contrôle"},
    {"audit", "auditer l'historique", "audit the history"},
    {"recompute", "revérifier les calculs enregistrés", "recompute the recorded computations"},
    {"ledger_read", "lire le journal", "read the ledger"},
    {"subscribe", "s'abonner au journal", "subscribe to the ledger"},
    {"ledger_append", "écrire dans le journal", "append to the ledger"},
    {"replicate", "répliquer le journal", "replicate the ledger"},
    {"unknown_method", "appeler de méthode inconnue", "call an unknown method"},
};
static_assert(std::size(kActionWords) == std::size(kActionRules));

const ActionRule& RuleOf(Action action) {
  const size_t index = static_cast<size_t>(action);
  CLAS_CHECK(index < std::size(kActionRules)) << "action " << index;
  const ActionRule& rule = kActionRules[index];
  CLAS_CHECK(rule.action == action) << "kActionRules is out of the order of Action";
  return rule;
}

const ActionWords& WordsOf(Action action) {
  RuleOf(action);  // checks the index
  return kActionWords[static_cast<size_t>(action)];
}

bool Granted(Role role, const ActionRule& rule) { return rule.granted[IndexOf(role)]; }

bool ActsFor(const Principal& principal, std::string_view caf_id) {
  return principal.all_cafs || principal.cafs.count(std::string(caf_id)) > 0;
}

// A request's text, bounded and escaped, for a message.
std::string Shown(std::string_view text) {
  const bool cut = text.size() > kRequestTextShownBytesMax;
  return absl::StrCat(absl::CHexEscape(Absl(text.substr(0, kRequestTextShownBytesMax))),
                      cut ? "..." : "");
}

absl::Status RoleDenied(Role role, Action action) {
  const ActionWords& words = WordsOf(action);
  return absl::PermissionDeniedError(
      absl::StrFormat("le rôle %s ne peut pas %s (role %s may not %s)", RoleName(role),
                      words.french, RoleName(role), words.english));
}

absl::Status CafDenied(Role role, Action action, std::string_view caf_id) {
  const ActionWords& words = WordsOf(action);
  const std::string caf = Shown(caf_id);
  return absl::PermissionDeniedError(absl::StrFormat(
      "le rôle %s ne peut pas %s pour la Caf « %s » (role %s may not %s for Caf \"%s\")",
      RoleName(role), words.french, caf, RoleName(role), words.english, caf));
}

// ---------------------------------------------------------------------------------------------
// Tokens

std::string Sha256(std::string_view bytes) {
  std::string digest(EVP_MAX_MD_SIZE, '\0');
  unsigned int digest_bytes = 0;
  // EVP_Digest fails only on allocation failure or a broken OpenSSL: an invariant, not input.
  CLAS_CHECK(EVP_Digest(bytes.data(), bytes.size(), reinterpret_cast<unsigned char*>(digest.data()),
                        &digest_bytes, EVP_sha256(), nullptr) == 1)
      << "EVP_Digest";
  CLAS_CHECK(digest_bytes == kTokenDigestBytes) << "SHA-256 gave " << digest_bytes << " bytes";
  digest.resize(digest_bytes);
  return digest;
}

// RFC 6750's token68: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
bool IsToken68(std::string_view token) {
  const size_t padding = token.find('=');
  const std::string_view body = token.substr(0, padding);
  if (body.empty()) return false;
  for (const char c : body) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    if (!ok) return false;
  }
  return padding == std::string_view::npos ||
         token.find_first_not_of('=', padding) == std::string_view::npos;
}

absl::Status MissingToken() {
  return absl::UnauthenticatedError(
      "jeton absent : en-tête authorization « Bearer <jeton> » attendu (missing token: expected "
      "an authorization header \"Bearer <token>\")");
}

absl::Status MalformedHeader() {
  return absl::UnauthenticatedError(
      "en-tête authorization mal formé : « Bearer <jeton> » attendu (malformed authorization "
      "header: expected \"Bearer <token>\")");
}

// The token of a "Bearer <token>" header. Never puts the header's text in a message.
absl::StatusOr<std::string_view> BearerToken(std::string_view header) {
  if (header.empty()) return MissingToken();
  const size_t space = header.find(' ');
  if (space == std::string_view::npos ||
      !absl::EqualsIgnoreCase(Absl(header.substr(0, space)), Absl(kBearerScheme))) {
    return MalformedHeader();
  }
  const size_t start = header.find_first_not_of(' ', space);
  if (start == std::string_view::npos) return MalformedHeader();
  const std::string_view token = header.substr(start);
  if (token.size() > kBearerTokenBytesMax || !IsToken68(token)) return MalformedHeader();
  return token;
}

// The entry whose digest is `digest`; nullptr if none. Every entry is compared, each in
// constant time: how long this takes depends on the size of the table only, never on how much
// of a hash an attacker's token matches.
const TokenEntry* FindEntry(const TokenTable& table, std::string_view digest) {
  CLAS_CHECK(digest.size() == kTokenDigestBytes) << "digest of " << digest.size() << " bytes";
  const TokenEntry* match = nullptr;
  for (const TokenEntry& entry : table.entries()) {
    CLAS_CHECK(entry.digest.size() == kTokenDigestBytes) << "token table line " << entry.line;
    const bool equal = CRYPTO_memcmp(entry.digest.data(), digest.data(), kTokenDigestBytes) == 0;
    if (equal && match == nullptr) match = &entry;
  }
  return match;
}

// The refusal of a call whose token no longer holds since the call was admitted; `french` and
// `english` say why.
absl::Status Revoked(std::string_view french, std::string_view english) {
  return absl::UnauthenticatedError(absl::StrFormat(
      "jeton révoqué ou expiré : %s (token revoked or expired: %s)", french, english));
}

}  // namespace

std::string_view RoleName(Role role) { return kRoleNames[IndexOf(role)]; }

std::optional<Role> RoleOfName(std::string_view name) {
  for (size_t index = 0; index < kRoleCount; ++index) {
    if (kRoleNames[index] == name) return static_cast<Role>(index);
  }
  return std::nullopt;
}

std::string_view ActionName(Action action) { return WordsOf(action).name; }

std::string_view AuthFailureName(AuthFailure failure) {
  switch (failure) {
    case AuthFailure::kMissing: return "missing";
    case AuthFailure::kMalformed: return "malformed";
    case AuthFailure::kUnknown: return "unknown";
    case AuthFailure::kExpired: return "expired";
    case AuthFailure::kRevoked: return "revoked";
  }
  return "?";
}

std::string HashToken(std::string_view token) {
  return absl::StrCat(Absl(kTokenHashPrefix), absl::BytesToHexString(Absl(Sha256(token))));
}

absl::StatusOr<std::string> GenerateToken() {
  std::array<unsigned char, kGeneratedTokenRandomBytes> random;
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    OPENSSL_cleanse(random.data(), random.size());
    return absl::InternalError(
        "le générateur aléatoire d'OpenSSL a échoué : aucun jeton créé (OpenSSL's random "
        "generator failed: no token made)");
  }
  std::string token =
      absl::StrCat(Absl(kGeneratedTokenPrefix),
                   absl::WebSafeBase64Escape(absl::string_view(
                       reinterpret_cast<const char*>(random.data()), random.size())));
  OPENSSL_cleanse(random.data(), random.size());
  return token;
}

// ---------------------------------------------------------------------------------------------
// Authenticator

Authenticator::Authenticator(TokenTable table)
    : table_(std::make_shared<const TokenTable>(std::move(table))) {}

absl::StatusOr<Admission> Authenticator::Admit(std::string_view authorization_header,
                                               absl::Time now) const {
  const absl::StatusOr<std::string_view> bearer = BearerToken(authorization_header);
  if (!bearer.ok()) {
    CountFailure(authorization_header.empty() ? AuthFailure::kMissing : AuthFailure::kMalformed);
    return bearer.status();
  }
  const std::string_view token = *bearer;
  Admission admission;
  admission.digest_ = Sha256(token);
  std::shared_ptr<const TokenTable> table;
  {
    absl::ReaderMutexLock lock(&mutex_);
    table = table_;
    admission.generation_ = generation_.load(std::memory_order_relaxed);
  }
  const TokenEntry* match = FindEntry(*table, admission.digest_);
  if (match == nullptr) {
    CountFailure(AuthFailure::kUnknown);
    return absl::UnauthenticatedError("jeton inconnu (unknown token)");
  }
  if (now >= match->expires_at) {
    CountFailure(AuthFailure::kExpired);
    return absl::UnauthenticatedError("jeton expiré (expired token)");
  }
  admission.principal_ = match->principal;
  admission.expires_at_ = match->expires_at;
  return admission;
}

absl::StatusOr<Principal> Authenticator::Authenticate(std::string_view authorization_header,
                                                      absl::Time now) const {
  ASSIGN_OR_RETURN(Admission admission, Admit(authorization_header, now));
  return std::move(admission.principal_);
}

absl::Status Authenticator::Recheck(Admission& admission, absl::Time now) const {
  CLAS_CHECK(admission.digest_.size() == kTokenDigestBytes) << "an Admission not from Admit";
  // The cheap test: the table that last vouched for the token is still the current one.
  if (generation_.load(std::memory_order_acquire) != admission.generation_) {
    std::shared_ptr<const TokenTable> table;
    uint64_t generation = 0;
    {
      absl::ReaderMutexLock lock(&mutex_);
      table = table_;
      generation = generation_.load(std::memory_order_relaxed);
    }
    const TokenEntry* match = FindEntry(*table, admission.digest_);
    if (match == nullptr) {
      CountFailure(AuthFailure::kRevoked);
      return Revoked("retiré du fichier des jetons", "removed from the token file");
    }
    // The actor recorded on events and every check of the call were decided for the
    // principal admitted: a token that now stands for another one must call again.
    if (match->principal != admission.principal_) {
      CountFailure(AuthFailure::kRevoked);
      return Revoked("il désigne désormais un autre utilisateur, rôle ou liste de Caf",
                     "it now stands for another user, role or Caf list");
    }
    admission.expires_at_ = match->expires_at;  // a reload may move it, either way
    admission.generation_ = generation;
  }
  if (now >= admission.expires_at_) {
    CountFailure(AuthFailure::kExpired);
    return Revoked("son expiration est passée", "it has expired");
  }
  return absl::OkStatus();
}

void Authenticator::Reload(TokenTable table) {
  auto fresh = std::make_shared<const TokenTable>(std::move(table));
  std::shared_ptr<const TokenTable> old;
  {
    absl::MutexLock lock(&mutex_);
    old = std::exchange(table_, std::move(fresh));
    generation_.fetch_add(1, std::memory_order_release);
  }
  // `old` is released here, outside the lock, unless a call in flight still holds it.
}

uint64_t Authenticator::generation() const { return generation_.load(std::memory_order_acquire); }

size_t Authenticator::entry_count() const {
  absl::ReaderMutexLock lock(&mutex_);
  return table_->entries().size();
}

std::array<uint64_t, kAuthFailureCount> Authenticator::failures() const {
  std::array<uint64_t, kAuthFailureCount> out;
  for (size_t i = 0; i < kAuthFailureCount; ++i) {
    out[i] = failures_[i].load(std::memory_order_relaxed);
  }
  return out;
}

void Authenticator::CountFailure(AuthFailure failure) const {
  const size_t index = static_cast<size_t>(failure);
  CLAS_CHECK(index < kAuthFailureCount) << "AuthFailure " << index;
  failures_[index].fetch_add(1, std::memory_order_relaxed);
}

// ---------------------------------------------------------------------------------------------
// Authorisation

absl::Status Authorize(const Principal& principal, Action action, std::string_view caf_id) {
  const ActionRule& rule = RuleOf(action);
  if (!Granted(principal.role, rule)) return RoleDenied(principal.role, action);
  switch (rule.caf_scope) {
    case CafScope::kRequired:
      if (caf_id.empty()) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "la requête doit nommer sa Caf (caf_id) pour l'action %s (the request must name "
            "its Caf (caf_id) for action %s)",
            ActionName(action), ActionName(action)));
      }
      break;
    case CafScope::kOptional:
      if (caf_id.empty()) return absl::OkStatus();
      break;
    case CafScope::kNone:
      if (!caf_id.empty()) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "l'action %s ne concerne aucune Caf : la requête ne doit pas en nommer (action %s "
            "concerns no Caf: the request must not name one)",
            ActionName(action), ActionName(action)));
      }
      return absl::OkStatus();
  }
  if (!ActsFor(principal, caf_id)) return CafDenied(principal.role, action, caf_id);
  return absl::OkStatus();
}

bool MayRead(const Principal& principal, std::string_view caf_id) {
  if (!Granted(principal.role, RuleOf(Action::kRead))) return false;
  return caf_id.empty() || ActsFor(principal, caf_id);
}

absl::Status AuthorizeLedgerAppend(const Principal& principal, std::string_view stream_id) {
  if (!Granted(principal.role, RuleOf(Action::kLedgerAppend))) {
    return RoleDenied(principal.role, Action::kLedgerAppend);
  }
  const std::string prefix = absl::StrCat(Absl(kExtStreamPrefix), principal.user_id, "/");
  if (stream_id.size() > prefix.size() && absl::StartsWith(Absl(stream_id), prefix)) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrFormat(
      "le rôle service n'écrit que dans ses flux, sous %s (role service may only append to its "
      "own streams, under %s)",
      prefix, prefix));
}

}  // namespace clas::server
