// The generator of random histories (random_history.h): set-up, conventions, avenants,
// notifications, acomptes, closings.
#include "tests/projections/random_history.h"

#include <algorithm>

namespace clas::testing {

void RandomHistory::Run() {
  SetUp();
  while (!queue_.empty()) {
    auto it = queue_.begin();
    today_ = std::get<0>(it->first);
    auto run = std::move(it->second);
    queue_.erase(it);
    run();
  }
}

bool RandomHistory::Accepted(const std::string& what, const std::string& convention,
                             const absl::StatusOr<CommandResult>& result) {
  if (!result.ok()) {
    observer_->Unexpected(what, result.status());
    return false;
  }
  observer_->AfterStep(Step{what, convention, *result});
  return true;
}

void RandomHistory::ExpectRefused(const std::string& what, const std::string& rule,
                                  const std::function<absl::StatusOr<CommandResult>()>& command) {
  const uint64_t head = agent_.log().HeadPosition();
  auto result = command();
  observer_->AfterProbe(Probe{what, result.ok() ? absl::OkStatus() : result.status(), rule,
                              agent_.log().HeadPosition() != head});
}

int32_t RandomHistory::DateFrom(int32_t earliest, const std::set<int32_t>& avoid) {
  if (!backdating_ || !dice_.Chance(50)) return today_;
  int32_t lo =
      std::max({earliest, Dice::Plus(today_, -kBackdateDaysMax), (today_ / 10000) * 10000 + 101});
  if (lo > today_ || closed_.count(today_ / 10000) > 0) return today_;
  const int32_t date = dice_.DateBetween(lo, today_);
  return avoid.count(date) > 0 ? today_ : date;
}

std::optional<v1::SchoolYearState> RandomHistory::Year(const std::string& conv, int32_t n) {
  auto state = agent_.State(conv);
  if (!state.ok()) return std::nullopt;
  const v1::SchoolYearState* y = FindYear(*state, n);
  return y == nullptr ? std::nullopt : std::optional<v1::SchoolYearState>(*y);
}

v1::Figures RandomHistory::RandomFigures(const v1::SchoolYearState& y) {
  v1::Figures f;
  f.set_collectifs(static_cast<int32_t>(dice_.Between(1, y.notified_collectifs() + 1)));
  f.set_charges_cents(dice_.Between(Eur(1000), Eur(40000)));
  if (dice_.Chance(20)) f.set_autres_bf_cents(dice_.Between(0, f.charges_cents() / 2));
  const int32_t c = f.collectifs();
  f.set_bonus_enfants_collectifs(
      static_cast<int32_t>(dice_.Between(0, std::min(c, y.agrement().bonus_enfants_collectifs()))));
  f.set_bonus_parents_collectifs(
      static_cast<int32_t>(dice_.Between(0, std::min(c, y.agrement().bonus_parents_collectifs()))));
  return f;
}

void RandomHistory::SetUp() {
  // Every barème takes effect before any convention event, so that a state as of a date
  // depends on the convention's own events only.
  for (int32_t n = kFirstBaremeYear; n <= kLastBaremeYear; ++n) {
    v1::PublishBareme cmd;
    cmd.mutable_bareme()->set_school_year(n);
    cmd.mutable_bareme()->set_plafond_cents(dice_.Between(Eur(5000), Eur(9000)));
    cmd.mutable_bareme()->set_bonus_enfants_cents(dice_.Between(0, Eur(1500)));
    cmd.mutable_bareme()->set_bonus_parents_cents(dice_.Between(0, Eur(2000)));
    cmd.set_date(kBaremeDate);
    Accepted(absl::StrCat("barème ", n), "",
             agent_.engine().PublishBareme(cmd, agent_.actor(), agent_.NextRequest()));
  }
  const v1::GestionnaireKind kinds[] = {v1::ASSOCIATION, v1::CENTRE_SOCIAL, v1::EVS,
                                        v1::COMMUNE,     v1::ENTREPRISE,    v1::CAF_INTERNE};
  const int gestionnaires = static_cast<int>(dice_.Between(1, kGestionnairesMax));
  std::vector<std::pair<std::string, bool>> multi_year;  // id, may sign several years
  for (int g = 1; g <= gestionnaires; ++g) {
    const auto kind = dice_.Chance(40) ? v1::CENTRE_SOCIAL : kinds[dice_.Between(0, 5)];
    const int32_t since = dice_.Chance(20) ? 2020 : 0;
    const std::string id = absl::StrCat("g", g);
    Accepted(absl::StrCat("gestionnaire ", id), "", agent_.Register(id, kind, since));
    multi_year.emplace_back(id, kind == v1::CENTRE_SOCIAL || since != 0);
  }
  const int conventions = static_cast<int>(dice_.Between(1, kConventionsMax));
  for (int c = 1; c <= conventions; ++c) {
    const auto& [g, multi] = multi_year[dice_.Between(0, gestionnaires - 1)];
    Plan plan;
    plan.id = absl::StrCat("conv-", c);
    plan.gestionnaire = g;
    plan.first = static_cast<int32_t>(dice_.Between(2026, 2027));
    plan.last = plan.first + (multi ? static_cast<int32_t>(dice_.Between(0, 2)) : 0);
    plan.collectifs = static_cast<int>(dice_.Between(1, 4));
    plans_[plan.id] = plan;
    const std::string id = plan.id;
    At(dice_.DateBetween((plan.first - 1) * 10000 + 601, (plan.first - 1) * 10000 + 630), 0,
       [this, id] { File(id); });
  }
  // Every year closed, in order (R-ACC-8: none is skipped); one in four late, in the next year
  // before its own closing.
  for (int32_t y = kFirstClosedYear; y <= kLastClosedYear; ++y) {
    const int32_t on = dice_.Chance(75) ? y * 10000 + 1231
                                        : dice_.DateBetween((y + 1) * 10000 + 101,
                                                            (y + 1) * 10000 + 1130);
    At(on, 9, [this, y] { Close(y); });
  }
}

void RandomHistory::File(const std::string& id) {
  Plan& p = plans_[id];
  v1::FundingRequestFiled r = Agent::Request(id, p.gestionnaire, p.first, p.last - p.first + 1,
                                             p.collectifs, dice_.Between(Eur(2000), Eur(40000)));
  if (dice_.Chance(20)) r.set_autres_bf_cents(dice_.Between(0, r.charges_cents() * 9 / 10));
  if (dice_.Chance(50)) {
    auto* b = r.mutable_bonus_enfants();
    b->set_requested(true);
    b->set_structured_project(true);
    b->set_cultural_outings(true);
    p.bonus_e_asked = static_cast<int>(dice_.Between(1, p.collectifs));
    b->set_collectifs(p.bonus_e_asked);
  }
  if (dice_.Chance(40)) {
    auto* b = r.mutable_bonus_parents();
    b->set_requested(true);
    b->set_parent_support_project(true);
    b->set_specific_actions(true);
    p.bonus_p_asked = static_cast<int>(dice_.Between(1, p.collectifs));
    b->set_collectifs(p.bonus_p_asked);
  }
  if (!Accepted(absl::StrCat("demande ", id, " le ", today_), id, agent_.File(r, today_))) return;
  At(Dice::Plus(today_, dice_.Between(1, 40)), 0, [this, id] { Agree(id); });
}

void RandomHistory::Agree(const std::string& id) {
  const Plan& p = plans_[id];
  const auto agreed = static_cast<int32_t>(dice_.Between(1, p.collectifs));
  const auto be = p.bonus_e_asked > 0 ? static_cast<int32_t>(dice_.Between(0, agreed)) : 0;
  const auto bp = p.bonus_p_asked > 0 ? static_cast<int32_t>(dice_.Between(0, agreed)) : 0;
  if (!Accepted(absl::StrCat("agrément ", id, " le ", today_), id,
                agent_.Agree(id, p.first, p.last, agreed, today_, be, bp))) {
    return;
  }
  At(Dice::Plus(today_, dice_.Between(1, 30)), 0, [this, id] { Sign(id); });
}

void RandomHistory::Sign(const std::string& id) {
  const Plan& p = plans_[id];
  auto sign = agent_.Sign(id, p.first, p.last, today_);
  if (!Accepted(absl::StrCat("convention ", id, " le ", today_), id, sign)) return;
  for (int32_t n = p.first; n <= p.last; ++n) ScheduleYear(id, n);
  if (dice_.Chance(15)) {
    const v1::ClasEvent signed_fact = sign->events.front().fact;
    const std::string target = sign->events.front().event_id;
    At(dice_.DateBetween(Dice::Plus(today_, 30), (p.last + 2) * 10000 + 831), 1,
       [this, id, signed_fact, target] { CorrectBudget(id, signed_fact, target); });
  }
  if (p.last - p.first < 2 && dice_.Chance(25)) {
    At(dice_.DateBetween(p.last * 10000 + 301, p.last * 10000 + 731), 0,
       [this, id] { Avenant(id); });
  }
}

void RandomHistory::CorrectBudget(const std::string& id, v1::ClasEvent fact,
                                  const std::string& target) {
  v1::CorrectEvent cmd;
  cmd.set_caf_id(agent_.caf());
  cmd.set_convention_id(id);
  cmd.set_target_event_id(target);
  cmd.set_reason("budget prévisionnel rectifié");
  auto* budget = fact.mutable_convention_signed();
  budget->set_charges_cents(dice_.Between(Eur(2000), Eur(40000)));
  // R-DROIT-5: a forecast budget keeps its other money within its charges.
  budget->set_autres_bf_cents(std::min(budget->autres_bf_cents(), budget->charges_cents()));
  *cmd.mutable_replacement() = fact;
  Accepted(absl::StrCat("correction du budget de ", id, " le ", today_), id,
           agent_.engine().CorrectEvent(cmd, agent_.actor(), agent_.NextRequest()));
}

void RandomHistory::Avenant(const std::string& id) {
  Plan& p = plans_[id];
  const bool identical = dice_.Chance(50);
  const int32_t year = p.last + 1;
  const auto collectifs = identical ? 0 : static_cast<int32_t>(dice_.Between(1, 5));
  const int64_t charges = identical ? 0 : dice_.Between(Eur(2000), Eur(40000));
  if (!Accepted(absl::StrCat("avenant ", id, " pour ", year, " le ", today_), id,
                agent_.Avenant(id, absl::StrCat("av-", id),
                               identical ? v1::PROLONGATION_IDENTIQUE : v1::PROLONGATION_COLLECTIFS,
                               year, collectifs, charges, today_))) {
    return;
  }
  p.last = year;
  ScheduleYear(id, year);
}

void RandomHistory::ScheduleYear(const std::string& id, int32_t n) {
  Plan& p = plans_[id];
  if (dice_.Chance(50)) {
    const int32_t date = dice_.DateBetween(n * 10000 + 101, (n + 1) * 10000 + 615);
    p.notification_dates[n].insert(date);
    At(date, 0, [this, id, n] { Notify(id, n); });
  }
  // R-PAY-6 is checked on dates: an acompte never shares its day with a notification of its
  // year, so that "the DP in force at the acompte's date" has one meaning.
  for (int32_t civil = n; civil <= n + 1; ++civil) {
    const int32_t from = civil * 10000 + 101,
                  to = civil == n ? civil * 10000 + 1231 : civil * 10000 + 831;
    for (int64_t k = dice_.Between(0, kAcomptesPerShareMax); k > 0; --k) {
      const int32_t date = dice_.DateBetween(from, to);
      if (p.notification_dates[n].count(date) > 0) continue;
      At(date, 1, [this, id, n] { Acompte(id, n); });
    }
  }
  if (dice_.Chance(90)) {
    At(dice_.DateBetween((n + 1) * 10000 + 901, (n + 1) * 10000 + 1215), 1,
       [this, id, n] { Bilan(id, n); });
  }
}

void RandomHistory::Notify(const std::string& id, int32_t n) {
  auto y = Year(id, n);
  if (!y || y->solde_paid()) return;
  v1::NotifyCollectifs cmd;
  cmd.set_caf_id(agent_.caf());
  cmd.set_convention_id(id);
  cmd.set_notification_id(absl::StrCat("notif-", n, "-", today_));
  cmd.set_school_year(n);
  cmd.set_collectifs(static_cast<int32_t>(dice_.Between(1, y->agrement().agreed_collectifs())));
  // R-PAY-6: acomptes paid are not rewritten. Never on an acompte's day, so that "the DP in
  // force at the acompte's date" keeps one meaning.
  std::set<int32_t> acompte_days;
  for (const auto& a : y->acomptes()) acompte_days.insert(a.date());
  int32_t date = DateFrom(n * 10000 + 101, acompte_days);
  // R-ACC-8: now and then (histories that backdate), a notification effective in the previous
  // civil year, closed or not: a closed year is regularised in the first open one.
  const int32_t last_year = today_ / 10000 - 1;
  if (backdating_ && last_year >= n && dice_.Chance(50)) {
    const int32_t late = dice_.DateBetween(std::max(n * 10000 + 101, last_year * 10000 + 101),
                                           last_year * 10000 + 1231);
    if (acompte_days.count(late) == 0) date = late;
  }
  cmd.set_date(date);
  Accepted(
      absl::StrCat("notification ", id, " ", n, " le ", date, " (enregistrée le ", today_, ")"), id,
      agent_.engine().NotifyCollectifs(cmd, agent_.actor(), agent_.NextRequest()));
}

void RandomHistory::Acompte(const std::string& id, int32_t n) {
  Plan& p = plans_[id];
  auto y = Year(id, n);
  if (!y || y->solde_paid()) return;
  const int32_t date = DateFrom(0, p.notification_dates[n]);
  const bool share_n = date / 10000 == n;
  // The room at the acompte's date: the cap of the DP in force then (R-PAY-6) less every
  // acompte of the same share (R-PAY-2 / R-PAY-3).
  const v1::DroitBreakdown* dp = DpInForce(*y, date);
  int64_t room = dp == nullptr ? 0
                               : rules::AcompteCap(share_n ? rules::Share::kN : rules::Share::kN1,
                                                   Money::Cents(dp->ps_cents()))
                                     .cents();
  int64_t paid = 0;  // in fold order; an acompte dated before others must leave them in
  for (const auto& a : y->acomptes()) {  // their own caps
    if (a.civil_year() != date / 10000) continue;
    room -= a.amount_cents();
    paid += a.amount_cents();
    if (a.date() > date) room = std::min(room, a.cap_cents() - paid);
  }
  room = std::max<int64_t>(0, room);
  const std::string rule = share_n ? "R-PAY-2" : "R-PAY-3";
  const std::string pid = absl::StrCat("p", ++p.payments);
  const std::string what = absl::StrCat("acompte ", pid, " de ", id, " ", n, " le ", date,
                                        " (enregistré le ", today_, ")");
  auto pay = [&](int64_t amount) { return agent_.Acompte(id, pid, n, amount, date); };
  if (room == 0 || dice_.Chance(15)) {
    ExpectRefused(absl::StrCat(what, " : un centime au-delà du reste ", room), rule,
                  [&] { return pay(room + 1); });
    if (room == 0) return;
  }
  const int64_t amount = dice_.Chance(25) ? room : dice_.Between(1, room);
  auto result = pay(amount);
  if (!Accepted(absl::StrCat(what, " : ", amount), id, result)) return;
  payments_[p.gestionnaire].push_back(Payment{id, pid, amount, 0, date});
  if (dice_.Chance(5)) {
    const std::string target = result->events.front().event_id;
    At(Dice::Plus(today_, dice_.Between(1, 20)), 2,
       [this, id, n, pid, target, date] { Cancel(id, n, pid, target, date, false); });
  }
}

void RandomHistory::Close(int32_t y) {
  if (Accepted(absl::StrCat("clôture de ", y), "", agent_.Close(y, today_))) closed_.insert(y);
}

}  // namespace clas::testing
