#include "server/cluster/election.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "absl/memory/memory.h"
#include "absl/strings/str_cat.h"
#include "ledger/base/status_macros.h"

namespace clas::server::cluster {
namespace {

using Clock = std::chrono::steady_clock;

Clock::duration ToClock(absl::Duration duration) {
  return std::chrono::duration_cast<Clock::duration>(absl::ToChronoNanoseconds(duration));
}

void Log(const std::string& node_id, const std::string& what) {
  std::fprintf(stderr, "election %s: %s\n", node_id.c_str(), what.c_str());
}

// Exponential, from `min` to `max`.
class Backoff {
 public:
  Backoff(absl::Duration min, absl::Duration max) : min_(min), max_(max), next_(min) {}
  absl::Duration Next() {
    const absl::Duration now = next_;
    next_ = std::min(next_ * 2, max_);
    return now;
  }
  void Reset() { next_ = min_; }

 private:
  const absl::Duration min_;
  const absl::Duration max_;
  absl::Duration next_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Election>> Election::Start(ElectionOptions options) {
  RETURN_IF_ERROR(CheckElectionOptions(options));
  auto election = absl::WrapUnique(new Election(std::move(options)));
  Election* e = election.get();
  e->lease_thread_ = std::thread([e] { e->RunLease(); });
  e->campaign_thread_ = std::thread([e] { e->RunCampaign(); });
  e->observe_thread_ = std::thread([e] { e->RunObserve(); });
  return election;
}

Election::Election(ElectionOptions options)
    : options_(std::move(options)),
      value_(EncodeLeaderValue(options_.node_id, options_.advertised_address)),
      etcd_(options_.etcd_endpoints, options_.call_timeout, options_.backoff_max) {}

Election::~Election() { Stop(); }

void Election::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  etcd_.CloseBlocking();
  for (std::thread* t : {&campaign_thread_, &lease_thread_, &observe_thread_}) {
    if (t->joinable()) t->join();
  }
}

bool Election::LeaseValidLocked(Clock::time_point now) const {
  return lease_id_ != 0 && !lease_gone_ && now < lease_valid_until_;
}

bool Election::IsLeader() const {
  absl::MutexLock lock(&mu_);
  return leading_ && LeaseValidLocked(Clock::now());
}

int64_t Election::Term() const {
  absl::MutexLock lock(&mu_);
  return leading_ && LeaseValidLocked(Clock::now()) ? term_ : 0;
}

std::optional<LeaderInfo> Election::ObservedLeader() const {
  absl::MutexLock lock(&mu_);
  return observed_;
}

bool Election::LeadingIsLocked(bool leading) const { return leading_ == leading; }

bool Election::AwaitLeading(bool leading, absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    if (IsLeader() == leading) return true;
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    // Wakes on a change of leading_; the lease's validity lapses without one, hence the slices.
    struct Wanted {
      const Election* election;
      bool leading;
    } wanted{this, leading};
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(
        absl::Condition(+[](Wanted* w) { return w->election->LeadingIsLocked(w->leading); },
                        &wanted),
        std::min(left, absl::Milliseconds(50)));
  }
}

void Election::PauseKeepAlivesForTesting(bool paused) {
  absl::MutexLock lock(&mu_);
  paused_ = paused;
}

bool Election::SleepUnlessStopping(absl::Duration duration) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&stopping_), duration);
  return !stopping_;
}

bool Election::CampaignAllowedLocked() const { return stopping_ || !paused_; }

bool Election::RenewalDueLocked() const {
  return stopping_ || (lease_id_ != 0 && !lease_gone_ && !paused_);
}

