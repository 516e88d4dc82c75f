// clasctl import: the file format (ParseImport, alone) and imports against a real server, where
// every line passes the Conventions rules.
#include <fstream>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "server/auth.h"
#include "tests/tools/clasctl_fixture.h"
#include "tools/clasctl/import.h"

namespace clas::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A convention's life up to its first acompte, one line per command (RULES.md §5: charges
// 30 769,22 € for 3 collectifs under a plafond of 11 000,00 € each: base 30 769,22 €,
// PS = (3 076 922 × 13 + 20) div 40 = 1 000 000 cents = 10 000,00 €, no bonus: DP 10 000,00 €).
const char kGestionnaire[] =
    R"({"command": "RegisterGestionnaire", "body": {"caf_id": "caf-75", "gestionnaire_id": )"
    R"("asso-1", "name": "Association asso-1", "kind": "ASSOCIATION", "date": 20200101}})";
const char kRequest[] =
    R"({"command": "FileFundingRequest", "body": {"caf_id": "caf-75", "date": 20260601, )"
    R"("request": {"convention_id": "conv-1", "gestionnaire_id": "asso-1", )"
    R"("first_school_year": 2026, "school_years": 1, "collectifs": [)"
    R"({"collectif_id": "C1", "children": 10, "animateurs": 2, "sessions_per_week": 2, )"
    R"("session_minutes": 90, "weeks": 30, "levels": ["ELEMENTAIRE"], "single_accessible_place": true},)"
    R"({"collectif_id": "C2", "children": 10, "animateurs": 2, "sessions_per_week": 2, )"
    R"("session_minutes": 90, "weeks": 30, "levels": ["ELEMENTAIRE"], "single_accessible_place": true},)"
    R"({"collectif_id": "C3", "children": 10, "animateurs": 2, "sessions_per_week": 2, )"
    R"("session_minutes": 90, "weeks": 30, "levels": ["ELEMENTAIRE"], "single_accessible_place": true}], )"
    R"("axes": {"children": true, "parents": true, "school": true, "local_partners": true}, )"
    R"("family_participation_symbolic": true, "action_start_date": 20261105, )"
    R"("action_end_date": 20270630, "charges_cents": "3076922"}}})";
const char kComite[] =
    R"({"command": "RecordCommitteeDecision", "body": {"caf_id": "caf-75", "convention_id": )"
    R"("conv-1", "date": 20260701, "decision": {"outcome": "VALIDATED", "mode": "POUR_VALIDATION", )"
    R"("first_school_year": 2026, "last_school_year": 2026, "agreed_collectifs": 3}}})";
const char kSign[] =
    R"({"command": "SignConvention", "body": {"caf_id": "caf-75", "convention_id": "conv-1", )"
    R"("first_school_year": 2026, "last_school_year": 2026, "date": 20260715}})";

// An acompte of `amount_cents` on 15/10/2026 (civil year N: cap R-PAY-2 = 28 % of PS =
// 1 000 000 × 28 div 100 = 280 000 cents).
std::string Acompte(int64_t amount_cents) {
  return absl::StrCat(
      R"({"command": "PayAcompte", "request_id": "acompte-a1", "body": {"caf_id": "caf-75", )",
      R"("convention_id": "conv-1", "payment_id": "a1", "school_year": 2026, "amount_cents": ")",
      amount_cents, R"(", "date": 20261015}})");
}

class ClasctlImportTest : public ClasctlTest {
 public:
  void SetUp() override {
    ClasctlTest::SetUp();
    PublishBareme2026();  // an import file of a Caf's agent starts after the Cnaf's barème
  }

  std::string WriteFile(const std::string& name, const std::vector<std::string>& lines) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << absl::StrJoin(lines, "\n") << "\n";
    return path;
  }

  Ran Import(const std::string& path, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"import", path};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunAs(Agent(), args);
  }

  v1::ConventionState Convention() {
    Ran shown = RunAs(Agent(), {"convention", "show", "conv-1", "--caf", kCaf, "--json"});
    EXPECT_EQ(shown.code, 0) << shown.err;
    v1::GetConventionResponse response;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(shown.out, &response).ok());
    return response.convention();
  }
};

