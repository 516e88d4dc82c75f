// End-to-end, Audit.RecomputeHistory (R-HIST-3) through a real server: a history the rules
// wrote recomputes without a difference, with the counts of what was checked; an acompte
// written into the log as an older version of the code would have recorded it (its own cap, its
// own rule version) is listed with its field, both values and both rule versions; the scopes
// (convention, Caf, every Caf the caller reads); the hostile edges (no token, another Caf,
// unknown ids, malformed ids, page sizes, forged tokens); pages that put together are one
// reading of the log, without loss or duplicate.
//
// The figures are derived by hand from RULES.md: barème 2026 plafond 7 000,00 €, a convention of
// 2 collectifs and 14 000,00 € of charges: base = min(14 000, 2 × 7 000) = 14 000,00 €;
// PS = (1 400 000 × 13 + 20) div 40 = 455 000 cents (R-DROIT-3); cap of an acompte dated in
// civil year N = 455 000 × 28 div 100 = 127 400 cents (R-PAY-2).
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/rules/rule_version.h"
#include "tests/server/e2e_support.h"
#include "tests/server/grpc_desk.h"
#include "tests/server/recorded_event.h"

namespace clas::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr int64_t kPsCents = 455'000;        // PS of the 2-collectif conventions (above)
constexpr int64_t kCapNCents = 127'400;      // 28 % of it (R-PAY-2)
constexpr char kOlderRules[] = "C-2025-001/0";

struct Pages {
  std::vector<v1::RecomputeDifference> differences;
  uint64_t events = 0, computations = 0, cafs = 0;
  int pages = 0;
  std::set<uint64_t> log_positions;
};

