// A Caf agent's desk over gRPC: builds the requests of service.proto with valid defaults and
// sends them with the token of a given user. The end-to-end tests read like an agent's year.
#ifndef CLAS_TESTS_SERVER_GRPC_DESK_H_
#define CLAS_TESTS_SERVER_GRPC_DESK_H_

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clas/v1/service.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "tests/server/server_fixture.h"

namespace clas::testing {

// Calls `method` (e.g. "/grpc.health.v1.Health/Check") at `channel` with the raw bytes of a
// request, through gRPC's generic stub (any method, ours or not, known or not), and waits for
// the answer (10 s deadline). The answer's bytes go to *response_bytes when given.
inline grpc::Status RawUnaryCall(const std::shared_ptr<grpc::Channel>& channel,
                                 const std::string& method, const std::string& request_bytes,
                                 std::string* response_bytes = nullptr) {
  grpc::GenericStub generic(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1), response;
  grpc::Status status;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  generic.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                    [&](grpc::Status s) {
                      std::lock_guard<std::mutex> lock(mu);
                      status = s;
                      done = true;
                      cv.notify_one();
                    });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done; });
  if (status.ok() && response_bytes != nullptr) {
    std::vector<grpc::Slice> slices;
    if (!response.Dump(&slices).ok()) return grpc::Status(grpc::StatusCode::INTERNAL, "no answer");
    response_bytes->clear();
    for (auto& s : slices) response_bytes->append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return status;
}

constexpr int64_t Eur(int64_t euros) { return euros * 100; }
constexpr int64_t Cents(int64_t euros, int64_t cents) { return euros * 100 + cents; }

struct Reply {
  grpc::Status status;
  v1::CommandResponse response;
};

class GrpcDesk {
 public:
  GrpcDesk(ServerTest* test, std::string caf) : test_(test), caf_(std::move(caf)) {}

  std::string NextRequest() { return absl::StrCat(caf_, "-req-", ++requests_); }

  template <typename Request, typename Method>
  Reply Send(const std::string& user, const Request& request, Method method) {
    Reply reply;
    auto stub = test_->conventions();
    auto context = test_->As(user);
    reply.status = ((*stub).*method)(context.get(), request, &reply.response);
    return reply;
  }

  Reply Bareme(int32_t year, int64_t plafond, int64_t bonus_e, int64_t bonus_p) {
    v1::PublishBaremeRequest r;
    r.set_request_id(NextRequest());
    auto* b = r.mutable_command()->mutable_bareme();
    b->set_school_year(year);
    b->set_plafond_cents(plafond);
    b->set_bonus_enfants_cents(bonus_e);
    b->set_bonus_parents_cents(bonus_p);
    r.mutable_command()->set_date(year * 10000 + 601);
    return Send("cnaf-bareme", r, &v1::Conventions::Stub::PublishBareme);
  }

  // A centre social gets an agrément délivré par la Caf until 31/12/2035 (R-CONV-2).
  Reply Register(const std::string& id, v1::GestionnaireKind kind, int32_t since = 0) {
    v1::RegisterGestionnaireRequest r;
    r.set_request_id(NextRequest());
    auto* c = r.mutable_command();
    c->set_caf_id(caf_);
    c->set_gestionnaire_id(id);
    c->set_name(absl::StrCat("Gestionnaire ", id));
    c->set_kind(kind);
    c->set_supported_since_school_year(since);
    if (kind == v1::CENTRE_SOCIAL) c->set_centre_social_agrement_end(20351231);
    c->set_date(20200101);
    return Send(ServerTest::Agent(caf_), r, &v1::Conventions::Stub::RegisterGestionnaire);
  }

  Reply File(const std::string& convention, const std::string& g, int32_t year, int32_t years,
             int collectifs, int64_t charges) {
    return Send(ServerTest::Agent(caf_), FileRequest(convention, g, year, years, collectifs, charges),
                &v1::Conventions::Stub::FileFundingRequest);
  }