TEST_F(ClasctlImportTest, AConventionsLifeIsImportedThroughTheRulesThenReplays) {
  const std::string path =
      WriteFile("conv-1.jsonl", {kGestionnaire, kRequest, kComite, kSign, Acompte(280000)});
  Ran ran = Import(path);
  ASSERT_EQ(ran.code, 0) << ran.err;
  EXPECT_THAT(ran.out, HasSubstr("5 of 5 lines sent: 5 accepted, 0 replayed"));

  const v1::ConventionState c = Convention();
  EXPECT_EQ(c.status(), v1::SIGNEE);
  ASSERT_EQ(c.years_size(), 1);
  const v1::SchoolYearState& y = c.years(0);
  EXPECT_EQ(y.dp().base_cents(), 3076922);
  EXPECT_EQ(y.dp().ps_cents(), 1000000);
  EXPECT_EQ(y.dp().droit_cents(), 1000000);
  EXPECT_EQ(y.dp().n_share_cents(), 400000);  // (4 × PS + 5) div 10, R-PAY-1
  EXPECT_EQ(y.cap_n_cents(), 280000);         // R-PAY-2
  EXPECT_EQ(y.acomptes_n_cents(), 280000);
  EXPECT_EQ(y.room_n_cents(), 0);

  // The same file again: every line replays, nothing is written.
  const uint64_t head = Head();
  ran = Import(path);
  ASSERT_EQ(ran.code, 0) << ran.err;
  EXPECT_THAT(ran.out, HasSubstr("5 of 5 lines sent: 0 accepted, 5 replayed"));
  EXPECT_EQ(Head(), head);
}

TEST_F(ClasctlImportTest, MalformedLinesAreAllNamedAndNothingIsSent) {
  const uint64_t head = Head();
  const std::string path = WriteFile(
      "bad.jsonl", {kGestionnaire, kRequest, R"({"command": "SignConvention", "body": {)", kSign,
                    R"({"command": "PayAcompte", "body": {"caf_id": "caf-75", "montant": 5}})",
                    R"({"command": "PayEverything", "body": {}})"});
  Ran ran = Import(path);
  EXPECT_EQ(ran.code, 2);
  EXPECT_THAT(ran.err, HasSubstr("bad.jsonl:3: bad JSON"));
  EXPECT_THAT(ran.err, HasSubstr("bad.jsonl:5: body is not a clas.v1.PayAcompte"));
  EXPECT_THAT(ran.err, HasSubstr("bad.jsonl:6: unknown command 'PayEverything'"));
  EXPECT_THAT(ran.err, HasSubstr("3 malformed lines; nothing sent"));
  EXPECT_THAT(ran.err, Not(HasSubstr("bad.jsonl:1:")));
  EXPECT_EQ(Head(), head);
}

TEST_F(ClasctlImportTest, ARefusedLineStopsTheImportWithItsRulesAndResumesOnceFixed) {
  // Line 5: one cent over the R-PAY-2 cap of 2 800,00 €.
  const std::string path =
      WriteFile("conv-1.jsonl", {kGestionnaire, kRequest, kComite, kSign, Acompte(280001)});
  Ran ran = Import(path);
  EXPECT_EQ(ran.code, 1) << ran.err;
  EXPECT_THAT(ran.err, HasSubstr("line 5: PayAcompte: FAILED_PRECONDITION"));
  EXPECT_THAT(ran.err, HasSubstr("R-PAY-2"));
  EXPECT_THAT(ran.err, HasSubstr("import stopped at line 5"));
  EXPECT_THAT(ran.out, HasSubstr("4 of 5 lines sent: 4 accepted, 0 replayed"));
  const v1::ConventionState refused = Convention();
  EXPECT_EQ(refused.status(), v1::SIGNEE);  // lines 1-4 recorded
  ASSERT_EQ(refused.years_size(), 1);
  EXPECT_EQ(refused.years(0).acomptes_size(), 0);  // nothing of line 5
  EXPECT_EQ(refused.years(0).acomptes_n_cents(), 0);

  // Fixed, the same file resumes: lines 1-4 replay, line 5 is recorded.
  WriteFile("conv-1.jsonl", {kGestionnaire, kRequest, kComite, kSign, Acompte(280000)});
  ran = Import(path);
  ASSERT_EQ(ran.code, 0) << ran.err;
  EXPECT_THAT(ran.out, HasSubstr("5 of 5 lines sent: 1 accepted, 4 replayed"));
  EXPECT_EQ(Convention().years(0).acomptes_n_cents(), 280000);
}

