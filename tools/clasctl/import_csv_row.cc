#include "tools/clasctl/import_csv_row.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "projections/core/violation.h"
#include "projections/engine/command_input.h"
#include "tools/clasctl/csv_values.h"

namespace clas::ctl::csv {
namespace {

std::string Quoted(std::string_view text) { return absl::StrCat("« ", std::string(text), " »"); }

// The column's name as the README writes it, from its folded form.
std::string DisplayName(const std::string& folded) {
  for (const std::string_view known : KnownColumns()) {
    if (FoldForMatch(known) == folded) return std::string(known);
  }
  return folded;
}

// The French sentence of a refused identifier, empty when it is fine.
std::string IdentifierProblem(std::string_view column, std::string_view value, InputClass kind) {
  const absl::Status status = CheckQueryIdentifier(column, value, kind, rule::kHist1);
  if (status.ok()) return "";
  const std::vector<v1::RuleViolation> violations = ViolationsOf(status);
  const std::string why =
      violations.empty() ? std::string(status.message()) : violations[0].message();
  return absl::StrCat(why, " (", Quoted(value), ")");
}

std::string WordList(const std::vector<std::pair<std::string_view, int>>& words) {
  std::vector<std::string> names;
  for (const auto& [name, value] : words) names.emplace_back(name);
  return absl::StrJoin(names, ", ");
}

}  // namespace

const std::vector<std::string_view>& KnownColumns() {
  using namespace col;  // NOLINT: the table reads better unqualified
  // clang-format off
  static const auto* const kColumns = new std::vector<std::string_view>{
      kActe, kSaisie, kCaf, kDate, kConvention, kGestionnaire, kNom, kTypeGestionnaire,
      kSoutenuDepuis, kFinAgrementCs, kAnnee, kDerniereAnnee, kCollectifs, kEnfants, kAnimateurs,
      kSeances, kMinutes, kSemaines, kNiveaux, kLieuUnique, kRural, kHandicap, kAxes,
      kParticipation, kDebut, kFin, kCharges, kAutresBf, kDerogation, kIssue, kMotif,
      kBonusEnfants, kBonusParents, kAvenant, kTypeAvenant, kNotification, kPaiement, kMontant,
      kControle, kRecouvrement, kIndu, kModeRecouvrement, kPaiementCompense,
      kConventionCompensee, kAnneeCivile};
  // clang-format on
  return *kColumns;
}

void CsvRow::Fail(std::string_view column, std::string message) {
  errors_.push_back({record_.line_number, std::move(message), std::string(column)});
}

std::optional<std::string> CsvRow::Cell(std::string_view column, Need need) {
  const auto it = columns_.find(FoldForMatch(column));
  if (it == columns_.end()) {
    if (need == Need::kRequired) {
      Fail(column,
           absl::StrCat("colonne absente de l'en-tête, requise pour l'acte ", Quoted(act_)));
    }
    return std::nullopt;
  }
  read_.resize(std::max(read_.size(), it->second + 1));
  read_[it->second] = true;
  const std::string_view text =
      it->second < record_.fields.size() ? TrimCell(record_.fields[it->second]) : "";
  if (text.empty()) {
    if (need == Need::kRequired) {
      Fail(column, absl::StrCat("cellule vide : requise pour l'acte ", Quoted(act_)));
    }
    return std::nullopt;
  }
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      Fail(column, "retour à la ligne ou caractère de contrôle dans la cellule");
      return std::nullopt;
    }
  }
  return std::string(text);
}

std::string CsvRow::Id(std::string_view column, Need need) {
  std::optional<std::string> cell = Cell(column, need);
  if (!cell) return "";
  const std::string problem = IdentifierProblem(column, *cell, InputClass::kIdentifier);
  if (!problem.empty()) Fail(column, problem);
  return problem.empty() ? *cell : "";
}

std::string CsvRow::Text(std::string_view column, Need need) {
  return Cell(column, need).value_or("");
}

std::string CsvRow::RequestId() {
  std::optional<std::string> cell = Cell(col::kSaisie, Need::kOptional);
  if (!cell) return "";
  const std::string problem = IdentifierProblem(col::kSaisie, *cell, InputClass::kRequestId);
  if (!problem.empty()) Fail(col::kSaisie, problem);
  return problem.empty() ? *cell : "";
}

