#include "tests/projections/report_text.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace clas::testing {

using rules::AccountTotals;
using rules::CivilYearReport;
using rules::CodeTotals;
using rules::EnvelopeFigures;

std::string FormatReport(const CivilYearReport& r) {
  std::string out = absl::StrFormat("Exercice %d, Caf %s\n", r.year.y(), r.caf_id);
  for (const AccountTotals& a : r.accounts) {
    absl::StrAppend(&out, absl::StrFormat("%s : ouverture %s, débits %s, crédits %s, clôture %s\n",
                                          AccountName(a.account), rules::BalanceText(a.opening),
                                          a.debits.ToFrench(), a.credits.ToFrench(),
                                          rules::BalanceText(a.closing)));
  }
  for (const CodeTotals& c : r.codes) {
    absl::StrAppend(&out,
                    absl::StrFormat("code %s : lignes %s, charge nette %s\n", CodeName(c.code),
                                    c.lines_amount.ToFrench(), c.net_charge.ToFrench()));
  }
  absl::StrAppend(
      &out, absl::StrFormat("paiements : écritures %s, événements %s\n",
                            r.payments_from_lines.ToFrench(), r.payments_from_events.ToFrench()));
  const EnvelopeFigures& e = r.envelope;
  absl::StrAppend(
      &out, absl::StrFormat("enveloppe : parts N %s + parts N+1 %s = %s, payé %s, reste %s\n",
                            e.n_shares.ToFrench(), e.n1_shares.ToFrench(), e.envelope.ToFrench(),
                            e.paid.ToFrench(), e.remaining.ToFrench()));
  if (r.failed_checks.empty()) absl::StrAppend(&out, "contrôles : tous satisfaits\n");
  for (const std::string& failed : r.failed_checks) absl::StrAppend(&out, failed, "\n");
  return out;
}

}  // namespace clas::testing
