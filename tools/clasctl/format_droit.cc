#include "tools/clasctl/format_droit.h"

#include <functional>

#include "absl/strings/str_cat.h"
#include "tools/clasctl/format_convention.h"

namespace clas::ctl {
namespace {

using Breakdown = v1::DroitBreakdown;

struct Row {
  const char* label;
  std::function<std::string(const Breakdown&)> cell;
  bool only_when_capped = false;  // rows that say something only when the cap bites
};

int64_t Reduction(const Breakdown& b) {
  return b.reduction_ps_cents() + b.reduction_bonus_enfants_cents() +
         b.reduction_bonus_parents_cents();
}

const std::vector<Row>& Rows() {
  static const auto* const kRows = new std::vector<Row>{
      {"barème",
       [](const Breakdown& b) { return SchoolYearText(b.inputs().bareme().school_year()); }},
      {"plafond par collectif",
       [](const Breakdown& b) { return Eur(b.inputs().bareme().plafond_cents()); }},
      {"collectifs C (E, P)",
       [](const Breakdown& b) {
         return absl::StrCat(b.inputs().collectifs(), " (", b.inputs().bonus_enfants_collectifs(),
                             ", ", b.inputs().bonus_parents_collectifs(), ")");
       }},
      {"charges", [](const Breakdown& b) { return Eur(b.inputs().charges_cents()); }},
      {"autres BF", [](const Breakdown& b) { return Eur(b.inputs().autres_bf_cents()); }},
      {"base (R-DROIT-2)", [](const Breakdown& b) { return Eur(b.base_cents()); }},
      {"PS avant écrêtement (R-DROIT-3)",
       [](const Breakdown& b) { return Eur(b.ps_before_cap_cents()); }, true},
      {"bonus enfants avant écrêtement",
       [](const Breakdown& b) { return Eur(b.bonus_enfants_before_cap_cents()); }, true},
      {"bonus parents avant écrêtement",
       [](const Breakdown& b) { return Eur(b.bonus_parents_before_cap_cents()); }, true},
      {"plafond 80 % (R-DROIT-5)", [](const Breakdown& b) { return Eur(b.cap_cents()); }},
      {"écrêtement", [](const Breakdown& b) { return Eur(Reduction(b)); }},
      {"PS", [](const Breakdown& b) { return Eur(b.ps_cents()); }},
      {"bonus enfants (R-DROIT-4)",
       [](const Breakdown& b) { return Eur(b.bonus_enfants_cents()); }},
      {"bonus parents (R-DROIT-4)",
       [](const Breakdown& b) { return Eur(b.bonus_parents_cents()); }},
      {"droit", [](const Breakdown& b) { return Eur(b.droit_cents()); }},
      {"part N (R-PAY-1)", [](const Breakdown& b) { return Eur(b.n_share_cents()); }},
      {"part N+1", [](const Breakdown& b) { return Eur(b.n1_share_cents()); }},
  };
  return *kRows;
}

}  // namespace

Table DroitTable(const std::vector<std::pair<std::string, Breakdown>>& droits) {
  std::vector<Table::Column> columns = {{""}};
  bool capped = false;
  for (const auto& [title, b] : droits) {
    columns.push_back({title, Table::Align::kRight});
    capped = capped || Reduction(b) > 0;
  }
  Table t(columns);
  for (const Row& row : Rows()) {
    if (row.only_when_capped && !capped) continue;
    std::vector<std::string> cells = {row.label};
    for (const auto& droit : droits) cells.push_back(row.cell(droit.second));
    t.AddRow(std::move(cells));
  }
  return t;
}

std::string FormatDroits(const v1::SchoolYearState& year, const std::string& indent) {
  std::vector<std::pair<std::string, Breakdown>> droits;
  if (year.has_dp()) droits.emplace_back("DP", year.dp());
  if (year.has_dr()) droits.emplace_back("DR", year.dr());
  if (year.has_dc()) droits.emplace_back("DC", year.dc());
  if (droits.empty()) return "";
  return DroitTable(droits).Render(indent);
}

std::string FormatSimulation(const v1::SimulateControleResponse& response) {
  Table outcomes({{"année scolaire"},
                  {"collectifs", Table::Align::kRight},
                  {"charges", Table::Align::kRight},
                  {"DC", Table::Align::kRight},
                  {"versé", Table::Align::kRight},
                  {"rappel", Table::Align::kRight},
                  {"indu", Table::Align::kRight},
                  {"issue (R-CTL-3)"}});
  std::vector<std::pair<std::string, Breakdown>> droits;
  for (const auto& o : response.outcomes()) {
    const std::string outcome = o.rappel_cents() > 0 ? "rappel dû au gestionnaire"
                                : o.indu_cents() > 0 ? "indu à recouvrer"
                                                     : "rien à verser ni à reprendre";
    outcomes.AddRow({SchoolYearText(o.school_year()), absl::StrCat(o.figures().collectifs()),
                     Eur(o.figures().charges_cents()), Eur(o.dc().droit_cents()),
                     Eur(o.paid_cents()), Eur(o.rappel_cents()), Eur(o.indu_cents()), outcome});
    droits.emplace_back(absl::StrCat("DC ", SchoolYearText(o.school_year())), o.dc());
  }
  std::string out =
      "Simulation de contrôle (R-CTL-4 : rien n'est enregistré)\n" + outcomes.Render("  ");
  if (!droits.empty()) out += "\nDroit contrôlé\n" + DroitTable(droits).Render("  ");
  out += absl::StrCat("\nCalculé à la position ", response.log_position(), " du journal\n");
  return out;
}

}  // namespace clas::ctl
