// End-to-end, a convention's whole life and the server's: a centre social's three-year
// convention prolonged twice by avenant (five school years, R-CONV-2/3), with both acomptes at
// their caps and the solde every year, replayed event by event with the state after each
// (R-HIST-2); retries after a restart; agents racing for one acompte cap (R-PAY-2); then a
// shutdown in the middle of appends and commands from several clients, after which every
// acknowledged event is in the log where it was acknowledged, nothing is half written, and the
// chain verifies.
//
// Barèmes (illustrative): plafond 7 000,00 € (2026), 7 200,00 € (2027), 7 400,00 € (2028),
// 7 886,15 € (2029), 8 000,00 € (2030). Two collectifs, forecast and final charges 20 000,00 €:
// base = plafond × 2, PS = (base × 13 + 20) div 40 = 4 550,00, 4 680,00, 4 810,00, 5 126,00 and
// 5 200,00 €. Acomptes at 28 % and 42 % of PS (floor), solde = PS − acomptes (R-PAY-2/3/5).
#include <atomic>
#include <latch>
#include <map>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/engine/request_key.h"
#include "tests/server/e2e_support.h"
#include "tests/server/grpc_desk.h"

namespace clas::testing {
namespace {

using ::testing::AnyOf;

class Lifecycle : public ServerTest {
 protected:
  void SetUp() override { ServerTest::SetUp(); }
};

struct Year {
  int32_t n;
  int64_t plafond;
  int64_t ps;
};
constexpr Year kYears[] = {{2026, Eur(7000), Eur(4550)},
                           {2027, Eur(7200), Eur(4680)},
                           {2028, Eur(7400), Eur(4810)},
                           {2029, Cents(7886, 15), Eur(5126)},
                           {2030, Eur(8000), Eur(5200)}};

TEST_F(Lifecycle, FiveSchoolYearsReplayedEventByEvent) {
  GrpcDesk desk(this, kCafA);
  for (const Year& y : kYears) {
    ASSERT_TRUE(desk.Bareme(y.n, y.plafond, Eur(1000), Eur(1500)).status.ok());
  }
  ASSERT_TRUE(desk.Register("cs-1", v1::CENTRE_SOCIAL).status.ok());
  Reply signed_ = desk.Convention("conv-cs", "cs-1", 2026, 2, Eur(20000), 3);
  ASSERT_TRUE(signed_.status.ok()) << signed_.status.error_message();
  std::vector<std::string> types = {"funding_request_filed", "committee_decision_recorded",
                                    "convention_signed"};
  auto ok = [&](const Reply& r, std::vector<std::string> recorded) {
    EXPECT_TRUE(r.status.ok()) << r.status.error_message();
    types.insert(types.end(), recorded.begin(), recorded.end());
  };
  // Civil year by civil year, each command dated after the one before it.
  for (int32_t civil = 2026; civil <= 2031; ++civil) {
    const int32_t last = civil - 1;  // the school year whose N+1 share falls in `civil`
    const int64_t ps_last = last >= 2026 ? kYears[last - 2026].ps : 0;
    if (last >= 2026) {
      ok(desk.Acompte("conv-cs", absl::StrCat("a", last, "-2"), last, ps_last * 42 / 100,
                      civil * 10000 + 201),
         {"acompte_paid"});
    }
    if (civil == 2029 || civil == 2030) {
      ok(desk.Avenant("conv-cs", absl::StrCat("av-", civil), civil, civil * 10000 + 615),
         {"avenant_signed", "committee_decision_recorded"});
    }
    if (last >= 2026) {
      ok(desk.Bilan("conv-cs", last, 2, Eur(20000), civil * 10000 + 920), {"bilan_received"});
      Reply solde = desk.Solde("conv-cs", absl::StrCat("s", last), last, civil * 10000 + 1015);
      ok(solde, {"solde_paid"});
      EXPECT_EQ(solde.response.events(0).fact().solde_paid().amount_cents(),
                ps_last - ps_last * 28 / 100 - ps_last * 42 / 100)
          << last;
    }
    if (civil <= 2030) {
      const int64_t ps = kYears[civil - 2026].ps;
      ok(desk.Acompte("conv-cs", absl::StrCat("a", civil, "-1"), civil, ps * 28 / 100,
                      civil * 10000 + 1015),
         {"acompte_paid"});
    }
  }
  ASSERT_EQ(types.size(), 27u);

  v1::ReplayHistoryRequest replay;
  replay.set_caf_id(kCafA);
  replay.set_convention_id("conv-cs");
  auto context = As("auditeur");
  auto reader = audit()->ReplayHistory(context.get(), replay);
  std::vector<v1::ReplayHistoryItem> items;
  for (v1::ReplayHistoryItem item; reader->Read(&item);) items.push_back(item);
  ASSERT_TRUE(reader->Finish().ok());
  ASSERT_EQ(items.size(), types.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& e = items[i].event();
    const auto& after = items[i].state_after();
    EXPECT_EQ(e.event_type(), types[i]) << i;
    EXPECT_EQ(e.stream_version(), i + 1);
    EXPECT_EQ(after.last_position(), e.position()) << i;
    EXPECT_EQ(after.events_size(), 0) << "the replay's items are the timeline";
    if (i > 0) {
      EXPECT_GT(e.position(), items[i - 1].event().position());
    }
    if (e.event_type() == "avenant_signed") {
      EXPECT_EQ(after.last_school_year(), e.fact().avenant_signed().school_year()) << i;
    }
  }
  const v1::ConventionState& last = items.back().state_after();
  EXPECT_EQ(last.status(), v1::SOLDEE);
  EXPECT_EQ(last.first_school_year(), 2026);
  EXPECT_EQ(last.last_school_year(), 2030);
  ASSERT_EQ(last.years_size(), 5);
  for (int i = 0; i < 5; ++i) {
    const auto& y = last.years(i);
    EXPECT_EQ(y.school_year(), kYears[i].n);
    EXPECT_EQ(y.dp().inputs().bareme().school_year(), kYears[i].n);  // R-DROIT-1
    EXPECT_EQ(y.dr().ps_cents(), kYears[i].ps);
    EXPECT_TRUE(y.solde_paid());
    EXPECT_EQ(y.paid_cents(), kYears[i].ps) << kYears[i].n;  // acomptes + solde = DR
  }
  auto now = GetConvention(*this, Agent(kCafA), kCafA, "conv-cs");
  ASSERT_TRUE(now.status.ok());
  EXPECT_TRUE(SameState(last, WithoutTimeline(now.response.convention())));
  // R-CONV-5: the day before the first avenant, the convention ended with 2028-2029.
  v1::AsOfSpec before;
  before.set_effective_date(20290614);
  auto then = GetConvention(*this, Agent(kCafA), kCafA, "conv-cs", before);
  ASSERT_TRUE(then.status.ok());
  EXPECT_EQ(then.response.convention().last_school_year(), 2028);
}

// A retry after a restart answers as the first call did and writes nothing (idempotency is
// kept in the log, not in the server's memory).
TEST_F(Lifecycle, RetriesAfterARestartReplayTheFirstAnswer) {
  GrpcDesk desk(this, kCafA);
  ASSERT_TRUE(desk.Bareme(2026, Eur(7000), Eur(1000), Eur(1500)).status.ok());
  ASSERT_TRUE(desk.Register("cs-1", v1::CENTRE_SOCIAL).status.ok());
  ASSERT_TRUE(desk.Bareme(2027, Eur(7200), Eur(1000), Eur(1500)).status.ok());
  ASSERT_TRUE(desk.Convention("conv-cs", "cs-1", 2026, 2, Eur(20000)).status.ok());
  const auto acompte = desk.AcompteRequest("conv-cs", "a1", 2026, Eur(1000), 20261015);
  Reply paid = desk.Send(Agent(kCafA), acompte, &v1::Conventions::Stub::PayAcompte);
  ASSERT_TRUE(paid.status.ok());
  v1::SignAvenantRequest avenant;
  avenant.set_request_id("avenant-1");
  avenant.mutable_command()->set_caf_id(kCafA);
  avenant.mutable_command()->set_convention_id("conv-cs");
  avenant.mutable_command()->set_avenant_id("av-1");
  avenant.mutable_command()->set_kind(v1::PROLONGATION_IDENTIQUE);
  avenant.mutable_command()->set_school_year(2027);
  avenant.mutable_command()->set_date(20270615);
  Reply signed_ = desk.Send(Agent(kCafA), avenant, &v1::Conventions::Stub::SignAvenant);
  ASSERT_TRUE(signed_.status.ok());
  auto appended = AppendExt(*this, "service-demo", "ext/service-demo/notes", {"n-1", "n-2"});
  ASSERT_TRUE(appended.status.ok());

  Restart();
  const uint64_t head = HeadOf(*this);
  auto same_answer = [](const Reply& first, const Reply& again) {
    ASSERT_TRUE(again.status.ok()) << again.status.error_message();
    EXPECT_TRUE(again.response.replayed());
    ASSERT_EQ(again.response.events_size(), first.response.events_size());
    for (int i = 0; i < again.response.events_size(); ++i) {
      EXPECT_EQ(again.response.events(i).position(), first.response.events(i).position());
      EXPECT_EQ(again.response.events(i).hash(), first.response.events(i).hash());
      EXPECT_FALSE(again.response.events(i).hash().empty());
    }
  };
  same_answer(paid, desk.Send(Agent(kCafA), acompte, &v1::Conventions::Stub::PayAcompte));
  same_answer(signed_, desk.Send(Agent(kCafA), avenant, &v1::Conventions::Stub::SignAvenant));
  EXPECT_EQ(signed_.response.events_size(), 2);
  auto retried = AppendExt(*this, "service-demo", "ext/service-demo/notes", {"n-1", "n-2"});
  ASSERT_TRUE(retried.status.ok());
  EXPECT_TRUE(retried.response.duplicate());
  EXPECT_EQ(retried.response.last_position(), appended.response.last_position());
  // The same request id with other content is another command: refused, naming R-HIST-1.
  auto changed = acompte;
  changed.mutable_command()->set_amount_cents(Eur(999));
  Reply reused = desk.Send(Agent(kCafA), changed, &v1::Conventions::Stub::PayAcompte);
  EXPECT_EQ(reused.status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(HeadOf(*this), head);
}

// R-PAY-2 under concurrency: eight agents pay 200,00 € at once against a cap of 1 274,00 €;
// exactly six are paid, the two others are refused naming the rule.
TEST_F(Lifecycle, ConcurrentAcomptesNeverExceedTheCap) {
  GrpcDesk desk(this, kCafA);
  ASSERT_TRUE(desk.Bareme(2026, Eur(7000), Eur(1000), Eur(1500)).status.ok());
  ASSERT_TRUE(desk.Register("asso-5", v1::ASSOCIATION).status.ok());
  ASSERT_TRUE(desk.Convention("conv-a", "asso-5", 2026, 2, Eur(14000)).status.ok());
  constexpr int kAgents = 8;
  std::vector<v1::PayAcompteRequest> requests;
  for (int i = 0; i < kAgents; ++i) {
    requests.push_back(
        desk.AcompteRequest("conv-a", absl::StrCat("c", i), 2026, Eur(200), 20261102));
  }
  std::vector<grpc::Status> statuses(kAgents);
  std::latch start(kAgents);
  std::vector<std::thread> agents;
  for (int i = 0; i < kAgents; ++i) {
    agents.emplace_back([&, i] {
      auto stub = conventions();
      auto context = As(Agent(kCafA));
      v1::CommandResponse response;
      start.arrive_and_wait();
      statuses[i] = stub->PayAcompte(context.get(), requests[i], &response);
    });
  }
  for (auto& t : agents) t.join();
  int paid = 0;
  for (const grpc::Status& s : statuses) {
    if (s.ok()) {
      ++paid;
      continue;
    }
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
    EXPECT_THAT(RuleIds(s), ::testing::Contains("R-PAY-2"));
  }
  EXPECT_EQ(paid, 6);
  auto state = GetConvention(*this, Agent(kCafA), kCafA, "conv-a");
  ASSERT_TRUE(state.status.ok());
  EXPECT_EQ(state.response.convention().years(0).acomptes_n_cents(), Eur(1200));
  EXPECT_EQ(state.response.convention().years(0).acomptes_size(), 6);
}

// What one client thread sent, and what the server answered.
struct Sent {
  std::vector<std::string> event_ids;  // of one call (all or none may be written)
  grpc::Status status;
  std::vector<uint64_t> positions;  // when acknowledged
  std::vector<std::string> hashes;
  bool after_shutdown_began = false;
};

class Load {
 public:
  void Record(int thread, Sent sent) {
    absl::MutexLock lock(&mu_);
    if (sent.status.ok()) ++acknowledged_[thread];
    if (!sent.status.ok()) failed_ = true;
    sent_.push_back(std::move(sent));
  }
  // Blocks until every thread had kAcknowledgedBeforeShutdown calls acknowledged, or one call
  // failed.
  void AwaitAcknowledged() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](Load* l) ABSL_EXCLUSIVE_LOCKS_REQUIRED(l->mu_) {
          if (l->failed_) return true;
          for (int t = 0; t < kThreads; ++t) {
            if (l->acknowledged_[t] < kAcknowledgedBeforeShutdown) return false;
          }
          return true;
        },
        this));
  }
  std::vector<Sent> sent() {
    absl::MutexLock lock(&mu_);
    return sent_;
  }
  static constexpr int kThreads = 4;
  static constexpr int kAcknowledgedBeforeShutdown = 10;
  std::atomic<bool> shutdown_began{false};

 private:
  absl::Mutex mu_;
  int acknowledged_[kThreads] ABSL_GUARDED_BY(mu_) = {};
  bool failed_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Sent> sent_ ABSL_GUARDED_BY(mu_);
};

