// The rules of RULES.md as constants: one per rule id, with the section of circular C-2026-069
// every violation of it names ("R-PAY-2 (§4) ..."). A rule is named through these constants
// only, so that a mistyped id is a compile error and a rule never names two sections.
//
// The section is the circular's (§2.1 eligibility, §2.2 and §3.3 bonuses, §2.3 agrément and
// co-financing, §3.1 conventions, §3.2 the droit, §4 payments, accounts and contrôle); the
// history rules have none in the circular and name RULES.md's own part 9.
//
// Thread-safety: constants.
#ifndef CLAS_PROJECTIONS_CORE_RULE_H_
#define CLAS_PROJECTIONS_CORE_RULE_H_

#include <cstddef>
#include <iterator>
#include <string_view>

namespace clas {

// A rule of RULES.md: its id and the section of the circular it applies.
struct Rule {
  std::string_view id;
  std::string_view section;
  friend constexpr bool operator==(const Rule&, const Rule&) = default;
};

namespace rule {

// 2. Eligibility of a project.
inline constexpr Rule kElig1{"R-ELIG-1", "§2.1"};
inline constexpr Rule kElig2{"R-ELIG-2", "§2.1"};
inline constexpr Rule kElig3{"R-ELIG-3", "§2.1"};
inline constexpr Rule kElig4{"R-ELIG-4", "§2.1"};
inline constexpr Rule kElig5{"R-ELIG-5", "§2.1"};
inline constexpr Rule kElig6{"R-ELIG-6", "§2.1"};
inline constexpr Rule kElig7{"R-ELIG-7", "§2.1"};
inline constexpr Rule kElig8{"R-ELIG-8", "§2.1"};
inline constexpr Rule kElig9{"R-ELIG-9", "§2.1"};
// 3. Bonuses: their criteria (§2.2), their grant and payment (§3.3).
inline constexpr Rule kBon1{"R-BON-1", "§2.2"};
inline constexpr Rule kBon2{"R-BON-2", "§2.2"};
inline constexpr Rule kBon3{"R-BON-3", "§3.3"};
inline constexpr Rule kBon4{"R-BON-4", "§3.3"};
// 4. Agrément (§2.3), conventions and avenants (§3.1).
inline constexpr Rule kConv1{"R-CONV-1", "§2.3"};
inline constexpr Rule kConv2{"R-CONV-2", "§2.3"};
inline constexpr Rule kConv3{"R-CONV-3", "§3.1"};
inline constexpr Rule kConv4{"R-CONV-4", "§3.1"};
inline constexpr Rule kConv5{"R-CONV-5", "§3.1"};
inline constexpr Rule kConv6{"R-CONV-6", "§3.1"};
// 5. The droit of one school year: the PS and the barème (§3.2), the bonuses (§3.3), the
// co-financing (§2.3).
inline constexpr Rule kDroit1{"R-DROIT-1", "§3.2"};
inline constexpr Rule kDroit2{"R-DROIT-2", "§3.2"};
inline constexpr Rule kDroit3{"R-DROIT-3", "§3.2"};
inline constexpr Rule kDroit4{"R-DROIT-4", "§3.3"};
inline constexpr Rule kDroit5{"R-DROIT-5", "§2.3"};
inline constexpr Rule kDroit6{"R-DROIT-6", "§3.2"};
inline constexpr Rule kDroit7{"R-DROIT-7", "§3.2"};
// 6. Payments over two civil years.
inline constexpr Rule kPay1{"R-PAY-1", "§4"};
inline constexpr Rule kPay2{"R-PAY-2", "§4"};
inline constexpr Rule kPay3{"R-PAY-3", "§4"};
inline constexpr Rule kPay4{"R-PAY-4", "§4"};
inline constexpr Rule kPay5{"R-PAY-5", "§4"};
inline constexpr Rule kPay6{"R-PAY-6", "§4"};
inline constexpr Rule kPay7{"R-PAY-7", "§4"};
inline constexpr Rule kPay8{"R-PAY-8", "§4"};
inline constexpr Rule kPay9{"R-PAY-9", "§4"};
// 7. Accounting of a civil year.
inline constexpr Rule kAcc1{"R-ACC-1", "§4"};
inline constexpr Rule kAcc2{"R-ACC-2", "§4"};
inline constexpr Rule kAcc3{"R-ACC-3", "§4"};
inline constexpr Rule kAcc4{"R-ACC-4", "§4"};
inline constexpr Rule kAcc5{"R-ACC-5", "§4"};
inline constexpr Rule kAcc6{"R-ACC-6", "§4"};
inline constexpr Rule kAcc7{"R-ACC-7", "§4"};
inline constexpr Rule kAcc8{"R-ACC-8", "§4"};
inline constexpr Rule kAcc9{"R-ACC-9", "§4"};
inline constexpr Rule kAcc10{"R-ACC-10", "§4"};
// 8. Contrôle, indu and rappel.
inline constexpr Rule kCtl1{"R-CTL-1", "§4"};
inline constexpr Rule kCtl2{"R-CTL-2", "§4"};
inline constexpr Rule kCtl3{"R-CTL-3", "§4"};
inline constexpr Rule kCtl4{"R-CTL-4", "§4"};
inline constexpr Rule kCtl5{"R-CTL-5", "§4"};
// 9. History (RULES.md's own part: the circular has no section for it).
inline constexpr Rule kHist1{"R-HIST-1", "§9"};
inline constexpr Rule kHist2{"R-HIST-2", "§9"};
inline constexpr Rule kHist3{"R-HIST-3", "§9"};
inline constexpr Rule kHist4{"R-HIST-4", "§9"};

// Every rule, in RULES.md's order.
inline constexpr Rule kAll[] = {
    kElig1,  kElig2,  kElig3,  kElig4,  kElig5, kElig6, kElig7, kElig8, kElig9,  kBon1,   kBon2,
    kBon3,   kBon4,   kConv1,  kConv2,  kConv3, kConv4, kConv5, kConv6, kDroit1, kDroit2, kDroit3,
    kDroit4, kDroit5, kDroit6, kDroit7, kPay1,  kPay2,  kPay3,  kPay4,  kPay5,   kPay6,   kPay7,
    kPay8,   kPay9,   kAcc1,   kAcc2,   kAcc3,  kAcc4,  kAcc5,  kAcc6,  kAcc7,   kAcc8,   kAcc9,
    kAcc10,  kCtl1,   kCtl2,   kCtl3,   kCtl4,  kCtl5,  kHist1, kHist2, kHist3,  kHist4};

}  // namespace rule

namespace rule_internal {
constexpr bool IdsAreUniqueAndWellFormed() {
  for (size_t i = 0; i < std::size(rule::kAll); ++i) {
    const Rule& a = rule::kAll[i];
    if (a.id.substr(0, 2) != "R-" || a.section.substr(0, 2) != "§") return false;
    for (size_t j = i + 1; j < std::size(rule::kAll); ++j) {
      if (a.id == rule::kAll[j].id) return false;
    }
  }
  return true;
}
}  // namespace rule_internal

static_assert(std::size(rule::kAll) == 54, "RULES.md has 54 rules");
static_assert(rule_internal::IdsAreUniqueAndWellFormed(), "each rule id once, R-…, with a §");

}  // namespace clas

#endif  // CLAS_PROJECTIONS_CORE_RULE_H_
