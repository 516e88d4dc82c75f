#include "server/cluster_node.h"

#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ledger/base/status_macros.h"

namespace clas::server {
namespace {

// How often the follow thread looks at who leads and how replication goes.
constexpr absl::Duration kFollowPoll = absl::Milliseconds(100);
// After replication refused a record that does not chain, the wait before trying again (a new
// leader may have come meanwhile).
constexpr absl::Duration kRefusedRetry = absl::Seconds(5);

void Log(const std::string& line) { std::fprintf(stderr, "clas-ledgerd: %s\n", line.c_str()); }

}  // namespace

absl::StatusOr<std::unique_ptr<ClusterNode>> ClusterNode::Start(ledger::EventStore* store,
                                                                ClusterSettings settings,
                                                                ClusterHooks hooks,
                                                                ReplicationAcks* acks) {
  if (settings.set_aside_dir.empty()) {
    return absl::InvalidArgumentError("cluster: the directory of set-aside records is empty");
  }
  if (settings.prefix.empty() || settings.prefix.back() == '/') {
    return absl::InvalidArgumentError("cluster prefix: not empty, not ending with '/'");
  }
  if (settings.cluster_size < 1 || settings.cluster_size > kClusterSizeMax ||
      settings.replication_acks < 0 || settings.replication_acks >= settings.cluster_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cluster_size ", settings.cluster_size, ", replication_acks ", settings.replication_acks,
        ": a cluster of 1 to ", kClusterSizeMax, " nodes, fewer acks than nodes"));
  }
  std::unique_ptr<ClusterNode> node(
      new ClusterNode(store, std::move(settings), std::move(hooks), acks));
  ClusterNode* const self = node.get();
  const ClusterSettings& s = self->settings_;
  cluster::ElectionOptions election;
  election.etcd_endpoints = s.etcd_endpoints;
  election.election_name = s.prefix + "/leader";
  election.node_id = s.node_id;
  election.advertised_address = s.advertise;
  election.lease_ttl = s.lease_ttl;
  election.may_campaign = [self] { return self->MayCampaign(); };
  election.on_elected = [self](int64_t term) { self->OnElected(term); };
  election.on_lost = [self](int64_t term) { self->OnLost(term); };
  RETURN_IF_ERROR(cluster::CheckElectionOptions(election));
  store->SetReplica(true);  // until elected
  ASSIGN_OR_RETURN(self->registry_,
                   cluster::NodeRegistry::Start(cluster::RegistryOptions{
                       .etcd_endpoints = s.etcd_endpoints,
                       .prefix = s.prefix + "/nodes/",
                       .lease_ttl = s.lease_ttl,
                       .record = [self] { return self->OwnRecord(); }}));
  ASSIGN_OR_RETURN(self->election_, cluster::Election::Start(std::move(election)));
  self->election_view_.store(self->election_.get());
  self->follow_thread_ = std::thread([self] { self->RunFollow(); });
  return node;
}

ClusterNode::ClusterNode(ledger::EventStore* store, ClusterSettings settings, ClusterHooks hooks,
                         ReplicationAcks* acks)
    : store_(store), settings_(std::move(settings)), hooks_(std::move(hooks)), acks_(acks) {}

ClusterNode::~ClusterNode() { Stop(); }

void ClusterNode::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (follow_thread_.joinable()) follow_thread_.join();
  {
    absl::MutexLock role(&role_mu_);
    StopReplicator();
  }
  if (election_ != nullptr) election_->Stop();  // resigns: OnLost makes the store refuse writes
  if (registry_ != nullptr) registry_->Stop();
}

bool ClusterNode::TakesWrites() const {
  {
    absl::MutexLock lock(&mu_);
    if (!leading_) return false;
  }
  const cluster::Election* election = election_view_.load();
  return election != nullptr && election->IsLeader();
}

std::string ClusterNode::LeaderAddress() const {
  if (TakesWrites()) return "";
  const cluster::Election* election = election_view_.load();
  if (election == nullptr) return "";
  const std::optional<cluster::LeaderInfo> leader = election->ObservedLeader();
  if (!leader.has_value() || leader->node_id == settings_.node_id) return "";
  return leader->address;
}

absl::Status ClusterNode::WriteRefusal() const { return acks_->CheckLive(); }

std::optional<uint64_t> ClusterNode::LeaderTerm() const {
  if (!TakesWrites()) return std::nullopt;
  absl::MutexLock lock(&mu_);
  return static_cast<uint64_t>(term_);
}

std::optional<ReplicationProgress> ClusterNode::Replication() const {
  absl::MutexLock lock(&mu_);
  if (current_replicator_ == nullptr) return std::nullopt;
  return current_replicator_->Progress();
}

cluster::NodeRecord ClusterNode::OwnRecord() const {
  return cluster::NodeRecord{.node_id = settings_.node_id,
                             .address = settings_.advertise,
                             .position = store_->Head().position,
                             .term = store_->term(),
                             .leading = TakesWrites(),
                             .cluster_size = settings_.cluster_size,
                             .replication_acks = settings_.replication_acks};
}