class Recompute : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    // caf-75, conv-a: request, comité, signature, acompte, closing of 2026, acompte, bilan,
    // solde: 4 recorded computations (2 acomptes, the closing, the solde).
    ASSERT_TRUE(desk_.Bareme(2026, Eur(7000), Eur(1000), Eur(1500)).status.ok());
    ASSERT_TRUE(desk_.Register("asso-5", v1::ASSOCIATION).status.ok());
    ASSERT_TRUE(desk_.Convention("conv-a", "asso-5", 2026, 2, Eur(14000)).status.ok());
    ASSERT_TRUE(desk_.Acompte("conv-a", "a1", 2026, kCapNCents, 20261102).status.ok());
    ASSERT_TRUE(desk_.Close(2026, 20261231).status.ok());
    ASSERT_TRUE(desk_.Acompte("conv-a", "a2", 2026, Eur(1911), 20270201).status.ok());
    ASSERT_TRUE(desk_.Bilan("conv-a", 2026, 2, Eur(14000), 20270920).status.ok());
    ASSERT_TRUE(desk_.Solde("conv-a", "s1", 2026, 20271015).status.ok());
    // caf-13, conv-b: one acompte.
    ASSERT_TRUE(desk13_.Register("asso-13", v1::ASSOCIATION).status.ok());
    ASSERT_TRUE(desk13_.Convention("conv-b", "asso-13", 2026, 2, Eur(14000)).status.ok());
    ASSERT_TRUE(desk13_.Acompte("conv-b", "b1", 2026, Eur(500), 20261103).status.ok());
  }

  static v1::RecomputeHistoryRequest Of(const std::string& caf, const std::string& convention,
                                        int32_t page_size = 0) {
    v1::RecomputeHistoryRequest r;
    r.set_caf_id(caf);
    r.set_convention_id(convention);
    r.set_page_size(page_size);
    return r;
  }

  grpc::Status Call(const std::string& user, const v1::RecomputeHistoryRequest& request,
                    v1::RecomputeHistoryResponse* response) {
    return audit()->RecomputeHistory(As(user).get(), request, response);
  }

  // Every page of `request`, each checked to hold at most `request.page_size()` differences.
  Pages AllPages(const std::string& user, v1::RecomputeHistoryRequest request) {
    Pages all;
    for (; all.pages < 1000; ++all.pages) {
      v1::RecomputeHistoryResponse page;
      const grpc::Status status = Call(user, request, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      if (request.page_size() > 0) {
        EXPECT_LE(page.differences_size(), request.page_size());
      }
      all.differences.insert(all.differences.end(), page.differences().begin(),
                             page.differences().end());
      all.events += page.events_checked();
      all.computations += page.computations_checked();
      all.cafs += page.cafs_checked();
      all.log_positions.insert(page.log_position());
      if (page.next_page_token().empty()) {
        ++all.pages;
        break;
      }
      request.set_page_token(page.next_page_token());
    }
    return all;
  }

  // An acompte of `convention` recorded as an older code would have: the DP breakdown the
  // engine recorded for a1 (same inputs), a cap of `cap_cents`, the PS shifted by `ps_shift`.
  uint64_t AppendOlderAcompte(const std::string& caf, const std::string& convention,
                              const std::string& payment_id, int64_t cap_cents,
                              int64_t ps_shift = 0) {
    v1::ClasEvent fact = RecordedFact(server_->store(), kCafA, "conv-a", [](const auto& f) {
      return f.has_acompte_paid() && f.acompte_paid().payment_id() == "a1";
    });
    EXPECT_EQ(fact.acompte_paid().dp().ps_cents(), kPsCents) << "the fixture's DP";
    v1::AcomptePaid* a = fact.mutable_acompte_paid();
    a->set_payment_id(payment_id);
    a->set_cap_cents(cap_cents);
    a->set_amount_cents(Eur(10));
    a->set_paid_before_cents(0);
    a->mutable_dp()->set_ps_cents(a->dp().ps_cents() + ps_shift);
    return AppendAsRecorded(server_->store(), caf, convention,
                            absl::StrCat(caf, "/older-", convention, "-", payment_id), 20261110,
                            fact, kOlderRules);
  }

  // Events of the log whose stream id starts with `prefix` (barème left out), read from the
  // store itself.
  uint64_t EventsUnder(const std::string& prefix) {
    uint64_t count = 0;
    for (uint64_t from = 1;;) {
      auto page = server_->store().ReadAll(from, 1000);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok() || page->empty()) return count;
      for (const auto& e : *page) {
        from = e.position() + 1;
        if (e.stream_id().rfind(prefix, 0) == 0 && e.stream_id() != BaremeStream()) ++count;
      }
    }
  }

  GrpcDesk desk_{this, kCafA};
  GrpcDesk desk13_{this, kCafB};
};

TEST_F(Recompute, R_HIST_3_HistoryWrittenByTheRulesRecomputesWithoutDifference) {
  const uint64_t head = HeadOf(*this);
  v1::RecomputeHistoryResponse one;
  ASSERT_TRUE(Call("auditeur", Of(kCafA, "conv-a"), &one).ok());
  EXPECT_THAT(one.differences(), IsEmpty());
  EXPECT_EQ(one.computations_checked(), 3u) << "a1, a2, s1";
  EXPECT_EQ(one.events_checked(), EventsUnder(ConventionStream(kCafA, "conv-a")));
  EXPECT_EQ(one.events_checked(), 7u);
  EXPECT_EQ(one.cafs_checked(), 1u);
  EXPECT_EQ(one.log_position(), head);
  EXPECT_EQ(one.rule_version_current(), rules::kRuleVersion);
  EXPECT_TRUE(one.next_page_token().empty());

  v1::RecomputeHistoryResponse caf;
  ASSERT_TRUE(Call(Agent(kCafA), Of(kCafA, ""), &caf).ok());
  EXPECT_THAT(caf.differences(), IsEmpty());
  EXPECT_EQ(caf.computations_checked(), 4u) << "a1, a2, s1 and the closing of 2026";
  EXPECT_EQ(caf.events_checked(), EventsUnder(absl::StrCat("clas/", kCafA, "/")));

  const Pages national = AllPages("auditeur", Of("", ""));
  EXPECT_THAT(national.differences, IsEmpty());
  EXPECT_EQ(national.computations, 5u) << "caf-75's 4 and caf-13's acompte";
  EXPECT_EQ(national.events, EventsUnder("clas/"));
  EXPECT_EQ(national.cafs, 2u);
  EXPECT_EQ(HeadOf(*this), head) << "the check writes nothing";
}

