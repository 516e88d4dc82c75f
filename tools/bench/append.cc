#include "tools/bench/append.h"

#include <libpq-fe.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "ledger/event_store.h"
#include "ledger/key_layout.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace clas::bench {
namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU time of the calling thread, in seconds: what a batch costs apart from waiting for the
// disk, less disturbed by other programs than the wall clock.
double ThreadCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// CPU time of the whole process (user and system), in seconds.
double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec * 1e-6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// The sample's i-th event under a fresh id.
ledger::v1::EventData Nth(const std::vector<ledger::v1::EventData>& sample, uint64_t i,
                          const std::string& tag) {
  ledger::v1::EventData data = sample[i % sample.size()];
  data.set_event_id(absl::StrCat("bench/", tag, "/", i));
  return data;
}

void Percentiles(std::vector<double>& latencies, Throughput* out) {
  if (latencies.empty()) return;
  std::sort(latencies.begin(), latencies.end());
  out->p50_us = latencies[latencies.size() / 2];
  out->p99_us = latencies[std::min(latencies.size() - 1, latencies.size() * 99 / 100)];
}

absl::StatusOr<std::unique_ptr<ledger::EventStore>> OpenFresh(const std::string& dir) {
  ledger::Options options;
  options.path = dir;
  options.sync = true;
  return ledger::EventStore::Open(options);
}

}  // namespace

absl::StatusOr<std::vector<ledger::v1::EventData>> SampleEvents(const std::string& path,
                                                                size_t count) {
  ledger::Options options;
  options.path = path;
  options.read_only = true;
  auto store = ledger::EventStore::Open(options);
  if (!store.ok()) return store.status();
  auto page = (*store)->ReadAll(1, std::min(count, ledger::kReadEventsMax));
  if (!page.ok()) return page.status();
  if (page->empty()) return absl::FailedPreconditionError(path + " holds no event");
  std::vector<ledger::v1::EventData> out;
  for (const auto& e : *page) out.push_back(e.data());
  return out;
}

absl::StatusOr<Throughput> StoreBatches(const std::string& dir,
                                        const std::vector<ledger::v1::EventData>& sample,
                                        size_t batch, double seconds) {
  auto store = OpenFresh(dir);
  if (!store.ok()) return store.status();
  Throughput out;
  uint64_t n = 0;
  const double cpu_start = ThreadCpuSeconds();
  const auto start = Clock::now();
  for (uint64_t b = 0; out.events == 0 || Since(start) < seconds; ++b) {
    std::vector<ledger::v1::EventData> events;
    events.reserve(batch);
    for (size_t i = 0; i < batch; ++i) events.push_back(Nth(sample, n++, "batch"));
    auto appended = (*store)->Append(absl::StrCat("bench/batch/", b),
                                     ledger::ExpectedVersion::NoStream(), std::move(events));
    if (!appended.ok()) return appended.status();
    out.events += batch;
  }
  out.seconds = Since(start);
  out.cpu_seconds = ThreadCpuSeconds() - cpu_start;
  return out;
}

