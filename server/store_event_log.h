// The Clas engine's EventLog port, implemented on the durable ledger::EventStore.
//
// Thread-safety: thread-safe (the store is).
#ifndef CLAS_SERVER_STORE_EVENT_LOG_H_
#define CLAS_SERVER_STORE_EVENT_LOG_H_

#include <string>
#include <vector>

#include "ledger/event_store.h"
#include "projections/engine/event_log.h"

namespace clas::server {

class StoreEventLog : public EventLog {
 public:
  // REQUIRES: store outlives this object; 1 <= list_page_max <= ledger::kListStreamsMax (the
  // ids ListStreams asks the store for at a time); 1 <= streams_page_events_max <=
  // ledger::kReadStreamsEventsMax (the events of one page of ReadStreamsUnder). Tests lower them.
  explicit StoreEventLog(ledger::EventStore* store,
                         size_t list_page_max = ledger::kListStreamsMax,
                         size_t streams_page_events_max = ledger::kReadStreamsEventsMax)
      : store_(store),
        list_page_max_(list_page_max),
        streams_page_events_max_(streams_page_events_max) {}

  absl::StatusOr<Appended> Append(const std::string& stream, uint64_t expected_version,
                                  std::vector<ledger::v1::EventData> events) override;
  absl::StatusOr<std::vector<DomainEvent>> ReadStream(const std::string& stream) override;
  absl::StatusOr<std::vector<DomainEvent>> ReadStreamFrom(const std::string& stream,
                                                          uint64_t from_version) override;
  absl::StatusOr<std::vector<std::string>> ListStreams(const std::string& prefix) override;
  // The store's ReadStreamsUnder, page after page (the records of a page read together in
  // position order); a stream longer than a page is read on its own.
  absl::StatusOr<std::vector<DomainEvent>> ReadStreamsUnder(const std::string& prefix) override;
  // The store's listing rolled up at '/'. InvalidArgument when max_count is 0 or over
  // ledger::kListStreamsMax.
  absl::StatusOr<std::vector<std::string>> ListFolders(const std::string& prefix,
                                                       const std::string& start_after,
                                                       size_t max_count) override;
  absl::StatusOr<std::optional<DomainEvent>> FindEvent(const std::string& event_id) override;
  uint64_t HeadPosition() override;

  ledger::EventStore* store() { return store_; }

 private:
  ledger::EventStore* const store_;
  const size_t list_page_max_;
  const size_t streams_page_events_max_;
};

}  // namespace clas::server

#endif  // CLAS_SERVER_STORE_EVENT_LOG_H_
