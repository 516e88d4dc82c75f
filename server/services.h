// The gRPC services of service.proto. Each handler is three steps: check the caller, call the
// engine or the store, convert the result. No rule lives here.
//
// Thread-safety: handlers run on gRPC's threads; the engine, the store and the guard are
// thread-safe.
#ifndef CLAS_SERVER_SERVICES_H_
#define CLAS_SERVER_SERVICES_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>

#include "absl/time/time.h"
#include "clas/v1/service.grpc.pb.h"
#include "ledger/event_store.h"
#include "projections/engine/engine.h"
#include "server/call_log.h"
#include "server/guard.h"
#include "server/open_subscriptions.h"
#include "server/replication_acks.h"

namespace clas::server {

// Longest a streaming handler waits without re-checking its caller's credentials
// (Caller::still_valid, guard.h): a token removed or expired ends the call's stream within a
// second. Half of that, because the time from a check to the next wait (a page read, an item
// written) adds to it. A promise about revocation, not a setting: hence no field of
// ServiceLimits, whose subscribe_idle_tick may be longer.
inline constexpr absl::Duration kCredentialsRecheckInterval = absl::Milliseconds(500);

// Settings of the services, each a documented limit.
struct ServiceLimits {
  int32_t page_size_default = 50;
  int32_t page_size_max = 500;
  // Conventions folded by one ListConventions call: a filter that matches nothing would fold
  // every convention of every Caf the caller reads in one call. Past this many, the page ends
  // (possibly short, even empty) with a next_page_token to go on from.
  int32_t list_scan_max = 2000;
  int32_t read_events_max = 1000;          // per ReadStream / ReadAll call
  int32_t civil_year_lines_max = 5000;     // lines of one GetCivilYear page
  // Per ReadStream / ReadAll answer, so that it fits the message limit (the server lowers it to
  // 3/4 of max_message_bytes); an answer holds at least one event.
  int64_t read_bytes_max = int64_t{3} << 20;
  // Per answer of a command or a list (ListConventions, GetCivilYear's lines), so that it fits
  // the message limit (the server lowers it to 3/4 of max_message_bytes): a list ends its page
  // there, a command's answer leaves its events' facts out.
  int64_t answer_bytes_max = int64_t{3} << 20;
  absl::Duration subscribe_idle_tick = absl::Seconds(1);  // caught_up_to while idle
  int32_t replay_events_max = 10'000;      // per ReplayHistory call
  // RecomputeHistory: differences per answer (page_size 0: the default; over the largest:
  // INVALID_ARGUMENT), and the events one call recomputes, Caf after Caf: past this many it
  // ends its page (possibly without a difference) with a token, the Caf it is in finished.
  int32_t recompute_page_default = 100;
  int32_t recompute_page_max = 1000;
  int64_t recompute_events_max = 200'000;
  // Longest a subscription stays open; it then ends (UNAVAILABLE) with the position to resume
  // from, so that no stream holds a server thread for ever and clients reconnect regularly.
  absl::Duration subscribe_duration_max = absl::Hours(1);
  // Subscriptions open at once, over every connection: each holds a server thread for its
  // whole life, so that past this many a new one is refused (RESOURCE_EXHAUSTED) rather than
  // letting clients exhaust the process's threads.
  int32_t subscriptions_max = 256;
  // Entries of a subscription's caf_ids or event_types filter (each event is matched against
  // them).
  int32_t subscribe_filter_max = 1000;
  // Records of one Ledger.Replicate item (and no more than read_bytes_max bytes of them, at
  // least one). Replication streams count among the subscriptions (subscriptions_max) and end
  // after subscribe_duration_max as they do.
  int32_t replicate_records_max = 1000;
};

struct ServiceDeps {
  Engine* engine = nullptr;
  ledger::EventStore* store = nullptr;
  const Guard* guard = nullptr;
  ServiceLimits limits;
  // Set when the server is shutting down: streams end with a resumable position.
  const std::atomic<bool>* stopping = nullptr;
  // The subscriptions open now, where Ledger.Subscribe counts its own. Required by the
  // LedgerService.
  OpenSubscriptions* subscriptions = nullptr;
  // Where calls are counted when they end (the server's metrics); null: nowhere.
  CallCounter* calls = nullptr;
  // The highest log position a verification of the chain that passed has reached in this
  // process (at start, or by Audit.VerifyChain), which VerifyChain raises; null: not kept.
  std::atomic<uint64_t>* chain_verified_to = nullptr;
  // Tests only: called on each record Ledger.Replicate is about to send, which it may change
  // (a forged record, to check a follower refuses it). Empty in clas-ledgerd.
  std::function<void(ledger::StoredRecord&)> replicate_hook_for_tests;
  // In a cluster (cluster_node.h): this node's term while it leads, nullopt while it does not
  // (then Ledger.Replicate is refused, and a stream open ends: a follower takes records from the
  // leader only). Empty outside a cluster: term 0, always served.
  std::function<std::optional<uint64_t>()> leader_term;
  // In a cluster: the followers' reports (Ledger.ReportReplicated) and the wait of a write for
  // them before it is answered (replication_acks.h); null outside a cluster.
  ReplicationAcks* acks = nullptr;
  // The longest a write waits for its followers, within its own deadline.
  absl::Duration replication_ack_timeout = absl::Seconds(5);
};

// Waits until the followers a leader needs hold `position` (d.acks; OK at once without),
// bounded by the call's deadline and d.replication_ack_timeout: the last step of every write.
absl::Status AwaitReplicated(const ServiceDeps& d, const grpc::ServerContext& context,
                             uint64_t position);

class ConventionsService final : public v1::Conventions::Service {
 public:
  explicit ConventionsService(ServiceDeps deps) : d_(deps) {}
#define CLAS_DECLARE_COMMAND(Method)                                                      \
  grpc::Status Method(grpc::ServerContext* context, const v1::Method##Request* request, \
                      v1::CommandResponse* response) override;
  CLAS_DECLARE_COMMAND(RegisterGestionnaire)
  CLAS_DECLARE_COMMAND(RenewCentreSocialAgrement)
  CLAS_DECLARE_COMMAND(PublishBareme)
  CLAS_DECLARE_COMMAND(FileFundingRequest)
  CLAS_DECLARE_COMMAND(RecordCommitteeDecision)
  CLAS_DECLARE_COMMAND(SignConvention)
  CLAS_DECLARE_COMMAND(SignAvenant)
  CLAS_DECLARE_COMMAND(NotifyCollectifs)
  CLAS_DECLARE_COMMAND(PayAcompte)
  CLAS_DECLARE_COMMAND(ReceiveBilan)
  CLAS_DECLARE_COMMAND(PaySolde)
  CLAS_DECLARE_COMMAND(OpenControle)
  CLAS_DECLARE_COMMAND(RecordControleFindings)
  CLAS_DECLARE_COMMAND(DecideControle)
  CLAS_DECLARE_COMMAND(RecordRecovery)
  CLAS_DECLARE_COMMAND(PayRappel)
  CLAS_DECLARE_COMMAND(CloseCivilYear)
  CLAS_DECLARE_COMMAND(CorrectEvent)
#undef CLAS_DECLARE_COMMAND

