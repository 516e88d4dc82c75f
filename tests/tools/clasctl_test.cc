// clasctl: the command line (usage, help, exit codes), its text building blocks, and the
// convention commands against a real server holding RULES.md §7's worked example.
#include <cstdlib>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "projections/engine/request_key.h"
#include "tests/tools/clasctl_fixture.h"
#include "tools/clasctl/progress.h"
#include "tools/clasctl/text.h"

namespace clas::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

template <typename Message>
Message FromJson(const std::string& json) {
  Message message;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &message);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return message;
}

// ---- Text ------------------------------------------------------------------------------------

TEST(ClasctlText, EurosParseExactlyAndPrintTheFrenchWay) {
  EXPECT_EQ(*ctl::ParseEuros("1234,56"), 123456);
  EXPECT_EQ(*ctl::ParseEuros("1 234.5"), 123450);
  EXPECT_EQ(*ctl::ParseEuros("24000"), 2400000);
  EXPECT_EQ(*ctl::ParseEuros("0,01"), 1);
  for (const char* bad : {"", "12,345", "-5", "1e3", "12,", ",5", "douze"}) {
    EXPECT_FALSE(ctl::ParseEuros(bad).ok()) << bad;
  }
  EXPECT_EQ(ctl::Eur(123456), "1 234,56 €");
  EXPECT_EQ(ctl::EurDot(123456), "1234.56");
  EXPECT_EQ(ctl::Day(20261015), "15/10/2026");
  EXPECT_EQ(ctl::IsoDay(20261015), "2026-10-15");
}

TEST(ClasctlText, InstantsAreRfc3339OrMicroseconds) {
  EXPECT_EQ(*ctl::ParseInstant("1700000000000000"), 1700000000000000);
  EXPECT_EQ(*ctl::ParseInstant("2023-11-14T22:13:20Z"), 1700000000000000);
  EXPECT_EQ(*ctl::ParseInstant("2023-11-14T23:13:20+01:00"), 1700000000000000);
  EXPECT_FALSE(ctl::ParseInstant("yesterday").ok());
  EXPECT_FALSE(ctl::ParseDay("2026-02-30").ok());  // strictly a real day
}

TEST(ClasctlText, TablesAlignOnCodePointsAndQuoteCsvFields) {
  ctl::Table t({{"compte"}, {"montant", ctl::Table::Align::kRight}});
  t.AddRow({"Règlement", "1 200,00 €"});
  t.AddRow({"T 8091", "5,00 €"});
  EXPECT_EQ(t.Render(),
            "compte        montant\n"
            "---------  ----------\n"
            "Règlement  1 200,00 €\n"
            "T 8091         5,00 €\n");
  ctl::Table csv({{"a"}, {"b"}});
  csv.AddRow({"x,y", "say \"hi\""});
  EXPECT_EQ(csv.Csv(), "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n");
}

TEST(ClasctlText, ProgressLineShowsRateAndTimeLeft) {
  const std::string line =
      ctl::Progress::Line("verify", "events", 5000, 10000, absl::Seconds(2), 10);
  EXPECT_EQ(line, "verify [#####-----]  50 %  5 000 / 10 000 events  2 500 events/s  3s left");
  // Not a terminal: nothing is drawn.
  std::ostringstream err;
  {
    ctl::Progress quiet(err, /*enabled=*/false, "stats", "events", 10);
    quiet.Update(5);
  }
  EXPECT_EQ(err.str(), "");
}

// ---- Command line ----------------------------------------------------------------------------

