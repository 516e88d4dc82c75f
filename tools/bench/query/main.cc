// clas-bench-query: the read-path rows of the benchmark table (issue #6), measured in one run on
// one data directory.
//
//   clas-bench-query --scale N --data DIR --pg "CONNINFO" --rows FILE [--smoke]
//
// DIR is a ledger data directory (the demo dataset of that scale); it is never written: the
// benchmark works on a copy (SST files hard-linked when DIR's file system allows, the rest
// copied) in a work directory beside it (--work to choose another), removed at the end. In the
// copy it adds a convention of 1 000 events in its own Caf (long_convention.h) and 16 small
// conventions for the command load. Rows, one JSON object per line, are APPENDED to FILE:
//
//   getconv_inproc   GetConvention as of a date, 1 000-event convention, Engine in-process
//                    (p50/p99 µs, snapshot cache warm), against PostgreSQL (select + same fold)
//   getconv_cold     the same without the cache (a fresh engine per query), against PostgreSQL
//   getconv_grpc     the same over gRPC on loopback, against PostgreSQL
//   civil_year_one   civil-year report of one Caf (the one with most conventions), ms: on a new
//                    engine (cold: every convention of the Caf folded), then asked again
//   civil_year_all   civil-year report of every Caf of the first copy (×1: every Caf; ×K: the
//                    101 Caf whose ids have no ".k<k>"), ms, asked again on the same
//                    engine with nothing appended since (warm: the reports kept, the steady state
//                    of a server that answered them once)
//   civil_year_all_cold  the same, the first time on a new engine (cold: every convention of
//                    every Caf folded; what the first query after a start costs)
//   grpc_commands    commands/s, 16 client threads, against a raw echo on the same channel
//   grpc_queries     queries/s, 16 client threads, against the same echo
//   rss_grpc         peak RSS of the server process under that load, MiB
//
// --smoke (or CLAS_BENCH_SMOKE=1 in the environment): few iterations and one-second loads (the
// whole run in well under a minute at ×1).
// Without --pg the PostgreSQL baselines are left empty.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench_echo.grpc.pb.h"
#include "clas/v1/service.grpc.pb.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "ledger/event_store.h"
#include "server/auth.h"
#include "server/store_event_log.h"
#include "tools/bench/query/grpc_load.h"
#include "tools/bench/query/long_convention.h"
#include "tools/bench/query/measure.h"
#include "tools/bench/query/pg_baseline.h"

ABSL_FLAG(int32_t, scale, 1, "scale of the dataset (written in the rows)");
ABSL_FLAG(std::string, data, "", "ledger data directory of the dataset (read only; empty: none)");
ABSL_FLAG(std::string, pg, "", "libpq connection string of the PostgreSQL baseline (empty: none)");
ABSL_FLAG(std::string, rows, "", "file the rows are appended to, one JSON object per line");
ABSL_FLAG(bool, smoke, false, "short settings (CI)");
ABSL_FLAG(std::string, work, "", "work directory (default: beside --data, or in TMPDIR)");
ABSL_FLAG(int32_t, year, 2025, "civil year of the reports");
ABSL_FLAG(int32_t, events, 1000, "events of the long convention");
ABSL_FLAG(int32_t, threads, 16, "client threads of the gRPC load");
ABSL_FLAG(bool, keep_work, false, "keep the work directory (to profile on it)");
ABSL_FLAG(int32_t, profile_queries, 0,
          "only run this many warm in-process GetConvention queries, then stop (to profile; the "
          "long convention is reused when --data holds one, as --keep_work leaves it)");
ABSL_FLAG(int32_t, profile_civil_year, 0,
          "only run this many passes of the civil-year report of every Caf of the dataset on one "
          "engine (the first one cold), then stop (to profile)");
ABSL_FLAG(bool, serve_child, false, "internal: run as the server child");
ABSL_FLAG(std::string, tokens, "", "internal: token file of the server child");

namespace fs = std::filesystem;
using clas::AsOf;
using clas::bench::NowNanos;
using clas::bench::Samples;

