#include "server/convert.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/base/status_macros.h"
#include "projections/codec/line_codec.h"
#include "projections/core/calendar.h"
#include "projections/core/stream_layout.h"
#include "projections/core/violation.h"

namespace clas::server {

v1::RecordedEvent ToApi(const DomainEvent& e) {
  v1::RecordedEvent out;
  out.set_event_id(e.event_id);
  out.set_stream_id(e.stream_id);
  out.set_stream_version(e.stream_version);
  out.set_position(e.position);
  out.set_recorded_at_us(e.recorded_at_us);
  out.set_effective_date(e.effective_date);
  out.set_event_type(FactName(e.fact));
  *out.mutable_actor() = e.actor;
  out.set_caf_id(e.caf_id);
  out.set_rule_version(e.rule_version);
  *out.mutable_fact() = e.fact;
  return out;
}

v1::RecordedEvent ToApi(const ledger::RecordedEvent& r) {
  v1::RecordedEvent out;
  const auto& d = r.data();
  out.set_event_id(d.event_id());
  out.set_stream_id(r.stream_id());
  out.set_stream_version(r.stream_version());
  out.set_position(r.position());
  out.set_recorded_at_us(r.recorded_at_us());
  out.set_effective_date(d.effective_date());
  out.set_event_type(d.event_type());
  *out.mutable_actor() = d.actor();
  out.set_caf_id(d.tenant_id());
  out.set_rule_version(d.rule_version());
  if (IsClasStream(r.stream_id()) && out.mutable_fact()->ParseFromString(d.payload())) {
    // decoded
  } else {
    out.clear_fact();
    out.set_payload(d.payload());
  }
  out.set_hash(r.hash);
  out.set_prev_hash(r.prev_hash);
  out.set_prev_stream_hash(r.prev_stream_hash);
  return out;
}

absl::StatusOr<v1::RecordedEvent> ToApi(const DomainEvent& e, const ledger::EventStore& store) {
  v1::RecordedEvent out = ToApi(e);
  ASSIGN_OR_RETURN(ledger::RecordedEvent recorded, store.Read(e.position));
  out.set_hash(recorded.hash);
  out.set_prev_hash(recorded.prev_hash);
  out.set_prev_stream_hash(recorded.prev_stream_hash);
  return out;
}

void FillCommandResponse(const CommandResult& result, const ledger::EventStore& store,
                         int64_t bytes_max, v1::CommandResponse* response) {
  for (const auto& e : result.events) {
    absl::StatusOr<v1::RecordedEvent> shown = ToApi(e, store);
    // Written already: an event whose hashes cannot be read now is shown without them.
    *response->add_events() = shown.ok() ? *std::move(shown) : ToApi(e);
    for (const auto& w : e.fact.warnings()) *response->add_warnings() = w;
    response->set_log_position(std::max(response->log_position(), e.position));
  }
  if (result.figures.has_value()) *response->mutable_figures() = *result.figures;
  response->set_replayed(result.replayed);
  if (static_cast<int64_t>(response->ByteSizeLong()) <= bytes_max) return;
  // Too large to send (a closing of many lines under a small message limit): the facts are
  // left out, the acknowledgement stays (ids, positions, hashes, figures).
  for (auto& e : *response->mutable_events()) e.clear_fact();
  response->set_facts_omitted(true);
}

namespace {

// Drops the oldest entries of `list` until `excess` bytes went, keeping the last `keep`;
// returns how many.
template <typename List>
uint32_t DropOldest(int64_t excess, List* list, int keep = 0) {
  constexpr int64_t kFramingBytes = 4;
  int dropped = 0;
  while (dropped < list->size() - keep && excess > 0) {
    excess -= static_cast<int64_t>(ElementBytes(list->Get(dropped))) + kFramingBytes;
    ++dropped;
  }
  if (dropped > 0) list->DeleteSubrange(0, dropped);
  return static_cast<uint32_t>(dropped);
}

}  // namespace

v1::StateOmissions FitState(int64_t bytes_max, v1::ConventionState* s) {
  v1::StateOmissions out;
  auto excess = [&] { return static_cast<int64_t>(s->ByteSizeLong()) - bytes_max; };
  if (excess() <= 0) return out;
  out.set_timeline(DropOldest(excess(), s->mutable_events()));
  if (excess() <= 0) return out;
  for (auto& y : *s->mutable_years()) y.clear_sources();
  out.set_sources(true);
  for (auto& y : *s->mutable_years()) {
    if (excess() <= 0) return out;
    // The last version, the DP in force now, stays.
    out.set_dp_versions(out.dp_versions() + DropOldest(excess(), y.mutable_dp_history(), 1));
  }
  for (auto& y : *s->mutable_years()) {
    if (excess() <= 0) return out;
    out.set_acomptes(out.acomptes() + DropOldest(excess(), y.mutable_acomptes()));
  }
  if (excess() <= 0) return out;
  out.set_notification_ids(DropOldest(excess(), s->mutable_notification_ids()));
  if (excess() <= 0) return out;
  out.set_warnings(DropOldest(excess(), s->mutable_warnings()));
  return out;
}

absl::StatusOr<AsOf> FromSpec(const v1::AsOfSpec& spec, const ledger::EventStore& store) {
  AsOf out;
  if (spec.effective_date() != 0) {
    if (!IsValidYmd(spec.effective_date())) {
      return RuleStatus(absl::StatusCode::kInvalidArgument,
                        RuleError(rule::kHist2, "as_of.effective_date",
                                  absl::StrCat(spec.effective_date()), "date invalide (AAAAMMJJ)"));
    }
    out.effective_date = spec.effective_date();
  }
  if (spec.known_at_us() < 0) {
    return RuleStatus(absl::StatusCode::kInvalidArgument,
                      RuleError(rule::kHist2, "as_of.known_at_us", absl::StrCat(spec.known_at_us()),
                                "instant négatif"));
  }
  if (spec.known_at_us() != 0) out.known_at_us = spec.known_at_us();
  if (spec.at_position() != 0) {
    auto event = store.Read(spec.at_position());
    if (!event.ok()) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "as_of.at_position = %d : position inconnue du journal (tête %d)", spec.at_position(),
          store.Head().position));
    }
    out.known_at_us = std::min(out.known_at_us, event->recorded_at_us());
  }
  return out;
}

