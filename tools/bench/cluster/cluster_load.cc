#include "tools/bench/cluster/cluster_load.h"

#include <chrono>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "grpcpp/client_context.h"
#include "ledger/base/status_macros.h"
#include "tools/bench/cluster/load_clock.h"

namespace clas::bench {
namespace {

// A call's deadline: past the server's wait for followers' acknowledgements (5 s by default), so
// that a write the followers do not confirm is counted as the server's refusal, not ours.
constexpr absl::Duration kCallDeadline = absl::Seconds(10);
// The stream no one writes: a read of it answers nothing but the node's head.
constexpr char kEmptyStream[] = "ext/service-demo/never-written";
// The random bytes the payloads are cut from (ClusterLoad::Payload), beyond the payload's size.
constexpr size_t kPayloadSourceBytes = 1 << 16;

std::string RandomBytes(size_t count) {
  std::mt19937_64 random(20261207);
  std::string out(count, '\0');
  for (char& c : out) c = static_cast<char>(random() & 0xFF);
  return out;
}

// Adds one call's outcome to a load's figures.
void Count(const grpc::Status& status, uint64_t events, double latency_ms, CallFigures* figures,
           std::vector<double>* latencies) {
  if (status.ok()) {
    ++figures->calls;
    figures->events += events;
    latencies->push_back(latency_ms);
    return;
  }
  if (figures->errors++ == 0) {
    figures->first_error =
        absl::StrCat(static_cast<int>(status.error_code()), " ", status.error_message());
  }
}

// The figures of threads that counted apart, put together.
CallFigures Merge(const std::vector<CallFigures>& parts,
                  const std::vector<std::vector<double>>& latencies, double seconds) {
  CallFigures out;
  std::vector<double> all;
  for (size_t i = 0; i < parts.size(); ++i) {
    out.calls += parts[i].calls;
    out.errors += parts[i].errors;
    out.events += parts[i].events;
    if (out.first_error.empty()) out.first_error = parts[i].first_error;
    all.insert(all.end(), latencies[i].begin(), latencies[i].end());
  }
  out.seconds = seconds;
  out.latency_ms = Summarise(std::move(all));
  return out;
}

}  // namespace

ClusterLoad::ClusterLoad(local_cluster::LocalCluster* cluster, std::string token,
                         size_t payload_bytes)
    : cluster_(cluster),
      token_(std::move(token)),
      payload_bytes_(payload_bytes),
      payload_source_(RandomBytes(kPayloadSourceBytes + payload_bytes)) {
  CLAS_CHECK(payload_bytes > 0 && payload_bytes <= kPayloadSourceBytes) << payload_bytes;
  for (int i = 0; i < cluster_->size(); ++i) {
    stubs_.push_back(v1::Ledger::NewStub(cluster_->channel(i)));
  }
}

void ClusterLoad::Authorise(grpc::ClientContext* context, absl::Duration deadline) const {
  context->AddMetadata("authorization", absl::StrCat("Bearer ", token_));
  context->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
}

std::string ClusterLoad::Payload(uint64_t n) const {
  return payload_source_.substr((n * 4099) % kPayloadSourceBytes, payload_bytes_);
}

grpc::Status ClusterLoad::Append(int node, const std::string& stream, const std::string& tag,
                                 uint64_t first, int count, v1::AppendResponse* response) {
  v1::AppendRequest request;
  request.set_stream_id(stream);
  for (int i = 0; i < count; ++i) {
    const uint64_t n = first + i;
    auto* event = request.add_events();
    event->set_event_id(absl::StrCat(tag, "-", n));
    event->set_event_type("bench");
    event->set_payload(Payload(n));
  }
  grpc::ClientContext context;
  Authorise(&context, kCallDeadline);
  return stub(node).Append(&context, request, response);
}

absl::StatusOr<uint64_t> ClusterLoad::Head(int node) {
  v1::ReadStreamRequest request;
  request.set_stream_id(kEmptyStream);
  request.set_max_count(1);
  grpc::ClientContext context;
  Authorise(&context, absl::Seconds(2));
  v1::ReadResponse response;
  const grpc::Status status = stub(node).ReadStream(&context, request, &response);
  if (!status.ok()) {
    return absl::UnavailableError(
        absl::StrCat(cluster_->node(node).node_id(), ": ", status.error_message()));
  }
  return response.head_position();
}

absl::StatusOr<int> ClusterLoad::AwaitReady(absl::Duration wait) {
  const absl::Time deadline = absl::Now() + wait;
  const std::string tag = absl::StrCat("ready", ++load_count_);
  std::string last_error = "no leader";
  while (absl::Now() < deadline) {
    const std::optional<int> leader = cluster_->AwaitLeader(std::nullopt, absl::Seconds(1));
    const auto records = cluster_->Records();
    if (leader.has_value() && records.ok() &&
        static_cast<int>(records->size()) == cluster_->size()) {
      v1::AppendResponse response;
      const grpc::Status status =
          Append(*leader, absl::StrCat("ext/service-demo/", tag), tag, 0, 1, &response);
      if (status.ok()) return *leader;
      last_error = status.error_message();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return absl::DeadlineExceededError(absl::StrCat("the cluster takes no write after ",
                                                  absl::FormatDuration(wait), ": ", last_error));
}

CallFigures ClusterLoad::AppendBatches(int leader, int batch, double seconds) {
  CLAS_CHECK(batch >= 1 && batch <= kBatchEventsMax) << batch;
  const std::string tag = absl::StrCat("b", ++load_count_);
  CallFigures figures;
  std::vector<double> latencies;
  const LoadClock clock;
  for (uint64_t b = 0; clock.Seconds() < seconds; ++b) {
    v1::AppendResponse response;
    const LoadClock call;
    const grpc::Status status = Append(leader, absl::StrCat("ext/service-demo/", tag, "-", b), tag,
                                       b * batch, batch, &response);
    Count(status, batch, call.Milliseconds(), &figures, &latencies);
  }
  figures.seconds = clock.Seconds();
  figures.latency_ms = Summarise(std::move(latencies));
  return figures;
}

CallFigures ClusterLoad::AppendConcurrent(int leader, int writers, double seconds,
                                          LagFigures* lag) {
  CLAS_CHECK(writers >= 1 && writers <= kLoadThreadsMax) << writers;
  const std::string tag = absl::StrCat("c", ++load_count_);
  std::vector<CallFigures> parts(writers);
  std::vector<std::vector<double>> latencies(writers);
  const LoadClock clock;
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      const std::string own = absl::StrCat(tag, "w", w);
      const std::string stream = absl::StrCat("ext/service-demo/", own);
      for (uint64_t n = 0; clock.Seconds() < seconds; ++n) {
        v1::AppendResponse response;
        const LoadClock call;
        const grpc::Status status = Append(leader, stream, own, n, 1, &response);
        Count(status, 1, call.Milliseconds(), &parts[w], &latencies[w]);
      }
    });
  }
  std::vector<double> from_heads, from_registry;
  int64_t failed_samples = 0;
  while (lag != nullptr && clock.Seconds() < seconds) {
    const LoadClock sample;
    failed_samples += SampleLag(leader, &from_heads, &from_registry) ? 0 : 1;
    std::this_thread::sleep_for(
        std::chrono::microseconds(absl::ToInt64Microseconds(kLagSampleInterval)) -
        std::chrono::microseconds(static_cast<int64_t>(sample.Milliseconds() * 1000)));
  }
  for (std::thread& t : threads) t.join();
  if (lag != nullptr) {
    lag->from_heads = Summarise(std::move(from_heads));
    lag->from_registry = Summarise(std::move(from_registry));
    lag->failed_samples = failed_samples;
  }
  return Merge(parts, latencies, clock.Seconds());
}