TEST_F(Recompute, R_HIST_3_AnAcompteOfAnOlderRuleVersionIsListedWithBothValuesAndVersions) {
  ASSERT_TRUE(desk_.Convention("conv-old", "asso-5", 2026, 2, Eur(14000)).status.ok());
  const uint64_t position = AppendOlderAcompte(kCafA, "conv-old", "a-2025", Eur(1300));
  ASSERT_GT(position, 0u);
  const uint64_t head = HeadOf(*this);

  v1::RecomputeHistoryResponse r;
  ASSERT_TRUE(Call(Agent(kCafA), Of(kCafA, "conv-old"), &r).ok());
  ASSERT_THAT(r.differences(), SizeIs(1));
  const v1::RecomputeDifference& d = r.differences(0);
  EXPECT_EQ(d.field(), "cap_cents");
  EXPECT_EQ(d.recorded_value(), Eur(1300));
  EXPECT_EQ(d.recomputed_value(), kCapNCents);
  EXPECT_EQ(d.rule_version_recorded(), kOlderRules);
  EXPECT_EQ(d.rule_version_current(), rules::kRuleVersion);
  EXPECT_NE(d.rule_version_current(), kOlderRules);
  EXPECT_EQ(d.position(), position);
  EXPECT_EQ(d.event_id(), absl::StrCat(kCafA, "/older-conv-old-a-2025"));
  EXPECT_EQ(d.fact(), "acompte_paid");
  EXPECT_EQ(d.caf_id(), kCafA);
  EXPECT_EQ(d.stream_id(), ConventionStream(kCafA, "conv-old"));
  EXPECT_THAT(d.message(), HasSubstr("R-HIST-3"));
  EXPECT_THAT(d.message(), HasSubstr(kOlderRules));
  EXPECT_THAT(d.message(), HasSubstr("1 274,00"));
  EXPECT_EQ(r.computations_checked(), 1u);
  EXPECT_EQ(r.events_checked(), 4u) << "request, comité, signature, the older acompte";

  // The Caf's run and the national one list it too, and only it; the other Caf's agent, who
  // reads only caf-13, does not see it.
  v1::RecomputeHistoryResponse caf;
  ASSERT_TRUE(Call(Controleur(kCafA), Of(kCafA, ""), &caf).ok());
  ASSERT_THAT(caf.differences(), SizeIs(1));
  EXPECT_EQ(caf.differences(0).position(), position);
  const Pages national = AllPages("auditeur", Of("", ""));
  ASSERT_THAT(national.differences, SizeIs(1));
  EXPECT_EQ(national.differences[0].event_id(), d.event_id());
  const Pages of13 = AllPages(Agent(kCafB), Of("", ""));
  EXPECT_THAT(of13.differences, IsEmpty());
  EXPECT_EQ(of13.cafs, 1u);
  EXPECT_EQ(of13.computations, 1u) << "caf-13's acompte only";
  EXPECT_EQ(HeadOf(*this), head) << "the check writes nothing";
}

