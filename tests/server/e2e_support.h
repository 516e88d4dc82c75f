// What the end-to-end tests need beyond an agent's desk (grpc_desk.h): queries, reads and
// appends of the generic log, subscriptions and replication streams read item by item, and
// tokens added to, changed in or removed from the fixture's token file.
#ifndef CLAS_TESTS_SERVER_E2E_SUPPORT_H_
#define CLAS_TESTS_SERVER_E2E_SUPPORT_H_

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "clas/v1/service.grpc.pb.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "server/auth.h"
#include "tests/server/server_fixture.h"

namespace clas::testing {

// Adds a token for `user` to the fixture's token file (its hash), valid until `expires_at`
// (whole seconds), and to the clear file beside it, so that As(user) works once the server has
// read the file again (Restart() or ReloadTokens()).
inline void AddToken(ServerTest& test, const std::string& user, const std::string& role,
                     const std::string& cafs, absl::Time expires_at = absl::InfiniteFuture()) {
  auto token = server::GenerateToken();
  ASSERT_TRUE(token.ok()) << token.status();
  std::ofstream hashed(test.config_.tokens_file, std::ios::app);
  hashed << server::HashToken(*token) << " " << user << " " << role << " " << cafs;
  if (expires_at != absl::InfiniteFuture()) {
    hashed << absl::FormatTime(" expires=%Y-%m-%dT%H:%M:%SZ", expires_at, absl::UTCTimeZone());
  }
  hashed << "\n";
  std::ofstream clear(test.config_.tokens_file + ".clear", std::ios::app);
  clear << user << " " << *token << "\n";
  ASSERT_TRUE(hashed.good() && clear.good());
}

// Rewrites the line of `user` in the fixture's token file, keeping its token (its hash): the
// line goes when `rest` is empty, else becomes "<hash> <user> <rest>" (a role, a Caf list, an
// expiry maybe). The server sees it once it reads the file again (ReloadTokens()); As(user)
// still presents the token.
inline void RewriteToken(ServerTest& test, const std::string& user, const std::string& rest) {
  std::string text;
  int found = 0;
  {
    std::ifstream in(test.config_.tokens_file);
    for (std::string line; std::getline(in, line);) {
      const std::vector<std::string> fields = absl::StrSplit(line, ' ');
      if (fields.size() < 2 || fields[1] != user) {
        absl::StrAppend(&text, line, "\n");
        continue;
      }
      ++found;
      if (!rest.empty()) absl::StrAppend(&text, fields[0], " ", user, " ", rest, "\n");
    }
  }
  ASSERT_EQ(found, 1) << "lines of " << user << " in the token file";
  std::ofstream out(test.config_.tokens_file, std::ios::trunc);  // keeps its mode (0600)
  out << text;
  ASSERT_TRUE(out.good());
}

inline uint64_t HeadOf(ServerTest& test) { return test.server_->store().Head().position; }

// A state compared with another, leaving out the instant the query named (known_at_us).
inline ::testing::AssertionResult SameState(const v1::ConventionState& a,
                                            const v1::ConventionState& b) {
  google::protobuf::util::MessageDifferencer differ;
  differ.IgnoreField(v1::ConventionState::descriptor()->FindFieldByName("known_at_us"));
  std::string report;
  differ.ReportDifferencesToString(&report);
  if (differ.Compare(a, b)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << report;
}

// `state` without its timeline: what a replay's state_after holds (its items are the timeline).
inline v1::ConventionState WithoutTimeline(v1::ConventionState state) {
  state.clear_events();
  return state;
}

template <typename Response>
struct Answer {
  grpc::Status status;
  Response response;
};

inline Answer<v1::GetConventionResponse> GetConvention(ServerTest& test, const std::string& user,
                                                       const std::string& caf,
                                                       const std::string& convention,
                                                       const v1::AsOfSpec& as_of = {}) {
  v1::GetConventionRequest request;
  request.set_caf_id(caf);
  request.set_convention_id(convention);
  *request.mutable_as_of() = as_of;
  Answer<v1::GetConventionResponse> out;
  out.status = test.queries()->GetConvention(test.As(user).get(), request, &out.response);
  return out;
}

inline Answer<v1::ListConventionsResponse> List(ServerTest& test, const std::string& user,
                                                const v1::ListConventionsRequest& request) {
  Answer<v1::ListConventionsResponse> out;
  out.status = test.queries()->ListConventions(test.As(user).get(), request, &out.response);
  return out;
}

// Every convention id a listing returns, following its page tokens (at most 100 pages).
inline std::vector<std::string> ListAllPages(ServerTest& test, const std::string& user,
                                             v1::ListConventionsRequest request) {
  std::vector<std::string> ids;
  for (int page = 0; page < 100; ++page) {
    auto answer = List(test, user, request);
    EXPECT_TRUE(answer.status.ok()) << answer.status.error_message();
    if (!answer.status.ok()) break;
    for (const auto& c : answer.response.conventions()) {
      ids.push_back(absl::StrCat(c.caf_id(), "/", c.convention_id()));
    }
    if (answer.response.next_page_token().empty()) break;
    request.set_page_token(answer.response.next_page_token());
  }
  return ids;
}

inline Answer<v1::ReadResponse> ReadAll(ServerTest& test, const std::string& user,
                                        uint64_t from_position, int32_t max_count) {
  v1::ReadAllRequest request;
  request.set_from_position(from_position);
  request.set_max_count(max_count);
  Answer<v1::ReadResponse> out;
  out.status = test.ledger()->ReadAll(test.As(user).get(), request, &out.response);
  return out;
}

inline Answer<v1::ReadResponse> ReadStream(ServerTest& test, const std::string& user,
                                           const std::string& stream, uint64_t from_version,
                                           bool backward, int32_t max_count) {
  v1::ReadStreamRequest request;
  request.set_stream_id(stream);
  request.set_from_version(from_version);
  request.set_backward(backward);
  request.set_max_count(max_count);
  Answer<v1::ReadResponse> out;
  out.status = test.ledger()->ReadStream(test.As(user).get(), request, &out.response);
  return out;
}

// Every event of the log `user` may see, read page after page of at most `page` positions: on
// from the last event returned, or past the `page` positions read when none was visible.
inline std::vector<v1::RecordedEvent> ReadWholeLog(ServerTest& test, const std::string& user,
                                                   int32_t page = 1000) {
  std::vector<v1::RecordedEvent> out;
  const uint64_t head = HeadOf(test);
  for (uint64_t from = 1; from <= head;) {
    auto answer = ReadAll(test, user, from, page);
    EXPECT_TRUE(answer.status.ok()) << answer.status.error_message();
    if (!answer.status.ok()) break;
    for (const auto& e : answer.response.events()) out.push_back(e);
    from = answer.response.events().empty() ? from + page : out.back().position() + 1;
  }
  return out;
}

inline std::vector<uint64_t> PositionsOf(const std::vector<v1::RecordedEvent>& events) {
  std::vector<uint64_t> out;
  for (const auto& e : events) out.push_back(e.position());
  return out;
}

// Ledger.Append of one event per id to `stream`, with `payload`.
inline Answer<v1::AppendResponse> AppendExt(ServerTest& test, const std::string& user,
                                            const std::string& stream,
                                            const std::vector<std::string>& event_ids,
                                            const std::string& payload = "payload") {
  v1::AppendRequest request;
  request.set_stream_id(stream);
  request.set_expected_kind(v1::EXPECTED_ANY);
  for (const auto& id : event_ids) {
    auto* e = request.add_events();
    e->set_event_id(id);
    e->set_event_type("ext_note");
    e->set_payload(payload);
  }
  Answer<v1::AppendResponse> out;
  out.status = test.ledger()->Append(test.As(user).get(), request, &out.response);
  return out;
}

// A Ledger.Subscribe read item by item by the test's thread.
class Subscription {
 public:
  Subscription(ServerTest& test, const std::string& user, const v1::SubscribeRequest& request,
               std::chrono::seconds deadline = std::chrono::seconds(30))
      : stub_(test.ledger()), context_(test.As(user)) {
    context_->set_deadline(std::chrono::system_clock::now() + deadline);
    reader_ = stub_->Subscribe(context_.get(), request);
  }

  // Reads items until the server says everything up to `position` was delivered (caught_up_to
  // >= position). False when the stream ended first.
  bool ReadUntilCaughtUp(uint64_t position) {
    v1::SubscribeItem item;
    for (int items = 0; items < kItemsMax; ++items) {
      if (!reader_->Read(&item)) return false;
      if (item.has_event()) {
        events.push_back(item.event());
      } else {
        caught_up_to = item.caught_up_to();
        caught_up_seen.push_back(caught_up_to);
        if (caught_up_to >= position) return true;
      }
    }
    return false;
  }

  // Reads items until an event at `position` or later arrived. False when the stream ended.
  bool ReadUntilEvent(uint64_t position) {
    v1::SubscribeItem item;
    for (int items = 0; items < kItemsMax; ++items) {
      if (!reader_->Read(&item)) return false;
      if (item.has_event()) {
        events.push_back(item.event());
        if (item.event().position() >= position) return true;
      } else {
        caught_up_to = item.caught_up_to();
        caught_up_seen.push_back(caught_up_to);
      }
    }
    return false;
  }

  // Cancels the call and returns its final status.
  grpc::Status Cancel() {
    context_->TryCancel();
    return Finish();
  }

  // Reads whatever is left, then the final status.
  grpc::Status Finish() {
    v1::SubscribeItem item;
    while (reader_->Read(&item)) {
      if (item.has_event()) events.push_back(item.event());
      if (item.item_case() == v1::SubscribeItem::kCaughtUpTo) {
        caught_up_to = item.caught_up_to();
        caught_up_seen.push_back(caught_up_to);
      }
    }
    return reader_->Finish();
  }

  std::vector<v1::RecordedEvent> events;
  std::vector<uint64_t> caught_up_seen;
  uint64_t caught_up_to = 0;

 private:
  static constexpr int kItemsMax = 100'000;
  std::unique_ptr<v1::Ledger::Stub> stub_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientReader<v1::SubscribeItem>> reader_;
};

// A Ledger.Replicate read item by item by the test's thread, as a follower reads it: the
// positions of the records received, and what the last item said of the leader's head.
class ReplicationStream {
 public:
  ReplicationStream(ServerTest& test, const std::string& user, uint64_t from_position,
                    std::chrono::seconds deadline = std::chrono::seconds(30))
      : stub_(test.ledger()), context_(test.As(user)) {
    context_->set_deadline(std::chrono::system_clock::now() + deadline);
    v1::ReplicateRequest request;
    request.set_from_position(from_position);
    reader_ = stub_->Replicate(context_.get(), request);
  }

  // Reads items until one without records (the leader had nothing more to send: caught up).
  // False when the stream ended first.
  bool ReadUntilIdle() {
    v1::ReplicateResponse item;
    for (int items = 0; items < kItemsMax; ++items) {
      if (!reader_->Read(&item)) return false;
      Keep(item);
      if (item.records().empty()) return true;
    }
    return false;
  }

  // Reads items until a record at `position` or later arrived. False when the stream ended.
  bool ReadUntilRecord(uint64_t position) {
    v1::ReplicateResponse item;
    for (int items = 0; items < kItemsMax; ++items) {
      if (!reader_->Read(&item)) return false;
      Keep(item);
      if (!positions.empty() && positions.back() >= position) return true;
    }
    return false;
  }

  // Cancels the call and returns its final status.
  grpc::Status Cancel() {
    context_->TryCancel();
    return Finish();
  }

  // Reads whatever is left, then the final status.
  grpc::Status Finish() {
    v1::ReplicateResponse item;
    while (reader_->Read(&item)) Keep(item);
    return reader_->Finish();
  }

  std::vector<uint64_t> positions;  // of every record received, in order
  uint64_t leader_head = 0;         // the last item's leader_head_position
  int items = 0;

 private:
  static constexpr int kItemsMax = 100'000;

  void Keep(const v1::ReplicateResponse& item) {
    ++items;
    leader_head = item.leader_head_position();
    for (const auto& record : item.records()) positions.push_back(record.position());
  }

  std::unique_ptr<v1::Ledger::Stub> stub_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientReader<v1::ReplicateResponse>> reader_;
};

}  // namespace clas::testing

#endif  // CLAS_TESTS_SERVER_E2E_SUPPORT_H_
