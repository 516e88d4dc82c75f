#include "server/cluster/etcd_client.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "etcd/etcdserver/api/v3election/v3electionpb/v3election.grpc.pb.h"
#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "ledger/base/status_macros.h"

namespace clas::server::cluster {
namespace {

// etcd's answer to Leader when no key is under the election's name (a plain Go error, so
// gRPC's UNKNOWN code): concurrency.ErrElectionNoLeader.
constexpr char kNoLeaderMessage[] = "election: no leader";

// The deadline of one connection attempt to an endpoint (TCP and HTTP/2 handshakes).
constexpr int kConnectTimeoutMs = 1000;

absl::Status FromGrpc(const grpc::Status& status, const std::string& endpoint,
                      const char* call) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat("etcd ", endpoint, " ", call, ": ", status.error_message()));
}

std::chrono::system_clock::time_point DeadlineIn(absl::Duration timeout) {
  return std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout);
}

}  // namespace

// Registers a Campaign's or an Observe's context for CloseBlocking() while the call runs.
class EtcdClient::BlockingCall {
 public:
  BlockingCall(EtcdClient* client, grpc::ClientContext* context)
      : client_(client), context_(context) {
    absl::MutexLock lock(&client_->mu_);
    admitted_ = !client_->closed_;
    if (admitted_) client_->blocking_.insert(context_);
  }
  ~BlockingCall() {
    absl::MutexLock lock(&client_->mu_);
    client_->blocking_.erase(context_);
  }
  bool admitted() const { return admitted_; }

 private:
  EtcdClient* const client_;
  grpc::ClientContext* const context_;
  bool admitted_ = false;
};

EtcdClient::EtcdClient(std::vector<std::string> endpoints, absl::Duration call_timeout,
                       absl::Duration reconnect_backoff_max)
    : endpoints_(std::move(endpoints)), call_timeout_(call_timeout) {
  CLAS_CHECK(!endpoints_.empty()) << "no etcd endpoint";
  CLAS_CHECK(call_timeout_ > absl::ZeroDuration()) << "call timeout";
  const int backoff_ms = static_cast<int>(absl::ToInt64Milliseconds(reconnect_backoff_max));
  for (const std::string& endpoint : endpoints_) {
    grpc::ChannelArguments args;
    // gRPC's defaults (first retry after 1 s, growing to 2 min) would keep an etcd that came
    // back unreached longer than a lease lives; its minimum is also the connection attempt's
    // deadline (below 1 s, the handshake with etcd failed at times on a busy machine).
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, std::min(backoff_ms, 100));
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, kConnectTimeoutMs);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, std::max(backoff_ms, kConnectTimeoutMs));
    // A refused connection makes the channel resolve the name again, by default at most every
    // 30 s: an etcd back after a crash would stay unreached that long.
    args.SetInt(GRPC_ARG_DNS_MIN_TIME_BETWEEN_RESOLUTIONS_MS, backoff_ms);
    channels_.push_back(
        grpc::CreateCustomChannel(endpoint, grpc::InsecureChannelCredentials(), args));
  }
}

EtcdClient::~EtcdClient() = default;

std::shared_ptr<grpc::Channel> EtcdClient::Channel(std::string* endpoint) {
  const size_t index = current_.load() % channels_.size();
  *endpoint = endpoints_[index];
  return channels_[index];
}

void EtcdClient::SetDeadline(grpc::ClientContext* context, absl::Duration timeout) const {
  context->set_deadline(DeadlineIn(timeout));
}

void EtcdClient::Rotate() { current_.fetch_add(1); }

void EtcdClient::CloseBlocking() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  for (grpc::ClientContext* context : blocking_) context->TryCancel();
}

absl::StatusOr<EtcdClient::Lease> EtcdClient::Grant(absl::Duration ttl) {
  std::string endpoint;
  auto stub = etcdserverpb::Lease::NewStub(Channel(&endpoint));
  etcdserverpb::LeaseGrantRequest request;
  request.set_ttl(absl::ToInt64Seconds(absl::Ceil(ttl, absl::Seconds(1))));
  etcdserverpb::LeaseGrantResponse response;
  grpc::ClientContext context;
  SetDeadline(&context, call_timeout_);
  RETURN_IF_ERROR(FromGrpc(stub->LeaseGrant(&context, request, &response), endpoint, "grant"));
  if (!response.error().empty() || response.id() == 0 || response.ttl() <= 0) {
    return absl::UnavailableError(
        absl::StrCat("etcd ", endpoint, " grant refused: ", response.error()));
  }
  return Lease{response.id(), absl::Seconds(response.ttl())};
}

absl::Status EtcdClient::Revoke(int64_t lease_id) {
  std::string endpoint;
  auto stub = etcdserverpb::Lease::NewStub(Channel(&endpoint));
  etcdserverpb::LeaseRevokeRequest request;
  request.set_id(lease_id);
  etcdserverpb::LeaseRevokeResponse response;
  grpc::ClientContext context;
  SetDeadline(&context, call_timeout_);
  return FromGrpc(stub->LeaseRevoke(&context, request, &response), endpoint, "revoke");
}

