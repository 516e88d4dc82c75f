// clasctl import of CSV files as a Caf's spreadsheet exports them, against a real server: every
// row through the Conventions rules (the format alone: import_csv_test.cc).
#include <fstream>
#include <map>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/tools/clasctl_fixture.h"
#include "tools/clasctl/import_csv.h"

namespace clas::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kBom[] = "\xEF\xBB\xBF";
constexpr char kNbsp[] = "\xC2\xA0";            // U+00A0, UTF-8
constexpr char kNarrowNbsp[] = "\xE2\x80\xAF";  // U+202F, UTF-8

// One record of `width` fields: the cells given by column index, as the spreadsheet writes them
// (quoted where it quotes), the others empty.
std::string Record(const std::map<int, std::string>& cells, int width) {
  std::vector<std::string> fields(width);
  for (const auto& [index, cell] : cells) fields[index] = cell;
  return absl::StrJoin(fields, ";");
}

// LibreOffice's "CSV UTF-8" export: a BOM, CRLF, every column written, two empty columns at the
// end of the sheet. A convention's life up to its first acompte (RULES.md §5 as in
// clasctl_import_test.cc: charges 30 769,22 € for 3 collectifs: PS 10 000,00 €, cap of the
// acomptes of civil year N 2 800,00 €).
constexpr int kUtf8Width = 26;
const char kUtf8Header[] =
    "Acte;Identifiant de saisie;Caf;Gestionnaire;Nom;Type de gestionnaire;Convention;Date;"
    "Année scolaire;Collectifs;Enfants par collectif;Animateurs par collectif;"
    "Séances par semaine;Minutes par séance;Semaines;Niveaux;Lieu unique accessible;Axes;"
    "Participation symbolique;Début de l'action;Fin de l'action;Charges;Paiement;Montant;;";

std::string Utf8Export(const std::string& acompte) {
  const std::vector<std::string> rows = {
      kUtf8Header,
      Record({{0, "gestionnaire"},
              {2, "caf-75"},
              {3, "asso-1"},
              {4, "\"Association « Les Amis ; du quartier »\""},
              {5, "Association"},
              {7, "01/01/2020"}},
             kUtf8Width),
      Record({{0, "demande"},
              {2, "caf-75"},
              {3, "asso-1"},
              {6, "conv-1"},
              {7, "01/06/2026"},
              {8, "2026-2027"},
              {9, "3"},
              {10, "10"},
              {11, "2"},
              {12, "2"},
              {13, "90"},
              {14, "30"},
              {15, "élémentaire"},
              {16, "oui"},
              {17, "\"enfants, parents, école; partenaires\""},
              {18, "Oui"},
              {19, "05/11/2026"},
              {20, "30/06/2027"},
              {21, std::string("30") + kNbsp + "769,22 €"}},
             kUtf8Width),
      Record(
          {{0, "Agrément"}, {2, "caf-75"}, {6, "conv-1"}, {7, "01/07/2026"}, {8, "2026"}, {9, "3"}},
          kUtf8Width),
      Record({{0, "convention"}, {2, "caf-75"}, {6, "conv-1"}, {7, "2026-07-15"}, {8, "2026"}},
             kUtf8Width),
      Record({{0, "acompte"},
              {1, "acompte-a1"},
              {2, "caf-75"},
              {6, "conv-1"},
              {7, "15/10/2026"},
              {8, "2026-2027"},
              {22, "a1"},
              {23, acompte}},
             kUtf8Width),
  };
  return kBom + absl::StrJoin(rows, "\r\n") + "\r\n";
}

// Excel's "CSV (séparateur : point-virgule)": Windows-1252 (é is 0xE9, the no-break space 0xA0,
// € 0x80), CRLF, no BOM, no Caf column (--caf gives it), headers in capitals.
constexpr int kCp1252Width = 22;
const char kCp1252Header[] =
    "ACTE;GESTIONNAIRE;NOM;TYPE DE GESTIONNAIRE;CONVENTION;DATE;ANN\xC9"
    "E SCOLAIRE;COLLECTIFS;"
    "ENFANTS PAR COLLECTIF;ANIMATEURS PAR COLLECTIF;S\xC9"
    "ANCES PAR SEMAINE;"
    "MINUTES PAR S\xC9"
    "ANCE;SEMAINES;NIVEAUX;LIEU UNIQUE ACCESSIBLE;AXES;"
    "PARTICIPATION SYMBOLIQUE;D\xC9"
    "BUT DE L'ACTION;FIN DE L'ACTION;CHARGES;PAIEMENT;MONTANT";

