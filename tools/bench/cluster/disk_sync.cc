#include "tools/bench/cluster/disk_sync.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/bench/cluster/load_clock.h"

namespace clas::bench {
namespace {

constexpr size_t kSyncedAppendBytes = 4096;

}  // namespace

absl::StatusOr<CallFigures> SyncedAppends(const std::filesystem::path& dir, int count,
                                          double seconds) {
  const std::string path = (dir / absl::StrCat("clas-bench-sync-", getpid())).string();
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("cannot create ", path));
  const std::string block(kSyncedAppendBytes, 'w');
  CallFigures figures;
  std::vector<double> latencies;
  const LoadClock clock;
  bool failed = false;
  for (int i = 0; i < count && clock.Seconds() < seconds && !failed; ++i) {
    const LoadClock call;
    failed = write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size()) ||
             fdatasync(fd) != 0;
    if (!failed) {
      ++figures.calls;
      latencies.push_back(call.Milliseconds());
    }
  }
  figures.seconds = clock.Seconds();
  figures.latency_ms = Summarise(std::move(latencies));
  close(fd);
  unlink(path.c_str());
  if (failed) return absl::UnavailableError(absl::StrCat("cannot write or sync ", path));
  return figures;
}

}  // namespace clas::bench
