#include "tools/clasctl/format_convention.h"

#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace clas::ctl {
namespace {

// The fold's "no limit" values of the two time axes (projections/convention/fold.h).
constexpr int32_t kEveryDate = 99991231;
constexpr int64_t kKnownNow = std::numeric_limits<int64_t>::max();

// "  Label         text\n": the labels of a block line up.
std::string Field(const std::string& indent, const std::string& label, const std::string& text) {
  std::string padded = label;
  while (DisplayWidth(padded) < 14) padded += ' ';
  return absl::StrCat(indent, padded, text, "\n");
}

std::string Header(const v1::ConventionState& s, uint64_t log_position) {
  std::string out = absl::StrCat("Convention ", s.convention_id(), " — Caf ", s.caf_id(), " — ",
                                 StatusLabel(s.status()), "\n");
  out += Field("  ", "Gestionnaire",
               absl::StrCat(s.gestionnaire_id(), " « ", s.gestionnaire_name(), " », ",
                            KindLabel(s.gestionnaire_kind())));
  if (!s.convention_event_id().empty()) {
    out += Field("  ", "Signée",
                 absl::StrCat("le ", Day(s.signed_date()), ", années scolaires ",
                              SchoolYearText(s.first_school_year()), " à ",
                              SchoolYearText(s.last_school_year())));
    out += Field("  ", "Budget",
                 absl::StrCat("charges ", Eur(s.convention_charges_cents()), ", autres BF ",
                              Eur(s.convention_autres_bf_cents()), " par année scolaire"));
  } else if (s.has_request()) {
    out += Field(
        "  ", "Demande",
        absl::StrCat(s.request().school_years(),
                     s.request().school_years() == 1 ? " année scolaire" : " années scolaires",
                     " à partir de ", SchoolYearText(s.request().first_school_year()), ", ",
                     Count(s.request().collectifs_size(), "collectif"), ", charges ",
                     Eur(s.request().charges_cents())));
  }
  for (const auto& a : s.avenants()) {
    const bool collectifs = a.avenant().kind() == v1::PROLONGATION_COLLECTIFS;
    out += Field(
        "  ", "Avenant",
        absl::StrCat(
            a.avenant().avenant_id(), ": prolongation ",
            collectifs ? absl::StrCat("avec ", Count(a.avenant().collectifs(), "collectif"))
                       : std::string("à l'identique"),
            ", ajoute ", SchoolYearText(a.avenant().school_year()), ", signé le ", Day(a.date())));
  }
  const std::string as_of = s.as_of_date() == 0 || s.as_of_date() == kEveryDate
                                ? "à toute date"
                                : absl::StrCat("au ", Day(s.as_of_date()));
  const std::string known =
      s.known_at_us() == 0 || s.known_at_us() == kKnownNow ? "" : Instant(s.known_at_us());
  out += Field("  ", "Reflète",
               absl::StrCat("position ", log_position, " du journal ; ", as_of, ", connu ",
                            known.empty() ? "maintenant" : absl::StrCat("le ", known)));
  return out;
}

std::string AgrementText(const v1::AgrementState& a) {
  if (!a.validated()) return "aucun";
  return absl::StrCat(
      "validé le ", Day(a.date()),
      a.mode() == v1::POUR_INFORMATION ? " (pour information)" : " (pour validation)", " : ",
      Count(a.agreed_collectifs(), "collectif"), " ; bonus enfants ", a.bonus_enfants_collectifs(),
      ", bonus parents ", a.bonus_parents_collectifs(),
      a.derogation_single_session() ? " ; dérogation séance unique" : "");
}

Table AcomptesTable(const v1::SchoolYearState& y) {
  Table t({{"date"},
           {"paiement"},
           {"montant", Table::Align::kRight},
           {"exercice"},
           {"part"},
           {"plafond en vigueur", Table::Align::kRight},
           {"compensation", Table::Align::kRight}});
  for (const auto& p : y.acomptes()) {
    t.AddRow({Day(p.date()), p.payment_id(), Eur(p.amount_cents()), absl::StrCat(p.civil_year()),
              p.share(), Eur(p.cap_cents()), p.offset_cents() == 0 ? "" : Eur(p.offset_cents())});
  }
  return t;
}

std::string PaymentsText(const v1::SchoolYearState& y) {
  std::string out;
  if (y.acomptes_size() > 0) out += "  Acomptes\n" + AcomptesTable(y).Render("    ");
  const int32_t n = y.school_year();
  out += Field(
      "  ", "Plafonds",
      absl::StrFormat("exercice %d (part N, R-PAY-2) : versé %s sur %s, reste %s", n,
                      Eur(y.acomptes_n_cents()), Eur(y.cap_n_cents()), Eur(y.room_n_cents())));
  out += Field(
      "  ", "",
      absl::StrFormat("exercice %d (part N+1, R-PAY-3) : versé %s sur %s, reste %s", n + 1,
                      Eur(y.acomptes_n1_cents()), Eur(y.cap_n1_cents()), Eur(y.room_n1_cents())));
  if (y.bilan_received()) {
    const v1::Figures& b = y.bilan();
    out += Field(
        "  ", "Bilan",
        absl::StrCat("reçu le ", Day(y.bilan_date()), " : ", Count(b.collectifs(), "collectif"),
                     ", charges ", Eur(b.charges_cents()), ", autres BF ", Eur(b.autres_bf_cents()),
                     ", bonus enfants ", b.bonus_enfants_collectifs(), ", bonus parents ",
                     b.bonus_parents_collectifs()));
  } else {
    out += Field("  ", "Bilan", "non reçu");
  }
  out +=
      Field("  ", "Solde",
            y.solde_paid() ? absl::StrCat(Eur(y.solde().amount_cents()), " versé le ",
                                          Day(y.solde().date()), " (", y.solde().payment_id(), ")")
                           : std::string("non versé"));
  // R-PAY-9: the bilans corrected after the solde, each with what it made due.
  for (const auto& r : y.solde_revisions()) {
    v1::EventCorrected c;
    *c.mutable_solde_revision() = r.revision();
    out += Field(
        "  ", "Solde révisé",
        absl::StrCat(Day(r.date()), ", ", SoldeRevisionText(c).substr(3), " (", r.event_id(), ")"));
  }
  std::vector<std::string> rappels;
  for (const auto& r : y.rappels()) {
    rappels.push_back(absl::StrCat(Eur(r.amount_cents()), " versé le ", Day(r.date()), " (",
                                   r.payment_id(), ")"));
  }
  if (y.rappel_due_cents() > 0) rappels.push_back(absl::StrCat(Eur(y.rappel_due_cents()), " dû"));
  out += Field("  ", "Rappels", rappels.empty() ? "aucun" : absl::StrJoin(rappels, " ; "));
  out += Field(
      "  ", "Indus",
      absl::StrCat("notifiés ", Eur(y.indus_notified_cents()), ", recouvrés ",
                   Eur(y.indus_recovered_cents()), ", à recouvrer ", Eur(y.indus_open_cents())));
  out += Field("  ", "Versé",
               absl::StrCat(Eur(y.paid_cents()), " brut, ", Eur(y.paid_net_cents()),
                            " net des indus notifiés"));
  return out;
}

std::string YearText(const v1::SchoolYearState& y) {
  std::string out =
      absl::StrCat("\nAnnée scolaire ", SchoolYearText(y.school_year()), " — ",
                   y.covered_by().empty() ? std::string("demandée, non couverte")
                                          : absl::StrCat("couverte par ", y.covered_by()),
                   "\n");
  out += Field("  ", "Agrément", AgrementText(y.agrement()));
  out += Field("  ", "Collectifs",
               y.notified_collectifs() == 0
                   ? std::string("non notifiés")
                   : absl::StrCat(y.notified_collectifs(),
                                  y.notified_collectifs() == 1 ? " notifié" : " notifiés"));
  if (y.dp_history_size() > 1) {
    for (const auto& v : y.dp_history()) {
      out +=
          Field("  ", &v == &y.dp_history(0) ? "DP en vigueur" : "",
                absl::StrCat("à partir du ", Day(v.effective_date()), " : droit ",
                             Eur(v.dp().droit_cents()), ", PS ", Eur(v.dp().ps_cents()),
                             &v == &y.dp_history(0) ? " (R-PAY-6 : les plafonds le suivent)" : ""));
    }
  }
  out += Field("  ", "Prévisionnel",
               absl::StrCat("charges ", Eur(y.forecast_charges_cents()), ", autres BF ",
                            Eur(y.forecast_autres_bf_cents())));
  if (!y.has_dp() && !y.dp_missing_reason().empty()) {
    out += Field("  ", "DP", absl::StrCat("non calculé : ", y.dp_missing_reason()));
  }
  const std::string droits = FormatDroits(y, "    ");
  if (!droits.empty()) out += "  Droits\n" + droits;
  return out + PaymentsText(y);
}

std::string ControlesText(const v1::ConventionState& s) {
  if (s.controles_size() == 0) return "";
  std::string out = "\nContrôles\n";
  for (const auto& c : s.controles()) {
    std::vector<std::string> years;
    for (int32_t n : c.school_years()) years.push_back(SchoolYearText(n));
    out += absl::StrCat(
        "  ", c.controle_id(), " — ", c.status(), ", années scolaires ", absl::StrJoin(years, ", "),
        ", ouvert le ", Day(c.opened_date()),
        c.decided_date() != 0 ? absl::StrCat(", décidé le ", Day(c.decided_date())) : "", "\n");
    for (const auto& o : c.outcomes()) {
      const std::string verdict =
          o.rappel_cents() > 0 ? absl::StrCat("rappel ", Eur(o.rappel_cents()))
          : o.indu_cents() > 0 ? absl::StrCat("indu ", Eur(o.indu_cents()))
                               : std::string("rien à verser ni à reprendre");
      out +=
          absl::StrCat("    ", SchoolYearText(o.school_year()), " : DC ", Eur(o.dc().droit_cents()),
                       ", versé ", Eur(o.paid_cents()), " → ", verdict, "\n");
    }
  }
  return out;
}

std::string IndusText(const v1::ConventionState& s) {
  if (s.indus_size() == 0) return "";
  Table t({{"indu"},
           {"année scolaire"},
           {"notifié le"},
           {"origine"},
           {"montant", Table::Align::kRight},
           {"recouvré", Table::Align::kRight},
           {"à recouvrer", Table::Align::kRight}});
  std::string recoveries;
  for (const auto& i : s.indus()) {
    const std::string origin = InduOriginLabel(i.origin(), i.controle_id());
    t.AddRow({i.indu_id(), SchoolYearText(i.school_year()), Day(i.date()), origin,
              Eur(i.amount_cents()), Eur(i.recovered_cents()), Eur(i.open_cents())});
    for (const auto& r : i.recoveries()) {
      recoveries += absl::StrCat(
          "  ", i.indu_id(), " ← ", r.recovery_id(), " ", Day(r.date()), " ", Eur(r.amount_cents()),
          r.method() == v1::OFFSET
              ? absl::StrCat(" retenus sur ", r.offset_convention_id(), "/", r.offset_payment_id())
              : std::string(" remboursés"),
          "\n");
    }
  }
  return "\nIndus\n" + t.Render("  ") + recoveries;
}

}  // namespace

