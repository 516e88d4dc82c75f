// The SVG bar chart of one school year in the HTML report (report_html.h).
#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/clasctl/report_html.h"
#include "tools/clasctl/text.h"

namespace clas::ctl {
namespace {

// Geometry of the chart, in SVG user units (the page scales it to its width).
constexpr int kLabelWidth = 190;
constexpr int kBarWidthMax = 480;
constexpr int kRowHeight = 36;
constexpr int kBarHeight = 22;
constexpr int kTop = 10;
constexpr int kChartWidth = 1000;

constexpr char kColorDp[] = "#8fb3d9";
constexpr char kColorDr[] = "#4a7fb5";
constexpr char kColorDc[] = "#1f4e79";
constexpr char kColorAcomptes[] = "#5fa877";
constexpr char kColorSolde[] = "#2e7d4f";
constexpr char kColorRappels[] = "#b5d67a";
constexpr char kColorIndu[] = "#c0392b";

struct Paid {
  int64_t acomptes_cents = 0;
  int64_t solde_cents = 0;
  int64_t rappels_cents = 0;
  int64_t indus_cents = 0;
  int64_t gross_cents() const { return acomptes_cents + solde_cents + rappels_cents; }
};

Paid PaidOf(const v1::SchoolYearState& y) {
  Paid p;
  for (const auto& a : y.acomptes()) p.acomptes_cents += a.amount_cents();
  if (y.solde_paid()) p.solde_cents = y.solde().amount_cents();
  for (const auto& r : y.rappels()) p.rappels_cents += r.amount_cents();
  p.indus_cents = y.indus_notified_cents();
  return p;
}

// Bar length of `cents` on a scale where `max_cents` fills the bar area.
int64_t Length(int64_t cents, int64_t max_cents) {
  return std::max<int64_t>(cents, 0) * kBarWidthMax / max_cents;
}

std::string Text(int64_t x, int64_t y, const std::string& text, const std::string& cls) {
  return absl::StrCat("<text x=\"", x, "\" y=\"", y, "\" class=\"", cls, "\">", HtmlEscape(text),
                      "</text>");
}

std::string Rect(int64_t x, int64_t y, int64_t w, int64_t h, const std::string& fill,
                 const std::string& title) {
  return absl::StrCat("<rect x=\"", x, "\" y=\"", y, "\" width=\"", w, "\" height=\"", h,
                      "\" fill=\"", fill, "\"><title>", HtmlEscape(title), "</title></rect>");
}

// One row: its label on the left, then a bar (or "non calculé"), then its amount.
std::string DroitRow(int row, const std::string& label, bool present,
                     const v1::DroitBreakdown& droit, const char* color, int64_t max_cents) {
  const int64_t y = kTop + row * kRowHeight;
  std::string out = Text(0, y + 16, label, "lbl");
  if (!present) return out + Text(kLabelWidth, y + 16, "non calculé", "na");
  const int64_t w = Length(droit.droit_cents(), max_cents);
  absl::StrAppend(&out, Rect(kLabelWidth, y, w, kBarHeight, color, label),
                  Text(kLabelWidth + w + 8, y + 16, Eur(droit.droit_cents()), "val"));
  return out;
}

std::string PaidRow(int row, const Paid& p, int64_t year, int64_t max_cents) {
  const int64_t y = kTop + row * kRowHeight;
  std::string out = Text(0, y + 16, "Versé", "lbl");
  int64_t x = kLabelWidth;
  const std::pair<int64_t, const char*> parts[] = {
      {p.acomptes_cents, kColorAcomptes}, {p.solde_cents, kColorSolde},
      {p.rappels_cents, kColorRappels}};
  const char* names[] = {"Acomptes", "Solde", "Rappels"};
  for (int i = 0; i < 3; ++i) {
    const int64_t w = Length(parts[i].first, max_cents);
    if (w <= 0) continue;
    absl::StrAppend(&out, Rect(x, y, w, kBarHeight, parts[i].second,
                               absl::StrCat(names[i], " ", Eur(parts[i].first))));
    x += w;
  }
  if (p.indus_cents > 0) {
    const int64_t w = std::min(Length(p.indus_cents, max_cents), x - kLabelWidth);
    absl::StrAppend(&out, Rect(x - w, y, w, kBarHeight, absl::StrCat("url(#indu-", year, ")"),
                               absl::StrCat("Indus notifiés −", Eur(p.indus_cents))));
  }
  const std::string label =
      p.indus_cents > 0 ? absl::StrCat(Eur(p.gross_cents() - p.indus_cents), " net (indus −",
                                       Eur(p.indus_cents), ")")
                        : Eur(p.gross_cents());
  return out + Text(x + 8, y + 16, label, "val");
}

std::string Legend(int64_t y) {
  std::string out;
  const std::pair<const char*, const char*> items[] = {{"Acomptes", kColorAcomptes},
                                                       {"Solde", kColorSolde},
                                                       {"Rappels", kColorRappels},
                                                       {"Indus notifiés (à déduire)", kColorIndu}};
  int64_t x = kLabelWidth;
  for (const auto& [name, color] : items) {
    absl::StrAppend(&out, "<rect x=\"", x, "\" y=\"", y, "\" width=\"12\" height=\"12\" fill=\"",
                    color, "\"/>", Text(x + 17, y + 11, name, "leg"));
    x += 30 + static_cast<int64_t>(DisplayWidth(name)) * 7;
  }
  return out;
}

}  // namespace

std::string SchoolYearChartSvg(const v1::SchoolYearState& y) {
  const Paid paid = PaidOf(y);
  int64_t max_cents = std::max<int64_t>({y.dp().droit_cents(), y.dr().droit_cents(),
                                         y.dc().droit_cents(), paid.gross_cents(), 1});
  const int64_t height = kTop + 4 * kRowHeight + 24;
  std::string out = absl::StrCat(
      "<svg class=\"chart\" viewBox=\"0 0 ", kChartWidth, " ",
      height, "\" role=\"img\" aria-label=\"Droits et versements ",
      SchoolYearText(y.school_year()), "\">");
  absl::StrAppend(&out, "<defs><pattern id=\"indu-", y.school_year(),
                  "\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
                  "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fff\"/>"
                  "<rect width=\"3\" height=\"6\" fill=\"",
                  kColorIndu, "\"/></pattern></defs>");
  absl::StrAppend(&out, DroitRow(0, "Droit prévisionnel (DP)", y.has_dp(), y.dp(), kColorDp,
                                 max_cents),
                  DroitRow(1, "Droit réel (DR)", y.has_dr(), y.dr(), kColorDr, max_cents),
                  DroitRow(2, "Droit contrôlé (DC)", y.has_dc(), y.dc(), kColorDc, max_cents),
                  PaidRow(3, paid, y.school_year(), max_cents));
  // The droit that governs the year (DC, else DR, else DP) as a dashed line across the bars.
  const v1::DroitBreakdown* final_droit =
      y.has_dc() ? &y.dc() : y.has_dr() ? &y.dr() : y.has_dp() ? &y.dp() : nullptr;
  if (final_droit != nullptr) {
    const int64_t x = kLabelWidth + Length(final_droit->droit_cents(), max_cents);
    absl::StrAppend(&out, "<line x1=\"", x, "\" y1=\"", kTop - 6, "\" x2=\"", x, "\" y2=\"",
                    kTop + 4 * kRowHeight - 8, "\" class=\"ref\"/>");
  }
  absl::StrAppend(&out, Legend(kTop + 4 * kRowHeight), "</svg>");
  return out;
}

}  // namespace clas::ctl
