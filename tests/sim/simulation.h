// Deterministic simulation of the rules (issue #7, part 4). One seed fixes one run: random
// clas.v1 commands over two Cafs, several gestionnaires, conventions and school and civil years,
// valid and invalid ones mixed (amounts one cent over a cap, zero or negative, dates out of the
// school year, in a closed civil year or not a day at all, acts out of order, payment ids used
// twice, duplicates of a request id with the same and with other content, appends with a wrong
// expected version, another Caf's ids, years closed twice or too early...), and late facts: a
// bilan corrected (CorrectEvent) before its solde (the DR the solde will use changes) and after it
// (R-PAY-9: DR' − DR is due at once, a complément de solde paid by a rappel or an indu notified
// and recovered), undated, dated before the solde or its last revision, in a closed civil year,
// without a reason, of another school year, of a correction, or on a year a contrôle settled
// (R-PAY-8: kept with a warning, no money); contrôles decided before the solde, even in civil
// year N (R-PAY-8: a solde or an acompte asked afterwards refused, a bilan received afterwards
// kept with a warning; the rappel and the recoveries not before 1 January N+1, R-ACC-9); a
// contrôle's findings corrected before its decision, which then uses them (R-CTL-1), or refused
// (another school year or contrôle, no figures R-CTL-1; once decided R-CTL-5).
//
// Each command goes through the Engine (projections/engine) over the real RocksDB EventStore
// (ledger/, through the server's StoreEventLog adapter), the same entry the server uses, and
// through the simulation's own model (sim_model.h). After every step every invariant is checked:
//   - the engine accepts iff the model does; a refusal names one of the rules the model expects;
//     an acceptance carries the warnings the model expects (R-PAY-8);
//   - a refusal writes nothing: the log's head position and hash are unchanged;
//   - a duplicate request id answers the first result and writes nothing; the same id with other
//     content is refused (R-HIST-1); an append with a wrong expected version is refused (kAborted)
//     and writes nothing;
//   - every convention touched: each school year's DP, DR, DC, acomptes by share, caps, solde,
//     rappels, indus notified / recovered / open, paid and paid net, what the solde settled and
//     the complément still due (R-PAY-9) equal the model's to the cent; money is conserved (paid
//     net + complément due = DR, as corrected, after the solde; paid net + rappel due = DC after
//     a contrôle); acomptes never above the cap they were paid under (R-PAY-2/3/6); every payment
//     shows the offsets withheld from it (R-CTL-3, R-ACC-9), and an offset withheld from a
//     payment of another convention of the gestionnaire is checked on that convention too;
//   - the command's answer, the engine's query and a fresh engine's fold from scratch agree;
//   - the hash chain verifies over the new events, and R-HIST-3's recompute of what they
//     computed (DP of an acompte, DR of a solde, DC of a decision) finds no difference;
//   - the civil year of every payment balances, and its payments equal the model's (R-ACC-10);
//   - every closed civil year's closing and report stay as they were when it was closed (R-ACC-8).
// At the end of a run: the whole hash chain verifies, every civil year balances, R-HIST-3's
// recompute over the whole log (closings included) finds no difference, and as-of queries (known
// at T, as of D) equal the states the steps saw (as of D only while no fact effective by D was
// recorded after: a correction dated back changes what D shows).
//
// Late facts too (simulation_late.cc): notifications dated back, into a closed civil year too
// (accepted with the warning R-ACC-8, regularised in the first open year on the pairs of accounts
// of the closing's lines, R-ACC-8), corrected (their number of collectifs) or cancelled; acomptes,
// rappels, recoveries and bilans cancelled, or refused (a movement of a closed year R-ACC-8, an
// acompte or a bilan a solde was computed from R-HIST-3, a payment bearing an offset R-CTL-3, a
// solde, a decision or a correction cancelled, a payment "corrected", a notification already
// cancelled corrected or cancelled again: R-HIST-1). After each fact
// that may regularise a closed year, and at the end, the lines of the closings (R-ACC-3/4), of
// their reversals (R-ACC-4), of their régularisations (R-ACC-8) and of the soldes (R-ACC-5, each
// part on its account and code, with the charge à payer the closings left open) equal the
// model's, and each civil year's envelope uses the DPs in force on its 31 December (R-ACC-7).
//
// Also refused, and drawn: a notification corrected or cancelled after its year's solde (R-CONV-5);
// an acompte, or a rappel paid before the decision, cancelled once a contrôle decided its year
// (R-HIST-3). Accepted with a warning: a bilan cancelled on a year a contrôle settled (R-PAY-8).
// A notification dated back, corrected or cancelled whose effect on a closing is regularised
// later than the year after it: the engagement is reversed already (R-ACC-4), the charge à payer
// alone is regularised, while no solde settled it. A payment recorded under the id of one
// cancelled before it: refused (R-HIST-1). A civil year closed with the one before it open:
// refused once the Caf's books hold anything before it (R-ACC-8).
// Not generated: corrections of requests and budgets, backdated payments; the
// property tests (tests/projections/property_test.cc) cover them.
//
// A violation is a sentence naming the seed, the step and the rule; Run() goes on and counts
// them. Replay one seed with `CLAS_SIM_SEED=<seed> ctest -R '^sim\.'` or `clas-sim --seed <seed>`.
//
// Thread-safety: none; one simulation per thread (each owns its data directory).
#ifndef CLAS_TESTS_SIM_SIMULATION_H_
#define CLAS_TESTS_SIM_SIMULATION_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ledger/event_store.h"
#include "projections/engine/engine.h"
#include "server/store_event_log.h"
#include "tests/projections/random_history.h"
#include "tests/sim/sim_model.h"

