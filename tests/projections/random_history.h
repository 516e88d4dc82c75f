// Random valid histories of one Caf, for property tests. A history is fixed by its seed.
//
// It publishes random barèmes, registers 1 to 3 gestionnaires and files 1 to 3 conventions of 1 to
// 3 school years (several years only for a centre social or a gestionnaire supported for long,
// R-CONV-2), with 1 to 4 collectifs, random charges, other Branche Famille money and bonuses;
// sometimes a prolongation avenant, sometimes a corrected forecast budget. Each school year gets
// notifications, acomptes in both civil years (random amounts within the room, sometimes exactly
// the room), a bilan (sometimes corrected), a solde; some get a contrôle; every indu gets
// recoveries (repayments or offsets against payments to the same gestionnaire) and every rappel
// is paid. Civil years are closed at random. Now and then an acompte, a rappel or a recovery is
// cancelled. In one history in three, payments, recoveries and notifications are sometimes dated
// up to kBackdateDaysMax days before the day they are recorded.
//
// Commands run in the order of the days they are recorded, each decided from the state it
// finds, so that every command sent is one the rules accept. Probes are the exception: one cent
// over the room of an acompte (R-PAY-2 / R-PAY-3) or over the open amount of an indu (R-CTL-5),
// the cancellation of a payment an offset was withheld from (R-CTL-3): they must be refused and
// write nothing. The observer sees every step, probe and unexpected refusal.
//
// Thread-safety: none; one history per thread.
#ifndef CLAS_TESTS_PROJECTIONS_RANDOM_HISTORY_H_
#define CLAS_TESTS_PROJECTIONS_RANDOM_HISTORY_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "projections/rules/payments.h"
#include "tests/projections/agent.h"

namespace clas::testing {

// Random draws from a seeded generator (the same seed gives the same history).
class Dice {
 public:
  explicit Dice(uint32_t seed) : rng_(seed) {}
  int64_t Between(int64_t lo, int64_t hi) {  // inclusive
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }
  bool Chance(int percent) { return Between(1, 100) <= percent; }
  // A day in [from, to] (yyyymmdd, inclusive).
  int32_t DateBetween(int32_t from, int32_t to) {
    const absl::CivilDay a = *DayFromYmd(from), b = *DayFromYmd(to);
    return YmdFromDay(a + Between(0, b - a));
  }
  static int32_t Plus(int32_t date, int64_t days) { return YmdFromDay(*DayFromYmd(date) + days); }

 private:
  std::mt19937_64 rng_;
};

// One command accepted, as the observer sees it.
struct Step {
  std::string what;        // a sentence naming the command, its ids and its date
  std::string convention;  // the convention it changed ("" for a closing)
  CommandResult result;
};

// A command that had to be refused.
struct Probe {
  std::string what;
  absl::Status status;
  std::string rule;    // the rule the refusal must name
  bool wrote = false;  // the log grew
};

class HistoryObserver {
 public:
  virtual ~HistoryObserver() = default;
  virtual void AfterStep(const Step& step) = 0;
  virtual void AfterProbe(const Probe& probe) = 0;
  // A command the rules should have accepted was refused.
  virtual void Unexpected(const std::string& what, const absl::Status& status) = 0;
};

// Limits of the generator.
inline constexpr int kGestionnairesMax = 3;
inline constexpr int kConventionsMax = 3;
inline constexpr int kAcomptesPerShareMax = 3;
inline constexpr int32_t kFirstBaremeYear = 2025;
inline constexpr int32_t kLastBaremeYear = 2031;
inline constexpr int32_t kFirstClosedYear = 2026;
inline constexpr int32_t kLastClosedYear = 2032;
inline constexpr int32_t kBaremeDate = 20250101;
// In one history in three, some payments and recoveries are dated up to this many days before
// the day they are recorded.
inline constexpr int kBackdateDaysMax = 60;

class RandomHistory {
 public:
  explicit RandomHistory(uint32_t seed)
      : dice_(seed), agent_(absl::StrCat("caf-", seed)), backdating_(seed % 3 == 1) {}

  // REQUIRES: set before Run; outlives it.
  void set_observer(HistoryObserver* observer) { observer_ = observer; }

  Agent& agent() { return agent_; }
  std::vector<std::string> conventions() const {
    std::vector<std::string> out;
    for (const auto& [id, plan] : plans_) out.push_back(id);
    return out;
  }
  // The gestionnaire of each convention.
  std::string GestionnaireOf(const std::string& convention) const {
    return plans_.at(convention).gestionnaire;
  }

  void Run();