// Renews the lease every (TTL - margin) / 3: two renewals in a row may be lost before the lease's
// validity lapses. Validity only grows from a renewal's send instant.
void Election::RunLease() {
  Backoff backoff(options_.backoff_min, options_.backoff_max);
  while (true) {
    int64_t lease_id = 0;
    absl::Duration interval;
    absl::Duration margin;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &Election::RenewalDueLocked));
      if (stopping_) return;
      lease_id = lease_id_;
      margin = margin_;
      interval = (lease_ttl_ - margin_) / 3;
    }
    const Clock::time_point sent = Clock::now();
    const absl::StatusOr<absl::Duration> ttl = etcd_.KeepAliveOnce(lease_id);
    absl::Duration wait = interval;
    if (!ttl.ok()) {
      Log(options_.node_id, std::string(ttl.status().message()));
      etcd_.Rotate();
      wait = std::min(backoff.Next(), interval);
    } else {
      backoff.Reset();
      absl::MutexLock lock(&mu_);
      if (lease_id_ == lease_id && *ttl <= absl::ZeroDuration()) {
        lease_gone_ = true;
      } else if (lease_id_ == lease_id) {
        lease_valid_until_ = std::max(lease_valid_until_, sent + ToClock(*ttl - margin));
      }
    }
    if (!SleepUnlessStopping(wait)) return;
  }
}

void Election::RunCampaign() {
  Backoff backoff(options_.backoff_min, options_.backoff_max);
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &Election::CampaignAllowedLocked));
      if (stopping_) break;
    }
    const absl::Status status = CampaignOnce();
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) break;
    }
    if (status.ok()) {
      backoff.Reset();
      continue;
    }
    Log(options_.node_id, std::string(status.message()));
    etcd_.Rotate();
    if (!SleepUnlessStopping(backoff.Next())) break;
  }
  {
    absl::MutexLock lock(&mu_);
    if (lease_id_ != 0) revoke_pending_ = lease_id_;
    lease_id_ = 0;
  }
  const absl::Status released = ReleaseLease();
  if (!released.ok()) Log(options_.node_id, std::string(released.message()));
}

absl::Status Election::CampaignOnce() {
  RETURN_IF_ERROR(EnsureLease());
  int64_t lease_id = 0;
  {
    absl::MutexLock lock(&mu_);
    lease_id = lease_id_;
  }
  ASSIGN_OR_RETURN(std::optional<v3electionpb::LeaderKey> key, WaitForLeadership(lease_id));
  if (!key) return absl::OkStatus();  // stopping
  RETURN_IF_ERROR(ConfirmLeadership(*key));
  // may_campaign was consulted before the campaign, which may have waited in etcd's queue long
  // after: what the caller knows then (another node got ahead meanwhile) decides, at the win.
  if (options_.may_campaign && !options_.may_campaign()) {
    Log(options_.node_id, absl::StrCat("elected with term ", key->rev(),
                                       " but may no longer campaign: resigning"));
    return etcd_.Resign(*key);
  }
  Lead(*key);
  return absl::OkStatus();
}

// Keeps a valid lease; one that lapsed or is gone is revoked (it may still hold a key in etcd)
// before a new one is granted.
absl::Status Election::EnsureLease() {
  {
    absl::MutexLock lock(&mu_);
    if (LeaseValidLocked(Clock::now())) return absl::OkStatus();
    if (lease_id_ != 0) revoke_pending_ = lease_id_;
    lease_id_ = 0;
  }
  RETURN_IF_ERROR(ReleaseLease());
  const Clock::time_point sent = Clock::now();
  ASSIGN_OR_RETURN(const EtcdClient::Lease lease, etcd_.Grant(options_.lease_ttl));
  absl::MutexLock lock(&mu_);
  lease_id_ = lease.id;
  lease_ttl_ = lease.ttl;
  lease_gone_ = false;
  margin_ = options_.margin > absl::ZeroDuration() ? options_.margin : lease.ttl / 4;
  lease_valid_until_ = sent + ToClock(lease.ttl - margin_);
  return absl::OkStatus();
}

absl::Status Election::ReleaseLease() {
  int64_t lease_id = 0;
  {
    absl::MutexLock lock(&mu_);
    lease_id = revoke_pending_;
  }
  if (lease_id == 0) return absl::OkStatus();
  const absl::Status revoked = etcd_.Revoke(lease_id);
  if (!revoked.ok() && !absl::IsNotFound(revoked)) return revoked;
  absl::MutexLock lock(&mu_);
  if (revoke_pending_ == lease_id) revoke_pending_ = 0;
  return absl::OkStatus();
}