  v1::FileFundingRequestRequest FileRequest(const std::string& convention, const std::string& g,
                                            int32_t year, int32_t years, int collectifs,
                                            int64_t charges) {
    v1::FileFundingRequestRequest r;
    r.set_request_id(NextRequest());
    auto* c = r.mutable_command();
    c->set_caf_id(caf_);
    c->set_date(year * 10000 + 601);
    auto* q = c->mutable_request();
    q->set_convention_id(convention);
    q->set_gestionnaire_id(g);
    q->set_first_school_year(year);
    q->set_school_years(years);
    for (int i = 0; i < collectifs; ++i) {
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
    q->set_action_start_date(year * 10000 + 1105);
    q->set_action_end_date((year + 1) * 10000 + 630);
    q->set_charges_cents(charges);
    return r;
  }

  Reply Agree(const std::string& convention, int32_t first, int32_t last, int32_t collectifs,
              int32_t date) {
    v1::RecordCommitteeDecisionRequest r;
    r.set_request_id(NextRequest());
    auto* c = r.mutable_command();
    c->set_caf_id(caf_);
    c->set_convention_id(convention);
    c->set_date(date);
    auto* d = c->mutable_decision();
    d->set_outcome(v1::VALIDATED);
    d->set_mode(v1::POUR_VALIDATION);
    d->set_first_school_year(first);
    d->set_last_school_year(last);
    d->set_agreed_collectifs(collectifs);
    return Send(ServerTest::Agent(caf_), r, &v1::Conventions::Stub::RecordCommitteeDecision);
  }

  Reply Sign(const std::string& convention, int32_t first, int32_t last, int32_t date) {
    v1::SignConventionRequest r;
    r.set_request_id(NextRequest());
    auto* c = r.mutable_command();
    c->set_caf_id(caf_);
    c->set_convention_id(convention);
    c->set_first_school_year(first);
    c->set_last_school_year(last);
    c->set_date(date);
    return Send(ServerTest::Agent(caf_), r, &v1::Conventions::Stub::SignConvention);
  }

  Reply Avenant(const std::string& convention, const std::string& id, int32_t year, int32_t date) {
    v1::SignAvenantRequest r;
    r.set_request_id(NextRequest());
    auto* c = r.mutable_command();
    c->set_caf_id(caf_);
    c->set_convention_id(convention);
    c->set_avenant_id(id);
    c->set_kind(v1::PROLONGATION_IDENTIQUE);
    c->set_school_year(year);
    c->set_date(date);
    return Send(ServerTest::Agent(caf_), r, &v1::Conventions::Stub::SignAvenant);
  }

  v1::PayAcompteRequest AcompteRequest(const std::string& convention, const std::string& id,
                                       int32_t year, int64_t amount, int32_t date) {
    v1::PayAcompteRequest r;
    r.set_request_id(NextRequest());
    auto* c = r.mutable_command();
    c->set_caf_id(caf_);
    c->set_convention_id(convention);
    c->set_payment_id(id);
    c->set_school_year(year);
    c->set_amount_cents(amount);
    c->set_date(date);
    return r;
  }

  Reply Acompte(const std::string& convention, const std::string& id, int32_t year,
                int64_t amount, int32_t date) {
    return Send(ServerTest::Agent(caf_), AcompteRequest(convention, id, year, amount, date),
                &v1::Conventions::Stub::PayAcompte);
  }

  Reply Bilan(const std::string& convention, int32_t year, int32_t collectifs, int64_t charges,
              int32_t date) {
    v1::ReceiveBilanRequest r;
    r.set_request_id(NextRequest());
    auto* c = r.mutable_command();
    c->set_caf_id(caf_);
    c->set_convention_id(convention);
    c->set_school_year(year);
    c->mutable_figures()->set_collectifs(collectifs);
    c->mutable_figures()->set_charges_cents(charges);
    c->set_date(date);
    return Send(ServerTest::Agent(caf_), r, &v1::Conventions::Stub::ReceiveBilan);
  }

  Reply Solde(const std::string& convention, const std::string& id, int32_t year, int32_t date) {
    v1::PaySoldeRequest r;
    r.set_request_id(NextRequest());
    auto* c = r.mutable_command();
    c->set_caf_id(caf_);
    c->set_convention_id(convention);
    c->set_payment_id(id);
    c->set_school_year(year);
    c->set_date(date);
    return Send(ServerTest::Agent(caf_), r, &v1::Conventions::Stub::PaySolde);
  }

  Reply Close(int32_t year, int32_t date) {
    v1::CloseCivilYearRequest r;
    r.set_request_id(NextRequest());
    r.mutable_command()->set_caf_id(caf_);
    r.mutable_command()->set_civil_year(year);
    r.mutable_command()->set_date(date);
    return Send(ServerTest::Agent(caf_), r, &v1::Conventions::Stub::CloseCivilYear);
  }

  // --- Helpers added for the end-to-end tests of every RPC (commands beyond the year's
  // ordinary ones). Contrôle commands are sent as the Caf's contrôleur.

  Reply AvenantOf(const std::string& convention, const std::string& id, v1::AvenantKind kind,
                  int32_t year, int32_t collectifs, int64_t charges, int32_t date) {
    v1::SignAvenantRequest r;
    r.set_request_id(NextRequest());
    auto* c = r.mutable_command();
    c->set_caf_id(caf_);
    c->set_convention_id(convention);
    c->set_avenant_id(id);
    c->set_kind(kind);
    c->set_school_year(year);
    c->set_collectifs(collectifs);
    c->set_charges_cents(charges);
    c->set_date(date);
    return Send(ServerTest::Agent(caf_), r, &v1::Conventions::Stub::SignAvenant);
  }

  v1::NotifyCollectifsRequest NotifyRequest(const std::string& convention, const std::string& id,
                                            int32_t year, int32_t collectifs, int32_t date) {
    v1::NotifyCollectifsRequest r;
    r.set_request_id(NextRequest());
    auto* c = r.mutable_command();
    c->set_caf_id(caf_);
    c->set_convention_id(convention);
    c->set_notification_id(id);
    c->set_school_year(year);
    c->set_collectifs(collectifs);
    c->set_date(date);
    return r;
  }

  Reply Notify(const std::string& convention, const std::string& id, int32_t year,
               int32_t collectifs, int32_t date) {
    return Send(ServerTest::Agent(caf_), NotifyRequest(convention, id, year, collectifs, date),
                &v1::Conventions::Stub::NotifyCollectifs);
  }

  static v1::ControlledYear Controlled(int32_t year, int32_t collectifs, int64_t charges) {
    v1::ControlledYear y;
    y.set_school_year(year);
    y.mutable_figures()->set_collectifs(collectifs);
    y.mutable_figures()->set_charges_cents(charges);
    return y;
  }

  v1::OpenControleRequest OpenControleRequest(const std::string& convention,
                                              const std::string& id, int32_t year, int32_t date) {
    v1::OpenControleRequest r;
    r.set_request_id(NextRequest());
    auto* c = r.mutable_command();
    c->set_caf_id(caf_);
    c->set_convention_id(convention);
    c->set_controle_id(id);
    c->add_school_years(year);
    c->set_date(date);
    return r;
  }

  Reply OpenControle(const std::string& convention, const std::string& id, int32_t year,
                     int32_t date) {
    return Send(ServerTest::Controleur(caf_), OpenControleRequest(convention, id, year, date),
                &v1::Conventions::Stub::OpenControle);
  }

  Reply Findings(const std::string& convention, const std::string& id,
                 const v1::ControlledYear& year, int32_t date) {
    v1::RecordControleFindingsRequest r;
    r.set_request_id(NextRequest());
    auto* c = r.mutable_command();
    c->set_caf_id(caf_);
    c->set_convention_id(convention);
    c->set_controle_id(id);
    *c->add_years() = year;
    c->set_date(date);
    return Send(ServerTest::Controleur(caf_), r, &v1::Conventions::Stub::RecordControleFindings);
  }

  v1::DecideControleRequest DecideRequest(const std::string& convention, const std::string& id,
                                          int32_t date) {
    v1::DecideControleRequest r;
    r.set_request_id(NextRequest());
    r.mutable_command()->set_caf_id(caf_);
    r.mutable_command()->set_convention_id(convention);
    r.mutable_command()->set_controle_id(id);
    r.mutable_command()->set_date(date);
    return r;
  }

  Reply Decide(const std::string& convention, const std::string& id, int32_t date) {
    return Send(ServerTest::Controleur(caf_), DecideRequest(convention, id, date),
                &v1::Conventions::Stub::DecideControle);
  }

  Reply Recover(const std::string& convention, const std::string& id, const std::string& indu,
                int64_t amount, int32_t date) {
    v1::RecordRecoveryRequest r;
    r.set_request_id(NextRequest());
    auto* c = r.mutable_command();
    c->set_caf_id(caf_);
    c->set_convention_id(convention);
    c->set_recovery_id(id);
    c->set_indu_id(indu);
    c->set_amount_cents(amount);
    c->set_method(v1::REPAYMENT);
    c->set_date(date);
    return Send(ServerTest::Controleur(caf_), r, &v1::Conventions::Stub::RecordRecovery);
  }

  Reply Rappel(const std::string& convention, const std::string& id, int32_t year,
               const std::string& controle, int32_t date) {
    v1::PayRappelRequest r;
    r.set_request_id(NextRequest());
    auto* c = r.mutable_command();
    c->set_caf_id(caf_);
    c->set_convention_id(convention);
    c->set_payment_id(id);
    c->set_school_year(year);
    c->set_controle_id(controle);
    c->set_date(date);
    return Send(ServerTest::Controleur(caf_), r, &v1::Conventions::Stub::PayRappel);
  }

  // Replaces the fact of `target` (cancel = false) or cancels it (replacement ignored).
  Reply Correct(const std::string& convention, const std::string& target,
                const std::string& reason, const v1::ClasEvent& replacement, bool cancel = false) {
    v1::CorrectEventRequest r;
    r.set_request_id(NextRequest());
    auto* c = r.mutable_command();
    c->set_caf_id(caf_);
    c->set_convention_id(convention);
    c->set_target_event_id(target);
    c->set_reason(reason);
    c->set_cancel(cancel);
    if (!cancel) *c->mutable_replacement() = replacement;
    return Send(ServerTest::Agent(caf_), r, &v1::Conventions::Stub::CorrectEvent);
  }

  // An annual convention of `collectifs` collectifs for school year `year`, filed, agreed and
  // signed (dates in May, June and July of `year`); the reply of the signature.
  Reply Convention(const std::string& convention, const std::string& g, int32_t year,
                   int collectifs, int64_t charges, int32_t years = 1) {
    Reply filed = File(convention, g, year, years, collectifs, charges);
    if (!filed.status.ok()) return filed;
    Reply agreed = Agree(convention, year, year + years - 1, collectifs, year * 10000 + 620);
    if (!agreed.status.ok()) return agreed;
    return Sign(convention, year, year + years - 1, year * 10000 + 701);
  }

  const std::string& caf() const { return caf_; }

 private:
  ServerTest* test_;
  std::string caf_;
  int requests_ = 0;
};

}  // namespace clas::testing

#endif  // CLAS_TESTS_SERVER_GRPC_DESK_H_