bool ClusterLoad::SampleLag(int leader, std::vector<double>* from_heads,
                            std::vector<double>* from_registry) {
  // The followers' heads first, then the leader's: what the leader appends between the reads
  // (a fraction of a millisecond) is counted as lag, never hidden.
  std::vector<uint64_t> heads;
  for (int i = 0; i < cluster_->size(); ++i) {
    if (i == leader) continue;
    const absl::StatusOr<uint64_t> head = Head(i);
    if (!head.ok()) return false;
    heads.push_back(*head);
  }
  const absl::StatusOr<uint64_t> leader_head = Head(leader);
  if (!leader_head.ok()) return false;
  for (uint64_t head : heads) {
    from_heads->push_back(*leader_head > head ? static_cast<double>(*leader_head - head) : 0.0);
  }
  const auto records = cluster_->Records();
  if (!records.ok()) return false;
  const std::vector<double> lags = LagsFromRecords(*records);
  from_registry->insert(from_registry->end(), lags.begin(), lags.end());
  return !lags.empty();
}

absl::Status ClusterLoad::AwaitPosition(uint64_t position, absl::Duration wait) {
  const absl::Time deadline = absl::Now() + wait;
  for (int node = 0; node < cluster_->size(); ++node) {
    absl::StatusOr<uint64_t> head = Head(node);
    while (absl::Now() < deadline && (!head.ok() || *head < position)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      head = Head(node);
    }
    if (!head.ok() || *head < position) {
      return absl::DeadlineExceededError(absl::StrCat(cluster_->node(node).node_id(),
                                                      " does not hold position ", position,
                                                      " after ", absl::FormatDuration(wait)));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<double> ClusterLoad::AwaitFollowers(int leader, absl::Duration wait) {
  ASSIGN_OR_RETURN(const uint64_t head, Head(leader));
  const LoadClock clock;
  RETURN_IF_ERROR(AwaitPosition(head, wait));
  return clock.Seconds();
}

absl::StatusOr<std::string> ClusterLoad::PrepareReadStream(int leader, int events,
                                                           absl::Duration wait) {
  CLAS_CHECK(events >= 1 && events <= kBatchEventsMax) << events;
  const std::string tag = absl::StrCat("r", ++load_count_);
  const std::string stream = absl::StrCat("ext/service-demo/", tag);
  v1::AppendResponse response;
  const grpc::Status status = Append(leader, stream, tag, 0, events, &response);
  if (!status.ok()) {
    return absl::UnavailableError(absl::StrCat("the stream to read: ", status.error_message()));
  }
  RETURN_IF_ERROR(AwaitPosition(response.last_position(), wait));
  return stream;
}

CallFigures ClusterLoad::Reads(const std::vector<int>& nodes, const std::string& stream, int events,
                               int threads, double seconds) {
  CLAS_CHECK(!nodes.empty() && threads >= 1 && threads <= kLoadThreadsMax) << threads;
  std::vector<CallFigures> parts(threads);
  std::vector<std::vector<double>> latencies(threads);
  const LoadClock clock;
  std::vector<std::thread> readers;
  for (int t = 0; t < threads; ++t) {
    readers.emplace_back([&, t] {
      const int node = nodes[t % nodes.size()];
      v1::ReadStreamRequest request;
      request.set_stream_id(stream);
      request.set_from_version(1);
      request.set_max_count(events);
      while (clock.Seconds() < seconds) {
        grpc::ClientContext context;
        Authorise(&context, kCallDeadline);
        v1::ReadResponse response;
        const LoadClock call;
        grpc::Status status = stub(node).ReadStream(&context, request, &response);
        if (status.ok() && response.events_size() != events) {
          status = grpc::Status(grpc::StatusCode::DATA_LOSS,
                                absl::StrCat("read ", response.events_size(), " events of ", events,
                                             " from ", cluster_->node(node).node_id()));
        }
        Count(status, response.events_size(), call.Milliseconds(), &parts[t], &latencies[t]);
      }
    });
  }
  for (std::thread& r : readers) r.join();
  return Merge(parts, latencies, clock.Seconds());
}

}  // namespace clas::bench
