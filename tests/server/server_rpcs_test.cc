// End-to-end, every RPC of Conventions and Queries not driven by server_e2e_test.cc, through a
// real server: the contrôle commands as a contrôleur (an indu recovered, a rappel paid), a
// notification of collectifs and its correction, a prolongation avenant, then the queries: a
// state as of D known at T and at an earlier answer's position, lists with filters and pages, a
// gestionnaire, a civil year's accounts, RULES.md §5's droit, a simulation that writes nothing.
// Every refusal is checked for its code, its rule ids and a log head that did not move.
//
// Barème 2026 (illustrative): plafond 7 000,00 €, bonus 1 000,00 € / 1 500,00 €. An association,
// C = 2, forecast charges 14 000,00 €: DP PS = (1 400 000 × 13 + 20) div 40 → 4 550,00 €;
// acomptes at their caps 1 274,00 € (28 %) and 1 911,00 € (42 %).
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/e2e_support.h"
#include "tests/server/grpc_desk.h"

namespace clas::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class Rpcs : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    ASSERT_TRUE(desk_.Bareme(2026, Eur(7000), Eur(1000), Eur(1500)).status.ok());
    ASSERT_TRUE(desk_.Register("asso-5", v1::ASSOCIATION).status.ok());
  }

  // conv-a of asso-5 for 2026-2027: both acomptes, the bilan with final charges `charges`
  // (20/09/2027) and the solde (15/10/2027).
  void PaidYear(const std::string& conv, int64_t charges) {
    Reply signed_ = desk_.Convention(conv, "asso-5", 2026, 2, Eur(14000));
    ASSERT_TRUE(signed_.status.ok()) << signed_.status.error_message();
    ASSERT_EQ(signed_.response.figures().years(0).dp().ps_cents(), Eur(4550));
    ASSERT_TRUE(desk_.Acompte(conv, "a1", 2026, Eur(1274), 20261102).status.ok());
    ASSERT_TRUE(desk_.Acompte(conv, "a2", 2026, Eur(1911), 20270201).status.ok());
    ASSERT_TRUE(desk_.Bilan(conv, 2026, 2, charges, 20270920).status.ok());
    Reply solde = desk_.Solde(conv, "s1", 2026, 20271015);
    ASSERT_TRUE(solde.status.ok()) << solde.status.error_message();
  }

  // A refusal: its code, the rule it names, and nothing written.
  void ExpectRefused(const Reply& reply, grpc::StatusCode code, const std::string& rule,
                     uint64_t head) {
    EXPECT_EQ(reply.status.error_code(), code) << reply.status.error_message();
    if (!rule.empty()) {
      EXPECT_THAT(RuleIds(reply.status), Contains(rule));
    }
    EXPECT_EQ(HeadOf(*this), head);
  }

  GrpcDesk desk_{this, kCafA};
};

