// The writers: Clas commands through Conventions, raw appends through Ledger. Every request is
// retried with the same request id / event ids until it gets an answer, through kills and
// freezes, so that a retry of an append that was recorded before the crash must be answered as
// a duplicate, never recorded twice.
#include <chrono>

#include "absl/strings/str_cat.h"
#include "grpcpp/client_context.h"
#include "tools/crash/harness.h"

namespace clas::crash {
namespace {

constexpr char kCafA[] = "caf-75";
constexpr char kCafB[] = "caf-13";
constexpr char kGestionnaire[] = "g-crash";
constexpr char kServiceUser[] = "service-demo";
// The worked example of the end-to-end tests: school year 2026, 3 collectifs, a barème that
// gives a PS of 10 000,00 € (R-DROIT-3), hence an acompte cap of 2 800,00 € (R-PAY-2).
constexpr int32_t kYear = 2026;
constexpr int64_t kCharges = 3076922;
constexpr int kAcomptesPerConvention = 150;  // 1 € each: far below the cap
constexpr int kRawEventsMax = 3;
constexpr size_t kRawPayloadMax = 2048;
constexpr auto kRetryPause = std::chrono::milliseconds(20);

bool Uncertain(grpc::StatusCode code) {
  return code == grpc::StatusCode::DEADLINE_EXCEEDED || code == grpc::StatusCode::UNAVAILABLE ||
         code == grpc::StatusCode::CANCELLED;
}

std::unique_ptr<grpc::ClientContext> Context(const std::string& token, absl::Duration deadline) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("authorization", "Bearer " + token);
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::microseconds(absl::ToInt64Microseconds(deadline)));
  return context;
}

v1::FileFundingRequestRequest FileRequest(const std::string& caf, const std::string& convention) {
  v1::FileFundingRequestRequest r;
  auto* c = r.mutable_command();
  c->set_caf_id(caf);
  c->set_date(kYear * 10000 + 601);
  auto* q = c->mutable_request();
  q->set_convention_id(convention);
  q->set_gestionnaire_id(kGestionnaire);
  q->set_first_school_year(kYear);
  q->set_school_years(1);
  for (int i = 0; i < 3; ++i) {
    auto* k = q->add_collectifs();
    k->set_collectif_id(absl::StrCat("C", i + 1));
    k->set_children(10);
    k->set_animateurs(2);
    k->set_sessions_per_week(2);
    k->set_session_minutes(90);
    k->set_weeks(30);
    k->add_levels(v1::ELEMENTAIRE);
    k->set_single_accessible_place(true);
  }
  q->mutable_axes()->set_children(true);
  q->mutable_axes()->set_parents(true);
  q->mutable_axes()->set_school(true);
  q->mutable_axes()->set_local_partners(true);
  q->set_family_participation_symbolic(true);
  q->set_action_start_date(kYear * 10000 + 1105);
  q->set_action_end_date((kYear + 1) * 10000 + 630);
  q->set_charges_cents(kCharges);
  return r;
}

v1::RecordCommitteeDecisionRequest AgreeRequest(const std::string& caf,
                                                const std::string& convention) {
  v1::RecordCommitteeDecisionRequest r;
  auto* c = r.mutable_command();
  c->set_caf_id(caf);
  c->set_convention_id(convention);
  c->set_date(kYear * 10000 + 701);
  auto* d = c->mutable_decision();
  d->set_outcome(v1::VALIDATED);
  d->set_mode(v1::POUR_VALIDATION);
  d->set_first_school_year(kYear);
  d->set_last_school_year(kYear);
  d->set_agreed_collectifs(3);
  return r;
}

v1::SignConventionRequest SignRequest(const std::string& caf, const std::string& convention) {
  v1::SignConventionRequest r;
  auto* c = r.mutable_command();
  c->set_caf_id(caf);
  c->set_convention_id(convention);
  c->set_first_school_year(kYear);
  c->set_last_school_year(kYear);
  c->set_date(kYear * 10000 + 715);
  return r;
}

