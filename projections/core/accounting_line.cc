#include "projections/core/accounting_line.h"

namespace clas {

std::optional<Account> AccountNamed(std::string_view name) {
  for (Account a : kAccounts) {
    if (AccountName(a) == name) return a;
  }
  return std::nullopt;
}

std::optional<StatisticalCode> CodeNamed(std::string_view name) {
  for (StatisticalCode c : kStatisticalCodes) {
    if (CodeName(c) == name) return c;
  }
  return std::nullopt;
}

}  // namespace clas
