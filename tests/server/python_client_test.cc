// The API from a second language: clients/python/clas_client.py, on stubs generated from proto/
// at build time, against a real server. It publishes a barème, carries a convention from its
// funding request to its signature, has an acompte over the cap refused (the rules read from
// the standard error trailer), pays one, retries it, reads the convention back and follows a
// subscription. What it printed (the API's JSON) is read back here into the C++ messages, and
// checked against RULES.md's worked example and against the log itself.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "tests/server/server_fixture.h"

#ifndef CLAS_PYTHON
#define CLAS_PYTHON ""
#define CLAS_PYTHON_CLIENT ""
#define CLAS_PYTHON_STUBS ""
#endif

namespace clas::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;

constexpr int64_t Eur(int64_t euros) { return euros * 100; }

// RULES.md §7's worked example: plafond 11 000,00 € × 3 collectifs, charges 30 769,22 € give a
// PS of 10 000,00 € (R-DROIT-2/3), so the acomptes of civil year N are capped at 2 800,00 €
// (R-PAY-2: 28 %).
constexpr int64_t kChargesCents = 3076922;
constexpr int64_t kPsCents = Eur(10000);
constexpr int64_t kCapNCents = Eur(2800);

struct ClientRun {
  int exit_code = -1;
  std::vector<std::string> lines;  // stdout, one JSON document a line
};

std::string Quoted(const std::string& arg) { return absl::StrCat("'", arg, "'"); }

template <typename Message>
Message FromJson(const std::string& line) {
  Message message;
  const auto status = google::protobuf::util::JsonStringToMessage(line, &message);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << line;
  return message;
}

std::vector<std::string> EventIds(const v1::CommandResponse& response) {
  std::vector<std::string> ids;
  for (const auto& e : response.events()) ids.push_back(e.event_id());
  return ids;
}

class PythonClient : public ServerTest {
 protected:
  void SetUp() override {
    if (std::string(CLAS_PYTHON).empty()) {
      GTEST_SKIP() << "no /usr/bin/python3 or grpc_python_plugin at configure time: the Python "
                      "client was not built";
    }
    if (std::system(CLAS_PYTHON " -c 'import grpc' 2>/dev/null") != 0) {
      GTEST_SKIP() << "python3-grpcio is missing (tools/setup.sh installs it)";
    }
    ServerTest::SetUp();
  }

  // Runs the client as `user` with `args`: its exit code and the lines it printed.
  ClientRun Client(const std::string& user, const std::vector<std::string>& args) {
    std::vector<std::string> quoted;
    for (const auto& a : args) quoted.push_back(Quoted(a));
    const std::string command =
        absl::StrCat(CLAS_PYTHON, " ", Quoted(CLAS_PYTHON_CLIENT), " --stubs ",
                     Quoted(CLAS_PYTHON_STUBS), " --target 127.0.0.1:", server_->port(),
                     " --token-file ", Quoted(config_.tokens_file + ".clear"), " --as ",
                     Quoted(user), " ", absl::StrJoin(quoted, " "));
    ClientRun run;
    FILE* out = popen(command.c_str(), "r");
    if (out == nullptr) return run;
    std::string text;
    char buffer[4096];
    for (size_t n; (n = fread(buffer, 1, sizeof buffer, out)) > 0;) text.append(buffer, n);
    const int status = pclose(out);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
    return run;
  }

  std::string Caf() const { return kCafA; }
};