v1::PayAcompteRequest AcompteRequest(const std::string& caf, const std::string& convention,
                                     int number) {
  v1::PayAcompteRequest r;
  auto* c = r.mutable_command();
  c->set_caf_id(caf);
  c->set_convention_id(convention);
  c->set_payment_id(absl::StrCat("a", number));
  c->set_school_year(kYear);
  c->set_amount_cents(100);
  c->set_date(kYear * 10000 + 1015);
  return r;
}

}  // namespace

absl::StatusOr<Tokens> DemoTokens(
    const std::function<absl::StatusOr<std::string>(const std::string& user)>& token_of) {
  Tokens tokens;
  for (auto [user, token] : {std::pair{"agent-caf-75", &tokens.agent_a},
                             {"agent-caf-13", &tokens.agent_b},
                             {"service-demo", &tokens.service},
                             {"auditeur", &tokens.auditeur},
                             {"cnaf-bareme", &tokens.cnaf}}) {
    absl::StatusOr<std::string> found = token_of(user);
    if (!found.ok()) return found.status();
    *token = *std::move(found);
  }
  return tokens;
}

Workload::Workload(Endpoint* endpoint, Journal* journal, Tokens tokens, uint64_t seed,
                   absl::Duration deadline, int command_writers, int raw_writers)
    : endpoint_(endpoint),
      journal_(journal),
      tokens_(std::move(tokens)),
      seed_(seed),
      deadline_(deadline),
      command_writers_(command_writers),
      raw_writers_(raw_writers) {}

Workload::~Workload() {
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

bool Workload::Enter(bool request_pending) {
  absl::MutexLock lock(&mu_);
  ++waiting_;
  mu_.Await(absl::Condition(
      +[](bool* paused) { return !*paused; }, &paused_));
  --waiting_;
  return !abandoned_ && (request_pending || !stopping_);
}

void Workload::Pause() {
  absl::MutexLock lock(&mu_);
  paused_ = true;
  const int writers = static_cast<int>(threads_.size());
  auto all_waiting = [this, writers]()
                         ABSL_SHARED_LOCKS_REQUIRED(mu_) { return waiting_ == writers; };
  mu_.Await(absl::Condition(&all_waiting));
}

void Workload::Resume() {
  absl::MutexLock lock(&mu_);
  paused_ = false;
}

void Workload::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    paused_ = false;
  }
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

void Workload::GiveUp() {
  absl::MutexLock lock(&mu_);
  abandoned_ = true;
  stopping_ = true;
  paused_ = false;
}

void Workload::Abandon() {
  GiveUp();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

void Workload::Fail(const std::string& what) {
  ++counters_.failures;
  journal_->Note(absl::StrCat("FAILURE ", what));
  absl::MutexLock lock(&mu_);
  if (failure_.ok()) failure_ = absl::InternalError(what);
}

absl::Status Workload::failure() const {
  absl::MutexLock lock(&mu_);
  return failure_;
}

// Sends one command until it is answered; the final status (OK, or a definite refusal), or
// nullopt when the workload stopped before it was first sent.
template <typename Request, typename Method>
static std::optional<grpc::Status> SendCommand(Workload* workload, Endpoint* endpoint,
                                               Journal* journal, WorkloadCounters* counters,
                                               const std::function<bool(bool)>& enter,
                                               const std::string& token, absl::Duration deadline,
                                               const std::string& caf, Request request,
                                               Method method, v1::CommandResponse* response) {
  bool sent = false;
  while (enter(sent)) {
    if (!sent) journal->SentCommand(caf, request.request_id());
    sent = true;
    auto stub = v1::Conventions::NewStub(endpoint->channel());
    auto context = Context(token, deadline);
    response->Clear();
    const grpc::Status status = ((*stub).*method)(context.get(), request, response);
    if (!Uncertain(status.error_code())) return status;
    if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED)
      ++counters->deadline_exceeded;
    else
      ++counters->unavailable;
    std::this_thread::sleep_for(kRetryPause);
  }
  return std::nullopt;
}