std::string Cp1252Export() {
  const std::vector<std::string> rows = {
      kCp1252Header,
      Record({{0, "gestionnaire"},
              {1, "asso-2"},
              {2, "Espace R\xE9ussite"},
              {3, "association"},
              {5, "01/01/2020"}},
             kCp1252Width),
      Record({{0, "demande"},
              {1, "asso-2"},
              {4, "conv-2"},
              {5, "01/06/2026"},
              {6, "2026"},
              {7, "3"},
              {8, "10"},
              {9, "2"},
              {10, "2"},
              {11, "90"},
              {12, "30"},
              {13, "\xE9l\xE9mentaire"},
              {14, "oui"},
              {15,
               "enfants/parents/\xE9"
               "cole/partenaires"},
              {16, "oui"},
              {17, "05/11/2026"},
              {18, "30/06/2027"},
              {19,
               "30\xA0"
               "769,22 \x80"}},
             kCp1252Width),
      Record({{0, "agr\xE9ment"}, {4, "conv-2"}, {5, "01/07/2026"}, {6, "2026"}, {7, "3"}},
             kCp1252Width),
      Record({{0, "convention"}, {4, "conv-2"}, {5, "15/07/2026"}, {6, "2026"}}, kCp1252Width),
      Record({{0, "acompte"},
              {4, "conv-2"},
              {5, "15/10/2026"},
              {6, "2026"},
              {20, "a1"},
              {21,
               "2\xA0"
               "800,00"}},
             kCp1252Width),
  };
  return absl::StrJoin(rows, "\r\n") + "\r\n";
}

class ClasctlImportCsvTest : public ClasctlTest {
 public:
  void SetUp() override {
    ClasctlTest::SetUp();
    PublishBareme2026();  // an import file of a Caf's agent starts after the Cnaf's barème
  }

  std::string WriteBytes(const std::string& name, const std::string& bytes) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  Ran Import(const std::string& path, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"import", path};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunAs(Agent(), args);
  }

  v1::ConventionState Convention(const std::string& id) {
    Ran shown = RunAs(Agent(), {"convention", "show", id, "--caf", kCaf, "--json"});
    EXPECT_EQ(shown.code, 0) << shown.err;
    v1::GetConventionResponse response;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(shown.out, &response).ok());
    return response.convention();
  }
};

TEST_F(ClasctlImportCsvTest, ALibreOfficeUtf8ExportIsImportedThroughTheRulesThenReplays) {
  const std::string path = WriteBytes(
      "saisies.csv", Utf8Export(std::string("2") + kNarrowNbsp + "800,00" + kNbsp + "€"));
  Ran ran = Import(path);
  ASSERT_EQ(ran.code, 0) << ran.err;
  EXPECT_THAT(ran.out, HasSubstr("5 of 5 lines sent: 5 accepted, 0 replayed"));

  const v1::ConventionState c = Convention("conv-1");
  EXPECT_EQ(c.status(), v1::SIGNEE);
  EXPECT_EQ(c.gestionnaire_name(), "Association « Les Amis ; du quartier »");
  EXPECT_EQ(c.gestionnaire_kind(), v1::ASSOCIATION);
  ASSERT_EQ(c.request().collectifs_size(), 3);
  EXPECT_EQ(c.request().collectifs(2).collectif_id(), "C3");
  EXPECT_EQ(c.request().collectifs(2).session_minutes(), 90);
  ASSERT_EQ(c.request().collectifs(2).levels_size(), 1);
  EXPECT_EQ(c.request().collectifs(2).levels(0), v1::ELEMENTAIRE);
  EXPECT_TRUE(c.request().axes().children() && c.request().axes().parents() &&
              c.request().axes().school() && c.request().axes().local_partners());
  EXPECT_EQ(c.request().charges_cents(), 3076922);
  EXPECT_EQ(c.request().action_start_date(), 20261105);
  ASSERT_EQ(c.years_size(), 1);
  EXPECT_EQ(c.years(0).dp().base_cents(), 3076922);
  EXPECT_EQ(c.years(0).dp().ps_cents(), 1000000);
  EXPECT_EQ(c.years(0).acomptes_n_cents(), 280000);
  EXPECT_EQ(c.years(0).room_n_cents(), 0);

  // The same file again: every row replays (its request id), nothing is written.
  const uint64_t head = Head();
  ran = Import(path);
  ASSERT_EQ(ran.code, 0) << ran.err;
  EXPECT_THAT(ran.out, HasSubstr("5 of 5 lines sent: 0 accepted, 5 replayed"));
  EXPECT_EQ(Head(), head);
}

TEST_F(ClasctlImportCsvTest, AnExcelWindows1252ExportIsReadWithItsAccents) {
  const std::string path = WriteBytes("excel.csv", Cp1252Export());
  Ran ran = Import(path, {"--caf", kCaf});
  ASSERT_EQ(ran.code, 0) << ran.err;
  EXPECT_THAT(ran.out, HasSubstr("5 of 5 lines sent: 5 accepted, 0 replayed"));
  const v1::ConventionState c = Convention("conv-2");
  EXPECT_EQ(c.status(), v1::SIGNEE);
  EXPECT_EQ(c.gestionnaire_name(), "Espace Réussite");
  EXPECT_EQ(c.request().charges_cents(), 3076922);
  ASSERT_EQ(c.years_size(), 1);
  EXPECT_EQ(c.years(0).acomptes_n_cents(), 280000);
}

