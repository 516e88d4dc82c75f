// stats, backup, restore: operator commands on a data directory.
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ledger/backup.h"
#include "ledger/base/status_macros.h"
#include "ledger/hash_chain.h"
#include "tools/clasctl/commands.h"
#include "tools/clasctl/progress.h"
#include "tools/clasctl/remote.h"
#include "tools/clasctl/store_tools.h"
#include "tools/clasctl/text.h"

namespace clas::ctl {
namespace {

absl::Status RequireLedger(const std::string& dir) {
  std::error_code error;
  if (!std::filesystem::exists(std::filesystem::path(dir) / "CURRENT", error)) {
    return absl::NotFoundError(absl::StrCat("no ledger at '", dir, "'"));
  }
  return absl::OkStatus();
}

std::string HeadText(const ledger::LogHead& head) {
  return absl::StrCat("head position ", head.position, ", hash ", ledger::HashHex(head.hash));
}

int ListBackupsText(const std::string& dir, Io& io) {
  auto backups = ledger::ListBackups(dir);
  if (!backups.ok()) return ReportError(backups.status(), io);
  Table t({{"backup"},
           {"created"},
           {"files", Table::Align::kRight},
           {"size", Table::Align::kRight},
           {"head position", Table::Align::kRight},
           {"head hash"}});
  for (const auto& b : *backups) {
    t.AddRow({absl::StrCat(b.backup_id), Instant(b.created_at_s * 1'000'000), absl::StrCat(b.files),
              Bytes(b.size_bytes), absl::StrCat(b.head.position),
              ledger::ShortHashHex(b.head.hash)});
  }
  io.out << t.Render();
  return kExitOk;
}

}  // namespace

int Stats(const Invocation& in, Io& io) {
  return Guarded(io, [&]() -> absl::StatusOr<int> {
    ASSIGN_OR_RETURN(OutputFormat format, OutputFormatOf(in, /*csv_allowed=*/true));
    const std::string dir = in.Get("data");
    ASSIGN_OR_RETURN(std::unique_ptr<ledger::EventStore> store, OpenStore(dir, true));
    Progress progress(io.err, io.progress, "stats", "events", store->Head().position);
    ASSIGN_OR_RETURN(LogStats stats,
                     CollectStats(*store, dir, [&](uint64_t done) { progress.Update(done); }));
    progress.Finish();
    if (format == OutputFormat::kJson) io.out << ToJson(StatsStruct(stats));
    if (format == OutputFormat::kCsv) io.out << StatsCsv(stats);
    if (format == OutputFormat::kText) io.out << FormatStats(stats, dir);
    return kExitOk;
  });
}

int BackupCommand(const Invocation& in, Io& io) {
  const std::string backup_dir = in.positionals()[0];
  if (in.Has("list")) return ListBackupsText(backup_dir, io);
  return Guarded(io, [&]() -> absl::StatusOr<int> {
    const std::string dir = in.Get("data");
    RETURN_IF_ERROR(RequireLedger(dir));
    ASSIGN_OR_RETURN(std::unique_ptr<ledger::EventStore> store, OpenStore(dir, false));
    Progress progress(io.err, io.progress, "backup", "bytes", DirectoryBytes(dir));
    ASSIGN_OR_RETURN(
        ledger::BackupInfo info,
        ledger::Backup(*store, backup_dir, [&](uint64_t bytes) { progress.Update(bytes); }));
    progress.Finish();
    io.out << "Backup " << info.backup_id << " of " << dir << " in " << backup_dir << ": "
           << HeadText(info.head) << "; " << info.files << " files, " << Bytes(info.size_bytes)
           << "\n";
    return kExitOk;
  });
}

int RestoreCommand(const Invocation& in, Io& io) {
  return Guarded(io, [&]() -> absl::StatusOr<int> {
    const std::string backup_dir = in.positionals()[0];
    const std::string dir = in.Get("data");
    ASSIGN_OR_RETURN(int64_t id, in.GetInt("backup-id", 0));
    if (id < 0) return absl::InvalidArgumentError("--backup-id: a backup number");
    ASSIGN_OR_RETURN(ledger::BackupInfo info,
                     ledger::Restore(backup_dir, dir, static_cast<uint32_t>(id)));
    io.out << "Restored backup " << info.backup_id << " into " << dir << ": " << HeadText(info.head)
           << " (as recorded by the backup)\n";
    ASSIGN_OR_RETURN(std::unique_ptr<ledger::EventStore> store, OpenStore(dir, true));
    const ledger::LogHead head = store->Head();
    if (head.position == 0) return kExitOk;
    Progress progress(io.err, io.progress, "verify", "events", head.position);
    ASSIGN_OR_RETURN(
        ledger::VerifyReport report,
        VerifyInChunks(*store, 1, head.position, [&](uint64_t done) { progress.Update(done); }));
    progress.Finish();
    if (!report.ok) {
      io.out << "Restored chain BROKEN at position " << report.first_bad_position << ": "
             << report.problem << "\n";
      return kExitRefused;
    }
    io.out << "Chain OK: " << report.events_checked << " events checked; " << HeadText(head)
           << "\n";
    return kExitOk;
  });
}

}  // namespace clas::ctl
