#include "projections/convention/fold.h"

#include <algorithm>
#include <bitset>
#include <cstring>
#include <deque>
#include <map>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "projections/codec/state_codec.h"
#include "projections/convention/year_figures.h"
#include "projections/core/money.h"

namespace clas {
BaremeBook BaremeBook::FromEvents(const std::vector<DomainEvent>& events, const AsOf& as_of) {
  BaremeBook book;
  std::deque<DomainEvent> replaced;
  for (const DomainEvent* e : TimelineRefs(events, as_of, &replaced)) {
    if (e->fact.has_bareme_published()) book.Put(e->fact.bareme_published().bareme());
  }
  return book;
}

const v1::BaremeFigures* BaremeBook::Find(int32_t school_year) const {
  auto it = by_year_.find(school_year);
  return it == by_year_.end() ? nullptr : &it->second;
}

namespace {

bool Visible(const DomainEvent& e, const AsOf& as_of) {
  return e.recorded_at_us <= as_of.known_at_us && e.effective_date <= as_of.effective_date;
}

// Latest correction of each target, among those known at T and effective by D (the keys view
// the corrections' target ids).
using Corrections = absl::flat_hash_map<std::string_view, const DomainEvent*>;
Corrections CorrectionsOf(const std::vector<DomainEvent>& stream, const AsOf& as_of) {
  Corrections correction_of;
  for (const DomainEvent& e : stream) {
    if (!Visible(e, as_of) || !e.fact.has_event_corrected()) continue;
    correction_of[e.fact.event_corrected().target_event_id()] = &e;
  }
  return correction_of;
}

// Event `e` as its correction `c` replaces it (not a cancellation).
DomainEvent Replaced(const DomainEvent& e, const v1::EventCorrected& c) {
  DomainEvent corrected = e;
  corrected.fact = c.replacement();
  if (corrected.fact.convention_id().empty()) {
    corrected.fact.set_convention_id(e.fact.convention_id());
    corrected.fact.set_caf_id(e.fact.caf_id());
  }
  return corrected;
}

bool FoldsBefore(const DomainEvent& a, const DomainEvent& b) {
  if (a.effective_date != b.effective_date) return a.effective_date < b.effective_date;
  return a.position < b.position;
}

// A filter of a few ids: says "maybe" for every id put in, "no" for most others, at the cost of
// a load and a multiplication instead of a hash of the whole id. Event ids end with what tells
// them apart (the request's key or id, "#", the rank), and their last 8 bytes pick one of 1024
// bits.
class IdFilter {
 public:
  void Put(std::string_view id) { bits_.set(Bit(id)); }
  bool MayHold(std::string_view id) const { return bits_.test(Bit(id)); }

