// The simulation's own model of the rules: plain arithmetic on cents, written from RULES.md and
// the README's [choice] list, sharing no code with projections/ (no droit function, no fold, no
// decision). For every command the simulation sends, the model says whether the rules accept it
// and, when they refuse it, which rule ids the refusal may name; for every command accepted, it
// says what each convention's droits, acomptes, solde, indus, rappels and recoveries become.
//
// Where RULES.md is silent the model follows the ledger's documented choice, named where it is
// applied (see "[choice]").
//
// Late facts: every act that sets a school year's forecast (the request's budget, the agrément,
// the convention's budget, an avenant) and every notification is kept with its effective date, so
// that the model knows the DP in force on any day (R-CONV-5, R-PAY-6, R-ACC-7) and the closing
// figures of every closed civil year (R-ACC-3/4), regularised in the first open year when a later
// fact changes them (R-ACC-8).
//
// Thread-safety: none; one model per simulation.
#ifndef CLAS_TESTS_SIM_SIM_MODEL_H_
#define CLAS_TESTS_SIM_SIM_MODEL_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "clas/v1/commands.pb.h"

namespace clas::sim {

// A barème of one school year (R-DROIT-1), in cents.
struct ModelBareme {
  int64_t plafond = 0, bonus_enfants = 0, bonus_parents = 0;
};

// Yearly figures: forecast, final (bilan) or controlled.
struct ModelFigures {
  int32_t collectifs = 0, bonus_enfants = 0, bonus_parents = 0;
  int64_t charges = 0, autres_bf = 0;
};

// A droit with its parts (R-DROIT-2..5, R-PAY-1).
struct ModelDroit {
  int64_t base = 0, ps = 0, bonus_enfants = 0, bonus_parents = 0, droit = 0, n_share = 0;
};

// R-DROIT-2..5 on figures already within the agrément: base = min(charges, plafond × C);
// PS = (base × 13 + 20) div 40; bonuses = amount × count; the excess over 80 % of charges less
// the other Branche Famille money is taken from bonus parents, then bonus enfants, then PS.
ModelDroit ComputeModelDroit(const ModelFigures& f, const ModelBareme& b);

// R-PAY-2 / R-PAY-3: 28 % or 42 % of the PS part of the DP, floored.
inline int64_t CapN(int64_t ps) { return ps * 28 / 100; }
inline int64_t CapN1(int64_t ps) { return ps * 42 / 100; }

// yyyymmdd is a real day of 2000..2099.
bool ModelValidDate(int32_t ymd);

struct ModelPayment {
  std::string id;
  int64_t amount = 0;
  int32_t date = 0;
  int64_t cap = 0;  // an acompte: the cap of its share under the DP in force when paid
  int64_t seq = 0;  // Model::seq when it was recorded
};

struct ModelRecovery {
  std::string id;
  int64_t amount = 0;
  int32_t date = 0;
  // An offset: the payment it was withheld from (convention resolved), else empty.
  std::string offset_convention, offset_payment;
  bool cancelled = false;
};

struct ModelIndu {
  std::string id;
  int32_t school_year = 0;
  int64_t amount = 0, recovered = 0;
  int32_t date = 0;
  std::vector<ModelRecovery> recoveries;
  int64_t open() const { return amount - recovered; }
};

// A notification of the number of collectifs of a school year (R-CONV-5), as corrected since.
struct ModelNotification {
  std::string id, event_id;
  int32_t date = 0, collectifs = 0;
  int64_t seq = 0;
  bool cancelled = false;
};

// A school year's forecast from an effective date on: what the agrément (in force since its own
// date and act) and the latest budget (request, convention or avenant) say.
struct ModelForecast {
  int32_t date = 0;
  bool agreed = false;
  int32_t agreed_collectifs = 0, bonus_enfants = 0, bonus_parents = 0;
  int32_t agreement_date = 0;
  int64_t agreement_seq = 0;
  int64_t charges = 0, autres_bf = 0;
};

// An event of a convention the simulation may name in a correction (R-HIST-1): its fact, its
// school year, its effective date, and the id of what it recorded (notification, payment,
// recovery).
enum class ModelFact {
  kBilan,
  kNotification,
  kAcompte,
  kRappel,
  kRecovery,
  kSolde,
  kCorrection,
  kFindings,  // a contrôle's findings: ref is the contrôle's id
  kOther
};
struct ModelEvent {
  ModelFact fact = ModelFact::kOther;
  int32_t school_year = 0, date = 0;
  std::string ref, indu;  // a recovery: its id and its indu's
  bool cancelled = false;
};

struct ModelControle {
  std::string id;
  int32_t school_year = 0;
  bool findings = false, decided = false;
  ModelFigures figures;
  int32_t decided_date = 0;
  // The event of its last findings (set by the simulation once accepted): correcting it
  // changes the figures the decision will use; correcting an earlier one does not.
  std::string findings_event_id;
};

struct ModelYear {
  int32_t n = 0;
  bool agreed = false, covered = false;
  int32_t agreed_collectifs = 0, agreed_bonus_enfants = 0, agreed_bonus_parents = 0;
  int32_t agreement_date = 0;
  int64_t agreement_seq = 0;
  int32_t notified = 0;                // [choice] the agreed number until a notification
  int64_t charges = 0, autres_bf = 0;  // forecast, from the request, the convention or its avenant
  std::vector<ModelForecast> forecasts;  // in effective-date order (acts are dated the day sent)
  std::vector<ModelNotification> notifications;  // in the order recorded
  std::vector<ModelPayment> acomptes;
  std::optional<ModelFigures> bilan;
  int32_t bilan_date = 0;
  // The events that received the bilan and last corrected it (ids the ledger chose, set by the
  // simulation once accepted: a correction names its target).
  std::string bilan_event_id, bilan_correction_event_id;
  std::optional<ModelPayment> solde;
  // R-PAY-9: the DR the solde settled, as each correction of the bilan after it revised it (what
  // the solde settled, signed, is this DR minus the acomptes, which no longer change); the date
  // of the solde or of its last revision; the dates of the revisions that made a complément due.
  int64_t settled_dr = 0;
  int32_t settled_date = 0;
  // R-ACC-5: the DR the solde was computed from and the acomptes it deducted, as recorded then
  // (a later correction of the bilan revises the settlement, never the solde's lines).
  ModelDroit solde_dr;
  int64_t solde_acomptes = 0;
  std::vector<int32_t> complement_dates;
  int64_t complement_due = 0;  // part of rappel_due: a complément de solde not yet paid
  int32_t bilan_indus = 0;     // indus notified by corrections of the bilan (R-PAY-9)
  std::vector<ModelPayment> rappels;
  std::optional<ModelDroit> dc;
  int64_t dc_seq = 0;  // Model::seq of the decision
  std::string controle_id;
  int64_t rappel_due = 0;  // a contrôle's rappel (R-CTL-3) or a complément de solde (R-PAY-9)

