// The simulation's model (sim_model.h): what the payment and contrôle commands must answer.
#include <algorithm>
#include <string>
#include <utility>

#include "tests/sim/sim_model_internal.h"

namespace clas::sim {

using namespace model_internal;  // NOLINT: the helpers of the model's files

// --- payments -----------------------------------------------------------------------------

Expectation Model::Expect(const v1::PayAcompte& cmd) const {
  Expectation e;
  const ModelConvention* c = Find(cmd.caf_id(), cmd.convention_id());
  if (c == nullptr) return Refuse("R-CONV-4");
  if (cmd.payment_id().empty() || c->payment_ids.count(cmd.payment_id()) > 0) Add(&e, "R-HIST-1");
  const int32_t n = cmd.school_year(), date = cmd.date();
  auto it = c->years.find(n);
  const ModelYear* y = it == c->years.end() ? nullptr : &it->second;
  // R-CONV-1: the agrément and a signed convention covering the year, both by the date.
  if (y == nullptr || !y->agreed || y->agreement_date > date) Add(&e, "R-CONV-1");
  if (y == nullptr || !y->covered || c->signed_date > date) Add(&e, "R-CONV-1");
  const bool share_n = date / 10000 <= n;
  const std::string cap_rule = share_n ? "R-PAY-2" : "R-PAY-3";
  const bool in_window =
      ModelValidDate(date) && date >= n * 10000 + 101 && date <= (n + 1) * 10000 + 831;
  if (!in_window) Add(&e, "R-PAY-4");
  const bool amount_ok = cmd.amount_cents() > 0 && cmd.amount_cents() <= kAmountMax;
  if (!amount_ok) Add(&e, cap_rule);
  if (y != nullptr && y->solde) Add(&e, "R-PAY-4");  // nothing after the solde
  if (y != nullptr && y->dc) Add(&e, "R-PAY-8");  // [choice] nor after a contrôle settled it
  // R-PAY-6: the DP in force at the date (a notification dated back may have changed it).
  std::optional<ModelDroit> dp;
  if (y != nullptr && y->covered && date >= c->signed_date && date >= y->agreement_date) {
    dp = DpAt(*y, date);
  }
  if (!dp) {
    // [choice] R-CONV-1: a missing precondition is named alone, not the cap of no droit.
    const bool precondition = !e.rules.empty() && std::find(e.rules.begin(), e.rules.end(),
                                                            "R-CONV-1") != e.rules.end();
    if (y != nullptr && y->agreed && baremes.count(n) == 0) Add(&e, "R-DROIT-7");
    if (!precondition && (y == nullptr || baremes.count(n) > 0)) Add(&e, cap_rule);
  } else if (in_window && amount_ok) {
    const int64_t cap = share_n ? CapN(dp->ps) : CapN1(dp->ps);
    if (y->AcomptesOfCivilYear(date / 10000) + cmd.amount_cents() > cap) Add(&e, cap_rule);
  }
  if (Closed(cmd.caf_id(), date)) Add(&e, "R-PAY-7");
  return e;
}

void Model::Apply(const v1::PayAcompte& cmd) {
  ModelConvention& c = Get(cmd.caf_id(), cmd.convention_id());
  ModelYear& y = c.years[cmd.school_year()];
  const int64_t ps = DpAt(y, cmd.date())->ps;
  y.acomptes.push_back(ModelPayment{cmd.payment_id(), cmd.amount_cents(), cmd.date(),
                                    cmd.date() / 10000 == y.n ? CapN(ps) : CapN1(ps), seq});
  c.payment_ids.insert(cmd.payment_id());
  cafs[cmd.caf_id()].payments_by_civil_year[cmd.date() / 10000] += cmd.amount_cents();
  cafs[cmd.caf_id()].paid[{c.id, cmd.payment_id()}] =
      ModelPaid{c.gestionnaire, cmd.amount_cents(), 0, cmd.date()};
}

Expectation Model::Expect(const v1::ReceiveBilan& cmd) const {
  Expectation e;
  const ModelConvention* c = Find(cmd.caf_id(), cmd.convention_id());
  if (c == nullptr) return Refuse("R-CONV-4");
  auto it = c->years.find(cmd.school_year());
  const ModelYear* y = it == c->years.end() ? nullptr : &it->second;
  if (y == nullptr || !y->covered) {
    Add(&e, "R-CONV-6");
  } else if (y->bilan) {
    Add(&e, "R-HIST-1");  // corrected, never received twice
  }
  if (!ModelValidDate(cmd.date())) Add(&e, "R-HIST-2");
  CheckFigures(&e, FromProto(cmd.figures()), y);
  // [choice] R-PAY-8: a year a contrôle decided is settled: the bilan is kept with a warning.
  if (y != nullptr && y->dc) e.warnings.push_back("R-PAY-8");
  return e;
}

void Model::Apply(const v1::ReceiveBilan& cmd) {
  ModelYear& y = Get(cmd.caf_id(), cmd.convention_id()).years[cmd.school_year()];
  y.bilan = FromProto(cmd.figures());
  y.bilan_date = cmd.date();
}

Expectation Model::Expect(const v1::PaySolde& cmd) const {
  Expectation e;
  const ModelConvention* c = Find(cmd.caf_id(), cmd.convention_id());
  if (c == nullptr) return Refuse("R-CONV-4");
  if (cmd.payment_id().empty() || c->payment_ids.count(cmd.payment_id()) > 0) Add(&e, "R-HIST-1");
  const int32_t n = cmd.school_year(), date = cmd.date();
  auto it = c->years.find(n);
  const ModelYear* y = it == c->years.end() ? nullptr : &it->second;
  // [choice] R-PAY-8: a year a contrôle decided is settled; no solde, whatever else.
  if (y != nullptr && y->dc) return Refuse("R-PAY-8");
  if (y == nullptr || !y->agreed || y->agreement_date > date) Add(&e, "R-CONV-1");
  if (y == nullptr || !y->covered || c->signed_date > date) Add(&e, "R-CONV-1");
  if (y != nullptr && y->bilan) {
    if (baremes.count(n) == 0) {  // R-DROIT-7: DR cannot be computed
      Add(&e, "R-DROIT-7");
      return e;
    }
    if (ModelValidDate(date) && date < y->bilan_date) Add(&e, "R-CONV-6");
  }
  // [choice] a solde is paid "au titre de N+1": not dated before 1 January N+1.
  if (!ModelValidDate(date) || date < (n + 1) * 10000 + 101) Add(&e, "R-PAY-5");
  if (y == nullptr || !y->bilan) Add(&e, "R-CONV-6");
  if (y != nullptr && y->solde) Add(&e, "R-PAY-5");  // at most once
  if (Closed(cmd.caf_id(), date)) Add(&e, "R-PAY-7");
  return e;
}

void Model::Apply(const v1::PaySolde& cmd) {
  ModelConvention& c = Get(cmd.caf_id(), cmd.convention_id());
  ModelYear& y = c.years[cmd.school_year()];
  const ModelDroit dr = *Droit(y, Within(c, y, *y.bilan));
  const int64_t acomptes = y.Acomptes();
  y.solde =
      ModelPayment{cmd.payment_id(), std::max<int64_t>(0, dr.droit - acomptes), cmd.date(), 0, seq};
  y.settled_dr = dr.droit;  // R-PAY-9: what the solde settles, signed, is DR − acomptes
  y.settled_date = cmd.date();
  y.solde_dr = dr;  // R-ACC-5
  y.solde_acomptes = acomptes;
  c.payment_ids.insert(cmd.payment_id());
  cafs[cmd.caf_id()].payments_by_civil_year[cmd.date() / 10000] += y.solde->amount;
  cafs[cmd.caf_id()].paid[{c.id, cmd.payment_id()}] =
      ModelPaid{c.gestionnaire, y.solde->amount, 0, cmd.date()};
  if (acomptes > dr.droit) {  // R-PAY-5: a negative solde is notified as an indu
    c.indus.push_back(ModelIndu{.id = cmd.payment_id() + "-indu",
                                .school_year = y.n,
                                .amount = acomptes - dr.droit,
                                .date = cmd.date()});
  }
}

// --- contrôle -----------------------------------------------------------------------------

Expectation Model::Expect(const v1::OpenControle& cmd) const {
  Expectation e;
  const ModelConvention* c = Find(cmd.caf_id(), cmd.convention_id());
  if (c == nullptr) return Refuse("R-CONV-4");
  for (const auto& k : c->controles) {
    if (k.id == cmd.controle_id()) return Refuse("R-CTL-1");
  }
  if (cmd.controle_id().empty() || cmd.school_years().empty()) Add(&e, "R-CTL-1");
  for (int32_t n : cmd.school_years()) {
    auto it = c->years.find(n);
    if (it == c->years.end() || !it->second.covered) Add(&e, "R-CTL-1");
  }
  return e;
}

void Model::Apply(const v1::OpenControle& cmd) {
  ModelConvention& c = Get(cmd.caf_id(), cmd.convention_id());
  ModelControle k;
  k.id = cmd.controle_id();
  k.school_year = cmd.school_years(0);
  c.controles.push_back(k);
}

Expectation Model::Expect(const v1::RecordControleFindings& cmd) const {
  Expectation e;
  const ModelConvention* c = Find(cmd.caf_id(), cmd.convention_id());
  if (c == nullptr) return Refuse("R-CONV-4");
  const ModelControle* k = nullptr;
  for (const auto& x : c->controles) {
    if (x.id == cmd.controle_id()) k = &x;
  }
  if (k == nullptr) return Refuse("R-CTL-1");
  if (k->decided) Add(&e, "R-CTL-5");
  if (cmd.years().empty()) Add(&e, "R-CTL-1");
  for (const auto& cy : cmd.years()) {
    if (cy.school_year() != k->school_year) Add(&e, "R-CTL-1");
    auto it = c->years.find(cy.school_year());
    CheckFigures(&e, FromProto(cy.figures()), it == c->years.end() ? nullptr : &it->second);
  }
  return e;
}

void Model::Apply(const v1::RecordControleFindings& cmd) {
  ModelControle* k = Get(cmd.caf_id(), cmd.convention_id()).Controle(cmd.controle_id());
  k->findings = true;
  k->figures = FromProto(cmd.years(0).figures());
}

Expectation Model::Expect(const v1::DecideControle& cmd) const {
  Expectation e;
  const ModelConvention* c = Find(cmd.caf_id(), cmd.convention_id());
  if (c == nullptr) return Refuse("R-CONV-4");
  const ModelControle* k = nullptr;
  for (const auto& x : c->controles) {
    if (x.id == cmd.controle_id()) k = &x;
  }
  if (k == nullptr) return Refuse("R-CTL-1");
  if (k->decided) Add(&e, "R-CTL-5");
  if (!k->findings && cmd.years().empty()) Add(&e, "R-CTL-1");
  if (!e.accepted()) return e;
  if (baremes.count(k->school_year) == 0) Add(&e, "R-DROIT-7");
  return e;
}

void Model::Apply(const v1::DecideControle& cmd) {
  ModelConvention& c = Get(cmd.caf_id(), cmd.convention_id());
  ModelControle* k = c.Controle(cmd.controle_id());
  ModelYear& y = c.years[k->school_year];
  const ModelDroit dc = *Droit(y, Within(c, y, k->figures));  // R-CTL-2, R-DROIT-6
  const int64_t paid_net = y.Paid() - c.IndusNotified(y.n);   // R-CTL-2 [choice]
  k->decided = true;
  k->decided_date = cmd.date();
  y.dc = dc;
  y.dc_seq = seq;
  y.controle_id = k->id;
  // R-CTL-3; R-PAY-8: the decision is the settlement, its rappel replaces a complément de solde
  // not yet paid (R-PAY-9), which "paid" does not hold.
  y.rappel_due = std::max<int64_t>(0, dc.droit - paid_net);
  y.complement_due = 0;
  if (paid_net > dc.droit) {
    c.indus.push_back(ModelIndu{.id = k->id + "-" + std::to_string(y.n),
                                .school_year = y.n,
                                .amount = paid_net - dc.droit,
                                .date = cmd.date()});
  }
}

Expectation Model::Expect(const v1::RecordRecovery& cmd) const {
  Expectation e;
  const ModelConvention* c = Find(cmd.caf_id(), cmd.convention_id());
  if (c == nullptr) return Refuse("R-CONV-4");
  const ModelIndu* indu = nullptr;
  for (const auto& i : c->indus) {
    if (i.id == cmd.indu_id()) indu = &i;
  }
  if (indu == nullptr) return Refuse("R-CTL-5");
  if (!ModelValidDate(cmd.date())) Add(&e, "R-HIST-2");
  if (cmd.amount_cents() <= 0 || cmd.amount_cents() > kAmountMax) Add(&e, "R-CTL-5");
  if (cmd.recovery_id().empty()) Add(&e, "R-HIST-1");
  if (cmd.method() != v1::REPAYMENT && cmd.method() != v1::OFFSET) Add(&e, "R-CTL-3");
  if (ModelValidDate(cmd.date()) && cmd.date() < indu->date) Add(&e, "R-CTL-3");
  if (cmd.amount_cents() > indu->open()) Add(&e, "R-CTL-5");
  if (Closed(cmd.caf_id(), cmd.date())) Add(&e, "R-ACC-8");
  if (cmd.method() == v1::OFFSET) ExpectOffset(cmd, *c, *indu, &e);
  // R-ACC-9 [choice]: credited to the N+1 share's account, never dated before 1 January N+1.
  if (ModelValidDate(cmd.date()) && cmd.date() < (indu->school_year + 1) * 10000 + 101) {
    Add(&e, "R-ACC-9");
  }
  return e;
}

// R-CTL-3: an offset is withheld from a payment to the same gestionnaire made since the indu was
// notified, not dated before that payment, within what is left of it.
void Model::ExpectOffset(const v1::RecordRecovery& cmd, const ModelConvention& c,
                         const ModelIndu& indu, Expectation* e) const {
  if (cmd.offset_payment_id().empty()) return Add(e, "R-CTL-3");
  const std::string conv = cmd.offset_convention_id().empty() ? c.id : cmd.offset_convention_id();
  const auto& paid = cafs.at(cmd.caf_id()).paid;
  auto it = paid.find({conv, cmd.offset_payment_id()});
  if (it == paid.end()) return Add(e, "R-CTL-3");
  const ModelPaid& target = it->second;
  if (target.gestionnaire != c.gestionnaire) Add(e, "R-CTL-3");
  if (target.date < indu.date) {
    Add(e, "R-CTL-3");
  } else if (ModelValidDate(cmd.date()) && cmd.date() < target.date) {
    Add(e, "R-CTL-3");
  }
  if (cmd.amount_cents() > target.amount - target.withheld) Add(e, "R-CTL-3");
}

void Model::Apply(const v1::RecordRecovery& cmd) {
  ModelConvention& c = Get(cmd.caf_id(), cmd.convention_id());
  ModelIndu& indu = *c.Indu(cmd.indu_id());
  indu.recovered += cmd.amount_cents();
  ModelRecovery r{.id = cmd.recovery_id(), .amount = cmd.amount_cents(), .date = cmd.date()};
  if (cmd.method() == v1::OFFSET) {
    r.offset_convention = cmd.offset_convention_id().empty() ? c.id : cmd.offset_convention_id();
    r.offset_payment = cmd.offset_payment_id();
    cafs[cmd.caf_id()].paid[{r.offset_convention, r.offset_payment}].withheld += cmd.amount_cents();
  }
  indu.recoveries.push_back(std::move(r));
}

Expectation Model::Expect(const v1::PayRappel& cmd) const {
  Expectation e;
  const ModelConvention* c = Find(cmd.caf_id(), cmd.convention_id());
  if (c == nullptr) return Refuse("R-CONV-4");
  if (cmd.payment_id().empty() || c->payment_ids.count(cmd.payment_id()) > 0) Add(&e, "R-HIST-1");
  if (!ModelValidDate(cmd.date())) Add(&e, "R-HIST-2");
  if (cmd.amount_cents() < 0 || cmd.amount_cents() > kAmountMax) Add(&e, "R-CTL-3");
  auto it = c->years.find(cmd.school_year());
  const ModelYear* y = it == c->years.end() ? nullptr : &it->second;
  const int64_t due = y == nullptr ? 0 : y->rappel_due;
  const int64_t amount = cmd.amount_cents() == 0 ? due : cmd.amount_cents();
  if (due <= 0 || amount > due) Add(&e, "R-CTL-3");
  if (due > 0) {
    for (const auto& k : c->controles) {  // paid after the decision that makes it due
      if (k.id == y->controle_id && ModelValidDate(cmd.date()) && cmd.date() < k.decided_date) {
        Add(&e, "R-CTL-3");
      }
    }
  }
  if (y != nullptr && !cmd.controle_id().empty() && cmd.controle_id() != y->controle_id) {
    Add(&e, "R-CTL-3");
  }
  // R-PAY-9: a complément de solde is due from the corrections of the bilan that made it due
  // [choice]: a rappel is not dated before any of them while one is due.
  if (y != nullptr && y->complement_due > 0 && ModelValidDate(cmd.date())) {
    for (int32_t due_since : y->complement_dates) {
      if (cmd.date() < due_since) {
        Add(&e, "R-PAY-9");
        break;
      }
    }
  }
  if (Closed(cmd.caf_id(), cmd.date())) Add(&e, "R-PAY-7");
  // R-ACC-9 [choice]: booked on the N+1 share, never dated before 1 January N+1.
  if (ModelValidDate(cmd.date()) && cmd.date() < (cmd.school_year() + 1) * 10000 + 101) {
    Add(&e, "R-ACC-9");
  }
  return e;
}

void Model::Apply(const v1::PayRappel& cmd) {
  ModelConvention& c = Get(cmd.caf_id(), cmd.convention_id());
  ModelYear& y = c.years[cmd.school_year()];
  const int64_t amount = cmd.amount_cents() == 0 ? y.rappel_due : cmd.amount_cents();
  y.rappels.push_back(ModelPayment{cmd.payment_id(), amount, cmd.date(), 0, seq});
  y.rappel_due -= amount;
  y.complement_due = std::max<int64_t>(0, y.complement_due - amount);
  c.payment_ids.insert(cmd.payment_id());
  cafs[cmd.caf_id()].payments_by_civil_year[cmd.date() / 10000] += amount;
  cafs[cmd.caf_id()].paid[{c.id, cmd.payment_id()}] =
      ModelPaid{c.gestionnaire, amount, 0, cmd.date()};
}

}  // namespace clas::sim