TEST(ClasctlUsage, HelpIsOkAndMistakesAreUsageErrors) {
  Ran help = ClasctlTest::Run({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_THAT(help.out, HasSubstr("convention show ID"));
  EXPECT_THAT(help.out, HasSubstr("Exit codes"));
  Ran show_help = ClasctlTest::Run({"convention", "show", "--help"});
  EXPECT_EQ(show_help.code, 0);
  EXPECT_THAT(show_help.out, HasSubstr("--known-at INSTANT"));
  EXPECT_EQ(ClasctlTest::Run({"convention", "--help"}).code, 0);

  EXPECT_EQ(ClasctlTest::Run({}).code, 2);
  EXPECT_EQ(ClasctlTest::Run({"frobnicate"}).code, 2);
  EXPECT_EQ(ClasctlTest::Run({"convention"}).code, 2);
  EXPECT_EQ(ClasctlTest::Run({"convention", "show"}).code, 2);                 // no ID
  EXPECT_EQ(ClasctlTest::Run({"convention", "show", "c", "--frob"}).code, 2);  // unknown flag
  EXPECT_EQ(ClasctlTest::Run({"convention", "show", "c", "--year", "2026"}).code, 2);
  Ran no_caf = ClasctlTest::Run({"convention", "show", "c", "--token-file", "/nonexistent"});
  EXPECT_EQ(no_caf.code, 2);
  EXPECT_THAT(no_caf.err, HasSubstr("needs --caf"));
  Ran bad_date =
      ClasctlTest::Run({"convention", "show", "c", "--caf", "caf-75", "--as-of", "2026-02-30"});
  EXPECT_EQ(bad_date.code, 2);
  EXPECT_THAT(bad_date.err, HasSubstr("--as-of"));
  EXPECT_EQ(ClasctlTest::Run({"convention", "list", "--caf", "x", "--json", "--csv"}).code, 2);
}

TEST(ClasctlUsage, UnreachableServerIsExitThree) {
  unsetenv("CLAS_TOKEN");
  // Port 1 on loopback: nothing listens there.
  Ran ran = ClasctlTest::Run({"convention", "show", "conv-1", "--caf", "caf-75", "--server",
                              "127.0.0.1:1", "--timeout", "5"});
  // No token is a usage error, found before any call.
  EXPECT_EQ(ran.code, 2);
  setenv("CLAS_TOKEN", "clas_sometoken", 1);
  ran = ClasctlTest::Run({"convention", "show", "conv-1", "--caf", "caf-75", "--server",
                          "127.0.0.1:1", "--timeout", "5"});
  unsetenv("CLAS_TOKEN");
  EXPECT_EQ(ran.code, 3) << ran.err;
  EXPECT_THAT(ran.err, HasSubstr("UNAVAILABLE"));
  // An unreadable token file is I/O.
  EXPECT_EQ(ClasctlTest::Run({"verify", "--token-file", "/nonexistent/token"}).code, 3);
}

// ---- Conventions -----------------------------------------------------------------------------

TEST_F(ClasctlTest, ShowSummarisesTheConventionWithItsLogPosition) {
  WorkedExample();
  Ran ran = RunAs(Agent(), {"convention", "show", "conv-1", "--caf", kCaf});
  ASSERT_EQ(ran.code, 0) << ran.err;
  EXPECT_THAT(ran.out, HasSubstr("Convention conv-1 — Caf caf-75 — soldée"));
  EXPECT_THAT(ran.out, HasSubstr("asso-1 « Association asso-1 », association"));
  EXPECT_THAT(ran.out, HasSubstr("validé le 01/07/2026 (pour validation) : 3 collectifs"));
  EXPECT_THAT(ran.out, HasSubstr("15/10/2026  a1        2 800,00 €  2026      N"));
  EXPECT_THAT(ran.out, HasSubstr("exercice 2027 (part N+1, R-PAY-3) : versé 4 200,00 € sur "
                                 "4 200,00 €, reste 0,00 €"));
  EXPECT_THAT(ran.out, HasSubstr("Solde         2 000,00 € versé le 05/11/2027 (s1)"));
  // DP and DR side by side: PS 10 000,00 € forecast, 9 000,00 € final.
  EXPECT_THAT(ran.out, HasSubstr("PS                         10 000,00 €   9 000,00 €"));
  EXPECT_THAT(ran.out, HasSubstr(absl::StrCat("position ", Head(), " du journal")));

  // As of 1 December 2026, neither the second acompte nor the solde had happened.
  Ran before =
      RunAs(Agent(), {"convention", "show", "conv-1", "--caf", kCaf, "--as-of", "2026-12-01"});
  ASSERT_EQ(before.code, 0) << before.err;
  EXPECT_THAT(before.out, HasSubstr("signée"));
  EXPECT_THAT(before.out, Not(HasSubstr("a2 ")));
  EXPECT_THAT(before.out, HasSubstr("Solde         non versé"));
}

TEST_F(ClasctlTest, ShowJsonParsesBackToTheProto) {
  WorkedExample();
  Ran ran = RunAs(Agent(), {"convention", "show", "conv-1", "--caf", kCaf, "--json"});
  ASSERT_EQ(ran.code, 0) << ran.err;
  auto response = FromJson<v1::GetConventionResponse>(ran.out);
  EXPECT_EQ(response.log_position(), Head());
  auto state = server_->engine().GetConvention(kCaf, "conv-1", AsOf{});
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(response.convention(), *state));
}

TEST_F(ClasctlTest, RefusalsAreExitOne) {
  WorkedExample();
  Ran missing = RunAs(Agent(), {"convention", "show", "nope", "--caf", kCaf});
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("NOT_FOUND"));
  // Another Caf's agent may not read caf-75.
  Ran foreign = RunAs("agent-caf-13", {"convention", "show", "conv-1", "--caf", kCaf});
  EXPECT_EQ(foreign.code, 1);
  EXPECT_THAT(foreign.err, HasSubstr("PERMISSION_DENIED"));
}