// R-CTL-1/2/3/5: controlled charges of 10 000,00 € give DC = 3 250,00 € against 4 550,00 € paid:
// an indu of 1 300,00 €, recovered by repayments. R-CTL-4: the simulation said so first.
TEST_F(Rpcs, ControleEndingInAnInduRecovered) {
  PaidYear("conv-a", Eur(14000));
  Reply opened = desk_.OpenControle("conv-a", "ctl-1", 2026, 20280301);
  ASSERT_TRUE(opened.status.ok()) << opened.status.error_message();
  EXPECT_EQ(opened.response.events(0).event_type(), "controle_opened");
  EXPECT_EQ(opened.response.events(0).actor().role(), "controleur");  // R-HIST-4
  uint64_t head = HeadOf(*this);
  ExpectRefused(desk_.OpenControle("conv-a", "ctl-1", 2026, 20280302),
                grpc::StatusCode::ALREADY_EXISTS, "", head);
  ASSERT_TRUE(desk_.Findings("conv-a", "ctl-1", GrpcDesk::Controlled(2026, 2, Eur(10000)), 20280401)
                  .status.ok());

  v1::SimulateControleRequest simulate;
  simulate.set_caf_id(kCafA);
  simulate.set_convention_id("conv-a");
  *simulate.add_years() = GrpcDesk::Controlled(2026, 2, Eur(10000));
  v1::SimulateControleResponse simulated;
  head = HeadOf(*this);
  ASSERT_TRUE(queries()->SimulateControle(As(Controleur(kCafA)).get(), simulate, &simulated).ok());
  ASSERT_EQ(simulated.outcomes_size(), 1);
  EXPECT_EQ(simulated.outcomes(0).dc().droit_cents(), Eur(3250));
  EXPECT_EQ(simulated.outcomes(0).paid_cents(), Eur(4550));
  EXPECT_EQ(simulated.outcomes(0).indu_cents(), Eur(1300));
  EXPECT_EQ(simulated.log_position(), head);
  EXPECT_EQ(HeadOf(*this), head);  // R-CTL-4: nothing written

  Reply decided = desk_.Decide("conv-a", "ctl-1", 20280601);
  ASSERT_TRUE(decided.status.ok()) << decided.status.error_message();
  ASSERT_EQ(decided.response.events_size(), 2);
  EXPECT_EQ(decided.response.events(0).fact().controle_decided().outcomes(0).indu_cents(),
            simulated.outcomes(0).indu_cents());
  const v1::InduNotified& indu = decided.response.events(1).fact().indu_notified();
  EXPECT_EQ(indu.amount_cents(), Eur(1300));
  EXPECT_EQ(decided.response.figures().years(0).controle_id(), "ctl-1");
  EXPECT_EQ(decided.response.figures().years(0).indus_open_cents(), Eur(1300));
  EXPECT_EQ(decided.response.log_position(), decided.response.events(1).position());
  head = HeadOf(*this);
  ExpectRefused(desk_.Decide("conv-a", "ctl-1", 20280602), grpc::StatusCode::FAILED_PRECONDITION,
                "R-CTL-5", head);

  Reply r1 = desk_.Recover("conv-a", "r1", indu.indu_id(), Eur(500), 20280701);
  ASSERT_TRUE(r1.status.ok()) << r1.status.error_message();
  EXPECT_EQ(r1.response.figures().years(0).indus_open_cents(), Eur(800));
  head = HeadOf(*this);
  ExpectRefused(desk_.Recover("conv-a", "r2", indu.indu_id(), Cents(800, 1), 20280801),
                grpc::StatusCode::FAILED_PRECONDITION, "R-CTL-5", head);
  Reply r2 = desk_.Recover("conv-a", "r2", indu.indu_id(), Eur(800), 20280801);
  ASSERT_TRUE(r2.status.ok()) << r2.status.error_message();
  EXPECT_EQ(r2.response.figures().years(0).indus_open_cents(), 0);
  EXPECT_EQ(r2.response.figures().years(0).paid_net_cents(), Eur(3250));  // R-CTL-2
}

// R-CTL-3: final charges 12 000,00 € (paid 3 900,00 €), controlled 14 000,00 € (DC 4 550,00 €):
// a rappel of 650,00 €, paid once.
TEST_F(Rpcs, ControleEndingInARappelPaid) {
  PaidYear("conv-r", Eur(12000));
  ASSERT_TRUE(desk_.OpenControle("conv-r", "ctl-2", 2026, 20280301).status.ok());
  ASSERT_TRUE(desk_.Findings("conv-r", "ctl-2", GrpcDesk::Controlled(2026, 2, Eur(14000)), 20280401)
                  .status.ok());
  Reply decided = desk_.Decide("conv-r", "ctl-2", 20280601);
  ASSERT_TRUE(decided.status.ok()) << decided.status.error_message();
  ASSERT_EQ(decided.response.events_size(), 1);  // no indu
  EXPECT_EQ(decided.response.figures().years(0).rappel_due_cents(), Eur(650));
  Reply rappel = desk_.Rappel("conv-r", "rp1", 2026, "ctl-2", 20280701);
  ASSERT_TRUE(rappel.status.ok()) << rappel.status.error_message();
  EXPECT_EQ(rappel.response.events(0).event_type(), "rappel_paid");
  EXPECT_EQ(rappel.response.events(0).fact().rappel_paid().amount_cents(), Eur(650));
  const v1::SchoolYearFigures& y = rappel.response.figures().years(0);
  EXPECT_EQ(y.rappel_due_cents(), 0);
  EXPECT_EQ(y.paid_net_cents(), Eur(4550));
  const uint64_t head = HeadOf(*this);
  ExpectRefused(desk_.Rappel("conv-r", "rp2", 2026, "ctl-2", 20280801),
                grpc::StatusCode::FAILED_PRECONDITION, "R-CTL-3", head);
}

