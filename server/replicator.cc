#include "server/replicator.h"

#include <cstdio>
#include <fstream>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"
#include "ledger/base/status_macros.h"
#include "server/server_app.h"

namespace clas::server {
namespace {

// A refusal of the store that no retry can cure: the leader's record is not a continuation of
// the log here. Storage errors (a full disk, I/O) are retried instead.
bool IsRefusal(const absl::Status& status) {
  return absl::IsDataLoss(status) || absl::IsFailedPrecondition(status) ||
         absl::IsInvalidArgument(status);
}

// The text of a small file (a token, PEM roots); Unavailable naming it when it cannot be read.
absl::StatusOr<std::string> ReadSmallFile(const std::string& setting, const std::string& path) {
  constexpr std::streamsize kBytesMax = 1 << 20;
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::UnavailableError(absl::StrCat(setting, ": cannot read ", path));
  std::string text(kBytesMax + 1, '\0');
  in.read(text.data(), kBytesMax + 1);
  if (in.gcount() > kBytesMax) {
    return absl::InvalidArgumentError(absl::StrCat(setting, ": ", path, " is too large"));
  }
  text.resize(static_cast<size_t>(in.gcount()));
  return text;
}

}  // namespace

absl::StatusOr<FollowSettings> FollowSettingsOf(const std::string& leader,
                                                const std::string& token_file, bool tls,
                                                const std::string& tls_ca_file) {
  FollowSettings settings;
  settings.leader = leader;
  if (leader.find(':') == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("follow = ", leader, ": the leader's address is HOST:PORT"));
  }
  if (token_file.empty()) {
    return absl::InvalidArgumentError(
        "follow_token_file is required with follow: the token of a principal of role replica "
        "at the leader");
  }
  ASSIGN_OR_RETURN(const std::string text, ReadSmallFile("follow_token_file", token_file));
  const std::vector<std::string> words =
      absl::StrSplit(text, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty());
  if (words.size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("follow_token_file: ", token_file, " must hold one token (its only word)"));
  }
  settings.token = words[0];
  if (tls || !tls_ca_file.empty()) {
    grpc::SslCredentialsOptions options;
    if (!tls_ca_file.empty()) {
      ASSIGN_OR_RETURN(options.pem_root_certs, ReadSmallFile("follow_tls_ca", tls_ca_file));
    }
    settings.credentials = grpc::SslCredentials(options);
    return settings;
  }
  if (!IsLoopback(leader)) {
    return absl::InvalidArgumentError(
        absl::StrCat("follow = ", leader,
                     ": plain text to a leader on loopback only; give follow_tls_ca "
                     "(or follow_tls) to follow a leader elsewhere"));
  }
  settings.credentials = grpc::InsecureChannelCredentials();
  return settings;
}

Replicator::Replicator(ledger::EventStore* store, FollowSettings settings,
                       std::function<void(const absl::Status&)> on_stop)
    : store_(store), settings_(std::move(settings)), on_stop_(std::move(on_stop)) {
  // gRPC's own reconnection backoff (1 s at first, up to 2 min) would hold a restarted leader
  // away longer than ours: the channel's follows the same bounds.
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
                   static_cast<int>(absl::ToInt64Milliseconds(kReplicationBackoffMin)));
  arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS,
                   static_cast<int>(absl::ToInt64Milliseconds(kReplicationBackoffMin)));
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
                   static_cast<int>(absl::ToInt64Milliseconds(kReplicationBackoffMax)));
  channel_ = grpc::CreateCustomChannel(settings_.leader, settings_.credentials, arguments);
  stub_ = v1::Ledger::NewStub(channel_);
  progress_.position = store_->Head().position;
}

Replicator::~Replicator() { Stop(); }

void Replicator::Start() {
  thread_ = std::thread([this] { Run(); });
  reporter_ = std::thread([this] { RunReports(); });
}

void Replicator::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
  if (reporter_.joinable()) reporter_.join();  // a report in flight ends within its 1 s deadline
}

ReplicationProgress Replicator::Progress() const {
  absl::MutexLock lock(&mu_);
  ReplicationProgress progress = progress_;
  progress.position = store_->Head().position;
  return progress;
}

bool Replicator::Sleep(absl::Duration duration) {
  absl::MutexLock lock(&mu_);
  const auto stopping = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_; };
  mu_.AwaitWithTimeout(absl::Condition(&stopping), duration);
  return !stopping_;
}

void Replicator::Run() {
  absl::Duration backoff = kReplicationBackoffMin;
  while (true) {
    const uint64_t before = store_->Head().position;
    absl::Status why;
    const StreamEnd end = FollowOnce(&why);
    if (end == StreamEnd::kStopping) return;
    if (end == StreamEnd::kRefused || end == StreamEnd::kDiverged) {
      {
        absl::MutexLock lock(&mu_);
        ++progress_.errors_refused;
        progress_.stopped = true;
        progress_.diverged = end == StreamEnd::kDiverged;
        progress_.failure = std::string(why.message());
      }
      std::fprintf(stderr,
                   "clas-ledgerd: ERROR: replication from %s stopped at position %llu: %s; "
                   "nothing of it was stored; %s\n",
                   settings_.leader.c_str(), static_cast<unsigned long long>(before),
                   std::string(why.message()).c_str(),
                   settings_.in_cluster
                       ? "the node sees to it (cluster)"
                       : "this follower serves its log as it is, and takes nothing more from "
                         "that leader until it is restarted");
      if (on_stop_) on_stop_(why);
      return;
    }
    {
      absl::MutexLock lock(&mu_);
      ++progress_.errors_stream;
    }
    if (store_->Head().position > before) backoff = kReplicationBackoffMin;
    std::fprintf(stderr,
                 "clas-ledgerd: replication from %s interrupted at position %llu: %s; "
                 "resuming in %s\n",
                 settings_.leader.c_str(), static_cast<unsigned long long>(store_->Head().position),
                 std::string(why.message()).c_str(), absl::FormatDuration(backoff).c_str());
    if (!Sleep(backoff)) return;
    backoff = std::min(backoff * 2, kReplicationBackoffMax);
  }
}