TEST_F(ClasctlTest, ListFollowsPagesInTableCsvAndJson) {
  WorkedExample();
  Signed("conv-2", "asso-2");
  Signed("conv-3", "asso-3");
  Ran table = RunAs(Agent(), {"convention", "list", "--caf", kCaf, "--page-size", "1"});
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("conv-1      asso-1        Association asso-1  soldée"));
  EXPECT_THAT(table.out, HasSubstr("conv-3"));
  EXPECT_THAT(table.out, HasSubstr("3 convention(s)"));

  Ran csv = RunAs(Agent(), {"convention", "list", "--caf", kCaf, "--csv", "--status", "signee"});
  ASSERT_EQ(csv.code, 0) << csv.err;
  EXPECT_EQ(csv.out,
            "caf_id,convention_id,gestionnaire_id,gestionnaire_name,status,first_school_year,"
            "last_school_year,paid_eur,indus_open_eur\n"
            "caf-75,conv-2,asso-2,Association asso-2,signee,2026-2027,2026-2027,0.00,0.00\n"
            "caf-75,conv-3,asso-3,Association asso-3,signee,2026-2027,2026-2027,0.00,0.00\n");

  Ran json = RunAs(Agent(), {"convention", "list", "--caf", kCaf, "--json", "--page-size", "2"});
  ASSERT_EQ(json.code, 0) << json.err;
  auto all = FromJson<v1::ListConventionsResponse>(json.out);
  ASSERT_EQ(all.conventions_size(), 3);
  EXPECT_EQ(all.conventions(0).paid_cents(), Eur(9000));
  EXPECT_EQ(all.next_page_token(), "");
  EXPECT_EQ(RunAs(Agent(), {"convention", "list", "--caf", kCaf, "--status", "x"}).code, 2);
}

TEST_F(ClasctlTest, HistoryIsATimelineWithActorsAndAmounts) {
  WorkedExample();
  Ran ran = RunAs("auditeur", {"convention", "history", "conv-1", "--caf", kCaf});
  ASSERT_EQ(ran.code, 0) << ran.err;
  EXPECT_THAT(ran.out, HasSubstr("Historique de la convention conv-1 — Caf caf-75 — 7 événements"));
  EXPECT_THAT(ran.out, HasSubstr("15/10/2026  acompte payé  par agent-caf-75 (agent)"));
  EXPECT_THAT(ran.out,
              HasSubstr("a1, 2026-2027 : 2 800,00 € sur l'exercice 2026 (plafond 2 800,00 €"));
  EXPECT_THAT(ran.out,
              HasSubstr("s1, 2026-2027 : 2 000,00 € (DR 9 000,00 € − acomptes 7 000,00 €)"));

  Ran json = RunAs("auditeur", {"convention", "history", "conv-1", "--caf", kCaf, "--json"});
  ASSERT_EQ(json.code, 0) << json.err;
  std::vector<std::string> lines = absl::StrSplit(json.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 7u);
  auto last = FromJson<v1::ReplayHistoryItem>(lines.back());
  EXPECT_EQ(last.event().event_type(), "solde_paid");
  EXPECT_EQ(last.state_after().status(), v1::SOLDEE);
}

