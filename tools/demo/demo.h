// A realistic, reproducible demo dataset of the Clas funding, written through the engine with the
// same validated commands a Caf would give: the Cnaf's barèmes, gestionnaires of every kind,
// funding requests (some refused by the comité), annual and multi-year conventions, prolongation
// avenants, notifications, acomptes at and under their caps, bilans (some late), soldes (in N+1
// or two civil years later), the closing of every civil year by every Caf, contrôles ending in
// indus (recovered by repayment and offset) or rappels, and a few corrections (R-HIST-1).
//
// The data follow RULES.md's public orders of size (§5): 101 Caf, about 3 700 actions a school
// year, a PS of at most about 2 563 € per collectif, several collectifs per action. Every figure
// is drawn from a seeded generator: the same options give the same commands, byte for byte.
//
// Every command carries a request id derived from the seed, so running the demo again on the same
// log writes nothing (every command replays). A few commands are sent on purpose to be refused
// (an acompte one cent over its cap, a solde without bilan, ...): each must be refused naming its
// expected rule id; they are counted apart and are not failures.
//
// Nothing is dated after options.today. Commands are given in date order, so that each
// convention's stream has non-decreasing effective dates and each Caf closes a civil year after
// every payment dated in it and before any solde of its school year.
//
// Thread-safety: GenerateDemo gives its commands one after the other from the calling thread; the
// engine may serve other callers meanwhile (they would see the demo's data appear).
#ifndef CLAS_TOOLS_DEMO_DEMO_H_
#define CLAS_TOOLS_DEMO_DEMO_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "projections/engine/engine.h"

namespace clas {

struct DemoOptions {
  uint64_t seed = 1;
  // Cafs taken in the order of their département numbers (1 to 101).
  int cafs = 101;
  // National total of actions funded per school year, spread over the Cafs by population.
  int actions_per_school_year = 3700;
  int first_school_year = 2021;
  int last_school_year = 2026;
  // Nothing is dated after this day (yyyymmdd); what would follow is left to the future.
  int32_t today = 20261127;
  // Called regularly with the commands given so far and the total to give; may be empty.
  std::function<void(int64_t done, int64_t total)> progress;
};

// What happened to the commands of one kind (by command message name, e.g. "PayAcompte").
struct DemoCommandCounts {
  int64_t sent = 0;
  int64_t accepted = 0;             // recorded now
  int64_t replayed = 0;             // request id already executed: nothing written
  int64_t events_written = 0;
  int64_t refused_as_intended = 0;  // sent to be refused, refused naming the expected rule
  int64_t unexpected = 0;           // refused when it should pass, or passed when it should not
};

// The shape of the data the demo describes (planned commands up to options.today).
struct DemoShape {
  int64_t cafs = 0;
  int64_t gestionnaires = 0;
  int64_t conventions = 0;           // signed (or to be signed) conventions
  int64_t refused_requests = 0;      // funding requests the comité refused
  int64_t avenants = 0;
  int64_t controles = 0;
  // Per school year: actions funded, and the sum of their DP (droit prévisionnel), in cents.
  std::map<int32_t, int64_t> actions_by_school_year;
  std::map<int32_t, int64_t> dp_cents_by_school_year;
};

struct DemoReport {
  int64_t commands = 0;             // commands given to the engine
  int64_t accepted = 0;
  int64_t replayed = 0;
  int64_t events_written = 0;
  int64_t refused_as_intended = 0;
  int64_t unexpected = 0;           // must be 0
  std::map<std::string, DemoCommandCounts> by_command;
  // Refusals as intended, by the rule id they name (e.g. "R-PAY-2").
  std::map<std::string, int64_t> refused_by_rule;
  // The first unexpected outcomes, as "<request id>: <status>" (at most kDemoSamplesMax).
  std::vector<std::string> unexpected_samples;
  DemoShape shape;
};

inline constexpr size_t kDemoSamplesMax = 20;

// Generates the demo through `engine`. Returns the report once every command was given, even when
// some outcome was unexpected (see report.unexpected and its samples). Errors:
// kInvalidArgument when the options are out of range (cafs not in 1..101, actions below 1, school
// years not in order or outside 2000..2090, today not a real day).
absl::StatusOr<DemoReport> GenerateDemo(Engine& engine, const DemoOptions& options);

// The report as text, one line per figure, for a command-line tool or a log.
std::string FormatDemoReport(const DemoReport& report);

}  // namespace clas

#endif  // CLAS_TOOLS_DEMO_DEMO_H_
