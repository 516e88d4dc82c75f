#include "projections/engine/engine.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/base/absl_view.h"
#include "projections/convention/gestionnaire.h"
#include "projections/core/stream_layout.h"
#include "projections/engine/engine_internal.h"
#include "projections/engine/request_key.h"
#include "projections/rules/rule_version.h"

namespace clas {

Engine::Engine(EventLog* log) : log_(log) { CLAS_CHECK(log_ != nullptr); }

absl::Mutex* Engine::CafMutex(const std::string& caf_id) {
  absl::MutexLock lock(&mutexes_mu_);
  auto& m = caf_mutexes_[caf_id];
  if (m == nullptr) m = std::make_unique<absl::Mutex>();
  return m.get();
}

absl::StatusOr<BaremeBook> Engine::Baremes(const AsOf& as_of) {
  ASSIGN_OR_RETURN(StreamCache::Events events, streams_.Read(*log_, BaremeStream()));
  return BaremeBook::FromEvents(*events, as_of);
}

absl::StatusOr<std::optional<Gestionnaire>> Engine::LoadGestionnaire(
    const std::string& caf_id, const std::string& gestionnaire_id, const AsOf& as_of) {
  ASSIGN_OR_RETURN(StreamCache::Events events,
                   streams_.Read(*log_, GestionnaireStream(caf_id, gestionnaire_id)));
  return FoldGestionnaire(caf_id, *events, as_of);
}

absl::StatusOr<std::set<int32_t>> Engine::ClosedYears(const std::string& caf_id) {
  ASSIGN_OR_RETURN(auto streams, log_->ListStreams(CivilYearStreamPrefix(caf_id)));
  // A civil-year stream is written by its closing alone: its existence is the closing, and its
  // id names the year (no need to read the closing's lines on every command).
  std::set<int32_t> out;
  for (const auto& s : streams) {
    if (const std::optional<int32_t> year = CivilYearOfStream(s)) out.insert(*year);
  }
  return out;
}

absl::StatusOr<Engine::Loaded> Engine::FoldConventionAt(const std::string& caf_id,
                                                        const std::string& convention_id,
                                                        const AsOf& as_of,
                                                        bool keep_events) {
  Loaded out;
  ASSIGN_OR_RETURN(StreamCache::Events events,
                   streams_.Read(*log_, ConventionStream(caf_id, convention_id)));
  ASSIGN_OR_RETURN(out.baremes, Baremes(as_of));
  const std::string gestionnaire_id = engine_internal::GestionnaireIdOf(*events);
  if (!gestionnaire_id.empty()) {
    ASSIGN_OR_RETURN(out.gestionnaire, LoadGestionnaire(caf_id, gestionnaire_id, as_of));
  }
  FoldContext fold{.baremes = &out.baremes,
                   .gestionnaire = out.gestionnaire ? &*out.gestionnaire : nullptr};
  out.state = cache_.Fold(*events, as_of, fold);  // == FoldConvention, with snapshots
  if (keep_events) out.events = *events;
  out.stream = std::move(events);
  return out;
}

absl::StatusOr<Engine::Loaded> Engine::LoadConvention(const std::string& caf_id,
                                                      const std::string& convention_id,
                                                      const AsOf& as_of) {
  ASSIGN_OR_RETURN(Loaded out, FoldConventionAt(caf_id, convention_id, as_of, /*keep_events=*/true));
  ASSIGN_OR_RETURN(out.context.closed_civil_years, ClosedYears(caf_id));
  out.context.find_payment = [this, caf_id](const std::string& conv,
                                            const std::string& payment) {
    return FindOffsetTarget(caf_id, conv, payment);
  };
  return out;
}

std::optional<OffsetTarget> Engine::FindOffsetTarget(const std::string& caf_id,
                                                     const std::string& convention_id,
                                                     const std::string& payment_id) {
  // The paying convention as known now shows the offsets already withheld from its payments,
  // recorded on itself (its fold) or on another convention (offsets_), R-ACC-9.
  auto paying = GetConvention(caf_id, convention_id, AsOf{});
  if (!paying.ok()) return std::nullopt;
  std::optional<OffsetTarget> out;
  for (auto& y : *paying->mutable_years()) {
    if (const v1::PaymentRecord* p = MutablePayment(&y, payment_id)) {
      out = OffsetTarget{.gestionnaire_id = paying->gestionnaire_id(),
                         .amount_cents = p->amount_cents(),
                         .offset_cents = p->offset_cents(),
                         .date = p->date()};
    }
  }
  return out;
}

namespace {

// The fact each command records first: what a request recorded before the fingerprint (an
// 8-byte digest of the command alone) tells of the method that recorded it.
v1::ClasEvent::FactCase FirstFactOf(std::string_view method) {
  using C = v1::ClasEvent;
  static const auto* const first = new std::map<std::string_view, C::FactCase>{
      {"RegisterGestionnaire", C::kGestionnaireRegistered},
      {"PublishBareme", C::kBaremePublished},
      {"FileFundingRequest", C::kFundingRequestFiled},
      {"RecordCommitteeDecision", C::kCommitteeDecisionRecorded},
      {"SignConvention", C::kConventionSigned},
      {"SignAvenant", C::kAvenantSigned},
      {"NotifyCollectifs", C::kCollectifsNotified},
      {"PayAcompte", C::kAcomptePaid},
      {"ReceiveBilan", C::kBilanReceived},
      {"PaySolde", C::kSoldePaid},
      {"OpenControle", C::kControleOpened},
      {"RecordControleFindings", C::kControleFindingsRecorded},
      {"DecideControle", C::kControleDecided},
      {"RecordRecovery", C::kRecoveryRecorded},
      {"PayRappel", C::kRappelPaid},
      {"CloseCivilYear", C::kCivilYearClosed},
      {"CorrectEvent", C::kEventCorrected},
      {"RenewCentreSocialAgrement", C::kCentreSocialAgrementRenewed},
  };
  auto it = first->find(method);
  CLAS_CHECK(it != first->end()) << "unknown command " << method;
  return it->second;
}

absl::Status RequestTaken(const std::string& request_id, const std::string& event_id,
                          std::string_view why) {
  return RuleStatus(absl::StatusCode::kAlreadyExists,
                    RuleError(rule::kHist1, "request_id", request_id,
                              absl::StrFormat("cette requête a déjà été exécutée %s (événement "
                                              "%s) ; une nouvelle commande prend un nouvel "
                                              "identifiant de requête",
                                              why, event_id)));
}

}  // namespace

absl::StatusOr<std::optional<CommandResult>> Engine::Replay(
    std::string_view method, const google::protobuf::Message& command, const std::string& caf_id,
    const std::string& request_id, const std::string& fingerprint) {
  // The request's first fact, under its id; or under its id of before the fixed-size keys.
  bool legacy = false;
  ASSIGN_OR_RETURN(std::optional<DomainEvent> first,
                   log_->FindEvent(RequestEventId(caf_id, request_id, 0)));
  if (first.has_value() && first->fact.request_id() != request_id) {
    // An event of another request under this request's id: only an id recorded before the
    // fixed-size keys can be one (its request id spelled this one's key).
    return RequestTaken(request_id, first->event_id, "sous un identifiant d'événement pris");
  }
  if (!first.has_value()) {
    if (std::optional<std::string> old = LegacyEventId(caf_id, request_id, 0)) {
      ASSIGN_OR_RETURN(first, log_->FindEvent(*old));
      legacy = first.has_value();
    }
  }
  if (!first.has_value()) return std::optional<CommandResult>();
  const bool same = legacy ? first->fact.request_digest() == LegacyDigest(command) &&
                                 first->fact.fact_case() == FirstFactOf(method)
                           : first->fact.request_digest() == fingerprint;
  if (!same) return RequestTaken(request_id, first->event_id, "avec une autre commande ou un autre contenu");
  CommandResult out;
  out.replayed = true;
  out.events.push_back(*std::move(first));
  // Its other facts, by their ids: those of this request, and only those.
  for (size_t rank = 1; rank < kFactsPerRequestMax; ++rank) {
    std::optional<std::string> id = legacy ? LegacyEventId(caf_id, request_id, rank)
                                           : RequestEventId(caf_id, request_id, rank);
    if (!id.has_value()) break;
    ASSIGN_OR_RETURN(std::optional<DomainEvent> next, log_->FindEvent(*id));
    if (!next.has_value()) break;
    out.events.push_back(*std::move(next));
  }
  const DomainEvent& last = out.events.back();
  const std::string& convention_id = out.events.front().fact.convention_id();
  if (convention_id.empty() || !absl::StartsWith(last.stream_id, ConventionStreamPrefix(caf_id))) {
    return std::optional<CommandResult>(std::move(out));
  }
  // The figures as they were right after the request; left out when they cannot be read (the
  // answer still says what the log holds).
  std::optional<DomainEvent> target;
  if (out.events.front().fact.has_event_corrected()) {
    auto found = log_->FindEvent(out.events.front().fact.event_corrected().target_event_id());
    if (found.ok()) target = *std::move(found);
  }
  const DomainEvent* corrected = target ? &*target : nullptr;
  if (std::shared_ptr<const ConventionHead> head = HeadAsOf(last); head != nullptr) {
    out.figures = FiguresOf(head->state, TouchedYears(out.events, corrected, head->state),
                            last.stream_version, last.position);
    return std::optional<CommandResult>(std::move(out));
  }
  auto then = GetConvention(caf_id, convention_id, AsOf{.known_at_us = last.recorded_at_us});
  if (then.ok()) {
    out.figures = FiguresOf(*then, TouchedYears(out.events, corrected, *then),
                            last.stream_version, last.position);
  }
  return std::optional<CommandResult>(std::move(out));
}

std::shared_ptr<const ConventionHead> Engine::HeadAsOf(const DomainEvent& last) {
  std::shared_ptr<ConventionHead> head = heads_.Find(last.stream_id);
  if (head == nullptr || head->version != last.stream_version) return nullptr;
  // Folded with the barèmes and the gestionnaire as known then (a barème published since, then
  // a refused command, would have folded it again with the new one).
  const AsOf then{.known_at_us = last.recorded_at_us};
  absl::StatusOr<BaremeBook> baremes = Baremes(then);
  if (!baremes.ok()) return nullptr;
  std::optional<Gestionnaire> gestionnaire;
  if (!head->state.gestionnaire_id().empty()) {
    auto loaded = LoadGestionnaire(last.caf_id, head->state.gestionnaire_id(), then);
    if (!loaded.ok()) return nullptr;
    gestionnaire = *std::move(loaded);
  }
  const FoldContext fold{.baremes = &*baremes,
                         .gestionnaire = gestionnaire ? &*gestionnaire : nullptr};
  return head->FoldedWith(fold) ? head : nullptr;
}

absl::StatusOr<CommandResult> Engine::Record(const std::string& stream, uint64_t expected_version,
                                             Facts facts, const std::string& fingerprint,
                                             const std::string& caf_id,
                                             const ledger::v1::Actor& actor,
                                             const std::string& request_id) {
  CLAS_CHECK(!facts.empty()) << "a command that is not refused records a fact";
  if (facts.size() > kFactsPerRequestMax) {
    return RuleStatus(absl::StatusCode::kInvalidArgument,
                      RuleError(rule::kHist1, "", "",
                                absl::StrFormat("la commande produirait %d faits, au plus %d",
                                                facts.size(), kFactsPerRequestMax)));
  }
  std::vector<ledger::v1::EventData> data;
  data.reserve(facts.size());
  for (size_t i = 0; i < facts.size(); ++i) {
    facts[i].fact.set_request_id(request_id);
    facts[i].fact.set_request_digest(fingerprint);
    data.push_back(ToEventData(facts[i].fact, RequestEventId(caf_id, request_id, i),
                               facts[i].effective_date, caf_id, actor, rules::kRuleVersion));
  }
  ASSIGN_OR_RETURN(auto appended, log_->Append(stream, expected_version, std::move(data)));
  if (!appended.duplicate && !appended.events.empty()) {
    // The reports kept of this Caf (of every Caf, for the barème) no longer serve.
    uint64_t first = appended.events.front().position, last = first;
    for (const auto& e : appended.events) {
      first = std::min(first, e.position);
      last = std::max(last, e.position);
    }
    const bool of_caf = absl::StartsWith(stream, CafStreamPrefix(caf_id));
    reports_.Appended(of_caf ? caf_id : "", first, last);
    offsets_.Appended(stream, appended.events);
  }
  CommandResult out;
  out.events = std::move(appended.events);
  out.replayed = appended.duplicate;
  return out;
}

absl::Status Engine::PrepareDecision(const std::string& caf_id, const std::string& convention_id,
                                     Decision* d) {
  d->stream = ConventionStream(caf_id, convention_id);
  ASSIGN_OR_RETURN(d->baremes, Baremes(AsOf{}));
  std::shared_ptr<ConventionHead> head = heads_.Find(d->stream);
  // What the log holds beyond the head: nothing, unless another writer appended; the whole
  // stream when no head is kept.
  ASSIGN_OR_RETURN(std::vector<DomainEvent> added,
                   log_->ReadStreamFrom(d->stream, head != nullptr ? head->version + 1 : 1));
  std::string gestionnaire_id = head != nullptr ? head->state.gestionnaire_id() : "";
  if (gestionnaire_id.empty()) gestionnaire_id = engine_internal::GestionnaireIdOf(added);
  if (!gestionnaire_id.empty()) {
    ASSIGN_OR_RETURN(d->gestionnaire, LoadGestionnaire(caf_id, gestionnaire_id, AsOf{}));
  }
  const FoldContext fold = d->fold();
  if (head == nullptr || !head->FoldedWith(fold) || !head->Extend(added, fold)) {
    std::vector<DomainEvent> whole;
    if (head == nullptr) {
      whole = std::move(added);
    } else {
      ASSIGN_OR_RETURN(whole, log_->ReadStream(d->stream));
    }
    head = heads_.Put(d->stream, ConventionHead::Fold(whole, fold));
  }
  d->head = std::move(head);
  ASSIGN_OR_RETURN(d->context.closed_civil_years, ClosedYears(caf_id));
  d->context.find_payment = [this, caf_id](const std::string& conv, const std::string& payment) {
    return FindOffsetTarget(caf_id, conv, payment);
  };
  d->context.payment_id_used = [head = d->head.get()](std::string_view id) {
    return head->payment_ids.contains(base::ToAbsl(id));
  };
  d->context.cancelled_by = [head = d->head.get()](std::string_view id) -> std::string {
    const auto it = head->cancelled.find(base::ToAbsl(id));
    return it == head->cancelled.end() ? std::string() : it->second;
  };
  d->Bind();
  return absl::OkStatus();
}

std::optional<v1::ConventionFigures> Engine::FoldRecorded(Decision& d,
                                                          const std::vector<DomainEvent>& recorded,
                                                          const DomainEvent* corrected_target) {
  const FoldContext fold = d.fold();
  if (!d.head->Extend(recorded, fold)) {
    // A correction or a backdated fact: the stream folded again. Should the read fail, the
    // answer goes without figures and the next command folds the stream.
    absl::StatusOr<std::vector<DomainEvent>> whole = log_->ReadStream(d.stream);
    if (!whole.ok()) {
      heads_.Drop(d.stream);
      return std::nullopt;
    }
    d.head = heads_.Put(d.stream, ConventionHead::Fold(*whole, fold));
  }
  if (d.head->state.convention_id().empty()) return std::nullopt;
  return FiguresOf(d.head->state,
                                    TouchedYears(recorded, corrected_target, d.head->state),
                                    recorded.back().stream_version, recorded.back().position);
}

v1::ConventionFigures FiguresOf(const v1::ConventionState& s, const std::vector<int32_t>& years,
                                uint64_t stream_version, uint64_t last_position) {
  v1::ConventionFigures f;
  f.set_caf_id(s.caf_id());
  f.set_convention_id(s.convention_id());
  f.set_gestionnaire_id(s.gestionnaire_id());
  f.set_status(s.status());
  f.set_first_school_year(s.first_school_year());
  f.set_last_school_year(s.last_school_year());
  f.set_stream_version(stream_version);
  f.set_last_position(last_position);
  for (int32_t n : years) {
    const v1::SchoolYearState* y = FindYear(s, n);
    if (y == nullptr) continue;
    v1::SchoolYearFigures* out = f.add_years();
    out->set_school_year(y->school_year());
    out->set_covered_by(y->covered_by());
    out->set_agreed(y->agrement().validated());
    out->set_agreed_collectifs(y->agrement().agreed_collectifs());
    out->set_notified_collectifs(y->notified_collectifs());
    if (y->has_dp()) *out->mutable_dp() = y->dp();
    out->set_dp_missing_reason(y->dp_missing_reason());
    out->set_acomptes_n_cents(y->acomptes_n_cents());
    out->set_acomptes_n1_cents(y->acomptes_n1_cents());
    out->set_cap_n_cents(y->cap_n_cents());
    out->set_cap_n1_cents(y->cap_n1_cents());
    out->set_room_n_cents(y->room_n_cents());
    out->set_room_n1_cents(y->room_n1_cents());
    out->set_bilan_received(y->bilan_received());
    if (y->has_dr()) *out->mutable_dr() = y->dr();
    out->set_solde_paid(y->solde_paid());
    out->set_solde_cents(y->solde_paid() ? y->solde().amount_cents() : 0);
    if (y->has_dc()) *out->mutable_dc() = y->dc();
    out->set_controle_id(y->controle_id());
    out->set_rappel_due_cents(y->rappel_due_cents());
    out->set_indus_notified_cents(y->indus_notified_cents());
    out->set_indus_recovered_cents(y->indus_recovered_cents());
    out->set_indus_open_cents(y->indus_open_cents());
    out->set_paid_cents(y->paid_cents());
    out->set_paid_net_cents(y->paid_net_cents());
  }
  return f;
}

std::vector<int32_t> TouchedYears(const std::vector<DomainEvent>& events,
                                  const DomainEvent* target, const v1::ConventionState& state) {
  std::vector<int32_t> years;
  auto add = [&](const v1::ClasEvent& fact) {
    AppendNamedYears(fact, &years);
    if (!fact.has_recovery_recorded()) return;  // a recovery names its indu, not its year
    for (const auto& i : state.indus()) {
      if (i.indu_id() == fact.recovery_recorded().indu_id()) years.push_back(i.school_year());
    }
  };
  for (const DomainEvent& e : events) add(e.fact);
  if (target != nullptr) add(target->fact);
  return SortedUnique(std::move(years));
}

}  // namespace clas
