#include "projections/convention/year_figures.h"

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "google/protobuf/util/message_differencer.h"
#include "projections/core/money.h"
#include "projections/rules/droit.h"
#include "projections/rules/payments.h"

namespace clas {
namespace {

int32_t AtMost(int32_t value, int32_t limit) { return std::max(0, std::min(value, limit)); }

// Whether two droit messages (DroitBreakdown, DroitInputs) hold the same figures. Their fields are
// integers or messages of integers, so equal messages serialize to the same bytes (proto3 writes
// the set fields in field order); compared on the stack, without the reflection of
// MessageDifferencer, which an Apply would otherwise pay on every event.
template <typename Message>
bool SameFigures(const Message& a, const Message& b) {
  constexpr size_t kMax = 512;
  const size_t size = a.ByteSizeLong();
  if (size != b.ByteSizeLong()) return false;
  if (size > kMax) return google::protobuf::util::MessageDifferencer::Equals(a, b);
  uint8_t x[kMax], y[kMax];
  a.SerializeWithCachedSizesToArray(x);
  b.SerializeWithCachedSizesToArray(y);
  return std::memcmp(x, y, size) == 0;
}

const v1::BaremeFigures& BaremeOf(const v1::SchoolYearState& year, const BaremeBook& book) {
  const v1::BaremeFigures* bareme = book.Find(year.school_year());
  return bareme != nullptr ? *bareme : v1::BaremeFigures::default_instance();
}

// Whether `kept`, the inputs of a droit computed before, are the inputs InputsOf would make now
// of `figures`. Field by field: a DroitInputs holds integers and one message of integers (always
// set by MakeDroitInputs), so this is what SameFigures would find, without building and
// serializing a DroitInputs on every Apply.
bool SameInputs(const v1::DroitInputs& kept, const v1::SchoolYearState& year, v1::DroitKind kind,
                const v1::Figures& figures, const BaremeBook& book) {
  if (!kept.has_bareme()) return false;
  const v1::BaremeFigures& now = BaremeOf(year, book);
  const v1::BaremeFigures& then = kept.bareme();
  return kept.school_year() == year.school_year() && kept.kind() == kind &&
         kept.collectifs() == figures.collectifs() &&
         kept.charges_cents() == figures.charges_cents() &&
         kept.bonus_enfants_collectifs() == figures.bonus_enfants_collectifs() &&
         kept.bonus_parents_collectifs() == figures.bonus_parents_collectifs() &&
         kept.autres_bf_cents() == figures.autres_bf_cents() &&
         then.school_year() == now.school_year() && then.plafond_cents() == now.plafond_cents() &&
         then.bonus_enfants_cents() == now.bonus_enfants_cents() &&
         then.bonus_parents_cents() == now.bonus_parents_cents();
}

v1::DroitInputs InputsOf(const v1::SchoolYearState& year, v1::DroitKind kind,
                         const v1::Figures& figures, const BaremeBook& book) {
  return rules::MakeDroitInputs(SchoolYear(year.school_year()), kind, figures,
                                BaremeOf(year, book));
}

void RecomputeDp(v1::SchoolYearState* y, int32_t date, const std::string& cause,
                 const FoldContext& ctx) {
  if (!y->agrement().validated() || y->notified_collectifs() <= 0) {
    y->clear_dp();
    y->set_dp_missing_reason("pas d'agrément validé pour cette année scolaire (R-CONV-1)");
    return;
  }
  const v1::Figures figures = ForecastFigures(*y);
  // The DP is a function of its inputs: when they have not moved, neither has the DP, and the
  // last version of its history is the DP already (every computation below leaves it so).
  if (y->has_dp() &&
      SameInputs(y->dp().inputs(), *y, v1::DROIT_PREVISIONNEL, figures, *ctx.baremes)) {
    return;
  }
  const v1::DroitInputs in = InputsOf(*y, v1::DROIT_PREVISIONNEL, figures, *ctx.baremes);
  auto dp = rules::ComputeDroit(in);
  if (!dp.ok()) {
    y->clear_dp();
    y->set_dp_missing_reason(std::string(dp.status().message()));
    return;
  }
  y->clear_dp_missing_reason();
  const int n = y->dp_history_size();
  if (n == 0 || !SameFigures(y->dp_history(n - 1).dp(), *dp)) {
    v1::DpVersion* v = y->add_dp_history();
    v->set_effective_date(date);
    *v->mutable_dp() = *dp;
    v->set_cause_event_id(cause);
  }
  *y->mutable_dp() = *std::move(dp);
}

// The caps and rooms of the acomptes, from their sums per share (kept by the fold's Apply).
void RecomputeAcomptes(v1::SchoolYearState* y) {
  const Money n = Money::Cents(y->acomptes_n_cents()), n1 = Money::Cents(y->acomptes_n1_cents());
  if (!y->has_dp()) {
    y->set_cap_n_cents(0), y->set_cap_n1_cents(0), y->set_room_n_cents(0), y->set_room_n1_cents(0);
    return;
  }
  const Money ps = Money::Cents(y->dp().ps_cents());
  y->set_cap_n_cents(rules::AcompteCapN(ps).cents());      // R-PAY-2
  y->set_cap_n1_cents(rules::AcompteCapN1(ps).cents());    // R-PAY-3
  y->set_room_n_cents(Max(Money::Zero(), Money::Cents(y->cap_n_cents()) - n).cents());
  y->set_room_n1_cents(Max(Money::Zero(), Money::Cents(y->cap_n1_cents()) - n1).cents());
}

void RecomputeDr(v1::SchoolYearState* y, const FoldContext& ctx) {
  if (!y->bilan_received()) {
    y->clear_dr();
    return;
  }
  const v1::Figures figures = FinalFigures(*y);
  // The DR is a function of its inputs: unchanged inputs, unchanged DR.
  if (y->has_dr() && SameInputs(y->dr().inputs(), *y, v1::DROIT_REEL, figures, *ctx.baremes)) {
    return;
  }
  const v1::DroitInputs in = InputsOf(*y, v1::DROIT_REEL, figures, *ctx.baremes);
  y->clear_dr();
  auto dr = rules::ComputeDroit(in);
  if (dr.ok()) *y->mutable_dr() = *std::move(dr);
}

void RecomputePaid(v1::SchoolYearState* y) {
  Money paid = Money::Cents(y->acomptes_n_cents()) + Money::Cents(y->acomptes_n1_cents());
  if (y->solde_paid()) paid += Money::Cents(y->solde().amount_cents());
  for (const auto& r : y->rappels()) paid += Money::Cents(r.amount_cents());
  y->set_paid_cents(paid.cents());
  y->set_paid_net_cents((paid - Money::Cents(y->indus_notified_cents())).cents());
}

}  // namespace

v1::Figures ForecastFigures(const v1::SchoolYearState& y) {
  v1::Figures f;
  const int32_t c = y.notified_collectifs();
  f.set_collectifs(c);
  f.set_charges_cents(y.forecast_charges_cents());
  f.set_autres_bf_cents(y.forecast_autres_bf_cents());
  f.set_bonus_enfants_collectifs(AtMost(y.agrement().bonus_enfants_collectifs(), c));
  f.set_bonus_parents_collectifs(AtMost(y.agrement().bonus_parents_collectifs(), c));
  return f;
}

v1::Figures ControlledFigures(const v1::SchoolYearState& y, const v1::Figures& given) {
  v1::Figures f = given;
  const int32_t c = AtMost(given.collectifs(), y.notified_collectifs());
  f.set_collectifs(c);
  f.set_bonus_enfants_collectifs(
      AtMost(std::min(given.bonus_enfants_collectifs(), y.agrement().bonus_enfants_collectifs()), c));
  f.set_bonus_parents_collectifs(
      AtMost(std::min(given.bonus_parents_collectifs(), y.agrement().bonus_parents_collectifs()), c));
  return f;
}

v1::Figures FinalFigures(const v1::SchoolYearState& y) { return ControlledFigures(y, y.bilan()); }

absl::StatusOr<v1::DroitBreakdown> DroitOf(const v1::SchoolYearState& year, v1::DroitKind kind,
                                           const v1::Figures& figures, const BaremeBook& book) {
  return rules::ComputeDroit(InputsOf(year, kind, figures, book));
}

void RecomputeYear(v1::SchoolYearState* year, int32_t effective_date, const std::string& cause,
                   const FoldContext& context) {
  RecomputeDp(year, effective_date, cause, context);
  RecomputeAcomptes(year);
  RecomputeDr(year, context);
  RecomputePaid(year);
}

void RecomputeTotals(v1::ConventionState* state) {
  for (auto& y : *state->mutable_years()) {
    Money notified, recovered;
    for (const auto& i : state->indus()) {
      if (i.school_year() != y.school_year()) continue;
      notified += Money::Cents(i.amount_cents());
      recovered += Money::Cents(i.recovered_cents());
    }
    y.set_indus_notified_cents(notified.cents());
    y.set_indus_recovered_cents(recovered.cents());
    y.set_indus_open_cents((notified - recovered).cents());
    RecomputePaid(&y);
  }
}

}  // namespace clas
