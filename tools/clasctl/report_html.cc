#include "tools/clasctl/report_html.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ledger/hash_chain.h"
#include "tools/clasctl/describe.h"
#include "tools/clasctl/text.h"

namespace clas::ctl {
namespace {

// Print-friendly: no background colours needed to read it, tables not cut across pages.
constexpr char kCss[] = R"css(
body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;color:#1a1a1a;margin:24px auto;
max-width:1100px;font-size:14px;line-height:1.4}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;border-bottom:2px solid #1f4e79;
padding-bottom:3px;margin-top:28px}h3{font-size:15px;margin:18px 0 6px}
dl.head{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:10px 0}
dl.head dt{font-weight:bold;color:#444}dl.head dd{margin:0}
.hash{font-family:"DejaVu Sans Mono",monospace;font-size:12px;word-break:break-all}
.check{border-left:4px solid #1f4e79;background:#f2f6fa;padding:8px 12px;margin:12px 0}
table{border-collapse:collapse;width:100%;margin:6px 0 12px}
th,td{border:1px solid #c8c8c8;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#e8eef4}td.num,th.num{text-align:right;white-space:nowrap}
tr{page-break-inside:avoid}.id{font-family:"DejaVu Sans Mono",monospace;font-size:11px;color:#555}
.rule{display:inline-block;border:1px solid #888;border-radius:3px;padding:0 4px;margin:1px;
font-size:12px}.warn{border-color:#c77700;color:#8a5200;background:#fff4e0}
.mark{font-weight:bold;color:#a61b1b}tr.cancelled td{color:#888;text-decoration:line-through}
tr.cancelled td.corr{text-decoration:none}
svg.chart{width:100%;max-width:1000px;height:auto;display:block}
svg .lbl{font-size:13px;fill:#222}svg .val{font-size:13px;font-weight:bold;fill:#222}
svg .na{font-size:13px;font-style:italic;fill:#888}svg .leg{font-size:12px;fill:#333}
svg .ref{stroke:#222;stroke-dasharray:4 3;stroke-width:1.5}
.nw{white-space:nowrap}.year{page-break-inside:avoid}.none{color:#666;font-style:italic}
footer{margin-top:30px;font-size:12px;color:#555}
@media print{body{margin:0;max-width:none;font-size:11px}h2{page-break-after:avoid}
.check{background:none}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
)css";

std::string E(std::string_view text) { return HtmlEscape(text); }

// Amounts in running text do not break across lines: "1 234,56 €" keeps its spaces as
// non-breaking ones (the digit groups and the sign).
std::string NoBreakAmounts(const std::string& html) {
  std::string out;
  for (size_t i = 0; i < html.size(); ++i) {
    const bool group = html[i] == ' ' && i > 0 && i + 1 < html.size() &&
                       absl::ascii_isdigit(static_cast<unsigned char>(html[i - 1])) &&
                       absl::ascii_isdigit(static_cast<unsigned char>(html[i + 1]));
    const bool sign = html[i] == ' ' && html.compare(i + 1, 3, "€") == 0;
    out += group || sign ? "&nbsp;" : std::string(1, html[i]);
  }
  return out;
}

std::string Td(const std::string& html, const char* cls = "") {
  return *cls == '\0' ? absl::StrCat("<td>", html, "</td>")
                      : absl::StrCat("<td class=\"", cls, "\">", html, "</td>");
}

std::string YearsText(const v1::ConventionState& s) {
  if (s.first_school_year() == 0) return "—";
  if (s.first_school_year() == s.last_school_year()) return SchoolYearText(s.first_school_year());
  return absl::StrCat(SchoolYearText(s.first_school_year()), " à ",
                      SchoolYearText(s.last_school_year()));
}

std::string HeadRow(const std::string& term, const std::string& html) {
  return absl::StrCat("<dt>", E(term), "</dt><dd>", html, "</dd>");
}

std::string Header(const v1::ConventionState& s, const std::vector<v1::ReplayHistoryItem>& items,
                   int64_t report_at_us) {
  const v1::RecordedEvent* last = items.empty() ? nullptr : &items.back().event();
  const std::string hash = last == nullptr ? "—" : ledger::HashHex(last->hash());
  const std::string position = last == nullptr ? "—" : absl::StrCat(last->position());
  std::string out = absl::StrCat("<header><h1>Convention ", E(s.convention_id()),
                                 "</h1><p>Rapport d'audit du financement Clas</p><dl class=\"head\">");
  absl::StrAppend(
      &out, HeadRow("Convention", E(s.convention_id())), HeadRow("Caf", E(s.caf_id())),
      HeadRow("Gestionnaire", E(absl::StrCat(s.gestionnaire_name(), " (", s.gestionnaire_id(),
                                             "), ", KindLabel(s.gestionnaire_kind())))),
      HeadRow("Statut", E(StatusLabel(s.status()))),
      HeadRow("Années scolaires", E(YearsText(s))),
      HeadRow("Signée le", E(Day(s.signed_date()))),
      HeadRow("Événements couverts", E(absl::StrCat(items.size()))),
      HeadRow("Position du journal", E(position)),
      HeadRow("Hash du dernier événement", absl::StrCat("<span class=\"hash\">", E(hash), "</span>")),
      HeadRow("Rapport établi le", E(Instant(report_at_us))), "</dl>");
  absl::StrAppend(
      &out, "<p class=\"check\">Ce rapport reflète le journal jusqu'à la position ", E(position),
      " incluse : le dernier événement qu'il couvre a pour hash <span class=\"hash\">", E(hash),
      "</span>. Pour vérifier plus tard que la page correspond au registre, recalculez la chaîne "
      "de hash du journal et comparez le hash de l'événement à cette position avec celui-ci.</p>"
      "</header>");
  return out;
}

// The rule ids of an event: those it warns of (highlighted, with their message) then those the
// timeline says were applied.
std::string RulesHtml(const v1::RecordedEvent& e, const v1::EventRef* ref) {
  std::string out;
  for (const auto& w : e.fact().warnings()) {
    absl::StrAppend(&out, "<span class=\"rule warn\" title=\"", E(ViolationLine(w)), "\">",
                    E(w.rule_id()), " ⚠</span> ");
  }
  if (ref == nullptr) return out;
  for (const std::string& id : ref->rule_ids()) {
    bool warned = false;
    for (const auto& w : e.fact().warnings()) warned = warned || w.rule_id() == id;
    if (!warned) absl::StrAppend(&out, "<span class=\"rule\">", E(id), "</span> ");
  }
  return out;
}

std::string Timeline(const v1::ConventionState& s,
                     const std::vector<v1::ReplayHistoryItem>& items) {
  std::string out = absl::StrCat("<section><h2>Chronologie des événements (", items.size(),
                                 ")</h2>");
  if (items.empty()) return out + "<p class=\"none\">Aucun événement.</p></section>";
  std::map<std::string, const v1::EventRef*> refs;
  for (const auto& ref : s.events()) refs[ref.event_id()] = &ref;
  absl::StrAppend(&out,
                  "<table><thead><tr><th class=\"num\">Position</th><th>Date d'effet</th>"
                  "<th>Événement</th><th>Par</th><th>Détail et montants</th><th>Règles</th>"
                  "<th>Correction</th></tr></thead><tbody>");
  for (const auto& item : items) {
    const v1::RecordedEvent& e = item.event();
    auto it = refs.find(e.event_id());
    const v1::EventRef* ref = it == refs.end() ? nullptr : it->second;
    std::string mark;
    if (ref != nullptr && ref->cancelled()) {
      mark = absl::StrCat("<span class=\"mark\">annulé</span> par <span class=\"id\">",
                          E(ref->corrected_by()), "</span>");
    } else if (ref != nullptr && !ref->corrected_by().empty()) {
      mark = absl::StrCat("<span class=\"mark\">corrigé</span> par <span class=\"id\">",
                          E(ref->corrected_by()), "</span>");
    }
    absl::StrAppend(
        &out, ref != nullptr && ref->cancelled() ? "<tr class=\"cancelled\">" : "<tr>",
        Td(E(absl::StrCat(e.position())), "num"), Td(E(Day(e.effective_date()))),
        Td(absl::StrCat("<b>", E(EventTypeLabel(e.event_type())), "</b><br><span class=\"id\">",
                        E(e.event_id()), "</span><br><span class=\"id nw\">enregistré ",
                        E(Instant(e.recorded_at_us())), "</span>")),
        Td(absl::StrCat(E(e.actor().id()), "<br><span class=\"id\">", E(e.actor().role()),
                        "</span>"),
           "nw"),
        Td(NoBreakAmounts(E(DescribeFact(e.fact())))), Td(RulesHtml(e, ref)), Td(mark, "corr"),
        "</tr>");
  }
  return out + "</tbody></table></section>";
}

std::string Money(int64_t cents) { return Td(E(Eur(cents)), "num"); }

std::string YearSection(const v1::SchoolYearState& y) {
  int64_t acomptes = 0, rappels = 0;
  for (const auto& a : y.acomptes()) acomptes += a.amount_cents();
  for (const auto& r : y.rappels()) rappels += r.amount_cents();
  const auto droit = [](bool present, const v1::DroitBreakdown& d) {
    return present ? Td(E(Eur(d.droit_cents())), "num") : Td("non calculé", "num");
  };
  std::string out = absl::StrCat("<div class=\"year\"><h3>Année scolaire ",
                                 E(SchoolYearText(y.school_year())), "</h3>",
                                 SchoolYearChartSvg(y));
  absl::StrAppend(
      &out,
      "<table><thead><tr><th class=\"num\">Droit DP</th><th class=\"num\">Droit DR</th>"
      "<th class=\"num\">Droit DC</th><th class=\"num\">Acomptes</th><th class=\"num\">Solde</th>"
      "<th class=\"num\">Rappels</th><th class=\"num\">Versé</th>"
      "<th class=\"num\">Indus notifiés</th><th class=\"num\">Versé net</th></tr></thead><tbody>"
      "<tr>",
      droit(y.has_dp(), y.dp()), droit(y.has_dr(), y.dr()), droit(y.has_dc(), y.dc()),
      Money(acomptes), Money(y.solde_paid() ? y.solde().amount_cents() : 0), Money(rappels),
      Money(y.paid_cents()), Money(y.indus_notified_cents()), Money(y.paid_net_cents()),
      "</tr></tbody></table>");
  if (!y.has_dp() && !y.dp_missing_reason().empty()) {
    absl::StrAppend(&out, "<p class=\"none\">DP non calculé : ", E(y.dp_missing_reason()), "</p>");
  }
  // R-PAY-9: each bilan corrected after the solde, with what it made due.
  for (const auto& r : y.solde_revisions()) {
    v1::EventCorrected c;
    *c.mutable_solde_revision() = r.revision();
    absl::StrAppend(&out, "<p>Bilan corrigé le ", E(Day(r.date())), E(SoldeRevisionText(c)),
                    " (", E(r.event_id()), ")</p>");
  }
  if (y.complement_due_cents() > 0) {
    absl::StrAppend(&out, "<p>Complément de solde dû : ", E(Eur(y.complement_due_cents())),
                    "</p>");
  }
  return out + "</div>";
}

std::string Years(const v1::ConventionState& s) {
  std::string out =
      "<section><h2>Droits et versements par année scolaire</h2><p>Barres bleues : droit "
      "prévisionnel (DP), réel (DR) et contrôlé (DC). Barre verte : ce qui a été versé "
      "(acomptes, solde, rappels) ; les indus notifiés, hachurés en rouge, sont à en déduire. "
      "Le trait pointillé marque le droit qui fait foi (DC, sinon DR, sinon DP).</p>";
  if (s.years().empty()) out += "<p class=\"none\">Aucune année scolaire.</p>";
  for (const auto& y : s.years()) out += YearSection(y);
  return out + "</section>";
}

std::string Indus(const v1::ConventionState& s) {
  std::string out = "<section><h2>Indus ouverts</h2>";
  int64_t open = 0;
  std::string rows;
  for (const auto& i : s.indus()) {
    if (i.open_cents() == 0) continue;
    open += i.open_cents();
    absl::StrAppend(
        &rows, "<tr>", Td(E(i.indu_id())), Td(E(SchoolYearText(i.school_year()))),
        Td(E(Day(i.date()))),
        Td(E(InduOriginLabel(i.origin(), i.controle_id()))),
        Money(i.amount_cents()), Money(i.recovered_cents()), Money(i.open_cents()), "</tr>");
  }
  if (rows.empty()) return out + "<p class=\"none\">Aucun indu ouvert.</p></section>";
  absl::StrAppend(&out,
                  "<table><thead><tr><th>Indu</th><th>Année scolaire</th><th>Notifié le</th>"
                  "<th>Origine</th><th class=\"num\">Montant</th><th class=\"num\">Recouvré</th>"
                  "<th class=\"num\">Reste ouvert</th></tr></thead><tbody>",
                  rows, "<tr><th colspan=\"6\">Total restant ouvert</th>", Money(open),
                  "</tr></tbody></table></section>");
  return out;
}

std::string Warnings(const v1::ConventionState& s) {
  if (s.warnings().empty()) return "";
  std::string out = "<section><h2>Avertissements</h2><ul>";
  for (const auto& w : s.warnings()) absl::StrAppend(&out, "<li>", E(ViolationLine(w)), "</li>");
  return out + "</ul></section>";
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string ConventionReportHtml(const v1::ConventionState& state,
                                 const std::vector<v1::ReplayHistoryItem>& history,
                                 int64_t report_at_us) {
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Convention ",
      E(state.convention_id()), " — Caf ", E(state.caf_id()), " — rapport d'audit</title><style>",
      kCss, "</style></head><body>");
  absl::StrAppend(&out, Header(state, history, report_at_us), Years(state), Indus(state),
                  Warnings(state), Timeline(state, history));
  absl::StrAppend(&out, "<footer>Page produite par clasctl convention report, sans ressource "
                        "externe. Montants en euros ; dates d'effet au format jj/mm/aaaa ; "
                        "instants en UTC.</footer></body></html>\n");
  return out;
}

}  // namespace clas::ctl
