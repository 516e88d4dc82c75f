// The cells and bytes of a spreadsheet's French CSV export (tools/clasctl/csv_values.h,
// tools/clasctl/csv_reader.h), table-driven.
#include <cstdint>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/clasctl/csv_reader.h"
#include "tools/clasctl/csv_values.h"

namespace clas::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kNbsp[] = "\xC2\xA0";            // U+00A0
constexpr char kNarrowNbsp[] = "\xE2\x80\xAF";  // U+202F

struct AmountCase {
  std::string text;
  int64_t cents;
};

TEST(CsvAmount, FrenchAmountsReadAsExactCents) {
  const std::vector<AmountCase> cases = {
      {"0", 0},
      {"12", 1200},
      {"1234,5", 123450},
      {"1234,56", 123456},
      {"1 234,56", 123456},
      {std::string("1") + kNbsp + "234,56", 123456},
      {std::string("1") + kNarrowNbsp + "234,56", 123456},
      {"1 234,56 €", 123456},
      {"1 234,56€", 123456},
      {std::string("30") + kNbsp + "769,22" + kNbsp + "€", 3076922},
      {"  2 800,00  ", 280000},
      {"-1 234,56", -123456},
      {"-0,01", -1},
      {"12 345 678,09", 1234567809},
      {"0,1", 10},
      {"007", 700},
      // The largest amount int64 cents hold.
      {"92233720368547758,07", 9223372036854775807},
  };
  for (const AmountCase& c : cases) {
    const absl::StatusOr<int64_t> cents = ctl::ParseAmountCents(c.text);
    ASSERT_TRUE(cents.ok()) << c.text << ": " << cents.status();
    EXPECT_EQ(*cents, c.cents) << c.text;
  }
}

struct RefusedCase {
  std::string text;
  std::string why;
};

