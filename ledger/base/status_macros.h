// Error-propagation helpers shared by every layer. Debian 12's Abseil (20220623) has no status
// macros and no absl/log, so the project defines them once, here.
//
//   RETURN_IF_ERROR(expr);            returns expr's status from the enclosing function if not ok.
//   ASSIGN_OR_RETURN(auto x, expr);   binds x to the value of a StatusOr, or returns its status.
//   CLAS_CHECK(cond) << ...;          always-on invariant check: aborts with the message when
//                                     cond is false. For broken invariants only, never for input.
#ifndef CLAS_LEDGER_BASE_STATUS_MACROS_H_
#define CLAS_LEDGER_BASE_STATUS_MACROS_H_

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CLAS_CONCAT_INNER_(a, b) a##b
#define CLAS_CONCAT_(a, b) CLAS_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                            \
  do {                                                   \
    ::absl::Status clas_status_ = (expr);                \
    if (!clas_status_.ok()) return clas_status_;         \
  } while (false)

#define CLAS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return std::move(tmp).status();    \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN(lhs, expr) \
  CLAS_ASSIGN_OR_RETURN_IMPL_(CLAS_CONCAT_(clas_statusor_, __LINE__), lhs, expr)

namespace clas::base {

// Collects the message of a failed check, then aborts when destroyed.
class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* condition) {
    stream_ << file << ":" << line << ": check failed: " << condition << " ";
  }
  CheckFailure(const CheckFailure&) = delete;
  CheckFailure& operator=(const CheckFailure&) = delete;
  [[noreturn]] ~CheckFailure() {
    std::fprintf(stderr, "%s\n", stream_.str().c_str());
    std::fflush(stderr);
    std::abort();
  }
  std::ostream& stream() { return stream_; }

 private:
  std::ostringstream stream_;
};

}  // namespace clas::base

#define CLAS_CHECK(condition) \
  if (condition) {            \
  } else                      \
    ::clas::base::CheckFailure(__FILE__, __LINE__, #condition).stream()

#endif  // CLAS_LEDGER_BASE_STATUS_MACROS_H_
