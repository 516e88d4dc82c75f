#include "projections/engine/offset_index.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/base/status_macros.h"
#include "projections/core/money.h"
#include "projections/core/stream_layout.h"

namespace clas {
namespace {

bool Visible(int32_t effective_date, int64_t recorded_at_us, const AsOf& as_of) {
  return recorded_at_us <= as_of.known_at_us && effective_date <= as_of.effective_date;
}

}  // namespace

void OffsetIndex::Take(Caf& caf, const std::string& stream, const std::vector<DomainEvent>& events) {
  const std::string convention = ConventionOfStream(stream);
  uint64_t& version = caf.versions[stream];
  for (const DomainEvent& e : events) {
    if (e.stream_version <= version) continue;  // read already
    version = e.stream_version;
    if (e.fact.has_event_corrected()) {
      const v1::EventCorrected& c = e.fact.event_corrected();
      caf.corrections[c.target_event_id()].push_back(
          Cancellation{e.effective_date, e.recorded_at_us, c.cancel()});
      continue;
    }
    if (!e.fact.has_recovery_recorded()) continue;
    const v1::RecoveryRecorded& r = e.fact.recovery_recorded();
    if (r.method() != v1::OFFSET || r.offset_convention_id().empty() ||
        r.offset_convention_id() == convention) {
      continue;  // the fold of the convention shows its own offsets
    }
    caf.by_paying[r.offset_convention_id()].push_back(Offset{
        e.event_id, r.offset_payment_id(), r.amount_cents(), e.effective_date, e.recorded_at_us});
  }
}

absl::Status OffsetIndex::Load(const std::string& caf_id, Caf& caf, const StreamLister& list,
                               const StreamReader& read) {
  ASSIGN_OR_RETURN(std::vector<std::string> streams, list(caf_id));
  for (const std::string& stream : streams) {
    const uint64_t from = caf.versions[stream] + 1;
    ASSIGN_OR_RETURN(std::vector<DomainEvent> events, read(stream, from));
    Take(caf, stream, events);
  }
  caf.loaded = true;
  caf.stale = false;
  return absl::OkStatus();
}

absl::Status OffsetIndex::ShowOn(const std::string& caf_id, const AsOf& as_of, uint64_t log_head,
                                 const StreamLister& list, const StreamReader& read,
                                 v1::ConventionState* state) {
  absl::MutexLock lock(&mu_);
  if (log_head != synced_ + told_) {
    // Another writer appended, or this is the first read: every Caf reads its streams again
    // from where it stopped, when it is next asked for. Events appended meanwhile are either
    // read then or told after (Appended counts only positions after synced_).
    for (auto& [id, caf] : cafs_) caf.stale = true;
    synced_ = log_head;
    told_ = 0;
  }
  Caf& caf = cafs_[caf_id];
  if (!caf.loaded || caf.stale) {
    if (absl::Status s = Load(caf_id, caf, list, read); !s.ok()) {
      caf.stale = true;
      return s;
    }
  }
  auto it = caf.by_paying.find(state->convention_id());
  if (it == caf.by_paying.end()) return absl::OkStatus();
  absl::flat_hash_map<std::string, Money> withheld;  // payment id -> offsets visible
  for (const Offset& o : it->second) {
    if (!Visible(o.effective_date, o.recorded_at_us, as_of)) continue;
    bool cancelled = false;
    if (auto c = caf.corrections.find(o.recovery_event_id); c != caf.corrections.end()) {
      for (const Cancellation& k : c->second) {  // the last one visible decides
        if (Visible(k.effective_date, k.recorded_at_us, as_of)) cancelled = k.cancel;
      }
    }
    if (!cancelled) withheld[o.payment_id] += Money::Cents(o.amount_cents);
  }
  if (withheld.empty()) return absl::OkStatus();
  for (const auto& [payment_id, amount] : withheld) {
    for (auto& y : *state->mutable_years()) {
      if (v1::PaymentRecord* p = MutablePayment(&y, payment_id)) {
        p->set_offset_cents((Money::Cents(p->offset_cents()) + amount).cents());
        break;
      }
    }
  }
  return absl::OkStatus();
}

void OffsetIndex::Appended(const std::string& stream, const std::vector<DomainEvent>& events) {
  absl::MutexLock lock(&mu_);
  for (const DomainEvent& e : events) {
    if (e.position > synced_) ++told_;
  }
  auto it = cafs_.find(CafOfStream(stream));
  if (it != cafs_.end() && it->second.loaded && !ConventionOfStream(stream).empty()) {
    Take(it->second, stream, events);
  }
}

}  // namespace clas
