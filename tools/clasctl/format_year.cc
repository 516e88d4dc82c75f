#include "tools/clasctl/format_year.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ledger/base/absl_view.h"
#include "projections/core/accounting_line.h"
#include "tools/clasctl/text.h"

namespace clas::ctl {
namespace {

std::string MonthText(int32_t month) {
  return month == kClosingMonth ? "13 (clôture)" : absl::StrCat(month);
}

Table LinesTable(const v1::GetCivilYearResponse& year) {
  Table t({{"date"},
           {"mois"},
           {"débit"},
           {"crédit"},
           {"montant", Table::Align::kRight},
           {"code"},
           {"règle"},
           {"convention"},
           {"année scolaire"},
           {"libellé"}});
  for (const auto& l : year.lines()) {
    t.AddRow({Day(l.date()), MonthText(l.month()), l.debit_account(), l.credit_account(),
              Eur(l.amount_cents()), l.statistical_code(), l.rule_id(), l.convention_id(),
              SchoolYearText(l.school_year()), l.label()});
  }
  return t;
}

Table AccountsTable(const v1::GetCivilYearResponse& year) {
  Table t({{"compte"},
           {"ouverture", Table::Align::kRight},
           {"débits", Table::Align::kRight},
           {"crédits", Table::Align::kRight},
           {"clôture", Table::Align::kRight}});
  for (const auto& a : year.accounts()) {
    t.AddRow({a.account(), Eur(a.opening_cents()), Eur(a.debits_cents()), Eur(a.credits_cents()),
              Eur(a.closing_cents())});
  }
  return t;
}

Table CodesTable(const v1::GetCivilYearResponse& year) {
  Table t({{"code statistique"},
           {"écritures", Table::Align::kRight},
           {"charge au débit", Table::Align::kRight},
           {"charge au crédit", Table::Align::kRight},
           {"charge nette", Table::Align::kRight}});
  for (const auto& c : year.codes()) {
    t.AddRow({c.statistical_code(), Eur(c.lines_cents()), Eur(c.charge_debits_cents()),
              Eur(c.charge_credits_cents()), Eur(c.net_charge_cents())});
  }
  return t;
}

// Sums of the lines that debit `debit` (any account when nullopt) and credit `credit`.
int64_t Sum(const v1::GetCivilYearResponse& year, std::optional<Account> debit,
            std::optional<Account> credit) {
  int64_t total = 0;
  for (const auto& l : year.lines()) {
    if ((!debit || l.debit_account() == AccountName(*debit)) &&
        (!credit || l.credit_account() == AccountName(*credit))) {
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
  constexpr Account kCharges = Account::kChargesAPayer;
  constexpr Account kDebit = Account::kEngagementDebit, kCredit = Account::kEngagementCredit;
  return Block(
             absl::StrCat("Charges à payer (", base::ToAbsl(AccountName(kCharges)), ", R-ACC-3/5)"),
             {{"constatées (crédit)", Eur(Sum(year, std::nullopt, kCharges))},
              {"liquidées ou annulées (débit)", Eur(Sum(year, kCharges, std::nullopt))}}) +
         Block(absl::StrCat("Engagements (classe 8, R-ACC-4 : ", base::ToAbsl(AccountName(kDebit)),
                            " / ", base::ToAbsl(AccountName(kCredit)), ")"),
               {{"constatés", Eur(Sum(year, kDebit, kCredit))},
                {"contrepassés", Eur(Sum(year, kCredit, kDebit))}});
}

std::string EnvelopeText(const v1::EnvelopeFollowUp& e, int32_t y) {
  return Block(
      "Suivi de l'enveloppe (R-ACC-7)",
      {{absl::StrCat("parts N de l'année scolaire ", SchoolYearText(y)), Eur(e.n_shares_cents())},
       {absl::StrCat("parts N+1 de l'année scolaire ", SchoolYearText(y - 1)),
        Eur(e.n1_shares_cents())},
       {"enveloppe", Eur(e.envelope_cents())},
       {absl::StrCat("versé en ", y), Eur(e.paid_cents())},
       {"reste", Eur(e.remaining_cents())}});
}

std::string BalanceText(const v1::GetCivilYearResponse& year) {
  std::string out =
      Block(absl::StrCat("Contrôle d'équilibre (R-ACC-10) : ",
                         year.balanced() ? "équilibré" : "NON ÉQUILIBRÉ"),
            {{"total des débits", Eur(year.total_debits_cents())},
             {"total des crédits", Eur(year.total_credits_cents())},
             {"paiements selon les écritures", Eur(year.payments_from_lines_cents())},
             {"paiements selon les événements", Eur(year.payments_from_events_cents())}});
  for (const auto& f : year.failed_checks()) absl::StrAppend(&out, "  ÉCHEC : ", f, "\n");
  return out;
}

}  // namespace

std::string FormatYearReport(const v1::GetCivilYearResponse& year) {
  std::string out = absl::StrCat("Exercice ", year.civil_year(), " — Caf ", year.caf_id(), " — ",
                                 year.closed() ? "clos" : "ouvert", " — position ",
                                 year.log_position(), " du journal\n");
  absl::StrAppend(&out, "\nÉcritures (", year.lines_size(), ")\n");
  out += year.lines_size() == 0 ? "  aucune\n" : LinesTable(year).Render("  ");
  out += "\nComptes\n" + AccountsTable(year).Render("  ");
  out += "\nCodes statistiques (R-ACC-6)\n" + CodesTable(year).Render("  ");
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
