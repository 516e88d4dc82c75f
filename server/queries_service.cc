// Queries: states as of D, known at T. Every answer carries the log position it reflects.
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "projections/codec/state_codec.h"
#include "projections/core/calendar.h"
#include "projections/core/violation.h"
#include "projections/engine/command_input.h"
#include "projections/engine/request_key.h"
#include "projections/rules/droit.h"
#include "projections/rules/request_limits.h"
#include "server/call_log.h"
#include "server/convert.h"
#include "server/grpc_status.h"
#include "server/query_ids.h"
#include "server/services.h"

namespace clas::server {
namespace {

// Runs a read: check the caller (always first: a caller without a valid token learns nothing,
// not even what is wrong with the request), check the Caf and the identifiers the request
// names, resolve the as-of point, then `body(as_of)`.
template <typename Body>
grpc::Status RunRead(const ServiceDeps& d, const char* method, grpc::ServerContext* context,
                     const std::string& caf_id, const v1::AsOfSpec& spec, Body body,
                     Need need = Need::kRead, bool need_caf = true, QueryIds ids = {}) {
  CallLog log(method, caf_id, d.calls);
  auto caller = CheckCall(*d.guard, context, need, caf_id);
  if (!caller.ok()) return log.Done(ToGrpcStatus(CafOrAuth(caller.status(), caf_id)));
  log.set_caller(caller->user_id);
  // Only a list may span Cafs (and is then filtered); every other query names its Caf, so that
  // nothing of a Caf the caller may not read is ever computed for it.
  if (caf_id.empty() && need_caf) return log.Done(ToGrpcStatus(MissingCaf()));
  if (!caf_id.empty()) ids.insert(ids.begin(), {"caf_id", &caf_id});
  absl::Status valid = CheckQueryIds(ids);
  if (!valid.ok()) return log.Done(ToGrpcStatus(valid));
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

// `name` cut to kNameCharsMax characters, "…" marking the cut: a name recorded before names were
// bounded may be of any length, and would swell every list it appears in.
std::string Bounded(const std::string& name) {
  size_t chars = 0, i = 0;
  while (i < name.size() && chars < kNameCharsMax) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    i += c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    ++chars;
  }
  if (i >= name.size()) return name;
  return name.substr(0, i) + "…";
}

v1::ConventionSummary Summary(const v1::ConventionState& c) {
  v1::ConventionSummary s;
  s.set_caf_id(c.caf_id());
  s.set_convention_id(c.convention_id());
  s.set_gestionnaire_id(c.gestionnaire_id());
  s.set_gestionnaire_name(Bounded(c.gestionnaire_name()));
  s.set_status(c.status());
  s.set_first_school_year(c.first_school_year());
  s.set_last_school_year(c.last_school_year());
  for (const auto& y : c.years()) {
    s.set_paid_cents(s.paid_cents() + y.paid_cents());
    s.set_indus_open_cents(s.indus_open_cents() + y.indus_open_cents());
  }
  return s;
}

// Keeps one page of the year's lines in `response` (which holds them all): from the line the
// token names (its index), at most page_size (0: civil_year_lines_max) and within the answer
// limit with the totals; the token of the next page when lines are left.
absl::Status PageLines(const v1::GetCivilYearRequest& request, const ServiceLimits& limits,
                       v1::GetCivilYearResponse* response) {
  const int32_t max = request.page_size() <= 0 ? limits.civil_year_lines_max
                                               : std::min(request.page_size(),
                                                          limits.civil_year_lines_max);
  int64_t first = 0;
  if (!request.page_token().empty() &&
      (!absl::SimpleAtoi(request.page_token(), &first) || first < 0 ||
       first > response->lines_size())) {
    return absl::InvalidArgumentError(
        "page_token : jeton de page inconnu (reprendre le next_page_token reçu)");
  }
  google::protobuf::RepeatedPtrField<v1::AccountingLine> all;
  all.Swap(response->mutable_lines());
  int64_t bytes = static_cast<int64_t>(response->ByteSizeLong());
  constexpr int64_t kFramingBytes = 8;
  int64_t next = first;
  for (; next < all.size() && next - first < max; ++next) {
    const int64_t size = static_cast<int64_t>(all.Get(next).ByteSizeLong()) + kFramingBytes;
    if (next > first && bytes + size > limits.answer_bytes_max) break;
    bytes += size;
    *response->add_lines() = std::move(*all.Mutable(static_cast<int>(next)));
  }
  if (next < all.size()) response->set_next_page_token(absl::StrCat(next));
  return absl::OkStatus();
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
                   const v1::StateOmissions omitted =
                       FitState(d_.limits.answer_bytes_max, response->mutable_convention());
                   if (omitted.ByteSizeLong() > 0) *response->mutable_omitted() = omitted;
                   return absl::OkStatus();
                 },
                 Need::kRead, /*need_caf=*/true, {{"convention_id", &request->convention_id()}});
}