TEST_F(Lifecycle, ShutdownUnderLoadLosesNoAcknowledgedEvent) {
  GrpcDesk a(this, kCafA), b(this, kCafB);
  ASSERT_TRUE(a.Bareme(2026, Eur(7000), Eur(1000), Eur(1500)).status.ok());
  for (GrpcDesk* desk : {&a, &b}) {
    const std::string n = desk->caf().substr(4);
    ASSERT_TRUE(desk->Register("asso-" + n, v1::ASSOCIATION).status.ok());
    ASSERT_TRUE(desk->Convention("conv-" + n, "asso-" + n, 2026, 2, Eur(14000)).status.ok());
  }
  Load load;
  const std::shared_ptr<grpc::Channel> channel = channel_;  // the server being shut down
  // Threads 0 and 1 append pairs of events as a service; 2 and 3 pay acomptes of one cent.
  auto client = [&](int thread) {
    auto ledger_stub = v1::Ledger::NewStub(channel);
    auto conventions_stub = v1::Conventions::NewStub(channel);
    GrpcDesk& desk = thread == 2 ? a : b;
    const std::string conv = "conv-" + desk.caf().substr(4);
    const std::string user = thread < 2 ? "service-demo" : Agent(desk.caf());
    const std::string token = Token(user);
    for (int i = 0; i < 10'000; ++i) {
      grpc::ClientContext context;
      context.AddMetadata("authorization", "Bearer " + token);
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
      Sent sent;
      if (thread < 2) {
        v1::AppendRequest r;
        r.set_stream_id(absl::StrCat("ext/service-demo/load-", thread));
        for (const char* half : {"a", "b"}) {
          auto* e = r.add_events();
          e->set_event_id(absl::StrCat("load-", thread, "-", i, half));
          e->set_event_type("load");
          e->set_payload(absl::StrCat(thread, ":", i));
          sent.event_ids.push_back(e->event_id());
        }
        v1::AppendResponse response;
        sent.status = ledger_stub->Append(&context, r, &response);
        for (uint64_t p = response.first_position();
             sent.status.ok() && p <= response.last_position(); ++p) {
          sent.positions.push_back(p);
        }
        if (sent.status.ok()) sent.hashes.push_back(response.last_hash());
      } else {
        v1::PayAcompteRequest r =
            desk.AcompteRequest(conv, absl::StrCat("p", thread, "-", i), 2026, 1, 20261102);
        r.set_request_id(absl::StrCat("load-", thread, "-", i));
        sent.event_ids.push_back(RequestEventId(desk.caf(), r.request_id(), 0));
        v1::CommandResponse response;
        sent.status = conventions_stub->PayAcompte(&context, r, &response);
        for (const auto& e : response.events()) {
          sent.positions.push_back(e.position());
          sent.hashes.push_back(e.hash());
        }
      }
      sent.after_shutdown_began = load.shutdown_began.load();
      const bool failed = !sent.status.ok();
      load.Record(thread, std::move(sent));
      if (failed) return;
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < Load::kThreads; ++t) threads.emplace_back(client, t);
  load.AwaitAcknowledged();
  load.shutdown_began = true;
  server_->Shutdown(absl::Seconds(5));
  for (auto& t : threads) t.join();
  Restart();

  const ledger::EventStore& store = server_->store();
  int acknowledged = 0;
  std::map<std::string, int> acomptes_present;  // by Caf
  for (const Sent& sent : load.sent()) {
    if (!sent.status.ok()) {
      EXPECT_TRUE(sent.after_shutdown_began) << sent.status.error_message();
      EXPECT_THAT(sent.status.error_code(),
                  AnyOf(grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::CANCELLED))
          << sent.status.error_message();
    }
    int present = 0;
    for (size_t i = 0; i < sent.event_ids.size(); ++i) {
      auto found = store.FindByEventId(sent.event_ids[i]);
      if (!found.ok()) {
        EXPECT_TRUE(absl::IsNotFound(found.status())) << found.status();
        continue;
      }
      ++present;
      if (found->data().event_type() == "acompte_paid")
        ++acomptes_present[found->data().tenant_id()];
      if (sent.status.ok()) {
        EXPECT_EQ(found->position(), sent.positions[i]) << sent.event_ids[i];
      }
    }
    if (sent.status.ok()) {
      ++acknowledged;
      EXPECT_EQ(present, static_cast<int>(sent.event_ids.size())) << sent.event_ids[0];
      auto last = store.Read(sent.positions.back());
      ASSERT_TRUE(last.ok());
      EXPECT_EQ(last->hash, sent.hashes.back());
    } else {
      // Unacknowledged: the whole call or nothing of it.
      EXPECT_TRUE(present == 0 || present == static_cast<int>(sent.event_ids.size()))
          << sent.event_ids[0];
    }
  }
  EXPECT_GE(acknowledged, Load::kThreads * Load::kAcknowledgedBeforeShutdown);

  v1::VerifyChainResponse verified;
  ASSERT_TRUE(audit()->VerifyChain(As("auditeur").get(), {}, &verified).ok());
  EXPECT_TRUE(verified.ok()) << verified.problem();
  EXPECT_EQ(verified.events_checked(), HeadOf(*this));
  EXPECT_EQ(ReadWholeLog(*this, "auditeur").size(), HeadOf(*this));
  // Each convention's state holds exactly the acomptes the log holds, and the server goes on.
  for (GrpcDesk* desk : {&a, &b}) {
    const std::string n = desk->caf().substr(4);
    auto state = GetConvention(*this, Agent(desk->caf()), desk->caf(), "conv-" + n);
    ASSERT_TRUE(state.status.ok()) << state.status.error_message();
    const auto& y = state.response.convention().years(0);
    EXPECT_EQ(y.acomptes_size(), acomptes_present[desk->caf()]);
    EXPECT_EQ(y.acomptes_n_cents(), y.acomptes_size());  // one cent each
    EXPECT_TRUE(desk->Acompte("conv-" + n, "after", 2026, Eur(1), 20261103).status.ok());
  }
}

}  // namespace
}  // namespace clas::testing
