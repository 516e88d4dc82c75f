// server/auth: the role x action x Caf policy (Authorize, MayRead, AuthorizeLedgerAppend) and
// the authorisation of each action.
#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clas/v1/service.pb.h"
#include "server/auth.h"

namespace clas::server {
namespace {

constexpr Role kRoles[] = {Role::kAgent,   Role::kControleur, Role::kAuditeur,
                           Role::kService, Role::kCnaf,       Role::kReplica};
constexpr Action kActions[] = {
    Action::kCommand,       Action::kControleCommand, Action::kPublishBareme,
    Action::kRead,          Action::kSimulateControle, Action::kAudit,
    Action::kRecompute,     Action::kLedgerRead,      Action::kSubscribe,
    Action::kLedgerAppend,  Action::kReplicate,       Action::kUnknownMethod};

Principal Of(Role role, std::set<std::string> cafs) {
  return Principal{absl::StrFormat("%s-1", RoleName(role)), role, std::move(cafs), false};
}

Principal OfAllCafs(Role role) {
  return Principal{absl::StrFormat("%s-1", RoleName(role)), role, {}, true};
}

// '+' allowed, '-' PermissionDenied, '?' InvalidArgument, '!' anything else.
char Mark(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return '+';
    case absl::StatusCode::kPermissionDenied:
      return '-';
    case absl::StatusCode::kInvalidArgument:
      return '?';
    default:
      return '!';
  }
}

// One line per action; per role, three marks: for its own Caf, for another Caf, for no Caf.
std::string RenderMatrix(const std::function<Principal(Role)>& principal_of) {
  std::string text = absl::StrFormat("%-18s %-6s %-10s %-8s %-7s %-6s %s\n", "", "agent",
                                     "controleur", "auditeur", "service", "cnaf", "replica");
  for (const Action action : kActions) {
    std::vector<std::string> cells;
    for (const Role role : kRoles) {
      const Principal principal = principal_of(role);
      std::string cell;
      for (const std::string_view caf : {"caf-75", "caf-13", ""}) {
        cell.push_back(Mark(Authorize(principal, action, caf)));
      }
      cells.push_back(cell);
    }
    absl::StrAppendFormat(&text, "%-18s %-6s %-10s %-8s %-7s %-6s %s\n", ActionName(action),
                          cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]);
  }
  return text;
}

TEST(Authorize, MatrixForPrincipalsOfOneCaf) {
  // Own Caf caf-75, other Caf caf-13, no Caf "".
  EXPECT_EQ(RenderMatrix([](Role role) { return Of(role, {"caf-75"}); }),
            "                   agent  controleur auditeur service cnaf   replica\n"
            "command            +-?    ---        ---      ---     ---    ---\n"
            "controle_command   +-?    +-?        ---      ---     ---    ---\n"
            "publish_bareme     ---    ---        ---      ---     ??+    ---\n"
            "read               +-+    +-+        +-+      +-+     +-+    ---\n"
            "simulate_controle  +-?    +-?        +-?      ---     ---    ---\n"
            "audit              ---    ---        +-+      ---     ---    ---\n"
            "recompute          +-+    +-+        +-+      ---     ---    ---\n"
            "ledger_read        ---    ---        +-+      +-+     ---    ---\n"
            "subscribe          ---    ---        +-+      +-+     ---    ---\n"
            "ledger_append      ---    ---        ---      ??+     ---    ---\n"
            "replicate          ---    ---        ---      ---     ---    ??+\n"
            "unknown_method     ---    ---        ---      ---     ---    ---\n");
}

TEST(Authorize, MatrixForPrincipalsOfEveryCaf) {
  // Agents and contrôleurs may not have "*" in a token file; the policy would still honour it.
  EXPECT_EQ(RenderMatrix([](Role role) { return OfAllCafs(role); }),
            "                   agent  controleur auditeur service cnaf   replica\n"
            "command            ++?    ---        ---      ---     ---    ---\n"
            "controle_command   ++?    ++?        ---      ---     ---    ---\n"
            "publish_bareme     ---    ---        ---      ---     ??+    ---\n"
            "read               +++    +++        +++      +++     +++    ---\n"
            "simulate_controle  ++?    ++?        ++?      ---     ---    ---\n"
            "audit              ---    ---        +++      ---     ---    ---\n"
            "recompute          +++    +++        +++      ---     ---    ---\n"
            "ledger_read        ---    ---        +++      +++     ---    ---\n"
            "subscribe          ---    ---        +++      +++     ---    ---\n"
            "ledger_append      ---    ---        ---      ??+     ---    ---\n"
            "replicate          ---    ---        ---      ---     ---    ??+\n"
            "unknown_method     ---    ---        ---      ---     ---    ---\n");
}

