// Requests, comités, signatures and avenants of one Caf's conventions (R-CONV-*, R-ELIG-*,
// R-BON-*), with the refusals of that stage sent on purpose.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/demo/caf_planner.h"

namespace clas::demo {
namespace {

// A new request comes with a request from another gestionnaire that the comité refuses.
constexpr int kRefusedTwinPercent = 5;
constexpr int kCollectifsMax = 8;

// Forecast charges of an action in `year`: its cost per collectif, up 2 % a year.
int64_t ChargesOf(const Project& p, int collectifs, int32_t year) {
  const int64_t drift_percent = 100 + 2 * (year - p.start);
  return p.charges_per_collectif_cents * collectifs * drift_percent / 100 / 100 * 100;
}

void AddCollectif(v1::FundingRequestFiled& r, int index, bool rural, Rng& rng) {
  v1::Collectif* c = r.add_collectifs();
  c->set_collectif_id(absl::StrCat("C", index + 1));
  if (rural) {  // R-ELIG-1/2/3: 5 to 7 children, 1 animateur, one 2-hour session
    c->set_children(static_cast<int32_t>(rng.Between(5, 7)));
    c->set_animateurs(1);
    c->set_sessions_per_week(1);
    c->set_session_minutes(120);
    c->set_rural(true);
  } else {
    const bool disability = rng.Percent(5);  // R-ELIG-1: 5 to 12 with such a child
    c->set_children(static_cast<int32_t>(disability ? rng.Between(6, 9) : rng.Between(8, 12)));
    c->set_child_with_disability(disability);
    c->set_animateurs(rng.Percent(10) ? 3 : 2);
    c->set_sessions_per_week(2);
    c->set_session_minutes(static_cast<int32_t>(90 + 15 * rng.Between(0, 2)));
  }
  c->set_weeks(static_cast<int32_t>(rng.Between(28, 34)));
  const int levels = static_cast<int>(rng.Between(0, 99));
  if (levels < 60) {
    c->add_levels(v1::ELEMENTAIRE);
  } else if (levels < 85) {
    c->add_levels(v1::COLLEGE);
  } else if (levels < 95) {
    c->add_levels(v1::ELEMENTAIRE);
    c->add_levels(v1::COLLEGE);
  } else {
    c->add_levels(v1::COLLEGE);
    c->add_levels(v1::LYCEE);
  }
  c->set_single_accessible_place(true);
}

}  // namespace

v1::FundingRequestFiled CafPlanner::Request(const std::string& id, const Project& p,
                                            int32_t year, int years,
                                            int64_t charges_cents) const {
  Rng rng(MixSeed(options_.seed, Fingerprint(caf_id_ + "/" + id)));
  v1::FundingRequestFiled r;
  r.set_convention_id(id);
  r.set_gestionnaire_id(gestionnaires_[p.gestionnaire].id);
  r.set_first_school_year(year);
  r.set_school_years(years);
  for (int i = 0; i < p.collectifs; ++i) AddCollectif(r, i, p.rural, rng);
  r.mutable_axes()->set_children(true);
  r.mutable_axes()->set_parents(true);
  r.mutable_axes()->set_school(true);
  r.mutable_axes()->set_local_partners(true);
  r.set_family_participation_symbolic(true);
  r.set_action_start_date(Ymd(year, 11, static_cast<int>(rng.Between(2, 20))));  // R-ELIG-8
  r.set_action_end_date(Ymd(year + 1, 6, static_cast<int>(rng.Between(12, 30))));
  if (p.bonus_enfants > 0) {  // R-BON-1: the structured project and at least one more
    auto* b = r.mutable_bonus_enfants();
    b->set_requested(true);
    b->set_structured_project(true);
    b->set_teaching_equipment(rng.Percent(50));
    b->set_paid_intervenors(rng.Percent(50));
    b->set_cultural_outings(!b->teaching_equipment() || rng.Percent(50));
    b->set_collectifs(p.bonus_enfants);
  }
  if (p.bonus_parents > 0) {  // R-BON-2
    auto* b = r.mutable_bonus_parents();
    b->set_requested(true);
    b->set_parent_support_project(true);
    b->set_paid_intervenors(rng.Percent(40));
    b->set_specific_actions(!b->paid_intervenors() || rng.Percent(50));
    b->set_allophone_illiteracy_aef(rng.Percent(30));
    b->set_collectifs(p.bonus_parents);
  }
  r.set_charges_cents(charges_cents);
  r.set_autres_bf_cents(p.autres_bf_cents);
  return r;
}

void CafPlanner::EmitRegistration(int g) {
  if (registered_[g]) return;
  registered_[g] = true;
  const Gestionnaire& gest = gestionnaires_[g];
  v1::RegisterGestionnaire cmd;
  cmd.set_caf_id(caf_id_);
  cmd.set_gestionnaire_id(gest.id);
  cmd.set_name(gest.name);
  cmd.set_kind(gest.kind);
  cmd.set_supported_since_school_year(gest.supported_since);
  cmd.set_centre_social_agrement_end(gest.agrement_end);
  cmd.set_date(gest.registered_on);
  Add(cmd.date(), Who::kAgent, Rid(gest.id, "enregistrement"), cmd);
  if (Kept(cmd.date())) ++plan_->shape.gestionnaires;
}

ConventionPlan& CafPlanner::NewConvention(int project, int32_t year, int years) {
  const Project& p = projects_[project];
  ConventionPlan c;
  c.id = absl::StrFormat("conv-%d-%04d", year, ++conventions_numbered_);
  c.project = project;
  c.first = year;
  for (int k = 0; k < years; ++k) {
    YearPlan y;
    y.n = year + k;
    y.agreed = y.notified = p.collectifs;
    y.charges_cents = ChargesOf(p, p.collectifs, year);  // one forecast for every year signed
    y.autres_bf_cents = p.autres_bf_cents;
    y.bonus_enfants = p.bonus_enfants;
    y.bonus_parents = p.bonus_parents;
    c.years.push_back(y);
  }
  conventions_.push_back(std::move(c));
  return conventions_.back();
}

// Request, comité "pour validation" and signature of a new convention. `requested_years` may
// exceed `signed_years` only for the R-CONV-2 refusal shown on purpose.
void CafPlanner::EmitSetup(ConventionPlan& c, int requested_years, int signed_years) {
  const Project p = projects_[c.project];
  const int32_t y = c.first;
  EmitRegistration(p.gestionnaire);
  const int32_t filed = DayBetween(rng_, Ymd(y, 4, 1), Ymd(y, 5, 31));
  const int32_t agreed = DayBetween(rng_, Ymd(y, 6, 5), Ymd(y, 7, 5));
  const int32_t signed_on = DayBetween(rng_, Ymd(y, 7, 10), Ymd(y, 9, 25));
  v1::FileFundingRequest file;
  file.set_caf_id(caf_id_);
  *file.mutable_request() = Request(c.id, p, y, requested_years, c.years[0].charges_cents);
  file.set_date(filed);
  if (Kept(filed) && Take("R-ELIG-1")) {  // a collectif of 4 children in town: ineligible
    v1::FileFundingRequest bad = file;
    bad.mutable_request()->set_convention_id(c.id + "-x");
    bad.mutable_request()->mutable_collectifs(0)->set_children(4);
    Add(filed, Who::kAgent, Rid(c.id, "demande-x"), bad).expect_rule = "R-ELIG-1";
  }
  Add(filed, Who::kAgent, Rid(c.id, "demande"), file);
  if (rng_.Percent(kRefusedTwinPercent)) EmitRefusedRequest(y);

  v1::RecordCommitteeDecision comite;
  comite.set_caf_id(caf_id_);
  comite.set_convention_id(c.id);
  auto* d = comite.mutable_decision();
  d->set_decision_id(absl::StrCat("cdf-", agreed));
  d->set_outcome(v1::VALIDATED);
  d->set_mode(v1::POUR_VALIDATION);
  d->set_first_school_year(y);
  d->set_last_school_year(y + requested_years - 1);
  d->set_agreed_collectifs(p.collectifs);
  comite.set_date(agreed);
  if (p.bonus_enfants == 0 && Kept(agreed) && Take("R-BON-3")) {  // a bonus on no project
    v1::RecordCommitteeDecision bad = comite;
    bad.mutable_decision()->set_bonus_enfants_collectifs(1);
    Add(agreed, Who::kAgent, Rid(c.id, "comite-bonus"), bad).expect_rule = "R-BON-3";
  }
  d->set_bonus_enfants_collectifs(p.bonus_enfants);
  d->set_bonus_parents_collectifs(p.bonus_parents);
  Add(agreed, Who::kAgent, Rid(c.id, "comite"), comite);

  v1::SignConvention sign;
  sign.set_caf_id(caf_id_);
  sign.set_convention_id(c.id);
  sign.set_first_school_year(y);
  sign.set_date(signed_on);
  if (requested_years > signed_years) {  // R-CONV-2: multi-year refused for this gestionnaire
    sign.set_last_school_year(y + requested_years - 1);
    Add(signed_on, Who::kAgent, Rid(c.id, "signature-pluriannuelle"), sign).expect_rule =
        "R-CONV-2";
  }
  sign.set_last_school_year(y + signed_years - 1);
  Add(signed_on, Who::kAgent, Rid(c.id, "signature"), sign);
  if (Kept(AddDays(signed_on, 1)) && Take("R-HIST-1")) {  // the same request id with another content
    v1::SignConvention other = sign;
    other.set_date(AddDays(signed_on, 1));
    Add(other.date(), Who::kAgent, Rid(c.id, "signature"), other).expect_rule = "R-HIST-1";
  }
  for (YearPlan& year : c.years) year.ready = signed_on;
  if (Kept(signed_on)) ++plan_->shape.conventions;
}

// A request the comité refuses (R-CONV-4): filed by a new gestionnaire, never funded.
void CafPlanner::EmitRefusedRequest(int32_t year) {
  static constexpr const char* kReasons[] = {
      "enveloppe départementale épuisée pour l'année",
      "action redondante avec une action Clas déjà financée dans le quartier",
      "projet insuffisamment articulé avec les écoles du secteur"};
  const int g = NewGestionnaire(year, year == options_.first_school_year);
  EmitRegistration(g);
  Project p;
  p.gestionnaire = g;
  p.start = year;
  p.collectifs = static_cast<int>(rng_.Between(1, 3));
  p.charges_per_collectif_cents = rng_.Between(7000, 11000) * 100;
  const std::string id = absl::StrFormat("conv-%d-%04d", year, ++conventions_numbered_);
  v1::FileFundingRequest file;
  file.set_caf_id(caf_id_);
  *file.mutable_request() = Request(id, p, year, 1, ChargesOf(p, p.collectifs, year));
  file.set_date(DayBetween(rng_, Ymd(year, 4, 1), Ymd(year, 5, 31)));
  Add(file.date(), Who::kAgent, Rid(id, "demande"), file);
  v1::RecordCommitteeDecision comite;
  comite.set_caf_id(caf_id_);
  comite.set_convention_id(id);
  auto* d = comite.mutable_decision();
  const int32_t date = DayBetween(rng_, Ymd(year, 6, 5), Ymd(year, 7, 5));
  d->set_decision_id(absl::StrCat("cdf-", date));
  d->set_outcome(v1::REFUSED);
  d->set_mode(v1::POUR_VALIDATION);
  d->set_first_school_year(year);
  d->set_last_school_year(year);
  d->set_refusal_reason(kReasons[rng_.Between(0, 2)]);
  comite.set_date(date);
  Add(date, Who::kAgent, Rid(id, "comite"), comite);
  if (Kept(date)) ++plan_->shape.refused_requests;
}

// A prolongation avenant adding the school year after the last one covered (R-CONV-3):
// identical, or with a new number of collectifs and the forecast charges that go with it.
void CafPlanner::EmitAvenant(ConventionPlan& c, bool identical) {
  const YearPlan prev = c.years.back();
  const Project& p = projects_[c.project];
  YearPlan y = prev;
  y.n = prev.n + 1;
  y.by_avenant = true;
  y.ready = DayBetween(rng_, Ymd(y.n, 6, 1), Ymd(y.n, 7, 10));
  v1::SignAvenant cmd;
  cmd.set_caf_id(caf_id_);
  cmd.set_convention_id(c.id);
  cmd.set_avenant_id(absl::StrCat("av-", y.n));
  cmd.set_school_year(y.n);
  cmd.set_date(y.ready);
  y.agreed = y.notified = prev.notified;  // the engine carries the notified number over
  if (identical) {
    cmd.set_kind(v1::PROLONGATION_IDENTIQUE);
  } else {
    const bool more = prev.notified < kCollectifsMax && (prev.notified == 1 || rng_.Percent(60));
    y.agreed = y.notified = prev.notified + (more ? 1 : -1);
    y.charges_cents = ChargesOf(p, y.notified, y.n);
    cmd.set_kind(v1::PROLONGATION_COLLECTIFS);
    cmd.set_collectifs(y.notified);
    cmd.set_charges_cents(y.charges_cents);
    cmd.set_autres_bf_cents(y.autres_bf_cents);
  }
  y.bonus_enfants = std::min(prev.bonus_enfants, y.agreed);
  y.bonus_parents = std::min(prev.bonus_parents, y.agreed);
  Add(cmd.date(), Who::kAgent, Rid(c.id, absl::StrCat("avenant-", y.n)), cmd);
  c.years.push_back(y);
  if (Kept(cmd.date())) ++plan_->shape.avenants;
}

}  // namespace clas::demo