TEST_F(Recompute, R_HIST_4_HostileRequestsAreRefusedAuthenticationFirst) {
  const uint64_t head = HeadOf(*this);
  v1::RecomputeHistoryResponse r;
  auto none = [] {
    auto c = std::make_unique<grpc::ClientContext>();
    c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return c;
  };
  for (const auto& request : {Of(kCafA, "conv-a"), Of("", ""), Of(std::string(65, 'c'), "x\n"),
                              Of(kCafA, "conv-a", 5000)}) {
    EXPECT_EQ(audit()->RecomputeHistory(none().get(), request, &r).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  // Another Caf's convention; roles without the check.
  for (const std::string& user : {Agent(kCafB), Controleur(kCafB)}) {
    EXPECT_EQ(Call(user, Of(kCafA, "conv-a"), &r).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << user;
  }
  for (const char* user : {"service-demo", "cnaf-bareme"}) {
    EXPECT_EQ(Call(user, Of(kCafA, ""), &r).error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << user;
  }
  // Unknown ids: NOT_FOUND naming the field.
  grpc::Status status = Call("auditeur", Of(kCafA, "conv-nope"), &r);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), HasSubstr("convention_id"));
  status = Call("auditeur", Of("caf-99", ""), &r);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), HasSubstr("caf_id"));
  // Malformed ids, a convention without its Caf.
  const std::vector<std::pair<v1::RecomputeHistoryRequest, std::string>> malformed = {
      {Of(kCafA, std::string(129, 'c')), "convention_id"},
      {Of(kCafA, "conv\n-a"), "convention_id"},
      {Of(kCafA, "conv/a"), "convention_id"},
      {Of("caf\x01" "75", ""), "caf_id"},
      {Of(std::string(65, 'c'), ""), "caf_id"},
      {Of("", "conv-a"), "caf_id"},
  };
  for (const auto& [request, field] : malformed) {
    status = Call("auditeur", request, &r);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field;
    std::vector<std::string> fields;
    for (const auto& v : Violations(status)) fields.push_back(v.field());
    EXPECT_THAT(fields, ::testing::Contains(field)) << status.error_message();
  }
  // Page sizes: the largest (1 000) is served, one more is refused naming page_size.
  EXPECT_TRUE(Call("auditeur", Of(kCafA, "conv-a", 1000), &r).ok());
  for (int32_t size : {1001, -1}) {
    status = Call("auditeur", Of(kCafA, "conv-a", size), &r);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << size;
    EXPECT_THAT(status.error_message(), HasSubstr("page_size")) << size;
  }
  // Forged page tokens: unparsable, past the head, another Caf's, too long.
  for (const std::string& token :
       {std::string("x"), std::string("1/caf-75/0"), absl::StrCat(head + 1, "/caf-75/0/0"),
        absl::StrCat(head, "/caf-13/0/0"), absl::StrCat(head, "/caf 75/0/0"),
        absl::StrCat(head, "/caf-75/", head + 1, "/0"), std::string(129, '1')}) {
    v1::RecomputeHistoryRequest request = Of(kCafA, "conv-a");
    request.set_page_token(token);
    status = Call("auditeur", request, &r);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << token;
    EXPECT_THAT(status.error_message(), HasSubstr("page_token")) << token;
  }
  EXPECT_EQ(HeadOf(*this), head);
}

