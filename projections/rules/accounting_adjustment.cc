// R-ACC-8: régularisation, in the first open civil year, of lines of closed years (declared in
// accounting.h).
#include <map>
#include <tuple>
#include <utility>

#include "absl/strings/str_format.h"
#include "ledger/base/status_macros.h"
#include "projections/rules/accounting.h"
#include "projections/rules/accounting_internal.h"

namespace clas::rules {
namespace {

using accounting_internal::Faults;

// One side of a line, independent of the civil year it was booked in: a subsidy account is
// replaced by the civil year of the share it concerns (R-ACC-1 read backwards), so that the
// same share booked in 2026 on kSubsidyN and in 2027 on kSubsidyN1 is one place.
struct Side {
  Account account;  // kSubsidyN stands for "a subsidy account" when share_year != 0
  int32_t share_year = 0;
  auto operator<=>(const Side&) const = default;
};

Side SideOf(Account account, int32_t civil_year) {
  const std::optional<int> age = AgeOfSubsidyAccount(account);
  if (!age.has_value()) return {account, 0};
  return {Account::kSubsidyN, civil_year - *age};
}

Account AccountIn(const Side& side, int32_t civil_year) {
  if (side.share_year == 0) return side.account;
  return SubsidyAccountForAge(civil_year - side.share_year);
}

// Where a line's amount nets: convention, school year, code, and its two sides in a fixed order.
using Place = std::tuple<std::string, SchoolYear, StatisticalCode, Side, Side>;

void CheckLines(Faults& f, std::string_view field, const Lines& lines, int32_t open_year) {
  if (lines.size() > kLinesMax) {
    f.Add(field, absl::StrFormat("%d", lines.size()), "trop de lignes");
    return;
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    const Line& l = lines[i];
    const std::string at = absl::StrFormat("%s[%d]", field, i);
    if (l.civil_year().y() >= open_year) {
      f.Add(at + ".civil_year", absl::StrFormat("%d", l.civil_year().y()),
            absl::StrFormat("seules les lignes d'exercices clos avant %d se régularisent",
                            open_year));
    }
    if (!accounting_internal::AmountInRange(l)) {
      f.Add(at + ".amount_cents", l.amount.ToFrench(), "montant hors plage");
    }
    const bool both_subsidy =
        AgeOfSubsidyAccount(l.debit).has_value() && AgeOfSubsidyAccount(l.credit).has_value();
    if (l.debit == l.credit || both_subsidy) {
      f.Add(at, DescribeLine(l), "ligne sans comptes distincts");
    }
  }
}

// Adds `sign` × each line's amount to its place: positive when the line debits the first side.
void Net(const Lines& lines, int sign, std::map<Place, Money>* net) {
  for (const Line& l : lines) {
    Side debit = SideOf(l.debit, l.civil_year().y());
    Side credit = SideOf(l.credit, l.civil_year().y());
    const bool debit_first = debit < credit;
    Place place{l.convention_id, l.school_year, l.code, debit_first ? debit : credit,
                debit_first ? credit : debit};
    const Money amount = l.amount * (debit_first ? sign : -sign);
    (*net)[std::move(place)] += amount;
  }
}

}  // namespace

// R-ACC-8 [choice]: the difference between recomputed and recorded lines of closed years,
// booked in the first open year.
absl::StatusOr<Lines> AdjustmentLines(const Lines& recorded, const Lines& recomputed,
                                      absl::CivilDay booked_on,
                                      std::string_view correction_event_id,
                                      std::string_view corrected_event_id) {
  const int32_t open_year = static_cast<int32_t>(booked_on.year());
  Faults f(rule::kAcc8);
  accounting_internal::CheckDay(f, "booked_on", booked_on);
  if (correction_event_id.empty()) f.Add("correction_event_id", "", "correction non nommée");
  if (corrected_event_id.empty()) f.Add("corrected_event_id", "", "événement corrigé non nommé");
  CheckLines(f, "recorded", recorded, open_year);
  CheckLines(f, "recomputed", recomputed, open_year);
  RETURN_IF_ERROR(f.ToStatus());

  std::map<Place, Money> net;
  Net(recorded, -1, &net);
  Net(recomputed, +1, &net);
  const std::string label =
      absl::StrFormat("Régularisation : correction de %s", std::string(corrected_event_id));
  Lines out;
  for (const auto& [place, amount] : net) {
    const auto& [convention_id, school_year, code, first, second] = place;
    if (amount == Money::Zero()) continue;
    const bool forward = amount > Money::Zero();
    accounting_internal::Book(convention_id, school_year, correction_event_id,
                              accounting_internal::Booking::On(booked_on),
                              {AccountIn(forward ? first : second, open_year),
                               AccountIn(forward ? second : first, open_year),
                               forward ? amount : Money::Zero() - amount, code, rule::kAcc8, label},
                              &out);
  }
  return out;
}

}  // namespace clas::rules