absl::StatusOr<std::optional<v3electionpb::LeaderKey>> Election::WaitForLeadership(
    int64_t lease_id) {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return std::nullopt;
      if (!LeaseValidLocked(Clock::now())) {
        return absl::UnavailableError("lease lapsed before leadership");
      }
    }
    if (options_.may_campaign && !options_.may_campaign()) {
      if (!SleepUnlessStopping(options_.may_campaign_poll)) return std::nullopt;
      continue;
    }
    absl::StatusOr<v3electionpb::LeaderKey> key =
        etcd_.Campaign(options_.election_name, lease_id, value_, options_.campaign_wait_max);
    if (absl::IsDeadlineExceeded(key.status())) continue;  // consult may_campaign again
    RETURN_IF_ERROR(key.status());
    return *std::move(key);
  }
}

// Campaign's answer is checked against etcd's current leader: the key must be ours, of this
// revision (a lease lost while campaigning would have deleted it).
absl::Status Election::ConfirmLeadership(const v3electionpb::LeaderKey& key) {
  ASSIGN_OR_RETURN(const std::optional<mvccpb::KeyValue> kv,
                   etcd_.Leader(options_.election_name));
  if (!kv || kv->key() != key.key() || kv->create_revision() != key.rev()) {
    return absl::AbortedError("campaign answered, but etcd shows another leader");
  }
  SetObserved(DecodeLeaderValue(kv->value(), kv->create_revision()));
  return absl::OkStatus();
}

bool Election::LeadershipEndedLocked() const {
  if (stopping_ || !LeaseValidLocked(Clock::now())) return true;
  return observed_.has_value() && observed_->term > term_;
}

void Election::Lead(const v3electionpb::LeaderKey& key) {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ || lease_id_ != key.lease() || !LeaseValidLocked(Clock::now())) return;
    leading_ = true;
    term_ = key.rev();
  }
  Log(options_.node_id, absl::StrCat("leads, term ", key.rev()));
  if (options_.on_elected) options_.on_elected(key.rev());
  bool stopping = false;
  {
    absl::MutexLock lock(&mu_);
    while (!LeadershipEndedLocked()) {
      const absl::Duration left = absl::FromChrono(lease_valid_until_ - Clock::now());
      mu_.AwaitWithTimeout(absl::Condition(this, &Election::LeadershipEndedLocked), left);
    }
    leading_ = false;
    term_ = 0;
    stopping = stopping_;
  }
  Log(options_.node_id, absl::StrCat("no longer leads, term ", key.rev(),
                                     stopping ? " (stopping)" : ""));
  if (options_.on_lost) options_.on_lost(key.rev());
  if (stopping) {
    const absl::Status resigned = etcd_.Resign(key);
    if (!resigned.ok()) Log(options_.node_id, std::string(resigned.message()));
  }
}

void Election::RunObserve() {
  Backoff backoff(options_.backoff_min, options_.backoff_max);
  const auto on_leader = [this](const mvccpb::KeyValue& kv) {
    SetObserved(DecodeLeaderValue(kv.value(), kv.create_revision()));
  };
  while (true) {
    const absl::StatusOr<std::optional<mvccpb::KeyValue>> kv =
        etcd_.Leader(options_.election_name);
    absl::Status status = kv.status();
    if (kv.ok()) {
      if (*kv) on_leader(**kv);
      if (!*kv) SetObserved(std::nullopt);
      status = etcd_.Observe(options_.election_name, options_.observe_refresh, on_leader);
    }
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
    }
    absl::Duration wait = options_.backoff_min;  // bounds the loop when a stream ends at once
    if (status.ok()) {
      backoff.Reset();
    } else {
      Log(options_.node_id, std::string(status.message()));
      wait = backoff.Next();
    }
    if (!SleepUnlessStopping(wait)) return;
  }
}

void Election::SetObserved(std::optional<LeaderInfo> leader) {
  absl::MutexLock lock(&mu_);
  observed_ = std::move(leader);
}

}  // namespace clas::server::cluster
