#include "projections/history/recompute.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/descriptor.h"
#include "ledger/base/status_macros.h"
#include "projections/codec/droit_codec.h"
#include "projections/core/calendar.h"
#include "projections/core/money.h"
#include "projections/history/recompute_internal.h"
#include "projections/rules/controle.h"
#include "projections/rules/droit.h"
#include "projections/rules/payments.h"
#include "projections/rules/rule_version.h"

namespace clas {
namespace recompute_internal {

namespace {

// A value as a Caf agent reads it: euros for amounts (fields in cents, accounting lines), a
// plain number for counts and codes.
std::string ValueFr(const std::string& field, int64_t value) {
  if (IsAmountField(field)) return Money::Cents(value).ToFrench();
  return absl::StrCat(value);
}

}  // namespace

Reporter::Reporter(const DomainEvent& event, std::string what_fr,
                   std::vector<RecomputeDifference>* out)
    : event_(event), what_fr_(std::move(what_fr)), out_(out) {}

RecomputeDifference Reporter::Base(const std::string& field, int64_t recorded,
                                   int64_t recomputed) const {
  RecomputeDifference d;
  d.event_id = event_.event_id;
  d.position = event_.position;
  d.fact = FactName(event_.fact);
  d.rule_version_recorded = event_.rule_version;
  d.rule_version_current = rules::kRuleVersion;
  d.field = field;
  d.recorded_value = recorded;
  d.recomputed_value = recomputed;
  return d;
}

void Reporter::Differs(const std::string& field, int64_t recorded, int64_t recomputed) {
  RecomputeDifference d = Base(field, recorded, recomputed);
  d.message = absl::StrFormat(
      "R-HIST-3 (§9) : %s (événement %s, position %d) a enregistré %s = %s selon les règles "
      "%s ; le code actuel (%s) calcule %s à partir des mêmes données. Le montant enregistré "
      "reste tel quel.",
      what_fr_, d.event_id, d.position, field, ValueFr(field, recorded),
      d.rule_version_recorded.empty() ? "(version non enregistrée)" : d.rule_version_recorded,
      d.rule_version_current, ValueFr(field, recomputed));
  out_->push_back(std::move(d));
}

void Reporter::Refused(const std::string& field, int64_t recorded, const absl::Status& why) {
  RecomputeDifference d = Base(field, recorded, 0);
  d.message = absl::StrFormat(
      "R-HIST-3 (§9) : %s (événement %s, position %d) a enregistré %s = %s selon les règles "
      "%s ; le code actuel (%s) refuse de le recalculer à partir des mêmes données : %s. Le "
      "montant enregistré reste tel quel.",
      what_fr_, d.event_id, d.position, field, ValueFr(field, recorded),
      d.rule_version_recorded.empty() ? "(version non enregistrée)" : d.rule_version_recorded,
      d.rule_version_current, std::string(why.message()));
  out_->push_back(std::move(d));
}

}  // namespace recompute_internal

namespace {

using google::protobuf::FieldDescriptor;
using recompute_internal::Reporter;

// R-DROIT-1..6, R-PAY-1: the breakdown recomputed from its own recorded inputs, every amount
// compared (every int64 field of DroitBreakdown, so that a field added later is compared too).
void CompareDroit(const v1::DroitBreakdown& recorded, const std::string& prefix, Reporter& r) {
  auto recomputed = rules::ComputeDroit(recorded.inputs());
  if (!recomputed.ok()) {
    r.Refused(prefix, recorded.droit_cents(), recomputed.status());
    return;
  }
  const auto* descriptor = v1::DroitBreakdown::descriptor();
  const auto* reflection = v1::DroitBreakdown::GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* f = descriptor->field(i);
    if (f->is_repeated() || f->cpp_type() != FieldDescriptor::CPPTYPE_INT64) continue;
    const int64_t was = reflection->GetInt64(recorded, f);
    const int64_t now = reflection->GetInt64(*recomputed, f);
    if (was != now) r.Differs(absl::StrCat(prefix, ".", f->name()), was, now);
  }
}

// A breakdown the payment rules may be given (they abort on a wrong kind, year or PS, which is
// a caller's bug; here it is recorded data, so it is reported instead).
bool UsableDroit(const v1::DroitBreakdown& d, v1::DroitKind kind, int32_t school_year,
                 const std::string& prefix, Reporter& r) {
  bool ok = true;
  if (d.inputs().kind() != kind) {
    r.Differs(prefix + ".inputs.kind", d.inputs().kind(), kind);
    ok = false;
  }
  if (d.inputs().school_year() != school_year) {
    r.Differs(prefix + ".inputs.school_year", d.inputs().school_year(), school_year);
    ok = false;
  }
  if (d.ps_cents() < 0 || d.ps_cents() > kAmountMaxCents) {
    r.Refused(prefix + ".ps_cents", d.ps_cents(),
              absl::OutOfRangeError("Ps hors des montants possibles"));
    ok = false;
  }
  return ok;
}

void CheckAcompte(const DomainEvent& e, Reporter& r) {
  const v1::AcomptePaid& a = e.fact.acompte_paid();
  CompareDroit(a.dp(), "dp", r);
  if (!UsableDroit(a.dp(), v1::DROIT_PREVISIONNEL, a.school_year(), "dp", r)) return;
  // R-PAY-4: dated in civil year N, the acompte counts toward the N share (R-PAY-2), else the
  // N+1 share (R-PAY-3).
  const rules::Share share =
      a.civil_year() <= a.school_year() ? rules::Share::kN : rules::Share::kN1;
  const int64_t cap = rules::AcompteCap(share, Money::Cents(a.dp().ps_cents())).cents();
  if (cap != a.cap_cents()) r.Differs("cap_cents", a.cap_cents(), cap);
  const int64_t room = cap - a.paid_before_cents();
  if (a.amount_cents() > room)
    r.Differs("amount_cents", a.amount_cents(), std::max<int64_t>(0, room));
}

// The indus notified, summed per stream, school year, origin and what tells them apart (the
// contrôle for INDU_FROM_CONTROLE, the indu's id for INDU_FROM_BILAN_CORRECTION, nothing for a
// negative solde): one pass over the events, so that each solde, contrôle outcome and solde
// revision looks its indu up instead of reading every event again.
class IndusNotified {
 public:
  explicit IndusNotified(const std::vector<DomainEvent>& events) {
    for (const DomainEvent& e : events) {
      if (!e.fact.has_indu_notified()) continue;
      const auto& i = e.fact.indu_notified();
      const std::string& which = i.origin() == v1::INDU_FROM_CONTROLE ? i.controle_id()
                                 : i.origin() == v1::INDU_FROM_BILAN_CORRECTION ? i.indu_id()
                                                                                 : kNone;
      sums_[Key{e.stream_id, i.school_year(), i.origin(), which}] += Money::Cents(i.amount_cents());
    }
  }