absl::StatusOr<Throughput> RawBatches(const std::string& dir,
                                      const std::vector<ledger::v1::EventData>& sample,
                                      size_t batch, double seconds) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const char* name : ledger::kFamilyNames) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  rocksdb::DB* raw = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status status = rocksdb::DB::Open(db_options, dir, descriptors, &handles, &raw);
  if (!status.ok()) return absl::UnavailableError(status.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  auto family = [&](ledger::Family f) { return handles[static_cast<size_t>(f)]; };
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  const std::string hash(32, 'h');  // the store writes three 32-byte hashes per record
  Throughput out;
  uint64_t n = 0;
  const double cpu_start = ThreadCpuSeconds();
  const auto start = Clock::now();
  for (uint64_t b = 0; out.events == 0 || Since(start) < seconds; ++b) {
    rocksdb::WriteBatch write;
    const std::string stream = absl::StrCat("bench/batch/", b);
    for (size_t i = 0; i < batch; ++i) {
      const uint64_t position = ++n;
      ledger::v1::EventBody body;
      *body.mutable_data() = Nth(sample, position - 1, "batch");
      body.set_stream_id(stream);
      body.set_stream_version(i + 1);
      body.set_position(position);
      body.set_recorded_at_us(1'800'000'000'000'000 + position);
      ledger::v1::StoredEvent stored;
      stored.set_body(body.SerializeAsString());
      stored.set_prev_hash(hash);
      stored.set_prev_stream_hash(hash);
      stored.set_hash(hash);
      const std::string value = ledger::EncodeU64(position);
      (void)write.Put(family(ledger::Family::kEvents), ledger::EventKey(position),
                      stored.SerializeAsString());
      (void)write.Put(family(ledger::Family::kStreams), ledger::StreamKey(stream, i + 1), value);
      (void)write.Put(family(ledger::Family::kEventIds), body.data().event_id(), value);
    }
    status = db->Write(write_options, &write);
    if (!status.ok()) break;
    out.events += batch;
  }
  out.seconds = Since(start);
  out.cpu_seconds = ThreadCpuSeconds() - cpu_start;
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  if (!status.ok()) return absl::UnavailableError(status.ToString());
  return out;
}

absl::StatusOr<Throughput> StoreConcurrent(const std::string& dir,
                                           const std::vector<ledger::v1::EventData>& sample,
                                           int writers, double seconds) {
  auto store = OpenFresh(dir);
  if (!store.ok()) return store.status();
  std::vector<std::vector<double>> latencies(writers);
  std::vector<absl::Status> statuses(writers);
  std::atomic<uint64_t> next{0};
  const double cpu_start = ProcessCpuSeconds();
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      const std::string stream = absl::StrCat("bench/writer/", w);
      for (uint64_t version = 0; Since(start) < seconds; ++version) {
        std::vector<ledger::v1::EventData> one;
        one.push_back(Nth(sample, next++, "one"));
        const auto call = Clock::now();
        auto appended = (*store)->Append(stream, ledger::ExpectedVersion::Exactly(version),
                                         std::move(one));
        latencies[w].push_back(Since(call) * 1e6);
        if (!appended.ok()) {
          statuses[w] = appended.status();
          return;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  Throughput out;
  out.seconds = Since(start);
  out.cpu_seconds = ProcessCpuSeconds() - cpu_start;
  const ledger::StoreStats stats = (*store)->Stats();
  out.batches = stats.batches_written;
  out.group_size_max = stats.group_size_max;
  out.gather_waits = stats.gather_waits;
  out.gather_timeouts = stats.gather_timeouts;
  std::vector<double> all;
  for (int w = 0; w < writers; ++w) {
    if (!statuses[w].ok()) return statuses[w];
    all.insert(all.end(), latencies[w].begin(), latencies[w].end());
  }
  out.events = all.size();
  Percentiles(all, &out);
  return out;
}

absl::StatusOr<Throughput> PostgresConcurrent(const std::string& conninfo,
                                              const std::vector<ledger::v1::EventData>& sample,
                                              int writers, double seconds) {
  {
    std::unique_ptr<PGconn, decltype(&PQfinish)> setup(PQconnectdb(conninfo.c_str()), PQfinish);
    if (PQstatus(setup.get()) != CONNECTION_OK) {
      return absl::UnavailableError(absl::StrCat("PostgreSQL: ", PQerrorMessage(setup.get())));
    }
    PGresult* r = PQexec(setup.get(),
                         "DROP TABLE IF EXISTS events;"
                         "CREATE TABLE events ("
                         "  position bigserial NOT NULL,"
                         "  stream_id text NOT NULL,"
                         "  version bigint NOT NULL,"
                         "  event_id text NOT NULL UNIQUE,"
                         "  event_type text NOT NULL,"
                         "  effective_date integer NOT NULL,"
                         "  tenant_id text NOT NULL,"
                         "  payload bytea NOT NULL,"
                         "  recorded_at timestamptz NOT NULL DEFAULT now(),"
                         "  PRIMARY KEY (stream_id, version));");
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    const std::string error = PQerrorMessage(setup.get());
    PQclear(r);
    if (!ok) return absl::UnavailableError("PostgreSQL: " + error);
  }
  std::vector<std::vector<double>> latencies(writers);
  std::vector<absl::Status> statuses(writers);
  std::atomic<uint64_t> next{0};
  std::vector<std::unique_ptr<PGconn, decltype(&PQfinish)>> connections;
  for (int w = 0; w < writers; ++w) {
    connections.emplace_back(PQconnectdb(conninfo.c_str()), PQfinish);
    PGconn* c = connections.back().get();
    if (PQstatus(c) != CONNECTION_OK) {
      return absl::UnavailableError(absl::StrCat("PostgreSQL: ", PQerrorMessage(c)));
    }
    PQclear(PQexec(c, "SET synchronous_commit = on"));
    PGresult* r = PQprepare(c, "append",
                            "INSERT INTO events (stream_id, version, event_id, event_type, "
                            "effective_date, tenant_id, payload) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                            7, nullptr);
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) return absl::UnavailableError(absl::StrCat("PostgreSQL: ", PQerrorMessage(c)));
  }
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      PGconn* c = connections[w].get();
      const std::string stream = absl::StrCat("bench/writer/", w);
      for (uint64_t version = 1; Since(start) < seconds; ++version) {
        const ledger::v1::EventData data = Nth(sample, next++, "one");
        const std::string v = absl::StrCat(version), date = absl::StrCat(data.effective_date());
        const char* values[7] = {stream.c_str(), v.c_str(), data.event_id().c_str(),
                                 data.event_type().c_str(), date.c_str(),
                                 data.tenant_id().c_str(), data.payload().data()};
        const int lengths[7] = {0, 0, 0, 0, 0, 0, static_cast<int>(data.payload().size())};
        const int formats[7] = {0, 0, 0, 0, 0, 0, 1};
        const auto call = Clock::now();
        PGresult* r = PQexecPrepared(c, "append", 7, values, lengths, formats, 0);
        latencies[w].push_back(Since(call) * 1e6);
        const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (!ok) {
          statuses[w] = absl::UnavailableError(absl::StrCat("PostgreSQL: ", PQerrorMessage(c)));
          return;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  Throughput out;
  out.seconds = Since(start);
  std::vector<double> all;
  for (int w = 0; w < writers; ++w) {
    if (!statuses[w].ok()) return statuses[w];
    all.insert(all.end(), latencies[w].begin(), latencies[w].end());
  }
  out.events = all.size();
  Percentiles(all, &out);
  return out;
}

}  // namespace clas::bench
