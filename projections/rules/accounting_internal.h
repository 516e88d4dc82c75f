// Helpers shared by the accounting files (accounting.cc, accounting_adjustment.cc,
// accounting_report.cc). Not a public API: include only from those files.
//
// Thread-safety: value types and pure functions.
#ifndef CLAS_PROJECTIONS_RULES_ACCOUNTING_INTERNAL_H_
#define CLAS_PROJECTIONS_RULES_ACCOUNTING_INTERNAL_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "clas/v1/types.pb.h"
#include "projections/core/money.h"
#include "projections/core/violation.h"
#include "projections/rules/accounting.h"

namespace clas::rules::accounting_internal {

// The most faulty inputs one error lists; the rest are counted.
inline constexpr int kFaultsListedMax = 20;

// Collects every faulty input of one call under one rule.
class Faults {
 public:
  explicit Faults(const Rule& rule) : rule_(rule) {}
  // Records a fault: the field at fault, the value found (as text), a French sentence.
  void Add(std::string_view field, std::string_view value, std::string_view message_fr);
  // OK when nothing was recorded; otherwise kInvalidArgument listing the faults, with the
  // clas.v1.RuleViolations payload.
  absl::Status ToStatus() const;

 private:
  Rule rule_;
  Violations listed_;
  int count_ = 0;
};

// `amount` within [0, kAmountMaxCents], or within (0, kAmountMaxCents] when `positive`.
void CheckAmount(Faults& f, std::string_view field, Money amount, bool positive);
// `day` within [kDateMin, kDateMax].
void CheckDay(Faults& f, std::string_view field, absl::CivilDay day);
// A recorded line whose amount is within (0, kAmountMaxCents]: safe to add up.
bool AmountInRange(const Line& line);

// When a line is booked: its day, and its month (the day's, or kClosingMonth).
struct Booking {
  absl::CivilDay day;
  int month = 0;
  static Booking On(absl::CivilDay day) { return {day, day.month()}; }
};

// What a line books.
struct Entry {
  Account debit;
  Account credit;
  Money amount;
  StatisticalCode code;
  Rule rule;
  std::string label;
};

// Appends the line `e` to `out`, tied to the convention, school year and cause; nothing when the
// amount is zero. REQUIRES: e.amount >= 0; e.debit != e.credit; e.rule one of kLineRules.
void Book(std::string_view convention_id, SchoolYear school_year, std::string_view cause_event_id,
          Booking when, Entry e, Lines* out);

// A droit the accounting can trust: amounts in range, the N share being R-PAY-1's
// (4 × PS + 5) div 10, and the school year, when recorded, the expected one. The faults name the
// fields of the recorded breakdown (clas.v1.DroitBreakdown) the amounts were read from.
void CheckBreakdown(Faults& f, const std::string& field, const DroitShares& d,
                    SchoolYear school_year);

// R-ACC-6: the PS and bonus codes of a kind of gestionnaire; nullopt for a kind with no code
// (UNSPECIFIED, or a kind added to the schema and not yet given one here).
struct Codes {
  StatisticalCode ps;
  StatisticalCode bonus;
};
Codes CodesOf(GestionnaireKind kind);
void CheckKind(Faults& f, const std::string& field, std::optional<GestionnaireKind> kind);

// A line's origin: its convention, cause and school year set, its kind known.
void CheckOrigin(Faults& f, const LineOrigin& o);
// Lines about the N+1 share (solde, rappel, recovery) come after the school year: Y >= N+1.
void CheckAfterSchoolYear(Faults& f, const LineOrigin& o, absl::CivilDay day);
// Book() for a line of origin `o`.
void BookFor(const LineOrigin& o, Booking when, Entry e, Lines* out);

}  // namespace clas::rules::accounting_internal

#endif  // CLAS_PROJECTIONS_RULES_ACCOUNTING_INTERNAL_H_