 private:
  static size_t Bit(std::string_view id) {
    const size_t n = std::min<size_t>(id.size(), 8);
    uint64_t tail = 0;
    if (n > 0) std::memcpy(&tail, id.data() + id.size() - n, n);
    return static_cast<size_t>(((tail ^ id.size()) * 0x9E3779B97F4A7C15ull) >> 54);  // 10 bits
  }
  std::bitset<1024> bits_;
};

// FinishFold's marks for `corrections` (visible ones, in stream order). The last correction of a
// target is the one its entries keep; a target without an entry gets one at its first
// cancellation, marked by that correction and every later one.
void MarkCorrected(v1::ConventionState* state, const std::vector<const DomainEvent*>& corrections) {
  absl::flat_hash_map<std::string_view, const DomainEvent*> last;  // target id -> correction
  IdFilter targets;  // most entries are not corrected: most are told so without a hash
  for (const DomainEvent* c : corrections) {
    last[c->fact.event_corrected().target_event_id()] = c;
    targets.Put(c->fact.event_corrected().target_event_id());
  }
  absl::flat_hash_set<std::string_view> with_entry;  // targets with an entry of their own
  for (v1::EventRef& ref : *state->mutable_events()) {
    if (!targets.MayHold(ref.event_id())) continue;
    auto it = last.find(ref.event_id());
    if (it == last.end()) continue;
    ref.set_corrected_by(it->second->event_id);
    ref.set_cancelled(it->second->fact.event_corrected().cancel());
    with_entry.insert(it->first);
  }
  if (with_entry.size() == last.size()) return;
  absl::flat_hash_map<std::string_view, int> added;  // target id -> index of the entry added
  for (const DomainEvent* e : corrections) {
    const v1::EventCorrected& c = e->fact.event_corrected();
    if (with_entry.contains(c.target_event_id())) continue;
    auto it = added.find(c.target_event_id());
    if (it == added.end() && !c.cancel()) continue;
    v1::EventRef* ref;
    if (it != added.end()) {
      ref = state->mutable_events(it->second);
    } else {
      added.emplace(c.target_event_id(), state->events_size());
      ref = state->add_events();
      ref->set_event_id(c.target_event_id());
    }
    ref->set_corrected_by(e->event_id);
    ref->set_cancelled(c.cancel());
  }
}

}  // namespace

std::vector<DomainEvent> Timeline(const std::vector<DomainEvent>& stream, const AsOf& as_of) {
  const Corrections correction_of = CorrectionsOf(stream, as_of);
  std::vector<DomainEvent> out;
  out.reserve(stream.size());
  for (const DomainEvent& e : stream) {
    if (!Visible(e, as_of)) continue;
    auto it = correction_of.find(e.event_id);
    if (it == correction_of.end()) {
      out.push_back(e);
      continue;
    }
    const v1::EventCorrected& c = it->second->fact.event_corrected();
    if (c.cancel()) continue;
    out.push_back(Replaced(e, c));
  }
  std::stable_sort(out.begin(), out.end(), FoldsBefore);
  return out;
}

std::vector<const DomainEvent*> TimelineRefs(const std::vector<DomainEvent>& stream,
                                             const AsOf& as_of, std::deque<DomainEvent>* replaced,
                                             FoldPlace after) {
  const Corrections correction_of = CorrectionsOf(stream, as_of);
  std::vector<const DomainEvent*> timeline;
  if (after == FoldPlace{}) timeline.reserve(stream.size());
  for (const DomainEvent& e : stream) {
    // A replacement keeps its target's place: the events placed up to `after` are not looked at.
    if (!Visible(e, as_of) || PlaceOf(e) <= after) continue;
    auto it = correction_of.empty() ? correction_of.end() : correction_of.find(e.event_id);
    if (it == correction_of.end()) {
      timeline.push_back(&e);
      continue;
    }
    const v1::EventCorrected& c = it->second->fact.event_corrected();
    if (c.cancel()) continue;
    timeline.push_back(&replaced->emplace_back(Replaced(e, c)));
  }
  std::stable_sort(timeline.begin(), timeline.end(),
                   [](const DomainEvent* a, const DomainEvent* b) { return FoldsBefore(*a, *b); });
  return timeline;
}

void FinishFold(v1::ConventionState* state, const std::vector<DomainEvent>& stream,
                const AsOf& as_of) {
  // Mark the events that corrections replaced or cancelled, for the timeline: each correction
  // visible, in stream order, marks every entry of its target, and a cancellation of a target
  // without an entry adds one (which the later corrections of that target mark in turn).
  // Done with one pass over the entries (looked up by id) instead of one per correction.
  std::vector<const DomainEvent*> corrections;
  for (const DomainEvent& e : stream) {
    if (Visible(e, as_of) && e.fact.has_event_corrected()) corrections.push_back(&e);
  }
  if (!corrections.empty()) MarkCorrected(state, corrections);
  state->set_as_of_date(as_of.effective_date);
  state->set_known_at_us(as_of.known_at_us);
}

v1::ConventionState FoldConvention(const std::vector<DomainEvent>& stream, const AsOf& as_of,
                                   const FoldContext& context) {
  v1::ConventionState state;
  // The timeline folded in place: pointers into the stream, and copies of the events a
  // correction replaced only (Timeline copies every event).
  std::deque<DomainEvent> replaced;
  for (const DomainEvent* e : TimelineRefs(stream, as_of, &replaced)) Apply(&state, *e, context);
  FinishFold(&state, stream, as_of);
  return state;
}

void AppendNamedYears(const v1::ClasEvent& f, std::vector<int32_t>* years) {
  auto insert = [years](int32_t n) {
    if (years->empty() || years->back() != n) years->push_back(n);
  };
  auto range = [&](int32_t first, int32_t last) {
    for (int32_t n = first; n <= last && n - first < 100; ++n) insert(n);
  };
  using C = v1::ClasEvent;
  switch (f.fact_case()) {
    case C::kFundingRequestFiled: {
      const auto& r = f.funding_request_filed();
      range(r.first_school_year(), r.first_school_year() + r.school_years() - 1);
      break;
    }
    case C::kCommitteeDecisionRecorded:
      range(f.committee_decision_recorded().first_school_year(),
            f.committee_decision_recorded().last_school_year());
      break;
    case C::kConventionSigned:
      range(f.convention_signed().first_school_year(), f.convention_signed().last_school_year());
      break;
    case C::kAvenantSigned: insert(f.avenant_signed().school_year()); break;
    case C::kCollectifsNotified: insert(f.collectifs_notified().school_year()); break;
    case C::kAcomptePaid: insert(f.acompte_paid().school_year()); break;
    case C::kBilanReceived: insert(f.bilan_received().school_year()); break;
    case C::kSoldePaid: insert(f.solde_paid().school_year()); break;
    case C::kRappelPaid: insert(f.rappel_paid().school_year()); break;
    case C::kInduNotified: insert(f.indu_notified().school_year()); break;
    case C::kControleOpened:
      for (int32_t n : f.controle_opened().school_years()) insert(n);
      break;
    case C::kControleFindingsRecorded:
      for (const auto& y : f.controle_findings_recorded().years()) insert(y.school_year());
      break;
    case C::kControleDecided:
      for (const auto& o : f.controle_decided().outcomes()) insert(o.school_year());
      break;
    case C::kEventCorrected:
      AppendNamedYears(f.event_corrected().replacement(), years);
      break;
    default:
      break;
  }
}

std::vector<int32_t> SortedUnique(std::vector<int32_t> years) {
  std::sort(years.begin(), years.end());
  years.erase(std::unique(years.begin(), years.end()), years.end());
  return years;
}

std::string FoldContextKey(const std::vector<int32_t>& years, const FoldContext& context) {
  std::string key;
  if (context.gestionnaire != nullptr) {
    absl::StrAppend(&key, context.gestionnaire->name, "|",
                    codec::Encode(context.gestionnaire->kind));
  }
  for (int32_t n : years) {
    const v1::BaremeFigures* b = context.baremes->Find(n);
    absl::StrAppend(&key, "#", n, "=", b == nullptr ? "-" : b->SerializeAsString());
  }
  return key;
}

const v1::SchoolYearState* FindYear(const v1::ConventionState& state, int32_t school_year) {
  for (const auto& y : state.years()) {
    if (y.school_year() == school_year) return &y;
  }
  return nullptr;
}

v1::SchoolYearState* MutableYear(v1::ConventionState* state, int32_t school_year) {
  for (auto& y : *state->mutable_years()) {
    if (y.school_year() == school_year) return &y;
  }
  return nullptr;
}

v1::PaymentRecord* MutablePayment(v1::SchoolYearState* year, std::string_view payment_id) {
  for (auto& p : *year->mutable_acomptes()) {
    if (p.payment_id() == payment_id) return &p;
  }
  for (auto& p : *year->mutable_rappels()) {
    if (p.payment_id() == payment_id) return &p;
  }
  if (year->solde_paid() && year->solde().payment_id() == payment_id) return year->mutable_solde();
  return nullptr;
}

const v1::DroitBreakdown* DpInForce(const v1::SchoolYearState& year, int32_t date) {
  const v1::DroitBreakdown* found = nullptr;
  for (const auto& v : year.dp_history()) {
    if (v.effective_date() <= date) found = &v.dp();
  }
  return found;
}

}  // namespace clas
