// A real server on a free loopback port with demo tokens (as tests/server/server_fixture.h
// starts it), a convention driven through its engine, and clasctl's commands run in-process
// against it: what the clasctl tests talk to.
#ifndef CLAS_TESTS_TOOLS_CLASCTL_FIXTURE_H_
#define CLAS_TESTS_TOOLS_CLASCTL_FIXTURE_H_

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/call_log.h"
#include "server/demo_tokens.h"
#include "server/server_app.h"
#include "tools/clasctl/clasctl.h"

namespace clas::testing {

inline constexpr char kCaf[] = "caf-75";
inline constexpr char kOtherCaf[] = "caf-13";

constexpr int64_t Eur(int64_t euros) { return euros * 100; }
constexpr int64_t Cents(int64_t euros, int64_t cents) { return euros * 100 + cents; }

// PS = (base × 13 + 20) div 40: 30 769,22 € → 10 000,00 €; 27 692,30 € → 9 000,00 € (R-DROIT-3).
constexpr int64_t kChargesDp = Cents(30769, 22);
constexpr int64_t kChargesDr = Cents(27692, 30);

struct Ran {
  int code = -1;
  std::string out;
  std::string err;
};

class ClasctlTest : public ::testing::Test {
 public:
  void SetUp() override {
    server::CallLog::SetEnabled(false);
    // The process id: ctest runs tests of this fixture in parallel processes, in which the
    // fixture's address (and gtest's seed) can be the same, and one would remove the other's.
    dir_ = std::filesystem::path(::testing::TempDir()) /
           absl::StrCat("clasctl-", getpid(), "-", reinterpret_cast<uintptr_t>(this));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    config_.data_dir = (dir_ / "data").string();
    config_.tokens_file = (dir_ / "tokens").string();
    config_.listen = "127.0.0.1:0";
    ASSERT_TRUE(server::EnsureDemoTokens(config_.tokens_file, {kCaf, kOtherCaf}).ok());
    StartServer();
  }

  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  void StartServer() {
    auto started = server::LedgerServer::Start(config_);
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = std::move(*started);
  }
  void StopServer() { server_.reset(); }

  // clasctl with `args`, as a program would run it.
  static Ran Run(std::vector<std::string> args) {
    std::ostringstream out, err;
    Ran ran;
    ran.code = ctl::RunClasctl(std::move(args), out, err);
    ran.out = out.str();
    ran.err = err.str();
    return ran;
  }

  // clasctl with `args` against the test server, with the demo token of `user`.
  Ran RunAs(const std::string& user, std::vector<std::string> args) {
    for (const std::string& extra :
         {std::string("--server"), absl::StrCat("127.0.0.1:", server_->port()),
          std::string("--token-file"), config_.tokens_file + ".clear", std::string("--as"), user}) {
      args.push_back(extra);
    }
    return Run(std::move(args));
  }

  static std::string Agent() { return absl::StrCat("agent-", kCaf); }
  static std::string Controleur() { return absl::StrCat("controleur-", kCaf); }

  static ledger::v1::Actor ActorOf(const std::string& id, const std::string& role,
                                   const std::string& caf) {
    ledger::v1::Actor a;
    a.set_id(id);
    a.set_role(role);
    a.set_tenant_id(caf);
    return a;
  }
  ledger::v1::Actor AgentActor() const { return ActorOf(Agent(), "agent", kCaf); }

  std::string NextRequest() { return absl::StrCat("req-", ++requests_); }

  // Runs an engine command as the Caf's agent and checks it was accepted.
  template <typename Cmd, typename Method>
  void Do(const Cmd& cmd, Method method) {
    auto done = (server_->engine().*method)(cmd, AgentActor(), NextRequest());
    ASSERT_TRUE(done.ok()) << done.status();
  }

  // Barème, gestionnaire, request, agrément and convention of `convention` (3 collectifs,
  // school year 2026-2027, DP's PS 10 000,00 €).
  // `action_start` before the Toussaint holidays draws the R-ELIG-8 warning.
  // The Cnaf's barème of school year 2026 (R-DROIT-7), published once: what an agent's acts and
  // import files start after.
  void PublishBareme2026() {
    if (bareme_published_) return;
    v1::PublishBareme bareme;
    bareme.mutable_bareme()->set_school_year(2026);
    bareme.mutable_bareme()->set_plafond_cents(Eur(11000));
    bareme.mutable_bareme()->set_bonus_enfants_cents(Eur(1000));
    bareme.mutable_bareme()->set_bonus_parents_cents(Eur(1500));
    bareme.set_date(20260601);
    ASSERT_TRUE(server_->engine()
                    .PublishBareme(bareme, ActorOf("cnaf-bareme", "cnaf", ""), NextRequest())
                    .ok());
    bareme_published_ = true;
  }
  void Signed(const std::string& convention, const std::string& gestionnaire,
              int32_t action_start = 20261105);
  // RULES.md §7's worked example on conv-1: acompte 2 800,00 € on 15/10/2026, closing of 2026,
  // acompte 4 200,00 € on 01/02/2027, bilan (PS of DR 9 000,00 €), solde 2 000,00 € on
  // 05/11/2027.
  void WorkedExample();