TEST_F(ClasctlImportCsvTest, BrokenRowsAreAllNamedByLineAndColumnAndNothingIsSent) {
  const uint64_t head = Head();
  // No "montant" column; line 8 is blank.
  const std::string path =
      WriteBytes("saisies.csv",
                 "acte;caf;convention;date;année scolaire;paiement;collectifs;charges\n"
                 "convention;caf-75;conv-9;15/07/2026;2026;;;\n"
                 "solde;caf-75;conv-9;31/02/2027;2026;s1;;\n"
                 "bilan;caf-75;conv-9;15/09/2027;2026;;3;27 692,305\n"
                 "bilan;caf-75;conv-9;15/09/2027;2026;;3;27.692,30\n"
                 "paiement;caf-75;conv-9;15/10/2026;2026;a1;;\n"
                 "acompte;caf-75;conv-9;15/10/2026;2026;a1;;\n"
                 ";;;;;;;\n"
                 "solde;caf-75;conv-9;15/11/2027;2026;s1;3;\n");
  Ran ran = Import(path);
  EXPECT_EQ(ran.code, 2);
  EXPECT_THAT(ran.err,
              HasSubstr("ligne 3, colonne « date » : ce jour n'existe pas (« 31/02/2027 »)"));
  EXPECT_THAT(ran.err, HasSubstr("ligne 4, colonne « charges » : plus de deux décimales"));
  EXPECT_THAT(ran.err,
              HasSubstr("ligne 5, colonne « charges » : le point n'est pas le séparateur"));
  EXPECT_THAT(ran.err, HasSubstr("ligne 6, colonne « acte » : acte inconnu « paiement »"));
  EXPECT_THAT(ran.err, HasSubstr("ligne 7, colonne « montant » : colonne absente de l'en-tête, "
                                 "requise pour l'acte « acompte »"));
  EXPECT_THAT(ran.err,
              HasSubstr("ligne 9, colonne « collectifs » : sans objet pour l'acte « solde »"));
  EXPECT_THAT(ran.err, HasSubstr("6 erreurs ; rien n'a été envoyé"));
  EXPECT_THAT(ran.err, Not(HasSubstr("ligne 2")));
  EXPECT_THAT(ran.err, Not(HasSubstr("ligne 8")));
  EXPECT_EQ(Head(), head);
}

TEST_F(ClasctlImportCsvTest, ARowRefusedByARuleStopsTheImportAndResumesOnceFixed) {
  // One cent over the R-PAY-2 cap of 2 800,00 €, on line 6.
  const std::string path = WriteBytes("saisies.csv", Utf8Export("2 800,01"));
  Ran ran = Import(path);
  EXPECT_EQ(ran.code, 1) << ran.err;
  EXPECT_THAT(ran.err, HasSubstr("line 6: PayAcompte: FAILED_PRECONDITION"));
  EXPECT_THAT(ran.err, HasSubstr("R-PAY-2"));
  EXPECT_THAT(ran.out, HasSubstr("4 of 5 lines sent: 4 accepted, 0 replayed"));
  EXPECT_EQ(Convention("conv-1").years(0).acomptes_n_cents(), 0);

  WriteBytes("saisies.csv", Utf8Export("2 800,00"));
  ran = Import(path);
  ASSERT_EQ(ran.code, 0) << ran.err;
  EXPECT_THAT(ran.out, HasSubstr("5 of 5 lines sent: 1 accepted, 4 replayed"));
  EXPECT_EQ(Convention("conv-1").years(0).acomptes_n_cents(), 280000);
}

TEST_F(ClasctlImportCsvTest, FormatFlagOverridesTheExtensionAndDryRunSendsNothing) {
  const uint64_t head = Head();
  const std::string path = WriteBytes("saisies.txt", Utf8Export("2 800,00"));
  EXPECT_EQ(Run({"import", path, "--dry-run"}).code, 2);  // read as JSON Lines: bad JSON
  Ran ran = Run({"import", path, "--dry-run", "--format", "csv"});
  ASSERT_EQ(ran.code, 0) << ran.err;
  EXPECT_THAT(ran.out, HasSubstr("1 PayAcompte\n"));
  EXPECT_THAT(ran.out, HasSubstr("1 RecordCommitteeDecision\n"));
  EXPECT_THAT(ran.out, HasSubstr("5 lines would be sent (dry run: none sent)"));
  EXPECT_EQ(Run({"import", path, "--format", "xlsx"}).code, 2);
  EXPECT_EQ(Head(), head);
}

}  // namespace
}  // namespace clas::testing
