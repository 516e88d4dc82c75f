// Fuzz target: decoding stored records of the event log and verifying a sequence of them as an
// exported stream (ledger/storage.h DecodeRecordedEvent, ledger/hash_chain.h CheckStoredHash,
// ledger/stream_export.h VerifyExportedStream, ledger/key_layout.h decoders, ledger/validation.h
// ValidateAppend, and the Clas decoding of a payload, FromRecord).
//
// Input: a 4-byte tamper selector, then records, each a 2-byte big-endian length and that many
// bytes of a StoredEvent as the store keeps it under its event_key (at most kRecordsMax).
//
// Properties, beyond "no crash, no undefined behaviour":
//   - a record that decodes has 32-byte hash fields and a body naming the position asked for;
//   - CheckStoredHash accepts exactly the records whose hash is SHA-256 of the domain, the two
//     previous hashes and the body (recomputed here with OpenSSL, independently of the ledger);
//   - VerifyExportedStream accepts exactly the sequences that keep the stream's rules (checked
//     here step by step), and then reports every event checked and the last hash;
//   - once a sequence verifies, changing one byte of one event, removing an event other than the
//     last, or swapping two neighbours is always found;
//   - a key that decodes encodes back to the same bytes.
#include <openssl/sha.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clas/ledger/v1/record.pb.h"
#include "ledger/hash_chain.h"
#include "ledger/key_layout.h"
#include "ledger/storage.h"
#include "ledger/stream_export.h"
#include "ledger/validation.h"
#include "projections/convention/domain_event.h"
#include "tests/fuzz/fuzz_support.h"

