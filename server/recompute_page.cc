#include "server/recompute_page.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ledger/base/status_macros.h"
#include "projections/engine/command_input.h"
#include "projections/rules/rule_version.h"
#include "server/query_ids.h"

namespace clas::server {
namespace {

// Cafs asked of the log at a time, for a request naming none.
constexpr size_t kCafsListedMax = 1000;
constexpr int64_t kFramingBytes = 8;

// Where a run goes on: the page token, parsed.
struct Resume {
  uint64_t head = 0;      // the log as the run reads it
  std::string caf;        // "" before the first Caf
  uint64_t position = 0;  // the first event to visit in `caf`
  uint32_t sent = 0;      // differences of that event sent by earlier pages
};

std::string TokenOf(const Resume& r) {
  return absl::StrCat(r.head, "/", r.caf, "/", r.position, "/", r.sent);
}

absl::Status BadToken() {
  return absl::InvalidArgumentError(
      "page_token : jeton de page inconnu (reprendre le next_page_token reçu)");
}

absl::StatusOr<Resume> ParseToken(const std::string& token, uint64_t head_now) {
  if (token.size() > kRecomputeTokenBytesMax) return BadToken();
  const std::vector<std::string> parts = absl::StrSplit(token, '/');
  Resume r;
  if (parts.size() != 4 || !absl::SimpleAtoi(parts[0], &r.head) ||
      !absl::SimpleAtoi(parts[2], &r.position) || !absl::SimpleAtoi(parts[3], &r.sent) ||
      r.head == 0 || r.head > head_now || r.position > r.head) {
    return BadToken();
  }
  r.caf = parts[1];
  if (!CheckQueryIdentifier("page_token", r.caf, InputClass::kCafId, rule::kHist4).ok()) {
    return BadToken();
  }
  return r;
}

v1::RecomputeDifference ToApi(const std::string& caf_id, const std::string& stream_id,
                              RecomputeDifference&& d) {
  v1::RecomputeDifference out;
  out.set_caf_id(caf_id);
  out.set_stream_id(stream_id);
  out.set_event_id(std::move(d.event_id));
  out.set_position(d.position);
  out.set_fact(std::move(d.fact));
  out.set_field(std::move(d.field));
  out.set_recorded_value(d.recorded_value);
  out.set_recomputed_value(d.recomputed_value);
  out.set_rule_version_recorded(std::move(d.rule_version_recorded));
  out.set_rule_version_current(std::move(d.rule_version_current));
  out.set_message(std::move(d.message));
  return out;
}

// Fills one page: the differences of the events visited, while they fit; where the page ends.
class Page {
 public:
  Page(int32_t size_max, int64_t bytes_max, uint64_t head, v1::RecomputeHistoryResponse* response)
      : size_max_(size_max), bytes_max_(bytes_max), head_(head), response_(response) {
    bytes_ = static_cast<int64_t>(response->ByteSizeLong()) + 256;  // the counts and the token
  }

  // Runs the check of one Caf (one convention of it when `convention_id` is not empty) from
  // `from` (its first `skip` differences already sent), adding what it finds to the page.
  absl::Status RunCaf(Engine& engine, const std::string& caf, const std::string& convention_id,
                      uint64_t from, uint32_t skip) {
    const Engine::RecomputeRange range{.from_position = from, .last_position = head_};
    auto visit = [&](const DomainEvent& e, RecomputedEvent r) -> absl::Status {
      ++events_visited_;
      Visit(caf, e, std::move(r), e.position == from ? skip : 0);
      return absl::OkStatus();
    };
    RETURN_IF_ERROR(convention_id.empty()
                        ? engine.RecomputeCaf(caf, range, visit)
                        : engine.RecomputeConvention(caf, convention_id, range, visit));
    if (!cut_.has_value()) response_->set_cafs_checked(response_->cafs_checked() + 1);
    return absl::OkStatus();
  }

  // Where the next page starts, when this one ended within the scope.
  const std::optional<Resume>& cut() const { return cut_; }
  uint64_t events_visited() const { return events_visited_; }

 private:
  void Visit(const std::string& caf, const DomainEvent& e, RecomputedEvent r, uint32_t skip) {
    const uint32_t found = static_cast<uint32_t>(r.differences.size());
    if (cut_.has_value()) {  // past the page: counted, sent by the next pages
      response_->set_differences_not_sent(response_->differences_not_sent() + found);
      return;
    }
    for (uint32_t i = std::min(skip, found); i < found; ++i) {
      v1::RecomputeDifference d = ToApi(caf, e.stream_id, std::move(r.differences[i]));
      const int64_t size = static_cast<int64_t>(d.ByteSizeLong()) + kFramingBytes;
      const int count = response_->differences_size();
      if (count == size_max_ || (count > 0 && bytes_ + size > bytes_max_)) {
        cut_ = Resume{.head = head_, .caf = caf, .position = e.position, .sent = i};
        response_->set_differences_not_sent(response_->differences_not_sent() + found - i);
        return;  // the event is counted by the page that sends its last difference
      }
      bytes_ += size;
      *response_->add_differences() = std::move(d);
    }
    response_->set_events_checked(response_->events_checked() + 1);
    response_->set_computations_checked(response_->computations_checked() +
                                        static_cast<uint64_t>(r.computations));
  }

