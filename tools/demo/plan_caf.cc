// One Caf's gestionnaires and actions, the layout of its conventions, its closings.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "projections/rules/droit.h"
#include "tools/demo/caf_planner.h"

namespace clas::demo {
namespace {

// A funded action stops after a school year with this probability (the others go on).
constexpr int kActionStopsPercent = 12;
// A new action is run by a gestionnaire the Caf already funds with this probability.
constexpr int kKnownGestionnairePercent = 20;
// A gestionnaire funded before the ledger's first school year (the others are new that year).
constexpr int kPreexistingPercent = 75;
// A convention ending while its action goes on is prolonged by avenant with this probability
// (otherwise the gestionnaire files a new request).
constexpr int kProlongedPercent = 55;
constexpr int kProlongedIdenticalPercent = 70;
// An eligible gestionnaire (R-CONV-2) signs a multi-year convention with this probability.
constexpr int kMultiYearPercent = 50;
constexpr int kConventionYearsMax = 5;  // R-CONV-2
// Collectifs per action, in percent for 1, 2, ... collectifs (about four on average, RULES.md §5).
constexpr int kUrbanCollectifsPercent[] = {5, 12, 19, 23, 18, 11, 7, 5};
constexpr int kRuralCollectifsPercent[] = {35, 35, 20, 10};

int Draw(Rng& rng, const int* percents, int count) {
  int roll = static_cast<int>(rng.Between(0, 99));
  for (int i = 0; i < count; ++i) {
    if (roll < percents[i]) return i + 1;
    roll -= percents[i];
  }
  return count;
}

const char* KindPrefix(v1::GestionnaireKind kind) {
  switch (kind) {
    case v1::CENTRE_SOCIAL: return "cs";
    case v1::EVS: return "evs";
    case v1::COMMUNE: return "commune";
    case v1::ENTREPRISE: return "entreprise";
    case v1::CAF_INTERNE: return "caf";
    default: return "asso";
  }
}

std::string Name(v1::GestionnaireKind kind, int number, Rng& rng) {
  static constexpr const char* kPlaces[] = {"des Tilleuls", "du Centre", "de la Gare",
                                            "des Coteaux", "du Moulin",  "des Trois Cités",
                                            "du Port",     "de la Plaine"};
  const char* place = kPlaces[rng.Between(0, 7)];
  switch (kind) {
    case v1::CENTRE_SOCIAL: return absl::StrFormat("Centre social %s (%d)", place, number);
    case v1::EVS: return absl::StrFormat("Espace de vie sociale %s (%d)", place, number);
    case v1::COMMUNE: return absl::StrFormat("Commune, service éducation (%d)", number);
    case v1::ENTREPRISE: return absl::StrFormat("Soutien scolaire %s SARL (%d)", place, number);
    case v1::CAF_INTERNE: return "Caf, accompagnement à la scolarité en régie";
    default: return absl::StrFormat("Association Réussite %s (%d)", place, number);
  }
}

}  // namespace

CafPlanner::CafPlanner(const DemoOptions& options, int caf_index, int actions,
                       std::vector<std::string> refusals, Plan* plan)
    : options_(options),
      caf_id_(CafId(CafAt(caf_index))),
      actions_(actions),
      refusals_(refusals.begin(), refusals.end()),
      plan_(plan),
      rng_(MixSeed(options.seed, static_cast<uint64_t>(caf_index) + 1)) {}

void CafPlanner::Run() {
  PlanProjects();
  for (int p = 0; p < static_cast<int>(projects_.size()); ++p) PlanConventions(p);
  PlanControles();
  PlanClosings();
  ++plan_->shape.cafs;
}

void CafPlanner::PlanProjects() {
  std::vector<int> active;
  for (int32_t y = options_.first_school_year; y <= options_.last_school_year; ++y) {
    std::vector<int> going_on;
    for (int p : active) {
      if (projects_[p].start < y && rng_.Percent(kActionStopsPercent)) {
        projects_[p].end = y - 1;
      } else {
        going_on.push_back(p);
      }
    }
    active = std::move(going_on);
    while (static_cast<int>(active.size()) < actions_) {
      Project p;
      p.gestionnaire = PickGestionnaire(y);
      p.start = y;
      p.rural = rng_.Percent(20);
      p.collectifs = p.rural ? Draw(rng_, kRuralCollectifsPercent, 4)
                             : Draw(rng_, kUrbanCollectifsPercent, 8);
      p.charges_per_collectif_cents =
          p.rural ? rng_.Between(5500, 9000) * 100 : rng_.Between(8000, 12500) * 100;
      p.autres_bf_cents = rng_.Percent(10) ? rng_.Between(300, 1500) * 100 : 0;
      p.bonus_enfants = rng_.Percent(30) ? static_cast<int>(rng_.Between(1, p.collectifs)) : 0;
      p.bonus_parents = rng_.Percent(20) ? static_cast<int>(rng_.Between(1, p.collectifs)) : 0;
      active.push_back(static_cast<int>(projects_.size()));
      projects_.push_back(p);
    }
  }
  for (int p : active) projects_[p].end = options_.last_school_year;
}

int CafPlanner::PickGestionnaire(int32_t year) {
  if (!gestionnaires_.empty() && rng_.Percent(kKnownGestionnairePercent)) {
    const int g = static_cast<int>(rng_.Between(0, gestionnaires_.size() - 1));
    const auto kind = gestionnaires_[g].kind;
    if (kind == v1::ASSOCIATION || kind == v1::CENTRE_SOCIAL || kind == v1::COMMUNE) return g;
  }
  return NewGestionnaire(year, year == options_.first_school_year);
}

// A new gestionnaire, registered before the first request of its year: on 1 March of the first
// school year for those the Caf already knew, in March of their first year for the others.
int CafPlanner::NewGestionnaire(int32_t year, bool first_year) {
  const int roll = static_cast<int>(rng_.Between(0, 99));
  Gestionnaire g;
  g.kind = roll < 55   ? v1::ASSOCIATION
           : roll < 77 ? v1::CENTRE_SOCIAL
           : roll < 86 ? v1::EVS
           : roll < 97 ? v1::COMMUNE
           : roll < 99 ? v1::ENTREPRISE
                       : (has_caf_interne_ ? v1::ASSOCIATION : v1::CAF_INTERNE);
  has_caf_interne_ |= g.kind == v1::CAF_INTERNE;
  const int number = static_cast<int>(gestionnaires_.size()) + 1;
  g.id = g.kind == v1::CAF_INTERNE ? "caf-interne"
                                   : absl::StrFormat("%s-%04d", KindPrefix(g.kind), number);
  g.name = Name(g.kind, number, rng_);
  g.supported_since = year;
  if (first_year && (g.kind == v1::CAF_INTERNE || rng_.Percent(kPreexistingPercent))) {
    g.supported_since = year - static_cast<int32_t>(rng_.Between(1, 12));
  }
  g.registered_on = first_year ? Ymd(year, 3, 1) : DayBetween(rng_, Ymd(year, 3, 2), Ymd(year, 3, 31));
  // R-CONV-2: a centre social's agrément délivré par la Caf, renewed beyond the demo's years.
  if (g.kind == v1::CENTRE_SOCIAL) g.agrement_end = Ymd(options_.last_school_year + 2, 12, 31);
  gestionnaires_.push_back(g);
  registered_.push_back(false);
  payments_.emplace_back();
  return number - 1;
}

// Lays out the conventions of one action: a new convention (annual, or multi-year where R-CONV-2
// allows it) whenever the previous one is not prolonged by avenant, and emits each year.
void CafPlanner::PlanConventions(int project) {
  const Project& p = projects_[project];
  // Copied: planning a convention may add gestionnaires (requests the comité refuses).
  const v1::GestionnaireKind kind = gestionnaires_[p.gestionnaire].kind;
  const int32_t supported_since = gestionnaires_[p.gestionnaire].supported_since;
  int current = -1;
  for (int32_t y = p.start; y <= p.end;) {
    if (current >= 0) {
      ConventionPlan& c = conventions_[current];
      if (static_cast<int>(c.years.size()) < kConventionYearsMax &&
          rng_.Percent(kProlongedPercent)) {
        EmitAvenant(c, rng_.Percent(kProlongedIdenticalPercent));
        EmitYear(c, c.years.back());
        ++y;
        continue;
      }
    }
    const bool eligible = kind == v1::CENTRE_SOCIAL || y - supported_since >= 2;  // R-CONV-2
    int years = 1;
    if (eligible && rng_.Percent(kMultiYearPercent)) {
      years = std::min<int>(static_cast<int>(rng_.Between(2, 4)), p.end - y + 1);
    }
    // R-CONV-2 shown on purpose: a young association asks for two years; the agent tries a
    // two-year convention, is refused, signs an annual one and prolongs it by avenant.
    const bool demo_multi_year = !eligible && p.end > y && Take("R-CONV-2");
    current = static_cast<int>(conventions_.size());
    ConventionPlan& c = NewConvention(project, y, years);
    EmitSetup(c, demo_multi_year ? 2 : years, years);
    for (YearPlan& year : c.years) EmitYear(c, year);
    y += years;
    if (demo_multi_year) {
      EmitAvenant(c, /*identical=*/true);
      EmitYear(c, c.years.back());
      ++y;
    }
  }
}

// Every civil year with a payment is closed on 15 January of the next, once that day is past: after
// every payment dated in it, before any solde of its school year (paid from the autumn on).
void CafPlanner::PlanClosings() {
  for (int32_t y = options_.first_school_year; y <= options_.last_school_year + 3; ++y) {
    v1::CloseCivilYear close;
    close.set_caf_id(caf_id_);
    close.set_civil_year(y);
    close.set_date(Ymd(y + 1, 1, 15));
    Add(close.date(), Who::kAgent, Rid("cloture", absl::StrCat(y)), close).rank = kRankClosing;
    if (Kept(Ymd(y + 1, 2, 1)) && Take("R-ACC-8")) {
      close.set_date(Ymd(y + 1, 2, 1));  // R-ACC-8: a closed year is never closed again
      Step& again = Add(close.date(), Who::kAgent, Rid("cloture", absl::StrCat(y, "-bis")), close);
      again.expect_rule = "R-ACC-8";
    }
  }
}

Step& CafPlanner::Add(int32_t date, Who who, std::string request_id, Command command) {
  Step s;
  s.run_date = date;
  s.seq = static_cast<int64_t>(plan_->steps.size());
  s.caf_id = caf_id_;
  s.who = who;
  s.request_id = std::move(request_id);
  s.command = std::move(command);
  plan_->steps.push_back(std::move(s));
  return plan_->steps.back();
}

std::string CafPlanner::Rid(const std::string& scope, const std::string& what) const {
  return absl::StrCat("demo", options_.seed, "-", scope, "-", what);
}

bool CafPlanner::Take(const char* rule) { return refusals_.erase(rule) > 0; }

v1::DroitBreakdown CafPlanner::Droit(int32_t n, v1::DroitKind kind, const v1::Figures& f) const {
  auto droit = rules::ComputeDroit(rules::MakeDroitInputs(SchoolYear(n), kind, f, DemoBareme(n)));
  CLAS_CHECK(droit.ok()) << "demo figures refused by the droit: " << droit.status();
  return *droit;
}

// The figures of DP (year_figures.h: the notified C, bonuses of the agrément at most C).
v1::Figures CafPlanner::Forecast(const YearPlan& y) {
  v1::Figures f;
  f.set_collectifs(y.notified);
  f.set_charges_cents(y.charges_cents);
  f.set_autres_bf_cents(y.autres_bf_cents);
  f.set_bonus_enfants_collectifs(std::min(y.bonus_enfants, y.notified));
  f.set_bonus_parents_collectifs(std::min(y.bonus_parents, y.notified));
  return f;
}

}  // namespace clas::demo
