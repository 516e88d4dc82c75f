// ClusterLoad::Failovers: the leader killed under a light load, timed until the writer's next
// acknowledgement.
#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/client_context.h"
#include "ledger/base/status_macros.h"
#include "tools/bench/cluster/cluster_load.h"
#include "tools/bench/cluster/load_clock.h"

namespace clas::bench {
namespace {

using Clock = LoadClock::Clock;

// The light load: one event a call, then a pause; after a failure, the same event again (the
// ledger's idempotency key) a moment later, to the node the refusal names as leader or else to
// the next one.
constexpr auto kPauseAfterAck = std::chrono::milliseconds(20);
constexpr auto kPauseAfterFailure = std::chrono::milliseconds(5);
// A follower counts as caught up within this many events of the leader's published head.
constexpr uint64_t kCaughtUpEvents = 20;

// The last acknowledgement the light writer received.
struct LastAck {
  Clock::time_point at;
  int node = -1;
  int64_t count = 0;
};

class LightWriter {
 public:
  using AppendFn = std::function<grpc::Status(int node, uint64_t n, grpc::ClientContext*)>;
  LightWriter(local_cluster::LocalCluster* cluster, int first_node, AppendFn append)
      : cluster_(cluster),
        append_(std::move(append)),
        thread_([this, first_node] { Run(first_node); }) {}
  ~LightWriter() {
    stop_.store(true);
    thread_.join();
  }
  LastAck last() const {
    absl::MutexLock lock(&mu_);
    return last_;
  }

 private:
  void Run(int node) {
    for (uint64_t n = 0; !stop_.load();) {
      grpc::ClientContext context;
      const grpc::Status status = append_(node, n, &context);
      if (status.ok()) {
        {
          absl::MutexLock lock(&mu_);
          last_ = {Clock::now(), node, last_.count + 1};
        }
        ++n;
        std::this_thread::sleep_for(kPauseAfterAck);
        continue;
      }
      const auto& trailers = context.GetServerTrailingMetadata();
      const auto named = trailers.find("clas-leader");
      int next = (node + 1) % cluster_->size();
      if (named != trailers.end()) {
        next =
            cluster_->IndexOfAddress(absl::string_view(named->second.data(), named->second.size()))
                .value_or(next);
      }
      node = next == node ? (node + 1) % cluster_->size() : next;
      std::this_thread::sleep_for(kPauseAfterFailure);
    }
  }

  local_cluster::LocalCluster* const cluster_;
  const AppendFn append_;
  std::atomic<bool> stop_{false};
  mutable absl::Mutex mu_;
  LastAck last_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;  // last: starts once the rest is built
};

}  // namespace

absl::StatusOr<FailoverFigures> ClusterLoad::Failovers(int kills, absl::Duration recover_wait) {
  const std::string tag = absl::StrCat("f", ++load_count_);
  const std::string stream = absl::StrCat("ext/service-demo/", tag);
  const std::optional<int> first = cluster_->AwaitLeader(std::nullopt, recover_wait);
  if (!first.has_value()) return absl::DeadlineExceededError("no leader before the first kill");
  LightWriter writer(cluster_, *first, [&](int node, uint64_t n, grpc::ClientContext* context) {
    v1::AppendRequest request;
    request.set_stream_id(stream);
    auto* event = request.add_events();
    event->set_event_id(absl::StrCat(tag, "-", n));
    event->set_event_type("bench");
    event->set_payload(Payload(n));
    Authorise(context, absl::Seconds(2));
    v1::AppendResponse response;
    return stub(node).Append(context, request, &response);
  });
  FailoverFigures figures;
  for (int round = 0; round < kills; ++round) {
    RETURN_IF_ERROR(AwaitWhole(recover_wait));
    const std::optional<int> leader = cluster_->AwaitLeader(std::nullopt, recover_wait);
    if (!leader.has_value()) return absl::DeadlineExceededError("no leader");
    // The writer reaches the leader: a few acknowledgements from it first.
    const int64_t before = writer.last().count;
    const LoadClock waited;
    while (writer.last().node != *leader || writer.last().count < before + 3) {
      if (waited.Seconds() > absl::ToDoubleSeconds(recover_wait)) {
        return absl::DeadlineExceededError(absl::StrCat("round ", round, ": no write before"));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const LoadClock killed;
    cluster_->node(*leader).Kill();
    LastAck ack = writer.last();
    for (int polls = 0; ack.at <= killed.start() || ack.node == *leader; ++polls) {
      if (killed.Seconds() > absl::ToDoubleSeconds(recover_wait)) {
        return absl::DeadlineExceededError(
            absl::StrCat("round ", round, ": no write acknowledged after the kill"));
      }
      if (polls % 25 == 0) cluster_->Supervise();
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      ack = writer.last();
    }
    figures.seconds.push_back(std::chrono::duration<double>(ack.at - killed.start()).count());
    if (!cluster_->node(*leader).Start()) return absl::InternalError("cannot restart a node");
  }
  RETURN_IF_ERROR(AwaitWhole(recover_wait));
  figures.writes = writer.last().count;
  return figures;
}

absl::Status ClusterLoad::AwaitWhole(absl::Duration wait) {
  const absl::Time deadline = absl::Now() + wait;
  std::string state = "no registry read";
  while (absl::Now() < deadline) {
    cluster_->Supervise();
    const auto records = cluster_->Records();
    std::optional<server::cluster::NodeRecord> leader;
    if (records.ok()) {
      for (const auto& record : *records) {
        if (record.leading) leader = record;
      }
    }
    bool whole = leader.has_value() && static_cast<int>(records->size()) == cluster_->size();
    for (size_t i = 0; whole && i < records->size(); ++i) {
      const auto& record = (*records)[i];
      whole = record.term == leader->term && record.position + kCaughtUpEvents >= leader->position;
    }
    state = records.ok() ? absl::StrCat(records->size(), " nodes in the registry")
                         : std::string(records.status().message());
    if (whole) {
      for (int i = 0; i < cluster_->size(); ++i) {
        whole = whole && cluster_->channel(i)->WaitForConnected(
                             absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
      }
      if (whole) return absl::OkStatus();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return absl::DeadlineExceededError(absl::StrCat("the cluster did not come back whole within ",
                                                  absl::FormatDuration(wait), ": ", state));
}

}  // namespace clas::bench