  const int32_t size_max_;
  const int64_t bytes_max_;
  const uint64_t head_;
  v1::RecomputeHistoryResponse* const response_;
  int64_t bytes_ = 0;
  uint64_t events_visited_ = 0;
  std::optional<Resume> cut_;
};

// A request naming no Caf: every Caf `may_read` accepts, from the token's, until the page is
// full or `events_max` events were visited (the Caf begun always finished).
absl::Status RunCafs(Engine& engine, const Resume& start, int64_t events_max,
                     const std::function<bool(const std::string&)>& may_read,
                     const std::function<absl::Status()>& proceed, Page& page,
                     std::optional<Resume>& next) {
  bool first = true;
  // One Caf: false when the page ends with it (next is set).
  auto run = [&](const std::string& caf, uint64_t from, uint32_t skip) -> absl::StatusOr<bool> {
    if (!first && static_cast<int64_t>(page.events_visited()) >= events_max) {
      next = Resume{.head = start.head, .caf = caf, .position = 0, .sent = 0};
      return false;
    }
    first = false;
    RETURN_IF_ERROR(proceed());
    const absl::Status ran = page.RunCaf(engine, caf, "", from, skip);
    // A Caf listed now whose events all came after the run's position: nothing to check.
    if (!ran.ok() && !absl::IsNotFound(ran)) return ran;
    if (page.cut().has_value()) next = page.cut();
    return !next.has_value();
  };
  if (!start.caf.empty() && may_read(start.caf)) {
    ASSIGN_OR_RETURN(const bool go_on, run(start.caf, start.position, start.sent));
    if (!go_on) return absl::OkStatus();
  }
  std::string after = start.caf;
  for (;;) {
    ASSIGN_OR_RETURN(const std::vector<std::string> cafs, engine.ListCafs(after, kCafsListedMax));
    for (const std::string& caf : cafs) {
      after = caf;
      if (!may_read(caf)) continue;
      ASSIGN_OR_RETURN(const bool go_on, run(caf, 0, 0));
      if (!go_on) return absl::OkStatus();
    }
    if (cafs.size() < kCafsListedMax) return absl::OkStatus();
  }
}

}  // namespace

absl::Status RecomputePage(Engine& engine, uint64_t head_now,
                           const v1::RecomputeHistoryRequest& request,
                           const ServiceLimits& limits,
                           const std::function<bool(const std::string& caf)>& may_read,
                           const std::function<absl::Status()>& proceed,
                           v1::RecomputeHistoryResponse* response) {
  if (request.caf_id().empty() && !request.convention_id().empty()) return MissingCaf();
  const int32_t size = request.page_size() == 0 ? limits.recompute_page_default
                                                : request.page_size();
  if (size < 1 || size > limits.recompute_page_max) {
    return absl::InvalidArgumentError(absl::StrCat("page_size = ", request.page_size(),
                                                   " : de 1 à ", limits.recompute_page_max,
                                                   " écarts par page (0 : ",
                                                   limits.recompute_page_default, ")"));
  }
  Resume start{.head = head_now, .caf = "", .position = 0, .sent = 0};
  if (!request.page_token().empty()) {
    ASSIGN_OR_RETURN(start, ParseToken(request.page_token(), head_now));
    if (!request.caf_id().empty() && start.caf != request.caf_id()) return BadToken();
  }
  response->set_rule_version_current(rules::kRuleVersion);
  response->set_log_position(start.head);
  Page page(size, limits.answer_bytes_max, start.head, response);
  std::optional<Resume> next;
  if (request.caf_id().empty()) {
    RETURN_IF_ERROR(RunCafs(engine, start, limits.recompute_events_max, may_read, proceed, page,
                            next));
  } else {
    RETURN_IF_ERROR(proceed());
    RETURN_IF_ERROR(page.RunCaf(engine, request.caf_id(), request.convention_id(),
                                start.position, start.sent));
    next = page.cut();
  }
  if (next.has_value()) response->set_next_page_token(TokenOf(*next));
  return absl::OkStatus();
}

}  // namespace clas::server
