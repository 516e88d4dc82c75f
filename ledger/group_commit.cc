#include "ledger/group_commit.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_format.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "ledger/base/absl_view.h"
#include "ledger/base/status_macros.h"
#include "ledger/errors.h"
#include "ledger/hash_chain.h"
#include "ledger/key_layout.h"
#include "ledger/limits.h"

namespace clas::ledger {
namespace {

// Deterministic bytes, so that a retry's EventData compares equal to the stored one and the
// hashed body never depends on how a library version orders fields.
std::string SerializeDeterministic(const google::protobuf::MessageLite& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    CLAS_CHECK(message.SerializeToCodedStream(&coded)) << "cannot serialize a valid message";
  }
  return bytes;
}

std::vector<std::string> SerializeEach(const std::vector<v1::EventData>& events) {
  std::vector<std::string> bytes;
  bytes.reserve(events.size());
  for (const v1::EventData& event : events) bytes.push_back(SerializeDeterministic(event));
  return bytes;
}

size_t TotalSize(const std::vector<std::string>& parts) {
  size_t total = 0;
  for (const std::string& part : parts) total += part.size();
  return total;
}

// The protobuf wire format, for the two records Stage writes (record.proto): a tag, then a
// varint or a length and bytes.
constexpr uint32_t kWireVarint = 0;
constexpr uint32_t kWireBytes = 2;

void AppendVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

void AppendVarintField(uint32_t field, uint64_t value, std::string* out) {
  if (value == 0) return;  // proto3: a zero scalar is not written
  AppendVarint(field << 3 | kWireVarint, out);
  AppendVarint(value, out);
}

void AppendBytesField(uint32_t field, std::string_view bytes, std::string* out) {
  AppendVarint(field << 3 | kWireBytes, out);
  AppendVarint(bytes.size(), out);
  out->append(bytes);
}

}  // namespace

void EncodeEventBody(std::string_view data_bytes, std::string_view stream_id,
                     uint64_t stream_version, uint64_t position, int64_t recorded_at_us,
                     std::string* out) {
  out->clear();
  AppendBytesField(1, data_bytes, out);  // data: a set message field is written even if empty
  if (!stream_id.empty()) AppendBytesField(2, stream_id, out);
  AppendVarintField(3, stream_version, out);
  AppendVarintField(4, position, out);
  AppendVarintField(5, static_cast<uint64_t>(recorded_at_us), out);  // int64: two's complement
}

void EncodeStoredEvent(std::string_view body, std::string_view prev_hash,
                       std::string_view prev_stream_hash, std::string_view hash,
                       std::string* out) {
  out->clear();
  const std::string_view fields[] = {body, prev_hash, prev_stream_hash, hash};
  for (uint32_t i = 0; i < std::size(fields); ++i) {
    if (!fields[i].empty()) AppendBytesField(i + 1, fields[i], out);  // proto3 bytes
  }
}

namespace {

void Put(rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* family, std::string_view key,
         std::string_view value) {
  // A WriteBatch without max_bytes only fails on a broken invariant.
  const rocksdb::Status status = batch->Put(family, key, value);
  CLAS_CHECK(status.ok()) << status.ToString();
}

}  // namespace

AppendRequest::AppendRequest(std::string_view stream_id, ExpectedVersion expected,
                             std::vector<v1::EventData> events)
    : stream_id(stream_id),
      expected(expected),
      events(std::move(events)),
      data_bytes(SerializeEach(this->events)),
      bytes(TotalSize(data_bytes)),
      result(absl::UnknownError("append not decided")) {}

absl::StatusOr<StreamTip> StreamTips::Get(std::string_view stream_id) {
  const auto it = tips_.find(base::ToAbsl(stream_id));
  if (it != tips_.end()) return it->second;
  ASSIGN_OR_RETURN(StreamTip tip, storage_->ReadStreamTip(stream_id));
  Set(std::string(stream_id), tip);
  return tip;
}

void StreamTips::Set(const std::string& stream_id, StreamTip tip) {
  if (tips_.size() >= kStreamTipsCachedMax && !tips_.contains(stream_id)) tips_.clear();
  tips_[stream_id] = std::move(tip);
}

GroupCommit::GroupCommit(const Storage* storage, StreamTips* tips, LogHead head,
                         const std::function<int64_t()>* clock_us)
    : storage_(storage), tips_(tips), clock_us_(clock_us), head_(std::move(head)) {
  CLAS_CHECK(head_.hash.size() == kHashBytes) << "head hash of " << head_.hash.size() << " bytes";
}

void GroupCommit::Decide(AppendRequest* request) {
  CLAS_CHECK(request->outcome == AppendOutcome::kPending) << "request decided twice";
  auto settle = [request](absl::StatusOr<AppendResult> result, AppendOutcome outcome) {
    request->result = std::move(result);
    request->outcome = outcome;
  };
  // Idempotency first: a retry gets its original answer even with a stale expected version.
  absl::StatusOr<KnownEvents> known = LookUpIds(*request);
  if (!known.ok()) return settle(known.status(), AppendOutcome::kFailed);
  const bool any_known = std::any_of(known->begin(), known->end(),
                                     [](const auto& event) { return event.has_value(); });
  if (any_known) {
    absl::StatusOr<AppendResult> retry = AnswerRetry(*request, *known);
    request->needs_write =
        retry.ok() && std::any_of(known->begin(), known->end(),
                                  [](const auto& event) { return event->pending; });
    const bool duplicate = retry.ok();
    return settle(std::move(retry),
                  duplicate ? AppendOutcome::kDuplicate : AppendOutcome::kRejected);
  }
  absl::StatusOr<StreamTip> tip = TipOf(request->stream_id);
  if (!tip.ok()) return settle(tip.status(), AppendOutcome::kFailed);
  if (!request->expected.Admits(tip->version)) {
    return settle(VersionConflictError(request->stream_id, request->expected, tip->version),
                  AppendOutcome::kRejected);
  }
  request->needs_write = true;
  settle(Stage(*request, *std::move(tip)), AppendOutcome::kWritten);
}

