// RebuildByCaf (rebuild.h): the Cafs listed from the stream index, then the streams of each Caf
// read ahead together (their records in position order), and folded, two Cafs (or `threads`) at
// once.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "ledger/base/status_macros.h"
#include "projections/core/stream_layout.h"
#include "tools/bench/rebuild.h"
#include "tools/bench/rebuild_caf.h"

namespace clas::bench {
namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Every entry of `listing`, page after page.
absl::StatusOr<std::vector<std::string>> ListAll(const ledger::EventStore& store,
                                                 ledger::StreamListing listing) {
  std::vector<std::string> all;
  std::string after;
  for (;;) {
    listing.start_after = after;
    ASSIGN_OR_RETURN(std::vector<std::string> page, store.ListStreams(listing));
    const bool last = page.size() < listing.max_count;
    for (std::string& entry : page) all.push_back(std::move(entry));
    if (last || all.empty()) return all;
    after = all.back();
  }
}

// Reads whole streams for one thread, counting the events and the time spent in the store.
class StreamReader {
 public:
  StreamReader(const ledger::EventStore& store, Problems& errors)
      : store_(store), errors_(errors) {}

  // The events of `stream_id` in version order, decoded (those that do not decode left out,
  // each one an error).
  absl::StatusOr<std::vector<DomainEvent>> Read(const std::string& stream_id) {
    std::vector<DomainEvent> events;
    for (uint64_t from = 1;;) {
      const auto start = Clock::now();
      absl::StatusOr<std::vector<ledger::RecordedEvent>> page = store_.ReadStream(
          stream_id, from, ledger::Direction::kForward, ledger::kReadEventsMax);
      read_seconds_ += Since(start);
      if (!page.ok()) return page.status();
      events_ += page->size();
      for (ledger::RecordedEvent& recorded : *page) {
        from = recorded.stream_version() + 1;
        std::optional<DomainEvent> e = DecodeRecorded(std::move(recorded), errors_);
        if (e.has_value()) events.push_back(*std::move(e));
      }
      if (page->size() < ledger::kReadEventsMax) return events;
    }
  }

  // The ids of the streams of `caf` by kind; a stream not shaped clas/<caf>/<kind>/<id> is an
  // error.
  absl::StatusOr<std::map<std::string, std::vector<std::string>>> StreamsOf(
      const std::string& caf) {
    const std::string prefix = CafStreamPrefix(caf);
    const auto start = Clock::now();
    absl::StatusOr<std::vector<std::string>> ids = ListAll(store_, {.prefix = prefix});
    read_seconds_ += Since(start);
    if (!ids.ok()) return ids.status();
    std::map<std::string, std::vector<std::string>> by_kind;
    for (const std::string& stream : *ids) AddStream(prefix, stream, by_kind);
    return by_kind;
  }

  // Every stream of `caf` read ahead, a page of whole streams at a time
  // (EventStore::ReadStreamsUnder: the records of a page read together in position order),
  // into `streams`: its ids by kind, and `read` serving each stream's events, decoded, from
  // what was read. False (nothing filled) if a stream is longer than a page: read the Caf
  // stream by stream then.
  absl::StatusOr<bool> ReadAhead(const std::string& caf, CafStreams& streams,
                                 std::map<std::string, std::vector<ledger::RecordedEvent>>& held) {
    const std::string prefix = CafStreamPrefix(caf);
    std::string after;
    for (;;) {
      const auto start = Clock::now();
      absl::StatusOr<ledger::StreamsPage> page =
          store_.ReadStreamsUnder(prefix, after, ledger::kReadStreamsEventsMax);
      read_seconds_ += Since(start);
      if (absl::IsResourceExhausted(page.status())) {
        held.clear();
        return false;
      }
      if (!page.ok()) return page.status();
      for (ledger::StreamEvents& stream : page->streams) {
        after = stream.stream_id;
        if (AddStream(prefix, stream.stream_id, streams.ids_by_kind)) {
          held[stream.stream_id] = std::move(stream.events);
        }
      }
      if (page->last) break;
    }
    streams.read = [this, prefix, &held](const std::string& kind, const std::string& id)
        -> absl::StatusOr<std::vector<DomainEvent>> {
      std::vector<DomainEvent> events;
      const auto it = held.find(absl::StrCat(prefix, kind, "/", id));
      if (it == held.end()) return events;
      events_ += it->second.size();  // counted as folded, as Read counts them
      events.reserve(it->second.size());
      for (ledger::RecordedEvent& recorded : it->second) {
        std::optional<DomainEvent> e = DecodeRecorded(std::move(recorded), errors_);
        if (e.has_value()) events.push_back(*std::move(e));
      }
      held.erase(it);  // each stream is read once
      return events;
    };
    return true;
  }