absl::Status Workload::Setup() {
  auto enter = [this](bool pending) { return Enter(pending); };
  auto acked = [this](const v1::CommandResponse& response) {
    std::vector<AckedEvent> events;
    for (const auto& e : response.events()) {
      events.push_back(
          {e.event_id(), e.stream_id(), e.stream_version(), e.position(), e.hash(), {}});
    }
    journal_->Acked(events);
    ++counters_.acknowledged;
  };
  v1::CommandResponse response;
  v1::PublishBaremeRequest bareme;
  bareme.set_request_id("setup-bareme");
  auto* b = bareme.mutable_command()->mutable_bareme();
  b->set_school_year(kYear);
  b->set_plafond_cents(1100000);
  b->set_bonus_enfants_cents(100000);
  b->set_bonus_parents_cents(150000);
  bareme.mutable_command()->set_date(kYear * 10000 + 601);
  auto status = SendCommand(this, endpoint_, journal_, &counters_, enter, tokens_.cnaf, deadline_,
                            "cnaf", bareme, &v1::Conventions::Stub::PublishBareme, &response);
  if (!status.has_value() || !status->ok()) {
    return absl::InternalError("publishing the barème: " +
                               (status.has_value() ? status->error_message() : "stopped"));
  }
  acked(response);
  for (const auto& [caf, token] : {std::pair{kCafA, tokens_.agent_a}, {kCafB, tokens_.agent_b}}) {
    v1::RegisterGestionnaireRequest r;
    r.set_request_id("setup-gestionnaire");
    auto* c = r.mutable_command();
    c->set_caf_id(caf);
    c->set_gestionnaire_id(kGestionnaire);
    c->set_name("Gestionnaire du test de crash");
    c->set_kind(v1::ASSOCIATION);
    c->set_date(20200101);
    status = SendCommand(this, endpoint_, journal_, &counters_, enter, token, deadline_, caf, r,
                         &v1::Conventions::Stub::RegisterGestionnaire, &response);
    if (!status.has_value() || !status->ok()) {
      return absl::InternalError(
          absl::StrCat("registering the gestionnaire of ", caf, ": ",
                       status.has_value() ? status->error_message() : "stopped"));
    }
    acked(response);
  }
  return absl::OkStatus();
}

void Workload::Start() {
  for (int i = 0; i < command_writers_; ++i) threads_.emplace_back([this, i] { CommandWriter(i); });
  for (int i = 0; i < raw_writers_; ++i) threads_.emplace_back([this, i] { RawWriter(i); });
}

void Workload::CommandWriter(int index) {
  const std::string caf = index % 2 == 0 ? kCafA : kCafB;
  const std::string& token = index % 2 == 0 ? tokens_.agent_a : tokens_.agent_b;
  auto enter = [this](bool pending) { return Enter(pending); };
  for (int number = 0;; ++number) {
    const std::string convention = absl::StrCat("crash-w", index, "-c", number);
    // Steps 0, 1, 2: file, agree, sign; then the acomptes.
    for (int step = 0; step < 3 + kAcomptesPerConvention; ++step) {
      const std::string request_id = absl::StrCat(convention, "-s", step);
      v1::CommandResponse response;
      std::optional<grpc::Status> status;
      if (step == 0) {
        auto r = FileRequest(caf, convention);
        r.set_request_id(request_id);
        status = SendCommand(this, endpoint_, journal_, &counters_, enter, token, deadline_, caf, r,
                             &v1::Conventions::Stub::FileFundingRequest, &response);
      } else if (step == 1) {
        auto r = AgreeRequest(caf, convention);
        r.set_request_id(request_id);
        status = SendCommand(this, endpoint_, journal_, &counters_, enter, token, deadline_, caf, r,
                             &v1::Conventions::Stub::RecordCommitteeDecision, &response);
      } else if (step == 2) {
        auto r = SignRequest(caf, convention);
        r.set_request_id(request_id);
        status = SendCommand(this, endpoint_, journal_, &counters_, enter, token, deadline_, caf, r,
                             &v1::Conventions::Stub::SignConvention, &response);
      } else {
        auto r = AcompteRequest(caf, convention, step - 2);
        r.set_request_id(request_id);
        status = SendCommand(this, endpoint_, journal_, &counters_, enter, token, deadline_, caf, r,
                             &v1::Conventions::Stub::PayAcompte, &response);
      }
      if (!status.has_value()) return;  // stopped
      if (!status->ok()) {
        Fail(absl::StrCat("command ", request_id, " of ", caf, " refused: ",
                          static_cast<int>(status->error_code()), " ", status->error_message()));
        return;
      }
      if (response.events_size() == 0) {
        Fail(absl::StrCat("command ", request_id, " answered without events"));
        return;
      }
      std::vector<AckedEvent> events;
      for (const auto& e : response.events()) {
        events.push_back(
            {e.event_id(), e.stream_id(), e.stream_version(), e.position(), e.hash(), {}});
      }
      journal_->Acked(events);
      ++counters_.acknowledged;
      if (response.replayed()) ++counters_.replayed;
      if (response.has_figures()) {
        const auto& last = response.events(response.events_size() - 1);
        journal_->ConventionAcked({caf, convention, last.stream_id(), last.stream_version(),
                                   last.position(), response.figures()});
      }
    }
  }
}

