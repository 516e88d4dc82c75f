#include "projections/engine/convention_heads.h"

#include <algorithm>
#include <deque>
#include <utility>

#include "ledger/base/status_macros.h"

namespace clas {

ConventionHead ConventionHead::Fold(const std::vector<DomainEvent>& stream,
                                    const FoldContext& context, int64_t known_at_us) {
  CLAS_CHECK(context.baremes != nullptr) << "a fold needs the barèmes";
  ConventionHead head;
  std::deque<DomainEvent> replaced;
  for (const DomainEvent* e : TimelineRefs(stream, AsOf{.known_at_us = known_at_us}, &replaced)) {
    head.ApplyOne(*e, context);
  }
  for (const DomainEvent& e : stream) {
    if (e.recorded_at_us > known_at_us) break;  // recording instants grow with versions
    AppendNamedYears(e.fact, &head.years);
    // A payment cancelled since is out of the timeline, but its id stays used (R-HIST-1).
    head.NotePaymentId(e.fact);
    head.version = e.stream_version;
  }
  head.years = SortedUnique(std::move(head.years));
  head.context_key = FoldContextKey(head.years, context);
  return head;
}

bool ConventionHead::Extend(absl::Span<const DomainEvent> added, const FoldContext& context) {
  if (added.empty()) return true;
  uint64_t expected = version;
  for (const DomainEvent& e : added) {
    if (e.stream_version != ++expected) return false;  // not the continuation of the head
    if (e.fact.has_event_corrected() || PlaceOf(e) <= last) return false;
  }
  std::vector<const DomainEvent*> order;
  order.reserve(added.size());
  for (const DomainEvent& e : added) order.push_back(&e);
  std::stable_sort(order.begin(), order.end(), [](const DomainEvent* a, const DomainEvent* b) {
    return PlaceOf(*a) < PlaceOf(*b);
  });
  const size_t years_before = years.size();
  for (const DomainEvent* e : order) {
    ApplyOne(*e, context);
    AppendNamedYears(e->fact, &years);
  }
  if (years.size() != years_before) years = SortedUnique(std::move(years));
  version = expected;
  context_key = FoldContextKey(years, context);
  return true;
}

void ConventionHead::ApplyOne(const DomainEvent& e, const FoldContext& context) {
  Apply(&state, e, context);
  // The timeline is no decision's business, and a head is never answered whole: an entry per
  // event would only grow with the convention's age.
  state.mutable_events()->Clear();
  last = PlaceOf(e);
  const v1::ClasEvent& f = e.fact;
  NotePaymentId(f);
  if (f.has_event_corrected() && f.event_corrected().cancel()) {
    cancelled.emplace(f.event_corrected().target_event_id(), e.event_id);
  }
}

void ConventionHead::NotePaymentId(const v1::ClasEvent& f) {
  if (f.has_acompte_paid()) payment_ids.insert(f.acompte_paid().payment_id());
  if (f.has_solde_paid()) payment_ids.insert(f.solde_paid().payment_id());
  if (f.has_rappel_paid()) payment_ids.insert(f.rappel_paid().payment_id());
}

void ConventionHeads::Touch(const std::string& stream, Entry& entry) {
  if (entry.last_used != 0) by_use_.erase(entry.last_used);
  entry.last_used = ++clock_;
  by_use_.emplace(entry.last_used, stream);
}

std::shared_ptr<ConventionHead> ConventionHeads::Find(const std::string& stream) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(stream);
  if (it == entries_.end()) return nullptr;
  Touch(stream, it->second);
  return it->second.head;
}

std::shared_ptr<ConventionHead> ConventionHeads::Put(const std::string& stream,
                                                     ConventionHead head) {
  auto kept = std::make_shared<ConventionHead>(std::move(head));
  absl::MutexLock lock(&mu_);
  Entry& entry = entries_[stream];
  entry.head = kept;
  Touch(stream, entry);
  while (entries_.size() > kConventionHeadsMax) {
    auto oldest = by_use_.begin();  // never the one just kept: its use is the latest
    entries_.erase(oldest->second);
    by_use_.erase(oldest);
  }
  return kept;
}

void ConventionHeads::Drop(const std::string& stream) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(stream);
  if (it == entries_.end()) return;
  by_use_.erase(it->second.last_used);
  entries_.erase(it);
}

}  // namespace clas