 private:
  struct Plan {
    std::string id, gestionnaire;
    int32_t first = 0, last = 0;
    int collectifs = 1, bonus_e_asked = 0, bonus_p_asked = 0;
    std::map<int32_t, std::set<int32_t>> notification_dates;  // by school year
    int payments = 0;
  };
  struct Payment {
    std::string convention, id;
    int64_t amount = 0, offset = 0;
    int32_t date = 0;
  };
  struct Recovery {
    std::string convention, id, event_id, gestionnaire, offset_payment, offset_convention;
    int64_t amount = 0;
    int32_t date = 0;
  };

  // Runs `run` on `date`; on one day, lower `order` first (closings last).
  void At(int32_t date, int order, std::function<void()> run) {
    queue_.emplace(std::make_tuple(date, order, ++sequence_), std::move(run));
  }

  // Plumbing (random_history.cc): each command accepted is shown to the observer; a refused one
  // is reported as unexpected.
  bool Accepted(const std::string& what, const std::string& convention,
                const absl::StatusOr<CommandResult>& result);
  void ExpectRefused(const std::string& what, const std::string& rule,
                     const std::function<absl::StatusOr<CommandResult>()>& command);
  // The date of a payment or recovery recorded today: today, or in a backdating history
  // sometimes a day in [earliest, today], within today's civil year (so that an acompte keeps its
  // share), never in a closed civil year, never one of `avoid`.
  int32_t DateFrom(int32_t earliest, const std::set<int32_t>& avoid = {});
  std::optional<v1::SchoolYearState> Year(const std::string& conv, int32_t n);
  // Final or controlled figures within what the rules accept (bonuses within the agrément).
  v1::Figures RandomFigures(const v1::SchoolYearState& y);

  // A convention's life up to its payments (random_history.cc).
  void SetUp();
  void File(const std::string& id);
  void Agree(const std::string& id);
  void Sign(const std::string& id);
  // The forecast budget of the convention corrected (R-HIST-1): the DP changes from the day the
  // convention was signed; acomptes paid keep their caps (R-PAY-6), closed years get a
  // régularisation (R-ACC-8).
  void CorrectBudget(const std::string& id, v1::ClasEvent fact, const std::string& target);
  void Avenant(const std::string& id);
  void ScheduleYear(const std::string& id, int32_t n);
  void Notify(const std::string& id, int32_t n);
  void Acompte(const std::string& id, int32_t n);
  void Close(int32_t y);

  // Money after the bilan, and cancellations (random_history_money.cc).
  absl::StatusOr<CommandResult> CancelEvent(const std::string& id, const std::string& target,
                                            const std::string& reason);
  // Cancels an acompte or a rappel paid by mistake: refused when an offset was withheld from it
  // (R-CTL-3); skipped when its civil year is closed (R-ACC-8) or a solde was computed from it.
  void Cancel(const std::string& id, int32_t n, const std::string& pid, const std::string& target,
              int32_t date, bool rappel);
  // Cancels a recovery recorded by mistake, unless its civil year is closed (R-ACC-8).
  void CancelRecovery(size_t index);
  absl::StatusOr<CommandResult> ReceiveBilan(const std::string& id, int32_t n,
                                             const v1::Figures& figures);
  void Bilan(const std::string& id, int32_t n);
  void Solde(const std::string& id, int32_t n);
  // R-PAY-9: the bilan corrected after its solde, dated today; a complément is then paid.
  void CorrectBilanAfterSolde(const std::string& id, int32_t n);

 public:
  // Every payment made (convention, payment id) with the offsets the generator withheld from it.
  void ForEachPayment(const std::function<void(const std::string&, const std::string&, int64_t)>&
                          visit) const {
    for (const auto& [g, payments] : payments_) {
      for (const Payment& p : payments) visit(p.convention, p.id, p.offset);
    }
  }

 private:
  void Controle(const std::string& id, int32_t n);
  void Decide(const std::string& id, int32_t n, const std::string& ctl);
  void PayRappel(const std::string& id, int32_t n);
  void ScheduleRecoveries(const std::string& id, const std::string& indu);
  Payment* FindPayment(const std::string& g, const std::string& conv, const std::string& pid);
  void Recover(const std::string& id, const std::string& indu_id);

  Dice dice_;
  Agent agent_;
  HistoryObserver* observer_ = nullptr;
  std::map<std::tuple<int32_t, int, uint64_t>, std::function<void()>> queue_;
  uint64_t sequence_ = 0;
  int32_t today_ = 0;
  std::map<std::string, Plan> plans_;
  std::map<std::string, std::vector<Payment>> payments_;  // by gestionnaire
  std::set<int32_t> closed_;
  int recoveries_ = 0;
  std::vector<Recovery> recoveries_made_;
  const bool backdating_;
};

}  // namespace clas::testing

#endif  // CLAS_TESTS_PROJECTIONS_RANDOM_HISTORY_H_