TEST(Authorize, AgentOfSeveralCafsActsForEachOfThem) {
  const Principal agent = Of(Role::kAgent, {"caf-13", "caf-75"});
  EXPECT_TRUE(Authorize(agent, Action::kCommand, "caf-13").ok());
  EXPECT_TRUE(Authorize(agent, Action::kCommand, "caf-75").ok());
  EXPECT_EQ(Authorize(agent, Action::kCommand, "caf-69").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Authorize(agent, Action::kCommand, "caf-7").code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(Authorize, RefusalsNameTheRoleAndTheActionInFrenchAndEnglish) {
  EXPECT_EQ(Authorize(Of(Role::kAuditeur, {"caf-75"}), Action::kCommand, "caf-75").message(),
            "le rôle auditeur ne peut pas exécuter de commande (role auditeur may not run a "
            "command)");
  EXPECT_EQ(Authorize(Of(Role::kAgent, {"caf-75"}), Action::kCommand, "caf-13").message(),
            "le rôle agent ne peut pas exécuter de commande pour la Caf « caf-13 » (role agent "
            "may not run a command for Caf \"caf-13\")");
  EXPECT_EQ(Authorize(Of(Role::kAgent, {"caf-75"}), Action::kPublishBareme, "").message(),
            "le rôle agent ne peut pas publier le barème national (role agent may not publish "
            "the national barème)");
  // A request's Caf id is escaped and bounded (64 bytes) in the message.
  const std::string odd_caf = "\n" + std::string(100, 'x');
  const std::string message(
      Authorize(Of(Role::kAgent, {"caf-75"}), Action::kRead, odd_caf).message());
  EXPECT_NE(message.find("\"\\n" + std::string(63, 'x') + "...\""), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(MayRead, EveryRoleReadsItsCafsAndDataOfNoCaf) {
  for (const Role role : kRoles) {
    if (role == Role::kReplica) continue;  // below
    SCOPED_TRACE(RoleName(role));
    EXPECT_TRUE(MayRead(Of(role, {"caf-75"}), "caf-75"));
    EXPECT_FALSE(MayRead(Of(role, {"caf-75"}), "caf-13"));
    EXPECT_FALSE(MayRead(Of(role, {"caf-75"}), "caf-7"));
    EXPECT_TRUE(MayRead(Of(role, {"caf-75"}), ""));
    EXPECT_TRUE(MayRead(OfAllCafs(role), "caf-13"));
  }
}

TEST(MayRead, AReplicaReadsNothingThroughTheQueries) {
  // It copies the whole log with Ledger.Replicate, and may do nothing else.
  EXPECT_FALSE(MayRead(OfAllCafs(Role::kReplica), "caf-13"));
  EXPECT_FALSE(MayRead(OfAllCafs(Role::kReplica), ""));
}

struct AppendCase {
  Principal principal;
  std::string stream_id;
  absl::StatusCode expected;
};

TEST(AuthorizeLedgerAppend, AServiceWritesOnlyUnderItsOwnNamespace) {
  const Principal paie{"svc-paie", Role::kService, {"caf-75"}, false};
  const Principal stats{"svc-stats", Role::kService, {}, true};
  const Principal agent{"svc-paie", Role::kAgent, {"caf-75"}, false};
  constexpr auto kOk = absl::StatusCode::kOk;
  constexpr auto kDenied = absl::StatusCode::kPermissionDenied;
  const AppendCase cases[] = {
      {paie, "ext/svc-paie/virements", kOk},
      {paie, "ext/svc-paie/a/b", kOk},
      {paie, "ext/svc-paie/", kDenied},
      {paie, "ext/svc-paie", kDenied},
      {paie, "ext/svc-paiement/x", kDenied},
      {paie, "ext/svc-stats/x", kDenied},
      {paie, "EXT/svc-paie/x", kDenied},
      {paie, "convention/caf-75/c-1", kDenied},
      {paie, "", kDenied},
      {stats, "ext/svc-stats/daily", kOk},
      {stats, "ext/svc-paie/x", kDenied},
      {agent, "ext/svc-paie/x", kDenied},
      {Principal{"cnaf-bareme", Role::kCnaf, {}, true}, "ext/cnaf-bareme/x", kDenied},
  };
  for (const AppendCase& c : cases) {
    EXPECT_EQ(AuthorizeLedgerAppend(c.principal, c.stream_id).code(), c.expected)
        << c.principal.user_id << " " << RoleName(c.principal.role) << " -> " << c.stream_id;
  }
  EXPECT_EQ(AuthorizeLedgerAppend(paie, "ext/svc-stats/x").message(),
            "le rôle service n'écrit que dans ses flux, sous ext/svc-paie/ (role service may only "
            "append to its own streams, under ext/svc-paie/)");
  EXPECT_EQ(AuthorizeLedgerAppend(agent, "ext/svc-paie/x").message(),
            "le rôle agent ne peut pas écrire dans le journal (role agent may not append to the "
            "ledger)");
}

// An action no handler names (security.cc's fallback) is granted to no role.
TEST(Authorize, AnUnknownMethodIsGrantedToNoRole) {
  for (const Role role : kRoles) {
    EXPECT_EQ(Authorize(OfAllCafs(role), Action::kUnknownMethod, "").code(),
              absl::StatusCode::kPermissionDenied);
  }
}

TEST(RoleOfName, ReadsBackEveryRoleName) {
  for (const Role role : kRoles) EXPECT_EQ(RoleOfName(RoleName(role)), role);
  EXPECT_EQ(RoleOfName("Agent"), std::nullopt);
  EXPECT_EQ(RoleOfName("contrôleur"), std::nullopt);
  EXPECT_EQ(RoleOfName(""), std::nullopt);
}

}  // namespace
}  // namespace clas::server
