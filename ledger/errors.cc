#include "ledger/errors.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "ledger/base/absl_view.h"

namespace clas::ledger {
absl::Status InvalidFieldError(std::string_view field, std::string_view problem) {
  return absl::InvalidArgumentError(absl::StrFormat("%s: %s", field, problem));
}

absl::Status VersionConflictError(std::string_view stream_id, const ExpectedVersion& expected,
                                  uint64_t current_version) {
  absl::Status status = absl::AbortedError(
      absl::StrFormat("stream '%s': expected %s, but the current version is %d", stream_id,
                      expected.ToString(), current_version));
  status.SetPayload(base::ToAbsl(kCurrentVersionPayloadUrl),
                    absl::Cord(std::to_string(current_version)));
  return status;
}

std::optional<uint64_t> CurrentVersionOf(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kAborted) return std::nullopt;
  auto payload = status.GetPayload(base::ToAbsl(kCurrentVersionPayloadUrl));
  if (!payload.has_value()) return std::nullopt;
  uint64_t version = 0;
  if (!absl::SimpleAtoi(std::string(*payload), &version)) return std::nullopt;
  return version;
}

absl::Status EventIdReusedError(std::string_view event_id, uint64_t position) {
  return absl::AlreadyExistsError(absl::StrFormat(
      "event id '%s' was already recorded at position %d with other content", event_id,
      position));
}

absl::Status MixedRetryError(std::string_view known_event_id, uint64_t position,
                             std::string_view new_event_id) {
  return absl::AlreadyExistsError(absl::StrFormat(
      "event id '%s' was already recorded at position %d but event id '%s' is new: a retry "
      "must repeat the original call exactly",
      known_event_id, position, new_event_id));
}

absl::Status DiskFullError(std::string_view context, std::string_view detail) {
  return absl::ResourceExhaustedError(absl::StrFormat(
      "the disk is full (no space left on the device of the ledger): %s: %s; appends resume "
      "once space is freed, reads are not affected",
      context, detail));
}

absl::Status StorageIoError(std::string_view context, std::string_view detail) {
  return absl::UnavailableError(absl::StrFormat("storage I/O error: %s: %s", context, detail));
}

absl::Status CorruptEventError(uint64_t position, std::string_view problem) {
  return absl::DataLossError(absl::StrFormat("event at position %d: %s", position, problem));
}

absl::Status ReplicaPositionError(uint64_t position, uint64_t expected_position) {
  return absl::FailedPreconditionError(absl::StrFormat(
      "replicated record at position %d refused: the log here expects position %d (its head + "
      "1); nothing of the batch was stored",
      position, expected_position));
}

absl::Status AppendToReplicaError() {
  return absl::FailedPreconditionError(
      "the store is a replica: its log is written by replication only, append refused");
}

absl::Status NotReplicaError() {
  return absl::FailedPreconditionError(
      "the store is not a replica (Options::replica, SetReplica): it takes no replicated record, "
      "so that its own appends and another node's never compete for a position");
}

absl::Status SetAsideOnWriterError() {
  return absl::FailedPreconditionError(
      "the store is not a replica (Options::replica, SetReplica): it sets no record aside, so "
      "that no append of its own lands while its tail is removed");
}

absl::Status ReplicaChainError(uint64_t position, std::string_view problem) {
  return absl::DataLossError(absl::StrFormat(
      "replicated record at position %d does not chain: %s; nothing of the batch was stored",
      position, problem));
}

}  // namespace clas::ledger
