// The trimmed copy of etcd's v3 API (proto/third_party/etcd/) against a real etcd per test
// (etcd_process.h): the RPCs kept there that server/cluster/ does not call yet (KV's Range, Put,
// DeleteRange and Txn, Lease's LeaseTimeToLive, Election's Proclaim and Observe) reach etcd under
// their names and come back with the fields etcd filled. The file takes about a second.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "etcd/etcdserver/api/v3election/v3electionpb/v3election.grpc.pb.h"
#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"
#include "grpc/grpc.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "tests/cluster/etcd_test_base.h"

namespace clas::server::cluster {
namespace {


constexpr char kPrefix[] = "/clas-ledger/nodes/";
constexpr char kKey[] = "/clas-ledger/nodes/node-a";
constexpr int64_t kLeaseTtlSeconds = 10;

class EtcdApiTest : public ::clas::testing::EtcdTestBase {
 protected:
  void SetUp() override {
    EtcdTestBase::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    channel_ = grpc::CreateChannel(etcd_.endpoint(), grpc::InsecureChannelCredentials());
    kv_ = etcdserverpb::KV::NewStub(channel_);
    lease_ = etcdserverpb::Lease::NewStub(channel_);
    election_ = v3electionpb::Election::NewStub(channel_);
  }

  // A context whose call gives up after 5 s.
  static std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    return context;
  }