grpc::Status QueriesService::ListConventions(grpc::ServerContext* context,
                                             const v1::ListConventionsRequest* request,
                                             v1::ListConventionsResponse* response) {
  return RunRead(
      d_, "ListConventions", context, request->caf_id(), request->as_of(),
      [&](const Caller& caller, const AsOf& as_of) -> absl::Status {
        // A filter of the query, no rule of RULES.md: refused as page_size is, naming the field.
        if (!v1::ConventionStatus_IsValid(request->status())) {
          return absl::InvalidArgumentError(
              absl::StrCat("status = ", request->status(), " : statut de convention inconnu"));
        }
        int32_t page = request->page_size() <= 0 ? d_.limits.page_size_default : request->page_size();
        if (page > d_.limits.page_size_max) {
          return absl::InvalidArgumentError(absl::StrCat(
              "page_size = ", page, " : au plus ", d_.limits.page_size_max, " par page"));
        }
        if (!request->gestionnaire_id().empty()) {
          RETURN_IF_ERROR(CheckQueryIds({{"gestionnaire_id", &request->gestionnaire_id()}}));
        }
        // A token is "<caf>/<convention>" of the last one looked at: ids and one "/".
        if (request->page_token().size() > kCafIdBytesMax + 1 + kIdBytesMax) {
          return absl::InvalidArgumentError(
              "page_token : jeton de page inconnu (reprendre le next_page_token reçu)");
        }
        // Each page ends within the answer limit: no tenant's data can swell another's list.
        int64_t bytes = 0;
        ASSIGN_OR_RETURN(auto ids, d_.engine->ListConventionIds(request->caf_id()));
        int32_t scanned = 0;
        std::string last_scanned;
        for (const auto& [caf, id] : ids) {
          const std::string key = absl::StrCat(caf, "/", id);
          if (key <= request->page_token() || !caller.may_read(caf)) continue;
          if (response->conventions_size() == page) {
            const auto& last = response->conventions(response->conventions_size() - 1);
            response->set_next_page_token(
                absl::StrCat(last.caf_id(), "/", last.convention_id()));
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
          if (!Matches(*request, *state)) continue;
          v1::ConventionSummary summary = Summary(*state);
          constexpr int64_t kFramingBytes = 8;
          const int64_t size = static_cast<int64_t>(summary.ByteSizeLong()) + kFramingBytes;
          if (response->conventions_size() > 0 && bytes + size > d_.limits.answer_bytes_max) {
            // Full: this one opens the next page (the token names the last one kept).
            const auto& last = response->conventions(response->conventions_size() - 1);
            response->set_next_page_token(
                absl::StrCat(last.caf_id(), "/", last.convention_id()));
            break;
          }
          bytes += size;
          *response->add_conventions() = std::move(summary);
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
                   ASSIGN_OR_RETURN(const Gestionnaire gestionnaire,
                                    d_.engine->GetGestionnaire(request->caf_id(),
                                                               request->gestionnaire_id(), as_of));
                   codec::Encode(gestionnaire, response->mutable_gestionnaire());
                   response->set_log_position(PositionOf(as_of, *d_.store));
                   v1::GestionnaireState* g = response->mutable_gestionnaire();
                   google::protobuf::RepeatedPtrField<std::string> kept;
                   kept.Swap(g->mutable_convention_ids());
                   const int64_t base = static_cast<int64_t>(response->ByteSizeLong());
                   response->set_convention_ids_omitted(
                       KeepFirstWithin(d_.limits.answer_bytes_max, base, &kept));
                   kept.Swap(g->mutable_convention_ids());
                   return absl::OkStatus();
                 },
                 Need::kRead, /*need_caf=*/true,
                 {{"gestionnaire_id", &request->gestionnaire_id()}});
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
                     v.Add(RuleError(rule::kAcc10, "civil_year", absl::StrCat(year),
                                     absl::StrCat("exercice hors des dates du registre (",
                                                  kDateMin / 10000, " à ", kDateMax / 10000, ")")));
                     return v.ToStatus(absl::StatusCode::kInvalidArgument);
                   }
                   ASSIGN_OR_RETURN(CafBooks books, d_.engine->Books(request->caf_id(), as_of));
                   ASSIGN_OR_RETURN(auto report, CivilYearReportOf(books, request->civil_year()));
                   ASSIGN_OR_RETURN(auto lines, AllLines(books));
                   bool closed = false;
                   for (const auto& c : books.closings) {
                     closed = closed || c.year.y() == request->civil_year();
                   }
                   FillCivilYear(report, lines, closed, response);
                   RETURN_IF_ERROR(PageLines(*request, d_.limits, response));
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
                   // R-CONV-2: a school year within the ledger's range (N+1 is computed); R-CTL-4:
                   // the years of one contrôle, at most a convention's.
                   Violations v;
                   if (request->years_size() > rules::kConventionSchoolYearsMax) {
                     v.Add(RuleError(rule::kCtl4, "years", absl::StrCat(request->years_size()),
                                     absl::StrCat(request->years_size(), " années : au plus ",
                                                  rules::kConventionSchoolYearsMax,
                                                  " (les années d'une convention)")));
                     return v.ToStatus(absl::StatusCode::kInvalidArgument);
                   }
                   for (int i = 0; i < request->years_size(); ++i) {
                     const int32_t year = request->years(i).school_year();
                     if (year < rules::kSchoolYearMin || year > rules::kSchoolYearMax) {
                       v.Add(RuleError(
                           rule::kConv2, absl::StrCat("years[", i, "].school_year"),
                           absl::StrCat(year),
                           absl::StrCat("année scolaire hors des dates du registre (",
                                        rules::kSchoolYearMin, " à ", rules::kSchoolYearMax, ")")));
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
                 Need::kSimulateControle, /*need_caf=*/true,
                 {{"convention_id", &request->convention_id()}});
}

}  // namespace clas::server