std::string CsvRow::Caf() {
  std::optional<std::string> cell = Cell(col::kCaf, Need::kOptional);
  if (!cell) {
    if (caf_flag_.empty()) {
      Fail(col::kCaf, "Caf manquante : remplissez la colonne « caf » ou donnez --caf CAF");
    }
    return caf_flag_;
  }
  std::string problem = IdentifierProblem(col::kCaf, *cell, InputClass::kCafId);
  if (problem.empty() && !caf_flag_.empty() && *cell != caf_flag_) {
    problem = absl::StrCat(Quoted(*cell), " n'est pas la Caf de --caf (", caf_flag_, ")");
  }
  if (!problem.empty()) Fail(col::kCaf, problem);
  return problem.empty() ? *cell : "";
}

int64_t CsvRow::Amount(std::string_view column, Need need) {
  std::optional<std::string> cell = Cell(column, need);
  if (!cell) return 0;
  absl::StatusOr<int64_t> cents = ParseAmountCents(*cell);
  if (!cents.ok()) {
    Fail(column, std::string(cents.status().message()));
    return 0;
  }
  if (*cents < 0) {
    Fail(column, absl::StrCat("montant négatif (", Quoted(*cell),
                              ") : un montant de ce fichier est toujours positif"));
    return 0;
  }
  return *cents;
}

#define CLAS_CSV_GETTER(Type, Method, Parse)                \
  Type CsvRow::Method(std::string_view column, Need need) { \
    std::optional<std::string> cell = Cell(column, need);   \
    if (!cell) return Type{};                               \
    absl::StatusOr<Type> value = Parse(*cell);              \
    if (value.ok()) return *value;                          \
    Fail(column, std::string(value.status().message()));    \
    return Type{};                                          \
  }

CLAS_CSV_GETTER(int32_t, Day, ParseDayYmd)
CLAS_CSV_GETTER(int32_t, SchoolYear, ParseSchoolYearN)
CLAS_CSV_GETTER(int32_t, CivilYear, ParseCivilYearN)
CLAS_CSV_GETTER(int32_t, Count, ParseCount)
CLAS_CSV_GETTER(bool, YesNo, ParseYesNo)

#undef CLAS_CSV_GETTER

int CsvRow::Word(std::string_view column, Need need,
                 const std::vector<std::pair<std::string_view, int>>& words) {
  std::optional<std::string> cell = Cell(column, need);
  if (!cell) return 0;
  const std::string folded = FoldForMatch(*cell);
  for (const auto& [name, value] : words) {
    if (FoldForMatch(name) == folded) return value;
  }
  Fail(column, absl::StrCat(Quoted(*cell), " : attendu l'un de ", WordList(words)));
  return 0;
}

std::vector<int> CsvRow::Words(std::string_view column, Need need,
                               const std::vector<std::pair<std::string_view, int>>& words) {
  std::vector<int> out;
  std::optional<std::string> cell = Cell(column, need);
  if (!cell) return out;
  const std::string folded = absl::StrReplaceAll(FoldForMatch(*cell), {{" et ", ","}});
  for (absl::string_view token : absl::StrSplit(folded, absl::ByAnyChar(",/+;"))) {
    token = absl::StripAsciiWhitespace(token);
    if (token.empty()) continue;
    const auto it = std::find_if(words.begin(), words.end(), [&](const auto& word) {
      return FoldForMatch(word.first) == token;
    });
    if (it == words.end()) {
      Fail(column, absl::StrCat(Quoted(std::string(token)), " : attendu parmi ", WordList(words)));
      return {};
    }
    if (std::find(out.begin(), out.end(), it->second) != out.end()) {
      Fail(column, absl::StrCat(Quoted(it->first), " répété"));
      return {};
    }
    out.push_back(it->second);
  }
  if (out.empty() && need == Need::kRequired) {
    Fail(column, absl::StrCat("au moins un de ", WordList(words)));
  }
  return out;
}

void CsvRow::CheckUnused() {
  for (const auto& [folded, index] : columns_) {
    if (index < read_.size() && read_[index]) continue;
    if (index >= record_.fields.size() || TrimCell(record_.fields[index]).empty()) continue;
    Fail(DisplayName(folded),
         absl::StrCat("sans objet pour l'acte ", Quoted(act_), " : laissez la cellule vide"));
  }
}

}  // namespace clas::ctl::csv
