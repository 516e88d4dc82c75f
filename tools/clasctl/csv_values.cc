#include "tools/clasctl/csv_values.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "projections/core/calendar.h"

namespace clas::ctl {
namespace {

constexpr std::string_view kNoBreakSpace = "\xC2\xA0";            // U+00A0
constexpr std::string_view kNarrowNoBreakSpace = "\xE2\x80\xAF";  // U+202F
constexpr std::string_view kEuroSign = "\xE2\x82\xAC";            // U+20AC

// Bytes of the space (' ', tab, U+00A0, U+202F) starting at s[i], 0 if none.
size_t SpaceAt(std::string_view s, size_t i) {
  if (s[i] == ' ' || s[i] == '\t') return 1;
  if (s.substr(i, 2) == kNoBreakSpace) return 2;
  if (s.substr(i, 3) == kNarrowNoBreakSpace) return 3;
  return 0;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && SpaceAt(s, 0) > 0) s.remove_prefix(SpaceAt(s, 0));
  for (;;) {
    if (s.ends_with(' ') || s.ends_with('\t')) {
      s.remove_suffix(1);
    } else if (s.ends_with(kNoBreakSpace)) {
      s.remove_suffix(2);
    } else if (s.ends_with(kNarrowNoBreakSpace)) {
      s.remove_suffix(3);
    } else {
      return s;
    }
  }
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view s) {
  for (const char c : s) {
    if (!IsDigit(c)) return false;
  }
  return !s.empty();
}

int Number(std::string_view digits) {  // REQUIRES: AllDigits, at most 9 of them
  int out = 0;
  for (const char c : digits) out = out * 10 + (c - '0');
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char separator) {
  std::vector<std::string_view> out;
  for (size_t start = 0;;) {
    const size_t end = s.find(separator, start);
    out.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

absl::Status Bad(std::string_view why, std::string_view text) {
  return absl::InvalidArgumentError(
      absl::StrCat(std::string(why), " (« ", std::string(text), " »)"));
}

// The folded form of the code point `c` (already decoded), appended to `out`.
void AppendFolded(uint32_t c, std::string& out) {
  static constexpr std::string_view kLatin1 =  // U+00C0 to U+00FF, without their accent
      "aaaaaaaceeeeiiiidnooooo*ouuuuyts"
      "aaaaaaaceeeeiiiidnooooo/ouuuuyty";
  if (c >= 'A' && c <= 'Z') {
    out.push_back(static_cast<char>(c - 'A' + 'a'));
  } else if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c >= 0xC0 && c <= 0xFF && c != 0xD7 && c != 0xF7) {
    if (c == 0xC6 || c == 0xE6) {
      out += "ae";
    } else if (c == 0xDF) {
      out += "ss";
    } else {
      out.push_back(kLatin1[c - 0xC0]);
    }
  } else if (c == 0x152 || c == 0x153) {
    out += "oe";
  } else if (c == 0x2018 || c == 0x2019) {
    out.push_back('\'');
  } else {  // kept as UTF-8
    if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    } else {
      if (c < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      } else {
        out.push_back(static_cast<char>(0xF0 | (c >> 18)));
        out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      }
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    }
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// The code point at s[i] and its length; a byte that does not start a UTF-8 sequence is read as
// itself (the folding of invalid text is then stable, if meaningless).
uint32_t CodePointAt(std::string_view s, size_t i, size_t& length) {
  const unsigned char b = static_cast<unsigned char>(s[i]);
  size_t n = b < 0x80             ? 1
             : (b & 0xE0) == 0xC0 ? 2
             : (b & 0xF0) == 0xE0 ? 3
             : (b & 0xF8) == 0xF0 ? 4
                                  : 0;
  if (n == 0 || i + n > s.size()) {
    length = 1;
    return b;
  }
  uint32_t c = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
  for (size_t k = 1; k < n; ++k) {
    const unsigned char next = static_cast<unsigned char>(s[i + k]);
    if ((next & 0xC0) != 0x80) {
      length = 1;
      return b;
    }
    c = (c << 6) | (next & 0x3F);
  }
  length = n;
  return c;
}

// Euros of the integer part, grouped by three or not; its own errors.
absl::StatusOr<int64_t> WholeEuros(std::string_view whole, std::string_view text) {
  int64_t euros = 0;
  int digits = 0;  // in the current group
  int separators = 0;
  for (size_t i = 0; i < whole.size();) {
    if (IsDigit(whole[i])) {
      if (__builtin_mul_overflow(euros, 10, &euros) ||
          __builtin_add_overflow(euros, whole[i] - '0', &euros)) {
        return Bad("montant trop grand", text);
      }
      ++digits, ++i;
    } else if (const size_t n = SpaceAt(whole, i); n > 0) {
      if (digits == 0 || digits > 3 || (separators > 0 && digits != 3)) {
        return Bad("chiffres mal groupés : par trois, ainsi 1 234 567,89", text);
      }
      ++separators, digits = 0, i += n;
    } else {
      return Bad("caractère inattendu dans un montant : écrivez par exemple 1 234,56", text);
    }
  }
  if (digits == 0) return Bad("montant sans chiffre avant la virgule", text);
  if (separators > 0 && digits != 3) {
    return Bad("chiffres mal groupés : par trois, ainsi 1 234 567,89", text);
  }
  return euros;
}

}  // namespace

std::string_view TrimCell(std::string_view text) { return TrimSpaces(text); }

std::string FoldForMatch(std::string_view utf8) {
  std::string out;
  bool space = false;
  for (size_t i = 0; i < utf8.size();) {
    if (const size_t n = SpaceAt(utf8, i); n > 0) {
      space = true;
      i += n;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    size_t length = 0;
    AppendFolded(CodePointAt(utf8, i, length), out);
    i += length;
  }
  return out;
}

absl::StatusOr<int64_t> ParseAmountCents(std::string_view text) {
  std::string_view s = TrimSpaces(text);
  if (s.ends_with(kEuroSign)) s = TrimSpaces(s.substr(0, s.size() - kEuroSign.size()));
  const bool negative = s.starts_with('-');
  if (negative) s.remove_prefix(1);
  if (s.empty()) return Bad("montant vide", text);
  if (s.find('.') != std::string_view::npos) {
    return Bad("le point n'est pas le séparateur décimal : écrivez 1 234,56", text);
  }
  const size_t comma = s.find(',');
  const std::string_view fraction =
      comma == std::string_view::npos ? std::string_view() : s.substr(comma + 1);
  if (comma != std::string_view::npos && !AllDigits(fraction)) {
    return Bad("une ou deux décimales attendues après la virgule", text);
  }
  if (fraction.size() > 2) return Bad("plus de deux décimales", text);
  absl::StatusOr<int64_t> euros = WholeEuros(s.substr(0, comma), text);
  if (!euros.ok()) return euros.status();
  int64_t cents = 0;
  const int64_t hundredths =
      fraction.empty() ? 0 : Number(fraction) * (fraction.size() == 1 ? 10 : 1);
  if (__builtin_mul_overflow(*euros, 100, &cents) ||
      __builtin_add_overflow(cents, hundredths, &cents)) {
    return Bad("montant trop grand", text);
  }
  return negative ? -cents : cents;
}

absl::StatusOr<int32_t> ParseDayYmd(std::string_view text) {
  const std::string_view s = TrimSpaces(text);
  int y = -1, m = -1, d = -1;
  const std::vector<std::string_view> iso = Split(s, '-');
  const std::vector<std::string_view> fr = Split(s, '/');
  const auto digits = [](std::string_view part, size_t min, size_t max) {
    return AllDigits(part) && part.size() >= min && part.size() <= max ? Number(part) : -1;
  };
  if (iso.size() == 3 && iso[0].size() == 4) {
    y = digits(iso[0], 4, 4), m = digits(iso[1], 2, 2), d = digits(iso[2], 2, 2);
  } else if (fr.size() == 3) {
    if (AllDigits(fr[2]) && fr[2].size() == 2) {
      return Bad("année sur deux chiffres : écrivez-la en entier, ainsi 15/10/2026", text);
    }
    d = digits(fr[0], 1, 2), m = digits(fr[1], 1, 2), y = digits(fr[2], 4, 4);
  }
  if (y < 0 || m < 0 || d < 0) {
    return Bad("date illisible : attendu JJ/MM/AAAA, ainsi 15/10/2026, sans heure", text);
  }
  const int32_t ymd = y * 10000 + m * 100 + d;
  if (ymd < kDateMin || ymd > kDateMax) {
    return Bad(absl::StrCat("date hors de la plage acceptée (", kDateMin / 10000, " à ",
                            kDateMax / 10000, ")"),
               text);
  }
  if (!IsValidYmd(ymd)) return Bad("ce jour n'existe pas", text);
  return ymd;
}

absl::StatusOr<int32_t> ParseCivilYearN(std::string_view text) {
  const std::string_view s = TrimSpaces(text);
  if (!AllDigits(s) || s.size() != 4) return Bad("année sur quatre chiffres attendue", text);
  const int year = Number(s);
  if (year < kDateMin / 10000 || year > kDateMax / 10000) {
    return Bad(absl::StrCat("année hors de la plage acceptée (", kDateMin / 10000, " à ",
                            kDateMax / 10000, ")"),
               text);
  }
  return year;
}

absl::StatusOr<int32_t> ParseSchoolYearN(std::string_view text) {
  const std::string_view s = TrimSpaces(text);
  const size_t dash = s.find_first_of("-/");
  absl::StatusOr<int32_t> first = ParseCivilYearN(s.substr(0, dash));
  if (dash == std::string_view::npos || !first.ok()) {
    if (!first.ok()) return Bad("année scolaire attendue, ainsi 2026 ou 2026-2027", text);
    return first;
  }
  absl::StatusOr<int32_t> second = ParseCivilYearN(s.substr(dash + 1));
  if (!second.ok() || *second != *first + 1) {
    return Bad("année scolaire attendue, ainsi 2026 ou 2026-2027 (deux années qui se suivent)",
               text);
  }
  return first;
}

absl::StatusOr<int32_t> ParseCount(std::string_view text) {
  const std::string_view s = TrimSpaces(text);
  if (!AllDigits(s) || s.size() > 7 || Number(s) > kCsvCountMax) {
    return Bad(absl::StrCat("nombre entier de 0 à ", kCsvCountMax, " attendu"), text);
  }
  return Number(s);
}

absl::StatusOr<bool> ParseYesNo(std::string_view text) {
  const std::string folded = FoldForMatch(text);
  for (const char* yes : {"oui", "o", "x", "vrai", "1"}) {
    if (folded == yes) return true;
  }
  for (const char* no : {"non", "n", "faux", "0"}) {
    if (folded == no) return false;
  }
  return Bad("oui ou non attendu", text);
}

}  // namespace clas::ctl
