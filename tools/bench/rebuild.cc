#include "tools/bench/rebuild.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "ledger/key_layout.h"
#include "projections/accounts/books.h"
#include "projections/convention/fold.h"
#include "rocksdb/db.h"

namespace clas::bench {
namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

constexpr size_t kSamplesMax = 10;

// One event as read, its payload not yet decoded.
struct Item {
  DomainEvent event;  // everything but `fact`
  std::string payload;
};

struct Stream {
  std::vector<Item> items;
};

// The streams of one Caf, by kind ("gestionnaire", "convention", "civil-year") then id.
struct CafLog {
  std::map<std::string, std::map<std::string, Stream>> by_kind;
};

Item ToItem(ledger::RecordedEvent&& recorded) {
  Item item;
  ledger::v1::EventBody& body = recorded.body;
  ledger::v1::EventData& data = *body.mutable_data();
  DomainEvent& e = item.event;
  e.event_id = std::move(*data.mutable_event_id());
  e.stream_id = std::move(*body.mutable_stream_id());
  e.position = body.position();
  e.stream_version = body.stream_version();
  e.recorded_at_us = body.recorded_at_us();
  e.effective_date = data.effective_date();
  e.caf_id = std::move(*data.mutable_tenant_id());
  e.actor = std::move(*data.mutable_actor());
  e.rule_version = std::move(*data.mutable_rule_version());
  item.payload = std::move(*data.mutable_payload());
  return item;
}

class Problems {
 public:
  void Add(std::string sentence) {
    absl::MutexLock lock(&mu_);
    ++count_;
    if (samples_.size() < kSamplesMax) samples_.push_back(std::move(sentence));
  }
  uint64_t count() {
    absl::MutexLock lock(&mu_);
    return count_;
  }
  std::vector<std::string> samples() {
    absl::MutexLock lock(&mu_);
    return samples_;
  }

