// The invariants of the books the closings and soldes make (simulation.h): every line of the
// closings (R-ACC-3, R-ACC-4), of the reversals of their engagements (R-ACC-4), of their
// régularisations (R-ACC-8) and of the soldes (R-ACC-5: the charge à payer settled, the N and N+1
// parts, the bonus, what is left of the charge cancelled) equals the model's, to the cent, on the
// same accounts, code, civil year and month.
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "projections/accounts/books.h"
#include "tests/sim/simulation.h"

namespace clas::sim {
namespace {

std::string Describe(const ModelLine& l) {
  return absl::StrCat(l.civil_year, "/", l.month, " ", l.rule, " ", l.convention, " ",
                      l.school_year, " D ", l.debit, " C ", l.credit, " ", l.code);
}

}  // namespace

void Simulation::CheckBooks(const std::string& caf) {
  ++summary_.checks;
  auto books = engine_->Books(caf, AsOf{});
  auto lines = books.ok() ? AllLines(*books) : absl::StatusOr<rules::Lines>(books.status());
  if (!lines.ok()) {
    return Violation("R-ACC-8", absl::StrCat(caf, " books: ", lines.status().ToString()));
  }
  static const std::set<std::string> kRules = {"R-ACC-3", "R-ACC-4", "R-ACC-5", "R-ACC-8"};
  ModelLines got;
  for (const Line& l : *lines) {
    const std::string rule(l.rule.id);
    if (kRules.count(rule) == 0) continue;
    got[ModelLine{l.civil_year().y(), l.month, rule, l.convention_id, l.school_year.n(),
                  std::string(AccountName(l.debit)), std::string(AccountName(l.credit)),
                  std::string(CodeName(l.code))}] += l.amount.cents();
  }
  const ModelLines want = model_.ExpectedLines(caf);
  std::string differences;
  int count = 0;
  auto differ = [&](const ModelLine& l, int64_t model, int64_t ledger) {
    if (++count <= 4) {
      absl::StrAppend(&differences, "\n  ", Describe(l), ": the model says ", model,
                      ", the ledger ", ledger);
    }
  };
  for (const auto& [line, amount] : want) {
    auto it = got.find(line);
    const int64_t ledger = it == got.end() ? 0 : it->second;
    if (ledger != amount) differ(line, amount, ledger);
  }
  for (const auto& [line, amount] : got) {
    if (want.count(line) == 0) differ(line, 0, amount);
  }
  if (count > 0) {
    Violation("R-ACC-8",
              absl::StrCat(caf, ": ", count, " lines of the closings or soldes differ",
                           differences));
  }
}

}  // namespace clas::sim
