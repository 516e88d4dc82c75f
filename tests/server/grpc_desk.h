// A Caf agent's desk over gRPC: builds the requests of service.proto with valid defaults and
// sends them with the token of a given user. The end-to-end tests read like an agent's year.
#ifndef CLAS_TESTS_SERVER_GRPC_DESK_H_
#define CLAS_TESTS_SERVER_GRPC_DESK_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "clas/v1/service.grpc.pb.h"
#include "tests/server/server_fixture.h"

namespace clas::testing {

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

  Reply Register(const std::string& id, v1::GestionnaireKind kind, int32_t since = 0) {
    v1::RegisterGestionnaireRequest r;
    r.set_request_id(NextRequest());
    auto* c = r.mutable_command();
    c->set_caf_id(caf_);
    c->set_gestionnaire_id(id);
    c->set_name(absl::StrCat("Gestionnaire ", id));
    c->set_kind(kind);
    c->set_supported_since_school_year(since);
    c->set_date(20200101);
    return Send(ServerTest::Agent(caf_), r, &v1::Conventions::Stub::RegisterGestionnaire);
  }

  Reply File(const std::string& convention, const std::string& g, int32_t year, int32_t years,
             int collectifs, int64_t charges) {
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
    return Send(ServerTest::Agent(caf_), r, &v1::Conventions::Stub::FileFundingRequest);
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

  const std::string& caf() const { return caf_; }

 private:
  ServerTest* test_;
  std::string caf_;
  int requests_ = 0;
};

}  // namespace clas::testing

#endif  // CLAS_TESTS_SERVER_GRPC_DESK_H_
