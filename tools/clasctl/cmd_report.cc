// convention report: the audit page of one convention, from Audit.ReplayHistory.
#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "ledger/base/status_macros.h"
#include "ledger/hash_chain.h"
#include "tools/clasctl/commands.h"
#include "tools/clasctl/remote.h"
#include "tools/clasctl/report_html.h"

namespace clas::ctl {
namespace {

// Written beside the target then renamed, so that a reader never sees half a page.
absl::Status WritePage(const std::string& path, const std::string& html) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(html.data(), static_cast<std::streamsize>(html.size()));
    out.close();
    if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", temporary));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot rename ", temporary, " to ", path));
  }
  return absl::OkStatus();
}

}  // namespace

int ConventionReport(const Invocation& in, Io& io) {
  return Guarded(io, [&]() -> absl::StatusOr<int> {
    v1::ReplayHistoryRequest request;
    ASSIGN_OR_RETURN(*request.mutable_caf_id(), Required(in, "caf"));
    request.set_convention_id(in.positionals()[0]);
    ASSIGN_OR_RETURN(std::string path, Required(in, "html"));
    ASSIGN_OR_RETURN(int64_t known, in.GetInstant("known-at"));
    request.set_known_at_us(known);
    ASSIGN_OR_RETURN(Remote remote, Remote::Connect(in));
    auto context = remote.Context();
    auto reader = remote.audit()->ReplayHistory(context.get(), request);
    std::vector<v1::ReplayHistoryItem> items;
    v1::ReplayHistoryItem item;
    while (reader->Read(&item)) {
      items.push_back(std::move(item));
      item.Clear();
    }
    grpc::Status status = reader->Finish();
    if (!status.ok()) return ReportRpcError(status, "convention report", io);
    if (items.empty()) {
      return absl::NotFoundError(absl::StrCat("convention ", request.convention_id(),
                                              ": no event in Caf ", request.caf_id()));
    }
    const v1::RecordedEvent& last = items.back().event();
    ASSIGN_OR_RETURN(v1::ConventionState state,
                     remote.ConventionAt(request.caf_id(), request.convention_id(),
                                         last.position()));
    RETURN_IF_ERROR(WritePage(
        path, ConventionReportHtml(state, items, absl::ToUnixMicros(absl::Now()))));
    io.out << "Report of convention " << request.convention_id() << " (" << items.size()
           << " events, up to log position " << last.position() << ", hash "
           << ledger::HashHex(last.hash()) << ") written to " << path << "\n";
    return kExitOk;
  });
}

}  // namespace clas::ctl