TEST_F(ClasctlImportTest, DryRunCountsByCommandAndSendsNothing) {
  const uint64_t head = Head();
  const std::string path =
      WriteFile("conv-1.jsonl", {kGestionnaire, kRequest, kComite, kSign, Acompte(280000)});
  // No server, no token needed: nothing is sent.
  Ran ran = Run({"import", path, "--dry-run"});
  ASSERT_EQ(ran.code, 0) << ran.err;
  EXPECT_THAT(ran.out, HasSubstr("1 PayAcompte\n"));
  EXPECT_THAT(ran.out, HasSubstr("1 RegisterGestionnaire\n"));
  EXPECT_THAT(ran.out, HasSubstr("5 lines would be sent (dry run: none sent)"));
  EXPECT_EQ(Head(), head);
}

TEST_F(ClasctlImportTest, AServerThatDoesNotAnswerLeavesTheLineToARerun) {
  const std::string path = WriteFile("conv-1.jsonl", {kGestionnaire});
  const std::string server = absl::StrCat("127.0.0.1:", server_->port());
  StopServer();
  Ran ran = Run({"import", path, "--server", server, "--token-file", config_.tokens_file + ".clear",
                 "--as", Agent(), "--timeout", "1"});
  EXPECT_EQ(ran.code, 3) << ran.err;
  EXPECT_THAT(ran.err, HasSubstr("line 1: RegisterGestionnaire: UNAVAILABLE"));
  EXPECT_THAT(ran.err, HasSubstr("this one may be: run the file again"));
}

TEST_F(ClasctlImportTest, AnImportSentToAFollowerGoesToItsLeader) {
  // A follower of the test server, reading the same token file (with a replica user added).
  {
    std::ofstream tokens(config_.tokens_file, std::ios::app);
    tokens << server::HashToken("test-token-replica") << " replica-1 replica *\n";
  }
  ASSERT_TRUE(server_->ReloadTokens().ok());
  const std::string token_file = (dir_ / "replica-token").string();
  std::ofstream(token_file) << "test-token-replica\n";
  server::ServerConfig follower_config = config_;
  follower_config.data_dir = (dir_ / "follower").string();
  follower_config.follow = absl::StrCat("127.0.0.1:", server_->port());
  follower_config.follow_token_file = token_file;
  auto follower = server::LedgerServer::Start(follower_config);
  ASSERT_TRUE(follower.ok()) << follower.status();
  const uint64_t head = Head();
  const std::string path = WriteFile("conv-1.jsonl", {kGestionnaire, kRequest});
  Ran ran = Run({"import", path, "--server", absl::StrCat("127.0.0.1:", (*follower)->port()),
                 "--token-file", config_.tokens_file + ".clear", "--as", Agent()});
  EXPECT_EQ(ran.code, 0) << ran.err;
  EXPECT_THAT(ran.err, HasSubstr(absl::StrCat("réplique en lecture seule : envoi au nœud principal "
                                              "127.0.0.1:", server_->port())));
  EXPECT_THAT(ran.out, HasSubstr("2 of 2 lines sent: 2 accepted, 0 replayed"));
  EXPECT_EQ(Head(), head + 2);
  // The follower wrote nothing of its own: what it holds it replicated.
  EXPECT_EQ((*follower)->store().WaitForHead(head + 1, absl::Now() + absl::Seconds(30)), head + 2);
  EXPECT_EQ((*follower)->store().Head().hash, server_->store().Head().hash);
}

TEST_F(ClasctlImportTest, AnUnreadableFileIsAnIoError) {
  EXPECT_EQ(Import((dir_ / "missing.jsonl").string()).code, 3);
}