namespace clas::fuzz {
namespace {

namespace lv1 = ledger::v1;

constexpr size_t kRecordsMax = 16;

std::string Sha256(const std::string& bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

// The hash a stored event must carry, from hash_chain.h's definition.
bool HashHolds(const lv1::StoredEvent& stored) {
  if (stored.prev_hash().size() != 32 || stored.prev_stream_hash().size() != 32 ||
      stored.hash().size() != 32) {
    return false;
  }
  return Sha256(absl::StrCat("clas-ledger/event/v1", stored.prev_hash(),
                             stored.prev_stream_hash(), stored.body())) == stored.hash();
}

// Whether `events` is a whole valid export of `stream_id`, as stream_export.h defines it.
bool StreamHolds(const std::vector<lv1::StoredEvent>& events, const std::string& stream_id) {
  std::string previous(32, '\0');
  uint64_t previous_position = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    lv1::EventBody body;
    if (!body.ParseFromString(events[i].body())) return false;
    if (body.stream_id() != stream_id || body.stream_version() != i + 1) return false;
    if (body.position() <= previous_position) return false;
    if (!HashHolds(events[i]) || events[i].prev_stream_hash() != previous) return false;
    previous = events[i].hash();
    previous_position = body.position();
  }
  return true;
}

void CheckRecord(const std::string& value) {
  lv1::StoredEvent stored;
  lv1::EventBody body;
  const bool parses = stored.ParseFromString(value) && body.ParseFromString(stored.body());
  const uint64_t position = parses && body.position() != 0 ? body.position() : 1;
  absl::StatusOr<ledger::RecordedEvent> decoded = ledger::DecodeRecordedEvent(position, value);
  if (decoded.ok()) {
    FUZZ_CHECK(parses, "a record decoded that does not parse");
    FUZZ_CHECK(decoded->position() == position, absl::StrCat(decoded->position()));
    FUZZ_CHECK(decoded->hash.size() == 32 && decoded->prev_hash.size() == 32 &&
                   decoded->prev_stream_hash.size() == 32,
               "a decoded hash field is not 32 bytes");
  } else {
    FUZZ_CHECK(decoded.status().code() == absl::StatusCode::kDataLoss,
               decoded.status().ToString());
  }
  if (stored.ParseFromString(value)) {
    const absl::Status own = ledger::CheckStoredHash(stored);
    FUZZ_CHECK(own.ok() == HashHolds(stored), own.ToString());
  }
  if (parses) {
    absl::StatusOr<DomainEvent> event = FromRecord(body);
    if (event.ok()) {
      FUZZ_CHECK(event->position == body.position() && event->stream_id == body.stream_id() &&
                     event->event_id == body.data().event_id(),
                 "FromRecord changed what the log recorded");
      (void)FactName(event->fact);
    }
    std::vector<lv1::EventData> data = {body.data()};
    const absl::Status valid = ledger::ValidateAppend(body.stream_id(), data, {});
    if (valid.ok()) FUZZ_CHECK(ledger::ValidateStreamId(body.stream_id()).ok(), "stream id");
  }
  if (std::optional<uint64_t> p = ledger::DecodeEventKey(value)) {
    FUZZ_CHECK(ledger::EventKey(*p) == value, "event key round trip");
  }
  if (std::optional<ledger::DecodedStreamKey> key = ledger::DecodeStreamKey(value)) {
    if (key->stream_id.find('\0') == std::string_view::npos) {
      FUZZ_CHECK(ledger::StreamKey(key->stream_id, key->version) == value, "stream key round trip");
    }
  }
}

// Changes one thing of a verified sequence; the verifier must see it.
void CheckTamperFound(std::vector<lv1::StoredEvent> events, const std::string& stream_id,
                      uint32_t selector) {
  const size_t k = selector % events.size();
  const uint32_t how = (selector >> 8) % 6;
  const uint32_t at = selector >> 11;
  auto flip = [at](std::string* bytes) {
    if (bytes->empty()) return false;
    (*bytes)[at % bytes->size()] ^= static_cast<char>(1 + (at >> 16) % 255);
    return true;
  };
  bool changed = false;
  switch (how) {
    case 0: changed = flip(events[k].mutable_body()); break;
    case 1: changed = flip(events[k].mutable_prev_hash()); break;
    case 2: changed = flip(events[k].mutable_prev_stream_hash()); break;
    case 3: changed = flip(events[k].mutable_hash()); break;
    case 4:  // removing the last event leaves a shorter valid export (stream_export.h says so)
      if (k + 1 < events.size()) {
        events.erase(events.begin() + k);
        changed = true;
      }
      break;
    default:
      if (k + 1 < events.size()) {
        std::swap(events[k], events[k + 1]);
        changed = true;
      }
      break;
  }
  if (!changed) return;
  const ledger::VerifyReport report = ledger::VerifyExportedStream(events, stream_id);
  FUZZ_CHECK(!report.ok, absl::StrCat("tamper ", how, " of event ", k + 1, " not found"));
  FUZZ_CHECK(!report.problem.empty(), "a finding without a sentence");
}

}  // namespace
}  // namespace clas::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clas;
  fuzz::ByteReader in(data, size);
  const uint32_t selector = in.U32();
  std::vector<std::string> values;
  while (in.remaining() > 0 && values.size() < fuzz::kRecordsMax) {
    const size_t length = (size_t{in.Byte()} << 8) | in.Byte();
    values.push_back(in.Bytes(length));
  }
  std::vector<ledger::v1::StoredEvent> events;
  std::string stream_id;
  for (const std::string& value : values) {
    fuzz::CheckRecord(value);
    ledger::v1::StoredEvent stored;
    (void)stored.ParseFromString(value);  // a record that does not parse is kept half-read
    events.push_back(std::move(stored));
  }
  if (!events.empty()) {
    ledger::v1::EventBody first;
    if (first.ParseFromString(events[0].body())) stream_id = first.stream_id();
  }
  const ledger::VerifyReport report = ledger::VerifyExportedStream(events, stream_id);
  const bool holds = fuzz::StreamHolds(events, stream_id);
  FUZZ_CHECK(report.ok == holds, absl::StrCat("verifier says ", report.ok, ": ", report.problem));
  if (report.ok) {
    FUZZ_CHECK(report.events_checked == events.size(), absl::StrCat(report.events_checked));
    FUZZ_CHECK(events.empty() || report.last_hash == events.back().hash(), "last hash");
    if (!events.empty()) fuzz::CheckTamperFound(events, stream_id, selector);
  } else {
    FUZZ_CHECK(report.events_checked < events.size(), absl::StrCat(report.events_checked));
    FUZZ_CHECK(!report.problem.empty(), "a finding without a sentence");
  }
  return 0;
}