// Four differences over two Cafs, two of them on one event: pages of one difference, then of
// two, give the same differences in the same order as one page of 1 000, each once, and counts
// that add up to the one page's; an event recorded between two pages is left out of the run
// (every page reads the log at the first page's position).
TEST_F(Recompute, PagesResumeWithoutLossOrDuplicateOnOneReading) {
  ASSERT_TRUE(desk_.Convention("conv-old", "asso-5", 2026, 2, Eur(14000)).status.ok());
  ASSERT_TRUE(desk13_.Convention("conv-old", "asso-13", 2026, 2, Eur(14000)).status.ok());
  // Two differences on one event (the PS, and the cap against the PS recorded).
  ASSERT_GT(AppendOlderAcompte(kCafA, "conv-old", "x1", Eur(1300), -Eur(100)), 0u);
  ASSERT_GT(AppendOlderAcompte(kCafA, "conv-old", "x2", Eur(1290)), 0u);
  ASSERT_GT(AppendOlderAcompte(kCafB, "conv-old", "y1", Eur(1280)), 0u);
  const Pages whole = AllPages("auditeur", Of("", "", 1000));
  ASSERT_EQ(whole.pages, 1);
  ASSERT_THAT(whole.differences, SizeIs(4));
  // caf-13 sorts first; within a Caf, by position, then field order.
  EXPECT_EQ(whole.differences[0].caf_id(), kCafB);
  EXPECT_EQ(whole.differences[1].field(), "dp.ps_cents");
  EXPECT_EQ(whole.differences[1].recorded_value(), kPsCents - Eur(100));
  EXPECT_EQ(whole.differences[1].recomputed_value(), kPsCents);
  EXPECT_EQ(whole.differences[2].field(), "cap_cents");
  EXPECT_EQ(whole.differences[2].recomputed_value(), (kPsCents - Eur(100)) * 28 / 100)
      << "the cap of the PS recorded";
  EXPECT_EQ(whole.differences[3].recorded_value(), Eur(1290));

  auto key = [](const v1::RecomputeDifference& d) {
    return absl::StrCat(d.position(), " ", d.field());
  };
  for (int32_t size : {1, 2, 3}) {
    SCOPED_TRACE(size);
    // One page of 1 000 on the log as this run reads it (the acomptes of the earlier rounds
    // included).
    const Pages reference = AllPages("auditeur", Of("", "", 1000));
    ASSERT_EQ(reference.differences.size(), whole.differences.size());
    v1::RecomputeHistoryRequest request = Of("", "", size);
    v1::RecomputeHistoryResponse first;
    ASSERT_TRUE(Call("auditeur", request, &first).ok());
    ASSERT_FALSE(first.next_page_token().empty());
    EXPECT_GT(first.differences_not_sent(), 0u);
    // Recorded between two pages, in the Caf the next pages read (in 2027: 2026 is closed):
    // not part of this run.
    ASSERT_TRUE(desk_.Acompte("conv-old", absl::StrCat("late-", size), 2026, Eur(1), 20270205)
                    .status.ok());
    request.set_page_token(first.next_page_token());
    Pages rest = AllPages("auditeur", request);
    rest.differences.insert(rest.differences.begin(), first.differences().begin(),
                            first.differences().end());
    EXPECT_EQ(rest.pages + 1, (4 + size - 1) / size) << "as many pages as it takes";
    ASSERT_EQ(rest.differences.size(), whole.differences.size());
    for (size_t i = 0; i < whole.differences.size(); ++i) {
      EXPECT_EQ(key(rest.differences[i]), key(whole.differences[i])) << i;
    }
    EXPECT_EQ(rest.events + first.events_checked(), reference.events);
    EXPECT_EQ(rest.computations + first.computations_checked(), reference.computations);
    EXPECT_EQ(rest.cafs + first.cafs_checked(), 2u);
    rest.log_positions.insert(first.log_position());
    EXPECT_THAT(rest.log_positions, SizeIs(1)) << "one reading";
  }
  // A new run sees the acomptes recorded meanwhile (3 of them, in caf-75).
  const Pages after = AllPages("auditeur", Of("", "", 1000));
  EXPECT_EQ(after.computations, whole.computations + 3);
}

// A call checks whole Cafs until it has recomputed recompute_events_max events: a page may end
// without a difference and still have a token; the pages cover every Caf once.
TEST_F(Recompute, ACallEndsAfterTheCafThatPassesItsEventBound) {
  config_.limits.recompute_events_max = 1;
  Restart();
  const Pages bounded = AllPages("auditeur", Of("", ""));
  EXPECT_EQ(bounded.pages, 2) << "one Caf a call";
  EXPECT_EQ(bounded.cafs, 2u);
  EXPECT_EQ(bounded.computations, 5u);
  EXPECT_EQ(bounded.events, EventsUnder("clas/"));
  EXPECT_THAT(bounded.differences, IsEmpty());
}

}  // namespace
}  // namespace clas::testing
