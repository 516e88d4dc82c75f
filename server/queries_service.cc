// Queries: states as of D, known at T. Every answer carries the log position it reflects.
#include "absl/strings/str_cat.h"
#include "projections/core/calendar.h"
#include "projections/core/violation.h"
#include "projections/rules/droit.h"
#include "projections/rules/request_limits.h"
#include "server/call_log.h"
#include "server/convert.h"
#include "server/grpc_status.h"
#include "server/services.h"

namespace clas::server {
namespace {

// Runs a read: check the caller, resolve the as-of point, then `body(as_of)`.
template <typename Body>
grpc::Status RunRead(const ServiceDeps& d, const char* method, grpc::ServerContext* context,
                     const std::string& caf_id, const v1::AsOfSpec& spec, Body body,
                     Need need = Need::kRead, bool need_caf = true) {
  CallLog log(method, caf_id);
  // Only a list may span Cafs (and is then filtered); every other query names its Caf, so that
  // nothing of a Caf the caller may not read is ever computed for it.
  if (caf_id.empty() && need_caf) {
    return log.Done(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                 "caf_id : la Caf est obligatoire pour cette requête"));
  }
  auto caller = d.guard->Check(*context, need, caf_id);
  if (!caller.ok()) return log.Done(ToGrpcStatus(caller.status()));
  log.set_caller(caller->user_id);
  auto as_of = FromSpec(spec, *d.store);
  if (!as_of.ok()) return log.Done(ToGrpcStatus(as_of.status()));
  return log.Done(ToGrpcStatus(body(*caller, *as_of)));
}

bool Matches(const v1::ListConventionsRequest& r, const v1::ConventionState& c) {
  if (!r.gestionnaire_id().empty() && c.gestionnaire_id() != r.gestionnaire_id()) return false;
  if (r.status() != v1::CONVENTION_STATUS_UNSPECIFIED && c.status() != r.status()) return false;
  if (r.school_year() != 0) {
    bool found = false;
    for (const auto& y : c.years()) found = found || y.school_year() == r.school_year();
    if (!found) return false;
  }
  return true;
}

v1::ConventionSummary Summary(const v1::ConventionState& c) {
  v1::ConventionSummary s;
  s.set_caf_id(c.caf_id());
  s.set_convention_id(c.convention_id());
  s.set_gestionnaire_id(c.gestionnaire_id());
  s.set_gestionnaire_name(c.gestionnaire_name());
  s.set_status(c.status());
  s.set_first_school_year(c.first_school_year());
  s.set_last_school_year(c.last_school_year());
  for (const auto& y : c.years()) {
    s.set_paid_cents(s.paid_cents() + y.paid_cents());
    s.set_indus_open_cents(s.indus_open_cents() + y.indus_open_cents());
  }
  return s;
}

}  // namespace

grpc::Status QueriesService::GetConvention(grpc::ServerContext* context,
                                           const v1::GetConventionRequest* request,
                                           v1::GetConventionResponse* response) {
  return RunRead(d_, "GetConvention", context, request->caf_id(), request->as_of(),
                 [&](const Caller&, const AsOf& as_of) -> absl::Status {
                   ASSIGN_OR_RETURN(*response->mutable_convention(),
                                    d_.engine->GetConvention(request->caf_id(),
                                                             request->convention_id(), as_of));
                   response->set_log_position(PositionOf(as_of, *d_.store));
                   return absl::OkStatus();
                 });
}

grpc::Status QueriesService::ListConventions(grpc::ServerContext* context,
                                             const v1::ListConventionsRequest* request,
                                             v1::ListConventionsResponse* response) {
  return RunRead(
      d_, "ListConventions", context, request->caf_id(), request->as_of(),
      [&](const Caller& caller, const AsOf& as_of) -> absl::Status {
        if (!v1::ConventionStatus_IsValid(request->status())) {
          Violations v;
          v.Add(RuleError("R-HIST-2", "§9", "status", absl::StrCat(request->status()),
                          "statut de convention inconnu"));
          return v.ToStatus(absl::StatusCode::kInvalidArgument);
        }
        int32_t page = request->page_size() <= 0 ? d_.limits.page_size_default : request->page_size();
        if (page > d_.limits.page_size_max) {
          return absl::InvalidArgumentError(absl::StrCat(
              "page_size = ", page, " : au plus ", d_.limits.page_size_max, " par page"));
        }
        ASSIGN_OR_RETURN(auto ids, d_.engine->ListConventionIds(request->caf_id()));
        int32_t scanned = 0;
        std::string last_scanned;
        for (const auto& [caf, id] : ids) {
          const std::string key = absl::StrCat(caf, "/", id);
          if (key <= request->page_token() || !caller.may_read(caf)) continue;
          if (response->conventions_size() == page) {
            response->set_next_page_token(absl::StrCat(
                response->conventions(page - 1).caf_id(), "/",
                response->conventions(page - 1).convention_id()));
            break;
          }
          if (scanned == d_.limits.list_scan_max) {
            response->set_next_page_token(last_scanned);  // everything up to it was examined
            break;
          }
          ++scanned;
          last_scanned = key;
          auto state = d_.engine->GetConvention(caf, id, as_of);
          if (absl::IsNotFound(state.status())) continue;
          RETURN_IF_ERROR(state.status());
          if (Matches(*request, *state)) *response->add_conventions() = Summary(*state);
        }
        response->set_log_position(PositionOf(as_of, *d_.store));
        return absl::OkStatus();
      },
      Need::kRead, /*need_caf=*/false);
}

