// The CSV import format alone (tools/clasctl/import_csv.h): acts to requests, headers, request
// ids, the Caf, the bound on errors, the choice of format.
#include "tools/clasctl/import_csv.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clas/v1/service.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clas::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::StartsWith;

std::string RequestIdOf(const ctl::ImportLine& line) {
  const auto* field = line.request->GetDescriptor()->FindFieldByName("request_id");
  return line.request->GetReflection()->GetString(*line.request, field);
}

// "ligne:colonne:message" of every error, for assertions that read like the output.
std::vector<std::string> Errors(const ctl::ParsedImport& parsed) {
  std::vector<std::string> out;
  for (const ctl::ImportError& e : parsed.errors) {
    out.push_back(absl::StrCat(e.line_number, ":", e.column, ":", e.message));
  }
  return out;
}

TEST(ClasctlImportCsvFormat, EveryActBecomesItsConventionsRequest) {
  const std::string header =
      "acte;caf;convention;gestionnaire;nom;type de gestionnaire;date;année scolaire;"
      "collectifs;paiement;montant;charges;avenant;type d'avenant;issue;motif;recouvrement;indu;"
      "mode de recouvrement;année civile\n";
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"gestionnaire;caf-75;;g1;Nom;centre social;01/01/2020;;;;;;;;;;;;;", "RegisterGestionnaire"},
      {"agrément;caf-75;c1;;;;01/07/2026;2026;3;;;;;;;;;;;", "RecordCommitteeDecision"},
      {"refus;caf-75;c1;;;;01/07/2026;2026;;;;;;;;hors délai;;;;", "RecordCommitteeDecision"},
      {"décision;caf-75;c1;;;;01/07/2026;2026;3;;;;;;validée;;;;;", "RecordCommitteeDecision"},
      {"convention;caf-75;c1;;;;15/07/2026;2026;;;;;;;;;;;;", "SignConvention"},
      {"avenant;caf-75;c1;;;;01/07/2027;2027;4;;;;av1;collectifs;;;;;;", "SignAvenant"},
      {"collectifs;caf-75;c1;;;;01/09/2026;2026;3;;;;;;;;;;;", "NotifyCollectifs"},
      {"acompte;caf-75;c1;;;;15/10/2026;2026;;a1;10;;;;;;;;;", "PayAcompte"},
      {"bilan;caf-75;c1;;;;15/09/2027;2026;3;;;27 692,30;;;;;;;;", "ReceiveBilan"},
      {"solde;caf-75;c1;;;;05/11/2027;2026;;s1;;;;;;;;;;", "PaySolde"},
      {"rappel;caf-75;c1;;;;05/11/2028;2026;;r1;;;;;;;;;;", "PayRappel"},
      {"recouvrement;caf-75;c1;;;;05/11/2028;;;;1,00;;;;;;rec1;i1;remboursement;",
       "RecordRecovery"},
      {"clôture;caf-75;;;;;31/12/2026;;;;;;;;;;;;;2026", "CloseCivilYear"},
  };
  std::string file = header;
  for (const auto& [row, rpc] : rows) file += row + "\n";
  const ctl::ParsedImport parsed = ctl::ParseCsvImport(file, "actes.csv", "");
  EXPECT_THAT(Errors(parsed), IsEmpty());
  ASSERT_EQ(parsed.lines.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(parsed.lines[i].rpc, rows[i].second) << rows[i].first;
    EXPECT_EQ(parsed.lines[i].line_number, static_cast<int>(i) + 2);
    EXPECT_EQ(RequestIdOf(parsed.lines[i]), absl::StrCat("import:actes.csv:", i + 2));
  }
  const auto& refus =
      static_cast<const v1::RecordCommitteeDecisionRequest&>(*parsed.lines[2].request);
  EXPECT_EQ(refus.command().decision().outcome(), v1::REFUSED);
  EXPECT_EQ(refus.command().decision().refusal_reason(), "hors délai");
  const auto& avenant = static_cast<const v1::SignAvenantRequest&>(*parsed.lines[5].request);
  EXPECT_EQ(avenant.command().kind(), v1::PROLONGATION_COLLECTIFS);
  EXPECT_EQ(avenant.command().collectifs(), 4);
  const auto& bilan = static_cast<const v1::ReceiveBilanRequest&>(*parsed.lines[8].request);
  EXPECT_EQ(bilan.command().figures().charges_cents(), 2769230);
  const auto& recovery = static_cast<const v1::RecordRecoveryRequest&>(*parsed.lines[11].request);
  EXPECT_EQ(recovery.command().method(), v1::REPAYMENT);
  EXPECT_EQ(recovery.command().amount_cents(), 100);
}

