#include "tools/clasctl/format_year.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "projections/rules/accounting.h"
#include "tools/clasctl/text.h"

namespace clas::ctl {
namespace {

std::string MonthText(int32_t month) {
  return month == rules::kClosingMonth ? "13 (clôture)" : absl::StrCat(month);
}

Table LinesTable(const v1::GetCivilYearResponse& year) {
  Table t({{"date"},
           {"month"},
           {"debit"},
           {"credit"},
           {"amount", Table::Align::kRight},
           {"code"},
           {"rule"},
           {"convention"},
           {"school year"},
           {"label"}});
  for (const auto& l : year.lines()) {
    t.AddRow({Day(l.date()), MonthText(l.month()), l.debit_account(), l.credit_account(),
              Eur(l.amount_cents()), l.statistical_code(), l.rule_id(), l.convention_id(),
              SchoolYearText(l.school_year()), l.label()});
  }
  return t;
}

Table AccountsTable(const v1::GetCivilYearResponse& year) {
  Table t({{"account"},
           {"opening", Table::Align::kRight},
           {"debits", Table::Align::kRight},
           {"credits", Table::Align::kRight},
           {"closing", Table::Align::kRight}});
  for (const auto& a : year.accounts()) {
    t.AddRow({a.account(), Eur(a.opening_cents()), Eur(a.debits_cents()), Eur(a.credits_cents()),
              Eur(a.closing_cents())});
  }
  return t;
}

Table CodesTable(const v1::GetCivilYearResponse& year) {
  Table t({{"statistical code"},
           {"lines", Table::Align::kRight},
           {"charge debits", Table::Align::kRight},
           {"charge credits", Table::Align::kRight},
           {"net charge", Table::Align::kRight}});
  for (const auto& c : year.codes()) {
    t.AddRow({c.statistical_code(), Eur(c.lines_cents()), Eur(c.charge_debits_cents()),
              Eur(c.charge_credits_cents()), Eur(c.net_charge_cents())});
  }
  return t;
}

// Sums of the lines that debit `debit` (any credit when empty) and credit `credit`.
int64_t Sum(const v1::GetCivilYearResponse& year, const std::string& debit,
            const std::string& credit) {
  int64_t total = 0;
  for (const auto& l : year.lines()) {
    if ((debit.empty() || l.debit_account() == debit) &&
        (credit.empty() || l.credit_account() == credit)) {
      total += l.amount_cents();
    }
  }
  return total;
}

// Label / amount lines under a title.
std::string Block(const std::string& title,
                  const std::vector<std::pair<std::string, std::string>>& rows) {
  Table t({{""}, {"", Table::Align::kRight}});
  for (const auto& [label, value] : rows) t.AddRow({label, value});
  return absl::StrCat("\n", title, "\n", t.Render("  ", /*header=*/false));
}

std::string CommitmentsText(const v1::GetCivilYearResponse& year) {
  return Block(absl::StrCat("Charges à payer (", rules::kChargesAPayer, ", R-ACC-3/5)"),
               {{"booked (credit)", Eur(Sum(year, "", rules::kChargesAPayer))},
                {"liquidated or cancelled (debit)", Eur(Sum(year, rules::kChargesAPayer, ""))}}) +
         Block(absl::StrCat("Engagements (classe 8, R-ACC-4: ", rules::kEngagementDebit, " / ",
                            rules::kEngagementCredit, ")"),
               {{"booked", Eur(Sum(year, rules::kEngagementDebit, rules::kEngagementCredit))},
                {"reversed", Eur(Sum(year, rules::kEngagementCredit, rules::kEngagementDebit))}});
}

std::string EnvelopeText(const v1::EnvelopeFollowUp& e, int32_t y) {
  return Block(
      "Envelope follow-up (R-ACC-7)",
      {{absl::StrCat("N shares of school year ", SchoolYearText(y)), Eur(e.n_shares_cents())},
       {absl::StrCat("N+1 shares of school year ", SchoolYearText(y - 1)),
        Eur(e.n1_shares_cents())},
       {"envelope", Eur(e.envelope_cents())},
       {absl::StrCat("paid in ", y), Eur(e.paid_cents())},
       {"remaining", Eur(e.remaining_cents())}});
}

std::string BalanceText(const v1::GetCivilYearResponse& year) {
  std::string out = Block(
      absl::StrCat("Balance check (R-ACC-10): ", year.balanced() ? "balanced" : "NOT BALANCED"),
      {{"total debits", Eur(year.total_debits_cents())},
       {"total credits", Eur(year.total_credits_cents())},
       {"payments from the lines", Eur(year.payments_from_lines_cents())},
       {"payments from the events", Eur(year.payments_from_events_cents())}});
  for (const auto& f : year.failed_checks()) absl::StrAppend(&out, "  FAILED: ", f, "\n");
  return out;
}

}  // namespace

std::string FormatYearReport(const v1::GetCivilYearResponse& year) {
  std::string out = absl::StrCat("Civil year ", year.civil_year(), " — Caf ", year.caf_id(), " — ",
                                 year.closed() ? "closed" : "open", " — log position ",
                                 year.log_position(), "\n");
  absl::StrAppend(&out, "\nLines (", year.lines_size(), ")\n");
  out += year.lines_size() == 0 ? "  none\n" : LinesTable(year).Render("  ");
  out += "\nAccounts\n" + AccountsTable(year).Render("  ");
  out += "\nStatistical codes (R-ACC-6)\n" + CodesTable(year).Render("  ");
  out += CommitmentsText(year);
  out += EnvelopeText(year.envelope(), year.civil_year());
  out += BalanceText(year);
  return out;
}

std::string YearReportCsv(const v1::GetCivilYearResponse& year) {
  Table t({{"date"},
           {"month"},
           {"debit_account"},
           {"credit_account"},
           {"amount_eur"},
           {"statistical_code"},
           {"rule_id"},
           {"convention_id"},
           {"school_year"},
           {"cause_event_id"},
           {"label"}});
  for (const auto& l : year.lines()) {
    t.AddRow({IsoDay(l.date()), absl::StrCat(l.month()), l.debit_account(), l.credit_account(),
              EurDot(l.amount_cents()), l.statistical_code(), l.rule_id(), l.convention_id(),
              l.school_year() == 0 ? "" : SchoolYearText(l.school_year()), l.cause_event_id(),
              l.label()});
  }
  return t.Csv();
}

}  // namespace clas::ctl