  // The indus of `stream` notified for `school_year` with `origin` (and `which`: the contrôle
  // for INDU_FROM_CONTROLE, the indu's id for INDU_FROM_BILAN_CORRECTION).
  int64_t Of(const std::string& stream, int32_t school_year, v1::InduOrigin origin,
             const std::string& which) const {
    auto it = sums_.find(Key{stream, school_year, origin,
                             origin == v1::INDU_FROM_NEGATIVE_SOLDE ? kNone : which});
    return it == sums_.end() ? 0 : it->second.cents();
  }

 private:
  inline static const std::string kNone;
  using Key = std::tuple<std::string, int32_t, int, std::string>;
  std::map<Key, Money> sums_;
};

void CheckSolde(const DomainEvent& e, const IndusNotified& indus, Reporter& r) {
  const v1::SoldePaid& s = e.fact.solde_paid();
  CompareDroit(s.dr(), "dr", r);
  if (!UsableDroit(s.dr(), v1::DROIT_REEL, s.school_year(), "dr", r)) return;
  if (s.acomptes_cents() < 0 || s.acomptes_cents() > kAmountMaxCents) {
    r.Refused("acomptes_cents", s.acomptes_cents(),
              absl::OutOfRangeError("total des acomptes hors des montants possibles"));
    return;
  }
  // R-PAY-5, with the decision's own code; the date and the state only add refusals, which a
  // recorded solde had none of.
  const DroitShares dr = codec::SharesOf(s.dr());
  const rules::SoldeDecision d =
      rules::DecideSolde(SchoolYear(s.school_year()), e.effective_date, &dr,
                         Money::Cents(s.acomptes_cents()), false, false);
  if (d.amount.cents() != s.amount_cents()) {
    r.Differs("amount_cents", s.amount_cents(), d.amount.cents());
  }
  const int64_t notified =
      indus.Of(e.stream_id, s.school_year(), v1::INDU_FROM_NEGATIVE_SOLDE, "");
  if (notified != d.indu.cents()) r.Differs("indu_cents", notified, d.indu.cents());
}

void CheckControle(const DomainEvent& e, const IndusNotified& indus, Reporter& r) {
  const v1::ControleDecided& c = e.fact.controle_decided();
  for (int i = 0; i < c.outcomes_size(); ++i) {
    const v1::ControleYearOutcome& o = c.outcomes(i);
    const std::string prefix = absl::StrFormat("outcomes[%d]", i);
    CompareDroit(o.dc(), prefix + ".dc", r);
    // R-CTL-2, R-CTL-3 on the recorded DC and the recorded paid net.
    const rules::ControleBalance b =
        rules::BalanceOfControle(Money::Cents(o.dc().droit_cents()), Money::Cents(o.paid_cents()));
    if (b.rappel.cents() != o.rappel_cents()) {
      r.Differs(prefix + ".rappel_cents", o.rappel_cents(), b.rappel.cents());
    }
    if (b.indu.cents() != o.indu_cents()) {
      r.Differs(prefix + ".indu_cents", o.indu_cents(), b.indu.cents());
    }
    const int64_t notified =
        indus.Of(e.stream_id, o.school_year(), v1::INDU_FROM_CONTROLE, c.controle_id());
    if (notified != b.indu.cents()) r.Differs(prefix + ".indu_notified", notified, b.indu.cents());
  }
}

// R-PAY-9: the solde of a bilan corrected after it, computed again from the recorded DR' and
// settlement: the delta, and the indu notified with it when negative.
void CheckSoldeRevision(const DomainEvent& e, const IndusNotified& indus, Reporter& r) {
  const v1::SoldeRevision& s = e.fact.event_corrected().solde_revision();
  CompareDroit(s.dr_after(), "solde_revision.dr_after", r);
  if (!UsableDroit(s.dr_after(), v1::DROIT_REEL, s.school_year(), "solde_revision.dr_after", r)) {
    return;
  }
  const Money delta = Money::Cents(s.dr_after().droit_cents()) - Money::Cents(s.acomptes_cents()) -
                      Money::Cents(s.settled_before_cents());
  if (delta.cents() != s.delta_cents()) {
    r.Differs("solde_revision.delta_cents", s.delta_cents(), delta.cents());
  }
  const int64_t due_indu = std::max<int64_t>(0, -delta.cents());
  const int64_t notified =
      s.indu_id().empty() ? 0
                          : indus.Of(e.stream_id, s.school_year(), v1::INDU_FROM_BILAN_CORRECTION,
                                     s.indu_id());
  if (notified != due_indu) r.Differs("solde_revision.indu_notified", notified, due_indu);
}

// The recorded computations of `e` done again with the current rules.
RecomputedEvent Recompute(const DomainEvent& e, const std::vector<DomainEvent>& events,
                          const IndusNotified& indus) {
  RecomputedEvent out;
  switch (e.fact.fact_case()) {
    case v1::ClasEvent::kAcomptePaid: {
      Reporter r(e, absl::StrCat("l'acompte ", e.fact.acompte_paid().payment_id()),
                 &out.differences);
      CheckAcompte(e, r);
      out.computations = 1;
      break;
    }
    case v1::ClasEvent::kSoldePaid: {
      Reporter r(e, absl::StrCat("le solde ", e.fact.solde_paid().payment_id()), &out.differences);
      CheckSolde(e, indus, r);
      out.computations = 1;
      break;
    }
    case v1::ClasEvent::kControleDecided: {
      Reporter r(e,
                 absl::StrCat("la décision du contrôle ", e.fact.controle_decided().controle_id()),
                 &out.differences);
      CheckControle(e, indus, r);
      out.computations = e.fact.controle_decided().outcomes_size();
      break;
    }
    case v1::ClasEvent::kEventCorrected: {
      if (!e.fact.event_corrected().has_solde_revision()) break;
      Reporter r(e,
                 absl::StrCat("la correction du bilan ",
                              e.fact.event_corrected().target_event_id(), " après le solde"),
                 &out.differences);
      CheckSoldeRevision(e, indus, r);
      out.computations = 1;
      break;
    }
    case v1::ClasEvent::kCivilYearClosed: {
      Reporter r(e,
                 absl::StrCat("la clôture de l'exercice ", e.fact.civil_year_closed().civil_year()),
                 &out.differences);
      out.computations = recompute_internal::CheckClosing(e, events, r) ? 1 : 0;
      break;
    }
    default:
      break;  // no computed amount
  }
  return out;
}

}  // namespace

absl::Status RecomputeEach(const std::vector<DomainEvent>& events, uint64_t from_position,
                           const RecomputeVisitor& visit) {
  const IndusNotified indus(events);
  for (const DomainEvent& e : events) {
    if (e.position < from_position) continue;
    absl::Status visited = visit(e, Recompute(e, events, indus));
    if (!visited.ok()) return visited;
  }
  return absl::OkStatus();
}

std::vector<RecomputeDifference> RecomputeCheck(const std::vector<DomainEvent>& events) {
  std::vector<RecomputeDifference> out;
  const absl::Status done =
      RecomputeEach(events, 0, [&out](const DomainEvent&, RecomputedEvent recomputed) {
        for (auto& d : recomputed.differences) out.push_back(std::move(d));
        return absl::OkStatus();
      });
  CLAS_CHECK(done.ok()) << done;  // the visitor above never stops the run
  return out;
}

bool IsAmountField(std::string_view field) {
  const absl::string_view f(field.data(), field.size());
  return absl::EndsWith(f, "_cents") || absl::StartsWith(f, "lines[") ||
         absl::EndsWith(f, "indu_notified");
}

}  // namespace clas
