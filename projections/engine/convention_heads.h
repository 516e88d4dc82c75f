// The state of each convention as known now, kept for its commands, so that a command on a
// convention of 10 000 events reads, decides on and folds no more than one on a convention of 10:
// the cost of a command does not grow with the convention's age.
//
// A head is the fold of a convention's whole stream as known now, at every effective date (what
// a decision reads), without FinishFold's timeline marks (which no decision reads). The engine
// extends it with the events appended since it was folded: events placed after everything
// folded (fold.h: by effective date, then position) and correcting nothing are applied in
// place; a correction or a backdated event (placed before the last one folded) has the stream
// folded again. A head also keeps the key of the context it was folded with (fold.h:
// FoldContextKey): the barèmes of the years its events name, and the gestionnaire. A head whose
// context moved since (a barème published) is folded again.
//
// Limits: kConventionHeadsMax heads; the least recently used is dropped first.
//
// Thread-safety: ConventionHeads is thread-safe. A head is not: the engine serialises the
// commands of a Caf, and a head belongs to one stream of one Caf.
#ifndef CLAS_PROJECTIONS_ENGINE_CONVENTION_HEADS_H_
#define CLAS_PROJECTIONS_ENGINE_CONVENTION_HEADS_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "clas/v1/state.pb.h"
#include "projections/convention/domain_event.h"
#include "projections/convention/fold.h"

namespace clas {

inline constexpr size_t kConventionHeadsMax = 4096;

struct ConventionHead {
  uint64_t version = 0;          // the stream's events folded in (its last version)
  FoldPlace last;                // the place in fold order of the last event applied
  std::vector<int32_t> years;    // the school years its events name, sorted, each once
  std::string context_key;       // FoldContextKey(years, the context folded with)
  v1::ConventionState state;     // Apply'd, not finished, without its timeline (events)
  // The ids of the payments (acomptes, soldes, rappels) recorded, cancelled ones too: each is
  // used once (R-HIST-1).
  absl::flat_hash_set<std::string> payment_ids;
  // The facts a correction cancelled: target event id -> the cancelling event's id.
  absl::flat_hash_map<std::string, std::string> cancelled;

  // The head of a stream from its events (every event of the stream, in version order), as
  // known at `known_at_us` (the events recorded after it are left out: a prefix of the stream).
  // REQUIRES: context.baremes is not null.
  static ConventionHead Fold(const std::vector<DomainEvent>& stream, const FoldContext& context,
                             int64_t known_at_us = kKnownNow);

  // Applies `added`, the stream's events after `version` in version order, when each of them is
  // placed after the last event folded and none is a correction; then the head is the fold of
  // the longer stream. False, the head left as it was, otherwise (fold the stream again).
  // REQUIRES: FoldedWith(context): a head folded with another context is folded again.
  bool Extend(absl::Span<const DomainEvent> added, const FoldContext& context);

  // Applies one event of the fold order (Fold, Extend).
  void ApplyOne(const DomainEvent& e, const FoldContext& context);
  // Adds the payment id `f` records, if any, to payment_ids.
  void NotePaymentId(const v1::ClasEvent& f);

  // Whether the head was folded with what `context` holds now, for the years its events name.
  bool FoldedWith(const FoldContext& context) const {
    return context_key == FoldContextKey(years, context);
  }
};

class ConventionHeads {
 public:
  ConventionHeads() = default;
  ConventionHeads(const ConventionHeads&) = delete;
  ConventionHeads& operator=(const ConventionHeads&) = delete;

  // The head kept for `stream`, or nullptr.
  std::shared_ptr<ConventionHead> Find(const std::string& stream);
  // Keeps `head` for `stream` (replacing any), and returns it.
  std::shared_ptr<ConventionHead> Put(const std::string& stream, ConventionHead head);
  // Forgets the head of `stream` (the next command folds it again).
  void Drop(const std::string& stream);

 private:
  struct Entry {
    std::shared_ptr<ConventionHead> head;
    uint64_t last_used = 0;
  };
  void Touch(const std::string& stream, Entry& entry) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, std::string> by_use_ ABSL_GUARDED_BY(mu_);  // last use -> stream
  uint64_t clock_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace clas

#endif  // CLAS_PROJECTIONS_ENGINE_CONVENTION_HEADS_H_
