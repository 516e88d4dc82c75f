// The simulation's model (sim_model.h): the droit, and what the set-up commands must answer.
#include "tests/sim/sim_model.h"

#include <algorithm>
#include <utility>

#include "tests/sim/sim_model_internal.h"

namespace clas::sim {

using namespace model_internal;  // NOLINT: the helpers of the model's files
namespace {

int64_t Take(int64_t* from, int64_t* excess) {
  const int64_t t = std::min(*from, *excess);
  *from -= t;
  *excess -= t;
  return t;
}

}  // namespace

ModelDroit ComputeModelDroit(const ModelFigures& f, const ModelBareme& b) {
  ModelDroit d;
  d.base = std::min(f.charges, b.plafond * f.collectifs);  // R-DROIT-2
  d.ps = (d.base * 13 + 20) / 40;                          // R-DROIT-3
  d.bonus_enfants = b.bonus_enfants * f.bonus_enfants;     // R-DROIT-4
  d.bonus_parents = b.bonus_parents * f.bonus_parents;
  const int64_t room = std::max<int64_t>(0, f.charges * 4 / 5 - f.autres_bf);  // R-DROIT-5
  int64_t excess = std::max<int64_t>(0, d.ps + d.bonus_enfants + d.bonus_parents - room);
  Take(&d.bonus_parents, &excess);  // [choice] parents first, then enfants, then PS
  Take(&d.bonus_enfants, &excess);
  Take(&d.ps, &excess);
  d.droit = d.ps + d.bonus_enfants + d.bonus_parents;
  d.n_share = (4 * d.ps + 5) / 10;  // R-PAY-1
  return d;
}

bool ModelValidDate(int32_t ymd) {
  const int32_t y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
  if (y < 2000 || y > 2099 || m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

int64_t ModelYear::AcomptesOfCivilYear(int32_t civil) const {
  int64_t sum = 0;
  for (const auto& a : acomptes) {
    if (a.date / 10000 == civil) sum += a.amount;
  }
  return sum;
}
int64_t ModelYear::Acomptes() const {
  int64_t sum = 0;
  for (const auto& a : acomptes) sum += a.amount;
  return sum;
}
int64_t ModelYear::Rappels() const {
  int64_t sum = 0;
  for (const auto& r : rappels) sum += r.amount;
  return sum;
}
int64_t ModelYear::Paid() const { return Acomptes() + (solde ? solde->amount : 0) + Rappels(); }

ModelYear* ModelConvention::Year(int32_t n) {
  auto it = years.find(n);
  return it == years.end() ? nullptr : &it->second;
}
const ModelNotification* ModelYear::Notification(const std::string& event_id) const {
  for (const auto& n : notifications) {
    if (!event_id.empty() && n.event_id == event_id) return &n;
  }
  return nullptr;
}
ModelNotification* ModelYear::Notification(const std::string& event_id) {
  return const_cast<ModelNotification*>(std::as_const(*this).Notification(event_id));
}
ModelIndu* ModelConvention::Indu(const std::string& id) {
  for (auto& i : indus) {
    if (i.id == id) return &i;
  }
  return nullptr;
}
ModelControle* ModelConvention::Controle(const std::string& id) {
  for (auto& c : controles) {
    if (c.id == id) return &c;
  }
  return nullptr;
}
int64_t ModelConvention::IndusNotified(int32_t n) const {
  int64_t sum = 0;
  for (const auto& i : indus) {
    if (i.school_year == n) sum += i.amount;
  }
  return sum;
}
int64_t ModelConvention::Recovered(int32_t n) const {
  int64_t sum = 0;
  for (const auto& i : indus) {
    if (i.school_year == n) sum += i.recovered;
  }
  return sum;
}

ModelFigures Model::Within(const ModelConvention& c, const ModelYear& y,
                           const ModelFigures& f) const {
  ModelFigures out = f;
  out.collectifs = std::clamp(f.collectifs, 0, y.notified);
  out.bonus_enfants =
      std::clamp(std::min(f.bonus_enfants, y.agreed_bonus_enfants), 0, out.collectifs);
  out.bonus_parents =
      std::clamp(std::min(f.bonus_parents, y.agreed_bonus_parents), 0, out.collectifs);
  return out;
}

std::optional<ModelDroit> Model::Droit(const ModelYear& y, const ModelFigures& f) const {
  auto b = baremes.find(y.n);
  if (b == baremes.end()) return std::nullopt;  // R-DROIT-7: never guessed
  return ComputeModelDroit(f, b->second);
}

const ModelConvention* Model::Find(const std::string& caf, const std::string& id) const {
  auto k = cafs.find(caf);
  if (k == cafs.end()) return nullptr;
  auto c = k->second.conventions.find(id);
  return c == k->second.conventions.end() ? nullptr : &c->second;
}

ModelConvention& Model::Get(const std::string& caf, const std::string& id) {
  return cafs.at(caf).conventions.at(id);
}

bool Model::Closed(const std::string& caf, int32_t date) const {
  auto k = cafs.find(caf);
  return k != cafs.end() && k->second.closed.count(date / 10000) > 0;
}

// --- set-up -------------------------------------------------------------------------------

Expectation Model::Expect(const v1::RegisterGestionnaire& cmd) const {
  Expectation e;
  auto k = cafs.find(cmd.caf_id());
  if (k != cafs.end() && k->second.gestionnaires.count(cmd.gestionnaire_id()) > 0) {
    Add(&e, "R-CONV-4");
    return e;
  }
  if (cmd.kind() == v1::GESTIONNAIRE_KIND_UNSPECIFIED) Add(&e, "R-ACC-6");
  if (!ModelValidDate(cmd.date())) Add(&e, "R-HIST-2");
  // R-CONV-2: the agrément délivré par la Caf is a centre social's.
  if (cmd.centre_social_agrement_end() != 0 && cmd.kind() != v1::CENTRE_SOCIAL) {
    Add(&e, "R-CONV-2");
  }
  return e;
}

void Model::Apply(const v1::RegisterGestionnaire& cmd) {
  ModelCaf& caf = cafs[cmd.caf_id()];
  caf.id = cmd.caf_id();
  caf.gestionnaires[cmd.gestionnaire_id()] =
      ModelGestionnaire{.id = cmd.gestionnaire_id(),
                        .kind = cmd.kind(),
                        .centre_social = cmd.kind() == v1::CENTRE_SOCIAL,
                        .supported_since = cmd.supported_since_school_year(),
                        .agrement_end = cmd.centre_social_agrement_end()};
}

// R-CONV-2: a registered centre social's agrément renewed to another real day after the act's.
Expectation Model::Expect(const v1::RenewCentreSocialAgrement& cmd) const {
  Expectation e;
  if (!ModelValidDate(cmd.date())) Add(&e, "R-HIST-2");
  const int32_t end = cmd.centre_social_agrement_end();
  if (!ModelValidDate(end) || end <= cmd.date()) Add(&e, "R-CONV-2");
  if (!e.accepted()) return e;
  auto k = cafs.find(cmd.caf_id());
  if (k == cafs.end() || k->second.gestionnaires.count(cmd.gestionnaire_id()) == 0) {
    return Refuse("R-CONV-2");
  }
  const ModelGestionnaire& g = k->second.gestionnaires.at(cmd.gestionnaire_id());
  if (!g.centre_social || g.agrement_end == end) Add(&e, "R-CONV-2");
  return e;
}

void Model::Apply(const v1::RenewCentreSocialAgrement& cmd) {
  cafs.at(cmd.caf_id()).gestionnaires.at(cmd.gestionnaire_id()).agrement_end =
      cmd.centre_social_agrement_end();
}

Expectation Model::Expect(const v1::PublishBareme& cmd) const {
  Expectation e;
  if (cmd.bareme().plafond_cents() <= 0) Add(&e, "R-DROIT-1");
  if (baremes.count(cmd.bareme().school_year()) > 0) Add(&e, "R-DROIT-1");
  return e;
}

void Model::Apply(const v1::PublishBareme& cmd) {
  baremes[cmd.bareme().school_year()] =
      ModelBareme{cmd.bareme().plafond_cents(), cmd.bareme().bonus_enfants_cents(),
                  cmd.bareme().bonus_parents_cents()};
}

Expectation Model::Expect(const v1::FileFundingRequest& cmd) const {
  Expectation e;
  const auto& r = cmd.request();
  if (Find(cmd.caf_id(), r.convention_id()) != nullptr) {
    Add(&e, "R-CONV-4");
    return e;
  }
  for (const auto& c : r.collectifs()) {  // R-ELIG-1, urban collectifs
    if (!c.rural() && (c.children() < 8 || c.children() > 12)) Add(&e, "R-ELIG-1");
  }
  auto k = cafs.find(cmd.caf_id());
  if (k == cafs.end() || k->second.gestionnaires.count(r.gestionnaire_id()) == 0) {
    Add(&e, "R-CONV-4");
  }
  return e;
}

void Model::Apply(const v1::FileFundingRequest& cmd) {
  const auto& r = cmd.request();
  ModelConvention& c = cafs[cmd.caf_id()].conventions[r.convention_id()];
  c.id = r.convention_id();
  c.gestionnaire = r.gestionnaire_id();
  c.first_requested = r.first_school_year();
  c.years_requested = r.school_years();
  c.collectifs_requested = r.collectifs_size();
  c.bonus_enfants_asked = r.bonus_enfants().requested();
  c.bonus_parents_asked = r.bonus_parents().requested();
  c.request_charges = r.charges_cents();
  c.request_autres_bf = r.autres_bf_cents();
  for (int32_t n = c.first_requested; n < c.first_requested + c.years_requested; ++n) {
    ModelYear& y = c.years[n];
    y.n = n;
    y.charges = c.request_charges;  // the forecast budget until the convention's (R-CONV-5)
    y.autres_bf = c.request_autres_bf;
    KeepForecast(y, cmd.date());
  }
}

Expectation Model::Expect(const v1::RecordCommitteeDecision& cmd) const {
  Expectation e;
  const ModelConvention* c = Find(cmd.caf_id(), cmd.convention_id());
  if (c == nullptr) return Refuse("R-CONV-4");
  const auto& d = cmd.decision();
  if (c->decided) Add(&e, "R-CONV-4");
  if (d.mode() != v1::POUR_VALIDATION) Add(&e, "R-CONV-4");
  if (d.first_school_year() < c->first_requested || d.first_school_year() > d.last_school_year() ||
      d.last_school_year() >= c->first_requested + c->years_requested) {
    Add(&e, "R-CONV-4");
  }
  // R-BON-3: a bonus only on agreed collectifs, only on a project filed with the request.
  if (d.bonus_enfants_collectifs() > d.agreed_collectifs() ||
      (d.bonus_enfants_collectifs() > 0 && !c->bonus_enfants_asked)) {
    Add(&e, "R-BON-3");
  }
  if (d.bonus_parents_collectifs() > d.agreed_collectifs() ||
      (d.bonus_parents_collectifs() > 0 && !c->bonus_parents_asked)) {
    Add(&e, "R-BON-3");
  }
  return e;
}

void Model::Apply(const v1::RecordCommitteeDecision& cmd) {
  ModelConvention& c = Get(cmd.caf_id(), cmd.convention_id());
  const auto& d = cmd.decision();
  c.decided = true;
  for (int32_t n = d.first_school_year(); n <= d.last_school_year(); ++n) {
    ModelYear& y = c.years[n];
    y.agreed = d.outcome() == v1::VALIDATED;
    y.agreed_collectifs = d.agreed_collectifs();
    y.agreed_bonus_enfants = d.bonus_enfants_collectifs();
    y.agreed_bonus_parents = d.bonus_parents_collectifs();
    y.agreement_date = cmd.date();
    y.agreement_seq = seq;
    y.notified = d.agreed_collectifs();
    KeepForecast(y, cmd.date());
  }
}

Expectation Model::Expect(const v1::SignConvention& cmd) const {
  Expectation e;
  const ModelConvention* c = Find(cmd.caf_id(), cmd.convention_id());
  if (c == nullptr) return Refuse("R-CONV-4");
  const int32_t years = cmd.last_school_year() - cmd.first_school_year() + 1;
  if (years < 1 || years > kConventionYearsMax) {
    Add(&e, "R-CONV-2");
  } else if (years > 1) {
    const ModelGestionnaire& g = cafs.at(cmd.caf_id()).gestionnaires.at(c->gestionnaire);
    const bool supported =
        g.supported_since > 0 && cmd.first_school_year() - g.supported_since >= kSupportedYearsMin;
    // A centre social not so supported: within its agrément délivré par la Caf, which ends no
    // earlier than 31 August after the last school year.
    const int32_t ends = (cmd.last_school_year() + 1) * 10000 + 831;
    if (!supported && (!g.centre_social || g.agrement_end == 0 || g.agrement_end < ends)) {
      Add(&e, "R-CONV-2");
    }
  }
  if (c->signed_) Add(&e, "R-CONV-3");
  for (int32_t n = cmd.first_school_year(); n <= cmd.last_school_year(); ++n) {
    auto y = c->years.find(n);
    if (y == c->years.end() || !y->second.agreed) Add(&e, "R-CONV-4");
  }
  return e;
}

void Model::Apply(const v1::SignConvention& cmd) {
  ModelConvention& c = Get(cmd.caf_id(), cmd.convention_id());
  c.signed_ = true;
  c.signed_date = cmd.date();
  c.first = cmd.first_school_year();
  c.last = cmd.last_school_year();
  const bool own = cmd.charges_cents() > 0;  // 0 takes the request's figures
  c.charges = own ? cmd.charges_cents() : c.request_charges;
  c.autres_bf = own ? cmd.autres_bf_cents() : c.request_autres_bf;
  for (int32_t n = c.first; n <= c.last; ++n) {
    c.years[n].covered = true;
    c.years[n].charges = c.charges;
    c.years[n].autres_bf = c.autres_bf;
    KeepForecast(c.years[n], cmd.date());
  }
}

Expectation Model::Expect(const v1::SignAvenant& cmd) const {
  Expectation e;
  const ModelConvention* c = Find(cmd.caf_id(), cmd.convention_id());
  if (c == nullptr) return Refuse("R-CONV-4");
  if (!c->signed_) return Refuse("R-CONV-3");  // an avenant amends a signed convention
  const ModelYear& previous = c->years.at(c->last);
  const bool identical = cmd.kind() == v1::PROLONGATION_IDENTIQUE;
  if (cmd.avenant_id().empty() || c->avenant_ids.count(cmd.avenant_id()) > 0) Add(&e, "R-CONV-3");
  if (!identical && cmd.kind() != v1::PROLONGATION_COLLECTIFS) Add(&e, "R-CONV-3");
  if (cmd.charges_cents() < 0 || cmd.charges_cents() > kAmountMax) Add(&e, "R-DROIT-2");
  if (cmd.autres_bf_cents() < 0 || cmd.autres_bf_cents() > kAmountMax) Add(&e, "R-DROIT-5");
  // R-CONV-3: exactly the school year after the last one covered; R-CONV-2: at most 5 in all.
  if (cmd.school_year() != c->last + 1) Add(&e, "R-CONV-3");
  if (cmd.school_year() - c->first + 1 > kConventionYearsMax) Add(&e, "R-CONV-2");
  // R-CONV-2 [reading]: a centre social not supported for two years prolongs within its agrément
  // délivré par la Caf as recorded now (none recorded: not checked).
  const ModelGestionnaire& g = cafs.at(cmd.caf_id()).gestionnaires.at(c->gestionnaire);
  const bool supported = g.supported_since > 0 && c->first - g.supported_since >= kSupportedYearsMin;
  if (g.centre_social && !supported && g.agrement_end != 0 &&
      g.agrement_end < (cmd.school_year() + 1) * 10000 + 831) {
    Add(&e, "R-CONV-2");
  }
  if (cmd.kind() == v1::PROLONGATION_COLLECTIFS &&
      (cmd.collectifs() < 1 || cmd.collectifs() > kCollectifsMax)) {
    Add(&e, "R-CONV-3");
  }
  // R-CONV-3: à l'identique, nothing else changes.
  if (identical && ((cmd.collectifs() != 0 && cmd.collectifs() != previous.notified) ||
                    (cmd.charges_cents() != 0 && cmd.charges_cents() != previous.charges))) {
    Add(&e, "R-CONV-3");
  }
  return e;
}

void Model::Apply(const v1::SignAvenant& cmd) {
  ModelConvention& c = Get(cmd.caf_id(), cmd.convention_id());
  const ModelYear previous = c.years.at(c.last);
  const bool identical = cmd.kind() == v1::PROLONGATION_IDENTIQUE;
  const bool keep_budget = identical || cmd.charges_cents() == 0;
  ModelYear& y = c.years[cmd.school_year()];
  y.n = cmd.school_year();
  y.covered = true;
  // [choice] the comité "pour information": the agrément of the added year carries over the last
  // one, with the new number of collectifs (and its notification) when it changes.
  y.agreed = true;
  y.agreed_collectifs = identical ? previous.notified : cmd.collectifs();
  y.agreed_bonus_enfants = std::min(previous.agreed_bonus_enfants, y.agreed_collectifs);
  y.agreed_bonus_parents = std::min(previous.agreed_bonus_parents, y.agreed_collectifs);
  y.agreement_date = cmd.date();
  y.agreement_seq = seq;
  y.notified = y.agreed_collectifs;
  y.charges = keep_budget ? previous.charges : cmd.charges_cents();
  y.autres_bf = keep_budget ? previous.autres_bf : cmd.autres_bf_cents();
  KeepForecast(y, cmd.date());
  c.last = cmd.school_year();
  c.avenant_ids.insert(cmd.avenant_id());
  // R-ACC-8: an avenant effective in a closed civil year regularises it.
  const std::set<int32_t>& closed = cafs.at(cmd.caf_id()).closed;
  if (!closed.empty() && cmd.date() / 10000 <= *closed.rbegin()) {
    Regularise(cmd.caf_id(), cmd.convention_id());
  }
}

}  // namespace clas::sim
