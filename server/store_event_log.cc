#include "server/store_event_log.h"

#include <algorithm>
#include <iterator>

#include "ledger/base/status_macros.h"

namespace clas::server {

absl::StatusOr<EventLog::Appended> StoreEventLog::Append(
    const std::string& stream, uint64_t expected_version,
    std::vector<ledger::v1::EventData> events) {
  const size_t count = events.size();
  const auto expected = expected_version == kNoStream
                            ? ledger::ExpectedVersion::NoStream()
                            : ledger::ExpectedVersion::Exactly(expected_version);
  std::vector<ledger::v1::EventData> sent = events;  // what the events are, should reading fail
  ASSIGN_OR_RETURN(ledger::AppendResult result,
                   store_->Append(stream, expected, std::move(events)));
  // Written: from here on, no error. The events as the log holds them, read back; should the
  // read fail, as the append made them (a call's events take consecutive positions, versions
  // and instants: event_store.h).
  Appended out;
  out.duplicate = result.duplicate;
  absl::StatusOr<std::vector<ledger::RecordedEvent>> recorded =
      store_->ReadAll(result.first_position, count);
  for (size_t i = 0; i < count; ++i) {
    ledger::v1::EventBody body;
    if (recorded.ok() && i < recorded->size()) {
      body = (*recorded)[i].body;
    } else {
      *body.mutable_data() = std::move(sent[i]);
      body.set_stream_id(stream);
      body.set_stream_version(result.first_version + i);
      body.set_position(result.first_position + i);
      body.set_recorded_at_us(result.recorded_at_us + static_cast<int64_t>(i));
    }
    absl::StatusOr<DomainEvent> e = FromRecord(body);
    CLAS_CHECK(e.ok()) << "an event the engine encoded does not decode: " << e.status();
    out.events.push_back(*std::move(e));
  }
  return out;
}

absl::StatusOr<std::vector<DomainEvent>> StoreEventLog::ReadStream(const std::string& stream) {
  return ReadStreamFrom(stream, 1);
}

absl::StatusOr<std::vector<DomainEvent>> StoreEventLog::ReadStreamFrom(const std::string& stream,
                                                                       uint64_t from_version) {
  std::vector<DomainEvent> out;
  uint64_t from = std::max<uint64_t>(from_version, 1);
  while (true) {
    ASSIGN_OR_RETURN(auto page, store_->ReadStream(stream, from, ledger::Direction::kForward,
                                                   ledger::kReadEventsMax));
    for (const auto& r : page) {
      ASSIGN_OR_RETURN(DomainEvent e, FromRecord(r.body));
      out.push_back(std::move(e));
    }
    if (page.size() < ledger::kReadEventsMax) break;
    from += page.size();
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> StoreEventLog::ListStreams(const std::string& prefix) {
  // Every id, page after page: one ListStreams call returns at most kListStreamsMax of them,
  // and a national ledger holds more streams than that.
  std::vector<std::string> all;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<std::string> page,
                     store_->ListStreams(ledger::StreamListing{
                         .prefix = prefix,
                         .start_after = all.empty() ? "" : all.back(),
                         .max_count = list_page_max_}));
    const bool last = page.size() < list_page_max_;
    all.insert(all.end(), std::make_move_iterator(page.begin()),
               std::make_move_iterator(page.end()));
    if (last) return all;
  }
}

absl::StatusOr<std::vector<DomainEvent>> StoreEventLog::ReadStreamsUnder(
    const std::string& prefix) {
  std::vector<DomainEvent> out;
  std::string after;
  for (;;) {
    absl::StatusOr<ledger::StreamsPage> page =
        store_->ReadStreamsUnder(prefix, after, streams_page_events_max_);
    if (absl::IsResourceExhausted(page.status())) {
      // The next stream alone is longer than a page: read it on its own.
      ASSIGN_OR_RETURN(std::vector<std::string> next,
                       store_->ListStreams(ledger::StreamListing{
                           .prefix = prefix, .start_after = after, .max_count = 1}));
      if (next.empty()) return page.status();
      ASSIGN_OR_RETURN(std::vector<DomainEvent> events, ReadStream(next[0]));
      out.insert(out.end(), std::make_move_iterator(events.begin()),
                 std::make_move_iterator(events.end()));
      after = next[0];
      continue;
    }
    if (!page.ok()) return page.status();
    for (const ledger::StreamEvents& stream : page->streams) {
      after = stream.stream_id;
      for (const ledger::RecordedEvent& r : stream.events) {
        ASSIGN_OR_RETURN(DomainEvent e, FromRecord(r.body));
        out.push_back(std::move(e));
      }
    }
    if (page->last) break;
  }
  std::sort(out.begin(), out.end(),
            [](const DomainEvent& a, const DomainEvent& b) { return a.position < b.position; });
  return out;
}

absl::StatusOr<std::vector<std::string>> StoreEventLog::ListFolders(const std::string& prefix,
                                                                    const std::string& start_after,
                                                                    size_t max_count) {
  return store_->ListStreams(ledger::StreamListing{
      .prefix = prefix, .start_after = start_after, .delimiter = '/', .max_count = max_count});
}

absl::StatusOr<std::optional<DomainEvent>> StoreEventLog::FindEvent(const std::string& event_id) {
  auto found = store_->FindByEventId(event_id);
  if (absl::IsNotFound(found.status())) return std::optional<DomainEvent>();
  RETURN_IF_ERROR(found.status());
  ASSIGN_OR_RETURN(DomainEvent e, FromRecord(found->body));
  return std::optional<DomainEvent>(std::move(e));
}

uint64_t StoreEventLog::HeadPosition() { return store_->Head().position; }

}  // namespace clas::server