absl::StatusOr<absl::Duration> EtcdClient::KeepAliveOnce(int64_t lease_id) {
  std::string endpoint;
  auto stub = etcdserverpb::Lease::NewStub(Channel(&endpoint));
  grpc::ClientContext context;
  SetDeadline(&context, call_timeout_);
  auto stream = stub->LeaseKeepAlive(&context);
  etcdserverpb::LeaseKeepAliveRequest request;
  request.set_id(lease_id);
  etcdserverpb::LeaseKeepAliveResponse response;
  const bool answered = stream->Write(request) && stream->Read(&response);
  stream->WritesDone();
  if (answered) context.TryCancel();  // the one answer is all we wait for
  const grpc::Status status = stream->Finish();
  if (!answered) {
    RETURN_IF_ERROR(FromGrpc(status, endpoint, "keep-alive"));
    return absl::UnavailableError(absl::StrCat("etcd ", endpoint, " keep-alive: no answer"));
  }
  return absl::Seconds(std::max<int64_t>(response.ttl(), 0));
}

absl::StatusOr<v3electionpb::LeaderKey> EtcdClient::Campaign(const std::string& name,
                                                             int64_t lease_id,
                                                             const std::string& value,
                                                             absl::Duration wait_max) {
  std::string endpoint;
  auto stub = v3electionpb::Election::NewStub(Channel(&endpoint));
  v3electionpb::CampaignRequest request;
  request.set_name(name);
  request.set_lease(lease_id);
  request.set_value(value);
  v3electionpb::CampaignResponse response;
  grpc::ClientContext context;
  SetDeadline(&context, wait_max);
  BlockingCall call(this, &context);
  if (!call.admitted()) return absl::CancelledError("etcd client closed");
  RETURN_IF_ERROR(FromGrpc(stub->Campaign(&context, request, &response), endpoint, "campaign"));
  return response.leader();
}

absl::StatusOr<std::optional<mvccpb::KeyValue>> EtcdClient::Leader(const std::string& name) {
  std::string endpoint;
  auto stub = v3electionpb::Election::NewStub(Channel(&endpoint));
  v3electionpb::LeaderRequest request;
  request.set_name(name);
  v3electionpb::LeaderResponse response;
  grpc::ClientContext context;
  SetDeadline(&context, call_timeout_);
  const grpc::Status status = stub->Leader(&context, request, &response);
  if (status.error_code() == grpc::StatusCode::UNKNOWN &&
      status.error_message() == kNoLeaderMessage) {
    return std::nullopt;
  }
  RETURN_IF_ERROR(FromGrpc(status, endpoint, "leader"));
  return response.kv();
}

absl::Status EtcdClient::Resign(const v3electionpb::LeaderKey& key) {
  std::string endpoint;
  auto stub = v3electionpb::Election::NewStub(Channel(&endpoint));
  v3electionpb::ResignRequest request;
  *request.mutable_leader() = key;
  v3electionpb::ResignResponse response;
  grpc::ClientContext context;
  SetDeadline(&context, call_timeout_);
  return FromGrpc(stub->Resign(&context, request, &response), endpoint, "resign");
}

absl::Status EtcdClient::Observe(const std::string& name, absl::Duration duration,
                                 const std::function<void(const mvccpb::KeyValue&)>& on_leader) {
  std::string endpoint;
  auto stub = v3electionpb::Election::NewStub(Channel(&endpoint));
  v3electionpb::LeaderRequest request;
  request.set_name(name);
  grpc::ClientContext context;
  SetDeadline(&context, duration);
  BlockingCall call(this, &context);
  if (!call.admitted()) return absl::CancelledError("etcd client closed");
  auto stream = stub->Observe(&context, request);
  v3electionpb::LeaderResponse response;
  while (stream->Read(&response)) on_leader(response.kv());
  const grpc::Status status = stream->Finish();
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) return absl::OkStatus();
  return FromGrpc(status, endpoint, "observe");
}

absl::Status EtcdClient::Put(const std::string& key, const std::string& value,
                             int64_t lease_id) {
  std::string endpoint;
  auto stub = etcdserverpb::KV::NewStub(Channel(&endpoint));
  etcdserverpb::PutRequest request;
  request.set_key(key);
  request.set_value(value);
  request.set_lease(lease_id);
  etcdserverpb::PutResponse response;
  grpc::ClientContext context;
  SetDeadline(&context, call_timeout_);
  return FromGrpc(stub->Put(&context, request, &response), endpoint, "put");
}

absl::StatusOr<std::vector<mvccpb::KeyValue>> EtcdClient::RangePrefix(const std::string& prefix,
                                                                      int64_t limit) {
  CLAS_CHECK(!prefix.empty() && static_cast<unsigned char>(prefix.back()) < 0xff) << prefix;
  std::string endpoint;
  auto stub = etcdserverpb::KV::NewStub(Channel(&endpoint));
  etcdserverpb::RangeRequest request;
  request.set_key(prefix);
  std::string end = prefix;
  end.back() = static_cast<char>(end.back() + 1);  // the first key after every key of prefix
  request.set_range_end(end);
  request.set_limit(limit);
  etcdserverpb::RangeResponse response;
  grpc::ClientContext context;
  SetDeadline(&context, call_timeout_);
  RETURN_IF_ERROR(FromGrpc(stub->Range(&context, request, &response), endpoint, "range"));
  if (response.more()) {
    return absl::ResourceExhaustedError(absl::StrCat("etcd ", endpoint, " range ", prefix,
                                                     ": more than ", limit, " keys"));
  }
  return std::vector<mvccpb::KeyValue>(response.kvs().begin(), response.kvs().end());
}

}  // namespace clas::server::cluster
