#include "projections/rules/bonus.h"

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/base/status_macros.h"

namespace clas::rules {
namespace {

const char* BoolText(bool b) { return b ? "true" : "false"; }

// One bonus project as filed, seen the same way for enfants (R-BON-1) and parents (R-BON-2).
struct FiledBonus {
  Rule rule;                    // R-BON-1 or R-BON-2
  const char* field;            // "bonus_enfants"
  const char* mandatory_field;  // "structured_project"
  const char* name_fr;          // "bonus enfants"
  const char* mandatory_fr;     // sentence naming the mandatory criterion
  const char* others_fr;        // sentence naming the "at least one" criteria
  std::string others_value;     // the three other criteria as found
  bool requested;
  bool mandatory;
  bool any_other;
  int32_t collectifs;
};

FiledBonus Filed(const v1::BonusEnfantsProject& p) {
  return FiledBonus{
      .rule = rule::kBon1,
      .field = "bonus_enfants",
      .mandatory_field = "structured_project",
      .name_fr = "bonus enfants",
      .mandatory_fr =
          "le bonus enfants exige un projet socio-éducatif structuré, organisé sur "
          "l'année scolaire (critère obligatoire)",
      .others_fr =
          "le bonus enfants exige aussi au moins un de ces critères : achat programmé de "
          "matériel pédagogique spécifique (ordinateur...), intervenants extérieurs "
          "générant un coût supplémentaire, dépenses pour des sorties culturelles",
      .others_value = absl::StrCat("teaching_equipment=", BoolText(p.teaching_equipment()),
                                   ", paid_intervenors=", BoolText(p.paid_intervenors()),
                                   ", cultural_outings=", BoolText(p.cultural_outings())),
      .requested = p.requested(),
      .mandatory = p.structured_project(),
      .any_other = p.teaching_equipment() || p.paid_intervenors() || p.cultural_outings(),
      .collectifs = p.collectifs(),
  };
}

FiledBonus Filed(const v1::BonusParentsProject& p) {
  return FiledBonus{
      .rule = rule::kBon2,
      .field = "bonus_parents",
      .mandatory_field = "parent_support_project",
      .name_fr = "bonus parents",
      .mandatory_fr =
          "le bonus parents exige un projet spécifique d'accompagnement des parents "
          "des enfants du Clas, organisé sur l'année scolaire (critère obligatoire)",
      .others_fr =
          "le bonus parents exige aussi au moins un de ces critères : intervenants "
          "extérieurs pour les parents générant un coût supplémentaire, actions "
          "spécifiques (accès aux droits liés à la scolarité, orientation, numérique), "
          "public allophone, en situation d'illettrisme ou relevant des actions "
          "éducatives familiales (AEF)",
      .others_value =
          absl::StrCat("paid_intervenors=", BoolText(p.paid_intervenors()),
                       ", specific_actions=", BoolText(p.specific_actions()),
                       ", allophone_illiteracy_aef=", BoolText(p.allophone_illiteracy_aef())),
      .requested = p.requested(),
      .mandatory = p.parent_support_project(),
      .any_other = p.paid_intervenors() || p.specific_actions() || p.allophone_illiteracy_aef(),
      .collectifs = p.collectifs(),
  };
}

// R-BON-1 / R-BON-2 on one project filed with a request of `request_collectifs` collectifs.
void CheckFiledBonus(const FiledBonus& b, int request_collectifs, Violations* out) {
  const std::string count_field = absl::StrCat(b.field, ".collectifs");
  const std::string count_value = absl::StrCat(b.collectifs);
  if (!b.requested) {
    if (b.collectifs != 0) {
      out->Add(RuleError(b.rule, count_field, count_value,
                         absl::StrCat("le ", b.name_fr,
                                      " n'est pas demandé : aucun nombre de collectifs ne doit "
                                      "être indiqué")));
    }
    return;
  }
  if (!b.mandatory) {
    out->Add(
        RuleError(b.rule, absl::StrCat(b.field, ".", b.mandatory_field), "false", b.mandatory_fr));
  }
  if (!b.any_other) {
    out->Add(RuleError(b.rule, b.field, b.others_value, b.others_fr));
  }
  if (b.collectifs < 1 || b.collectifs > request_collectifs) {
    // R-BON-3: a request asks a bonus for at most the collectifs it requests.
    out->Add(RuleError(b.collectifs < 1 ? b.rule : rule::kBon3, count_field, count_value,
                       absl::StrFormat("le %s est demandé pour 1 à %d collectif(s), le nombre de "
                                       "collectifs de la demande",
                                       b.name_fr, request_collectifs)));
  }
}

// One bonus as granted by the comité (R-BON-3).
struct GrantedBonus {
  const char* field;    // "bonus_enfants_collectifs"
  const char* name_fr;  // "bonus enfants"
  int32_t collectifs;
  bool project_qualifies;
};

void CheckGrantedBonus(const GrantedBonus& b, const v1::CommitteeDecisionRecorded& decision,
                       Violations* out) {
  if (b.collectifs == 0) return;
  const std::string value = absl::StrCat(b.collectifs);
  if (b.collectifs < 0) {
    out->Add(RuleError(rule::kBon3, b.field, value,
                       absl::StrCat("le nombre de collectifs bénéficiant du ", b.name_fr,
                                    " ne peut pas être négatif")));
    return;
  }
  if (decision.outcome() != v1::VALIDATED) {
    out->Add(RuleError(rule::kBon3, b.field, value,
                       absl::StrCat("un bonus n'est accordé qu'aux collectifs agréés par le "
                                    "comité départemental : sans décision de validation, pas de ",
                                    b.name_fr)));
  } else if (b.collectifs > decision.agreed_collectifs()) {
    out->Add(RuleError(rule::kBon3, b.field, value,
                       absl::StrFormat("le %s est accordé au plus pour le nombre de collectifs "
                                       "agréés (%d)",
                                       b.name_fr, decision.agreed_collectifs())));
  }
  if (!b.project_qualifies) {
    out->Add(RuleError(rule::kBon3, b.field, value,
                       absl::StrCat("un bonus sans projet spécifique répondant aux critères du "
                                    "§2.2, déposé avec la demande de financement, ne peut pas "
                                    "être accordé (",
                                    b.name_fr, ")")));
  }
}

}  // namespace

bool QualifiesForBonusEnfants(const v1::BonusEnfantsProject& project) {
  const FiledBonus b = Filed(project);
  return b.requested && b.mandatory && b.any_other;  // R-BON-1
}

bool QualifiesForBonusParents(const v1::BonusParentsProject& project) {
  const FiledBonus b = Filed(project);
  return b.requested && b.mandatory && b.any_other;  // R-BON-2
}

Violations ValidateBonusProjects(const v1::FundingRequestFiled& request) {
  Violations out;
  CheckFiledBonus(Filed(request.bonus_enfants()), request.collectifs_size(), &out);  // R-BON-1
  CheckFiledBonus(Filed(request.bonus_parents()), request.collectifs_size(), &out);  // R-BON-2
  return out;
}

Violations ValidateBonusGrant(const v1::CommitteeDecisionRecorded& decision,
                              const v1::FundingRequestFiled& request) {
  Violations out;
  // R-CONV-4: the comité agrees at least one collectif, and none it was not asked to examine.
  const int32_t agreed = decision.agreed_collectifs();
  if (decision.outcome() == v1::VALIDATED && (agreed < 1 || agreed > request.collectifs_size())) {
    out.Add(RuleError(rule::kConv4, "agreed_collectifs", absl::StrCat(agreed),
                      absl::StrFormat("une validation du comité agrée de 1 à %d collectif(s), le "
                                      "nombre de collectifs de la demande de financement",
                                      request.collectifs_size())));
  }
  // R-BON-3: bonuses only on agreed collectifs, only on a qualifying project.
  CheckGrantedBonus({.field = "bonus_enfants_collectifs",
                     .name_fr = "bonus enfants",
                     .collectifs = decision.bonus_enfants_collectifs(),
                     .project_qualifies = QualifiesForBonusEnfants(request.bonus_enfants())},
                    decision, &out);
  CheckGrantedBonus({.field = "bonus_parents_collectifs",
                     .name_fr = "bonus parents",
                     .collectifs = decision.bonus_parents_collectifs(),
                     .project_qualifies = QualifiesForBonusParents(request.bonus_parents())},
                    decision, &out);
  return out;
}

Money AcompteBase(const v1::DroitBreakdown& breakdown) {
  // R-BON-4: bonuses are paid with the solde only; an acompte is a fraction of the PS part.
  const int64_t ps_cents = breakdown.ps_cents();
  CLAS_CHECK(ps_cents >= 0 && ps_cents <= kAmountMaxCents) << "PS out of range: " << ps_cents;
  return Money::Cents(ps_cents);
}

}  // namespace clas::rules