uint64_t PositionOf(const AsOf& as_of, const ledger::EventStore& store) {
  const ledger::LogHead head = store.Head();
  if (as_of.known_at_us >= head.recorded_at_us) return head.position;
  // Instants strictly increase with positions: binary search the last position known at T.
  uint64_t lo = 0, hi = head.position;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo + 1) / 2;
    auto e = store.Read(mid);
    if (e.ok() && e->recorded_at_us() <= as_of.known_at_us) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

void FillCivilYear(const rules::CivilYearReport& report, const rules::Lines& lines, bool closed,
                   v1::GetCivilYearResponse* response) {
  response->set_caf_id(report.caf_id);
  response->set_civil_year(report.year.y());
  response->set_closed(closed);
  for (const Line& l : lines) {
    if (l.civil_year() == report.year) codec::Encode(l, response->add_lines());
  }
  for (const auto& a : report.accounts) {
    auto* t = response->add_accounts();
    t->set_account(std::string(AccountName(a.account)));
    t->set_opening_cents(a.opening.cents());
    t->set_debits_cents(a.debits.cents());
    t->set_credits_cents(a.credits.cents());
    t->set_closing_cents(a.closing.cents());
  }
  for (const auto& c : report.codes) {
    auto* t = response->add_codes();
    t->set_statistical_code(std::string(CodeName(c.code)));
    t->set_lines_cents(c.lines_amount.cents());
    t->set_charge_debits_cents(c.charge_debits.cents());
    t->set_charge_credits_cents(c.charge_credits.cents());
    t->set_net_charge_cents(c.net_charge.cents());
  }
  response->set_total_debits_cents(report.total_debits.cents());
  response->set_total_credits_cents(report.total_credits.cents());
  response->set_payments_from_lines_cents(report.payments_from_lines.cents());
  response->set_payments_from_events_cents(report.payments_from_events.cents());
  auto* e = response->mutable_envelope();
  e->set_n_shares_cents(report.envelope.n_shares.cents());
  e->set_n1_shares_cents(report.envelope.n1_shares.cents());
  e->set_envelope_cents(report.envelope.envelope.cents());
  e->set_paid_cents(report.envelope.paid.cents());
  e->set_remaining_cents(report.envelope.remaining.cents());
  for (const auto& f : report.failed_checks) response->add_failed_checks(f);
  response->set_balanced(report.balanced());
}

}  // namespace clas::server