namespace {

struct Row {
  std::string row, what, ours, baseline, ratio, goal;
  std::optional<bool> met;
};

std::string Json(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += absl::StrFormat("\\u%04x", c);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string RowJson(const Row& r, int scale) {
  return absl::StrCat("{\"row\": ", Json(r.row), ", \"what\": ", Json(r.what),
                      ", \"scale\": ", scale, ", \"ours\": ", Json(r.ours),
                      ", \"baseline\": ", Json(r.baseline), ", \"ratio\": ", Json(r.ratio),
                      ", \"goal\": ", Json(r.goal), ", \"met\": ",
                      r.met.has_value() ? (*r.met ? "true" : "false") : "null", "}");
}

std::string Ratio(double ours, double baseline) {
  if (baseline <= 0) return "";
  return absl::StrFormat("%.2f", ours / baseline);
}

int Fail(const absl::Status& status) {
  std::cerr << "clas-bench-query: " << status << "\n";
  return 3;
}

// Copies a ledger directory: immutable table files hard-linked when possible, the rest copied.
absl::Status CopyLedger(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directories(to, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("cannot create ", to.string()));
  for (const auto& entry : fs::recursive_directory_iterator(from)) {
    const fs::path target = to / fs::relative(entry.path(), from);
    if (entry.is_directory()) {
      fs::create_directories(target, ec);
      continue;
    }
    if (!entry.is_regular_file()) continue;
    if (entry.path().extension() == ".sst" || entry.path().extension() == ".blob") {
      fs::create_hard_link(entry.path(), target, ec);
      if (!ec) continue;
    }
    fs::copy_file(entry.path(), target, fs::copy_options::overwrite_existing, ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("cannot copy ", entry.path().string(), ": ", ec.message()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<clas::ledger::v1::EventBody>> Bodies(
    const clas::ledger::EventStore& store, const std::string& stream) {
  std::vector<clas::ledger::v1::EventBody> out;
  for (uint64_t from = 1;;) {
    auto page = store.ReadStream(stream, from, clas::ledger::Direction::kForward,
                                 clas::ledger::kReadEventsMax);
    if (!page.ok()) return page.status();
    for (auto& e : *page) out.push_back(std::move(e.body));
    if (page->size() < clas::ledger::kReadEventsMax) return out;
    from += page->size();
  }
}

// `count` effective dates spread over [first, last] (yyyymmdd), in a fixed shuffled order.
std::vector<int32_t> DatesBetween(int32_t first, int32_t last, int count) {
  const absl::CivilDay a(first / 10000, first / 100 % 100, first % 100),
      b(last / 10000, last / 100 % 100, last % 100);
  std::vector<int32_t> out;
  for (int i = 0; i < count; ++i) {
    const absl::CivilDay d = a + (b - a) * (i + 1) / count;
    out.push_back(static_cast<int32_t>(d.year() * 10000 + d.month() * 100 + d.day()));
  }
  std::shuffle(out.begin(), out.end(), std::mt19937(7));
  return out;
}

std::string Latency(Samples& s) {
  return absl::StrFormat("p50 %.0f µs, p99 %.0f µs", s.Micros(0.5), s.Micros(0.99));
}

struct Token {
  std::string clear, line;
};

absl::StatusOr<Token> MakeToken(const std::string& user, const std::string& role,
                                const std::string& cafs) {
  auto token = clas::server::GenerateToken();
  if (!token.ok()) return token.status();
  return Token{*token, absl::StrCat(clas::server::HashToken(*token), " ", user, " ", role, " ",
                                    cafs, "\n")};
}

// --profile_civil_year: the civil-year report of every Caf of the dataset, `passes` times on one
// engine, each pass timed (wall clock and CPU time of this thread).
int ProfileCivilYear(clas::server::StoreEventLog& log, int32_t year, int passes) {
  clas::Engine engine(&log);
  auto ids = engine.ListConventionIds("");
  if (!ids.ok()) return Fail(ids.status());
  std::set<std::string> cafs;
  for (const auto& [caf, id] : *ids) {
    if (!absl::StartsWith(caf, "caf-bench")) cafs.insert(caf);
  }
  std::cerr << absl::StrFormat("%d events, %d conventions, %d Cafs\n", log.HeadPosition(),
                               ids->size(), cafs.size());
  for (int pass = 0; pass < passes; ++pass) {
    const int64_t t0 = NowNanos(), c0 = clas::bench::ThreadCpuNanos();
    for (const std::string& caf : cafs) {
      auto r = engine.GetCivilYear(caf, year, AsOf{});
      if (!r.ok()) return Fail(r.status());
    }
    std::cerr << absl::StrFormat("pass %d: civil year %d of %d Cafs in %.1f ms (CPU %.1f ms)\n",
                                 pass + 1, year, cafs.size(), (NowNanos() - t0) / 1e6,
                                 (clas::bench::ThreadCpuNanos() - c0) / 1e6);
  }
  return 0;
}

// The warm queries of --profile_queries, apart so that a profiler can count them alone
// (valgrind --tool=callgrind --toggle-collect='*WarmQueries*'). Each query's thread CPU time is
// added to `cpu` and to the samples of its date.
[[gnu::noinline]] absl::Status WarmQueries(clas::Engine& engine,
                                           const clas::bench::LongConvention& lc,
                                           const std::vector<int32_t>& dates, int n,
                                           Samples& cpu, std::map<int32_t, Samples>& by_date) {
  for (int i = 0; i < n; ++i) {
    const int32_t d = dates[i % dates.size()];
    const int64_t c0 = clas::bench::ThreadCpuNanos();
    auto s = engine.GetConvention(lc.caf_id, lc.convention_id, AsOf{.effective_date = d});
    const int64_t spent = clas::bench::ThreadCpuNanos() - c0;
    if (!s.ok()) return s.status();
    cpu.Add(spent);
    by_date[d].Add(spent);
  }
  return absl::OkStatus();
}

// --profile_queries: the warm in-process GetConvention queries alone, on the long convention of
// the log (built when missing), after a warm-up over every date; their CPU time printed, overall
// and by date.
int ProfileQueries(clas::server::StoreEventLog& log, int n) {
  clas::Engine engine(&log);
  auto lc = clas::bench::FindLongConvention(engine);
  if (absl::IsNotFound(lc.status())) {
    lc = clas::bench::BuildLongConvention(engine, absl::GetFlag(FLAGS_events));
  }
  if (!lc.ok()) return Fail(lc.status());
  const std::vector<int32_t> dates = DatesBetween(lc->first_date, lc->last_date, 50);
  clas::Engine queried(&log);  // a new engine: its caches hold what the queries put there
  for (int32_t d : dates) {
    auto s = queried.GetConvention(lc->caf_id, lc->convention_id, AsOf{.effective_date = d});
    if (!s.ok()) return Fail(s.status());
  }
  Samples cpu;
  std::map<int32_t, Samples> by_date;
  if (absl::Status s = WarmQueries(queried, *lc, dates, n, cpu, by_date); !s.ok()) return Fail(s);
  std::cerr << absl::StrFormat("%d warm queries, %d events: CPU time %s\n", n, lc->events,
                               Latency(cpu));
  for (auto& [d, samples] : by_date) {
    std::cerr << absl::StrFormat("  as of %d: CPU p50 %.0f µs\n", d, samples.Micros(0.5));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "clas-bench-query --scale N --data DIR --pg CONNINFO --rows FILE [--smoke]: the read-path "
      "rows of the benchmark table");
  absl::ParseCommandLine(argc, argv);
  if (absl::GetFlag(FLAGS_serve_child)) {
    return clas::bench::ServeChild(absl::GetFlag(FLAGS_data), absl::GetFlag(FLAGS_tokens));
  }
  const char* smoke_env = std::getenv("CLAS_BENCH_SMOKE");  // as tools/bench.sh passes it
  const bool smoke = absl::GetFlag(FLAGS_smoke) ||
                     (smoke_env != nullptr && std::string(smoke_env) == "1");
  const int scale = absl::GetFlag(FLAGS_scale);
  const std::string data = absl::GetFlag(FLAGS_data);
  const std::string rows_file = absl::GetFlag(FLAGS_rows);
  const int threads = absl::GetFlag(FLAGS_threads);
  const int32_t year = absl::GetFlag(FLAGS_year);
  if (rows_file.empty()) return Fail(absl::InvalidArgumentError("--rows FILE is required"));
  if (!data.empty() && !fs::is_directory(data)) {
    return Fail(absl::NotFoundError(absl::StrCat("--data ", data, ": no such directory")));
  }
  const int inproc_queries = smoke ? 300 : 5000;
  const int cold_queries = smoke ? 20 : 300;
  const int grpc_queries = smoke ? 300 : 3000;
  const double load_seconds = smoke ? 1.0 : 5.0;

  // The work directory and the copy of the ledger.
  std::string work = absl::GetFlag(FLAGS_work);
  if (work.empty()) {
    const fs::path parent =
        data.empty() ? fs::temp_directory_path() : fs::absolute(data).lexically_normal().parent_path();
    std::string pattern = (parent / "clas-bench-query-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      return Fail(absl::UnavailableError(absl::StrCat("cannot create a directory in ", parent.string())));
    }
    work = pattern;
  } else {
    fs::create_directories(work);
  }
  // Removed on every way out (the server child stops when this program's end closes its pipe).
  // A directory given with --work keeps everything but what this program put there.
  struct WorkCleanup {
    std::vector<std::string> paths;
    bool keep;
    ~WorkCleanup() {
      std::error_code ec;
      for (const auto& p : paths) {
        if (!keep) fs::remove_all(p, ec);
      }
    }
  } cleanup{absl::GetFlag(FLAGS_work).empty()
                ? std::vector<std::string>{work}
                : std::vector<std::string>{(fs::path(work) / "ledger").string(),
                                           (fs::path(work) / "tokens").string()},
            absl::GetFlag(FLAGS_keep_work)};
  const std::string ledger_dir = (fs::path(work) / "ledger").string();
  const std::string tokens_file = (fs::path(work) / "tokens").string();
  if (fs::exists(ledger_dir)) fs::remove_all(ledger_dir);
  const int64_t copy_start = NowNanos();
  if (!data.empty()) {
    if (absl::Status s = CopyLedger(data, ledger_dir); !s.ok()) return Fail(s);
  }
  std::cerr << absl::StrFormat("work directory %s (copy of the ledger: %.1f s)\n", work,
                               (NowNanos() - copy_start) / 1e9);
  std::vector<Row> rows;

  // --- In-process: build the long convention, then query it. ---------------------------------
  clas::bench::LongConvention lc;
  std::vector<std::pair<std::string, std::string>> payable, dataset;
  std::vector<int32_t> dates;
  std::map<int32_t, clas::v1::ConventionState> answers;  // by effective date
  std::vector<clas::ledger::v1::EventBody> bodies;
  Samples inproc, inproc_cpu, cold;
  double civil_one_ms = 0, civil_one_warm_ms = 0, civil_all_ms = 0, civil_all_warm_ms = 0;
  std::string civil_caf;
  size_t cafs_reported = 0;
  {
    clas::ledger::Options options;
    options.path = ledger_dir;
    options.sync = false;  // the additions are redone on every run; synced once below
    auto store = clas::ledger::EventStore::Open(options);
    if (!store.ok()) return Fail(store.status());
    clas::server::StoreEventLog log(store->get());
    if (const int passes = absl::GetFlag(FLAGS_profile_civil_year); passes > 0) {
      return ProfileCivilYear(log, year, passes);
    }
    if (const int n = absl::GetFlag(FLAGS_profile_queries); n > 0) {
      return ProfileQueries(log, n);
    }
    {
      clas::Engine builder(&log);
      const int64_t start = NowNanos();
      auto built = clas::bench::BuildLongConvention(builder, absl::GetFlag(FLAGS_events));
      if (!built.ok()) return Fail(built.status());
      lc = *built;
      auto pay = clas::bench::BuildPayableConventions(builder, threads);
      if (!pay.ok()) return Fail(pay.status());
      payable = *pay;
      if (absl::Status s = (*store)->Sync(); !s.ok()) return Fail(s);
      std::cerr << absl::StrFormat("built %s/%s: %d events (%d to %d) in %.1f s\n", lc.caf_id,
                                   lc.convention_id, lc.events, lc.first_date, lc.last_date,
                                   (NowNanos() - start) / 1e9);
      auto ids = builder.ListConventionIds("");
      if (!ids.ok()) return Fail(ids.status());
      for (const auto& p : *ids) {
        if (!absl::StartsWith(p.first, "caf-bench")) dataset.push_back(p);
      }
    }
    dates = DatesBetween(lc.first_date, lc.last_date, 50);
    {
      clas::Engine engine(&log);
      for (int32_t d : dates) {  // warm-up, and the answers the baselines must give
        auto s = engine.GetConvention(lc.caf_id, lc.convention_id, AsOf{.effective_date = d});
        if (!s.ok()) return Fail(s.status());
        answers[d] = *s;
      }
      for (int i = 0; i < inproc_queries; ++i) {
        const AsOf as_of{.effective_date = dates[i % dates.size()]};
        const int64_t t0 = NowNanos(), c0 = clas::bench::ThreadCpuNanos();
        auto s = engine.GetConvention(lc.caf_id, lc.convention_id, as_of);
        inproc.Add(NowNanos() - t0);
        inproc_cpu.Add(clas::bench::ThreadCpuNanos() - c0);
        if (!s.ok()) return Fail(s.status());
      }
    }
    for (int i = 0; i < cold_queries; ++i) {
      clas::Engine engine(&log);
      const AsOf as_of{.effective_date = dates[i % dates.size()]};
      const int64_t t0 = NowNanos();
      auto s = engine.GetConvention(lc.caf_id, lc.convention_id, as_of);
      cold.Add(NowNanos() - t0);
      if (!s.ok()) return Fail(s.status());
    }
    std::cerr << "in-process GetConvention: warm " << Latency(inproc) << " (CPU time "
              << Latency(inproc_cpu) << "); cold "
              << Latency(cold) << "\n";

    // Civil-year reports: a fresh engine (nothing cached), then again warm.
    if (!dataset.empty()) {
      std::map<std::string, int> per_caf;
      // The Cafs of the first copy (the ×1 Cafs, ids without ".k<k>"): the "all 101"
      // asked of a log K times longer. Every Caf of ×100 (10 100, past the 4 096 reports the
      // engine keeps) would take a quarter of an hour a pass.
      for (const auto& [caf, id] : dataset) {
        if (!absl::StrContains(caf, ".k")) ++per_caf[caf];
      }
      civil_caf = per_caf.begin()->first;
      for (const auto& [caf, n] : per_caf) {
        if (n > per_caf[civil_caf]) civil_caf = caf;
      }
      {
        clas::Engine engine(&log);
        for (double* ms : {&civil_one_ms, &civil_one_warm_ms}) {
          const int64_t t0 = NowNanos();
          auto r = engine.GetCivilYear(civil_caf, year, AsOf{});
          *ms = (NowNanos() - t0) / 1e6;
          if (!r.ok()) return Fail(r.status());
        }
      }
      clas::Engine engine(&log);
      for (int pass = 0; pass < 2; ++pass) {
        const int64_t t0 = NowNanos();
        for (const auto& [caf, n] : per_caf) {
          auto r = engine.GetCivilYear(caf, year, AsOf{});
          if (!r.ok()) return Fail(r.status());
        }
        (pass == 0 ? civil_all_ms : civil_all_warm_ms) = (NowNanos() - t0) / 1e6;
      }
      cafs_reported = per_caf.size();
      std::cerr << absl::StrFormat(
          "civil year %d: %s in %.1f ms (asked again %.3f ms); %d Cafs cold in %.1f ms, warm in "
          "%.1f ms\n",
          year, civil_caf, civil_one_ms, civil_one_warm_ms, cafs_reported, civil_all_ms,
          civil_all_warm_ms);
    }
    for (const std::string& stream :
         {clas::BaremeStream(), clas::GestionnaireStream(lc.caf_id, lc.gestionnaire_id),
          clas::ConventionStream(lc.caf_id, lc.convention_id)}) {
      auto b = Bodies(**store, stream);
      if (!b.ok()) return Fail(b.status());
      bodies.insert(bodies.end(), b->begin(), b->end());
    }
  }

  // --- PostgreSQL: the same question from a table. ---------------------------------------------
  Samples pg;
  const std::string pg_conninfo = absl::GetFlag(FLAGS_pg);
  if (!pg_conninfo.empty()) {
    auto base = clas::bench::PgBaseline::Connect(pg_conninfo);
    if (!base.ok()) return Fail(base.status());
    if (absl::Status s = (*base)->Load(bodies); !s.ok()) return Fail(s);
    const std::string conv = clas::ConventionStream(lc.caf_id, lc.convention_id);
    const std::string gest = clas::GestionnaireStream(lc.caf_id, lc.gestionnaire_id);
    for (int32_t d : dates) {  // warm-up, and the check that it answers the same
      auto s = (*base)->GetConvention(conv, gest, AsOf{.effective_date = d});
      if (!s.ok()) return Fail(s.status());
      if (!google::protobuf::util::MessageDifferencer::Equals(*s, answers[d])) {
        return Fail(absl::InternalError(
            absl::StrCat("the PostgreSQL baseline answers otherwise than the engine as of ", d)));
      }
    }
    for (int i = 0; i < cold_queries * 3; ++i) {
      const AsOf as_of{.effective_date = dates[i % dates.size()]};
      const int64_t t0 = NowNanos();
      auto s = (*base)->GetConvention(conv, gest, as_of);
      pg.Add(NowNanos() - t0);
      if (!s.ok()) return Fail(s.status());
    }
    (*base)->Drop();
    std::cerr << "PostgreSQL GetConvention: " << Latency(pg) << "\n";
  }

  // --- gRPC: the server in a child process. ----------------------------------------------------
  std::string tokens;
  auto agent = MakeToken("bench-agent", "agent",
                         absl::StrJoin(
                             [&] {
                               std::vector<std::string> cafs{lc.caf_id};
                               for (const auto& p : payable) cafs.push_back(p.first);
                               return cafs;
                             }(),
                             ","));
  auto auditeur = MakeToken("bench-auditeur", "auditeur", "*");
  if (!agent.ok() || !auditeur.ok()) return Fail(absl::InternalError("cannot make tokens"));
  {
    std::ofstream out(tokens_file);
    out << agent->line << auditeur->line;
  }
  fs::permissions(tokens_file, fs::perms::owner_read | fs::perms::owner_write);
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return Fail(absl::InternalError("cannot find this program's path"));
  self[n] = 0;
  auto server = clas::bench::SpawnServer(self, ledger_dir, tokens_file);
  if (!server.ok()) return Fail(server.status());
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(4 << 20);
  auto channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", server->port),
                                           grpc::InsecureChannelCredentials(), args);
  auto queries = clas::v1::Queries::NewStub(channel);
  auto conventions = clas::v1::Conventions::NewStub(channel);
  auto echo = clas::benchecho::v1::Echo::NewStub(channel);
  const std::string read_auth = "Bearer " + auditeur->clear;
  const std::string write_auth = "Bearer " + agent->clear;
  auto get = [&](const std::string& caf, const std::string& id, int32_t date,
                 clas::v1::GetConventionResponse* response) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", read_auth);
    clas::v1::GetConventionRequest request;
    request.set_caf_id(caf);
    request.set_convention_id(id);
    request.mutable_as_of()->set_effective_date(date);
    return queries->GetConvention(&context, request, response);
  };
  Samples over_grpc;
  for (int32_t d : dates) {
    clas::v1::GetConventionResponse response;
    grpc::Status st = get(lc.caf_id, lc.convention_id, d, &response);
    if (!st.ok()) return Fail(absl::InternalError("GetConvention over gRPC: " + st.error_message()));
    if (!google::protobuf::util::MessageDifferencer::Equals(response.convention(), answers[d])) {
      return Fail(absl::InternalError(absl::StrCat("gRPC answers otherwise as of ", d)));
    }
  }
  for (int i = 0; i < grpc_queries; ++i) {
    clas::v1::GetConventionResponse response;
    const int64_t t0 = NowNanos();
    grpc::Status st = get(lc.caf_id, lc.convention_id, dates[i % dates.size()], &response);
    over_grpc.Add(NowNanos() - t0);
    if (!st.ok()) return Fail(absl::InternalError("GetConvention over gRPC: " + st.error_message()));
  }
  std::cerr << "gRPC GetConvention: " << Latency(over_grpc) << "\n";

  const std::string payload(64, 'x');
  const clas::bench::Rate echo_rate = clas::bench::RunLoad(threads, load_seconds, [&](int, int64_t) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", read_auth);  // same metadata as a query
    clas::benchecho::v1::EchoMessage request, response;
    request.set_payload(payload);
    grpc::Status st = echo->Echo(&context, request, &response);
    return st.ok() ? std::string() : st.error_message();
  });
  // Queries: the dataset's conventions (the long one when there is no dataset), as of dates
  // spread over their school years.
  std::vector<std::pair<std::string, std::string>> targets = dataset;
  if (targets.empty()) targets.push_back({lc.caf_id, lc.convention_id});
  const std::vector<int32_t> query_dates = DatesBetween(20210901, 20261127, 97);
  const clas::bench::Rate query_rate =
      clas::bench::RunLoad(threads, load_seconds, [&](int t, int64_t i) {
        const auto& [caf, id] = targets[(t * 7919 + i * 104729) % targets.size()];
        clas::v1::GetConventionResponse response;
        grpc::Status st = get(caf, id, query_dates[(t + i) % query_dates.size()], &response);
        // A convention not yet filed as of that date is an answer too.
        return st.ok() || st.error_code() == grpc::StatusCode::NOT_FOUND ? std::string()
                                                                         : st.error_message();
      });
  const clas::bench::Rate command_rate =
      clas::bench::RunLoad(threads, load_seconds, [&](int t, int64_t i) {
        const auto& [caf, id] = payable[t % payable.size()];
        grpc::ClientContext context;
        context.AddMetadata("authorization", write_auth);
        clas::v1::PayAcompteRequest request;
        request.set_request_id(absl::StrCat("bench-", t, "-", i));
        auto* cmd = request.mutable_command();
        cmd->set_caf_id(caf);
        cmd->set_convention_id(id);
        cmd->set_payment_id(absl::StrCat("b-", t, "-", i));
        cmd->set_school_year(2025);
        cmd->set_amount_cents(100);
        cmd->set_date(20251215);
        clas::v1::CommandResponse response;
        grpc::Status st = conventions->PayAcompte(&context, request, &response);
        return st.ok() ? std::string() : st.error_message();
      });
  const int64_t rss_kib = clas::bench::PeakRssKib(server->pid);
  const int child_exit = clas::bench::StopServer(*server);
  for (const auto* r : {&echo_rate, &query_rate, &command_rate}) {
    if (r->errors > 0) {
      std::cerr << "clas-bench-query: " << r->errors << " failed calls, the first: "
                << r->first_error << "\n";
      return 3;
    }
  }
  if (child_exit != 0) return Fail(absl::InternalError("the server child failed"));
  std::cerr << absl::StrFormat(
      "gRPC, %d threads: echo %.0f/s, queries %.0f/s, commands %.0f/s; server peak RSS %d MiB\n",
      threads, echo_rate.per_second(), query_rate.per_second(), command_rate.per_second(),
      rss_kib / 1024);

  // --- The rows. -------------------------------------------------------------------------------
  const std::string events_label = absl::StrFormat("%d-event convention", lc.events);
  const std::string pg_text = pg.size() ? "PostgreSQL " + Latency(pg) : "";
  rows.push_back(Row{
      .row = "getconv_inproc",
      .what = absl::StrCat("`GetConvention` as of a date, ", events_label, ", in-process"),
      .ours = absl::StrCat(Latency(inproc), " (CPU time of the query: ", Latency(inproc_cpu),
                           ")"),
      .baseline = pg_text,
      .ratio = pg.size() ? Ratio(inproc.Micros(0.99), pg.Micros(0.99)) + " (p99)" : "",
      .goal = "p99 < 1 ms",
      .met = inproc.Micros(0.99) < 1000});
  rows.push_back(Row{
      .row = "getconv_cold",
      .what = absl::StrCat("`GetConvention` as of a date, ", events_label,
                           ", in-process, no snapshot cache"),
      .ours = Latency(cold),
      .baseline = pg_text,
      .ratio = pg.size() ? Ratio(cold.Micros(0.99), pg.Micros(0.99)) + " (p99)" : "",
      .goal = "",
      .met = std::nullopt});
  rows.push_back(Row{
      .row = "getconv_grpc",
      .what = absl::StrCat("`GetConvention` as of a date, ", events_label, ", over gRPC"),
      .ours = Latency(over_grpc),
      .baseline = pg_text,
      .ratio = pg.size() ? Ratio(over_grpc.Micros(0.99), pg.Micros(0.99)) + " (p99)" : "",
      .goal = "p99 < 5 ms",
      .met = over_grpc.Micros(0.99) < 5000});
  if (cafs_reported > 0) {
    const std::string first_copy = scale > 1 ? " of the first copy" : "";
    rows.push_back(Row{
        .row = "civil_year_one",
        .what = absl::StrFormat("civil-year report for one Caf (%s, %d)", civil_caf, year),
        .ours = absl::StrFormat("cold %.1f ms (a new engine); asked again %.3f ms",
                                civil_one_ms, civil_one_warm_ms),
        .met = std::nullopt});
    rows.push_back(Row{
        .row = "civil_year_all",
        .what = absl::StrFormat("civil-year report for all %d Caf%s (%d), warm: asked again, "
                                "nothing appended since (reports kept)",
                                cafs_reported, first_copy, year),
        .ours = absl::StrFormat("%.2f ms", civil_all_warm_ms),
        .goal = "< 1 s",
        .met = civil_all_warm_ms < 1000});
    rows.push_back(Row{
        .row = "civil_year_all_cold",
        .what = absl::StrFormat("civil-year report for all %d Caf%s (%d), cold: the first pass "
                                "on a new engine (every convention of those Caf folded)",
                                cafs_reported, first_copy, year),
        .ours = absl::StrFormat("%.0f ms", civil_all_ms),
        .met = std::nullopt});
  }
  rows.push_back(Row{
      .row = "grpc_commands",
      .what = absl::StrFormat("gRPC: commands/s with %d client threads (PayAcompte, durable)",
                              threads),
      .ours = absl::StrFormat("%.0f /s", command_rate.per_second()),
      .baseline = absl::StrFormat("echo %.0f /s", echo_rate.per_second()),
      .ratio = Ratio(command_rate.per_second(), echo_rate.per_second())});
  rows.push_back(Row{
      .row = "grpc_queries",
      .what = absl::StrFormat("gRPC: queries/s with %d client threads (GetConvention as of a date)",
                              threads),
      .ours = absl::StrFormat("%.0f /s", query_rate.per_second()),
      .baseline = absl::StrFormat("echo %.0f /s", echo_rate.per_second()),
      .ratio = Ratio(query_rate.per_second(), echo_rate.per_second())});
  rows.push_back(Row{.row = "rss_grpc",
                     .what = "peak memory (RSS) of the server under gRPC load",
                     .ours = absl::StrFormat("%d MiB", (rss_kib + 1023) / 1024)});

  std::ofstream out(rows_file, std::ios::app);
  for (const Row& r : rows) out << RowJson(r, scale) << "\n";
  out.close();
  if (!out) return Fail(absl::UnavailableError(absl::StrCat("cannot write ", rows_file)));
  for (const Row& r : rows) std::cout << RowJson(r, scale) << "\n";
  return 0;
}
