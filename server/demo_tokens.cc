#include "server/demo_tokens.h"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ledger/base/status_macros.h"
#include "server/auth.h"

namespace clas::server {
namespace {

absl::Status WritePrivate(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "wx");
  if (f == nullptr) return absl::UnavailableError(absl::StrCat("cannot create ", path));
  ::chmod(path.c_str(), 0600);
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok) return absl::UnavailableError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace

absl::Status EnsureDemoTokens(const std::string& tokens_path,
                              const std::vector<std::string>& cafs) {
  struct stat st;
  if (::stat(tokens_path.c_str(), &st) == 0) return absl::OkStatus();
  struct User { std::string id, role, cafs; };
  std::vector<User> users;
  for (const auto& caf : cafs) {
    users.push_back({absl::StrCat("agent-", caf), "agent", caf});
    users.push_back({absl::StrCat("controleur-", caf), "controleur", caf});
  }
  users.push_back({"auditeur", "auditeur", "*"});
  users.push_back({"service-demo", "service", "*"});
  users.push_back({"cnaf-bareme", "cnaf", "*"});
  users.push_back({"replica-demo", "replica", "*"});  // a follower node (--follow)
  std::string hashed = "# clas-ledger demo tokens (hashes only). See the .clear file.\n";
  std::string clear = "# demo tokens in clear: user token\n";
  for (const auto& u : users) {
    ASSIGN_OR_RETURN(std::string token, GenerateToken());
    absl::StrAppend(&hashed, HashToken(token), " ", u.id, " ", u.role, " ", u.cafs, "\n");
    absl::StrAppend(&clear, u.id, " ", token, "\n");
  }
  RETURN_IF_ERROR(WritePrivate(tokens_path, hashed));
  return WritePrivate(tokens_path + ".clear", clear);
}

absl::StatusOr<std::string> DemoToken(const std::string& tokens_path, const std::string& user_id) {
  std::ifstream in(tokens_path + ".clear");
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> parts = absl::StrSplit(line, ' ');
    if (parts.size() == 2 && parts[0] == user_id) return parts[1];
  }
  return absl::NotFoundError(absl::StrCat("no demo token for ", user_id, " in ", tokens_path,
                                          ".clear"));
}

}  // namespace clas::server