Replicator::StreamEnd Replicator::FollowOnce(absl::Status* why) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", settings_.token));
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return StreamEnd::kStopping;
    context_ = &context;
  }
  v1::ReplicateRequest request;
  // From the head itself, which the leader must hold too (CheckHead); 0 reads as 1.
  request.set_from_position(store_->Head().position);
  std::unique_ptr<grpc::ClientReader<v1::ReplicateResponse>> reader =
      stub_->Replicate(&context, request);
  v1::ReplicateResponse item;
  std::optional<StreamEnd> ended;
  bool first = true;
  while (!ended.has_value() && reader->Read(&item)) {
    ended = Store(item, first, why);
    first = false;
    if (!ended.has_value()) {
      absl::MutexLock lock(&mu_);
      stored_ = true;
    }
  }
  if (ended.has_value()) context.TryCancel();
  const grpc::Status status = reader->Finish();
  absl::MutexLock lock(&mu_);
  context_ = nullptr;
  if (ended.has_value()) return *ended;
  if (stopping_) return StreamEnd::kStopping;
  if (status.error_code() == grpc::StatusCode::OUT_OF_RANGE) {
    // The follower is ahead of the leader: what it holds beyond is not the leader's.
    *why = absl::OutOfRangeError(status.error_message());
    return StreamEnd::kDiverged;
  }
  *why = absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.ok() ? "the leader ended the stream" : status.error_message());
  return StreamEnd::kRetry;
}

std::optional<Replicator::StreamEnd> Replicator::CheckHead(v1::ReplicateResponse& item,
                                                           absl::Status* why) {
  const uint64_t head = store_->Head().position;
  if (head == 0) return std::nullopt;  // the stream starts at position 1: nothing to compare
  if (item.records().empty() || item.records(0).position() != head) {
    *why = absl::OutOfRangeError(absl::StrCat(
        "the leader's first item does not start at this node's head ", head));
    return StreamEnd::kDiverged;
  }
  const absl::StatusOr<std::vector<ledger::StoredRecord>> mine =
      store_->ReadStored(head, 1, ledger::kReplicatedBytesMax);
  if (!mine.ok() || mine->empty()) {
    *why = mine.ok() ? absl::DataLossError(absl::StrCat("no record at the head ", head))
                     : mine.status();
    return StreamEnd::kRetry;
  }
  if (mine->front().value != item.records(0).stored_event()) {
    *why = absl::FailedPreconditionError(absl::StrCat(
        "the leader's record at position ", head,
        " is not this node's: the two logs forked before it"));
    return StreamEnd::kDiverged;
  }
  item.mutable_records()->DeleteSubrange(0, 1);
  return std::nullopt;
}

std::optional<Replicator::StreamEnd> Replicator::Store(v1::ReplicateResponse& item, bool first,
                                                       absl::Status* why) {
  {
    absl::MutexLock lock(&mu_);
    progress_.leader_position = item.leader_head_position();
  }
  if (item.term() < store_->term()) {
    *why = absl::UnavailableError(absl::StrCat(
        "the leader's term ", item.term(), " is older than this log's ", store_->term(),
        ": a deposed leader"));
    return StreamEnd::kRetry;
  }
  if (first) {
    if (std::optional<StreamEnd> end = CheckHead(item, why); end.has_value()) return end;
  }
  if (!item.records().empty()) {
    std::vector<ledger::StoredRecord> records;
    records.reserve(item.records_size());
    for (const v1::ReplicatedRecord& record : item.records()) {
      records.push_back(ledger::StoredRecord{record.position(), record.stored_event()});
    }
    const absl::StatusOr<ledger::LogHead> head = store_->AppendReplicated(records);
    if (!head.ok()) {
      *why = head.status();
      // A storage error here (a full disk): retried from the head, as a broken stream is.
      return IsRefusal(head.status()) ? StreamEnd::kRefused : StreamEnd::kRetry;
    }
  }
  if (item.term() > store_->term()) {
    if (absl::Status raised = store_->RaiseTerm(item.term()); !raised.ok()) {
      *why = raised;
      return StreamEnd::kRetry;
    }
  }
  return std::nullopt;
}

void Replicator::RunReports() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      const auto woken = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_ || stored_; };
      mu_.AwaitWithTimeout(absl::Condition(&woken), kReportInterval);
      if (stopping_) return;
      stored_ = false;
    }
    Report();
  }
}

void Replicator::Report() {
  const uint64_t position = store_->Head().position;
  const uint64_t term = store_->term();
  const absl::Time now = absl::Now();
  if (position == reported_position_ && term == reported_term_ &&
      now - reported_at_ < kReportInterval) {
    return;
  }
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", settings_.token));
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
  v1::ReportReplicatedRequest request;
  request.set_node_id(settings_.node_id);
  request.set_position(position);
  request.set_term(term);
  v1::ReportReplicatedResponse response;
  if (!stub_->ReportReplicated(&context, request, &response).ok()) return;
  reported_position_ = position;
  reported_term_ = term;
  reported_at_ = now;
}

}  // namespace clas::server
