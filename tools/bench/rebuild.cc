#include "tools/bench/rebuild.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "ledger/base/status_macros.h"
#include "ledger/key_layout.h"
#include "rocksdb/db.h"
#include "tools/bench/rebuild_caf.h"

namespace clas::bench {
namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// One event as read, its payload not yet decoded.
struct Item {
  DomainEvent event;  // everything but `fact`
  std::string payload;
};

// The streams of one Caf, by kind ("gestionnaire", "convention", "civil-year") then id.
using CafLog = std::map<std::string, std::map<std::string, std::vector<Item>>>;

Item ToItem(ledger::RecordedEvent&& recorded) {
  Item item;
  item.event = EventOfRecord(std::move(recorded), item.payload);
  return item;
}

// Decodes the payloads of `items` and releases them.
std::vector<DomainEvent> Decode(std::vector<Item>& items, Problems& errors) {
  std::vector<DomainEvent> out;
  out.reserve(items.size());
  for (Item& item : items) {
    if (!item.event.fact.ParseFromString(item.payload)) {
      errors.Add(absl::StrCat("position ", item.event.position, ": not a clas.v1.ClasEvent"));
      continue;
    }
    out.push_back(std::move(item.event));
  }
  items.clear();
  items.shrink_to_fit();
  return out;
}

// The whole log in position order, in `threads` contiguous ranges read in parallel.
absl::StatusOr<std::vector<std::vector<Item>>> ReadLog(const ledger::EventStore& store,
                                                       uint64_t head, int threads) {
  std::vector<std::vector<Item>> parts(threads);
  std::vector<absl::Status> statuses(threads);
  std::vector<std::thread> readers;
  for (int t = 0; t < threads; ++t) {
    readers.emplace_back([&, t] {
      const uint64_t from = head * t / threads + 1, to = head * (t + 1) / threads;
      parts[t].reserve(to - from + 1);
      for (uint64_t at = from; at <= to;) {
        const size_t count = std::min<uint64_t>(ledger::kReadEventsMax, to - at + 1);
        absl::StatusOr<std::vector<ledger::RecordedEvent>> page = store.ReadAll(at, count);
        if (!page.ok()) {
          statuses[t] = page.status();
          return;
        }
        if (page->empty()) break;
        at = page->back().position() + 1;
        for (auto& e : *page) parts[t].push_back(ToItem(std::move(e)));
      }
    });
  }
  for (auto& r : readers) r.join();
  for (const auto& s : statuses) {
    if (!s.ok()) return s;
  }
  return parts;
}

}  // namespace

absl::StatusOr<RebuildReport> RebuildAll(const ledger::EventStore& store, int threads) {
  threads = std::max(1, threads);
  RebuildReport report;
  Problems errors, unbalanced;
  report.head = store.Head().position;

  // 1. The log in position order, sorted into the barème and the streams of each Caf.
  const auto start = Clock::now();
  ASSIGN_OR_RETURN(std::vector<std::vector<Item>> parts, ReadLog(store, report.head, threads));
  std::map<std::string, CafLog> cafs;
  std::vector<Item> bareme;
  std::set<std::string> others;
  for (auto& part : parts) {
    for (Item& item : part) {
      const std::string& stream = item.event.stream_id;
      if (stream == BaremeStream()) {
        ++report.events;
        bareme.push_back(std::move(item));
        continue;
      }
      // clas/<caf>/<kind>/<id>
      std::vector<std::string> parts_of = absl::StrSplit(stream, absl::MaxSplits('/', 3));
      if (parts_of.size() != 4 || parts_of[0] != "clas") {
        if (others.insert(stream).second) {
          errors.Add(absl::StrCat("stream ", stream, " is neither the barème nor a Caf's"));
        }
        continue;
      }
      // A stream of another kind is named by RebuildCaf; its events are not counted as folded.
      if (std::find(std::begin(kFoldedKinds), std::end(kFoldedKinds), parts_of[2]) !=
          std::end(kFoldedKinds)) {
        ++report.events;
      }
      cafs[parts_of[1]][parts_of[2]][parts_of[3]].push_back(std::move(item));
    }
    part.clear();
    part.shrink_to_fit();
  }
  report.read_seconds = Since(start);

  // 2. The projections, Caf by Caf in parallel.
  const auto fold_start = Clock::now();
  const BaremeBook baremes = BaremeBook::FromEvents(Decode(bareme, errors), AsOf{});
  std::vector<std::pair<const std::string*, CafLog*>> work;
  for (auto& [caf, log] : cafs) work.emplace_back(&caf, &log);
  std::atomic<size_t> next{0};
  absl::Mutex mu;
  {
    std::vector<std::thread> folders;
    for (int t = 0; t < threads; ++t) {
      folders.emplace_back([&] {
        for (size_t i = next++; i < work.size(); i = next++) {
          CafLog& log = *work[i].second;
          CafStreams streams{.caf = *work[i].first};
          for (const auto& [kind, by_id] : log) {
            for (const auto& [id, items] : by_id) streams.ids_by_kind[kind].push_back(id);
          }
          streams.read = [&](const std::string& kind, const std::string& id) {
            return absl::StatusOr<std::vector<DomainEvent>>(Decode(log[kind][id], errors));
          };
          // Reads from memory cannot fail.
          const CafFigures f = RebuildCaf(streams, baremes, errors, unbalanced).value();
          log.clear();
          absl::MutexLock lock(&mu);
          report.conventions += f.conventions;
          report.gestionnaires += f.gestionnaires;
          report.civil_year_reports += f.reports;
          report.unbalanced_reports += f.unbalanced;
        }
      });
    }
    for (auto& f : folders) f.join();
  }
  report.fold_seconds = Since(fold_start);
  report.seconds = Since(start);
  report.cafs = cafs.size();
  Finish(errors, unbalanced, report);
  return report;
}

absl::StatusOr<RawScanReport> RawScan(const std::string& path) {
  std::vector<std::string> names;
  rocksdb::Status status = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names);
  if (!status.ok()) return absl::UnavailableError(status.ToString());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  size_t events_index = names.size();
  for (size_t i = 0; i < names.size(); ++i) {
    descriptors.emplace_back(names[i], rocksdb::ColumnFamilyOptions());
    if (names[i] == ledger::kFamilyNames[static_cast<size_t>(ledger::Family::kEvents)]) {
      events_index = i;
    }
  }
  if (events_index == names.size()) return absl::NotFoundError("no events family in " + path);
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  status = rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), path, descriptors, &handles, &db);
  if (!status.ok()) return absl::UnavailableError(status.ToString());
  RawScanReport report;
  const auto start = Clock::now();
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(),
                                                          handles[events_index]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ++report.events;
      report.bytes += it->key().size() + it->value().size();
    }
    status = it->status();
  }
  report.seconds = Since(start);
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  delete db;
  if (!status.ok()) return absl::UnavailableError(status.ToString());
  return report;
}

}  // namespace clas::bench
