// One page of Audit.RecomputeHistory (R-HIST-3; service.proto says what a page holds): the
// recompute check of the engine (Engine::RecomputeConvention, Engine::RecomputeCaf) run over the
// request's scope, Caf after Caf, its differences cut into pages by count and bytes, each page
// resumable from a token. The server answers with it; clasctl runs it offline on a data
// directory, so that both give the same pages.
//
// A page token is "<log position>/<caf id>/<event position>/<differences sent>": the log as the
// run reads it, where the next page starts, and how many of that event's differences an earlier
// page sent. At most kRecomputeTokenBytesMax bytes.
//
// Thread-safety: a function; the engine is thread-safe.
#ifndef CLAS_SERVER_RECOMPUTE_PAGE_H_
#define CLAS_SERVER_RECOMPUTE_PAGE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "clas/v1/service.pb.h"
#include "projections/engine/engine.h"
#include "server/services.h"

namespace clas::server {

inline constexpr size_t kRecomputeTokenBytesMax = 128;

// Fills `response` with the page `request` asks for, on the log as it was at `head_now` (for a
// first page; a token carries the position of its run, which must not be past `head_now`).
// `may_read(caf)` says which Cafs a request naming none covers (a request naming one was
// authorised for it); `proceed()` is asked before each Caf is read (credentials still valid,
// call not cancelled): its error ends the call and is returned.
// REQUIRES: the request's caf_id and convention_id were checked (CheckQueryIds).
// Returns InvalidArgument naming page_size or page_token, or caf_id for a convention named
// without its Caf; NotFound naming convention_id or caf_id when the one named holds no event;
// the engine's errors otherwise.
absl::Status RecomputePage(Engine& engine, uint64_t head_now,
                           const v1::RecomputeHistoryRequest& request,
                           const ServiceLimits& limits,
                           const std::function<bool(const std::string& caf)>& may_read,
                           const std::function<absl::Status()>& proceed,
                           v1::RecomputeHistoryResponse* response);

}  // namespace clas::server

#endif  // CLAS_SERVER_RECOMPUTE_PAGE_H_
