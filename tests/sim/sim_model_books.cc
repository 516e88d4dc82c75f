// The simulation's model (sim_model.h): the closing of a civil year (R-ACC-3, R-ACC-4), the
// reversal of its engagements (R-ACC-4), and its régularisation in the first open year when a
// later fact changes what it used (R-ACC-8). Accounts and codes are RULES.md's, written here
// again (R-ACC-1, R-ACC-6): the model shares nothing with projections/.
#include <algorithm>
#include <string>
#include <vector>

#include "tests/sim/sim_model_internal.h"

namespace clas::sim {

using namespace model_internal;  // NOLINT: the helpers of the model's files
namespace {

constexpr char kChargesAPayer[] = "T 408143111";
constexpr char kEngagementDebit[] = "T 8091";
constexpr char kEngagementCredit[] = "T 80182";
constexpr char kSettlement[] = "Règlement gestionnaire";  // R-ACC-2: a payment's counterpart

// R-ACC-1: the subsidy account of a share of age `age` (the booking year minus the share's).
std::string Subsidy(int32_t age) {
  return age <= 0 ? "SF 6562322410" : age == 1 ? "SF 65623224191" : "SF 65623224192";
}

// R-ACC-6: the PS code of a kind of gestionnaire.
std::string PsCode(v1::GestionnaireKind kind) {
  if (kind == v1::CAF_INTERNE) return "81513214";
  if (kind == v1::ENTREPRISE) return "81514214";
  return "81512214";
}

// R-ACC-6: the bonus code of a kind of gestionnaire.
std::string BonusCode(v1::GestionnaireKind kind) {
  if (kind == v1::CAF_INTERNE) return "81513215";
  if (kind == v1::ENTREPRISE) return "81514215";
  return "81512215";
}

void Book(ModelLines& lines, ModelLine at, int64_t amount, int64_t* changed = nullptr) {
  if (amount == 0) return;
  if (changed != nullptr) ++*changed;
  if (amount < 0) {  // the other way round
    std::swap(at.debit, at.credit);
    amount = -amount;
  }
  lines[at] += amount;
}

}  // namespace

std::optional<ModelClosing> Model::ClosingOf(const ModelConvention& c, int32_t year) const {
  auto it = c.years.find(year);
  if (it == c.years.end() || !it->second.covered) return std::nullopt;
  const ModelYear& y = it->second;
  // R-ACC-3, R-ACC-4 with R-ACC-7's reading: the DP in force on 31 December of the year closed.
  const std::optional<ModelDroit> dp = DpAt(y, year * 10000 + 1231);
  if (!dp) return ModelClosing{};
  return ModelClosing{
      .charge = std::max<int64_t>(0, dp->n_share - y.AcomptesOfCivilYear(year)),  // R-ACC-3
      .engagement = dp->ps - dp->n_share};                                        // R-ACC-4
}

Expectation Model::Expect(const v1::CloseCivilYear& cmd) const {
  const int32_t year = cmd.civil_year();
  if (year < 2000 || year > 2098) return Refuse("R-ACC-8");
  if (!ModelValidDate(cmd.date()) || cmd.date() < year * 10000 + 1231) {
    return Refuse("R-ACC-8");  // month 13: from 31 December on
  }
  auto k = cafs.find(cmd.caf_id());
  if (k != cafs.end() && k->second.closed.count(year) > 0) return Refuse("R-ACC-8");
  // R-ACC-8: a year closed after a later one would rewrite it (engagements reversed in month 12
  // of the next year, charges à payer, balances carried forward): years are closed in order.
  if (k != cafs.end() && k->second.closed.upper_bound(year) != k->second.closed.end()) {
    return Refuse("R-ACC-8");
  }
  // [choice] Nor is one skipped, once the Caf has books before it: a year closed, a school year
  // a convention covers, a payment dated then.
  if (k != cafs.end() && k->second.closed.count(year - 1) == 0) {
    if (!k->second.closed.empty()) return Refuse("R-ACC-8");
    for (const auto& [id, c] : k->second.conventions) {
      for (const auto& [n, y] : c.years) {
        if (n < year && y.covered) return Refuse("R-ACC-8");
        std::vector<const ModelPayment*> paid;
        for (const ModelPayment& p : y.acomptes) paid.push_back(&p);
        for (const ModelPayment& p : y.rappels) paid.push_back(&p);
        if (y.solde) paid.push_back(&*y.solde);
        for (const ModelPayment* p : paid) {
          if (p->date < year * 10000) return Refuse("R-ACC-8");
        }
      }
    }
  }
  return {};
}

// R-ACC-3, R-ACC-4: in month 13 of Y, for each school year Y a convention covers, the charge à
// payer and the engagement, from the DP in force on 31 December of Y.
void Model::Apply(const v1::CloseCivilYear& cmd) {
  ModelCaf& k = cafs[cmd.caf_id()];
  const int32_t year = cmd.civil_year();
  k.closed.insert(year);
  ++k.lines_changed;  // a closing is looked at even when it books nothing
  for (const auto& [id, c] : k.conventions) {
    const std::optional<ModelClosing> closing = ClosingOf(c, year);
    if (!closing) continue;
    k.closings[{id, year}] = *closing;
    const std::string code = PsCode(k.gestionnaires.at(c.gestionnaire).kind);
    Book(k.lines, {year, 13, "R-ACC-3", id, year, Subsidy(0), kChargesAPayer, code},
         closing->charge, &k.lines_changed);
    Book(k.lines, {year, 13, "R-ACC-4", id, year, kEngagementDebit, kEngagementCredit, code},
         closing->engagement, &k.lines_changed);
  }
}

// R-ACC-8 [choice]: the difference, booked on 31 December of the first civil year open when the
// fact was recorded, on the pair of accounts of the line it adjusts (a subsidy account at its age
// in that year), while that line is still open: an engagement until its reversal in December of
// the next year (R-ACC-4), a charge à payer until the solde of its school year settles it
// (R-ACC-5).
void Model::Regularise(const std::string& caf, const std::string& id) {
  ModelCaf& k = cafs.at(caf);
  const ModelConvention& c = k.conventions.at(id);
  const std::string code = PsCode(k.gestionnaires.at(c.gestionnaire).kind);
  for (const int32_t year : k.closed) {
    auto kept = k.closings.find({id, year});
    if (kept == k.closings.end()) continue;  // the closing used nothing of this convention
    const ModelClosing now = ClosingOf(c, year).value_or(ModelClosing{});
    int32_t booked = year + 1;
    while (k.closed.count(booked) > 0) ++booked;
    const ModelYear* y = &c.years.at(year);
    if (!y->solde) {
      Book(k.lines, {booked, 12, "R-ACC-8", id, year, Subsidy(booked - year), kChargesAPayer, code},
           now.charge - kept->second.charge, &k.lines_changed);
    }
    if (booked == year + 1) {
      Book(k.lines, {booked, 12, "R-ACC-8", id, year, kEngagementDebit, kEngagementCredit, code},
           now.engagement - kept->second.engagement, &k.lines_changed);
    }
    kept->second = now;
  }
}

// R-ACC-4: the engagement of school year Y (its closing and its régularisations) reversed in
// month 12 of Y+1.
ModelLines Model::ExpectedLines(const std::string& caf) const {
  auto k = cafs.find(caf);
  if (k == cafs.end()) return {};
  ModelLines out = k->second.lines;
  std::map<ModelLine, int64_t> net;  // by (convention, school year, code)
  for (const auto& [line, amount] : k->second.lines) {
    const bool debit = line.debit == kEngagementDebit && line.credit == kEngagementCredit;
    const bool credit = line.debit == kEngagementCredit && line.credit == kEngagementDebit;
    if (!debit && !credit) continue;
    ModelLine reversal = line;  // its convention, school year and code
    reversal.civil_year = line.school_year + 1;
    reversal.month = 12;
    reversal.rule = "R-ACC-4";
    reversal.debit = kEngagementCredit;
    reversal.credit = kEngagementDebit;
    net[reversal] += debit ? amount : -amount;
  }
  for (const auto& [line, amount] : net) Book(out, line, amount);
  for (const auto& [id, c] : k->second.conventions) {
    const v1::GestionnaireKind kind = k->second.gestionnaires.at(c.gestionnaire).kind;
    for (const auto& [n, y] : c.years) {
      if (y.solde) BookSolde(out, c.id, kind, y);
    }
  }
  return out;
}

// R-ACC-5: the lines of the solde of school year N paid in civil year Y, with the charge à payer
// of N its closing and their régularisations left open (lines already in `lines`).
void Model::BookSolde(ModelLines& lines, const std::string& id, v1::GestionnaireKind kind,
                      const ModelYear& y) {
  const int32_t n = y.n, civil = y.solde->date / 10000, month = y.solde->date / 100 % 100;
  int64_t open = 0;
  for (const auto& [line, amount] : lines) {
    if (line.convention != id || line.school_year != n) continue;
    if (line.credit == kChargesAPayer) open += amount;
    if (line.debit == kChargesAPayer) open -= amount;
  }
  const ModelDroit& dr = y.solde_dr;
  // The amount paid; a DR under the acomptes pays nothing (its indu is recovered apart).
  const int64_t solde = y.solde->amount > 0 ? y.solde->amount : dr.droit - y.solde_acomptes;
  const int64_t d_n = dr.n_share - y.AcomptesOfCivilYear(n);              // (a)
  const int64_t s_n = std::max<int64_t>(0, std::min(d_n, solde));
  const int64_t settled = std::min(s_n, open);                              // (b)
  const int64_t rest = std::max<int64_t>(0, solde - s_n);                   // (c)
  const int64_t bonus = std::min(dr.bonus_enfants + dr.bonus_parents, rest);
  const std::string ps = PsCode(kind);
  const std::string n_share = Subsidy(civil - n), n1_share = Subsidy(civil - n - 1);
  auto at = [&](std::string debit, std::string credit, std::string code) {
    return ModelLine{civil, month, "R-ACC-5", id, n, std::move(debit), std::move(credit),
                     std::move(code)};
  };
  Book(lines, at(kChargesAPayer, kSettlement, ps), settled);
  Book(lines, at(n_share, kSettlement, ps), s_n - settled);
  Book(lines, at(n1_share, kSettlement, BonusCode(kind)), bonus);
  Book(lines, at(n1_share, kSettlement, ps), rest - bonus);
  Book(lines, at(kChargesAPayer, n_share, ps), open - settled);  // (d) [choice]
}

}  // namespace clas::sim