namespace clas::sim {

// What one run did.
struct SimSummary {
  uint32_t seed = 0;
  int64_t steps = 0;     // commands and probes sent
  int64_t accepted = 0;  // commands the engine accepted (replays excluded)
  int64_t refused = 0;   // commands the engine refused
  int64_t replays = 0;   // duplicates of a request id answered without writing
  int64_t events = 0;    // events in the log at the end
  int64_t checks = 0;    // invariant checks made
  int64_t violations_total = 0;
  std::vector<std::string> violations;  // the first kSimViolationsKeptMax

  void Add(const SimSummary& other);
};

// Limits of one run.
inline constexpr int32_t kSimStart = 20250601;
inline constexpr int32_t kSimEnd = 20310301;
inline constexpr int kSimCafs = 2;
inline constexpr int kSimGestionnairesMax = 3;
inline constexpr int kSimConventionsMax = 5;  // per Caf
inline constexpr int kSimStepsMax = 2000;
// Violations kept per run (the count goes on).
inline constexpr size_t kSimViolationsKeptMax = 20;

class Simulation {
 public:
  // REQUIRES: data_dir does not exist or is empty; it is removed by the destructor.
  Simulation(uint32_t seed, std::string data_dir);
  ~Simulation();

  // Runs the whole simulation. Never aborts on a violation: it is counted and described.
  SimSummary Run();

 private:
  struct Plan {
    std::string caf, id, gestionnaire;
    int32_t first = 0, last = 0, file_date = 0;
    int collectifs = 1;
    bool bonus_enfants = false, bonus_parents = false;
    int64_t charges = 0, autres_bf = 0;
    int payments = 0, controles = 0, recoveries = 0;
  };
  struct Sent {  // an accepted command, to send again under its request id
    std::string request_id;
    std::vector<std::string> event_ids;
    std::function<absl::StatusOr<CommandResult>(const std::string&)> same, other;
  };
  struct Snapshot {
    int64_t known_at_us = 0;
    int32_t date = 0;
    v1::ConventionState state;
    // False once a later step recorded a fact effective on or before `date` (a correction dated
    // back, or a later step of the same day): "as of date" no longer shows this state.
    bool as_of_date = true;
  };

  // Set-up and one step of the generator (simulation.cc).
  void SetUp();
  void Step();
  void ConventionStep(Plan& p);
  void YearStep(Plan& p, int32_t n);
  void MoneyStep(Plan& p, int32_t n);
  void SettledStep(Plan& p, int32_t n);
  void Recover(Plan& p, const ModelIndu& indu);
  void Rappel(Plan& p, int32_t n);
  void ControleStep(Plan& p, int32_t n);
  // Controlled figures of school year n drawn around what y holds (some refused by R-DROIT-*).
  v1::ControlledYear DrawControlledYear(const ModelYear& y, int32_t n);
  // The last findings of contrôle k corrected (R-CTL-1; refused once it is decided, R-CTL-5),
  // now and then with another school year, no figures or another contrôle's id.
  void CorrectFindings(Plan& p, const ModelControle& k, int32_t n);
  void CloseStep(const std::string& caf);
  // A renewal of a centre social's agrément délivré par la Caf (R-CONV-2), valid or not.
  void RenewAgrement(const std::string& caf);
  void ProbeReplay();
  void ProbeWrongExpectedVersion();
  void File(Plan& p);
  void Agree(Plan& p);
  void Sign(Plan& p);
  void Avenant(Plan& p);
  // Makes *cmd an offset against a payment to the gestionnaire (R-CTL-3), when there is one.
  void Offset(const Plan& p, const ModelIndu& indu, v1::RecordRecovery* cmd);
  void Acompte(Plan& p, int32_t n);
  void Solde(Plan& p, int32_t n);
  void Bilan(Plan& p, int32_t n);
  // A correction of the bilan of school year n, before or after its solde (R-HIST-1, R-PAY-9),
  // valid or not (simulation_corrections.cc).
  void CorrectBilan(Plan& p, int32_t n);
  // Late facts on school year n (simulation_late.cc): a notification dated back, corrected or
  // cancelled; an acompte, a rappel, a recovery or a bilan cancelled; corrections the rules refuse.
  void LateStep(Plan& p, int32_t n);
  // A notification of school year n, dated today or, when `backdated`, on an earlier day.
  void Notify(Plan& p, int32_t n, bool backdated);
  // The earliest day the generator dates a notification of school year n (see simulation_late.cc).
  int32_t EarliestNotification(const Plan& p, int32_t n);
  void CorrectNotification(Plan& p, int32_t n, bool cancel);
  void CancelPayment(Plan& p, int32_t n);
  void CancelRecovery(Plan& p, int32_t n);
  void CancelBilan(Plan& p, int32_t n);
  void CorrectionProbe(Plan& p, int32_t n);
  // Sends a cancellation of `event_id` (R-HIST-1), sometimes without a reason.
  void Cancel(Plan& p, const std::string& event_id, const std::string& what);
  // Tells the model the ids the ledger gave the events of a command it applied.
  void RegisterEvents(const std::string& caf, const std::string& convention,
                      const std::vector<DomainEvent>& events);
  // The room left today in the share of school year n (0 without a DP), as the model sees it.
  int64_t Room(Plan& p, int32_t n);

