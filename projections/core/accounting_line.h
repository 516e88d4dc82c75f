// The schéma d'écriture of the circular (§4; RULES.md §7) as values: the accounts and
// statistical codes a Caf books the Clas on, and one booked line.
//
// An account or a code is an enumerator, never a string: a line cannot name an account the
// schéma does not have, nor leave one side empty. Their names ("SF 6562322410", "81512214") are
// the wire's and the report's, written here once; the enumerators are declared in the order of
// their names, so that sorting by either gives the same order (checked below).
//
// A Line is what the rules of accounting.h produce and what a report adds up. Its wire form is
// clas.v1.AccountingLine, converted in codec/line_codec.h only.
//
// Thread-safety: value types and constants.
#ifndef CLAS_PROJECTIONS_CORE_ACCOUNTING_LINE_H_
#define CLAS_PROJECTIONS_CORE_ACCOUNTING_LINE_H_

#include <cstdint>
#include <iterator>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "projections/core/calendar.h"
#include "projections/core/money.h"
#include "projections/core/rule.h"

namespace clas {

// The accounts, in the order of their names.
enum class Account : uint8_t {
  // [choice] The circular names only the charge side of a payment. The ledger books every
  // payment (acompte, solde, rappel) against this one counterpart, and every recovery of an indu
  // from it, so that each line names both accounts. It stands for the Caf's settlement of the
  // gestionnaire (the payment order in MAIA, then the treasury); its yearly movement is the net
  // cash of the year.
  kSettlement,
  // Subsidy (charge) accounts by age of the share a line concerns (R-ACC-1): N, N-1, older.
  kSubsidyN,
  kSubsidyN1,
  kSubsidyOlder,
  // Charges à payer sur exercice N (R-ACC-3, R-ACC-5).
  kChargesAPayer,
  // Engagement of the 6/10 (classe 8, R-ACC-4): debit at closing on kEngagementDebit (contrepartie
  // des engagements donnés), credit on kEngagementCredit (prestation de service Clas 6/10e).
  kEngagementCredit,
  kEngagementDebit,
};

inline constexpr Account kAccounts[] = {Account::kSettlement,     Account::kSubsidyN,
                                        Account::kSubsidyN1,      Account::kSubsidyOlder,
                                        Account::kChargesAPayer,  Account::kEngagementCredit,
                                        Account::kEngagementDebit};

// The account's name in the plan of accounts of the Caf.
constexpr std::string_view AccountName(Account account) {
  switch (account) {
    case Account::kSettlement: return "Règlement gestionnaire";
    case Account::kSubsidyN: return "SF 6562322410";
    case Account::kSubsidyN1: return "SF 65623224191";
    case Account::kSubsidyOlder: return "SF 65623224192";
    case Account::kChargesAPayer: return "T 408143111";
    case Account::kEngagementCredit: return "T 80182";
    case Account::kEngagementDebit: return "T 8091";
  }
  return "";
}

// The account named `name`, or nullopt.
std::optional<Account> AccountNamed(std::string_view name);

// The statistical codes of R-ACC-6: PS Clas and bonus Clas, by kind of gestionnaire; in the
// order of their names.
enum class StatisticalCode : uint8_t {
  kPsGestionnaires,  // aides aux gestionnaires
  kBonusGestionnaires,
  kPsInterne,  // dépenses internes (the Caf)
  kBonusInterne,
  kPsEntreprises,  // entreprises
  kBonusEntreprises,
};

inline constexpr StatisticalCode kStatisticalCodes[] = {
    StatisticalCode::kPsGestionnaires, StatisticalCode::kBonusGestionnaires,
    StatisticalCode::kPsInterne,       StatisticalCode::kBonusInterne,
    StatisticalCode::kPsEntreprises,   StatisticalCode::kBonusEntreprises};

constexpr std::string_view CodeName(StatisticalCode code) {
  switch (code) {
    case StatisticalCode::kPsGestionnaires: return "81512214";
    case StatisticalCode::kBonusGestionnaires: return "81512215";
    case StatisticalCode::kPsInterne: return "81513214";
    case StatisticalCode::kBonusInterne: return "81513215";
    case StatisticalCode::kPsEntreprises: return "81514214";
    case StatisticalCode::kBonusEntreprises: return "81514215";
  }
  return "";
}

// The code named `name`, or nullopt.
std::optional<StatisticalCode> CodeNamed(std::string_view name);

// Their names, for logs and test messages.
inline std::ostream& operator<<(std::ostream& os, Account a) { return os << AccountName(a); }
inline std::ostream& operator<<(std::ostream& os, StatisticalCode c) { return os << CodeName(c); }

// The closing period of a civil year (R-ACC-3/4): a month after December.
inline constexpr int kClosingMonth = 13;

// The rules that book lines. A line names one of them.
inline constexpr Rule kLineRules[] = {rule::kAcc2, rule::kAcc3, rule::kAcc4,
                                      rule::kAcc5, rule::kAcc8, rule::kAcc9};

// One line of the books: `amount` debited to `debit` and credited to `credit`, on `date`.
//
// Invariants of a line the rules produce (a decoded line is checked for the first three; the
// report checks every line it adds up, R-ACC-10):
//   - month is the date's month, or kClosingMonth with the date in December;
//   - rule is one of kLineRules;
//   - debit != credit, amount > 0.
struct Line {
  absl::CivilDay date;  // the day booked; its year is the civil year the line is booked in
  int month = 0;        // 1..12, or kClosingMonth
  Account debit = Account::kSettlement;
  Account credit = Account::kSettlement;
  Money amount;
  StatisticalCode code = StatisticalCode::kPsGestionnaires;
  Rule rule;                   // the rule that produced the line
  std::string convention_id;   // the convention the line is for
  SchoolYear school_year{0};   // the school year whose droit the line concerns
  std::string cause_event_id;  // the event that caused the line
  std::string label;           // a short French label

  CivilYear civil_year() const { return CivilYear::Of(date); }
  friend bool operator==(const Line&, const Line&) = default;
};

using Lines = std::vector<Line>;

namespace accounting_line_internal {
template <typename T, size_t N, typename Name>
constexpr bool SortedByName(const T (&values)[N], Name name) {
  for (size_t i = 0; i + 1 < N; ++i) {
    if (static_cast<int>(values[i]) + 1 != static_cast<int>(values[i + 1])) return false;
    if (!(name(values[i]) < name(values[i + 1]))) return false;
  }
  return true;
}
}  // namespace accounting_line_internal

static_assert(accounting_line_internal::SortedByName(kAccounts, AccountName),
              "accounts listed once each, in the order of their names");
static_assert(accounting_line_internal::SortedByName(kStatisticalCodes, CodeName),
              "statistical codes listed once each, in the order of their names");

}  // namespace clas

#endif  // CLAS_PROJECTIONS_CORE_ACCOUNTING_LINE_H_