 private:
  ServiceDeps d_;
};

class QueriesService final : public v1::Queries::Service {
 public:
  explicit QueriesService(ServiceDeps deps) : d_(deps) {}
  grpc::Status GetConvention(grpc::ServerContext*, const v1::GetConventionRequest*,
                             v1::GetConventionResponse*) override;
  grpc::Status ListConventions(grpc::ServerContext*, const v1::ListConventionsRequest*,
                               v1::ListConventionsResponse*) override;
  grpc::Status GetGestionnaire(grpc::ServerContext*, const v1::GetGestionnaireRequest*,
                               v1::GetGestionnaireResponse*) override;
  grpc::Status GetCivilYear(grpc::ServerContext*, const v1::GetCivilYearRequest*,
                            v1::GetCivilYearResponse*) override;
  grpc::Status ComputeDroit(grpc::ServerContext*, const v1::ComputeDroitRequest*,
                            v1::ComputeDroitResponse*) override;
  grpc::Status SimulateControle(grpc::ServerContext*, const v1::SimulateControleRequest*,
                                v1::SimulateControleResponse*) override;

 private:
  ServiceDeps d_;
};

class AuditService final : public v1::Audit::Service {
 public:
  explicit AuditService(ServiceDeps deps) : d_(deps) {}
  grpc::Status ReplayHistory(grpc::ServerContext*, const v1::ReplayHistoryRequest*,
                             grpc::ServerWriter<v1::ReplayHistoryItem>*) override;
  grpc::Status DiffStates(grpc::ServerContext*, const v1::DiffStatesRequest*,
                          v1::DiffStatesResponse*) override;
  grpc::Status VerifyChain(grpc::ServerContext*, const v1::VerifyChainRequest*,
                           v1::VerifyChainResponse*) override;
  grpc::Status ExportConvention(grpc::ServerContext*, const v1::ExportConventionRequest*,
                                v1::ConventionExport*) override;
  grpc::Status RecomputeHistory(grpc::ServerContext*, const v1::RecomputeHistoryRequest*,
                                v1::RecomputeHistoryResponse*) override;

 private:
  ServiceDeps d_;
};

class LedgerService final : public v1::Ledger::Service {
 public:
  // REQUIRES: deps.subscriptions is set.
  explicit LedgerService(ServiceDeps deps) : d_(deps) {}
  grpc::Status Append(grpc::ServerContext*, const v1::AppendRequest*,
                      v1::AppendResponse*) override;
  grpc::Status ReadStream(grpc::ServerContext*, const v1::ReadStreamRequest*,
                          v1::ReadResponse*) override;
  grpc::Status ReadAll(grpc::ServerContext*, const v1::ReadAllRequest*,
                       v1::ReadResponse*) override;
  grpc::Status Subscribe(grpc::ServerContext*, const v1::SubscribeRequest*,
                         grpc::ServerWriter<v1::SubscribeItem>*) override;
  // In ledger_replicate.cc.
  grpc::Status Replicate(grpc::ServerContext*, const v1::ReplicateRequest*,
                         grpc::ServerWriter<v1::ReplicateResponse>*) override;
  grpc::Status ReportReplicated(grpc::ServerContext*, const v1::ReportReplicatedRequest*,
                                v1::ReportReplicatedResponse*) override;

 private:
  ServiceDeps d_;
};

}  // namespace clas::server

#endif  // CLAS_SERVER_SERVICES_H_
