// Inside the CSV importer (import_csv.h): the known columns, one row's typed cells, and the acts
// that turn a row into a Conventions request.
//
// A row is read through CsvRow's getters, one per kind of cell; each getter records the column as
// read, and records an error (French, with the column) instead of failing: a row reports every
// cell at fault at once. After the act has read what it takes, CheckUnused() reports the cells
// filled in columns it did not read.
//
// Thread-safety: value types; the act table is immutable.
#ifndef CLAS_TOOLS_CLASCTL_IMPORT_CSV_ROW_H_
#define CLAS_TOOLS_CLASCTL_IMPORT_CSV_ROW_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "google/protobuf/message.h"
#include "tools/clasctl/csv_reader.h"
#include "tools/clasctl/import.h"

namespace clas::ctl::csv {

// The columns a file may have, as the README writes them (matched folded, csv_values.h).
namespace col {
inline constexpr std::string_view kActe = "acte";
inline constexpr std::string_view kSaisie = "identifiant de saisie";
inline constexpr std::string_view kCaf = "caf";
inline constexpr std::string_view kDate = "date";
inline constexpr std::string_view kConvention = "convention";
inline constexpr std::string_view kGestionnaire = "gestionnaire";
inline constexpr std::string_view kNom = "nom";
inline constexpr std::string_view kTypeGestionnaire = "type de gestionnaire";
inline constexpr std::string_view kSoutenuDepuis = "soutenu depuis";
inline constexpr std::string_view kFinAgrementCs = "fin d'agrément centre social";
inline constexpr std::string_view kAnnee = "année scolaire";
inline constexpr std::string_view kDerniereAnnee = "dernière année scolaire";
inline constexpr std::string_view kCollectifs = "collectifs";
inline constexpr std::string_view kEnfants = "enfants par collectif";
inline constexpr std::string_view kAnimateurs = "animateurs par collectif";
inline constexpr std::string_view kSeances = "séances par semaine";
inline constexpr std::string_view kMinutes = "minutes par séance";
inline constexpr std::string_view kSemaines = "semaines";
inline constexpr std::string_view kNiveaux = "niveaux";
inline constexpr std::string_view kLieuUnique = "lieu unique accessible";
inline constexpr std::string_view kRural = "rural";
inline constexpr std::string_view kHandicap = "enfant en situation de handicap";
inline constexpr std::string_view kAxes = "axes";
inline constexpr std::string_view kParticipation = "participation symbolique";
inline constexpr std::string_view kDebut = "début de l'action";
inline constexpr std::string_view kFin = "fin de l'action";
inline constexpr std::string_view kCharges = "charges";
inline constexpr std::string_view kAutresBf = "autres financements bf";
inline constexpr std::string_view kDerogation = "dérogation";
inline constexpr std::string_view kIssue = "issue";
inline constexpr std::string_view kMotif = "motif";
inline constexpr std::string_view kBonusEnfants = "bonus enfants";
inline constexpr std::string_view kBonusParents = "bonus parents";
inline constexpr std::string_view kAvenant = "avenant";
inline constexpr std::string_view kTypeAvenant = "type d'avenant";
inline constexpr std::string_view kNotification = "notification";
inline constexpr std::string_view kPaiement = "paiement";
inline constexpr std::string_view kMontant = "montant";
inline constexpr std::string_view kControle = "contrôle";
inline constexpr std::string_view kRecouvrement = "recouvrement";
inline constexpr std::string_view kIndu = "indu";
inline constexpr std::string_view kModeRecouvrement = "mode de recouvrement";
inline constexpr std::string_view kPaiementCompense = "paiement compensé";
inline constexpr std::string_view kConventionCompensee = "convention compensée";
inline constexpr std::string_view kAnneeCivile = "année civile";
}  // namespace col

// Every column above, in the README's order.
const std::vector<std::string_view>& KnownColumns();

enum class Need { kOptional, kRequired };

// One data row under a header. `columns` maps a folded column name to its field index.
class CsvRow {
 public:
  CsvRow(const std::map<std::string, size_t>& columns, const CsvRecord& record,
         std::string_view caf_flag)
      : columns_(columns), record_(record), caf_flag_(caf_flag) {}

  // The act this row is read for, as errors name it ("acompte").
  void set_act(std::string_view act) { act_ = std::string(act); }
  int line_number() const { return record_.line_number; }

  // Each getter returns the cell read, or the fallback (empty, 0, false) when the cell is
  // empty (an error if required) or wrong (an error).
  std::string Id(std::string_view column, Need need);    // an identifier (commands.proto)
  std::string Text(std::string_view column, Need need);  // a name or a reason
  std::string RequestId();                               // "identifiant de saisie" or ""
  std::string Caf();                                     // the cell, else --caf
  int64_t Amount(std::string_view column, Need need);    // cents, not negative
  int32_t Day(std::string_view column, Need need);       // yyyymmdd
  int32_t SchoolYear(std::string_view column, Need need);
  int32_t CivilYear(std::string_view column, Need need);
  int32_t Count(std::string_view column, Need need);
  bool YesNo(std::string_view column, Need need);
  // One of `words` (folded: "Élémentaire" is "elementaire"), as its value.
  int Word(std::string_view column, Need need,
           const std::vector<std::pair<std::string_view, int>>& words);
  // A list of `words` separated by ',', '/', '+' or " et "; each at most once.
  std::vector<int> Words(std::string_view column, Need need,
                         const std::vector<std::pair<std::string_view, int>>& words);

  // An error of this row; `column` may be empty (the row as a whole).
  void Fail(std::string_view column, std::string message);
  // An error for every filled cell this row's act did not read.
  void CheckUnused();
  std::vector<ImportError>& errors() { return errors_; }

 private:
  // The cell's text, trimmed; nullopt when the column is absent or the cell empty (then an
  // error if `need` is kRequired). Marks the column read.
  std::optional<std::string> Cell(std::string_view column, Need need);

  const std::map<std::string, size_t>& columns_;
  const CsvRecord& record_;
  std::string caf_flag_;
  std::string act_;
  std::vector<bool> read_;  // by field index
  std::vector<ImportError> errors_;
};

// An act a row may name: its names (folded), the RPC, and how a row becomes its request
// (request_id left empty, set by the caller).
struct CsvAct {
  std::string_view name;  // as the README and errors write it: "agrément"
  std::string_view rpc;   // "RecordCommitteeDecision"
  std::shared_ptr<google::protobuf::Message> (*build)(CsvRow& row);
};

// The act named `name` (folded), or nullptr.
const CsvAct* FindCsvAct(std::string_view folded_name);
// Every act's name, for errors: "demande, agrément, ...".
std::string CsvActNames();

}  // namespace clas::ctl::csv

#endif  // CLAS_TOOLS_CLASCTL_IMPORT_CSV_ROW_H_
