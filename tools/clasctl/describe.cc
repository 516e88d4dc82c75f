#include "tools/clasctl/describe.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/clasctl/text.h"

namespace clas::ctl {
namespace {

std::string Years(int32_t first, int32_t last) {
  return first == last ? SchoolYearText(first)
                       : absl::StrCat(SchoolYearText(first), " à ", SchoolYearText(last));
}

std::string Figures(const v1::Figures& f) {
  return absl::StrCat(
      Count(f.collectifs(), "collectif"), ", charges ", Eur(f.charges_cents()),
      f.autres_bf_cents() != 0 ? absl::StrCat(", autres BF ", Eur(f.autres_bf_cents())) : "",
      ", bonus enfants ", f.bonus_enfants_collectifs(), ", bonus parents ",
      f.bonus_parents_collectifs());
}

std::string Decision(const v1::CommitteeDecisionRecorded& d) {
  if (d.outcome() == v1::REFUSED) return absl::StrCat("refusée : ", d.refusal_reason());
  return absl::StrCat(d.mode() == v1::POUR_INFORMATION ? "pour information" : "validée", ", ",
                      Years(d.first_school_year(), d.last_school_year()), " : ",
                      Count(d.agreed_collectifs(), "collectif"), " (bonus enfants ",
                      d.bonus_enfants_collectifs(), ", bonus parents ",
                      d.bonus_parents_collectifs(), ")");
}

std::string ControleDecided(const v1::ControleDecided& d) {
  std::vector<std::string> parts;
  for (const auto& o : d.outcomes()) {
    parts.push_back(
        absl::StrCat(SchoolYearText(o.school_year()), " : DC ", Eur(o.dc().droit_cents()),
                     ", versé ", Eur(o.paid_cents()), " → ",
                     o.rappel_cents() > 0 ? absl::StrCat("rappel ", Eur(o.rappel_cents()))
                     : o.indu_cents() > 0 ? absl::StrCat("indu ", Eur(o.indu_cents()))
                                          : std::string("rien à verser ni à reprendre")));
  }
  return absl::StrCat(d.controle_id(), " : ", absl::StrJoin(parts, " ; "));
}

std::string Payment(const v1::ClasEvent& e) {
  switch (e.fact_case()) {
    case v1::ClasEvent::kAcomptePaid: {
      const auto& a = e.acompte_paid();
      return absl::StrCat(a.payment_id(), ", ", SchoolYearText(a.school_year()), " : ",
                          Eur(a.amount_cents()), " sur l'exercice ", a.civil_year(), " (plafond ",
                          Eur(a.cap_cents()), ", déjà versé ", Eur(a.paid_before_cents()), ")");
    }
    case v1::ClasEvent::kSoldePaid: {
      const auto& s = e.solde_paid();
      return absl::StrCat(s.payment_id(), ", ", SchoolYearText(s.school_year()), " : ",
                          Eur(s.amount_cents()), " (DR ", Eur(s.dr().droit_cents()), " − acomptes ",
                          Eur(s.acomptes_cents()), ")");
    }
    case v1::ClasEvent::kRappelPaid: {
      const auto& r = e.rappel_paid();
      return absl::StrCat(r.payment_id(), ", ", SchoolYearText(r.school_year()), " : ",
                          Eur(r.amount_cents()), " (", RappelCauseLabel(r.controle_id()), ")");
    }
    case v1::ClasEvent::kInduNotified: {
      const auto& i = e.indu_notified();
      return absl::StrCat(i.indu_id(), ", ", SchoolYearText(i.school_year()), " : ",
                          Eur(i.amount_cents()), " (", InduOriginLabel(i.origin(), i.controle_id()),
                          ")");
    }
    case v1::ClasEvent::kRecoveryRecorded: {
      const auto& r = e.recovery_recorded();
      return absl::StrCat(
          r.recovery_id(), " sur ", r.indu_id(), " : ", Eur(r.amount_cents()),
          r.method() == v1::OFFSET
              ? absl::StrCat(" retenus sur ", r.offset_convention_id(), "/", r.offset_payment_id())
              : std::string(" remboursés"));
    }
    default: return "";
  }
}

}  // namespace

std::string DescribeFact(const v1::ClasEvent& e) {
  switch (e.fact_case()) {
    case v1::ClasEvent::kGestionnaireRegistered: {
      const auto& g = e.gestionnaire_registered();
      return absl::StrCat(g.gestionnaire_id(), " « ", g.name(), " », ", KindLabel(g.kind()));
    }
    case v1::ClasEvent::kCentreSocialAgrementRenewed:
      return AgrementRenewalText(e.centre_social_agrement_renewed());
    case v1::ClasEvent::kBaremePublished: {
      const auto& b = e.bareme_published().bareme();
      return absl::StrCat(SchoolYearText(b.school_year()), " : plafond ", Eur(b.plafond_cents()),
                          ", bonus enfants ", Eur(b.bonus_enfants_cents()), ", bonus parents ",
                          Eur(b.bonus_parents_cents()));
    }
    case v1::ClasEvent::kFundingRequestFiled: {
      const auto& r = e.funding_request_filed();
      return absl::StrCat(
          r.school_years(), r.school_years() == 1 ? " année scolaire" : " années scolaires",
          " à partir de ", SchoolYearText(r.first_school_year()), ", ",
          Count(r.collectifs_size(), "collectif"), ", charges ", Eur(r.charges_cents()));
    }
    case v1::ClasEvent::kCommitteeDecisionRecorded:
      return Decision(e.committee_decision_recorded());
    case v1::ClasEvent::kConventionSigned: {
      const auto& c = e.convention_signed();
      return absl::StrCat(Years(c.first_school_year(), c.last_school_year()), ", charges ",
                          Eur(c.charges_cents()), " par année scolaire");
    }
    case v1::ClasEvent::kAvenantSigned: {
      const auto& a = e.avenant_signed();
      return absl::StrCat(a.avenant_id(), " ajoute ", SchoolYearText(a.school_year()),
                          a.kind() == v1::PROLONGATION_COLLECTIFS
                              ? absl::StrCat(" avec ", Count(a.collectifs(), "collectif"))
                              : std::string(" à l'identique"),
                          ", charges ", Eur(a.charges_cents()));
    }
    case v1::ClasEvent::kCollectifsNotified:
      return absl::StrCat(SchoolYearText(e.collectifs_notified().school_year()), " : ",
                          Count(e.collectifs_notified().collectifs(), "collectif"));
    case v1::ClasEvent::kBilanReceived:
      return absl::StrCat(SchoolYearText(e.bilan_received().school_year()), " : ",
                          Figures(e.bilan_received().figures()));
    case v1::ClasEvent::kControleOpened: {
      std::vector<std::string> years;
      for (int32_t n : e.controle_opened().school_years()) years.push_back(SchoolYearText(n));
      return absl::StrCat(e.controle_opened().controle_id(), " sur ", absl::StrJoin(years, ", "));
    }
    case v1::ClasEvent::kControleFindingsRecorded: {
      std::vector<std::string> years;
      for (const auto& y : e.controle_findings_recorded().years()) {
        years.push_back(absl::StrCat(SchoolYearText(y.school_year()), " : ", Figures(y.figures())));
      }
      return absl::StrCat(e.controle_findings_recorded().controle_id(), " : ",
                          absl::StrJoin(years, " ; "));
    }
    case v1::ClasEvent::kControleDecided: return ControleDecided(e.controle_decided());
    case v1::ClasEvent::kCivilYearClosed: {
      int64_t total = 0;
      for (const auto& l : e.civil_year_closed().lines()) total += l.amount_cents();
      return absl::StrCat("exercice ", e.civil_year_closed().civil_year(), " : ",
                          Count(e.civil_year_closed().lines_size(), "écriture"), ", ", Eur(total));
    }
    case v1::ClasEvent::kEventCorrected: {
      const auto& c = e.event_corrected();
      return absl::StrCat(
          c.cancel() ? "annule " : "corrige ", c.target_event_id(), " (", c.reason(), ")",
          c.has_replacement() ? absl::StrCat(" : ", DescribeFact(c.replacement())) : "",
          SoldeRevisionText(c));
    }
    default: return Payment(e);
  }
}

}  // namespace clas::ctl