  int64_t AcomptesOfCivilYear(int32_t civil) const;
  int64_t Acomptes() const;
  int64_t Rappels() const;
  int64_t Paid() const;  // acomptes + solde + rappels (R-CTL-2's "paid", gross)
  // The notification event `event_id` recorded (nullptr: none of this year's).
  ModelNotification* Notification(const std::string& event_id);
  const ModelNotification* Notification(const std::string& event_id) const;
};

struct ModelConvention {
  std::string id, gestionnaire;
  int32_t first_requested = 0, years_requested = 0, collectifs_requested = 0;
  bool bonus_enfants_asked = false, bonus_parents_asked = false;
  int64_t request_charges = 0, request_autres_bf = 0;
  bool decided = false, signed_ = false;
  int32_t signed_date = 0, first = 0, last = 0;
  int64_t charges = 0, autres_bf = 0;  // forecast of each covered year
  std::map<int32_t, ModelYear> years;  // every requested year
  std::vector<ModelIndu> indus;
  std::vector<ModelControle> controles;
  std::set<std::string> payment_ids;  // every one recorded, cancelled ones too (never reused)
  std::set<std::string> avenant_ids;
  std::map<std::string, ModelEvent> events;  // by event id, set by the simulation

  ModelYear* Year(int32_t n);
  ModelIndu* Indu(const std::string& id);
  ModelControle* Controle(const std::string& id);
  int64_t IndusNotified(int32_t n) const;
  int64_t Recovered(int32_t n) const;
};

struct ModelGestionnaire {
  std::string id;
  v1::GestionnaireKind kind = v1::GESTIONNAIRE_KIND_UNSPECIFIED;
  bool centre_social = false;
  int32_t supported_since = 0;
  int32_t agrement_end = 0;  // a centre social's agrément délivré par la Caf (R-CONV-2)
};

// A payment (acompte, solde, rappel) an offset may be withheld from (R-CTL-3).
struct ModelPaid {
  std::string gestionnaire;
  int64_t amount = 0, withheld = 0;
  int32_t date = 0;
};

// A line of the books the closings make (R-ACC-3, R-ACC-4, R-ACC-8): where it is booked and on
// which pair of accounts; its amount is kept beside it.
struct ModelLine {
  int32_t civil_year = 0, month = 0;
  std::string rule, convention;
  int32_t school_year = 0;
  std::string debit, credit, code;
  auto operator<=>(const ModelLine&) const = default;
};
using ModelLines = std::map<ModelLine, int64_t>;

// What the closing of a civil year Y used for one convention's school year Y (R-ACC-3/4), as
// regularised since (R-ACC-8).
struct ModelClosing {
  int64_t charge = 0, engagement = 0;
};

// One Caf's world: gestionnaires, conventions, closed civil years.
struct ModelCaf {
  std::string id;
  std::map<std::string, ModelGestionnaire> gestionnaires;
  std::map<std::string, ModelConvention> conventions;
  std::set<int32_t> closed;
  // By (convention, civil year closed): the figures its closing used, as regularised since.
  std::map<std::pair<std::string, int32_t>, ModelClosing> closings;
  // The lines of the closings and of their régularisations (reversals: Model::ExpectedLines),
  // and how many times they changed.
  ModelLines lines;
  int64_t lines_changed = 0;
  // Payments (acomptes, soldes, rappels) dated in each civil year (R-ACC-10).
  std::map<int32_t, int64_t> payments_by_civil_year;
  // Every payment, by (convention, payment id).
  std::map<std::pair<std::string, std::string>, ModelPaid> paid;
};

// What the model expects of one command: accepted (rules empty), or refused naming one of
// `rules`. Accepted, its events carry every warning of `warnings` (and maybe others).
struct Expectation {
  std::vector<std::string> rules;
  std::vector<std::string> warnings;
  bool accepted() const { return rules.empty(); }
};
inline Expectation Refuse(std::string rule) {
  Expectation e;
  e.rules.push_back(std::move(rule));
  return e;
}

// The national barèmes and every Caf.
class Model {
 public:
  std::map<int32_t, ModelBareme> baremes;
  std::map<std::string, ModelCaf> cafs;
  // The order of the commands applied: the simulation adds one before each Apply.
  int64_t seq = 0;