TEST(CsvAmount, MalformedAmountsAreRefusedWithTheirReason) {
  const std::vector<RefusedCase> cases = {
      {"", "montant vide"},
      {"€", "montant vide"},
      {"-", "montant vide"},
      {"1,234", "plus de deux décimales"},
      {"1 234,567", "plus de deux décimales"},
      {"1234.56", "le point"},
      {"1.234,56", "le point"},
      {"12,", "une ou deux décimales"},
      {"12,3,4", "une ou deux décimales"},
      {",50", "sans chiffre avant la virgule"},
      {"12 34,56", "mal groupés"},
      {"1234 567", "mal groupés"},
      {"1 2345", "mal groupés"},
      {"12a", "caractère inattendu"},
      {"+12", "caractère inattendu"},
      {"(12)", "caractère inattendu"},
      {"12 €€", "caractère inattendu"},
      {"92233720368547758,08", "trop grand"},
      {"99999999999999999999", "trop grand"},
  };
  for (const RefusedCase& c : cases) {
    const absl::StatusOr<int64_t> cents = ctl::ParseAmountCents(c.text);
    ASSERT_FALSE(cents.ok()) << c.text << " read as " << *cents;
    EXPECT_EQ(cents.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(cents.status().message(), HasSubstr(c.why)) << c.text;
    EXPECT_THAT(cents.status().message(), HasSubstr("« " + c.text + " »")) << c.text;
  }
}

struct DayCase {
  std::string text;
  int32_t ymd;  // 0: refused
  std::string why;
};

TEST(CsvDay, FrenchAndIsoDatesAreReadStrictly) {
  const std::vector<DayCase> cases = {
      {"15/10/2026", 20261015, ""},
      {"5/3/2026", 20260305, ""},
      {"05/03/2026", 20260305, ""},
      {" 29/02/2028 ", 20280229, ""},
      {"2026-10-15", 20261015, ""},
      {"31/12/2099", 20991231, ""},
      {"29/02/2027", 0, "n'existe pas"},
      {"31/04/2026", 0, "n'existe pas"},
      {"00/01/2026", 0, "n'existe pas"},
      {"15/13/2026", 0, "n'existe pas"},
      {"15/10/26", 0, "deux chiffres"},
      {"15/10/2026 00:00", 0, "illisible"},
      {"2026-1-15", 0, "illisible"},
      {"15-10-2026", 0, "illisible"},
      {"15.10.2026", 0, "illisible"},
      {"20261015", 0, "illisible"},
      {"", 0, "illisible"},
      {"31/12/1999", 0, "hors de la plage"},
      {"01/01/2100", 0, "hors de la plage"},
  };
  for (const DayCase& c : cases) {
    const absl::StatusOr<int32_t> day = ctl::ParseDayYmd(c.text);
    if (c.ymd != 0) {
      ASSERT_TRUE(day.ok()) << c.text << ": " << day.status();
      EXPECT_EQ(*day, c.ymd) << c.text;
    } else {
      ASSERT_FALSE(day.ok()) << c.text << " read as " << *day;
      EXPECT_THAT(day.status().message(), HasSubstr(c.why)) << c.text;
    }
  }
}

TEST(CsvSchoolYear, AYearOrTwoThatFollowEachOther) {
  EXPECT_EQ(*ctl::ParseSchoolYearN("2026"), 2026);
  EXPECT_EQ(*ctl::ParseSchoolYearN("2026-2027"), 2026);
  EXPECT_EQ(*ctl::ParseSchoolYearN("2026/2027"), 2026);
  for (const char* bad : {"2026-2028", "2027-2026", "26-27", "2026-", "deux mille", "1999", ""}) {
    EXPECT_FALSE(ctl::ParseSchoolYearN(bad).ok()) << bad;
  }
  EXPECT_EQ(*ctl::ParseCivilYearN("2026"), 2026);
  EXPECT_FALSE(ctl::ParseCivilYearN("26").ok());
}

TEST(CsvCells, CountsAndYesNo) {
  EXPECT_EQ(*ctl::ParseCount("12"), 12);
  EXPECT_EQ(*ctl::ParseCount(" 0 "), 0);
  EXPECT_EQ(*ctl::ParseCount("1000000"), ctl::kCsvCountMax);
  for (const char* bad : {"-1", "1,5", "1000001", "99999999999", "trois", ""}) {
    EXPECT_FALSE(ctl::ParseCount(bad).ok()) << bad;
  }
  for (const char* yes : {"oui", "OUI", "Oui ", "o", "x", "X", "vrai", "1"}) {
    EXPECT_TRUE(*ctl::ParseYesNo(yes)) << yes;
  }
  for (const char* no : {"non", "NON", "n", "faux", "0"}) EXPECT_FALSE(*ctl::ParseYesNo(no)) << no;
  EXPECT_FALSE(ctl::ParseYesNo("peut-être").ok());
}

TEST(CsvFold, HeadersMatchWithoutCaseAccentsOrSpaces) {
  EXPECT_EQ(ctl::FoldForMatch("  Année   Scolaire "), "annee scolaire");
  EXPECT_EQ(ctl::FoldForMatch(std::string("ANNÉE") + kNbsp + "SCOLAIRE"), "annee scolaire");
  EXPECT_EQ(ctl::FoldForMatch("Début de l’action"), "debut de l'action");
  EXPECT_EQ(ctl::FoldForMatch("Clôture"), "cloture");
  EXPECT_EQ(ctl::FoldForMatch("Agrément"), ctl::FoldForMatch("agrement"));
  EXPECT_EQ(ctl::FoldForMatch("Œuvre ÇA"), "oeuvre ca");
  EXPECT_EQ(ctl::FoldForMatch("€"), "€");
}

// ---- Bytes to records ---------------------------------------------------------------------------

TEST(CsvDecode, Utf8WithOrWithoutBomIsKept) {
  const absl::StatusOr<ctl::DecodedCsv> bom = ctl::DecodeCsvText(
      "\xEF\xBB\xBF"
      "Acte;Année");
  ASSERT_TRUE(bom.ok());
  EXPECT_EQ(bom->utf8, "Acte;Année");
  EXPECT_EQ(bom->encoding, ctl::CsvEncoding::kUtf8);
  EXPECT_EQ(ctl::DecodeCsvText("Acte;Année")->utf8, "Acte;Année");
}

TEST(CsvDecode, Windows1252IsConvertedToUtf8) {
  // As Excel saves "Année;1 234,56 €;« Réussite »" (no-break space 0xA0, euro sign 0x80).
  const absl::StatusOr<ctl::DecodedCsv> decoded = ctl::DecodeCsvText(
      "Ann\xE9"
      "e;1\xA0"
      "234,56 \x80;\xAB R\xE9ussite \xBB;\x9C");
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->encoding, ctl::CsvEncoding::kWindows1252);
  EXPECT_EQ(decoded->utf8,
            "Année;1\xC2\xA0"
            "234,56 €;« Réussite »;œ");
}