std::string FormatConvention(const v1::ConventionState& state, uint64_t log_position) {
  std::string out = Header(state, log_position);
  for (const auto& y : state.years()) out += YearText(y);
  out += ControlesText(state);
  out += IndusText(state);
  if (state.warnings_size() > 0) {
    out += "\nAvertissements\n";
    for (const auto& w : state.warnings()) out += absl::StrCat("  ", ViolationLine(w), "\n");
  }
  return out;
}

std::string ConventionListCsv(const std::vector<v1::ConventionSummary>& conventions) {
  Table t({{"caf_id"},
           {"convention_id"},
           {"gestionnaire_id"},
           {"gestionnaire_name"},
           {"status"},
           {"first_school_year"},
           {"last_school_year"},
           {"paid_eur"},
           {"indus_open_eur"}});
  for (const auto& c : conventions) {
    t.AddRow({c.caf_id(), c.convention_id(), c.gestionnaire_id(), c.gestionnaire_name(),
              absl::AsciiStrToLower(v1::ConventionStatus_Name(c.status())),
              c.first_school_year() == 0 ? "" : SchoolYearText(c.first_school_year()),
              c.last_school_year() == 0 ? "" : SchoolYearText(c.last_school_year()),
              EurDot(c.paid_cents()), EurDot(c.indus_open_cents())});
  }
  return t.Csv();
}

Table ConventionListTable(const std::vector<v1::ConventionSummary>& conventions) {
  Table t({{"caf"},
           {"convention"},
           {"gestionnaire"},
           {"nom"},
           {"statut"},
           {"années scolaires"},
           {"versé", Table::Align::kRight},
           {"indus à recouvrer", Table::Align::kRight}});
  for (const auto& c : conventions) {
    t.AddRow({c.caf_id(), c.convention_id(), c.gestionnaire_id(), c.gestionnaire_name(),
              StatusLabel(c.status()),
              c.first_school_year() == 0
                  ? "—"
                  : absl::StrCat(SchoolYearText(c.first_school_year()), " … ",
                                 SchoolYearText(c.last_school_year())),
              Eur(c.paid_cents()), Eur(c.indus_open_cents())});
  }
  return t;
}

}  // namespace clas::ctl
