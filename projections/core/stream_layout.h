// The stream ids of the Clas aggregates: the one place their grammar is written (events.proto
// documents it for clients).
//
//   clas/bareme                                   the national barèmes
//   clas/<caf>/gestionnaire/<gestionnaire id>     a gestionnaire of a Caf
//   clas/<caf>/convention/<convention id>         a convention (its dossier) of a Caf
//   clas/<caf>/civil-year/<yyyy>                  the closing of a civil year of a Caf
//
// Every other stream (a client's "ext/<user>/…") is not Clas's. A Caf id holds no '/', as the
// identifier policy says (command_input.h), so "clas/<caf>/" is the prefix of a Caf's streams
// and of no other Caf's.
//
// Thread-safety: pure functions.
#ifndef CLAS_PROJECTIONS_CORE_STREAM_LAYOUT_H_
#define CLAS_PROJECTIONS_CORE_STREAM_LAYOUT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace clas {

// The root every Clas stream id starts with.
inline constexpr std::string_view kClasStreamRoot = "clas/";

std::string BaremeStream();
std::string GestionnaireStream(std::string_view caf_id, std::string_view gestionnaire_id);
std::string ConventionStream(std::string_view caf_id, std::string_view convention_id);
std::string CivilYearStream(std::string_view caf_id, int32_t civil_year);

// "clas/<caf>/": the prefix of every stream of a Caf.
std::string CafStreamPrefix(std::string_view caf_id);
// "clas/<caf>/convention/": the prefix of every convention stream of a Caf ("" caf: "clas/",
// every Clas stream).
std::string ConventionStreamPrefix(std::string_view caf_id);
// "clas/<caf>/civil-year/": the prefix of every closing of a Caf.
std::string CivilYearStreamPrefix(std::string_view caf_id);

// Whether `stream` is a Clas stream (under kClasStreamRoot).
bool IsClasStream(std::string_view stream);
// The Caf of a Clas stream of a Caf ("" for clas/bareme and for any other stream).
std::string CafOfStream(std::string_view stream);
// The convention id of a convention stream ("" for any other stream).
std::string ConventionOfStream(std::string_view stream);
// The year of a civil-year stream (nullopt for any other stream).
std::optional<int32_t> CivilYearOfStream(std::string_view stream);
// The Caf of an entry "clas/<caf>/" listed under the root (nullopt for a stream directly under
// it, such as clas/bareme).
std::optional<std::string> CafOfFolder(std::string_view folder);

}  // namespace clas

#endif  // CLAS_PROJECTIONS_CORE_STREAM_LAYOUT_H_
