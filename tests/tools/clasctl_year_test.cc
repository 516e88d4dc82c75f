// clasctl year report (R-ACC-*) and controle simulate (R-CTL-2/3/4) against a real server
// holding RULES.md §7's worked example.
#include <fstream>

#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "projections/engine/request_key.h"
#include "tests/tools/clasctl_fixture.h"

namespace clas::testing {
namespace {

using ::testing::HasSubstr;

// ---- year report -----------------------------------------------------------------------------

TEST_F(ClasctlTest, YearReportCsvIsOneRowPerLineForAnAccountant) {
  WorkedExample();
  Ran ran = RunAs(Agent(), {"year", "report", kCaf, "2027", "--csv"});
  ASSERT_EQ(ran.code, 0) << ran.err;
  // RULES.md §7: acompte 4 200,00; solde 2 000,00 = 800,00 on the charge à payer + 1 200,00 on
  // the N+1 share (age 0); the 400,00 left of the charge à payer cancelled on the age-1 account;
  // the engagement of 6 000,00 reversed in month 12.
  EXPECT_EQ(ran.out,
            absl::StrCat("date,month,debit_account,credit_account,amount_eur,statistical_code,rule_id,"
            "convention_id,school_year,cause_event_id,label\n"
            "2027-02-01,2,SF 6562322410,Règlement gestionnaire,4200.00,81512214,R-ACC-2,conv-1,"
            "2026-2027,",
            RequestEventId("caf-75", "req-8", 0), ",Acompte 2026-2027\n"
            "2027-11-05,11,T 408143111,Règlement gestionnaire,800.00,81512214,R-ACC-5,conv-1,"
            "2026-2027,",
            RequestEventId("caf-75", "req-10", 0), ",Solde 2026-2027 : charge à payer 2026\n"
            "2027-11-05,11,SF 6562322410,Règlement gestionnaire,1200.00,81512214,R-ACC-5,conv-1,"
            "2026-2027,",
            RequestEventId("caf-75", "req-10", 0), ",Solde 2026-2027 : part 2027\n"
            "2027-11-05,11,T 408143111,SF 65623224191,400.00,81512214,R-ACC-5,conv-1,2026-2027,",
            RequestEventId("caf-75", "req-10", 0), ",Annulation reliquat charge à payer 2026 (2026-2027)\n"
            "2027-12-31,12,T 80182,T 8091,6000.00,81512214,R-ACC-4,conv-1,2026-2027,",
            RequestEventId("caf-75", "req-7", 0), ",Contrepassation engagement 6/10 2026-2027\n"));
}

TEST_F(ClasctlTest, YearReportOfAClosedYearShowsTheClosingAndBalances) {
  WorkedExample();
  Ran ran = RunAs(Agent(), {"year", "report", kCaf, "2026"});
  ASSERT_EQ(ran.code, 0) << ran.err;
  EXPECT_THAT(ran.out, HasSubstr("Exercice 2026 — Caf caf-75 — clos"));
  // R-ACC-3: charge à payer 4 000,00 − 2 800,00; R-ACC-4: engagement of 6/10 = 6 000,00.
  EXPECT_THAT(ran.out, HasSubstr("13 (clôture)  SF 6562322410  T 408143111             "
                                 "1 200,00 €  81512214  R-ACC-3"));
  EXPECT_THAT(ran.out, HasSubstr("  constatées (crédit)            1 200,00 €"));
  EXPECT_THAT(ran.out, HasSubstr("13 (clôture)  T 8091         T 80182                 "
                                 "6 000,00 €  81512214  R-ACC-4"));
  EXPECT_THAT(ran.out, HasSubstr("Contrôle d'équilibre (R-ACC-10) : équilibré"));
  EXPECT_THAT(ran.out, HasSubstr("paiements selon les événements   2 800,00 €"));

  Ran json = RunAs(Agent(), {"year", "report", kCaf, "2026", "--json"});
  ASSERT_EQ(json.code, 0) << json.err;
  v1::GetCivilYearResponse year;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.out, &year).ok());
  EXPECT_TRUE(year.closed());
  EXPECT_TRUE(year.balanced());
  EXPECT_EQ(year.payments_from_lines_cents(), Eur(2800));
  EXPECT_EQ(year.log_position(), Head());

  EXPECT_EQ(RunAs(Agent(), {"year", "report", kCaf, "twenty"}).code, 2);
  EXPECT_EQ(RunAs(Agent(), {"year", "report", kCaf}).code, 2);
}

// ---- controle simulate -----------------------------------------------------------------------