// A notification of one collectif halves the base (PS 2 275,00 €), a correction naming it and
// saying why puts two back (R-HIST-1); a centre social's annual convention is prolonged by one
// year with the 2027 barème (R-CONV-3, R-DROIT-1). Retrying the avenant writes nothing.
TEST_F(Rpcs, NotificationCorrectionAndAvenant) {
  ASSERT_TRUE(desk_.Bareme(2027, Eur(7200), Eur(1000), Eur(1500)).status.ok());
  ASSERT_TRUE(desk_.Convention("conv-n", "asso-5", 2026, 2, Eur(14000)).status.ok());
  Reply notified = desk_.Notify("conv-n", "n1", 2026, 1, 20260901);
  ASSERT_TRUE(notified.status.ok()) << notified.status.error_message();
  EXPECT_EQ(notified.response.figures().years(0).notified_collectifs(), 1);
  EXPECT_EQ(notified.response.figures().years(0).dp().ps_cents(), Eur(2275));
  uint64_t head = HeadOf(*this);
  ExpectRefused(desk_.Notify("conv-n", "n2", 2026, 3, 20260902),
                grpc::StatusCode::FAILED_PRECONDITION, "R-CONV-3", head);
  ExpectRefused(desk_.Notify("conv-n", "n2", 2029, 1, 20260902),
                grpc::StatusCode::FAILED_PRECONDITION, "R-CONV-5", head);

  v1::ClasEvent two;
  two.mutable_collectifs_notified()->set_notification_id("n1");
  two.mutable_collectifs_notified()->set_school_year(2026);
  two.mutable_collectifs_notified()->set_collectifs(2);
  const std::string target = notified.response.events(0).event_id();
  ExpectRefused(desk_.Correct("conv-n", target, "", two), grpc::StatusCode::INVALID_ARGUMENT,
                "R-HIST-1", head);
  ExpectRefused(desk_.Correct("conv-n", "caf-75/nope#0", "saisie", two),
                grpc::StatusCode::NOT_FOUND, "", head);
  Reply corrected = desk_.Correct("conv-n", target, "deux collectifs ont bien ouvert", two);
  ASSERT_TRUE(corrected.status.ok()) << corrected.status.error_message();
  EXPECT_EQ(corrected.response.events(0).event_type(), "event_corrected");
  EXPECT_EQ(corrected.response.figures().years(0).dp().ps_cents(), Eur(4550));

  ASSERT_TRUE(desk_.Register("cs-1", v1::CENTRE_SOCIAL).status.ok());
  ASSERT_TRUE(desk_.Convention("conv-cs", "cs-1", 2026, 2, Eur(20000)).status.ok());
  head = HeadOf(*this);
  ExpectRefused(
      desk_.AvenantOf("conv-cs", "av-x", v1::PROLONGATION_IDENTIQUE, 2028, 0, 0, 20270615),
      grpc::StatusCode::FAILED_PRECONDITION, "R-CONV-3", head);
  v1::SignAvenantRequest avenant;
  avenant.set_request_id("avenant-2027");
  auto* c = avenant.mutable_command();
  c->set_caf_id(kCafA);
  c->set_convention_id("conv-cs");
  c->set_avenant_id("av-1");
  c->set_kind(v1::PROLONGATION_IDENTIQUE);
  c->set_school_year(2027);
  c->set_date(20270615);
  Reply signed_ = desk_.Send(Agent(kCafA), avenant, &v1::Conventions::Stub::SignAvenant);
  ASSERT_TRUE(signed_.status.ok()) << signed_.status.error_message();
  ASSERT_EQ(signed_.response.events_size(), 2);  // the avenant and the comité pour information
  EXPECT_EQ(signed_.response.events(1).fact().committee_decision_recorded().mode(),
            v1::POUR_INFORMATION);
  const v1::ConventionFigures& cs = signed_.response.figures();
  EXPECT_EQ(cs.last_school_year(), 2027);
  ASSERT_EQ(cs.years_size(), 1);  // the school year the avenant touched
  EXPECT_EQ(cs.years(0).school_year(), 2027);
  EXPECT_EQ(cs.years(0).covered_by(), "av-1");
  EXPECT_EQ(cs.years(0).dp().inputs().bareme().school_year(), 2027);
  EXPECT_EQ(cs.years(0).dp().ps_cents(), Eur(4680));  // 2 × 7 200,00 × 32,5 %
  head = HeadOf(*this);
  Reply retry = desk_.Send(Agent(kCafA), avenant, &v1::Conventions::Stub::SignAvenant);
  ASSERT_TRUE(retry.status.ok());
  EXPECT_TRUE(retry.response.replayed());
  EXPECT_EQ(retry.response.log_position(), signed_.response.log_position());
  EXPECT_EQ(HeadOf(*this), head);
}