bool ClusterNode::MayCampaign() {
  {
    absl::MutexLock role(&role_mu_);
    if (diverged_) return false;  // the process restarts to set its tail aside first
  }
  if (!registry_->Published()) return false;  // the others could not compare themselves to it
  const absl::StatusOr<std::vector<cluster::NodeRecord>> nodes = registry_->Nodes();
  if (!nodes.ok()) return false;
  const int quorum = cluster::CampaignQuorum(settings_.cluster_size, settings_.replication_acks);
  const int live = static_cast<int>(nodes->size());  // its own record among them (Published)
  if (live >= quorum) {
    short_of_quorum_logged_ = false;
  } else if (!short_of_quorum_logged_.exchange(true)) {  // said once until the quorum is back
    Log(absl::StrCat("not campaigning: ", live, " of ", settings_.cluster_size, " nodes live, ",
                     quorum, " needed so that one of them holds every acknowledged write "
                     "(replication_acks ", settings_.replication_acks, ")"));
  }
  return cluster::MayCampaignWith(OwnRecord(), *nodes, quorum);
}

void ClusterNode::OnElected(int64_t term) {
  absl::MutexLock role(&role_mu_);
  StopReplicator();
  // The log's term first: what this node writes from now on is of this term, and a node that
  // took it compares as ahead of every node that did not.
  const absl::Status raised = store_->RaiseTerm(static_cast<uint64_t>(term));
  if (!raised.ok()) {
    Log(absl::StrCat("ERROR: elected with term ", term, " but the log's term stays: ",
                     raised.message(), "; this node takes no writes"));
    return;
  }
  acks_->NewTerm(static_cast<uint64_t>(term));
  store_->SetReplica(false);
  {
    absl::MutexLock lock(&mu_);
    leading_ = true;
    term_ = term;
  }
  Log(absl::StrCat("leading the cluster (term ", term, ") from position ",
                   store_->Head().position));
  if (hooks_.on_role) hooks_.on_role(true);
}

void ClusterNode::OnLost(int64_t term) {
  absl::MutexLock role(&role_mu_);
  store_->SetReplica(true);  // returns once no local append can land any more
  acks_->EndTerm();           // writes waiting for followers end: unacknowledged
  {
    absl::MutexLock lock(&mu_);
    if (!leading_) return;
    leading_ = false;
    term_ = 0;
  }
  Log(absl::StrCat("no longer leading the cluster (term ", term, ") at position ",
                   store_->Head().position, "; following the next leader"));
  if (hooks_.on_role) hooks_.on_role(false);
}

void ClusterNode::StopReplicator() {
  std::unique_ptr<Replicator> stopped = std::move(replicator_);
  replicator_leader_.clear();
  {
    absl::MutexLock lock(&mu_);
    current_replicator_ = nullptr;
  }
  if (stopped != nullptr) stopped->Stop();
}

void ClusterNode::RunFollow() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      const auto stopping = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_; };
      mu_.AwaitWithTimeout(absl::Condition(&stopping), kFollowPoll);
      if (stopping_) return;
      if (leading_) continue;
    }
    absl::MutexLock role(&role_mu_);
    if (diverged_) continue;
    const std::optional<cluster::LeaderInfo> leader = election_->ObservedLeader();
    if (!leader.has_value() || leader->node_id == settings_.node_id) {
      StopReplicator();
      continue;
    }
    if (replicator_ != nullptr && replicator_leader_ == leader->address) {
      const ReplicationProgress progress = replicator_->Progress();
      if (!progress.stopped) continue;
      if (progress.diverged) {
        diverged_ = true;
        StopReplicator();
        const absl::Status why = absl::FailedPreconditionError(absl::StrCat(
            "this node's log holds records the leader's (", leader->address,
            ") does not: ", progress.failure));
        Log(absl::StrCat("ERROR: ", why.message(), "; restarting to set them aside"));
        if (hooks_.on_diverged) hooks_.on_diverged(why);
        continue;
      }
      if (refused_at_ == absl::InfinitePast()) {
        refused_at_ = absl::Now();
        if (hooks_.on_replication) hooks_.on_replication(false);
      }
      if (absl::Now() - refused_at_ < kRefusedRetry) continue;
    }
    StopReplicator();
    refused_at_ = absl::InfinitePast();
    FollowSettings follow = settings_.follow;
    follow.leader = leader->address;
    follow.in_cluster = true;
    follow.node_id = settings_.node_id;
    replicator_ = std::make_unique<Replicator>(store_, std::move(follow), nullptr);
    replicator_leader_ = leader->address;
    replicator_->Start();
    {
      absl::MutexLock lock(&mu_);
      current_replicator_ = replicator_.get();
    }
    Log(absl::StrCat("following the leader ", leader->node_id, " at ", leader->address,
                     " (term ", leader->term, ") from position ", store_->Head().position));
    if (hooks_.on_replication) hooks_.on_replication(true);
  }
}

}  // namespace clas::server