TEST_F(ClasctlTest, HistoryMarksCancellationsAndShowsWarnings) {
  Signed("conv-2", "asso-2", /*action_start=*/20260915);  // before the Toussaint: R-ELIG-8
  v1::PayAcompte acompte;
  acompte.set_caf_id(kCaf);
  acompte.set_convention_id("conv-2");
  acompte.set_payment_id("a1");
  acompte.set_school_year(2026);
  acompte.set_amount_cents(Eur(1000));
  acompte.set_date(20261015);
  Do(acompte, &Engine::PayAcompte);
  const std::string paid = RequestEventId(kCaf, absl::StrCat("req-", requests_), 0);
  v1::CorrectEvent cancel;
  cancel.set_caf_id(kCaf);
  cancel.set_convention_id("conv-2");
  cancel.set_target_event_id(paid);
  cancel.set_reason("montant saisi deux fois");
  cancel.set_cancel(true);
  Do(cancel, &Engine::CorrectEvent);

  Ran ran = RunAs("auditeur", {"convention", "history", "conv-2", "--caf", kCaf});
  ASSERT_EQ(ran.code, 0) << ran.err;
  EXPECT_THAT(ran.out, HasSubstr("    avertissement R-ELIG-8 (§2.1)"));
  EXPECT_THAT(ran.out,
              HasSubstr(absl::StrCat("    ANNULÉ par ",
                                     RequestEventId(kCaf, absl::StrCat("req-", requests_), 0))));
  EXPECT_THAT(ran.out, HasSubstr(absl::StrCat("annule ", paid, " (montant saisi deux fois)")));
  Ran show = RunAs(Agent(), {"convention", "show", "conv-2", "--caf", kCaf});
  ASSERT_EQ(show.code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("Avertissements\n  R-ELIG-8 (§2.1)"));
  EXPECT_THAT(show.out, HasSubstr("versé 0,00 € sur 2 800,00 €"));  // the cancelled acompte
}

TEST_F(ClasctlTest, DiffShowsChangesAndTheEventsResponsible) {
  WorkedExample();
  Ran ran = RunAs("auditeur",
                  {"convention", "diff", "conv-1", "2026-12-01", "2027-12-31", "--caf", kCaf});
  ASSERT_EQ(ran.code, 0) << ran.err;
  EXPECT_THAT(ran.out,
              HasSubstr("status                                         signée      soldée"));
  EXPECT_THAT(ran.out, HasSubstr("years[0].solde.amount_cents"));
  EXPECT_THAT(ran.out, HasSubstr("2 000,00 €"));
  EXPECT_THAT(ran.out, HasSubstr("solde payé    agent-caf-75 (agent)"));
  EXPECT_THAT(ran.out, Not(HasSubstr("events[")));  // bookkeeping hidden without --all
  Ran all = RunAs("auditeur", {"convention", "diff", "conv-1", "2026-12-01", "2027-12-31", "--caf",
                               kCaf, "--all"});
  EXPECT_THAT(all.out, HasSubstr("events["));
  EXPECT_EQ(
      RunAs("auditeur", {"convention", "diff", "conv-1", "2027-12-31", "2026-12-01", "--caf", kCaf})
          .code,
      2);
}

TEST_F(ClasctlTest, TalksTlsWithTheGivenRootCertificate) {
  const std::string key = (dir_ / "key.pem").string(), cert = (dir_ / "cert.pem").string();
  const std::string openssl = absl::StrCat(
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext "
      "subjectAltName=DNS:localhost -keyout ",
      key, " -out ", cert, " >/dev/null 2>&1");
  if (std::system(openssl.c_str()) != 0) GTEST_SKIP() << "no openssl command to make a certificate";
  WorkedExample();
  StopServer();
  config_.tls_cert_file = cert;
  config_.tls_key_file = key;
  StartServer();
  const std::string server = absl::StrCat("localhost:", server_->port());
  const std::string tokens = config_.tokens_file + ".clear";
  Ran tls = Run({"convention", "show", "conv-1", "--caf", kCaf, "--server", server, "--tls-ca",
                 cert, "--token-file", tokens, "--as", Agent()});
  EXPECT_EQ(tls.code, 0) << tls.err;
  EXPECT_THAT(tls.out, HasSubstr("Convention conv-1"));
  // Plain text to a TLS server gets no answer.
  Ran plain = Run({"convention", "show", "conv-1", "--caf", kCaf, "--server", server,
                   "--token-file", tokens, "--as", Agent(), "--timeout", "5"});
  EXPECT_EQ(plain.code, 3) << plain.err;
}

}  // namespace
}  // namespace clas::testing
