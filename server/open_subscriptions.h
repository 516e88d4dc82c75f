// The subscriptions open now (Ledger.Subscribe), bounded in number, each with the last log
// position it has gone past: what the server's metrics show of them (how many, how far behind
// the head).
//
// Thread-safety: thread-safe. A Slot is moved forward by its subscription's thread only; Open,
// a Slot's end and Lag take a short lock, never held across a read or a write of the stream.
#ifndef CLAS_SERVER_OPEN_SUBSCRIPTIONS_H_
#define CLAS_SERVER_OPEN_SUBSCRIPTIONS_H_

#include <atomic>
#include <cstdint>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"

namespace clas::server {

class OpenSubscriptions {
 public:
  // One open subscription: counted from Open until destroyed.
  class Slot {
   public:
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot();
    // The subscription has gone past every event up to `position` (sent or filtered out).
    void Passed(uint64_t position) { passed_.store(position, std::memory_order_relaxed); }

   private:
    friend class OpenSubscriptions;
    Slot(OpenSubscriptions* owner, uint64_t passed) : owner_(owner), passed_(passed) {}
    OpenSubscriptions* const owner_;
    std::atomic<uint64_t> passed_;
  };

  // How many are open, and how many events of the log they have yet to go past.
  struct Lag {
    int32_t open = 0;
    uint64_t events_max = 0;  // of the subscription furthest behind
    uint64_t events_sum = 0;  // over every open subscription
  };

  OpenSubscriptions() = default;
  OpenSubscriptions(const OpenSubscriptions&) = delete;
  OpenSubscriptions& operator=(const OpenSubscriptions&) = delete;
  // REQUIRES: no Slot is alive.
  ~OpenSubscriptions();

  // A new open subscription that has gone past `passed`; nullptr when `open_max` are open
  // already.
  std::unique_ptr<Slot> Open(int32_t open_max, uint64_t passed);

  // The subscriptions open now, behind a log whose head is at `head`.
  Lag LagBehind(uint64_t head) const;

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_set<const Slot*> slots_ ABSL_GUARDED_BY(mu_);
};

}  // namespace clas::server

#endif  // CLAS_SERVER_OPEN_SUBSCRIPTIONS_H_