 private:
  absl::Mutex mu_;
  uint64_t count_ = 0;
  std::vector<std::string> samples_;
};

std::vector<DomainEvent> Decode(Stream& stream, Problems& errors) {
  std::vector<DomainEvent> out;
  out.reserve(stream.items.size());
  for (Item& item : stream.items) {
    if (!item.event.fact.ParseFromString(item.payload)) {
      errors.Add(absl::StrCat("position ", item.event.position, ": not a clas.v1.ClasEvent"));
      continue;
    }
    out.push_back(std::move(item.event));
  }
  stream.items.clear();
  stream.items.shrink_to_fit();
  return out;
}

struct CafFigures {
  uint64_t conventions = 0, gestionnaires = 0, reports = 0, unbalanced = 0;
};

// Every projection of one Caf, as Engine::Books and Engine::GetCivilYear build them as of now.
CafFigures RebuildCaf(const std::string& caf, CafLog& log, const BaremeBook& baremes,
                      Problems& errors, Problems& unbalanced) {
  CafFigures figures;
  const AsOf now;
  std::map<std::string, v1::GestionnaireState> gestionnaires;
  for (auto& [id, stream] : log.by_kind["gestionnaire"]) {
    for (const DomainEvent& e : Timeline(Decode(stream, errors), now)) {
      if (!e.fact.has_gestionnaire_registered()) continue;
      const auto& g = e.fact.gestionnaire_registered();
      v1::GestionnaireState& state = gestionnaires[g.gestionnaire_id()];
      state.set_caf_id(caf);
      state.set_gestionnaire_id(g.gestionnaire_id());
      state.set_name(g.name());
      state.set_kind(g.kind());
      state.set_supported_since_school_year(g.supported_since_school_year());
      state.set_event_id(e.event_id);
    }
  }
  figures.gestionnaires = gestionnaires.size();

  CafBooks books;
  books.caf_id = caf;
  books.as_of_date = now.effective_date;
  int32_t last_year = 0;
  auto span = [&](const std::vector<DomainEvent>& events) {
    for (const auto& e : events) {
      if (e.effective_date == 0) continue;

      last_year = std::max(last_year, e.effective_date / 10000);
    }
  };
  for (auto& [id, stream] : log.by_kind["convention"]) {
    const std::vector<DomainEvent> events = Decode(stream, errors);
    span(events);
    std::string gestionnaire_id;
    for (const auto& e : events) {
      if (e.fact.has_funding_request_filed()) {
        gestionnaire_id = e.fact.funding_request_filed().gestionnaire_id();
      }
    }
    const auto g = gestionnaires.find(gestionnaire_id);
    const FoldContext context{.baremes = &baremes,
                              .gestionnaire = g == gestionnaires.end() ? nullptr : &g->second};
    v1::ConventionState state = FoldConvention(events, now, context);
    if (state.convention_id().empty()) {
      errors.Add(absl::StrCat("stream clas/", caf, "/convention/", id,
                              " folds to no convention"));
      continue;
    }
    for (const auto& e : events) {
      if (e.fact.has_solde_paid()) books.soldes[e.event_id] = e.fact.solde_paid();
      if (!e.fact.has_event_corrected()) continue;
      const AsOf then{.effective_date = now.effective_date, .known_at_us = e.recorded_at_us};
      books.corrected[id].push_back(CorrectedState{.correction_event_id = e.event_id,
                                                   .correction_position = e.position,
                                                   .state = FoldConvention(events, then, context)});
    }
    books.conventions.push_back(std::move(state));
    ++figures.conventions;
  }
  for (auto& [id, stream] : log.by_kind["civil-year"]) {
    const std::vector<DomainEvent> events = Decode(stream, errors);
    span(events);
    for (auto& e : Timeline(events, now)) {  // a copy of the events: moved from
      if (!e.fact.has_civil_year_closed()) continue;
      books.closings.push_back(
          RecordedClosing{.closing = std::move(*e.fact.mutable_civil_year_closed()),
                          .event_id = std::move(e.event_id),
                          .date = e.effective_date,
                          .position = e.position});
    }
  }
  log.by_kind.clear();
  if (last_year == 0) return figures;
  absl::StatusOr<std::vector<rules::CivilYearReport>> reports = CivilYearReportsOf(books, last_year);
  if (!reports.ok()) {
    errors.Add(absl::StrCat(caf, ": ", reports.status().message()));
    return figures;
  }
  for (const rules::CivilYearReport& report : *reports) {
    ++figures.reports;
    if (!report.balanced()) {
      ++figures.unbalanced;
      unbalanced.Add(absl::StrCat(caf, " ", report.year.y(), ": ", report.failed_checks.front()));
    }
  }
  return figures;
}

}  // namespace

absl::StatusOr<RebuildReport> RebuildAll(const ledger::EventStore& store, int threads) {
  threads = std::max(1, threads);
  RebuildReport report;
  Problems errors, unbalanced;
  const uint64_t head = store.Head().position;

  // 1. The log in position order, in `threads` contiguous ranges read in parallel.
  auto start = Clock::now();
  std::vector<std::vector<Item>> parts(threads);
  std::vector<absl::Status> statuses(threads);
  {
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
  }
  for (const auto& s : statuses) {
    if (!s.ok()) return s;
  }
  std::map<std::string, CafLog> cafs;
  Stream bareme;
  uint64_t other = 0;
  for (auto& part : parts) {
    for (Item& item : part) {
      ++report.events;
      const std::string& stream = item.event.stream_id;
      if (stream == BaremeStream()) {
        bareme.items.push_back(std::move(item));
        continue;
      }
      // clas/<caf>/<kind>/<id>
      std::vector<std::string> parts_of = absl::StrSplit(stream, absl::MaxSplits('/', 3));
      if (parts_of.size() != 4 || parts_of[0] != "clas") {
        ++other;
        continue;
      }
      cafs[parts_of[1]].by_kind[parts_of[2]][parts_of[3]].items.push_back(std::move(item));
    }
    part.clear();
    part.shrink_to_fit();
  }
  report.read_seconds = Since(start);

  // 2. The projections, Caf by Caf in parallel.
  start = Clock::now();
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
          const CafFigures f = RebuildCaf(*work[i].first, *work[i].second, baremes, errors,
                                          unbalanced);
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
  report.fold_seconds = Since(start);
  report.cafs = cafs.size();
  report.errors = errors.count();
  report.samples = errors.samples();
  for (auto& s : unbalanced.samples()) report.samples.push_back(s);
  (void)other;
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