TEST_F(PythonClient, AcomptePaidReadBackAndFollowed) {
  ClientRun bareme = Client("cnaf-bareme", {"bareme", "--school-year", "2026", "--plafond-cents",
                                            absl::StrCat(Eur(11000)), "--reference", "LC 2026-1"});
  ASSERT_EQ(bareme.exit_code, 0);
  ASSERT_EQ(bareme.lines.size(), 1u);
  const auto published = FromJson<v1::CommandResponse>(bareme.lines[0]);

  ClientRun opened =
      Client(Agent(Caf()), {"open", "--caf", Caf(), "--convention", "conv-py", "--gestionnaire",
                            "asso-py", "--school-year", "2026", "--collectifs", "3",
                            "--charges-cents", absl::StrCat(kChargesCents)});
  ASSERT_EQ(opened.exit_code, 0);
  ASSERT_EQ(opened.lines.size(), 4u);
  std::vector<v1::RecordedEvent> recorded;
  std::vector<std::string> types;
  for (const auto& line : opened.lines) {
    const auto answer = FromJson<v1::CommandResponse>(line);
    ASSERT_EQ(answer.events_size(), 1);
    recorded.push_back(answer.events(0));
    types.push_back(answer.events(0).event_type());
  }
  EXPECT_THAT(types, ElementsAre("gestionnaire_registered", "funding_request_filed",
                                 "committee_decision_recorded", "convention_signed"));
  const auto signed_ = FromJson<v1::CommandResponse>(opened.lines[3]);
  ASSERT_EQ(signed_.figures().years_size(), 1);
  EXPECT_EQ(signed_.figures().status(), v1::SIGNEE);
  EXPECT_EQ(signed_.figures().years(0).dp().ps_cents(), kPsCents);

  // One cent over the cap: refused, the rule read by Python from the standard trailer.
  const uint64_t head_before = server_->store().Head().position;
  ClientRun over =
      Client(Agent(Caf()), {"acompte", "--caf", Caf(), "--convention", "conv-py", "--payment-id",
                            "a1", "--school-year", "2026", "--amount-cents",
                            absl::StrCat(kCapNCents + 1), "--date", "20261015"});
  EXPECT_EQ(over.exit_code, 1);
  ASSERT_EQ(over.lines.size(), 1u);
  const auto refusal = FromJson<google::rpc::Status>(over.lines[0]);
  EXPECT_EQ(refusal.code(), grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_EQ(refusal.details_size(), 1);
  v1::RuleViolations violations;
  ASSERT_TRUE(refusal.details(0).UnpackTo(&violations));
  std::vector<std::string> rules;
  for (const auto& v : violations.violations()) rules.push_back(v.rule_id());
  EXPECT_THAT(rules, Contains("R-PAY-2"));
  EXPECT_EQ(server_->store().Head().position, head_before);

  const std::vector<std::string> acompte_args = {"acompte",
                                                 "--caf",
                                                 Caf(),
                                                 "--convention",
                                                 "conv-py",
                                                 "--payment-id",
                                                 "a1",
                                                 "--school-year",
                                                 "2026",
                                                 "--amount-cents",
                                                 absl::StrCat(kCapNCents),
                                                 "--date",
                                                 "20261015"};
  ClientRun paid = Client(Agent(Caf()), acompte_args);
  ASSERT_EQ(paid.exit_code, 0);
  ASSERT_EQ(paid.lines.size(), 1u);
  const auto acompte = FromJson<v1::CommandResponse>(paid.lines[0]);
  ASSERT_EQ(acompte.events_size(), 1);
  EXPECT_FALSE(acompte.replayed());
  EXPECT_EQ(acompte.events(0).fact().acompte_paid().amount_cents(), kCapNCents);
  EXPECT_EQ(acompte.events(0).fact().acompte_paid().cap_cents(), kCapNCents);
  ASSERT_EQ(acompte.figures().years_size(), 1);
  EXPECT_EQ(acompte.figures().years(0).room_n_cents(), 0);
  recorded.push_back(acompte.events(0));

  // The same request again: the first answer's event, nothing written (exactly once).
  ClientRun retried = Client(Agent(Caf()), acompte_args);
  ASSERT_EQ(retried.exit_code, 0);
  ASSERT_EQ(retried.lines.size(), 1u);
  const auto replay = FromJson<v1::CommandResponse>(retried.lines[0]);
  EXPECT_TRUE(replay.replayed());
  EXPECT_EQ(EventIds(replay), EventIds(acompte));

  ClientRun shown = Client(Agent(Caf()), {"show", "--caf", Caf(), "--convention", "conv-py"});
  ASSERT_EQ(shown.exit_code, 0);
  ASSERT_EQ(shown.lines.size(), 1u);
  const auto state = FromJson<v1::GetConventionResponse>(shown.lines[0]);
  EXPECT_EQ(state.convention().status(), v1::SIGNEE);
  ASSERT_EQ(state.convention().years_size(), 1);
  EXPECT_EQ(state.convention().years(0).acomptes_n_cents(), kCapNCents);
  ASSERT_EQ(state.convention().years(0).acomptes_size(), 1);
  EXPECT_EQ(state.convention().years(0).acomptes(0).payment_id(), "a1");
  EXPECT_EQ(state.log_position(), acompte.log_position());

  // A subscription to the Caf from the start: exactly the Caf's events (not the national
  // barème), in log order, until the acompte.
  std::vector<std::string> follow = {"follow", "--caf", Caf(), "--from-position", "1", "--until"};
  for (const auto& e : recorded) follow.push_back(e.event_id());
  ClientRun followed = Client("service-demo", follow);
  ASSERT_EQ(followed.exit_code, 0);
  ASSERT_EQ(followed.lines.size(), recorded.size());
  for (size_t i = 0; i < recorded.size(); ++i) {
    const auto event = FromJson<v1::RecordedEvent>(followed.lines[i]);
    EXPECT_EQ(event.event_id(), recorded[i].event_id());
    EXPECT_EQ(event.position(), recorded[i].position());
    EXPECT_EQ(event.hash(), recorded[i].hash());
    EXPECT_EQ(event.caf_id(), Caf());
  }

  // The log holds exactly the barème and those events, as the client was told.
  auto log = server_->store().ReadAll(1, 100);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_EQ(log->size(), recorded.size() + 1);
  EXPECT_EQ((*log)[0].event_id(), published.events(0).event_id());
  for (size_t i = 0; i < recorded.size(); ++i) {
    EXPECT_EQ((*log)[i + 1].event_id(), recorded[i].event_id());
    EXPECT_EQ((*log)[i + 1].position(), recorded[i].position());
    EXPECT_EQ((*log)[i + 1].hash, recorded[i].hash());
  }
}

}  // namespace
}  // namespace clas::testing
