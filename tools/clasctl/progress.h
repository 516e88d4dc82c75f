// A progress bar for long commands (stats, verify, backup): done / total, rate and time left,
// redrawn in place on a terminal at most a few times a second. Disabled, it draws nothing, so
// commands call it unconditionally; clasctl enables it only when stderr is a terminal.
//
// Thread-safety: one thread at a time.
#ifndef CLAS_TOOLS_CLASCTL_PROGRESS_H_
#define CLAS_TOOLS_CLASCTL_PROGRESS_H_

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/time/time.h"

namespace clas::ctl {

class Progress {
 public:
  // `unit` names what is counted ("events", "bytes"); `total` 0 when unknown.
  Progress(std::ostream& out, bool enabled, std::string label, std::string unit, uint64_t total);
  ~Progress();  // Finish()

  void Update(uint64_t done);
  // With a total learnt on the way (0: unchanged).
  void Update(uint64_t done, uint64_t total);
  // Clears the bar's line. Idempotent.
  void Finish();

  // "[#####-----]  52 %  12 345 / 23 456 events  8 123 events/s  1 s left" for a width of
  // `bar_chars`; exposed for tests.
  static std::string Line(const std::string& label, const std::string& unit, uint64_t done,
                          uint64_t total, absl::Duration elapsed, int bar_chars);

 private:
  std::ostream& out_;
  const bool enabled_;
  const std::string label_;
  const std::string unit_;
  uint64_t total_;
  const absl::Time start_;
  absl::Time last_draw_ = absl::InfinitePast();
  bool drawn_ = false;
};

}  // namespace clas::ctl

#endif  // CLAS_TOOLS_CLASCTL_PROGRESS_H_