// R-HIST-2: as of D (before the notification took effect), known at T (before the correction
// was recorded), and at the position an earlier answer reported, after later writes.
TEST_F(Rpcs, GetConventionAsOfDateKnownAtInstantAndAtPosition) {
  ASSERT_TRUE(desk_.Convention("conv-n", "asso-5", 2026, 2, Eur(14000)).status.ok());
  Reply notified = desk_.Notify("conv-n", "n1", 2026, 1, 20260901);
  ASSERT_TRUE(notified.status.ok());
  auto then = GetConvention(*this, Agent(kCafA), kCafA, "conv-n");
  ASSERT_TRUE(then.status.ok());
  ASSERT_EQ(then.response.log_position(), notified.response.log_position());
  v1::ClasEvent two;
  two.mutable_collectifs_notified()->set_school_year(2026);
  two.mutable_collectifs_notified()->set_collectifs(2);
  Reply corrected = desk_.Correct("conv-n", notified.response.events(0).event_id(), "erreur", two);
  ASSERT_TRUE(corrected.status.ok()) << corrected.status.error_message();
  ASSERT_TRUE(desk_.Acompte("conv-n", "a1", 2026, Eur(1000), 20261102).status.ok());

  v1::AsOfSpec before_notification;
  before_notification.set_effective_date(20260831);
  auto d = GetConvention(*this, Agent(kCafA), kCafA, "conv-n", before_notification);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.response.convention().years(0).dp().ps_cents(), Eur(4550));
  EXPECT_TRUE(d.response.convention().years(0).acomptes().empty());
  v1::AsOfSpec before_correction;
  before_correction.set_known_at_us(corrected.response.events(0).recorded_at_us() - 1);
  auto t = GetConvention(*this, Agent(kCafA), kCafA, "conv-n", before_correction);
  ASSERT_TRUE(t.status.ok());
  EXPECT_EQ(t.response.convention().years(0).dp().ps_cents(), Eur(2275));
  EXPECT_EQ(t.response.log_position(), notified.response.log_position());
  v1::AsOfSpec at;
  at.set_at_position(then.response.log_position());
  auto again = GetConvention(*this, Agent(kCafA), kCafA, "conv-n", at);
  ASSERT_TRUE(again.status.ok());
  EXPECT_EQ(again.response.log_position(), then.response.log_position());
  EXPECT_TRUE(SameState(again.response.convention(), then.response.convention()));
  auto now = GetConvention(*this, Agent(kCafA), kCafA, "conv-n");
  EXPECT_EQ(now.response.convention().years(0).dp().ps_cents(), Eur(4550));
  EXPECT_EQ(now.response.convention().years(0).acomptes_size(), 1);
  EXPECT_EQ(now.response.log_position(), HeadOf(*this));

  v1::AsOfSpec bad_date;
  bad_date.set_effective_date(20260230);
  EXPECT_EQ(GetConvention(*this, Agent(kCafA), kCafA, "conv-n", bad_date).status.error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::AsOfSpec beyond;
  beyond.set_at_position(HeadOf(*this) + 1);
  EXPECT_EQ(GetConvention(*this, Agent(kCafA), kCafA, "conv-n", beyond).status.error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(GetConvention(*this, Agent(kCafA), kCafA, "nope").status.error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(Rpcs, ListConventionsWithFiltersAndPages) {
  ASSERT_TRUE(desk_.Bareme(2027, Eur(7200), Eur(1000), Eur(1500)).status.ok());
  ASSERT_TRUE(desk_.Register("cs-1", v1::CENTRE_SOCIAL).status.ok());
  ASSERT_TRUE(desk_.Convention("conv-p1", "asso-5", 2026, 2, Eur(14000)).status.ok());
  ASSERT_TRUE(desk_.Convention("conv-p2", "asso-5", 2027, 2, Eur(14000)).status.ok());
  ASSERT_TRUE(desk_.File("conv-p3", "cs-1", 2026, 1, 2, Eur(14000)).status.ok());
  ASSERT_TRUE(desk_.File("conv-p4", "cs-1", 2026, 1, 2, Eur(14000)).status.ok());
  ASSERT_TRUE(desk_.Agree("conv-p4", 2026, 2026, 2, 20260620).status.ok());
  GrpcDesk other(this, kCafB);
  ASSERT_TRUE(other.Register("asso-13", v1::ASSOCIATION).status.ok());
  ASSERT_TRUE(other.Convention("conv-m1", "asso-13", 2026, 2, Eur(14000)).status.ok());

  auto ids = [&](v1::ListConventionsRequest r, const std::string& user) {
    return ListAllPages(*this, user, r);
  };
  v1::ListConventionsRequest all75;
  all75.set_caf_id(kCafA);
  const std::vector<std::string> expected = {"caf-75/conv-p1", "caf-75/conv-p2", "caf-75/conv-p3",
                                             "caf-75/conv-p4"};
  EXPECT_EQ(ids(all75, Agent(kCafA)), expected);
  v1::ListConventionsRequest one = all75;
  one.set_page_size(1);
  EXPECT_EQ(ids(one, Agent(kCafA)), expected);  // no convention lost nor repeated
  auto first = List(*this, Agent(kCafA), one);
  ASSERT_EQ(first.response.conventions_size(), 1);
  EXPECT_FALSE(first.response.next_page_token().empty());
  EXPECT_EQ(first.response.log_position(), HeadOf(*this));

  v1::ListConventionsRequest by = all75;
  by.set_gestionnaire_id("asso-5");
  EXPECT_THAT(ids(by, Agent(kCafA)), ElementsAre("caf-75/conv-p1", "caf-75/conv-p2"));
  by.set_gestionnaire_id("");
  by.set_school_year(2027);
  EXPECT_THAT(ids(by, Agent(kCafA)), ElementsAre("caf-75/conv-p2"));
  by.set_school_year(0);
  by.set_status(v1::AGREEE);
  EXPECT_THAT(ids(by, Agent(kCafA)), ElementsAre("caf-75/conv-p4"));
  by.set_gestionnaire_id("cs-1");
  by.set_status(v1::SIGNEE);
  EXPECT_THAT(ids(by, Agent(kCafA)), IsEmpty());
  // As of 10/06/2026 the 2026 requests were filed, none agreed; conv-p2 did not exist.
  v1::ListConventionsRequest then = all75;
  then.mutable_as_of()->set_effective_date(20260610);
  then.set_status(v1::DEMANDE_DEPOSEE);
  EXPECT_THAT(ids(then, Agent(kCafA)),
              ElementsAre("caf-75/conv-p1", "caf-75/conv-p3", "caf-75/conv-p4"));

  // An auditor of every Caf lists both, in pages of 2.
  v1::ListConventionsRequest every;
  every.set_page_size(2);
  EXPECT_THAT(ids(every, "auditeur"),
              ElementsAre("caf-13/conv-m1", "caf-75/conv-p1", "caf-75/conv-p2", "caf-75/conv-p3",
                          "caf-75/conv-p4"));
  v1::ListConventionsRequest huge = all75;
  huge.set_page_size(501);
  EXPECT_EQ(List(*this, Agent(kCafA), huge).status.error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(Rpcs, GestionnaireAndCivilYearAccounts) {
  PaidYear("conv-a", Eur(14000));
  v1::GetGestionnaireRequest g;
  g.set_caf_id(kCafA);
  g.set_gestionnaire_id("asso-5");
  v1::GetGestionnaireResponse got;
  ASSERT_TRUE(queries()->GetGestionnaire(As(Agent(kCafA)).get(), g, &got).ok());
  EXPECT_EQ(got.gestionnaire().kind(), v1::ASSOCIATION);
  EXPECT_EQ(got.gestionnaire().name(), "Gestionnaire asso-5");
  EXPECT_THAT(got.gestionnaire().convention_ids(), ElementsAre("conv-a"));
  EXPECT_EQ(got.log_position(), HeadOf(*this));
  g.set_gestionnaire_id("nope");
  EXPECT_EQ(queries()->GetGestionnaire(As(Agent(kCafA)).get(), g, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);

  ASSERT_TRUE(desk_.Close(2026, 20261231).status.ok());
  auto year = [&](int32_t civil_year) {
    v1::GetCivilYearRequest r;
    r.set_caf_id(kCafA);
    r.set_civil_year(civil_year);
    v1::GetCivilYearResponse out;
    EXPECT_TRUE(queries()->GetCivilYear(As(Agent(kCafA)).get(), r, &out).ok());
    return out;
  };
  const v1::GetCivilYearResponse y2026 = year(2026), y2027 = year(2027);
  EXPECT_TRUE(y2026.closed());
  EXPECT_FALSE(y2027.closed());
  EXPECT_EQ(y2026.payments_from_events_cents(), Eur(1274));         // R-ACC-2
  EXPECT_EQ(y2027.payments_from_events_cents(), Eur(1911 + 1365));  // acompte and solde
  EXPECT_EQ(y2027.payments_from_lines_cents(), Eur(1911 + 1365));   // R-ACC-10
  EXPECT_TRUE(y2026.balanced());
  EXPECT_TRUE(y2027.balanced());
  EXPECT_THAT(y2027.failed_checks(), IsEmpty());
  EXPECT_EQ(y2027.log_position(), HeadOf(*this));
}

// RULES.md §5's worked example; every principal may compute (it reads no Caf's data).
TEST_F(Rpcs, ComputeDroitOnTheWorkedExample) {
  v1::ComputeDroitRequest r;
  auto* in = r.mutable_inputs();
  in->set_school_year(2026);
  in->set_kind(v1::DROIT_PREVISIONNEL);
  in->set_collectifs(3);
  in->set_bonus_enfants_collectifs(3);
  in->set_bonus_parents_collectifs(1);
  in->set_charges_cents(Eur(24000));
  *in->mutable_bareme() = [] {
    v1::BaremeFigures b;
    b.set_school_year(2026);
    b.set_plafond_cents(Eur(7000));
    b.set_bonus_enfants_cents(Eur(1000));
    b.set_bonus_parents_cents(Eur(1500));
    return b;
  }();
  v1::ComputeDroitResponse out;
  ASSERT_TRUE(queries()->ComputeDroit(As(Agent(kCafB)).get(), r, &out).ok());
  EXPECT_EQ(out.breakdown().base_cents(), Eur(21000));
  EXPECT_EQ(out.breakdown().ps_cents(), Eur(6825));
  EXPECT_EQ(out.breakdown().bonus_enfants_cents(), Eur(3000));
  EXPECT_EQ(out.breakdown().bonus_parents_cents(), Eur(1500));
  EXPECT_EQ(out.breakdown().droit_cents(), Eur(11325));
  EXPECT_FALSE(out.explanation().empty());

  in->set_charges_cents(Eur(8000));
  ASSERT_TRUE(queries()->ComputeDroit(As("auditeur").get(), r, &out).ok());
  EXPECT_EQ(out.breakdown().base_cents(), Eur(8000));
  EXPECT_EQ(out.breakdown().ps_cents(), Eur(2600));
  EXPECT_EQ(out.breakdown().cap_cents(), Eur(6400));
  EXPECT_EQ(out.breakdown().reduction_bonus_parents_cents(), Eur(700));
  EXPECT_EQ(out.breakdown().bonus_parents_cents(), Eur(800));
  EXPECT_EQ(out.breakdown().bonus_enfants_cents(), Eur(3000));
  EXPECT_EQ(out.breakdown().droit_cents(), Eur(6400));

  const uint64_t head = HeadOf(*this);
  in->clear_bareme();  // R-DROIT-7: never guessed
  grpc::Status missing = queries()->ComputeDroit(As(Agent(kCafA)).get(), r, &out);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(RuleIds(missing), Contains("R-DROIT-7"));
  in->set_collectifs(-1);
  grpc::Status malformed = queries()->ComputeDroit(As(Agent(kCafA)).get(), r, &out);
  EXPECT_EQ(malformed.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(RuleIds(malformed), Contains("R-DROIT-2"));
  EXPECT_EQ(queries()->ComputeDroit(As("").get(), r, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(HeadOf(*this), head);
}

}  // namespace
}  // namespace clas::testing
