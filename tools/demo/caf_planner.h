// The plan of one Caf: its gestionnaires and their Clas actions over the school years, the
// conventions and avenants that fund them, each school year's money (plan_years.cc), contrôles
// (plan_controles.cc) and closings. Internal to the demo.
//
// The planner appends Steps to a Plan in a logical order (a convention's set-up before its
// payments, a payment before the offset withheld from it); BuildPlan then sorts every step by
// day. It keeps just enough state to know each figure the engine will compute (notified
// collectifs, forecast charges, agrément, acomptes paid), so that every command it plans is valid.
//
// Thread-safety: not thread-safe; one planner per Caf, used once.
#ifndef CLAS_TOOLS_DEMO_CAF_PLANNER_H_
#define CLAS_TOOLS_DEMO_CAF_PLANNER_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "clas/v1/types.pb.h"
#include "tools/demo/plan.h"

namespace clas::demo {

// The refusals the demo sends on purpose, by the rule they must name.
inline constexpr const char* kRefusalRules[] = {
    "R-PAY-2", "R-PAY-3", "R-PAY-7", "R-CONV-6", "R-ELIG-1",
    "R-HIST-1", "R-ACC-8", "R-PAY-5", "R-CONV-2", "R-BON-3"};

struct Gestionnaire {
  std::string id;
  std::string name;
  v1::GestionnaireKind kind = v1::ASSOCIATION;
  int32_t supported_since = 0;  // first school year supported by the Caf
  int32_t registered_on = 0;
  int32_t agrement_end = 0;     // a centre social's agrément délivré par la Caf (R-CONV-2)
};

// One Clas action of one gestionnaire, funded over [start, end].
struct Project {
  int gestionnaire = 0;
  int32_t start = 0;
  int32_t end = 0;
  int collectifs = 1;
  bool rural = false;
  int64_t charges_per_collectif_cents = 0;
  int64_t autres_bf_cents = 0;
  int bonus_enfants = 0;  // collectifs the bonus is asked for (0: not asked)
  int bonus_parents = 0;
};

// One school year of a convention, as the engine will know it.
struct YearPlan {
  int32_t n = 0;
  bool by_avenant = false;
  int agreed = 0;      // agreed collectifs (comité or avenant)
  int notified = 0;    // the C of DP
  int64_t charges_cents = 0;
  int64_t autres_bf_cents = 0;
  int bonus_enfants = 0;  // collectifs holding each bonus by the agrément
  int bonus_parents = 0;
  int32_t ready = 0;   // from this day on the year may be paid (agrément and signature)
};

struct ConventionPlan {
  std::string id;
  int project = 0;
  int32_t first = 0;
  std::vector<YearPlan> years;
};

// An acompte planned for a gestionnaire, that a later offset may be withheld from.
struct PaymentRef {
  int32_t date = 0;
  std::string convention_id;
  std::string payment_id;
  int64_t amount_cents = 0;
  int64_t offset_cents = 0;
};

// A school year paid in full (solde ≥ 0): what a contrôle starts from.
struct PaidYear {
  std::string convention_id;
  int gestionnaire = 0;
  YearPlan year;
  v1::Figures bilan;
  int64_t paid_cents = 0;  // acomptes + solde
  int32_t solde_date = 0;
};

class CafPlanner {
 public:
  // `actions`: the Caf's actions per school year; `refusals`: the rules of kRefusalRules this
  // Caf shows once each. REQUIRES: plan outlives the planner.
  CafPlanner(const DemoOptions& options, int caf_index, int actions,
             std::vector<std::string> refusals, Plan* plan);
  void Run();

 private:
  // plan_caf.cc: gestionnaires, actions, the layout of conventions, closings.
  void PlanProjects();
  int PickGestionnaire(int32_t year);
  int NewGestionnaire(int32_t year, bool first_year);
  void PlanConventions(int project);
  void PlanClosings();
  // plan_conventions.cc: requests, comités, signatures, avenants.
  ConventionPlan& NewConvention(int project, int32_t year, int years);
  void EmitSetup(ConventionPlan& c, int requested_years, int signed_years);
  void EmitRefusedRequest(int32_t year);
  void EmitAvenant(ConventionPlan& c, bool identical);
  v1::FundingRequestFiled Request(const std::string& id, const Project& p, int32_t year,
                                  int years, int64_t charges_cents) const;
  void EmitRegistration(int gestionnaire);
  // plan_years.cc: one school year's money.
  void EmitYear(ConventionPlan& c, YearPlan& y);
  int32_t EmitNotification(const ConventionPlan& c, YearPlan& y);
  int64_t EmitAcompte(const ConventionPlan& c, const YearPlan& y, bool n_share, int32_t from);
  void EmitBilanAndSolde(const ConventionPlan& c, const YearPlan& y, int64_t acomptes_cents);
  v1::Figures BilanFigures(const YearPlan& y);
  void EmitSolde(const ConventionPlan& c, const YearPlan& y, const v1::Figures& bilan,
                 int32_t solde_date, int64_t acomptes_cents);
  // plan_controles.cc
  void PlanControles();
  bool EmitControle(const PaidYear& paid, bool rappel);
  void EmitRecoveries(const PaidYear& paid, const std::string& indu_id, int64_t indu_cents,
                      int32_t decided);

  // Adds a step given on `date` (its run date) and returns it for the finishing touches. The
  // reference is valid until the next Add.
  Step& Add(int32_t date, Who who, std::string request_id, Command command);
  // "demo<seed>-<scope>-<what>": unique within the Caf, the same on every run.
  std::string Rid(const std::string& scope, const std::string& what) const;
  // True once for each refusal this Caf shows: the caller then plans it.
  bool Take(const char* rule);
  bool Kept(int32_t date) const { return date <= options_.today; }
  v1::DroitBreakdown Droit(int32_t n, v1::DroitKind kind, const v1::Figures& f) const;
  static v1::Figures Forecast(const YearPlan& y);

  const DemoOptions& options_;
  const std::string caf_id_;
  const int actions_;
  std::set<std::string> refusals_;
  Plan* const plan_;
  Rng rng_;
  std::vector<Gestionnaire> gestionnaires_;
  std::vector<bool> registered_;
  std::vector<Project> projects_;
  std::vector<ConventionPlan> conventions_;
  std::vector<std::vector<PaymentRef>> payments_;  // by gestionnaire
  std::vector<PaidYear> paid_years_;
  int conventions_numbered_ = 0;
  bool has_caf_interne_ = false;
};

}  // namespace clas::demo

#endif  // CLAS_TOOLS_DEMO_CAF_PLANNER_H_
