// R-HIST-3 for the closing of a civil year (R-ACC-3, R-ACC-4, R-ACC-8): its inputs are the states
// of the Caf's conventions when it was recorded, rebuilt here from the events that precede it.
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/str_format.h"
#include "ledger/base/status_macros.h"
#include "projections/accounts/books.h"
#include "projections/convention/fold.h"
#include "projections/convention/gestionnaire.h"
#include "projections/core/calendar.h"
#include "projections/history/recompute_internal.h"

namespace clas::recompute_internal {
namespace {

// What the log held for one Caf just before a closing was recorded.
struct Before {
  std::vector<DomainEvent> baremes;
  std::map<std::string, std::vector<DomainEvent>> conventions;    // by stream id
  std::map<std::string, std::vector<DomainEvent>> gestionnaires;  // by stream id
  std::vector<RecordedClosing> closings;
};

absl::StatusOr<Before> EventsBefore(const DomainEvent& closing,
                                    const std::vector<DomainEvent>& events) {
  Before out;
  const std::string conventions = ConventionStreamPrefix(closing.caf_id);
  const std::string gestionnaires = GestionnaireStream(closing.caf_id, "");
  for (const DomainEvent& e : events) {
    if (e.position >= closing.position) continue;
    if (e.stream_id == BaremeStream()) {
      out.baremes.push_back(e);
    } else if (e.stream_id.rfind(conventions, 0) == 0) {
      out.conventions[e.stream_id].push_back(e);
    } else if (e.stream_id.rfind(gestionnaires, 0) == 0) {
      out.gestionnaires[e.stream_id].push_back(e);
    } else if (e.caf_id == closing.caf_id && e.fact.has_civil_year_closed()) {
      ASSIGN_OR_RETURN(RecordedClosing recorded, RecordedClosingOf(e));
      out.closings.push_back(std::move(recorded));
    }
  }
  for (auto* streams : {&out.conventions, &out.gestionnaires}) {
    for (auto& [id, stream] : *streams) {
      std::stable_sort(stream.begin(), stream.end(), [](const auto& a, const auto& b) {
        return a.stream_version < b.stream_version;
      });
    }
  }
  return out;
}

// The gestionnaire as the engine knows it now (registration and renewals), or nullopt.
std::optional<Gestionnaire> GestionnaireOf(const std::vector<DomainEvent>& stream) {
  return stream.empty() ? std::nullopt : FoldGestionnaire(stream.front().caf_id, stream, AsOf{});
}

CafBooks BooksBefore(const std::string& caf_id, const Before& before, const BaremeBook& book) {
  CafBooks books;
  books.caf_id = caf_id;
  for (const auto& [id, stream] : before.conventions) {
    std::string gestionnaire_id;
    for (const auto& e : stream) {
      if (e.fact.has_funding_request_filed()) {
        gestionnaire_id = e.fact.funding_request_filed().gestionnaire_id();
      }
    }
    std::optional<Gestionnaire> g;
    auto it = before.gestionnaires.find(GestionnaireStream(caf_id, gestionnaire_id));
    if (!gestionnaire_id.empty() && it != before.gestionnaires.end())
      g = GestionnaireOf(it->second);
    const FoldContext context{.baremes = &book, .gestionnaire = g ? &*g : nullptr};
    v1::ConventionState state = FoldConvention(stream, AsOf{}, context);
    if (!state.convention_id().empty()) books.conventions.push_back(std::move(state));
  }
  books.closings = before.closings;
  return books;
}

// Line amounts summed per convention, school year, month, accounts, code and rule.
std::map<std::string, int64_t> Sums(
    const google::protobuf::RepeatedPtrField<v1::AccountingLine>& lines) {
  std::map<std::string, int64_t> out;
  for (const auto& l : lines) {
    out[absl::StrFormat("lines[%s %s %d D %s C %s %s %s]", l.convention_id(),
                        SchoolYear(l.school_year()).ToString(), l.month(), l.debit_account(),
                        l.credit_account(), l.statistical_code(), l.rule_id())] += l.amount_cents();
  }
  return out;
}

// The sum of the amounts of `sums`, for a refusal's message.
int64_t Total(const std::map<std::string, int64_t>& sums) {
  int64_t total = 0;
  for (const auto& [key, cents] : sums) total += cents;
  return total;
}

}  // namespace

bool CheckClosing(const DomainEvent& closing, const std::vector<DomainEvent>& events,
                  Reporter& reporter) {
  const v1::CivilYearClosed& recorded = closing.fact.civil_year_closed();
  const std::map<std::string, int64_t> was = Sums(recorded.lines());
  const absl::StatusOr<Before> before = EventsBefore(closing, events);
  if (!before.ok()) {  // an earlier closing's lines are not lines the rules book
    reporter.Refused("lines", Total(was), before.status());
    return true;
  }
  if (before->conventions.empty()) return false;  // inputs not given: nothing to recompute from
  const BaremeBook book = BaremeBook::FromEvents(before->baremes, AsOf{});
  const CafBooks books = BooksBefore(closing.caf_id, *before, book);
  v1::CloseCivilYear cmd;
  cmd.set_caf_id(closing.caf_id);
  cmd.set_civil_year(recorded.civil_year());
  cmd.set_date(closing.effective_date);
  auto decided = DecideCloseCivilYear(cmd, books);
  if (!decided.ok() || decided->empty() || !decided->front().fact.has_civil_year_closed()) {
    reporter.Refused(
        "lines", Total(was),
        decided.ok() ? absl::InternalError("aucune clôture décidée") : decided.status());
    return true;
  }
  const std::map<std::string, int64_t> now =
      Sums(decided->front().fact.civil_year_closed().lines());
  std::map<std::string, std::pair<int64_t, int64_t>> both;
  for (const auto& [key, cents] : was) both[key].first = cents;
  for (const auto& [key, cents] : now) both[key].second = cents;
  for (const auto& [key, pair] : both) {
    if (pair.first != pair.second) reporter.Differs(key, pair.first, pair.second);
  }
  return true;
}

}  // namespace clas::recompute_internal
