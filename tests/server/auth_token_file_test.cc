// server/auth: the token file, parsed (ParseTokenFile) and loaded (LoadTokenFile).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "server/auth.h"
#include "server/auth_test_util.h"

namespace clas::server {
namespace {

using ::clas::server::testing::TokenLine;

// One line per entry: "line <n>: <user> <role> <cafs> <expiry>".
std::string Render(const TokenTable& table) {
  std::string text;
  for (const TokenEntry& entry : table.entries()) {
    const Principal& p = entry.principal;
    const std::string expiry =
        entry.expires_at == absl::InfiniteFuture()
            ? "never"
            : absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", entry.expires_at, absl::UTCTimeZone());
    absl::StrAppendFormat(&text, "line %d: %s %s %s %s\n", entry.line, p.user_id, RoleName(p.role),
                          p.all_cafs ? "*" : absl::StrJoin(p.cafs, ","), expiry);
  }
  return text;
}

std::string Message(const absl::StatusOr<TokenTable>& table) {
  return table.ok() ? "ok" : std::string(table.status().message());
}

TEST(ParseTokenFile, ReadsEntriesCommentsAndBlankLines) {
  const std::string text = absl::StrCat(
      "# Caf de Paris — agents et contrôleurs\n",                                     // 1
      "\n",                                                                           // 2
      TokenLine("t1", "a.martin agent caf-75"),                                       // 3
      "   # indented comment\r\n",                                                    // 4
      "\t", TokenLine("t2", "c.durand\tcontroleur  caf-75,caf-13\t"),                 // 5
      TokenLine("t3", "cour-des-comptes auditeur * expires=2027-01-01T00:00:00Z\r"),  // 6
      TokenLine("t4", "svc-paie service caf-75"),                                     // 7
      TokenLine("t5", "cnaf-bareme cnaf *"),                                          // 8
      TokenLine("t6", "a.martin agent caf-75 expires=2026-12-31T23:59:59Z"));         // 9
  absl::StatusOr<TokenTable> table = ParseTokenFile(text);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(Render(*table),
            "line 3: a.martin agent caf-75 never\n"
            "line 5: c.durand controleur caf-13,caf-75 never\n"
            "line 6: cour-des-comptes auditeur * 2027-01-01T00:00:00Z\n"
            "line 7: svc-paie service caf-75 never\n"
            "line 8: cnaf-bareme cnaf * never\n"
            "line 9: a.martin agent caf-75 2026-12-31T23:59:59Z\n");
  EXPECT_EQ(table->entries()[0].digest.size(), kTokenDigestBytes);
}

TEST(ParseTokenFile, AnEmptyFileIsAnEmptyTable) {
  for (const std::string text : {"", "\n", "# nobody yet\n\n"}) {
    absl::StatusOr<TokenTable> table = ParseTokenFile(text);
    ASSERT_TRUE(table.ok()) << table.status();
    EXPECT_TRUE(table->entries().empty());
  }
}

struct BadLineCase {
  std::string line;      // the whole file
  std::string expected;  // the message after "token file has 1 error:\n"
};

TEST(ParseTokenFile, NamesWhatIsWrongOnEachBadLine) {
  const std::string hash = HashToken("t1");
  const std::string hex = hash.substr(7);
  const std::string bad_hash =
      "line 1: the first field must be \"sha256:\" and 64 lowercase hex digits, the token's hash "
      "(never the token)";
  const std::string bad_user =
      "line 1: the user id must be 1 to 64 letters, digits, '.', '_' or '-', starting with a "
      "letter or digit";
  const std::string bad_expiry =
      "line 1: the fifth field must be expires=YYYY-MM-DDTHH:MM:SSZ, a real UTC instant";
  std::string many_cafs = "caf-0";
  for (int i = 1; i <= 128; ++i) absl::StrAppend(&many_cafs, ",caf-", i);
  const BadLineCase cases[] = {
      {"s3cr3t-clear-token u agent caf-75", bad_hash},
      {"sha256:" + std::string(hex.size(), 'A') + " u agent caf-75", bad_hash},
      {"sha256:" + hex.substr(1) + " u agent caf-75", bad_hash},
      {"sha256:" + hex + "0 u agent caf-75", bad_hash},
      {"sha1:" + hex + " u agent caf-75", bad_hash},
      {hash + " a/b agent caf-75", bad_user},
      {hash + " -ab agent caf-75", bad_user},
      {hash + " " + std::string(65, 'u') + " agent caf-75", bad_user},
      {hash + " u admin caf-75",
       "line 1: unknown role \"admin\" (agent, controleur, auditeur, service, cnaf or replica)"},
      {hash + " u Agent caf-75",
       "line 1: unknown role \"Agent\" (agent, controleur, auditeur, service, cnaf or replica)"},
      {hash + " u agent *", "line 1: role agent may not have '*' (every Caf): list its Cafs"},
      {hash + " u controleur *",
       "line 1: role controleur may not have '*' (every Caf): list its Cafs"},
      {hash + " u agent caf-75,,caf-13",
       "line 1: Caf #2 of the list is not 1 to 64 letters, digits, '.', '_' or '-'"},
      {hash + " u agent caf-75,",
       "line 1: Caf #2 of the list is not 1 to 64 letters, digits, '.', '_' or '-'"},
      {hash + " u agent caf/75",
       "line 1: Caf #1 of the list is not 1 to 64 letters, digits, '.', '_' or '-'"},
      {hash + " u auditeur *,caf-75", "line 1: '*' must stand alone in the Caf list"},
      {hash + " u replica caf-75",
       "line 1: role replica copies the whole log: its Caf list must be '*'"},
      {hash + " u agent caf-75,caf-75", "line 1: Caf \"caf-75\" is listed twice"},
      {hash + " u agent " + many_cafs, "line 1: more than 128 Cafs in the Caf list"},
      {hash + " u agent",
       "line 1: expected 4 or 5 fields (hash, user id, role, Caf list, [expires=...]), found 3"},
      {hash + " u agent caf-75 expires=2027-01-01T00:00:00Z x",
       "line 1: expected 4 or 5 fields (hash, user id, role, Caf list, [expires=...]), found 6"},
      {hash + " u agent caf-75 expires=2026-02-30T00:00:00Z", bad_expiry},
      {hash + " u agent caf-75 expires=2026-13-01T00:00:00Z", bad_expiry},
      {hash + " u agent caf-75 expires=2026-01-01T24:00:00Z", bad_expiry},
      {hash + " u agent caf-75 expires=2026-06-30T23:59:60Z", bad_expiry},
      {hash + " u agent caf-75 expires=2026-01-01T00:00:00", bad_expiry},
      {hash + " u agent caf-75 expires=2026-01-01T00:00:00+01:00", bad_expiry},
      {hash + " u agent caf-75 expires=+026-01-01T00:00:00Z", bad_expiry},
      {hash + " u agent caf-75 expires=2026-1-01T00:00:00Z", bad_expiry},
      {hash + " u agent caf-75 expiry=2026-01-01T00:00:00Z", bad_expiry},
      {hash + " u agent caf-75 2026-01-01T00:00:00Z", bad_expiry},
      {hash + " u agent\x01 caf-75", "line 1: byte 0x01 at column 80 is not printable ASCII"},
      {hash + " u agent caf-75\xc3\xa9", "line 1: byte 0xc3 at column 87 is not printable ASCII"},
      {hash + " u agent caf-75 " + std::string(1024, 'x'), "line 1: longer than 1024 bytes"},
      {"# " + std::string(1023, 'x'), "line 1: longer than 1024 bytes"},
  };
  for (const BadLineCase& c : cases) {
    const absl::StatusOr<TokenTable> table = ParseTokenFile(c.line + "\n");
    EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument) << c.line;
    EXPECT_EQ(Message(table), "token file has 1 error:\n" + c.expected) << c.line;
    EXPECT_FALSE(absl::StrContains(Message(table), hex.substr(0, 16))) << "shows a hash";
    EXPECT_FALSE(absl::StrContains(Message(table), "s3cr3t")) << "shows a token";
  }
}

TEST(ParseTokenFile, ReportsEveryErrorAtOnceInLineOrder) {
  const std::string text =
      absl::StrCat(TokenLine("t1", "a.martin agent caf-75"),            // 1: good
                   TokenLine("t2", "b.petit boss caf-75"),              // 2: role
                   "# comment\n",                                       // 3
                   TokenLine("t3", "c.roux agent * expires=tomorrow"),  // 4: Cafs and expiry
                   TokenLine("t1", "d.blanc auditeur *"),               // 5: the hash of line 1
                   TokenLine("t6", "a.martin agent caf-13"),  // 6: user of line 1, other Cafs
                   TokenLine("t7", "a.martin agent caf-75"),  // 7: good (a rotation)
                   "sha256:zz e.noir agent caf-75\n");        // 8: hash
  EXPECT_EQ(Message(ParseTokenFile(text)),
            "token file has 6 errors:\n"
            "line 2: unknown role \"boss\" (agent, controleur, auditeur, service, cnaf or replica)\n"
            "line 4: role agent may not have '*' (every Caf): list its Cafs\n"
            "line 4: the fifth field must be expires=YYYY-MM-DDTHH:MM:SSZ, a real UTC instant\n"
            "line 5: this hash is already used on line 1\n"
            "line 6: user \"a.martin\" is declared on line 1 with another role or Caf list\n"
            "line 8: the first field must be \"sha256:\" and 64 lowercase hex digits, the "
            "token's hash (never the token)");
}

TEST(ParseTokenFile, ListsTheFirstErrorsAndCountsTheRest) {
  std::string text;
  for (int i = 0; i < 60; ++i) absl::StrAppend(&text, "bad line\n");
  const std::string message = Message(ParseTokenFile(text));
  EXPECT_TRUE(absl::StartsWith(message, "token file has 60 errors:\nline 1: expected 4 or 5"))
      << message;
  EXPECT_TRUE(absl::StrContains(message, "\nline 50: ")) << message;
  EXPECT_FALSE(absl::StrContains(message, "\nline 51: ")) << message;
  EXPECT_TRUE(absl::EndsWith(message, "\n... and 10 more")) << message;
}

TEST(ParseTokenFile, RefusesMoreEntriesThanTheLimit) {
  std::string text;
  for (size_t i = 0; i <= kTokenEntriesMax + 1; ++i) {
    absl::StrAppend(&text, TokenLine(absl::StrCat("t", i), absl::StrCat("u", i, " agent caf-75")));
  }
  EXPECT_EQ(Message(ParseTokenFile(text)),
            "token file has 1 error:\nline 10001: more than 10000 entries");
}

TEST(ParseTokenFile, RefusesAFileLargerThanTheLimit) {
  const std::string text(kTokenFileBytesMax + 1, '#');
  EXPECT_EQ(Message(ParseTokenFile(text)), "token file has 1048577 bytes, more than 1048576");
}

// ---------------------------------------------------------------------------------------------
// LoadTokenFile

class LoadTokenFileTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text, mode_t mode) {
    const std::string path = ::testing::TempDir() + "auth_token_file_test_" + name;
    unlink(path.c_str());
    std::ofstream(path) << text;
    EXPECT_EQ(chmod(path.c_str(), mode), 0) << path;
    return path;
  }
};

