// The fixed material of the demo: the Cafs and their weights, the barèmes, the generator, days.
#include <algorithm>
#include <array>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "ledger/base/status_macros.h"
#include "tools/demo/plan.h"

namespace clas::demo {
namespace {

// The 101 départements, each with its Caf, and a population in thousands (rounded census
// figures, illustrative: they only skew the number of actions per Caf).
constexpr std::array<CafInfo, kCafsMax> kCafs = {{
    {"01", 660},   {"02", 530},  {"03", 335},  {"04", 165},  {"05", 140},  {"06", 1090},
    {"07", 330},   {"08", 270},  {"09", 155},  {"10", 310},  {"11", 375},  {"12", 280},
    {"13", 2040},  {"14", 695},  {"15", 145},  {"16", 350},  {"17", 655},  {"18", 300},
    {"19", 240},   {"2A", 160},  {"2B", 180},  {"21", 535},  {"22", 600},  {"23", 115},
    {"24", 410},   {"25", 545},  {"26", 520},  {"27", 600},  {"28", 430},  {"29", 915},
    {"30", 750},   {"31", 1400}, {"32", 190},  {"33", 1650}, {"34", 1180}, {"35", 1080},
    {"36", 220},   {"37", 610},  {"38", 1270}, {"39", 260},  {"40", 410},  {"41", 330},
    {"42", 765},   {"43", 227},  {"44", 1430}, {"45", 680},  {"46", 174},  {"47", 330},
    {"48", 76},    {"49", 820},  {"50", 495},  {"51", 565},  {"52", 172},  {"53", 307},
    {"54", 733},   {"55", 184},  {"56", 760},  {"57", 1045}, {"58", 204},  {"59", 2610},
    {"60", 830},   {"61", 280},  {"62", 1465}, {"63", 660},  {"64", 680},  {"65", 230},
    {"66", 480},   {"67", 1140}, {"68", 765},  {"69", 1870}, {"70", 235},  {"71", 550},
    {"72", 565},   {"73", 435},  {"74", 830},  {"75", 2150}, {"76", 1255}, {"77", 1420},
    {"78", 1450},  {"79", 375},  {"80", 570},  {"81", 390},  {"82", 260},  {"83", 1080},
    {"84", 560},   {"85", 685},  {"86", 438},  {"87", 373},  {"88", 365},  {"89", 335},
    {"90", 141},   {"91", 1300}, {"92", 1625}, {"93", 1650}, {"94", 1400}, {"95", 1250},
    {"971", 385},  {"972", 360}, {"973", 285}, {"974", 860}, {"976", 300},
}};

}  // namespace

uint64_t Rng::Next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

int64_t Rng::Between(int64_t lo, int64_t hi) {
  CLAS_CHECK(lo <= hi) << "Rng::Between(" << lo << ", " << hi << ")";
  const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
  return lo + static_cast<int64_t>(Next() % span);
}

uint64_t MixSeed(uint64_t seed, uint64_t salt) {
  Rng rng(seed ^ (salt * 0xD1B54A32D192ED03ull));
  rng.Next();
  return rng.Next();
}

uint64_t Fingerprint(std::string_view text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

int32_t AddDays(int32_t ymd, int days) {
  const absl::CivilDay day(ymd / 10000, ymd / 100 % 100, ymd % 100);
  const absl::CivilDay out = day + days;
  return static_cast<int32_t>(out.year() * 10000 + out.month() * 100 + out.day());
}

int32_t DayBetween(Rng& rng, int32_t from, int32_t to) {
  if (to <= from) return from;
  const absl::CivilDay a(from / 10000, from / 100 % 100, from % 100);
  const absl::CivilDay b(to / 10000, to / 100 % 100, to % 100);
  return AddDays(from, static_cast<int>(rng.Between(0, b - a)));
}

const CafInfo& CafAt(int index) {
  CLAS_CHECK(index >= 0 && index < kCafsMax) << "no Caf " << index;
  return kCafs[index];
}

std::string CafId(const CafInfo& caf) { return absl::StrCat("caf-", absl::AsciiStrToLower(caf.code)); }

std::vector<int> Spread(int total, const std::vector<int64_t>& weights) {
  const int n = static_cast<int>(weights.size());
  std::vector<int> out(n, 0);
  if (n == 0 || total <= 0) return out;
  const int floor_each = total >= n ? 1 : 0;
  const int64_t rest = total - static_cast<int64_t>(floor_each) * n;
  int64_t sum = 0;
  for (int64_t w : weights) sum += w;
  std::vector<std::pair<int64_t, int>> remainders;  // (remainder, index), largest first
  int64_t given = 0;
  for (int i = 0; i < n; ++i) {
    const int64_t share = rest * weights[i];
    out[i] = floor_each + static_cast<int>(share / sum);
    given += share / sum;
    remainders.push_back({share % sum, -i});
  }
  std::sort(remainders.rbegin(), remainders.rend());
  for (int64_t k = 0; k < rest - given; ++k) ++out[-remainders[k].second];
  return out;
}

// Illustrative barèmes, of the order of the public figures (RULES.md §5): a plafond rising
// slightly to 7 886,16 € (a PS of at most 2 563,00 € per collectif) and frozen from 2025, bonus
// enfants and bonus parents of several hundred euros up to 1 000 €. Not the Cnaf's figures.
v1::BaremeFigures DemoBareme(int32_t school_year) {
  struct Figures { int32_t year; int64_t plafond, enfants, parents; };
  constexpr Figures kTable[] = {{2021, 760000, 80000, 60000},
                                {2022, 770000, 85000, 65000},
                                {2023, 780000, 90000, 70000},
                                {2024, 788616, 100000, 75000}};  // frozen from 2025 on
  Figures f = kTable[0];
  for (const Figures& t : kTable) {
    if (t.year <= school_year) f = t;
  }
  if (school_year < kTable[0].year) {
    f.plafond = std::max<int64_t>(500000, f.plafond - 10000 * (kTable[0].year - school_year));
  }
  v1::BaremeFigures b;
  b.set_school_year(school_year);
  b.set_plafond_cents(f.plafond);
  b.set_bonus_enfants_cents(f.enfants);
  b.set_bonus_parents_cents(f.parents);
  return b;
}

std::string CommandName(const Command& command) {
  return std::visit([](const auto& c) { return c.GetDescriptor()->name(); }, command);
}

}  // namespace clas::demo
