// convention show | list | history | diff | export: Queries and Audit calls on one convention.
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/base/status_macros.h"
#include "ledger/hash_chain.h"
#include "tools/clasctl/commands.h"
#include "tools/clasctl/format_audit.h"
#include "tools/clasctl/format_convention.h"
#include "tools/clasctl/remote.h"
#include "tools/clasctl/text.h"

namespace clas::ctl {
namespace {

// Pages `convention list` follows at most: 10 000 pages of up to 500 conventions.
constexpr int kListPagesMax = 10'000;
constexpr int64_t kPageSizeMax = 500;

absl::StatusOr<v1::AsOfSpec> AsOfOf(const Invocation& in) {
  v1::AsOfSpec spec;
  ASSIGN_OR_RETURN(int32_t day, in.GetDay("as-of"));
  ASSIGN_OR_RETURN(int64_t known, in.GetInstant("known-at"));
  spec.set_effective_date(day);
  spec.set_known_at_us(known);
  return spec;
}

absl::StatusOr<v1::ConventionStatus> StatusOf(const Invocation& in) {
  const std::string text = in.Get("status");
  if (text.empty()) return v1::CONVENTION_STATUS_UNSPECIFIED;
  v1::ConventionStatus status;
  if (!v1::ConventionStatus_Parse(absl::AsciiStrToUpper(text), &status) ||
      status == v1::CONVENTION_STATUS_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrCat("--status '", text,
                     "': expected demande_deposee, demande_refusee, agreee, signee or soldee"));
  }
  return status;
}

absl::Status WriteFile(const std::string& path, const std::string& bytes) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", temporary));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot rename ", temporary, " to ", path));
  }
  return absl::OkStatus();
}

}  // namespace

int ConventionShow(const Invocation& in, Io& io) {
  return Guarded(io, [&]() -> absl::StatusOr<int> {
    ASSIGN_OR_RETURN(OutputFormat format, OutputFormatOf(in, /*csv_allowed=*/false));
    v1::GetConventionRequest request;
    ASSIGN_OR_RETURN(*request.mutable_caf_id(), Required(in, "caf"));
    request.set_convention_id(in.positionals()[0]);
    ASSIGN_OR_RETURN(*request.mutable_as_of(), AsOfOf(in));
    ASSIGN_OR_RETURN(Remote remote, Remote::Connect(in));
    v1::GetConventionResponse response;
    grpc::Status status =
        remote.queries()->GetConvention(remote.Context().get(), request, &response);
    if (!status.ok()) return ReportRpcError(status, "convention show", io);
    io.out << (format == OutputFormat::kJson
                   ? ToJson(response)
                   : FormatConvention(response.convention(), response.log_position()));
    return kExitOk;
  });
}

