// R-HIST-3 through the engine: a convention's or a Caf's recorded computations replayed with the
// current rules, read from the log.
#include <algorithm>
#include <iterator>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/base/status_macros.h"
#include "projections/core/stream_layout.h"
#include "projections/core/violation.h"
#include "projections/engine/engine.h"

namespace clas {
namespace {

// Drops the events recorded after `last_position` (0: none): the log as it was then.
void KeepUpTo(uint64_t last_position, std::vector<DomainEvent>& events) {
  if (last_position == 0) return;
  events.erase(std::remove_if(events.begin(), events.end(),
                              [last_position](const DomainEvent& e) {
                                return e.position > last_position;
                              }),
               events.end());
}

absl::Status Unknown(std::string_view field, const std::string& value, std::string sentence) {
  return RuleStatus(absl::StatusCode::kNotFound, RuleError(rule::kHist3, field, value, sentence));
}

}  // namespace

absl::Status Engine::RecomputeConvention(const std::string& caf_id,
                                         const std::string& convention_id,
                                         const RecomputeRange& range,
                                         const RecomputeVisitor& visit) {
  ASSIGN_OR_RETURN(std::vector<DomainEvent> events,
                   log_->ReadStream(ConventionStream(caf_id, convention_id)));
  KeepUpTo(range.last_position, events);
  if (events.empty()) {
    return Unknown("convention_id", convention_id,
                   absl::StrFormat("convention inconnue de la Caf %s", caf_id));
  }
  return RecomputeEach(events, range.from_position, visit);
}

absl::Status Engine::RecomputeCaf(const std::string& caf_id, const RecomputeRange& range,
                                  const RecomputeVisitor& visit) {
  ASSIGN_OR_RETURN(std::vector<DomainEvent> events,
                   log_->ReadStreamsUnder(CafStreamPrefix(caf_id)));
  KeepUpTo(range.last_position, events);
  if (events.empty()) {
    return Unknown("caf_id", caf_id, "aucun événement de cette Caf dans le registre");
  }
  // The barème is an input of the Caf's closings (the droits of its conventions), not one of
  // its events: merged in log order, never visited.
  ASSIGN_OR_RETURN(std::vector<DomainEvent> baremes, log_->ReadStream(BaremeStream()));
  KeepUpTo(range.last_position, baremes);
  const size_t own = events.size();
  events.insert(events.end(), std::make_move_iterator(baremes.begin()),
                std::make_move_iterator(baremes.end()));
  std::inplace_merge(
      events.begin(), events.begin() + static_cast<std::ptrdiff_t>(own), events.end(),
      [](const DomainEvent& a, const DomainEvent& b) { return a.position < b.position; });
  const std::string bareme_stream = BaremeStream();
  return RecomputeEach(events, range.from_position,
                       [&](const DomainEvent& e, RecomputedEvent recomputed) -> absl::Status {
                         if (e.stream_id == bareme_stream) return absl::OkStatus();
                         return visit(e, std::move(recomputed));
                       });
}

absl::StatusOr<std::vector<std::string>> Engine::ListCafs(const std::string& after,
                                                          size_t max_count) {
  std::vector<std::string> cafs;
  std::string start = after.empty() ? "" : CafStreamPrefix(after);
  // Entries that are no Caf (the barème, "clas/bareme") take a place of the page: read on.
  while (cafs.size() < max_count) {
    const size_t wanted = max_count - cafs.size();
    ASSIGN_OR_RETURN(std::vector<std::string> entries,
                     log_->ListFolders(std::string(kClasStreamRoot), start, wanted));
    for (const std::string& entry : entries) {
      start = entry;
      // A stream directly under the root (clas/bareme) is no Caf.
      if (std::optional<std::string> caf = CafOfFolder(entry)) cafs.push_back(*std::move(caf));
    }
    if (entries.size() < wanted) break;
  }
  return cafs;
}

}  // namespace clas