  uint64_t events() const { return events_; }
  double read_seconds() const { return read_seconds_; }

 private:
  // Files `stream` (prefix<kind>/<id>) under its kind in `by_kind`; false, and an error, for a
  // stream not shaped so.
  bool AddStream(const std::string& prefix, const std::string& stream,
                 std::map<std::string, std::vector<std::string>>& by_kind) {
    const std::string_view rest = std::string_view(stream).substr(prefix.size());
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos) {
      errors_.Add(absl::StrCat("stream ", stream, " is neither the barème nor a Caf's"));
      return false;
    }
    by_kind[std::string(rest.substr(0, slash))].emplace_back(rest.substr(slash + 1));
    return true;
  }

  const ledger::EventStore& store_;
  Problems& errors_;
  uint64_t events_ = 0;
  double read_seconds_ = 0;
};

// The Cafs of the log, from its streams under "clas/"; any stream directly under it but the
// barème is an error.
absl::StatusOr<std::vector<std::string>> ListCafs(const ledger::EventStore& store,
                                                  Problems& errors) {
  ASSIGN_OR_RETURN(const std::vector<std::string> entries,
                   ListAll(store, {.prefix = std::string(kClasStreamRoot), .delimiter = '/'}));
  std::vector<std::string> cafs;
  for (const std::string& entry : entries) {
    if (entry == BaremeStream()) continue;
    if (!absl::EndsWith(entry, "/")) {
      errors.Add(absl::StrCat("stream ", entry, " is neither the barème nor a Caf's"));
      continue;
    }
    cafs.push_back(entry.substr(5, entry.size() - 6));  // clas/<caf>/
  }
  return cafs;
}

}  // namespace

absl::StatusOr<RebuildReport> RebuildByCaf(const ledger::EventStore& store, int threads) {
  threads = std::max(1, threads);
  RebuildReport report;
  Problems errors, unbalanced;
  report.head = store.Head().position;
  const auto start = Clock::now();
  ASSIGN_OR_RETURN(const std::vector<std::string> cafs, ListCafs(store, errors));
  StreamReader bareme_reader(store, errors);
  ASSIGN_OR_RETURN(std::vector<DomainEvent> bareme, bareme_reader.Read(BaremeStream()));
  const BaremeBook baremes = BaremeBook::FromEvents(std::move(bareme), AsOf{});
  report.events = bareme_reader.events();

  std::atomic<size_t> next{0};
  absl::Mutex mu;
  absl::Status failed;  // the first read error; the other threads stop at their next Caf
  double busy_seconds = 0;
  {
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&] {
        const auto thread_start = Clock::now();
        StreamReader reader(store, errors);
        CafFigures sum;
        absl::Status status;
        for (size_t i = next++; i < cafs.size() && status.ok(); i = next++) {
          CafStreams streams{.caf = cafs[i]};
          std::map<std::string, std::vector<ledger::RecordedEvent>> held;
          absl::StatusOr<bool> ahead = reader.ReadAhead(cafs[i], streams, held);
          if (!ahead.ok()) {
            status = ahead.status();
            break;
          }
          if (!*ahead) {  // a stream longer than a page: the Caf stream by stream
            streams = CafStreams{.caf = cafs[i]};
            absl::StatusOr<std::map<std::string, std::vector<std::string>>> ids =
                reader.StreamsOf(cafs[i]);
            if (!ids.ok()) {
              status = ids.status();
              break;
            }
            streams.ids_by_kind = *std::move(ids);
            const std::string prefix = CafStreamPrefix(cafs[i]);
            streams.read = [&reader, prefix](const std::string& kind, const std::string& id) {
              return reader.Read(absl::StrCat(prefix, kind, "/", id));
            };
          }
          absl::StatusOr<CafFigures> f = RebuildCaf(streams, baremes, errors, unbalanced);
          if (!f.ok()) {
            status = f.status();
            break;
          }
          sum.conventions += f->conventions;
          sum.gestionnaires += f->gestionnaires;
          sum.reports += f->reports;
          sum.unbalanced += f->unbalanced;
        }
        if (!status.ok()) next = cafs.size();
        absl::MutexLock lock(&mu);
        if (failed.ok()) failed = status;
        report.events += reader.events();
        report.conventions += sum.conventions;
        report.gestionnaires += sum.gestionnaires;
        report.civil_year_reports += sum.reports;
        report.unbalanced_reports += sum.unbalanced;
        report.read_seconds += reader.read_seconds();
        busy_seconds += Since(thread_start);
      });
    }
    for (auto& w : workers) w.join();
  }
  if (!failed.ok()) return failed;
  report.seconds = Since(start);
  report.fold_seconds = busy_seconds - report.read_seconds;
  report.cafs = cafs.size();
  Finish(errors, unbalanced, report);
  return report;
}

}  // namespace clas::bench