int ConventionList(const Invocation& in, Io& io) {
  return Guarded(io, [&]() -> absl::StatusOr<int> {
    ASSIGN_OR_RETURN(OutputFormat format, OutputFormatOf(in, /*csv_allowed=*/true));
    v1::ListConventionsRequest request;
    ASSIGN_OR_RETURN(*request.mutable_caf_id(), Required(in, "caf"));
    request.set_gestionnaire_id(in.Get("gestionnaire"));
    ASSIGN_OR_RETURN(int64_t year, in.GetInt("school-year", 0));
    ASSIGN_OR_RETURN(int64_t page_size, in.GetInt("page-size", 100));
    if (page_size < 1 || page_size > kPageSizeMax) {
      return absl::InvalidArgumentError(absl::StrCat("--page-size: 1 to ", kPageSizeMax));
    }
    request.set_school_year(static_cast<int32_t>(year));
    request.set_page_size(static_cast<int32_t>(page_size));
    ASSIGN_OR_RETURN(v1::ConventionStatus wanted, StatusOf(in));
    request.set_status(wanted);
    ASSIGN_OR_RETURN(*request.mutable_as_of(), AsOfOf(in));
    ASSIGN_OR_RETURN(Remote remote, Remote::Connect(in));
    v1::ListConventionsResponse all;
    for (int page = 0; page < kListPagesMax; ++page) {
      v1::ListConventionsResponse response;
      grpc::Status status =
          remote.queries()->ListConventions(remote.Context().get(), request, &response);
      if (!status.ok()) return ReportRpcError(status, "convention list", io);
      // Later pages are read at the first page's position, so that the list is one snapshot.
      if (page == 0) request.mutable_as_of()->set_at_position(response.log_position());
      if (page == 0) all.set_log_position(response.log_position());
      for (auto& c : *response.mutable_conventions()) *all.add_conventions() = std::move(c);
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    const std::vector<v1::ConventionSummary> rows(all.conventions().begin(),
                                                  all.conventions().end());
    if (format == OutputFormat::kJson) io.out << ToJson(all);
    if (format == OutputFormat::kCsv) io.out << ConventionListCsv(rows);
    if (format == OutputFormat::kText) {
      io.out << ConventionListTable(rows).Render() << rows.size() << " convention(s), log position "
             << all.log_position() << "\n";
    }
    return kExitOk;
  });
}

int ConventionHistory(const Invocation& in, Io& io) {
  return Guarded(io, [&]() -> absl::StatusOr<int> {
    ASSIGN_OR_RETURN(OutputFormat format, OutputFormatOf(in, /*csv_allowed=*/false));
    v1::ReplayHistoryRequest request;
    ASSIGN_OR_RETURN(*request.mutable_caf_id(), Required(in, "caf"));
    request.set_convention_id(in.positionals()[0]);
    ASSIGN_OR_RETURN(int64_t known, in.GetInstant("known-at"));
    request.set_known_at_us(known);
    ASSIGN_OR_RETURN(Remote remote, Remote::Connect(in));
    auto context = remote.Context();
    auto reader = remote.audit()->ReplayHistory(context.get(), request);
    std::vector<v1::ReplayHistoryItem> items;
    v1::ReplayHistoryItem item;
    while (reader->Read(&item)) {
      if (format == OutputFormat::kJson) io.out << ToJsonLine(item);  // JSON Lines, as it comes
      items.push_back(std::move(item));
      item.Clear();
    }
    grpc::Status status = reader->Finish();
    if (!status.ok()) return ReportRpcError(status, "convention history", io);
    if (format == OutputFormat::kText) {
      v1::ConventionState last;
      if (!items.empty()) {
        ASSIGN_OR_RETURN(last, remote.ConventionAt(request.caf_id(), request.convention_id(),
                                                   items.back().event().position()));
      }
      io.out << FormatHistory(last, items);
    }
    return kExitOk;
  });
}

int ConventionDiff(const Invocation& in, Io& io) {
  return Guarded(io, [&]() -> absl::StatusOr<int> {
    ASSIGN_OR_RETURN(OutputFormat format, OutputFormatOf(in, /*csv_allowed=*/false));
    v1::DiffStatesRequest request;
    ASSIGN_OR_RETURN(*request.mutable_caf_id(), Required(in, "caf"));
    request.set_convention_id(in.positionals()[0]);
    ASSIGN_OR_RETURN(int32_t from, ParseDay(in.positionals()[1]));
    ASSIGN_OR_RETURN(int32_t to, ParseDay(in.positionals()[2]));
    if (from >= to) {
      return absl::InvalidArgumentError("DATE1 must come before DATE2");
    }
    request.set_from_date(from);
    request.set_to_date(to);
    ASSIGN_OR_RETURN(int64_t known, in.GetInstant("known-at"));
    request.set_known_at_us(known);
    ASSIGN_OR_RETURN(Remote remote, Remote::Connect(in));
    v1::DiffStatesResponse response;
    grpc::Status status = remote.audit()->DiffStates(remote.Context().get(), request, &response);
    if (!status.ok()) return ReportRpcError(status, "convention diff", io);
    io.out << (format == OutputFormat::kJson ? ToJson(response)
                                             : FormatDiff(response, from, to, in.Has("all")));
    return kExitOk;
  });
}

int ConventionExport(const Invocation& in, Io& io) {
  return Guarded(io, [&]() -> absl::StatusOr<int> {
    v1::ExportConventionRequest request;
    ASSIGN_OR_RETURN(*request.mutable_caf_id(), Required(in, "caf"));
    request.set_convention_id(in.positionals()[0]);
    ASSIGN_OR_RETURN(std::string path, Required(in, "out"));
    ASSIGN_OR_RETURN(Remote remote, Remote::Connect(in));
    // The pages put together: the whole stream, with the head of the first page's reading.
    v1::ConventionExport response;
    for (int page = 0;; ++page) {
      v1::ConventionExport next;
      grpc::Status status =
          remote.audit()->ExportConvention(remote.Context().get(), request, &next);
      if (!status.ok()) return ReportRpcError(status, "convention export", io);
      if (page == 0) {
        response = next;
      } else {
        for (auto& e : *next.mutable_events()) *response.add_events() = std::move(e);
      }
      if (next.next_version() == 0 || page + 1 == kListPagesMax) break;
      request.set_from_version(next.next_version());
    }
    response.clear_next_version();
    const bool json = absl::EndsWithIgnoreCase(path, ".json");
    RETURN_IF_ERROR(WriteFile(path, json ? ToJson(response) : response.SerializeAsString()));
    const std::string last_hash =
        response.events().empty() ? "" : ledger::HashHex(response.events().rbegin()->hash());
    io.out << "Exported " << response.events_size() << " events of convention "
           << response.convention_id() << " (stream " << response.stream_id() << ") to " << path
           << (json ? " as JSON" : " as binary protobuf") << "\n"
           << "  last event hash   " << last_hash << "\n"
           << "  log head at export position " << response.head_position() << ", hash "
           << ledger::HashHex(response.head_hash()) << "\n";
    return kExitOk;
  });
}

}  // namespace clas::ctl
