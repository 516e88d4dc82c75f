#include "ledger/replica_batch.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "ledger/base/absl_view.h"
#include "ledger/base/status_macros.h"
#include "ledger/errors.h"
#include "ledger/group_commit.h"
#include "ledger/hash_chain.h"
#include "ledger/key_layout.h"
#include "ledger/limits.h"
#include "ledger/validation.h"

namespace clas::ledger {
namespace {

// A record's own bytes, parsed and checked: canonical, its hash that of its bytes, its body
// naming `position`.
struct ParsedRecord {
  v1::StoredEvent stored;
  v1::EventBody body;
};

absl::StatusOr<ParsedRecord> ParseRecord(const StoredRecord& record) {
  const uint64_t position = record.position;
  ParsedRecord parsed;
  if (!parsed.stored.ParseFromString(record.value)) {
    return ReplicaChainError(position, "the stored record does not parse");
  }
  if (absl::Status hash = CheckStoredHash(parsed.stored); !hash.ok()) {
    return ReplicaChainError(position, base::ToStd(hash.message()));
  }
  // The bytes written are the record's: they must be exactly the encoding an Append writes of
  // these fields, so that no byte escapes the hash (an unknown field, a field repeated).
  std::string canonical;
  EncodeStoredEvent(parsed.stored.body(), parsed.stored.prev_hash(),
                    parsed.stored.prev_stream_hash(), parsed.stored.hash(), &canonical);
  if (canonical != record.value) {
    return ReplicaChainError(position,
                             "the stored bytes are not the canonical encoding of its "
                             "fields (bytes outside the hash)");
  }
  if (!parsed.body.ParseFromString(parsed.stored.body())) {
    return ReplicaChainError(position, "the body does not parse, though its hash matches");
  }
  if (parsed.body.position() != position) {
    return ReplicaChainError(position,
                             absl::StrFormat("the body names position %d", parsed.body.position()));
  }
  return parsed;
}

void Put(rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* family, std::string_view key,
         std::string_view value) {
  const rocksdb::Status status = batch->Put(family, key, value);
  CLAS_CHECK(status.ok()) << status.ToString();  // a batch without max_bytes does not fail
}

}  // namespace

ReplicaBatch::ReplicaBatch(const Storage* storage, LogHead head)
    : storage_(storage), head_(std::move(head)) {
  CLAS_CHECK(head_.hash.size() == kHashBytes) << "head hash of " << head_.hash.size() << " bytes";
}

absl::StatusOr<StreamTip> ReplicaBatch::TipOf(const std::string& stream_id) const {
  const auto staged = staged_tips_.find(stream_id);
  if (staged != staged_tips_.end()) return staged->second;
  return storage_->ReadStreamTip(stream_id);
}

absl::Status ReplicaBatch::CheckNewEventId(uint64_t position, const std::string& event_id) const {
  if (absl::Status valid = ValidateId("event_id", event_id, kEventIdBytesMax); !valid.ok()) {
    return ReplicaChainError(position, base::ToStd(valid.message()));
  }
  ASSIGN_OR_RETURN(const std::optional<uint64_t> known, storage_->FindEventPosition(event_id));
  if (known.has_value() || staged_ids_.contains(event_id)) {
    return ReplicaChainError(position,
                             absl::StrFormat("event id '%s' is already recorded at position %d",
                                             absl::CHexEscape(event_id), known.value_or(0)));
  }
  return absl::OkStatus();
}

absl::Status ReplicaBatch::Add(const StoredRecord& record) {
  const uint64_t position = record.position;
  if (position != head_.position + 1) return ReplicaPositionError(position, head_.position + 1);
  ASSIGN_OR_RETURN(ParsedRecord parsed, ParseRecord(record));
  // The global chain.
  if (parsed.stored.prev_hash() != head_.hash) {
    return ReplicaChainError(
        position, absl::StrFormat("prev_hash %s is not the hash %s of position %d here",
                                  ShortHashHex(parsed.stored.prev_hash()), ShortHashHex(head_.hash),
                                  head_.position));
  }
  if (head_.position > 0 && parsed.body.recorded_at_us() <= head_.recorded_at_us) {
    return ReplicaChainError(
        position,
        absl::StrFormat("recorded_at_us %d is not after %d of position %d",
                        parsed.body.recorded_at_us(), head_.recorded_at_us, head_.position));
  }
  // The stream chain.
  const std::string& stream_id = parsed.body.stream_id();
  if (absl::Status valid = ValidateStreamId(stream_id); !valid.ok()) {
    return ReplicaChainError(position, base::ToStd(valid.message()));
  }
  ASSIGN_OR_RETURN(const StreamTip tip, TipOf(stream_id));
  if (parsed.body.stream_version() != tip.version + 1) {
    return ReplicaChainError(
        position, absl::StrFormat("it is version %d of stream '%s', which is at version %d here",
                                  parsed.body.stream_version(), stream_id, tip.version));
  }
  if (parsed.stored.prev_stream_hash() != tip.hash) {
    return ReplicaChainError(
        position, absl::StrFormat("prev_stream_hash %s is not the hash %s of version %d of "
                                  "stream '%s' here",
                                  ShortHashHex(parsed.stored.prev_stream_hash()),
                                  ShortHashHex(tip.hash), tip.version, stream_id));
  }
  const std::string& event_id = parsed.body.data().event_id();
  RETURN_IF_ERROR(CheckNewEventId(position, event_id));
  // Staged with the keys and index entries an Append writes (GroupCommit::Stage).
  const std::string position_value = EncodeU64(position);
  Put(&batch_, storage_->family(Family::kEvents), EventKey(position), record.value);
  Put(&batch_, storage_->family(Family::kStreams),
      StreamKey(stream_id, parsed.body.stream_version()), position_value);
  Put(&batch_, storage_->family(Family::kEventIds), event_id, position_value);
  staged_ids_.insert(event_id);
  staged_tips_[stream_id] = StreamTip{parsed.body.stream_version(), parsed.stored.hash()};
  head_ = LogHead{position, parsed.stored.hash(), parsed.body.recorded_at_us()};
  ++staged_;
  return absl::OkStatus();
}

}  // namespace clas::ledger
