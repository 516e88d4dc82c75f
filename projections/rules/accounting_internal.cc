#include "projections/rules/accounting_internal.h"

#include <utility>

#include "absl/strings/str_format.h"
#include "ledger/base/status_macros.h"
#include "projections/core/calendar.h"

namespace clas::rules::accounting_internal {

void Faults::Add(std::string_view field, std::string_view value, std::string_view message_fr) {
  ++count_;
  if (count_ <= kFaultsListedMax) {
    listed_.Add(RuleError(rule_, field, value, message_fr));
  }
}

absl::Status Faults::ToStatus() const {
  if (count_ <= kFaultsListedMax) return listed_.ToStatus(absl::StatusCode::kInvalidArgument);
  Violations all = listed_;
  all.Add(RuleError(rule_, "", absl::StrFormat("%d", count_ - kFaultsListedMax),
                    "autres erreurs non listées"));
  return all.ToStatus(absl::StatusCode::kInvalidArgument);
}

void CheckAmount(Faults& f, std::string_view field, Money amount, bool positive) {
  const bool low_ok = positive ? amount > Money::Zero() : amount >= Money::Zero();
  if (!low_ok || amount.cents() > kAmountMaxCents) {
    f.Add(field, amount.ToFrench(),
          positive ? "montant attendu strictement positif et dans la plage admise"
                   : "montant attendu positif ou nul et dans la plage admise");
  }
}

void CheckDay(Faults& f, std::string_view field, absl::CivilDay day) {
  if (day.year() < kDateMin / 10000 || day.year() > kDateMax / 10000) {
    f.Add(field, absl::StrFormat("%d", day.year()), "date hors de la plage acceptée");
  }
}

bool AmountInRange(const v1::AccountingLine& line) {
  return line.amount_cents() > 0 && line.amount_cents() <= kAmountMaxCents;
}

void Book(std::string_view convention_id, int32_t school_year, std::string_view cause_event_id,
          Booking when, Entry e, Lines* out) {
  CLAS_CHECK(e.amount >= Money::Zero()) << e.rule.id << " " << e.amount.cents();
  CLAS_CHECK(!e.debit.empty() && !e.credit.empty() && e.debit != e.credit) << e.rule.id;
  CLAS_CHECK(!e.statistical_code.empty()) << e.rule.id;
  if (e.amount == Money::Zero()) return;
  v1::AccountingLine line;
  line.set_civil_year(static_cast<int32_t>(when.day.year()));
  line.set_month(when.month);
  line.set_debit_account(std::move(e.debit));
  line.set_credit_account(std::move(e.credit));
  line.set_amount_cents(e.amount.cents());
  line.set_statistical_code(std::move(e.statistical_code));
  line.set_rule_id(std::string(e.rule.id));
  line.set_convention_id(std::string(convention_id));
  line.set_school_year(school_year);
  line.set_cause_event_id(std::string(cause_event_id));
  line.set_label(std::move(e.label));
  line.set_date(YmdFromDay(when.day));
  out->push_back(std::move(line));
}

}  // namespace clas::rules::accounting_internal
