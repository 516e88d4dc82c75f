// audit recompute: the recorded computations of a convention, a Caf or every Caf the caller
// reads, done again with the current rules (Audit.RecomputeHistory, R-HIST-3), through the
// server or on a data directory opened read-only (--data). Every page is followed; the pages
// are one reading of the log (service.proto).
#include <functional>
#include <memory>

#include "absl/strings/str_cat.h"
#include "ledger/base/status_macros.h"
#include "projections/engine/engine.h"
#include "server/grpc_status.h"
#include "server/recompute_page.h"
#include "server/store_event_log.h"
#include "tools/clasctl/commands.h"
#include "tools/clasctl/format_recompute.h"
#include "tools/clasctl/remote.h"
#include "tools/clasctl/store_tools.h"
#include "tools/clasctl/text.h"

namespace clas::ctl {
namespace {

// Pages followed at most: a national run of 100 differences a page over 10 000 pages.
constexpr int kRecomputePagesMax = 10'000;

// Asks one page: the server's answer, or its refusal.
using PageCall =
    std::function<grpc::Status(const v1::RecomputeHistoryRequest&, v1::RecomputeHistoryResponse*)>;

// Every page of `request`, put together: the differences in order, the counts summed, the
// first page's log position and rule version. Reports a refusal and returns its exit code.
absl::StatusOr<int> AllPages(v1::RecomputeHistoryRequest request, const PageCall& call,
                             v1::RecomputeHistoryResponse* all, Io& io) {
  for (int page = 0; page < kRecomputePagesMax; ++page) {
    v1::RecomputeHistoryResponse next;
    const grpc::Status status = call(request, &next);
    if (!status.ok()) return ReportRpcError(status, "audit recompute", io);
    if (page == 0) {
      all->set_log_position(next.log_position());
      all->set_rule_version_current(next.rule_version_current());
    }
    for (auto& d : *next.mutable_differences()) *all->add_differences() = std::move(d);
    all->set_events_checked(all->events_checked() + next.events_checked());
    all->set_computations_checked(all->computations_checked() + next.computations_checked());
    all->set_cafs_checked(all->cafs_checked() + next.cafs_checked());
    if (next.next_page_token().empty()) return kExitOk;
    request.set_page_token(next.next_page_token());
  }
  return absl::ResourceExhaustedError(
      absl::StrCat("more than ", kRecomputePagesMax, " pages: check one Caf at a time (--caf)"));
}

// The pages of the ledger in `dir`, opened read-only (a server may run on it), computed here
// as the server computes them, for a caller who reads every Caf.
absl::StatusOr<int> Offline(const std::string& dir, const v1::RecomputeHistoryRequest& request,
                            v1::RecomputeHistoryResponse* all, Io& io) {
  ASSIGN_OR_RETURN(std::unique_ptr<ledger::EventStore> store, OpenStore(dir, /*read_only=*/true));
  server::StoreEventLog log(store.get());
  Engine engine(&log);
  const server::ServiceLimits limits;
  const uint64_t head = store->Head().position;
  return AllPages(
      request,
      [&](const v1::RecomputeHistoryRequest& r, v1::RecomputeHistoryResponse* page) {
        return server::ToGrpcStatus(server::RecomputePage(
            engine, head, r, limits, [](const std::string&) { return true; },
            [] { return absl::OkStatus(); }, page));
      },
      all, io);
}

// The pages the server answers.
absl::StatusOr<int> Served(const Invocation& in, const v1::RecomputeHistoryRequest& request,
                           v1::RecomputeHistoryResponse* all, Io& io) {
  ASSIGN_OR_RETURN(Remote remote, Remote::Connect(in));
  const auto stub = remote.audit();
  return AllPages(
      request,
      [&](const v1::RecomputeHistoryRequest& r, v1::RecomputeHistoryResponse* page) {
        return stub->RecomputeHistory(remote.Context().get(), r, page);
      },
      all, io);
}

}  // namespace

int AuditRecompute(const Invocation& in, Io& io) {
  return Guarded(io, [&]() -> absl::StatusOr<int> {
    ASSIGN_OR_RETURN(OutputFormat format, OutputFormatOf(in, /*csv_allowed=*/false));
    v1::RecomputeHistoryRequest request;
    request.set_caf_id(in.Get("caf"));
    if (!in.positionals().empty()) request.set_convention_id(in.positionals()[0]);
    if (!request.convention_id().empty() && request.caf_id().empty()) {
      return absl::InvalidArgumentError("a convention needs its Caf: --caf CAF");
    }
    v1::RecomputeHistoryResponse all;
    ASSIGN_OR_RETURN(const int code, in.Has("data") ? Offline(in.Get("data"), request, &all, io)
                                                    : Served(in, request, &all, io));
    if (code != kExitOk) return code;
    io.out << (format == OutputFormat::kJson ? ToJson(all) : FormatRecompute(all));
    return all.differences().empty() ? kExitOk : kExitRefused;
  });
}

}  // namespace clas::ctl