TEST_F(ClasctlTest, SimulationGivesAnInduOrARappel) {
  WorkedExample();
  // Controlled charges 24 000,00 €: PS 7 800,00 € against 9 000,00 € paid: indu 1 200,00 €.
  Ran indu = RunAs(Controleur(), {"controle", "simulate", "conv-1", "--caf", kCaf, "--year", "2026",
                                  "--collectifs", "3", "--charges", "24000"});
  ASSERT_EQ(indu.code, 0) << indu.err;
  EXPECT_THAT(indu.out, HasSubstr("rien n'est enregistré"));
  EXPECT_THAT(indu.out, HasSubstr("3  24 000,00 €  7 800,00 €  9 000,00 €  0,00 €  1 200,00 €"
                                  "  indu à recouvrer"));
  // Controlled figures equal to the forecast: PS 10 000,00 €, a rappel of 1 000,00 €.
  Ran rappel =
      RunAs(Controleur(), {"controle", "simulate", "conv-1", "--caf", kCaf, "--year", "2026",
                           "--collectifs", "3", "--charges", "30769,22", "--json"});
  ASSERT_EQ(rappel.code, 0) << rappel.err;
  v1::SimulateControleResponse response;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(rappel.out, &response).ok());
  ASSERT_EQ(response.outcomes_size(), 1);
  EXPECT_EQ(response.outcomes(0).dc().droit_cents(), Eur(10000));
  EXPECT_EQ(response.outcomes(0).rappel_cents(), Eur(1000));
  EXPECT_EQ(Head(), response.log_position());  // nothing written (R-CTL-4)
}

TEST_F(ClasctlTest, SimulationFromAFileOfControlledYears) {
  WorkedExample();
  const std::string path = (dir_ / "figures.json").string();
  std::ofstream(path) << R"([{"school_year": 2026,
                             "figures": {"collectifs": 3, "charges_cents": "2400000"}}])";
  Ran ran = RunAs(Controleur(), {"controle", "simulate", "conv-1", "--caf", kCaf, "--file", path});
  ASSERT_EQ(ran.code, 0) << ran.err;
  EXPECT_THAT(ran.out, HasSubstr("indu à recouvrer"));
  std::ofstream(path) << "[{\"school_year\": \"deux mille\"}]";
  EXPECT_EQ(
      RunAs(Controleur(), {"controle", "simulate", "conv-1", "--caf", kCaf, "--file", path}).code,
      2);
}

TEST_F(ClasctlTest, RefusedSimulationIsExitOneWithItsRules) {
  WorkedExample();
  Ran unknown_year = RunAs(Controleur(), {"controle", "simulate", "conv-1", "--caf", kCaf, "--year",
                                          "2027", "--collectifs", "3", "--charges", "24000"});
  EXPECT_EQ(unknown_year.code, 1);
  EXPECT_THAT(unknown_year.err, HasSubstr("R-CTL-1 (§4) school_year = 2027-2028"));
  // No bonus was granted by the comité (R-BON-3).
  Ran bonus =
      RunAs(Controleur(), {"controle", "simulate", "conv-1", "--caf", kCaf, "--year", "2026",
                           "--collectifs", "3", "--charges", "24000", "--bonus-enfants", "3"});
  EXPECT_EQ(bonus.code, 1);
  EXPECT_THAT(bonus.err, HasSubstr("R-BON-3"));
  // A service may not simulate, nor an agent of another Caf; usage mistakes are found before
  // any call.
  EXPECT_EQ(RunAs("service-demo", {"controle", "simulate", "conv-1", "--caf", kCaf, "--year",
                                   "2026", "--collectifs", "3", "--charges", "24000"})
                .code,
            1);
  EXPECT_EQ(RunAs(absl::StrCat("agent-", kOtherCaf),
                  {"controle", "simulate", "conv-1", "--caf", kCaf, "--year", "2026",
                   "--collectifs", "3", "--charges", "24000"})
                .code,
            1);
  EXPECT_EQ(RunAs(Controleur(), {"controle", "simulate", "conv-1", "--caf", kCaf, "--year", "2026",
                                 "--collectifs", "3"})
                .code,
            2);
  EXPECT_EQ(RunAs(Controleur(), {"controle", "simulate", "conv-1", "--caf", kCaf, "--year", "2026",
                                 "--collectifs", "3", "--charges", "24 000,123"})
                .code,
            2);
  EXPECT_EQ(RunAs(Controleur(), {"controle", "simulate", "conv-1", "--caf", kCaf, "--file",
                                 "f.json", "--year", "2026"})
                .code,
            2);
}

}  // namespace
}  // namespace clas::testing
