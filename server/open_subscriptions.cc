#include "server/open_subscriptions.h"

#include <algorithm>

#include "ledger/base/status_macros.h"

namespace clas::server {

OpenSubscriptions::Slot::~Slot() {
  absl::MutexLock lock(&owner_->mu_);
  owner_->slots_.erase(this);
}

OpenSubscriptions::~OpenSubscriptions() {
  absl::MutexLock lock(&mu_);
  CLAS_CHECK(slots_.empty()) << slots_.size() << " subscriptions still open";
}

std::unique_ptr<OpenSubscriptions::Slot> OpenSubscriptions::Open(int32_t open_max,
                                                                 uint64_t passed) {
  absl::MutexLock lock(&mu_);
  if (open_max <= 0 || slots_.size() >= static_cast<size_t>(open_max)) return nullptr;
  std::unique_ptr<Slot> slot(new Slot(this, passed));
  slots_.insert(slot.get());
  return slot;
}

OpenSubscriptions::Lag OpenSubscriptions::LagBehind(uint64_t head) const {
  absl::MutexLock lock(&mu_);
  Lag lag;
  lag.open = static_cast<int32_t>(slots_.size());
  for (const Slot* slot : slots_) {
    const uint64_t passed = slot->passed_.load(std::memory_order_relaxed);
    const uint64_t behind = head > passed ? head - passed : 0;
    lag.events_max = std::max(lag.events_max, behind);
    lag.events_sum += behind;
  }
  return lag;
}

}  // namespace clas::server