TEST(CsvDecode, UndecodableFilesAreRefusedClearly) {
  const auto utf16 =
      ctl::DecodeCsvText(std::string_view("\xFF\xFE"
                                          "A\0c\0",
                                          6));
  EXPECT_FALSE(utf16.ok());
  EXPECT_THAT(utf16.status().message(), HasSubstr("UTF-16"));
  const auto undefined = ctl::DecodeCsvText("acte\nacompte\n\x81");
  ASSERT_FALSE(undefined.ok());
  EXPECT_THAT(undefined.status().message(), HasSubstr("ligne 3"));
  EXPECT_THAT(undefined.status().message(), HasSubstr("0x81"));
  EXPECT_FALSE(ctl::DecodeCsvText("\xEF\xBB\xBF"
                                  "Ann\xE9"
                                  "e")
                   .ok());  // BOM says UTF-8
}

std::vector<std::vector<std::string>> Fields(const ctl::CsvRecords& split) {
  std::vector<std::vector<std::string>> out;
  for (const ctl::CsvRecord& r : split.records) out.push_back(r.fields);
  return out;
}

TEST(CsvSplit, QuotesSeparatorsAndLineEnds) {
  const ctl::CsvRecords split = ctl::SplitCsvRecords(
      "a;\"b;c\";\"d \"\"e\"\"\"\r\n"  // CRLF, ';' and doubled quotes inside quotes
      "\"two\r\nlines\";x\n"           // a line break inside quotes
      "\r\n"                           // a blank line
      "last;;\r"                       // a lone CR, empty trailing fields
      "end");                          // no line end at the end
  EXPECT_TRUE(split.problems.empty());
  EXPECT_THAT(Fields(split),
              ElementsAre(ElementsAre("a", "b;c", "d \"e\""), ElementsAre("two\nlines", "x"),
                          ElementsAre(""), ElementsAre("last", "", ""), ElementsAre("end")));
  std::vector<int> lines;
  for (const ctl::CsvRecord& r : split.records) lines.push_back(r.line_number);
  EXPECT_THAT(lines, ElementsAre(1, 2, 4, 5, 6));
}

TEST(CsvSplit, BadRecordsAreProblemsOfTheirLine) {
  const ctl::CsvRecords split =
      ctl::SplitCsvRecords("ok;1\n\"closed\"then;2\nok;3\n\"open;4\nnever closed\n");
  ASSERT_EQ(split.problems.size(), 2u);
  EXPECT_EQ(split.problems[0].line_number, 2);
  EXPECT_THAT(split.problems[0].message, HasSubstr("après un guillemet fermant"));
  EXPECT_EQ(split.problems[1].line_number, 4);
  EXPECT_THAT(split.problems[1].message, HasSubstr("jamais fermé"));
  EXPECT_THAT(Fields(split), ElementsAre(ElementsAre("ok", "1"), ElementsAre("ok", "3")));

  const std::string wide(ctl::kCsvFieldsMax, ';');
  const ctl::CsvRecords too_wide = ctl::SplitCsvRecords(wide + "\nok\n");
  ASSERT_EQ(too_wide.problems.size(), 1u);
  EXPECT_THAT(too_wide.problems[0].message, HasSubstr("colonnes"));
  EXPECT_THAT(Fields(too_wide), ElementsAre(ElementsAre("ok")));
  const ctl::CsvRecords too_long =
      ctl::SplitCsvRecords(std::string(ctl::kCsvFieldBytesMax + 1, 'x') + "\nok\n");
  ASSERT_EQ(too_long.problems.size(), 1u);
  EXPECT_THAT(too_long.problems[0].message, HasSubstr("octets"));
  EXPECT_THAT(Fields(too_long), ElementsAre(ElementsAre("ok")));
}

}  // namespace
}  // namespace clas::testing
