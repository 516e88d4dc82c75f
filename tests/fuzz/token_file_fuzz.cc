// Fuzz target: the token file parser of the server (server/auth_token_file.cc, grammar in
// server/auth.h) and the authentication of a bearer header against what it parsed.
//
// Properties, beyond "no crash, no undefined behaviour":
//   - a table that parses keeps the file's rules: digests of kTokenDigestBytes, distinct; user
//     ids and Caf ids of the grammar's characters and lengths; one role and Caf list per user
//     id; no "*" for agent or controleur; at most kTokenEntriesMax entries;
//   - a refusal is InvalidArgument and never repeats the hex of a hash field of the file;
//   - an unknown token never authenticates.
#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "server/auth.h"
#include "tests/fuzz/fuzz_support.h"

namespace clas::fuzz {
namespace {

using server::Principal;
using server::Role;
using server::TokenEntry;

bool IsIdText(const std::string& id, size_t bytes_max) {
  if (id.empty() || id.size() > bytes_max) return false;
  for (const char c : id) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

void CheckTable(const server::TokenTable& table) {
  FUZZ_CHECK(table.entries().size() <= server::kTokenEntriesMax, "too many entries");
  std::set<std::string> digests;
  std::map<std::string, const Principal*> by_user;
  for (const TokenEntry& entry : table.entries()) {
    const Principal& p = entry.principal;
    FUZZ_CHECK(entry.digest.size() == server::kTokenDigestBytes, p.user_id);
    FUZZ_CHECK(digests.insert(entry.digest).second, "a digest on two lines");
    FUZZ_CHECK(entry.line >= 1, p.user_id);
    FUZZ_CHECK(IsIdText(p.user_id, server::kUserIdBytesMax), p.user_id);
    FUZZ_CHECK(p.all_cafs != !p.cafs.empty(), p.user_id);
    FUZZ_CHECK(p.cafs.size() <= server::kCafsPerEntryMax, p.user_id);
    for (const std::string& caf : p.cafs) {
      FUZZ_CHECK(IsIdText(caf, kCafIdBytesMax), caf);
    }
    FUZZ_CHECK(!(p.all_cafs && (p.role == Role::kAgent || p.role == Role::kControleur)),
               p.user_id);
    auto [it, inserted] = by_user.emplace(p.user_id, &p);
    FUZZ_CHECK(inserted || *it->second == p, "user id with two grants: " + p.user_id);
  }
}

// Each hash of the file: 64 hex digits after "sha256:" (in either case: a wrong case is still a
// hash to keep secret). Other text after "sha256:" may well appear in a message, which quotes
// the grammar.
std::vector<std::string> HashFields(std::string_view text) {
  std::vector<std::string> out;
  const std::string_view prefix = server::kTokenHashPrefix;
  for (size_t at = text.find(prefix); at != std::string_view::npos;
       at = text.find(prefix, at + 1)) {
    const std::string_view hex = text.substr(at + prefix.size(), 2 * server::kTokenDigestBytes);
    if (hex.size() == 2 * server::kTokenDigestBytes &&
        std::all_of(hex.begin(), hex.end(), [](char c) { return absl::ascii_isxdigit(c); })) {
      out.emplace_back(hex);
    }
  }
  return out;
}

}  // namespace
}  // namespace clas::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clas;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<server::TokenTable> table = server::ParseTokenFile(text);
  if (!table.ok()) {
    FUZZ_CHECK(table.status().code() == absl::StatusCode::kInvalidArgument,
               table.status().ToString());
    const std::string message(table.status().message());
    for (const std::string& hex : fuzz::HashFields(text)) {
      FUZZ_CHECK(!absl::StrContains(message, hex), "the message shows a hash field");
    }
    return 0;
  }
  fuzz::CheckTable(*table);
  // A token drawn from the input: its hash is not in the table (a SHA-256 preimage would be
  // needed), so it must not authenticate, whatever the header looks like.
  server::Authenticator authenticator(std::move(*table));
  const std::string header = "Bearer " + std::string(text.substr(0, 48));
  absl::StatusOr<server::Principal> principal = authenticator.Authenticate(header, absl::Now());
  FUZZ_CHECK(!principal.ok(), "an unknown token authenticated");
  FUZZ_CHECK(principal.status().code() == absl::StatusCode::kUnauthenticated,
             principal.status().ToString());
  return 0;
}
