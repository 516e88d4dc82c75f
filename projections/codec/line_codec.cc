#include "projections/codec/line_codec.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ledger/base/absl_view.h"

namespace clas::codec {
namespace {

absl::Status Bad(std::string_view field, std::string_view value, std::string_view why) {
  return absl::DataLossError(absl::StrCat("clas.v1.AccountingLine.", base::ToAbsl(field), " « ",
                                          base::ToAbsl(value), " » : ", base::ToAbsl(why)));
}

std::optional<Rule> LineRule(std::string_view id) {
  for (const Rule& r : kLineRules) {
    if (r.id == id) return r;
  }
  return std::nullopt;
}

}  // namespace

void Encode(const Line& line, v1::AccountingLine* out) {
  out->set_civil_year(line.civil_year().y());
  out->set_month(line.month);
  out->set_debit_account(std::string(AccountName(line.debit)));
  out->set_credit_account(std::string(AccountName(line.credit)));
  out->set_amount_cents(line.amount.cents());
  out->set_statistical_code(std::string(CodeName(line.code)));
  out->set_rule_id(std::string(line.rule.id));
  out->set_convention_id(line.convention_id);
  out->set_school_year(line.school_year.n());
  out->set_cause_event_id(line.cause_event_id);
  out->set_label(line.label);
  out->set_date(YmdFromDay(line.date));
}

v1::AccountingLine Encode(const Line& line) {
  v1::AccountingLine out;
  Encode(line, &out);
  return out;
}

void Encode(const Lines& lines, google::protobuf::RepeatedPtrField<v1::AccountingLine>* out) {
  out->Reserve(out->size() + static_cast<int>(lines.size()));
  for (const Line& l : lines) Encode(l, out->Add());
}

absl::StatusOr<Line> Decode(const v1::AccountingLine& l) {
  const absl::StatusOr<absl::CivilDay> day = DayFromYmd(l.date());
  if (!day.ok()) return Bad("date", absl::StrCat(l.date()), "pas un jour du calendrier");
  if (l.civil_year() != day->year()) {
    return Bad("civil_year", absl::StrCat(l.civil_year()), "pas l'année de la date de la ligne");
  }
  const bool closing_period = l.month() == kClosingMonth && day->month() == 12;
  if (l.month() != day->month() && !closing_period) {
    return Bad("month", absl::StrCat(l.month()),
               "ni le mois de la date, ni la période de clôture en décembre");
  }
  const std::optional<Account> debit = AccountNamed(l.debit_account());
  if (!debit) return Bad("debit_account", l.debit_account(), "compte inconnu (R-ACC-1)");
  const std::optional<Account> credit = AccountNamed(l.credit_account());
  if (!credit) return Bad("credit_account", l.credit_account(), "compte inconnu (R-ACC-1)");
  if (*debit == *credit) {
    return Bad("credit_account", l.credit_account(), "le compte débité est aussi crédité");
  }
  const std::optional<StatisticalCode> code = CodeNamed(l.statistical_code());
  if (!code) {
    return Bad("statistical_code", l.statistical_code(), "code statistique inconnu (R-ACC-6)");
  }
  const std::optional<Rule> rule = LineRule(l.rule_id());
  if (!rule) return Bad("rule_id", l.rule_id(), "pas une règle qui passe des écritures");
  return Line{.date = *day,
              .month = l.month(),
              .debit = *debit,
              .credit = *credit,
              .amount = Money::Cents(l.amount_cents()),
              .code = *code,
              .rule = *rule,
              .convention_id = l.convention_id(),
              .school_year = SchoolYear(l.school_year()),
              .cause_event_id = l.cause_event_id(),
              .label = l.label()};
}

absl::StatusOr<Lines> Decode(const google::protobuf::RepeatedPtrField<v1::AccountingLine>& lines) {
  Lines out;
  out.reserve(lines.size());
  for (int i = 0; i < lines.size(); ++i) {
    absl::StatusOr<Line> line = Decode(lines[i]);
    if (!line.ok()) {
      return absl::DataLossError(absl::StrCat("ligne ", i, " : ", line.status().message()));
    }
    out.push_back(*std::move(line));
  }
  return out;
}

}  // namespace clas::codec