TEST(ClasctlImportCsvFormat, HeadersAreMatchedLooselyButUnknownOrRepeatedOnesAreNamed) {
  const ctl::ParsedImport loose = ctl::ParseCsvImport(
      "  ACTE ;CAF;Année   Civile;DATE\nCLÔTURE;caf-75;2026;31/12/2026\n", "f.csv", "");
  EXPECT_THAT(Errors(loose), IsEmpty());
  EXPECT_EQ(loose.lines.size(), 1u);

  const ctl::ParsedImport bad = ctl::ParseCsvImport(
      "acte;caf;date;date;montant total\nclôture;caf-75;31/12/2026;;\n", "f.csv", "");
  EXPECT_THAT(Errors(bad),
              ElementsAre("1:date:en-tête répété",
                          "1:montant total:en-tête inconnu (les colonnes : clasctl import --help)",
                          StartsWith("2:année civile:colonne absente")));
  const ctl::ParsedImport no_act =
      ctl::ParseCsvImport("caf;date\ncaf-75;31/12/2026\n", "f.csv", "");
  EXPECT_THAT(Errors(no_act), ElementsAre(StartsWith("1:acte:")));
  const ctl::ParsedImport commas = ctl::ParseCsvImport("acte,caf,date\n", "f.csv", "");
  EXPECT_THAT(Errors(commas), ElementsAre(::testing::HasSubstr("« ; »")));
}

TEST(ClasctlImportCsvFormat, RequestIdsAreGivenOrDeterministicAndNeverTwice) {
  const ctl::ParsedImport parsed = ctl::ParseCsvImport(
      "acte;identifiant de saisie;caf;année civile;date;nom\n"
      "clôture;c-2026;caf-75;2026;31/12/2026;\n"
      "gestionnaire;;caf-75;;01/01/2020;\"deux\nlignes\"\n"  // lines 3-4: a line break in a name
      "clôture;;caf-75;2027;31/12/2027;\n"
      "clôture;c-2026;caf-75;2028;31/12/2028;\n",
      "/some/dir/saisies.csv", "");
  EXPECT_THAT(Errors(parsed),
              ElementsAre(StartsWith("3:gestionnaire:colonne absente"),
                          StartsWith("3:nom:retour à la ligne"),
                          StartsWith("3:type de gestionnaire:colonne absente"),
                          "6:identifiant de saisie:identifiant « c-2026 » déjà pris à la ligne 2"));
  ASSERT_EQ(parsed.lines.size(), 2u);
  EXPECT_EQ(RequestIdOf(parsed.lines[0]), "c-2026");
  EXPECT_EQ(parsed.lines[1].line_number, 5);
  EXPECT_EQ(RequestIdOf(parsed.lines[1]), "import:saisies.csv:5");
}

TEST(ClasctlImportCsvFormat, CafComesFromItsColumnOrFromTheFlag) {
  const std::string file =
      "acte;caf;année civile;date\nclôture;;2026;31/12/2026\nclôture;caf-13;2027;31/12/2027\n";
  const ctl::ParsedImport with_flag = ctl::ParseCsvImport(file, "f.csv", "caf-75");
  EXPECT_THAT(Errors(with_flag),
              ElementsAre("3:caf:« caf-13 » n'est pas la Caf de --caf (caf-75)"));
  ASSERT_EQ(with_flag.lines.size(), 1u);
  EXPECT_EQ(
      static_cast<const v1::CloseCivilYearRequest&>(*with_flag.lines[0].request).command().caf_id(),
      "caf-75");
  const ctl::ParsedImport without = ctl::ParseCsvImport(file, "f.csv", "");
  EXPECT_THAT(Errors(without), ElementsAre(StartsWith("2:caf:Caf manquante")));
}

TEST(ClasctlImportCsvFormat, ErrorsBeyondTheBoundAreCountedNotKept) {
  std::string file = "acte;caf;année civile;date\n";
  for (int i = 0; i < 60; ++i) file += "clôture;caf-75;2026;32/12/2026\n";
  const ctl::ParsedImport parsed = ctl::ParseCsvImport(file, "f.csv", "");
  EXPECT_EQ(parsed.errors.size(), ctl::kCsvErrorsMax);
  EXPECT_EQ(parsed.errors_left_off, 60 - ctl::kCsvErrorsMax);
  EXPECT_EQ(parsed.errors.back().line_number, static_cast<int>(ctl::kCsvErrorsMax) + 1);
  EXPECT_TRUE(parsed.lines.empty());
}

TEST(ClasctlImportCsvFormat, TheFormatComesFromTheFlagOrTheExtension) {
  EXPECT_EQ(*ctl::ImportFormatOf("", "dir/Saisies.CSV"), ctl::ImportFormat::kCsv);
  EXPECT_EQ(*ctl::ImportFormatOf("", "saisies.jsonl"), ctl::ImportFormat::kJsonLines);
  EXPECT_EQ(*ctl::ImportFormatOf("csv", "saisies.txt"), ctl::ImportFormat::kCsv);
  EXPECT_EQ(*ctl::ImportFormatOf("jsonl", "saisies.csv"), ctl::ImportFormat::kJsonLines);
  EXPECT_FALSE(ctl::ImportFormatOf("xlsx", "saisies.csv").ok());
}

}  // namespace
}  // namespace clas::testing
