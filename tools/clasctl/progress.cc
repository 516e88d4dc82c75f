#include "tools/clasctl/progress.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "tools/clasctl/text.h"

namespace clas::ctl {
namespace {

constexpr absl::Duration kRedrawEvery = absl::Milliseconds(200);
constexpr int kBarChars = 24;

std::string Clock(int64_t seconds) {
  if (seconds >= 3600) return absl::StrFormat("%dh%02dm", seconds / 3600, seconds / 60 % 60);
  if (seconds >= 60) return absl::StrFormat("%dm%02ds", seconds / 60, seconds % 60);
  return absl::StrFormat("%ds", seconds);
}

}  // namespace

Progress::Progress(std::ostream& out, bool enabled, std::string label, std::string unit,
                   uint64_t total)
    : out_(out),
      enabled_(enabled),
      label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      start_(absl::Now()) {}

Progress::~Progress() { Finish(); }

std::string Progress::Line(const std::string& label, const std::string& unit, uint64_t done,
                           uint64_t total, absl::Duration elapsed, int bar_chars) {
  const double seconds = std::max(absl::ToDoubleSeconds(elapsed), 1e-3);
  const double rate = static_cast<double>(done) / seconds;
  std::string line = label + " ";
  if (total > 0) {
    const uint64_t shown = std::min(done, total);
    const int filled = static_cast<int>(shown * bar_chars / total);
    absl::StrAppend(&line, "[", std::string(filled, '#'), std::string(bar_chars - filled, '-'),
                    "] ", absl::StrFormat("%3d %%", static_cast<int>(shown * 100 / total)), "  ",
                    Grouped(done), " / ", Grouped(total), " ", unit);
  } else {
    absl::StrAppend(&line, Grouped(done), " ", unit);
  }
  absl::StrAppend(&line, "  ", Grouped(static_cast<uint64_t>(rate)), " ", unit, "/s");
  if (total > done && rate > 0) {
    absl::StrAppend(&line, "  ",
                    Clock(static_cast<int64_t>(static_cast<double>(total - done) / rate) + 1),
                    " left");
  }
  return line;
}

void Progress::Update(uint64_t done) {
  if (!enabled_) return;
  const absl::Time now = absl::Now();
  if (now - last_draw_ < kRedrawEvery && done < total_) return;
  last_draw_ = now;
  out_ << "\r\033[K" << Line(label_, unit_, done, total_, now - start_, kBarChars) << std::flush;
  drawn_ = true;
}

void Progress::Update(uint64_t done, uint64_t total) {
  if (total != 0) total_ = total;
  Update(done);
}

void Progress::Finish() {
  if (!drawn_) return;
  out_ << "\r\033[K" << std::flush;
  drawn_ = false;
}

}  // namespace clas::ctl
