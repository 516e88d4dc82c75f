// year report (GetCivilYear) and controle simulate (SimulateControle).
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/base/status_macros.h"
#include "tools/clasctl/commands.h"
#include "tools/clasctl/format_droit.h"
#include "tools/clasctl/format_year.h"
#include "tools/clasctl/remote.h"
#include "tools/clasctl/text.h"

namespace clas::ctl {
namespace {

// A figures file larger than this is not a list of school years.
constexpr std::streamsize kFiguresFileBytesMax = 1 << 20;
constexpr int64_t kCollectifsMax = 1000;
// Pages of lines `year report` reads at most (of up to civil_year_lines_max lines each).
constexpr int kYearPagesMax = 10'000;

absl::StatusOr<int32_t> YearNumber(const std::string& text, const std::string& what) {
  int32_t year = 0;
  if (!absl::SimpleAtoi(text, &year) || year < 2000 || year > 2098) {
    return absl::InvalidArgumentError(absl::StrCat(what, " '", text, "': expected a year YYYY"));
  }
  return year;
}

// --file: a JSON array of clas.v1.ControlledYear, or an object {"years": [...]}.
absl::StatusOr<std::vector<v1::ControlledYear>> YearsFromFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::UnavailableError(absl::StrCat("cannot read ", path));
  std::string text(kFiguresFileBytesMax + 1, '\0');
  in.read(text.data(), kFiguresFileBytesMax + 1);
  if (in.gcount() > kFiguresFileBytesMax) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is too large"));
  }
  text.resize(in.gcount());
  const absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(text);
  if (!trimmed.empty() && trimmed[0] == '[') text = absl::StrCat("{\"years\": ", text, "}");
  v1::SimulateControleRequest parsed;
  const auto status = google::protobuf::util::JsonStringToMessage(text, &parsed);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a JSON list of clas.v1.ControlledYear: ", status.ToString()));
  }
  if (parsed.years().empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": no year"));
  return std::vector<v1::ControlledYear>(parsed.years().begin(), parsed.years().end());
}

absl::StatusOr<int32_t> CountFlag(const Invocation& in, const std::string& flag) {
  ASSIGN_OR_RETURN(int64_t value, in.GetInt(flag, 0));
  if (value < 0 || value > kCollectifsMax) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, ": 0 to ", kCollectifsMax));
  }
  return static_cast<int32_t>(value);
}

// --year N --collectifs C --charges EUROS [--autres-bf EUROS] [--bonus-enfants E]
// [--bonus-parents P]: one controlled year.
absl::StatusOr<std::vector<v1::ControlledYear>> YearFromFlags(const Invocation& in) {
  for (const char* flag : {"year", "collectifs", "charges"}) {
    if (in.Get(flag).empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "needs --file FIGURES.json, or --year, --collectifs and --charges (missing --", flag,
          ")"));
    }
  }
  v1::ControlledYear year;
  ASSIGN_OR_RETURN(int32_t n, YearNumber(in.Get("year"), "--year"));
  year.set_school_year(n);
  v1::Figures* f = year.mutable_figures();
  ASSIGN_OR_RETURN(int32_t collectifs, CountFlag(in, "collectifs"));
  f->set_collectifs(collectifs);
  ASSIGN_OR_RETURN(int64_t charges, in.GetEuroCents("charges"));
  f->set_charges_cents(charges);
  ASSIGN_OR_RETURN(int64_t autres, in.GetEuroCents("autres-bf"));
  f->set_autres_bf_cents(autres);
  ASSIGN_OR_RETURN(int32_t e, CountFlag(in, "bonus-enfants"));
  ASSIGN_OR_RETURN(int32_t p, CountFlag(in, "bonus-parents"));
  f->set_bonus_enfants_collectifs(e);
  f->set_bonus_parents_collectifs(p);
  return std::vector<v1::ControlledYear>{year};
}

}  // namespace

int YearReport(const Invocation& in, Io& io) {
  return Guarded(io, [&]() -> absl::StatusOr<int> {
    ASSIGN_OR_RETURN(OutputFormat format, OutputFormatOf(in, /*csv_allowed=*/true));
    v1::GetCivilYearRequest request;
    request.set_caf_id(in.positionals()[0]);
    ASSIGN_OR_RETURN(int32_t year, YearNumber(in.positionals()[1], "YEAR"));
    request.set_civil_year(year);
    ASSIGN_OR_RETURN(int32_t as_of, in.GetDay("as-of"));
    request.mutable_as_of()->set_effective_date(as_of);
    ASSIGN_OR_RETURN(int64_t known, in.GetInstant("known-at"));
    request.mutable_as_of()->set_known_at_us(known);
    ASSIGN_OR_RETURN(Remote remote, Remote::Connect(in));
    // The lines come a page at a time; the next pages are read at the first one's position, so
    // that they all are of one reading.
    v1::GetCivilYearResponse response;
    for (int page = 0;; ++page) {
      v1::GetCivilYearResponse next;
      grpc::Status status = remote.queries()->GetCivilYear(remote.Context().get(), request, &next);
      if (!status.ok()) return ReportRpcError(status, "year report", io);
      if (page == 0) {
        response = next;
        request.mutable_as_of()->set_at_position(next.log_position());
      } else {
        for (auto& l : *next.mutable_lines()) *response.add_lines() = std::move(l);
      }
      if (next.next_page_token().empty() || page + 1 == kYearPagesMax) break;
      request.set_page_token(next.next_page_token());
    }
    response.clear_next_page_token();
    if (format == OutputFormat::kJson) io.out << ToJson(response);
    if (format == OutputFormat::kCsv) io.out << YearReportCsv(response);
    if (format == OutputFormat::kText) io.out << FormatYearReport(response);
    return kExitOk;
  });
}

int ControleSimulate(const Invocation& in, Io& io) {
  return Guarded(io, [&]() -> absl::StatusOr<int> {
    ASSIGN_OR_RETURN(OutputFormat format, OutputFormatOf(in, /*csv_allowed=*/false));
    v1::SimulateControleRequest request;
    ASSIGN_OR_RETURN(*request.mutable_caf_id(), Required(in, "caf"));
    request.set_convention_id(in.positionals()[0]);
    const bool from_file = !in.Get("file").empty();
    if (from_file &&
        (!in.Get("year").empty() || !in.Get("collectifs").empty() || !in.Get("charges").empty())) {
      return absl::InvalidArgumentError("give either --file or --year/--collectifs/--charges");
    }
    ASSIGN_OR_RETURN(std::vector<v1::ControlledYear> years,
                     from_file ? YearsFromFile(in.Get("file")) : YearFromFlags(in));
    for (auto& y : years) *request.add_years() = std::move(y);
    ASSIGN_OR_RETURN(Remote remote, Remote::Connect(in));
    v1::SimulateControleResponse response;
    grpc::Status status =
        remote.queries()->SimulateControle(remote.Context().get(), request, &response);
    if (!status.ok()) return ReportRpcError(status, "controle simulate", io);
    io.out << (format == OutputFormat::kJson ? ToJson(response) : FormatSimulation(response));
    return kExitOk;
  });
}

}  // namespace clas::ctl
