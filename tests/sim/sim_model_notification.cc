// The simulation's model (sim_model.h): the DP in force on a day (R-CONV-5, R-PAY-6), the
// notifications of the number of collectifs, dated back or not, and the envelope follow-up of a
// civil year (R-ACC-7).
#include <algorithm>
#include <string>
#include <tuple>

#include "tests/sim/sim_model_internal.h"

namespace clas::sim {

using namespace model_internal;  // NOLINT: the helpers of the model's files

void Model::KeepForecast(ModelYear& y, int32_t date) {
  // Acts are dated the day they are sent and days only move forward: appended in order.
  y.forecasts.push_back(ModelForecast{.date = date,
                                      .agreed = y.agreed,
                                      .agreed_collectifs = y.agreed_collectifs,
                                      .bonus_enfants = y.agreed_bonus_enfants,
                                      .bonus_parents = y.agreed_bonus_parents,
                                      .agreement_date = y.agreement_date,
                                      .agreement_seq = y.agreement_seq,
                                      .charges = y.charges,
                                      .autres_bf = y.autres_bf});
}

// R-CONV-5: a notification takes effect from its date; [choice] the agrément fixes the number
// notified until a notification placed after it says otherwise. Facts of one day are placed in
// the order recorded.
int32_t Model::NotifiedAt(const ModelYear& y, const ModelForecast& f, int32_t date) {
  int32_t notified = f.agreed_collectifs;
  std::tuple<int32_t, int64_t> place{f.agreement_date, f.agreement_seq};
  for (const ModelNotification& n : y.notifications) {
    if (n.cancelled || n.date > date) continue;
    if (std::tuple<int32_t, int64_t>{n.date, n.seq} > place) {
      place = {n.date, n.seq};
      notified = n.collectifs;
    }
  }
  return notified;
}

void Model::RefreshNotified(ModelYear& y) {
  if (y.forecasts.empty()) return;
  y.notified = NotifiedAt(y, y.forecasts.back(), 99991231);
}

std::optional<ModelDroit> Model::DpAt(const ModelYear& y, int32_t date) const {
  const ModelForecast* f = nullptr;
  for (const ModelForecast& x : y.forecasts) {
    if (x.date <= date) f = &x;
  }
  if (f == nullptr || !f->agreed) return std::nullopt;
  const int32_t c = NotifiedAt(y, *f, date);
  if (c <= 0) return std::nullopt;
  // R-DROIT-2 [choice]: E and P at most the agrément's and at most C.
  const ModelFigures forecast{.collectifs = c,
                              .bonus_enfants = std::clamp(f->bonus_enfants, 0, c),
                              .bonus_parents = std::clamp(f->bonus_parents, 0, c),
                              .charges = f->charges,
                              .autres_bf = f->autres_bf};
  return Droit(y, forecast);
}

std::optional<ModelDroit> Model::Dp(const ModelConvention& c, const ModelYear& y) const {
  if (!y.agreed || y.notified <= 0 || !y.covered) return std::nullopt;
  const ModelFigures forecast{.collectifs = y.notified,
                              .bonus_enfants = y.agreed_bonus_enfants,
                              .bonus_parents = y.agreed_bonus_parents,
                              .charges = y.charges,
                              .autres_bf = y.autres_bf};
  return Droit(y, Within(c, y, forecast));
}

Expectation Model::Expect(const v1::NotifyCollectifs& cmd) const {
  const ModelConvention* c = Find(cmd.caf_id(), cmd.convention_id());
  if (c == nullptr) return Refuse("R-CONV-4");
  auto it = c->years.find(cmd.school_year());
  if (it == c->years.end() || !it->second.covered) return Refuse("R-CONV-5");
  const ModelYear& y = it->second;
  Expectation e;
  if (!ModelValidDate(cmd.date())) Add(&e, "R-HIST-2");
  // [choice] a notification may lower the agreed number, an avenant raise it.
  if (cmd.collectifs() < 1 || cmd.collectifs() > y.agreed_collectifs) {
    Add(&e, "R-CONV-3");
  } else if (y.solde) {
    Add(&e, "R-CONV-5");  // the solde settled the year: nothing takes effect in it any more
  }
  for (const auto& [m, other] : c->years) {  // an id once in its convention
    for (const ModelNotification& n : other.notifications) {
      if (!n.cancelled && n.id == cmd.notification_id()) Add(&e, "R-CONV-5");
    }
  }
  // R-ACC-8: effective in a closed civil year, accepted with a warning (regularised).
  if (Closed(cmd.caf_id(), cmd.date())) e.warnings.push_back("R-ACC-8");
  return e;
}

void Model::Apply(const v1::NotifyCollectifs& cmd) {
  ModelYear& y = Get(cmd.caf_id(), cmd.convention_id()).years[cmd.school_year()];
  y.notifications.push_back(ModelNotification{
      .id = cmd.notification_id(), .date = cmd.date(), .collectifs = cmd.collectifs(), .seq = seq});
  RefreshNotified(y);
  // R-ACC-8: effective in a closed civil year, it regularises what the closings used.
  const std::set<int32_t>& closed = cafs.at(cmd.caf_id()).closed;
  if (!closed.empty() && cmd.date() / 10000 <= *closed.rbegin()) {
    Regularise(cmd.caf_id(), cmd.convention_id());
  }
}

// R-ACC-7: each DP in force on 31 December of Y as known now, whether or not a convention covers
// its year yet (a DP is the agrément's droit on the forecast budget).
std::pair<int64_t, int64_t> Model::Envelope(const std::string& caf, int32_t year) const {
  int64_t n_shares = 0, n1_shares = 0;
  auto k = cafs.find(caf);
  if (k == cafs.end()) return {0, 0};
  for (const auto& [id, c] : k->second.conventions) {
    for (const int32_t n : {year, year - 1}) {
      auto y = c.years.find(n);
      if (y == c.years.end()) continue;
      const std::optional<ModelDroit> dp = DpAt(y->second, year * 10000 + 1231);
      if (!dp) continue;
      if (n == year) n_shares += dp->n_share;
      if (n == year - 1) n1_shares += dp->droit - dp->n_share;  // R-PAY-1: the rest of the droit
    }
  }
  return {n_shares, n1_shares};
}

}  // namespace clas::sim