// ---- The format alone ------------------------------------------------------------------------

std::string RequestIdOf(const ctl::ImportLine& line) {
  const auto* field = line.request->GetDescriptor()->FindFieldByName("request_id");
  return line.request->GetReflection()->GetString(*line.request, field);
}

TEST(ClasctlImportFormat, EveryConventionsRpcIsACommand) {
  const auto* service = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
      "clas.v1.Conventions");
  ASSERT_NE(service, nullptr);
  for (int i = 0; i < service->method_count(); ++i) {
    const std::string name = service->method(i)->name();
    const ctl::ParsedImport parsed =
        ctl::ParseImport(absl::StrCat(R"({"command": ")", name, R"(", "body": {}})"), "f", "");
    EXPECT_TRUE(parsed.errors.empty()) << name;
    ASSERT_EQ(parsed.lines.size(), 1u) << name;
    EXPECT_EQ(parsed.lines[0].request->GetDescriptor()->full_name(),
              service->method(i)->input_type()->full_name());
  }
}

TEST(ClasctlImportFormat, RequestIdsAreDeterministicFromFileNameAndLine) {
  const ctl::ParsedImport parsed = ctl::ParseImport(
      "# comment\n\n" + std::string(kSign) + "\n" + Acompte(1) + "\n", "/some/dir/conv.jsonl", "");
  ASSERT_TRUE(parsed.errors.empty());
  ASSERT_EQ(parsed.lines.size(), 2u);
  EXPECT_EQ(parsed.lines[0].line_number, 3);
  EXPECT_EQ(RequestIdOf(parsed.lines[0]), "import:conv.jsonl:3");
  EXPECT_EQ(RequestIdOf(parsed.lines[1]), "acompte-a1");
  EXPECT_EQ(ctl::DefaultRequestId(std::string(200, 'x'), 7).size(), 7 + 16 + 2u);
  EXPECT_EQ(ctl::DefaultRequestId(std::string(200, 'x'), 7),
            ctl::DefaultRequestId("d/" + std::string(200, 'x'), 7));
}

TEST(ClasctlImportFormat, BadLinesAreEachNamed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "bad JSON"},
      {R"({"command": "SignConvention"})", "no \"body\" object"},
      {R"({"body": {}})", "no \"command\" string"},
      {R"({"command": "SignConvention", "body": {}, "extra": 1})", "unknown key 'extra'"},
      {R"({"command": "SignConvention", "body": {"date": "demain"}})", "clas.v1.SignConvention"},
      {R"({"command": "PayAcompte", "body": {"amount_cents": 9007199254740993}})", "2^53"},
      {R"({"command": "PayAcompte", "request_id": "", "body": {}})", "request_id"},
      {R"({"command": "PayAcompte", "body": {"caf_id": "caf-13"}})", "--caf"},
  };
  for (const auto& [line, why] : cases) {
    const ctl::ParsedImport parsed = ctl::ParseImport(line, "f", "caf-75");
    ASSERT_EQ(parsed.errors.size(), 1u) << line;
    EXPECT_EQ(parsed.errors[0].line_number, 1);
    EXPECT_THAT(parsed.errors[0].message, HasSubstr(why)) << line;
  }
  const ctl::ParsedImport twice = ctl::ParseImport(Acompte(1) + "\n" + Acompte(2), "f", "");
  ASSERT_EQ(twice.errors.size(), 1u);
  EXPECT_EQ(twice.errors[0].line_number, 2);
  EXPECT_THAT(twice.errors[0].message, HasSubstr("used twice"));
}

TEST(ClasctlImportFormat, CafFillsAnEmptyCafId) {
  const ctl::ParsedImport parsed =
      ctl::ParseImport(R"({"command": "PayAcompte", "body": {"payment_id": "p"}})", "f", "caf-75");
  ASSERT_EQ(parsed.lines.size(), 1u);
  const auto& request = static_cast<const v1::PayAcompteRequest&>(*parsed.lines[0].request);
  EXPECT_EQ(request.command().caf_id(), "caf-75");
  EXPECT_EQ(request.command().payment_id(), "p");
}

}  // namespace
}  // namespace clas::testing