  // The DP of a covered year now (nullopt: no agrément, no notification or no barème).
  std::optional<ModelDroit> Dp(const ModelConvention& c, const ModelYear& y) const;
  // R-CONV-5, R-PAY-6, R-ACC-7: the DP in force on `date`, from the forecast and the
  // notifications effective by then, covered or not (nullopt: none then).
  std::optional<ModelDroit> DpAt(const ModelYear& y, int32_t date) const;
  // The number of collectifs notified in force on `date` under forecast `f` ([choice] the
  // agrément's until a notification effective after it).
  static int32_t NotifiedAt(const ModelYear& y, const ModelForecast& f, int32_t date);
  // R-ACC-7: the N shares of school year Y's DPs and the N+1 shares of school year Y-1's, in
  // force on 31 December of Y, over every convention of the Caf.
  std::pair<int64_t, int64_t> Envelope(const std::string& caf, int32_t year) const;
  // R-ACC-3, R-ACC-4, R-ACC-8: every line of the closings of the Caf, of their régularisations
  // and of the reversals of their engagements in month 12 of the next year.
  ModelLines ExpectedLines(const std::string& caf) const;
  // R-ACC-5: books the lines of school year y's solde (the convention's closing lines already in
  // `lines`).
  static void BookSolde(ModelLines& lines, const std::string& id, v1::GestionnaireKind kind,
                        const ModelYear& y);
  // R-DROIT-2 [choice]: C is the notified number, or the one given if lower; E and P at most
  // the agrément's and at most C.
  ModelFigures Within(const ModelConvention& c, const ModelYear& y, const ModelFigures& f) const;
  std::optional<ModelDroit> Droit(const ModelYear& y, const ModelFigures& f) const;

