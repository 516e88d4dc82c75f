// The acts of a CSV import file: what each reads from its row and the Conventions request it
// builds. The README's table of columns per act is this file, in words.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clas/v1/service.pb.h"
#include "projections/rules/request_limits.h"
#include "tools/clasctl/csv_values.h"
#include "tools/clasctl/import_csv_row.h"

namespace clas::ctl::csv {
namespace {

namespace pb = google::protobuf;
using Words = std::vector<std::pair<std::string_view, int>>;
using Built = std::shared_ptr<pb::Message>;
constexpr Need R = Need::kRequired;
constexpr Need O = Need::kOptional;

const Words& GestionnaireKinds() {
  static const auto* const kWords = new Words{{"association", v1::ASSOCIATION},
                                              {"centre social", v1::CENTRE_SOCIAL},
                                              {"EVS", v1::EVS},
                                              {"espace de vie sociale", v1::EVS},
                                              {"commune", v1::COMMUNE},
                                              {"EPCI", v1::COMMUNE},
                                              {"entreprise", v1::ENTREPRISE},
                                              {"Caf", v1::CAF_INTERNE}};
  return *kWords;
}

const Words& Levels() {
  static const auto* const kWords = new Words{{"maternelle", v1::MATERNELLE},
                                              {"élémentaire", v1::ELEMENTAIRE},
                                              {"collège", v1::COLLEGE},
                                              {"lycée", v1::LYCEE},
                                              {"post-bac", v1::POST_BAC}};
  return *kWords;
}

enum Axis { kEnfants = 1, kParents, kEcole, kPartenaires };
const Words& AxisWords() {
  static const auto* const kWords = new Words{{"enfants", kEnfants},
                                              {"parents", kParents},
                                              {"école", kEcole},
                                              {"partenaires", kPartenaires},
                                              {"partenaires locaux", kPartenaires}};
  return *kWords;
}

// "dernière année scolaire" (empty: the first one) as a number of school years.
int32_t YearsCovered(CsvRow& row, int32_t first) {
  const int32_t last = row.SchoolYear(col::kDerniereAnnee, O);
  if (last == 0 || first == 0) return 1;
  if (last < first || last - first + 1 > rules::kSchoolYearsPerRequestMax) {
    row.Fail(col::kDerniereAnnee,
             absl::StrCat("de l'année scolaire à la dernière : 1 à ",
                          rules::kSchoolYearsPerRequestMax, " années scolaires"));
    return 1;
  }
  return last - first + 1;
}

// "collectifs" identical collectifs C1, C2, ... described by the row's other columns.
void AddCollectifs(CsvRow& row, v1::FundingRequestFiled& q) {
  const int32_t n = row.Count(col::kCollectifs, R);
  v1::Collectif k;
  k.set_children(row.Count(col::kEnfants, R));
  k.set_animateurs(row.Count(col::kAnimateurs, R));
  k.set_sessions_per_week(row.Count(col::kSeances, R));
  k.set_session_minutes(row.Count(col::kMinutes, R));
  k.set_weeks(row.Count(col::kSemaines, R));
  for (const int level : row.Words(col::kNiveaux, R, Levels())) {
    k.add_levels(static_cast<v1::SchoolLevel>(level));
  }
  k.set_single_accessible_place(row.YesNo(col::kLieuUnique, R));
  k.set_rural(row.YesNo(col::kRural, O));
  k.set_child_with_disability(row.YesNo(col::kHandicap, O));
  if (n > rules::kCollectifsPerRequestMax) {
    row.Fail(col::kCollectifs,
             absl::StrCat("au plus ", rules::kCollectifsPerRequestMax, " collectifs"));
    return;
  }
  for (int32_t i = 1; i <= n; ++i) {
    k.set_collectif_id(absl::StrCat("C", i));
    *q.add_collectifs() = k;
  }
}

Built Demande(CsvRow& row) {
  auto request = std::make_shared<v1::FileFundingRequestRequest>();
  v1::FileFundingRequest& c = *request->mutable_command();
  c.set_caf_id(row.Caf());
  v1::FundingRequestFiled& q = *c.mutable_request();
  q.set_convention_id(row.Id(col::kConvention, R));
  q.set_gestionnaire_id(row.Id(col::kGestionnaire, R));
  q.set_first_school_year(row.SchoolYear(col::kAnnee, R));
  q.set_school_years(YearsCovered(row, q.first_school_year()));
  AddCollectifs(row, q);
  for (const int axis : row.Words(col::kAxes, R, AxisWords())) {
    v1::Axes& axes = *q.mutable_axes();
    if (axis == kEnfants) axes.set_children(true);
    if (axis == kParents) axes.set_parents(true);
    if (axis == kEcole) axes.set_school(true);
    if (axis == kPartenaires) axes.set_local_partners(true);
  }
  q.set_family_participation_symbolic(row.YesNo(col::kParticipation, R));
  q.set_action_start_date(row.Day(col::kDebut, R));
  q.set_action_end_date(row.Day(col::kFin, R));
  q.set_charges_cents(row.Amount(col::kCharges, R));
  q.set_autres_bf_cents(row.Amount(col::kAutresBf, O));
  q.set_derogation_single_session_requested(row.YesNo(col::kDerogation, O));
  c.set_date(row.Day(col::kDate, R));
  return request;
}

Built Decision(CsvRow& row, v1::ComiteOutcome outcome) {
  auto request = std::make_shared<v1::RecordCommitteeDecisionRequest>();
  v1::RecordCommitteeDecision& c = *request->mutable_command();
  c.set_caf_id(row.Caf());
  c.set_convention_id(row.Id(col::kConvention, R));
  v1::CommitteeDecisionRecorded& d = *c.mutable_decision();
  d.set_outcome(outcome);
  d.set_mode(v1::POUR_VALIDATION);
  d.set_first_school_year(row.SchoolYear(col::kAnnee, R));
  d.set_last_school_year(d.first_school_year() + YearsCovered(row, d.first_school_year()) - 1);
  if (outcome == v1::REFUSED) {
    d.set_refusal_reason(row.Text(col::kMotif, R));
  } else {
    d.set_agreed_collectifs(row.Count(col::kCollectifs, R));
    d.set_bonus_enfants_collectifs(row.Count(col::kBonusEnfants, O));
    d.set_bonus_parents_collectifs(row.Count(col::kBonusParents, O));
    d.set_derogation_single_session(row.YesNo(col::kDerogation, O));
  }
  c.set_date(row.Day(col::kDate, R));
  return request;
}

Built Agrement(CsvRow& row) { return Decision(row, v1::VALIDATED); }
Built Refus(CsvRow& row) { return Decision(row, v1::REFUSED); }
Built DecisionWithIssue(CsvRow& row) {
  static const auto* const kIssues =
      new Words{{"agrément", v1::VALIDATED}, {"validée", v1::VALIDATED}, {"validé", v1::VALIDATED},
                {"refus", v1::REFUSED},      {"refusée", v1::REFUSED},   {"refusé", v1::REFUSED}};
  const int outcome = row.Word(col::kIssue, R, *kIssues);
  return Decision(row, outcome == v1::REFUSED ? v1::REFUSED : v1::VALIDATED);
}

Built Convention(CsvRow& row) {
  auto request = std::make_shared<v1::SignConventionRequest>();
  v1::SignConvention& c = *request->mutable_command();
  c.set_caf_id(row.Caf());
  c.set_convention_id(row.Id(col::kConvention, R));
  c.set_first_school_year(row.SchoolYear(col::kAnnee, R));
  c.set_last_school_year(c.first_school_year() + YearsCovered(row, c.first_school_year()) - 1);
  c.set_charges_cents(row.Amount(col::kCharges, O));
  c.set_autres_bf_cents(row.Amount(col::kAutresBf, O));
  c.set_date(row.Day(col::kDate, R));
  return request;
}

Built Avenant(CsvRow& row) {
  static const auto* const kKinds =
      new Words{{"identique", v1::PROLONGATION_IDENTIQUE},
                {"prolongation identique", v1::PROLONGATION_IDENTIQUE},
                {"collectifs", v1::PROLONGATION_COLLECTIFS},
                {"prolongation collectifs", v1::PROLONGATION_COLLECTIFS}};
  auto request = std::make_shared<v1::SignAvenantRequest>();
  v1::SignAvenant& c = *request->mutable_command();
  c.set_caf_id(row.Caf());
  c.set_convention_id(row.Id(col::kConvention, R));
  c.set_avenant_id(row.Id(col::kAvenant, R));
  c.set_kind(static_cast<v1::AvenantKind>(row.Word(col::kTypeAvenant, R, *kKinds)));
  c.set_school_year(row.SchoolYear(col::kAnnee, R));
  // An identical prolongation keeps the number of collectifs: a number given is not read, so
  // that CheckUnused reports it.
  if (c.kind() == v1::PROLONGATION_COLLECTIFS) c.set_collectifs(row.Count(col::kCollectifs, R));
  c.set_charges_cents(row.Amount(col::kCharges, O));
  c.set_autres_bf_cents(row.Amount(col::kAutresBf, O));
  c.set_date(row.Day(col::kDate, R));
  return request;
}

Built Collectifs(CsvRow& row) {
  auto request = std::make_shared<v1::NotifyCollectifsRequest>();
  v1::NotifyCollectifs& c = *request->mutable_command();
  c.set_caf_id(row.Caf());
  c.set_convention_id(row.Id(col::kConvention, R));
  c.set_notification_id(row.Id(col::kNotification, O));
  c.set_school_year(row.SchoolYear(col::kAnnee, R));
  c.set_collectifs(row.Count(col::kCollectifs, R));
  c.set_date(row.Day(col::kDate, R));
  return request;
}

Built Acompte(CsvRow& row) {
  auto request = std::make_shared<v1::PayAcompteRequest>();
  v1::PayAcompte& c = *request->mutable_command();
  c.set_caf_id(row.Caf());
  c.set_convention_id(row.Id(col::kConvention, R));
  c.set_payment_id(row.Id(col::kPaiement, R));
  c.set_school_year(row.SchoolYear(col::kAnnee, R));
  c.set_amount_cents(row.Amount(col::kMontant, R));
  c.set_date(row.Day(col::kDate, R));
  return request;
}

Built Bilan(CsvRow& row) {
  auto request = std::make_shared<v1::ReceiveBilanRequest>();
  v1::ReceiveBilan& c = *request->mutable_command();
  c.set_caf_id(row.Caf());
  c.set_convention_id(row.Id(col::kConvention, R));
  c.set_school_year(row.SchoolYear(col::kAnnee, R));
  v1::Figures& f = *c.mutable_figures();
  f.set_collectifs(row.Count(col::kCollectifs, R));
  f.set_charges_cents(row.Amount(col::kCharges, R));
  f.set_autres_bf_cents(row.Amount(col::kAutresBf, O));
  f.set_bonus_enfants_collectifs(row.Count(col::kBonusEnfants, O));
  f.set_bonus_parents_collectifs(row.Count(col::kBonusParents, O));
  c.set_date(row.Day(col::kDate, R));
  return request;
}

Built Solde(CsvRow& row) {
  auto request = std::make_shared<v1::PaySoldeRequest>();
  v1::PaySolde& c = *request->mutable_command();
  c.set_caf_id(row.Caf());
  c.set_convention_id(row.Id(col::kConvention, R));
  c.set_payment_id(row.Id(col::kPaiement, R));
  c.set_school_year(row.SchoolYear(col::kAnnee, R));
  c.set_date(row.Day(col::kDate, R));
  return request;
}

Built Rappel(CsvRow& row) {
  auto request = std::make_shared<v1::PayRappelRequest>();
  v1::PayRappel& c = *request->mutable_command();
  c.set_caf_id(row.Caf());
  c.set_convention_id(row.Id(col::kConvention, R));
  c.set_payment_id(row.Id(col::kPaiement, R));
  c.set_school_year(row.SchoolYear(col::kAnnee, R));
  c.set_controle_id(row.Id(col::kControle, O));
  c.set_amount_cents(row.Amount(col::kMontant, O));  // empty: the whole rappel due
  c.set_date(row.Day(col::kDate, R));
  return request;
}

Built Recouvrement(CsvRow& row) {
  static const auto* const kMethods =
      new Words{{"remboursement", v1::REPAYMENT}, {"compensation", v1::OFFSET}};
  auto request = std::make_shared<v1::RecordRecoveryRequest>();
  v1::RecordRecovery& c = *request->mutable_command();
  c.set_caf_id(row.Caf());
  c.set_convention_id(row.Id(col::kConvention, R));
  c.set_recovery_id(row.Id(col::kRecouvrement, R));
  c.set_indu_id(row.Id(col::kIndu, R));
  c.set_amount_cents(row.Amount(col::kMontant, R));
  c.set_method(static_cast<v1::RecoveryMethod>(row.Word(col::kModeRecouvrement, R, *kMethods)));
  if (c.method() == v1::OFFSET) {  // else not read: a payment given is reported
    c.set_offset_payment_id(row.Id(col::kPaiementCompense, R));
    c.set_offset_convention_id(row.Id(col::kConventionCompensee, O));
  }
  c.set_date(row.Day(col::kDate, R));
  return request;
}

Built Cloture(CsvRow& row) {
  auto request = std::make_shared<v1::CloseCivilYearRequest>();
  v1::CloseCivilYear& c = *request->mutable_command();
  c.set_caf_id(row.Caf());
  c.set_civil_year(row.CivilYear(col::kAnneeCivile, R));
  c.set_date(row.Day(col::kDate, R));
  return request;
}

Built Gestionnaire(CsvRow& row) {
  auto request = std::make_shared<v1::RegisterGestionnaireRequest>();
  v1::RegisterGestionnaire& c = *request->mutable_command();
  c.set_caf_id(row.Caf());
  c.set_gestionnaire_id(row.Id(col::kGestionnaire, R));
  c.set_name(row.Text(col::kNom, R));
  c.set_kind(
      static_cast<v1::GestionnaireKind>(row.Word(col::kTypeGestionnaire, R, GestionnaireKinds())));
  c.set_supported_since_school_year(row.SchoolYear(col::kSoutenuDepuis, O));
  c.set_centre_social_agrement_end(row.Day(col::kFinAgrementCs, O));
  c.set_date(row.Day(col::kDate, R));
  return request;
}

const std::vector<CsvAct>& Acts() {
  static const auto* const kActs = new std::vector<CsvAct>{
      {"gestionnaire", "RegisterGestionnaire", Gestionnaire},
      {"demande", "FileFundingRequest", Demande},
      {"agrément", "RecordCommitteeDecision", Agrement},
      {"refus", "RecordCommitteeDecision", Refus},
      {"décision", "RecordCommitteeDecision", DecisionWithIssue},
      {"convention", "SignConvention", Convention},
      {"avenant", "SignAvenant", Avenant},
      {"collectifs", "NotifyCollectifs", Collectifs},
      {"acompte", "PayAcompte", Acompte},
      {"bilan", "ReceiveBilan", Bilan},
      {"solde", "PaySolde", Solde},
      {"rappel", "PayRappel", Rappel},
      {"recouvrement", "RecordRecovery", Recouvrement},
      {"clôture", "CloseCivilYear", Cloture},
  };
  return *kActs;
}

}  // namespace

const CsvAct* FindCsvAct(std::string_view folded_name) {
  for (const CsvAct& act : Acts()) {
    if (FoldForMatch(act.name) == folded_name) return &act;
  }
  return nullptr;
}

std::string CsvActNames() {
  std::vector<std::string> names;
  for (const CsvAct& act : Acts()) names.emplace_back(act.name);
  return absl::StrJoin(names, ", ");
}

}  // namespace clas::ctl::csv
