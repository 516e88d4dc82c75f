#include "projections/core/stream_layout.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "ledger/base/absl_view.h"

namespace clas {
namespace {

constexpr std::string_view kGestionnaire = "/gestionnaire/";
constexpr std::string_view kConvention = "/convention/";
constexpr std::string_view kCivilYear = "/civil-year/";

// "clas/<caf><kind><rest>" -> <rest> when `stream` has that shape, nullopt otherwise.
std::optional<std::string_view> After(std::string_view stream, std::string_view kind) {
  if (!absl::StartsWith(base::ToAbsl(stream), base::ToAbsl(kClasStreamRoot))) {
    return std::nullopt;
  }
  const std::string_view rest = stream.substr(kClasStreamRoot.size());
  const size_t caf_end = rest.find('/');
  if (caf_end == 0 || caf_end == std::string_view::npos) return std::nullopt;
  const std::string_view tail = rest.substr(caf_end);
  if (!absl::StartsWith(base::ToAbsl(tail), base::ToAbsl(kind))) return std::nullopt;
  return tail.substr(kind.size());
}

}  // namespace

std::string BaremeStream() { return absl::StrCat(base::ToAbsl(kClasStreamRoot), "bareme"); }

std::string GestionnaireStream(std::string_view caf_id, std::string_view gestionnaire_id) {
  return absl::StrCat(CafStreamPrefix(caf_id), base::ToAbsl(kGestionnaire.substr(1)),
                      base::ToAbsl(gestionnaire_id));
}

std::string ConventionStream(std::string_view caf_id, std::string_view convention_id) {
  return absl::StrCat(ConventionStreamPrefix(caf_id), base::ToAbsl(convention_id));
}

std::string CivilYearStream(std::string_view caf_id, int32_t civil_year) {
  return absl::StrCat(CivilYearStreamPrefix(caf_id), civil_year);
}

std::string CafStreamPrefix(std::string_view caf_id) {
  return absl::StrCat(base::ToAbsl(kClasStreamRoot), base::ToAbsl(caf_id), "/");
}

std::string ConventionStreamPrefix(std::string_view caf_id) {
  if (caf_id.empty()) return std::string(kClasStreamRoot);
  return absl::StrCat(CafStreamPrefix(caf_id), base::ToAbsl(kConvention.substr(1)));
}

std::string CivilYearStreamPrefix(std::string_view caf_id) {
  return absl::StrCat(CafStreamPrefix(caf_id), base::ToAbsl(kCivilYear.substr(1)));
}

bool IsClasStream(std::string_view stream) {
  return absl::StartsWith(base::ToAbsl(stream), base::ToAbsl(kClasStreamRoot));
}

std::string CafOfStream(std::string_view stream) {
  if (!IsClasStream(stream)) return "";
  const std::string_view rest = stream.substr(kClasStreamRoot.size());
  const size_t end = rest.find('/');
  return end == std::string_view::npos ? "" : std::string(rest.substr(0, end));
}

std::string ConventionOfStream(std::string_view stream) {
  const std::optional<std::string_view> id = After(stream, kConvention);
  return id.has_value() ? std::string(*id) : "";
}

std::optional<int32_t> CivilYearOfStream(std::string_view stream) {
  const std::optional<std::string_view> year = After(stream, kCivilYear);
  int32_t out = 0;
  if (!year.has_value() || !absl::SimpleAtoi(base::ToAbsl(*year), &out)) return std::nullopt;
  return out;
}

std::optional<std::string> CafOfFolder(std::string_view folder) {
  if (!IsClasStream(folder) || !absl::EndsWith(base::ToAbsl(folder), "/")) return std::nullopt;
  const std::string_view caf =
      folder.substr(kClasStreamRoot.size(), folder.size() - kClasStreamRoot.size() - 1);
  if (caf.empty() || caf.find('/') != std::string_view::npos) return std::nullopt;
  return std::string(caf);
}

}  // namespace clas
