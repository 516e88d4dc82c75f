// ThreadSanitizer builds only (CLAS_TSAN): tells ThreadSanitizer what Abseil's synchronisation
// does. Debian's Abseil is a prebuilt library without -fsanitize=thread, so ThreadSanitizer cannot
// see absl::Mutex, absl::CondVar or absl::Notification order anything, and reports every access
// they guard as a race. The linker routes our calls to these functions through the wrappers
// below (-Wl,--wrap, set in CMakeLists.txt), which call the real function and declare its
// effect: taking a mutex acquires it, releasing it releases it, a wait releases then acquires,
// Notify releases and a successful wait for it acquires. Reader locks are treated as exclusive
// ones (this may hide a write made under a reader lock, never invent a race).
#include <sanitizer/tsan_interface.h>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

using absl::Condition;
using absl::CondVar;
using absl::Duration;
using absl::Mutex;
using absl::Notification;
using absl::Time;

// The mangled names are Debian 12's Abseil (inline namespace debian3).
#define CLAS_REAL(name) __real_##name
#define CLAS_WRAP(name) __wrap_##name

extern "C" {
void CLAS_REAL(_ZN4absl7debian35Mutex4LockEv)(Mutex*);
void CLAS_REAL(_ZN4absl7debian35Mutex6UnlockEv)(Mutex*);
void CLAS_REAL(_ZN4absl7debian35Mutex10ReaderLockEv)(Mutex*);
void CLAS_REAL(_ZN4absl7debian35Mutex12ReaderUnlockEv)(Mutex*);
bool CLAS_REAL(_ZN4absl7debian35Mutex7TryLockEv)(Mutex*);
bool CLAS_REAL(_ZN4absl7debian35Mutex13ReaderTryLockEv)(Mutex*);
void CLAS_REAL(_ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE)(Mutex*, const Condition*);
void CLAS_REAL(_ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE)(Mutex*, const Condition*);
void CLAS_REAL(_ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE)(Mutex*, const Condition*);
bool CLAS_REAL(_ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE)(
    Mutex*, const Condition*, Duration);
bool CLAS_REAL(_ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE)(
    Mutex*, const Condition*, Time);
void CLAS_REAL(_ZN4absl7debian37CondVar4WaitEPNS0_5MutexE)(CondVar*, Mutex*);
bool CLAS_REAL(_ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE)(CondVar*,
                                                                                    Mutex*,
                                                                                    Duration);
bool CLAS_REAL(_ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE)(CondVar*,
                                                                                 Mutex*, Time);
void CLAS_REAL(_ZN4absl7debian312Notification6NotifyEv)(Notification*);
void CLAS_REAL(_ZNK4absl7debian312Notification19WaitForNotificationEv)(const Notification*);
bool CLAS_REAL(_ZNK4absl7debian312Notification30WaitForNotificationWithTimeoutENS0_8DurationE)(
    const Notification*, Duration);
bool CLAS_REAL(_ZNK4absl7debian312Notification31WaitForNotificationWithDeadlineENS0_4TimeE)(
    const Notification*, Time);

static void Acquire(const void* address) { __tsan_acquire(const_cast<void*>(address)); }
static void Release(const void* address) { __tsan_release(const_cast<void*>(address)); }

void CLAS_WRAP(_ZN4absl7debian35Mutex4LockEv)(Mutex* mu) {
  CLAS_REAL(_ZN4absl7debian35Mutex4LockEv)(mu);
  Acquire(mu);
}
void CLAS_WRAP(_ZN4absl7debian35Mutex6UnlockEv)(Mutex* mu) {
  Release(mu);
  CLAS_REAL(_ZN4absl7debian35Mutex6UnlockEv)(mu);
}
void CLAS_WRAP(_ZN4absl7debian35Mutex10ReaderLockEv)(Mutex* mu) {
  CLAS_REAL(_ZN4absl7debian35Mutex10ReaderLockEv)(mu);
  Acquire(mu);
}
void CLAS_WRAP(_ZN4absl7debian35Mutex12ReaderUnlockEv)(Mutex* mu) {
  Release(mu);
  CLAS_REAL(_ZN4absl7debian35Mutex12ReaderUnlockEv)(mu);
}
bool CLAS_WRAP(_ZN4absl7debian35Mutex7TryLockEv)(Mutex* mu) {
  const bool locked = CLAS_REAL(_ZN4absl7debian35Mutex7TryLockEv)(mu);
  if (locked) Acquire(mu);
  return locked;
}
bool CLAS_WRAP(_ZN4absl7debian35Mutex13ReaderTryLockEv)(Mutex* mu) {
  const bool locked = CLAS_REAL(_ZN4absl7debian35Mutex13ReaderTryLockEv)(mu);
  if (locked) Acquire(mu);
  return locked;
}
void CLAS_WRAP(_ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE)(Mutex* mu,
                                                                 const Condition* cond) {
  CLAS_REAL(_ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE)(mu, cond);
  Acquire(mu);
}
void CLAS_WRAP(_ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE)(Mutex* mu,
                                                                        const Condition* cond) {
  CLAS_REAL(_ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE)(mu, cond);
  Acquire(mu);
}
void CLAS_WRAP(_ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE)(Mutex* mu, const Condition* cond) {
  Release(mu);
  CLAS_REAL(_ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE)(mu, cond);
  Acquire(mu);
}
bool CLAS_WRAP(_ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE)(
    Mutex* mu, const Condition* cond, Duration timeout) {
  Release(mu);
  const bool met =
      CLAS_REAL(_ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE)(
          mu, cond, timeout);
  Acquire(mu);
  return met;
}
bool CLAS_WRAP(_ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE)(
    Mutex* mu, const Condition* cond, Time deadline) {
  Release(mu);
  const bool met = CLAS_REAL(_ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE)(
      mu, cond, deadline);
  Acquire(mu);
  return met;
}
void CLAS_WRAP(_ZN4absl7debian37CondVar4WaitEPNS0_5MutexE)(CondVar* cv, Mutex* mu) {
  Release(mu);
  CLAS_REAL(_ZN4absl7debian37CondVar4WaitEPNS0_5MutexE)(cv, mu);
  Acquire(mu);
}
bool CLAS_WRAP(_ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE)(
    CondVar* cv, Mutex* mu, Duration timeout) {
  Release(mu);
  const bool timed_out =
      CLAS_REAL(_ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE)(cv, mu,
                                                                                     timeout);
  Acquire(mu);
  return timed_out;
}
bool CLAS_WRAP(_ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE)(CondVar* cv,
                                                                                 Mutex* mu,
                                                                                 Time deadline) {
  Release(mu);
  const bool timed_out =
      CLAS_REAL(_ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE)(cv, mu,
                                                                                  deadline);
  Acquire(mu);
  return timed_out;
}
void CLAS_WRAP(_ZN4absl7debian312Notification6NotifyEv)(Notification* n) {
  Release(n);
  CLAS_REAL(_ZN4absl7debian312Notification6NotifyEv)(n);
}
void CLAS_WRAP(_ZNK4absl7debian312Notification19WaitForNotificationEv)(const Notification* n) {
  CLAS_REAL(_ZNK4absl7debian312Notification19WaitForNotificationEv)(n);
  Acquire(n);
}
bool CLAS_WRAP(_ZNK4absl7debian312Notification30WaitForNotificationWithTimeoutENS0_8DurationE)(
    const Notification* n, Duration timeout) {
  const bool notified =
      CLAS_REAL(_ZNK4absl7debian312Notification30WaitForNotificationWithTimeoutENS0_8DurationE)(
          n, timeout);
  if (notified) Acquire(n);
  return notified;
}
bool CLAS_WRAP(_ZNK4absl7debian312Notification31WaitForNotificationWithDeadlineENS0_4TimeE)(
    const Notification* n, Time deadline) {
  const bool notified =
      CLAS_REAL(_ZNK4absl7debian312Notification31WaitForNotificationWithDeadlineENS0_4TimeE)(
          n, deadline);
  if (notified) Acquire(n);
  return notified;
}
}  // extern "C"