  int64_t GrantLease() {
    etcdserverpb::LeaseGrantRequest request;
    request.set_ttl(kLeaseTtlSeconds);
    etcdserverpb::LeaseGrantResponse response;
    const grpc::Status status = lease_->LeaseGrant(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_GT(response.id(), 0);
    return response.id();
  }

  // Every key under kPrefix (range_end: the prefix with its last byte plus one).
  etcdserverpb::RangeResponse RangePrefix() {
    etcdserverpb::RangeRequest request;
    request.set_key(kPrefix);
    std::string end = kPrefix;
    ++end.back();
    request.set_range_end(end);
    etcdserverpb::RangeResponse response;
    const grpc::Status status = kv_->Range(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // A Txn that puts kKey = `value` only if kKey does not exist (its create_revision is 0), and
  // otherwise reads it.
  etcdserverpb::TxnResponse PutIfAbsent(const std::string& value) {
    etcdserverpb::TxnRequest request;
    etcdserverpb::Compare* absent = request.add_compare();
    absent->set_key(kKey);
    absent->set_target(etcdserverpb::Compare::CREATE);
    absent->set_result(etcdserverpb::Compare::EQUAL);
    absent->set_create_revision(0);
    etcdserverpb::PutRequest* put = request.add_success()->mutable_request_put();
    put->set_key(kKey);
    put->set_value(value);
    request.add_failure()->mutable_request_range()->set_key(kKey);
    etcdserverpb::TxnResponse response;
    const grpc::Status status = kv_->Txn(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<etcdserverpb::KV::Stub> kv_;
  std::unique_ptr<etcdserverpb::Lease::Stub> lease_;
  std::unique_ptr<v3electionpb::Election::Stub> election_;
};

TEST_F(EtcdApiTest, AKeyPutUnderALeaseIsReadBackListedByTheLeaseAndGoesWithIt) {
  const int64_t lease = GrantLease();
  etcdserverpb::PutRequest put;
  put.set_key(kKey);
  put.set_value("10.0.0.1:50051");
  put.set_lease(lease);
  etcdserverpb::PutResponse put_response;
  const grpc::Status put_status = kv_->Put(Context().get(), put, &put_response);
  ASSERT_TRUE(put_status.ok()) << put_status.error_message();
  const int64_t put_revision = put_response.header().revision();
  EXPECT_GT(put_revision, 0);

  const etcdserverpb::RangeResponse range = RangePrefix();
  ASSERT_EQ(range.kvs_size(), 1);
  EXPECT_EQ(range.count(), 1);
  EXPECT_EQ(range.kvs(0).key(), kKey);
  EXPECT_EQ(range.kvs(0).value(), "10.0.0.1:50051");
  EXPECT_EQ(range.kvs(0).lease(), lease);
  EXPECT_EQ(range.kvs(0).create_revision(), put_revision);
  EXPECT_EQ(range.kvs(0).version(), 1);

  etcdserverpb::LeaseTimeToLiveRequest ttl_request;
  ttl_request.set_id(lease);
  ttl_request.set_keys(true);
  etcdserverpb::LeaseTimeToLiveResponse ttl;
  const grpc::Status ttl_status = lease_->LeaseTimeToLive(Context().get(), ttl_request, &ttl);
  ASSERT_TRUE(ttl_status.ok()) << ttl_status.error_message();
  EXPECT_EQ(ttl.id(), lease);
  EXPECT_EQ(ttl.grantedttl(), kLeaseTtlSeconds);
  EXPECT_GT(ttl.ttl(), 0);
  EXPECT_LE(ttl.ttl(), kLeaseTtlSeconds);
  ASSERT_EQ(ttl.keys_size(), 1);
  EXPECT_EQ(ttl.keys(0), kKey);

  etcdserverpb::LeaseRevokeRequest revoke;
  revoke.set_id(lease);
  etcdserverpb::LeaseRevokeResponse revoked;
  ASSERT_TRUE(lease_->LeaseRevoke(Context().get(), revoke, &revoked).ok());
  EXPECT_EQ(RangePrefix().kvs_size(), 0);
}

TEST_F(EtcdApiTest, ATxnPutsOnlyWhatIsAbsentAndDeleteRangeReturnsWhatItDeleted) {
  const etcdserverpb::TxnResponse first = PutIfAbsent("first");
  EXPECT_TRUE(first.succeeded());
  ASSERT_EQ(first.responses_size(), 1);
  EXPECT_TRUE(first.responses(0).has_response_put());

  const etcdserverpb::TxnResponse second = PutIfAbsent("second");
  EXPECT_FALSE(second.succeeded());
  ASSERT_EQ(second.responses_size(), 1);
  ASSERT_TRUE(second.responses(0).has_response_range());
  ASSERT_EQ(second.responses(0).response_range().kvs_size(), 1);
  EXPECT_EQ(second.responses(0).response_range().kvs(0).value(), "first");
  EXPECT_EQ(second.responses(0).response_range().kvs(0).create_revision(),
            first.header().revision());

  etcdserverpb::DeleteRangeRequest remove;
  remove.set_key(kKey);
  remove.set_prev_kv(true);
  etcdserverpb::DeleteRangeResponse removed;
  const grpc::Status status = kv_->DeleteRange(Context().get(), remove, &removed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(removed.deleted(), 1);
  ASSERT_EQ(removed.prev_kvs_size(), 1);
  EXPECT_EQ(removed.prev_kvs(0).value(), "first");

  EXPECT_TRUE(PutIfAbsent("third").succeeded());
  ASSERT_EQ(RangePrefix().kvs_size(), 1);
  EXPECT_EQ(RangePrefix().kvs(0).value(), "third");
}

TEST_F(EtcdApiTest, ObserveSeesTheLeadersValueThenWhatItProclaims) {
  v3electionpb::CampaignRequest campaign;
  campaign.set_name("/clas-ledger/api-test");
  campaign.set_lease(GrantLease());
  campaign.set_value("node-a");
  v3electionpb::CampaignResponse campaigned;
  const grpc::Status campaign_status = election_->Campaign(Context().get(), campaign, &campaigned);
  ASSERT_TRUE(campaign_status.ok()) << campaign_status.error_message();
  EXPECT_EQ(campaigned.leader().name(), "/clas-ledger/api-test");
  EXPECT_EQ(campaigned.leader().lease(), campaign.lease());

  std::unique_ptr<grpc::ClientContext> observe_context = Context();
  v3electionpb::LeaderRequest observe;
  observe.set_name("/clas-ledger/api-test");
  std::unique_ptr<grpc::ClientReader<v3electionpb::LeaderResponse>> stream =
      election_->Observe(observe_context.get(), observe);
  v3electionpb::LeaderResponse seen;
  ASSERT_TRUE(stream->Read(&seen));
  EXPECT_EQ(seen.kv().value(), "node-a");
  EXPECT_EQ(seen.kv().key(), campaigned.leader().key());
  EXPECT_EQ(seen.kv().create_revision(), campaigned.leader().rev());

  v3electionpb::ProclaimRequest proclaim;
  *proclaim.mutable_leader() = campaigned.leader();
  proclaim.set_value("node-a, proclaimed");
  v3electionpb::ProclaimResponse proclaimed;
  ASSERT_TRUE(election_->Proclaim(Context().get(), proclaim, &proclaimed).ok());
  ASSERT_TRUE(stream->Read(&seen));
  EXPECT_EQ(seen.kv().value(), "node-a, proclaimed");
  EXPECT_EQ(seen.kv().create_revision(), campaigned.leader().rev());
  EXPECT_GT(seen.kv().mod_revision(), seen.kv().create_revision());

  observe_context->TryCancel();
  stream->Finish();
  v3electionpb::ResignRequest resign;
  *resign.mutable_leader() = campaigned.leader();
  v3electionpb::ResignResponse resigned;
  EXPECT_TRUE(election_->Resign(Context().get(), resign, &resigned).ok());
}

}  // namespace
}  // namespace clas::server::cluster