void Workload::RawWriter(int index) {
  std::mt19937_64 random(seed_ * 1000003 + static_cast<uint64_t>(index));
  const std::string stream = absl::StrCat("ext/", kServiceUser, "/crash-", index);
  uint64_t version = 0;
  for (uint64_t number = 0;; ++number) {
    if (!Enter(false)) return;
    v1::AppendRequest request;
    request.set_stream_id(stream);
    request.set_expected_kind(v1::EXPECTED_EXACTLY);
    request.set_expected_version(version);
    const int count = 1 + static_cast<int>(random() % kRawEventsMax);
    std::vector<std::pair<std::string, std::string>> sent;
    for (int k = 0; k < count; ++k) {
      std::string payload(1 + random() % kRawPayloadMax, '\0');
      for (char& c : payload) c = static_cast<char>(random() & 0xff);
      auto* e = request.add_events();
      e->set_event_id(absl::StrCat("crash-r", index, "-", number, "-", k));
      e->set_event_type("crash_note");
      e->set_payload(payload);
      sent.emplace_back(e->event_id(), payload);
    }
    journal_->SentRaw(stream, sent);
    v1::AppendResponse response;
    grpc::Status status;
    for (bool first = true; first || Enter(true); first = false) {
      auto stub = v1::Ledger::NewStub(endpoint_->channel());
      auto context = Context(tokens_.service, deadline_);
      response.Clear();
      status = stub->Append(context.get(), request, &response);
      if (!Uncertain(status.error_code())) break;
      if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED)
        ++counters_.deadline_exceeded;
      else
        ++counters_.unavailable;
      std::this_thread::sleep_for(kRetryPause);
    }
    if (Uncertain(status.error_code())) return;  // abandoned, unanswered
    if (!status.ok()) {
      Fail(absl::StrCat("append to ", stream, " at version ", version, " refused: ",
                        static_cast<int>(status.error_code()), " ", status.error_message()));
      return;
    }
    const uint64_t expected_last = version + static_cast<uint64_t>(count);
    if (response.first_version() != version + 1 || response.last_version() != expected_last ||
        response.last_position() - response.first_position() + 1 != static_cast<uint64_t>(count)) {
      Fail(absl::StrCat("append to ", stream, " answered versions ", response.first_version(), "..",
                        response.last_version(), " positions ", response.first_position(), "..",
                        response.last_position(), " for ", count, " events after version ",
                        version));
      return;
    }
    std::vector<AckedEvent> events;
    for (int k = 0; k < count; ++k) {
      AckedEvent e{sent[k].first, stream, version + 1 + k, response.first_position() + k, "",
                   sent[k].second};
      if (k == count - 1) e.hash = response.last_hash();
      events.push_back(std::move(e));
    }
    journal_->Acked(events);
    ++counters_.acknowledged;
    if (response.duplicate()) ++counters_.replayed;
    version = expected_last;
  }
}

}  // namespace clas::crash