  // Sends one command to the model and the engine, and checks the answer (simulation.cc).
  template <typename Cmd>
  void Send(const std::string& what, const Cmd& cmd,
            absl::StatusOr<CommandResult> (Engine::*method)(const Cmd&, const ledger::v1::Actor&,
                                                            const std::string&),
            const std::string& convention);

  // The invariants (simulation_checks.cc).
  void Violation(const std::string& rule, const std::string& what);
  void CheckRefusal(const std::string& what, const Expectation& expected,
                    const absl::Status& status, const ledger::LogHead& before);
  // The warnings the model expects are on the events of the command accepted.
  void CheckWarnings(const std::string& what, const Expectation& expected,
                     const CommandResult& result);
  void CheckAccepted(const std::string& caf, const std::string& convention,
                     const CommandResult& result);
  void CheckConvention(const std::string& caf, const std::string& id,
                       const v1::ConventionState& state);
  void CheckCivilYear(const std::string& caf, int32_t year);
  // R-ACC-3, R-ACC-4, R-ACC-8: the lines of the closings, of their reversals and of their
  // régularisations equal the model's (simulation_books.cc).
  void CheckBooks(const std::string& caf);
  void CheckClosedYears(const std::string& caf);
  void CheckAtTheEnd();
  void CheckAsOf(const std::string& key, const std::vector<Snapshot>& snapshots);
  // Whether two states (or two answers' figures) are equal; a violation of R-HIST-2 otherwise.
  bool Same(const std::string& what, const google::protobuf::Message& want,
            const google::protobuf::Message& got);

  std::string NextRequest() { return "r" + std::to_string(++requests_); }
  ModelConvention* ModelOf(const Plan& p);
  std::string What(const std::string& text) const;

  const uint32_t seed_;
  const std::string dir_;
  testing::Dice dice_;
  const bool trace_;  // CLAS_SIM_TRACE: print every command and its answer
  std::unique_ptr<ledger::EventStore> store_;
  std::unique_ptr<server::StoreEventLog> log_;
  std::unique_ptr<Engine> engine_;
  ledger::v1::Actor actor_;
  Model model_;
  std::vector<std::string> cafs_;
  std::vector<Plan> plans_;
  std::vector<Sent> sent_;
  std::vector<std::string> applied_;  // the events of the last command the model applied
  std::map<std::string, std::vector<Snapshot>> snapshots_;                // by "caf/convention"
  std::map<std::string, std::map<int32_t, std::string>> closed_reports_;  // by Caf, civil year
  int32_t today_ = kSimStart;
  int64_t clock_us_ = 1'800'000'000'000'000;
  int requests_ = 0;
  int probes_ = 0;
  int32_t missing_bareme_ = 0;
  SimSummary summary_;
};

// Runs seeds [first, first + count) one after another, each in its own directory under
// `work_dir`, and adds up their summaries. `progress` (may be empty) sees each seed's summary.
SimSummary RunSeeds(uint32_t first, uint32_t count, const std::string& work_dir,
                    const std::function<void(const SimSummary&)>& progress = {});

// "seeds 100, steps 31 200, accepted 18 000, refused 9 000, replays 400, events 20 000,
// checks 1 200 000, violations: 0".
std::string FormatSummary(const SimSummary& s, int64_t seeds);

}  // namespace clas::sim

#endif  // CLAS_TESTS_SIM_SIMULATION_H_
