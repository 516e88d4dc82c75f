#include "tools/bench/rebuild_caf.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ledger/base/status_macros.h"
#include "projections/convention/fold.h"
#include "projections/convention/gestionnaire.h"

namespace clas::bench {

void Problems::Add(std::string sentence) {
  absl::MutexLock lock(&mu_);
  ++count_;
  if (samples_.size() < kSamplesMax) samples_.push_back(std::move(sentence));
}

uint64_t Problems::count() const {
  absl::MutexLock lock(&mu_);
  return count_;
}

std::vector<std::string> Problems::samples() const {
  absl::MutexLock lock(&mu_);
  return samples_;
}

DomainEvent EventOfRecord(ledger::RecordedEvent&& recorded, std::string& payload) {
  ledger::v1::EventBody& body = recorded.body;
  ledger::v1::EventData& data = *body.mutable_data();
  DomainEvent e;
  e.event_id = std::move(*data.mutable_event_id());
  e.stream_id = std::move(*body.mutable_stream_id());
  e.position = body.position();
  e.stream_version = body.stream_version();
  e.recorded_at_us = body.recorded_at_us();
  e.effective_date = data.effective_date();
  e.caf_id = std::move(*data.mutable_tenant_id());
  e.actor = std::move(*data.mutable_actor());
  e.rule_version = std::move(*data.mutable_rule_version());
  payload = std::move(*data.mutable_payload());
  return e;
}

std::optional<DomainEvent> DecodeRecorded(ledger::RecordedEvent&& recorded, Problems& errors) {
  std::string payload;
  DomainEvent e = EventOfRecord(std::move(recorded), payload);
  if (!e.fact.ParseFromString(payload)) {
    errors.Add(absl::StrCat("position ", e.position, ": not a clas.v1.ClasEvent"));
    return std::nullopt;
  }
  return e;
}

void Finish(Problems& errors, const Problems& unbalanced, RebuildReport& report) {
  if (report.events != report.head) {
    errors.Add(absl::StrCat(report.head - report.events, " of the log's ", report.head,
                            " events are in neither the barème nor a Caf's streams"));
  }
  report.errors = errors.count();
  report.samples = errors.samples();
  for (auto& s : unbalanced.samples()) report.samples.push_back(s);
}

namespace {

using GestionnaireMap = std::map<std::string, Gestionnaire>;

// The gestionnaires of the Caf as registered now.
absl::StatusOr<GestionnaireMap> Gestionnaires(const CafStreams& streams, const AsOf& now) {
  GestionnaireMap gestionnaires;
  const auto ids = streams.ids_by_kind.find("gestionnaire");
  if (ids == streams.ids_by_kind.end()) return gestionnaires;
  for (const std::string& id : ids->second) {
    ASSIGN_OR_RETURN(const std::vector<DomainEvent> events, streams.read("gestionnaire", id));
    if (auto g = FoldGestionnaire(streams.caf, events, now)) {
      gestionnaires[g->gestionnaire_id] = *std::move(g);
    }
  }
  return gestionnaires;
}

// The last civil year an event of `events` takes effect in, or `last_year` if later.
int32_t LastYear(const std::vector<DomainEvent>& events, int32_t last_year) {
  for (const auto& e : events) {
    if (e.effective_date != 0) last_year = std::max(last_year, e.effective_date / 10000);
  }
  return last_year;
}

// Folds one convention stream into `books`; false if it folds to no convention.
bool FoldConventionInto(const std::vector<DomainEvent>& events, const std::string& id,
                        const AsOf& now, const BaremeBook& baremes,
                        const GestionnaireMap& gestionnaires, CafBooks& books) {
  std::string gestionnaire_id;
  for (const auto& e : events) {
    if (e.fact.has_funding_request_filed()) {
      gestionnaire_id = e.fact.funding_request_filed().gestionnaire_id();
    }
  }
  const auto g = gestionnaires.find(gestionnaire_id);
  const FoldContext context{.baremes = &baremes,
                            .gestionnaire = g == gestionnaires.end() ? nullptr : &g->second};
  v1::ConventionState state = FoldConvention(events, now, context);
  if (state.convention_id().empty()) return false;
  for (const auto& e : events) {
    if (e.fact.has_solde_paid()) books.soldes[e.event_id] = e.fact.solde_paid();
    if (!RegularisesAClosedYear(e, books.closings)) continue;
    const AsOf then{.effective_date = now.effective_date, .known_at_us = e.recorded_at_us};
    books.corrected[id].push_back(CorrectedState{.correction_event_id = e.event_id,
                                                 .correction_position = e.position,
                                                 .state = FoldConvention(events, then, context)});
  }
  books.conventions.push_back(std::move(state));
  return true;
}

}  // namespace

absl::StatusOr<CafFigures> RebuildCaf(const CafStreams& streams, const BaremeBook& baremes,
                                      Problems& errors, Problems& unbalanced) {
  const std::string& caf = streams.caf;
  for (const auto& [kind, ids] : streams.ids_by_kind) {
    if (std::find(std::begin(kFoldedKinds), std::end(kFoldedKinds), kind) !=
        std::end(kFoldedKinds)) {
      continue;
    }
    for (const std::string& id : ids) {
      errors.Add(absl::StrCat("stream clas/", caf, "/", kind, "/", id,
                              ": a kind of stream the rebuild does not fold"));
    }
  }
  CafFigures figures;
  const AsOf now;
  ASSIGN_OR_RETURN(const GestionnaireMap gestionnaires, Gestionnaires(streams, now));
  figures.gestionnaires = gestionnaires.size();

  CafBooks books;
  books.caf_id = caf;
  books.as_of_date = now.effective_date;
  int32_t last_year = 0;
  static const std::vector<std::string> kNone;
  const auto ids_of = [&](const char* kind) -> const std::vector<std::string>& {
    const auto it = streams.ids_by_kind.find(kind);
    return it == streams.ids_by_kind.end() ? kNone : it->second;
  };
  // The closings first: the conventions' steps of régularisation depend on them (R-ACC-8).
  for (const std::string& id : ids_of("civil-year")) {
    ASSIGN_OR_RETURN(const std::vector<DomainEvent> events, streams.read("civil-year", id));
    last_year = LastYear(events, last_year);
    RETURN_IF_ERROR(AddClosings(events, now, &books));
  }
  for (const std::string& id : ids_of("convention")) {
    ASSIGN_OR_RETURN(const std::vector<DomainEvent> events, streams.read("convention", id));
    last_year = LastYear(events, last_year);
    if (!FoldConventionInto(events, id, now, baremes, gestionnaires, books)) {
      errors.Add(absl::StrCat("stream clas/", caf, "/convention/", id,
                              " folds to no convention"));
      continue;
    }
    ++figures.conventions;
  }
  if (last_year == 0) return figures;
  absl::StatusOr<std::vector<rules::CivilYearReport>> reports = CivilYearReportsOf(books, last_year);
  if (!reports.ok()) {
    errors.Add(absl::StrCat(caf, ": ", reports.status().message()));
    return figures;
  }
  for (const rules::CivilYearReport& report : *reports) {
    ++figures.reports;
    if (!report.balanced()) {
      ++figures.unbalanced;
      unbalanced.Add(absl::StrCat(caf, " ", report.year.y(), ": ", report.failed_checks.front()));
    }
  }
  return figures;
}

}  // namespace clas::bench
