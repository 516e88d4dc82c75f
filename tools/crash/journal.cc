// The harness's own record of what was sent and acknowledged.
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "openssl/sha.h"
#include "tools/crash/harness.h"

namespace clas::crash {
namespace {

std::string Sha256Hex(const std::string& bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return Hex(std::string(reinterpret_cast<char*>(digest), sizeof(digest)));
}

}  // namespace

std::string Hex(const std::string& bytes) { return absl::BytesToHexString(bytes); }

absl::StatusOr<std::unique_ptr<Journal>> Journal::Open(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "a");
  if (file == nullptr) {
    return absl::UnavailableError(absl::StrCat("journal ", path, ": ", std::strerror(errno)));
  }
  return std::unique_ptr<Journal>(new Journal(file));
}

Journal::~Journal() { std::fclose(file_); }

void Journal::Write(const std::string& line) {
  std::fputs(line.c_str(), file_);
  std::fputc('\n', file_);
  std::fflush(file_);
  fdatasync(fileno(file_));
}

void Journal::SentRaw(const std::string& stream_id,
                      const std::vector<std::pair<std::string, std::string>>& events) {
  absl::MutexLock lock(&mu_);
  for (const auto& [id, payload] : events) {
    sent_raw_[id] = payload;
    Write(absl::StrCat("sent raw ", stream_id, " ", id, " sha256:", Sha256Hex(payload)));
  }
}

void Journal::SentCommand(const std::string& caf_id, const std::string& request_id) {
  absl::MutexLock lock(&mu_);
  sent_commands_.insert(absl::StrCat(caf_id, "/", request_id));
  Write(absl::StrCat("sent command ", caf_id, " ", request_id));
}

void Journal::Acked(const std::vector<AckedEvent>& events) {
  absl::MutexLock lock(&mu_);
  for (const AckedEvent& e : events) {
    acked_[e.position] = e;
    Write(absl::StrCat(
        "acked ", e.position, " ", e.stream_id, " v", e.version, " ", e.event_id,
        " hash:", Hex(e.hash),
        e.payload.has_value() ? absl::StrCat(" sha256:", Sha256Hex(*e.payload)) : std::string()));
  }
}

void Journal::ConventionAcked(const ConventionAck& ack) {
  absl::MutexLock lock(&mu_);
  ConventionAck& known = conventions_[ack.stream_id];
  if (ack.version >= known.version) known = ack;
}

void Journal::Note(const std::string& line) {
  absl::MutexLock lock(&mu_);
  Write(absl::StrCat("# ", line));
}

std::map<uint64_t, AckedEvent> Journal::acked() const {
  absl::MutexLock lock(&mu_);
  return acked_;
}

bool Journal::WasSentRaw(const std::string& event_id, const std::string& payload) const {
  absl::MutexLock lock(&mu_);
  const auto it = sent_raw_.find(event_id);
  return it != sent_raw_.end() && it->second == payload;
}

bool Journal::WasSentCommand(const std::string& caf_id, const std::string& request_id) const {
  absl::MutexLock lock(&mu_);
  return sent_commands_.contains(absl::StrCat(caf_id, "/", request_id));
}

std::map<std::string, ConventionAck> Journal::conventions() const {
  absl::MutexLock lock(&mu_);
  return conventions_;
}

uint64_t Journal::acked_count() const {
  absl::MutexLock lock(&mu_);
  return acked_.size();
}

uint64_t Journal::last_acked_position() const {
  absl::MutexLock lock(&mu_);
  return acked_.empty() ? 0 : acked_.rbegin()->first;
}

}  // namespace clas::crash