  uint64_t Head() { return server_->store().Head().position; }

  std::filesystem::path dir_;
  server::ServerConfig config_;
  std::unique_ptr<server::LedgerServer> server_;
  int requests_ = 0;
  bool bareme_published_ = false;
};

inline void ClasctlTest::Signed(const std::string& convention, const std::string& gestionnaire,
                                int32_t action_start) {
  Engine& engine = server_->engine();
  PublishBareme2026();
  v1::RegisterGestionnaire g;
  g.set_caf_id(kCaf);
  g.set_gestionnaire_id(gestionnaire);
  g.set_name(absl::StrCat("Association ", gestionnaire));
  g.set_kind(v1::ASSOCIATION);
  g.set_date(20200101);
  Do(g, &Engine::RegisterGestionnaire);
  v1::FileFundingRequest file;
  file.set_caf_id(kCaf);
  file.set_date(20260601);
  auto* q = file.mutable_request();
  q->set_convention_id(convention);
  q->set_gestionnaire_id(gestionnaire);
  q->set_first_school_year(2026);
  q->set_school_years(1);
  for (int i = 0; i < 3; ++i) {
    auto* k = q->add_collectifs();
    k->set_collectif_id(absl::StrCat("C", i + 1));
    k->set_children(10);
    k->set_animateurs(2);
    k->set_sessions_per_week(2);
    k->set_session_minutes(90);
    k->set_weeks(30);
    k->add_levels(v1::ELEMENTAIRE);
    k->set_single_accessible_place(true);
  }
  q->mutable_axes()->set_children(true);
  q->mutable_axes()->set_parents(true);
  q->mutable_axes()->set_school(true);
  q->mutable_axes()->set_local_partners(true);
  q->set_family_participation_symbolic(true);
  q->set_action_start_date(action_start);
  q->set_action_end_date(20270630);
  q->set_charges_cents(kChargesDp);
  Do(file, &Engine::FileFundingRequest);
  v1::RecordCommitteeDecision agree;
  agree.set_caf_id(kCaf);
  agree.set_convention_id(convention);
  agree.set_date(20260701);
  agree.mutable_decision()->set_outcome(v1::VALIDATED);
  agree.mutable_decision()->set_mode(v1::POUR_VALIDATION);
  agree.mutable_decision()->set_first_school_year(2026);
  agree.mutable_decision()->set_last_school_year(2026);
  agree.mutable_decision()->set_agreed_collectifs(3);
  Do(agree, &Engine::RecordCommitteeDecision);
  v1::SignConvention sign;
  sign.set_caf_id(kCaf);
  sign.set_convention_id(convention);
  sign.set_first_school_year(2026);
  sign.set_last_school_year(2026);
  sign.set_date(20260715);
  Do(sign, &Engine::SignConvention);
}

inline void ClasctlTest::WorkedExample() {
  Signed("conv-1", "asso-1");
  const auto acompte = [&](const std::string& id, int64_t amount, int32_t date) {
    v1::PayAcompte a;
    a.set_caf_id(kCaf);
    a.set_convention_id("conv-1");
    a.set_payment_id(id);
    a.set_school_year(2026);
    a.set_amount_cents(amount);
    a.set_date(date);
    Do(a, &Engine::PayAcompte);
  };
  acompte("a1", Eur(2800), 20261015);
  v1::CloseCivilYear close;
  close.set_caf_id(kCaf);
  close.set_civil_year(2026);
  close.set_date(20261231);
  Do(close, &Engine::CloseCivilYear);
  acompte("a2", Eur(4200), 20270201);
  v1::ReceiveBilan bilan;
  bilan.set_caf_id(kCaf);
  bilan.set_convention_id("conv-1");
  bilan.set_school_year(2026);
  bilan.mutable_figures()->set_collectifs(3);
  bilan.mutable_figures()->set_charges_cents(kChargesDr);
  bilan.set_date(20270915);
  Do(bilan, &Engine::ReceiveBilan);
  v1::PaySolde solde;
  solde.set_caf_id(kCaf);
  solde.set_convention_id("conv-1");
  solde.set_payment_id("s1");
  solde.set_school_year(2026);
  solde.set_date(20271105);
  Do(solde, &Engine::PaySolde);
}

}  // namespace clas::testing

#endif  // CLAS_TESTS_TOOLS_CLASCTL_FIXTURE_H_