grpc::Status QueriesService::GetGestionnaire(grpc::ServerContext* context,
                                             const v1::GetGestionnaireRequest* request,
                                             v1::GetGestionnaireResponse* response) {
  return RunRead(d_, "GetGestionnaire", context, request->caf_id(), request->as_of(),
                 [&](const Caller&, const AsOf& as_of) -> absl::Status {
                   ASSIGN_OR_RETURN(*response->mutable_gestionnaire(),
                                    d_.engine->GetGestionnaire(request->caf_id(),
                                                               request->gestionnaire_id(), as_of));
                   response->set_log_position(PositionOf(as_of, *d_.store));
                   return absl::OkStatus();
                 });
}

grpc::Status QueriesService::GetCivilYear(grpc::ServerContext* context,
                                          const v1::GetCivilYearRequest* request,
                                          v1::GetCivilYearResponse* response) {
  return RunRead(d_, "GetCivilYear", context, request->caf_id(), request->as_of(),
                 [&](const Caller&, const AsOf& as_of) -> absl::Status {
                   // The report folds every year from the first line up to the one asked:
                   // a year outside the ledger's dates would loop for ever (or overflow).
                   const int32_t year = request->civil_year();
                   if (year < kDateMin / 10000 || year > kDateMax / 10000) {
                     Violations v;
                     v.Add(RuleError("R-ACC-10", "§4", "civil_year", absl::StrCat(year),
                                     absl::StrCat("exercice hors des dates du registre (",
                                                  kDateMin / 10000, " à ", kDateMax / 10000,
                                                  ")")));
                     return v.ToStatus(absl::StatusCode::kInvalidArgument);
                   }
                   ASSIGN_OR_RETURN(CafBooks books, d_.engine->Books(request->caf_id(), as_of));
                   ASSIGN_OR_RETURN(auto report, CivilYearReportOf(books, request->civil_year()));
                   ASSIGN_OR_RETURN(auto lines, AllLines(books));
                   bool closed = false;
                   for (const auto& c : books.closings) {
                     closed = closed || c.closing.civil_year() == request->civil_year();
                   }
                   FillCivilYear(report, lines, closed, response);
                   response->set_log_position(PositionOf(as_of, *d_.store));
                   return absl::OkStatus();
                 });
}

grpc::Status QueriesService::ComputeDroit(grpc::ServerContext* context,
                                          const v1::ComputeDroitRequest* request,
                                          v1::ComputeDroitResponse* response) {
  return RunRead(d_, "ComputeDroit", context, "", v1::AsOfSpec(),
                 [&](const Caller&, const AsOf&) -> absl::Status {
                   ASSIGN_OR_RETURN(*response->mutable_breakdown(),
                                    rules::ComputeDroit(request->inputs()));
                   response->set_explanation(rules::DescribeBreakdown(response->breakdown()));
                   return absl::OkStatus();
                 },
                 Need::kRead, /*need_caf=*/false);
}

grpc::Status QueriesService::SimulateControle(grpc::ServerContext* context,
                                              const v1::SimulateControleRequest* request,
                                              v1::SimulateControleResponse* response) {
  return RunRead(d_, "SimulateControle", context, request->caf_id(), v1::AsOfSpec(),
                 [&](const Caller&, const AsOf& as_of) -> absl::Status {
                   // R-CONV-2: a school year within the ledger's range (N+1 is computed).
                   Violations v;
                   for (int i = 0; i < request->years_size(); ++i) {
                     const int32_t year = request->years(i).school_year();
                     if (year < rules::kSchoolYearMin || year > rules::kSchoolYearMax) {
                       v.Add(RuleError("R-CONV-2", "§3.1",
                                       absl::StrCat("years[", i, "].school_year"),
                                       absl::StrCat(year),
                                       absl::StrCat("année scolaire hors des dates du registre (",
                                                    rules::kSchoolYearMin, " à ",
                                                    rules::kSchoolYearMax, ")")));
                     }
                   }
                   RETURN_IF_ERROR(v.ToStatus(absl::StatusCode::kInvalidArgument));
                   std::vector<v1::ControlledYear> years(request->years().begin(),
                                                         request->years().end());
                   ASSIGN_OR_RETURN(auto outcomes,
                                    d_.engine->SimulateControle(request->caf_id(),
                                                                request->convention_id(), years));
                   for (auto& o : outcomes) *response->add_outcomes() = o;
                   response->set_log_position(PositionOf(as_of, *d_.store));
                   return absl::OkStatus();
                 },
                 Need::kSimulateControle);
}

}  // namespace clas::server