absl::StatusOr<GroupCommit::KnownEvents> GroupCommit::LookUpIds(
    const AppendRequest& request) const {
  KnownEvents known;
  known.reserve(request.events.size());
  for (const v1::EventData& event : request.events) {
    ASSIGN_OR_RETURN(std::optional<KnownEvent> found, LookUpId(event.event_id()));
    known.push_back(std::move(found));
  }
  return known;
}

absl::StatusOr<std::optional<GroupCommit::KnownEvent>> GroupCommit::LookUpId(
    std::string_view event_id) const {
  const auto pending = pending_ids_.find(base::ToAbsl(event_id));
  if (pending != pending_ids_.end()) return pending->second;
  ASSIGN_OR_RETURN(const std::optional<uint64_t> position,
                   storage_->FindEventPosition(event_id));
  if (!position.has_value()) return std::optional<KnownEvent>();
  ASSIGN_OR_RETURN(RecordedEvent event, storage_->ReadEvent(*position));
  if (event.event_id() != event_id) {
    return CorruptEventError(*position,
                             absl::StrFormat("indexed under event id '%s' but holds '%s'",
                                             event_id, event.event_id()));
  }
  return KnownEvent{*position,     event.stream_version(),
                    event.stream_id(), SerializeDeterministic(event.data()),
                    event.recorded_at_us(), std::move(event.hash),
                    /*pending=*/false};
}

absl::StatusOr<AppendResult> GroupCommit::AnswerRetry(const AppendRequest& request,
                                                      const KnownEvents& known) {
  std::optional<size_t> first_known;
  for (size_t i = 0; i < known.size(); ++i) {
    if (!known[i].has_value()) continue;
    if (known[i]->stream_id != request.stream_id ||
        known[i]->data_bytes != request.data_bytes[i]) {
      return EventIdReusedError(request.events[i].event_id(), known[i]->position);
    }
    if (!first_known.has_value()) first_known = i;
  }
  CLAS_CHECK(first_known.has_value()) << "AnswerRetry without a recorded id";
  for (size_t i = 0; i < known.size(); ++i) {
    if (known[i].has_value()) continue;
    return MixedRetryError(request.events[*first_known].event_id(),
                           known[*first_known]->position, request.events[i].event_id());
  }
  const KnownEvent& first = *known.front();
  const KnownEvent& last = *known.back();
  AppendResult result;
  result.first_position = first.position;
  result.last_position = last.position;
  result.first_version = first.stream_version;
  result.last_version = last.stream_version;
  result.recorded_at_us = first.recorded_at_us;
  result.last_hash = last.hash;
  result.duplicate = true;
  return result;
}

absl::StatusOr<StreamTip> GroupCommit::TipOf(std::string_view stream_id) {
  const auto pending = pending_tips_.find(base::ToAbsl(stream_id));
  if (pending != pending_tips_.end()) return pending->second;
  return tips_->Get(stream_id);
}

AppendResult GroupCommit::Stage(const AppendRequest& request, StreamTip tip) {
  const int64_t now_us = (*clock_us_)();
  AppendResult result;
  result.first_position = head_.position + 1;
  result.first_version = tip.version + 1;
  for (size_t i = 0; i < request.events.size(); ++i) {
    const std::string& event_id = request.events[i].event_id();
    const uint64_t position = head_.position + 1;
    const uint64_t stream_version = tip.version + 1;
    const int64_t recorded_at_us = std::max(now_us, head_.recorded_at_us + 1);
    // The EventBody and StoredEvent bytes, encoded from the event's deterministic serialization
    // (request.data_bytes) without building either message: the same bytes (group_commit_test).
    EncodeEventBody(request.data_bytes[i], request.stream_id, stream_version, position,
                    recorded_at_us, &body_bytes_);
    std::string hash = EventHash(head_.hash, tip.hash, body_bytes_);
    EncodeStoredEvent(body_bytes_, head_.hash, tip.hash, hash, &stored_bytes_);
    const std::string position_value = EncodeU64(position);
    Put(&batch_, storage_->family(Family::kEvents), EventKey(position), stored_bytes_);
    Put(&batch_, storage_->family(Family::kStreams), StreamKey(request.stream_id, stream_version),
        position_value);
    Put(&batch_, storage_->family(Family::kEventIds), event_id, position_value);
    pending_ids_[event_id] =
        KnownEvent{position,       stream_version, request.stream_id, request.data_bytes[i],
                   recorded_at_us, hash,           /*pending=*/true};
    if (i == 0) result.recorded_at_us = recorded_at_us;
    head_ = LogHead{position, hash, recorded_at_us};
    tip = StreamTip{stream_version, std::move(hash)};
  }
  staged_events_ += request.events.size();
  result.last_position = head_.position;
  result.last_version = tip.version;
  result.last_hash = head_.hash;
  pending_tips_[request.stream_id] = std::move(tip);
  return result;
}

void GroupCommit::PublishTips() {
  for (auto& [stream_id, tip] : pending_tips_) tips_->Set(stream_id, std::move(tip));
  pending_tips_.clear();
}

void GroupCommit::FailWrite(absl::Span<AppendRequest* const> group, const absl::Status& status) {
  CLAS_CHECK(!status.ok()) << "FailWrite with an ok status";
  for (AppendRequest* request : group) {
    if (!request->needs_write) continue;
    request->result = status;
    request->outcome = AppendOutcome::kFailed;
  }
}

}  // namespace clas::ledger