  // Each command: what the rules must answer on the model's state (Expect), and the state once
  // the command is accepted (Apply). Apply REQUIRES: Expect accepted the command.
  Expectation Expect(const v1::RegisterGestionnaire& cmd) const;
  void Apply(const v1::RegisterGestionnaire& cmd);
  Expectation Expect(const v1::RenewCentreSocialAgrement& cmd) const;
  void Apply(const v1::RenewCentreSocialAgrement& cmd);
  Expectation Expect(const v1::PublishBareme& cmd) const;
  void Apply(const v1::PublishBareme& cmd);
  Expectation Expect(const v1::FileFundingRequest& cmd) const;
  void Apply(const v1::FileFundingRequest& cmd);
  Expectation Expect(const v1::RecordCommitteeDecision& cmd) const;
  void Apply(const v1::RecordCommitteeDecision& cmd);
  Expectation Expect(const v1::SignConvention& cmd) const;
  void Apply(const v1::SignConvention& cmd);
  Expectation Expect(const v1::SignAvenant& cmd) const;
  void Apply(const v1::SignAvenant& cmd);
  Expectation Expect(const v1::NotifyCollectifs& cmd) const;
  void Apply(const v1::NotifyCollectifs& cmd);
  Expectation Expect(const v1::PayAcompte& cmd) const;
  void Apply(const v1::PayAcompte& cmd);
  Expectation Expect(const v1::ReceiveBilan& cmd) const;
  void Apply(const v1::ReceiveBilan& cmd);
  Expectation Expect(const v1::PaySolde& cmd) const;
  void Apply(const v1::PaySolde& cmd);
  Expectation Expect(const v1::OpenControle& cmd) const;
  void Apply(const v1::OpenControle& cmd);
  Expectation Expect(const v1::RecordControleFindings& cmd) const;
  void Apply(const v1::RecordControleFindings& cmd);
  Expectation Expect(const v1::DecideControle& cmd) const;
  void Apply(const v1::DecideControle& cmd);
  Expectation Expect(const v1::RecordRecovery& cmd) const;
  void Apply(const v1::RecordRecovery& cmd);
  Expectation Expect(const v1::PayRappel& cmd) const;
  void Apply(const v1::PayRappel& cmd);
  Expectation Expect(const v1::CloseCivilYear& cmd) const;
  void Apply(const v1::CloseCivilYear& cmd);
  // Corrections (R-HIST-1) of a bilan, before its solde and after it (R-PAY-9, R-PAY-8), and of a
  // notification; cancellations of a bilan, a notification, an acompte, a rappel, a recovery.
  Expectation Expect(const v1::CorrectEvent& cmd) const;
  void Apply(const v1::CorrectEvent& cmd);

 private:
  const ModelConvention* Find(const std::string& caf, const std::string& id) const;
  ModelConvention& Get(const std::string& caf, const std::string& id);
  bool Closed(const std::string& caf, int32_t date) const;
  // Adds the forecast now in force for year y, effective on `date` (an act of today).
  void KeepForecast(ModelYear& y, int32_t date);
  // The notified number now, after a notification was recorded, corrected or cancelled.
  static void RefreshNotified(ModelYear& y);
  // R-ACC-3/4: what a closing of civil year `year` uses for c's school year `year`, from the
  // state now (nullopt: the year is not covered).
  std::optional<ModelClosing> ClosingOf(const ModelConvention& c, int32_t year) const;
  // R-ACC-8: after a fact of convention `id` that may change what a closing used (a correction,
  // a notification or avenant effective in a closed year), the régularisation of every closed
  // year in the first open one.
  void Regularise(const std::string& caf, const std::string& id);
  void ExpectCancel(const v1::CorrectEvent& cmd, const ModelConvention& c, const ModelEvent& t,
                    Expectation* e) const;
  void ExpectReplacement(const v1::CorrectEvent& cmd, const ModelConvention& c, const ModelEvent& t,
                         Expectation* e) const;
  void ExpectFindingsReplacement(const v1::CorrectEvent& cmd, const ModelConvention& c,
                                 const ModelEvent& t, Expectation* e) const;
  void ApplyCancel(const v1::CorrectEvent& cmd, ModelConvention& c, ModelEvent& t);
  void ApplyBilanCorrection(const v1::CorrectEvent& cmd, ModelConvention& c, int32_t n);
  void ExpectOffset(const v1::RecordRecovery& cmd, const ModelConvention& c, const ModelIndu& indu,
                    Expectation* e) const;
};

}  // namespace clas::sim

#endif  // CLAS_TESTS_SIM_SIM_MODEL_H_
