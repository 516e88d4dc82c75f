// The queries of the engine: states as of D, known at T (R-HIST-2).
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "projections/core/stream_layout.h"
#include "projections/engine/engine_internal.h"

namespace clas {

using engine_internal::GestionnaireIdOf;

absl::StatusOr<v1::ConventionState> Engine::GetConvention(const std::string& caf_id,
                                                          const std::string& convention_id,
                                                          const AsOf& as_of) {
  ASSIGN_OR_RETURN(Loaded loaded,
                   FoldConventionAt(caf_id, convention_id, as_of, /*keep_events=*/false));
  if (loaded.state.convention_id().empty()) {
    return absl::NotFoundError(absl::StrFormat("convention %s inconnue de la Caf %s (à cette date)",
                                               convention_id, caf_id));
  }
  RETURN_IF_ERROR(ShowOffsets(caf_id, as_of, &loaded.state));
  return std::move(loaded.state);
}

absl::StatusOr<Gestionnaire> Engine::GetGestionnaire(const std::string& caf_id,
                                                     const std::string& gestionnaire_id,
                                                     const AsOf& as_of) {
  ASSIGN_OR_RETURN(auto g, LoadGestionnaire(caf_id, gestionnaire_id, as_of));
  if (!g.has_value()) {
    return absl::NotFoundError(absl::StrFormat("gestionnaire %s inconnu de la Caf %s",
                                               gestionnaire_id, caf_id));
  }
  ASSIGN_OR_RETURN(auto ids, ListConventionIds(caf_id));
  for (const auto& [caf, id] : ids) {
    ASSIGN_OR_RETURN(StreamCache::Events events,
                     streams_.Read(*log_, ConventionStream(caf, id)));
    for (const auto& e : Timeline(*events, as_of)) {
      if (e.fact.has_funding_request_filed() &&
          e.fact.funding_request_filed().gestionnaire_id() == gestionnaire_id) {
        g->convention_ids.push_back(id);
        break;
      }
    }
  }
  return *g;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Engine::ListConventionIds(
    const std::string& caf_id) {
  ASSIGN_OR_RETURN(auto streams, log_->ListStreams(ConventionStreamPrefix(caf_id)));
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& s : streams) {
    // clas/<caf>/convention/<id>
    std::vector<std::string> parts = absl::StrSplit(s, '/');
    if (parts.size() == 4 && parts[2] == "convention") out.emplace_back(parts[1], parts[3]);
  }
  return out;
}

absl::StatusOr<CafBooks> Engine::Books(const std::string& caf_id, const AsOf& as_of) {
  CafBooks books;
  books.caf_id = caf_id;
  books.as_of_date = as_of.effective_date;
  // What the folds of every convention read, read once for the Caf: the barèmes as of the
  // query, and each gestionnaire.
  ASSIGN_OR_RETURN(const BaremeBook baremes, Baremes(as_of));
  std::map<std::pair<std::string, std::string>, std::optional<Gestionnaire>> gestionnaires;
  ASSIGN_OR_RETURN(auto streams, log_->ListStreams(CivilYearStreamPrefix(caf_id)));
  for (const auto& s : streams) {
    // Read from the log, not kept: a closing holds every line of its year (up to the size of
    // an event), and the report kept (report_cache.h) spares reading it again.
    ASSIGN_OR_RETURN(auto events, log_->ReadStream(s));
    RETURN_IF_ERROR(AddClosings(events, as_of, &books));
  }
  ASSIGN_OR_RETURN(auto ids, ListConventionIds(caf_id));
  for (const auto& [caf, id] : ids) {
    ASSIGN_OR_RETURN(StreamCache::Events stream,
                     streams_.Read(*log_, ConventionStream(caf, id)));
    const std::vector<DomainEvent>& events = *stream;
    const std::string gestionnaire_id = GestionnaireIdOf(events);
    auto g = gestionnaires.find({caf, gestionnaire_id});
    if (g == gestionnaires.end()) {
      std::optional<Gestionnaire> gestionnaire;
      if (!gestionnaire_id.empty()) {
        ASSIGN_OR_RETURN(gestionnaire, LoadGestionnaire(caf, gestionnaire_id, as_of));
      }
      g = gestionnaires.emplace(std::pair(caf, gestionnaire_id), std::move(gestionnaire)).first;
    }
    const FoldContext fold{.baremes = &baremes,
                           .gestionnaire = g->second ? &*g->second : nullptr};
    v1::ConventionState state = cache_.Fold(events, as_of, fold);  // == FoldConvention
    for (const auto& e : events) {
      if (e.fact.has_solde_paid()) books.soldes[e.event_id] = e.fact.solde_paid();
    }
    // R-ACC-8: the convention as known just after each of its corrections, and after each
    // notification or avenant effective in a civil year closed before it was recorded, so that
    // each one regularises a closed year in the first civil year open when it was recorded.
    for (const auto& e : events) {
      if (!RegularisesAClosedYear(e, books.closings) || e.recorded_at_us > as_of.known_at_us ||
          e.effective_date > as_of.effective_date) {
        continue;
      }
      const AsOf then{.effective_date = as_of.effective_date, .known_at_us = e.recorded_at_us};
      books.corrected[id].push_back(
          CorrectedState{.correction_event_id = e.event_id,
                         .correction_position = e.position,
                         .state = FoldConvention(events, then, fold)});
    }
    if (!state.convention_id().empty()) books.conventions.push_back(std::move(state));
  }
  return books;
}

absl::StatusOr<rules::CivilYearReport> Engine::GetCivilYear(const std::string& caf_id,
                                                            int32_t year, const AsOf& as_of) {
  // Read before the books: every event at or below it is in them (report_cache.h).
  const uint64_t head = log_->HeadPosition();
  if (auto kept = reports_.Find(caf_id, year, as_of, head)) return *std::move(kept);
  ASSIGN_OR_RETURN(CafBooks books, Books(caf_id, as_of));
  // The years before come with it (each opens with the balances of the one before): kept too.
  ASSIGN_OR_RETURN(std::vector<rules::CivilYearReport> reports, CivilYearReportsOf(books, year));
  for (const auto& r : reports) reports_.Keep(caf_id, r.year.y(), as_of, head, r);
  return std::move(reports.back());
}

absl::StatusOr<std::vector<v1::ControleYearOutcome>> Engine::SimulateControle(
    const std::string& caf_id, const std::string& convention_id,
    const std::vector<v1::ControlledYear>& years) {
  ASSIGN_OR_RETURN(Loaded loaded, LoadConvention(caf_id, convention_id, AsOf{}));
  loaded.context.baremes = &loaded.baremes;
  return clas::SimulateControle(loaded.state, years, loaded.context);
}

absl::Status Engine::ReplayConvention(const std::string& caf_id,
                                      const std::string& convention_id, uint64_t last_position,
                                      const ReplayVisitor& visit) {
  ASSIGN_OR_RETURN(StreamCache::Events events,
                   streams_.Read(*log_, ConventionStream(caf_id, convention_id)));
  if (events->empty()) {
    return absl::NotFoundError(
        absl::StrFormat("convention %s inconnue de la Caf %s", convention_id, caf_id));
  }
  const std::vector<DomainEvent>& stream = *events;
  const std::string gestionnaire_id = GestionnaireIdOf(stream);
  ConventionHead head;
  for (size_t k = 0; k < stream.size(); ++k) {
    const DomainEvent& e = stream[k];
    if (last_position != 0 && e.position > last_position) break;
    // What the fold reads, as known at the event's instant.
    const AsOf then{.known_at_us = e.recorded_at_us};
    ASSIGN_OR_RETURN(const BaremeBook baremes, Baremes(then));
    std::optional<Gestionnaire> gestionnaire;
    if (!gestionnaire_id.empty()) {
      ASSIGN_OR_RETURN(gestionnaire, LoadGestionnaire(caf_id, gestionnaire_id, then));
    }
    const FoldContext fold{.baremes = &baremes,
                           .gestionnaire = gestionnaire ? &*gestionnaire : nullptr};
    if (k == 0 || !head.FoldedWith(fold) ||
        !head.Extend(absl::Span<const DomainEvent>(&e, 1), fold)) {
      head = ConventionHead::Fold(stream, fold, e.recorded_at_us);
    }
    v1::ConventionState state = head.state;  // a head keeps no timeline
    state.set_as_of_date(kAsOfEndOfTime);
    state.set_known_at_us(e.recorded_at_us);
    RETURN_IF_ERROR(ShowOffsets(caf_id, then, &state));  // as GetConvention known then
    RETURN_IF_ERROR(visit(e, std::move(state)));
  }
  return absl::OkStatus();
}

absl::Status Engine::ShowOffsets(const std::string& caf_id, const AsOf& as_of,
                                 v1::ConventionState* state) {
  return offsets_.ShowOn(
      caf_id, as_of, log_->HeadPosition(),
      [this](const std::string& caf) { return log_->ListStreams(ConventionStreamPrefix(caf)); },
      [this](const std::string& stream, uint64_t from) {
        return log_->ReadStreamFrom(stream, from);
      },
      state);
}

absl::StatusOr<std::vector<DomainEvent>> Engine::ConventionEvents(
    const std::string& caf_id, const std::string& convention_id) {
  return log_->ReadStream(ConventionStream(caf_id, convention_id));
}

}  // namespace clas