TEST_F(LoadTokenFileTest, LoadsAFileOnlyItsOwnerMayWrite) {
  const std::string path = Write("good", TokenLine("t1", "a.martin agent caf-75"), 0640);
  absl::StatusOr<TokenTable> table = LoadTokenFile(path);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(Render(*table), "line 1: a.martin agent caf-75 never\n");
}

TEST_F(LoadTokenFileTest, NamesThePathInEachRefusal) {
  const std::string missing = ::testing::TempDir() + "auth_token_file_test_missing";
  EXPECT_EQ(LoadTokenFile(missing).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(LoadTokenFile(missing).status().message(), missing));

  const std::string bad = Write("bad", "x\n", 0600);
  EXPECT_EQ(LoadTokenFile(bad).status(),
            absl::InvalidArgumentError(absl::StrFormat(
                "token file %s: token file has 1 error:\nline 1: expected 4 or 5 fields (hash, "
                "user id, role, Caf list, [expires=...]), found 1",
                bad)));

  const std::string writable = Write("writable", "", 0620);
  EXPECT_EQ(LoadTokenFile(writable).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(LoadTokenFile(writable).status().message(),
                                absl::StrCat(writable, ": writable by group or others")));

  EXPECT_EQ(LoadTokenFile(::testing::TempDir()).status().code(),
            absl::StatusCode::kFailedPrecondition);

  const std::string fifo = ::testing::TempDir() + "auth_token_file_test_fifo";
  unlink(fifo.c_str());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(LoadTokenFile(fifo).status().code(), absl::StatusCode::kFailedPrecondition);  // no hang

  const std::string big = Write("big", std::string(kTokenFileBytesMax + 1, '#'), 0600);
  EXPECT_EQ(LoadTokenFile(big).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(LoadTokenFileTest, RefusesAFileItMayNotRead) {
  if (geteuid() == 0) GTEST_SKIP() << "root reads every file";
  const std::string path = Write("unreadable", "", 0200);
  EXPECT_EQ(LoadTokenFile(path).status().code(), absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace clas::server
