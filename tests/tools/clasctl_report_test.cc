// clasctl convention report: the HTML audit page (tools/clasctl/report_html.*), on RULES.md §7's
// worked example driven by the fixture.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "projections/engine/request_key.h"
#include "ledger/hash_chain.h"
#include "tests/tools/clasctl_fixture.h"
#include "tools/clasctl/cli.h"
#include "tools/clasctl/report_html.h"

namespace clas::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ClasctlReportTest : public ClasctlTest {
 protected:
  // The worked example's history, as `convention history --json` gives it.
  std::vector<v1::ReplayHistoryItem> History(const std::string& convention) {
    Ran json = RunAs("auditeur", {"convention", "history", convention, "--caf", kCaf, "--json"});
    EXPECT_EQ(json.code, 0) << json.err;
    std::vector<v1::ReplayHistoryItem> items;
    for (absl::string_view line : absl::StrSplit(json.out, '\n', absl::SkipEmpty())) {
      v1::ReplayHistoryItem item;
      EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(std::string(line), &item).ok());
      items.push_back(std::move(item));
    }
    return items;
  }

  // Writes the page of `convention` with clasctl and returns its text.
  std::string Report(const std::string& convention, std::filesystem::path* path = nullptr) {
    const std::filesystem::path page = dir_ / absl::StrCat(convention, ".html");
    Ran ran = RunAs("auditeur", {"convention", "report", convention, "--caf", kCaf, "--html",
                                 page.string()});
    EXPECT_EQ(ran.code, 0) << ran.err;
    EXPECT_THAT(ran.out, HasSubstr(absl::StrCat("written to ", page.string())));
    if (path != nullptr) *path = page;
    // Running text keeps amounts on one line with &nbsp;: read as plain spaces here.
    return absl::StrReplaceAll(ReadAll(page), {{"&nbsp;", " "}});
  }
};

TEST_F(ClasctlReportTest, PageNamesTheConventionTheLastHashAndEveryEvent) {
  WorkedExample();
  const std::vector<v1::ReplayHistoryItem> items = History("conv-1");
  ASSERT_EQ(items.size(), 7u);
  const std::string html = Report("conv-1");
  EXPECT_THAT(html, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr("<h1>Convention conv-1</h1>"));
  EXPECT_THAT(html, HasSubstr("caf-75"));
  EXPECT_THAT(html, HasSubstr(ledger::HashHex(items.back().event().hash())));
  EXPECT_THAT(html, HasSubstr(absl::StrCat("jusqu'à la position ", items.back().event().position())));
  for (const auto& item : items) EXPECT_THAT(html, HasSubstr(item.event().event_id()));
  EXPECT_THAT(html, HasSubstr("acompte payé"));
  EXPECT_THAT(html, HasSubstr("solde payé"));
  EXPECT_THAT(html, HasSubstr("soldée"));
}

// RULES.md §7 by hand: DP's PS = (30 769,22 × 13 + 20) div 40 = 10 000,00 € (no bonus agreed);
// DR's PS = 9 000,00 € on 27 692,30 € of charges; acomptes 2 800 + 4 200 = 7 000,00 €; solde =
// DR − acomptes = 2 000,00 €; paid 9 000,00 €; no indu.
TEST_F(ClasctlReportTest, ChartsCarryTheWorkedExampleFigures) {
  WorkedExample();
  const std::string html = Report("conv-1");
  EXPECT_THAT(html, HasSubstr("Année scolaire 2026-2027"));
  EXPECT_THAT(html, HasSubstr("<svg class=\"chart\""));
  EXPECT_THAT(html, HasSubstr("class=\"val\">10 000,00 €</text>"));  // DP bar
  EXPECT_THAT(html, HasSubstr("class=\"val\">9 000,00 €</text>"));   // DR bar and paid bar
  EXPECT_THAT(html, HasSubstr("<title>Acomptes 7 000,00 €</title>"));
  EXPECT_THAT(html, HasSubstr("<title>Solde 2 000,00 €</title>"));
  EXPECT_THAT(html, HasSubstr("class=\"na\">non calculé</text>"));  // no DC without a contrôle
  EXPECT_THAT(html, HasSubstr("Aucun indu ouvert."));
  // The timeline says what each payment was, in French ("'" is escaped as &#39;).
  EXPECT_THAT(html, HasSubstr("a1, 2026-2027 : 2 800,00 € sur l&#39;exercice 2026 (plafond "
                              "2 800,00 €"));
  EXPECT_THAT(html, HasSubstr("s1, 2026-2027 : 2 000,00 € (DR 9 000,00 € − acomptes 7 000,00 €)"));
}

TEST_F(ClasctlReportTest, TimelineShowsWarningsAndCancellations) {
  Signed("conv-2", "asso-2", /*action_start=*/20260915);  // before the Toussaint: R-ELIG-8
  v1::PayAcompte acompte;
  acompte.set_caf_id(kCaf);
  acompte.set_convention_id("conv-2");
  acompte.set_payment_id("a1");
  acompte.set_school_year(2026);
  acompte.set_amount_cents(Eur(1000));
  acompte.set_date(20261015);
  Do(acompte, &Engine::PayAcompte);
  const std::string paid = RequestEventId(kCaf, absl::StrCat("req-", requests_), 0);
  v1::CorrectEvent cancel;
  cancel.set_caf_id(kCaf);
  cancel.set_convention_id("conv-2");
  cancel.set_target_event_id(paid);
  cancel.set_reason("montant saisi deux fois");
  cancel.set_cancel(true);
  Do(cancel, &Engine::CorrectEvent);
  const std::string html = Report("conv-2");
  EXPECT_THAT(html, HasSubstr("R-ELIG-8 ⚠</span>"));
  EXPECT_THAT(html, HasSubstr(absl::StrCat("<span class=\"mark\">annulé</span> par <span "
                                           "class=\"id\">",
                                           RequestEventId(kCaf, absl::StrCat("req-", requests_), 0))));
  EXPECT_THAT(html, HasSubstr(absl::StrCat("annule ", paid, " (montant saisi deux fois)")));
}

TEST_F(ClasctlReportTest, PageIsSelfContained) {
  WorkedExample();
  const std::string html = Report("conv-1");
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, HasSubstr("@media print"));
}

TEST_F(ClasctlReportTest, OpenInduShowsAmountRecoveredAndOpen) {
  WorkedExample();
  std::vector<v1::ReplayHistoryItem> items = History("conv-1");
  v1::ConventionState state = items.back().state_after();
  v1::InduState* indu = state.add_indus();
  indu->set_indu_id("i1");
  indu->set_school_year(2026);
  indu->set_date(20280115);
  indu->set_amount_cents(Cents(1234, 56));
  indu->set_recovered_cents(Eur(234));
  indu->set_open_cents(Cents(1000, 56));
  state.mutable_years(0)->set_indus_notified_cents(Cents(1234, 56));
  const std::string html = ctl::ConventionReportHtml(state, items, 1'800'000'000'000'000);
  EXPECT_THAT(html, HasSubstr("<td>i1</td>"));
  EXPECT_THAT(html, HasSubstr(">1 234,56 €</td>"));
  EXPECT_THAT(html, HasSubstr(">234,00 €</td>"));
  EXPECT_THAT(html, HasSubstr(">1 000,56 €</td>"));
  EXPECT_THAT(html, HasSubstr("2027-01-15 08:00:00 UTC"));  // the report's instant
  // The paid bar: 9 000,00 € paid − 1 234,56 € of indu = 7 765,44 € net, the indu hatched.
  EXPECT_THAT(html, HasSubstr("class=\"val\">7 765,44 € net (indus −1 234,56 €)</text>"));
  EXPECT_THAT(html, HasSubstr("fill=\"url(#indu-2026)\""));
}

// R-PAY-9: a bilan corrected after its solde shows, in its school year, what it made due.
TEST_F(ClasctlReportTest, SoldeRevisionShowsWhatItMadeDue) {
  WorkedExample();
  std::vector<v1::ReplayHistoryItem> items = History("conv-1");
  v1::ConventionState state = items.back().state_after();
  v1::SoldeRevisionState* r = state.mutable_years(0)->add_solde_revisions();
  r->set_event_id("caf-x/fix#0");
  r->set_date(20280301);
  r->mutable_revision()->mutable_dr_before()->set_droit_cents(Eur(3900));
  r->mutable_revision()->mutable_dr_after()->set_droit_cents(Eur(4225));
  r->mutable_revision()->set_delta_cents(Eur(325));
  state.mutable_years(0)->set_complement_due_cents(Eur(325));
  const std::string html = absl::StrReplaceAll(
      ctl::ConventionReportHtml(state, items, 1'800'000'000'000'000), {{"&nbsp;", " "}});
  EXPECT_THAT(html, HasSubstr("Bilan corrigé le 01/03/2028 ; solde recalculé (DR 3 900,00 € → "
                              "4 225,00 €) : complément de solde de 325,00 € dû (caf-x/fix#0)"));
  EXPECT_THAT(html, HasSubstr("Complément de solde dû : 325,00 €"));
}

TEST_F(ClasctlReportTest, NamesAreEscaped) {
  WorkedExample();
  std::vector<v1::ReplayHistoryItem> items = History("conv-1");
  v1::ConventionState state = items.back().state_after();
  state.set_gestionnaire_name("Asso <script>alert(\"x\")</script> & fils");
  items.front().mutable_event()->mutable_actor()->set_id("agent<b>");
  const std::string html = ctl::ConventionReportHtml(state, items, 1);
  EXPECT_THAT(html, Not(HasSubstr("<script>")));
  EXPECT_THAT(html, HasSubstr("Asso &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; fils"));
  EXPECT_THAT(html, HasSubstr("agent&lt;b&gt;"));
}

TEST_F(ClasctlReportTest, UnknownConventionIsNotFound) {
  Ran ran = RunAs("auditeur", {"convention", "report", "conv-x", "--caf", kCaf, "--html",
                               (dir_ / "x.html").string()});
  EXPECT_EQ(ran.code, ctl::kExitRefused) << ran.out << ran.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "x.html"));
}

TEST_F(ClasctlReportTest, HelpNamesTheFlags) {
  Ran ran = Run({"convention", "report", "--help"});
  ASSERT_EQ(ran.code, 0);
  EXPECT_THAT(ran.out, HasSubstr("usage: clasctl convention report ID"));
  EXPECT_THAT(ran.out, HasSubstr("--html FILE"));
}

// The page renders in a real browser engine; skipped where Chromium is not installed.
TEST_F(ClasctlReportTest, RendersInHeadlessChromium) {
  const std::filesystem::path chromium = "/usr/bin/chromium";
  if (!std::filesystem::exists(chromium)) GTEST_SKIP() << "no " << chromium << ": not rendered";
  WorkedExample();
  std::filesystem::path page;
  Report("conv-1", &page);
  const std::filesystem::path profile = dir_ / "chromium-profile";
  const std::filesystem::path png = dir_ / "report.png";
  std::filesystem::create_directories(profile);
  const std::string command = absl::StrCat(
      chromium.string(),
      " --headless --no-sandbox --disable-gpu --disable-background-networking"
      " --disable-component-update --disable-sync --no-first-run --user-data-dir='",
      profile.string(), "' --screenshot='", png.string(), "' --window-size=1200,1600 'file://",
      page.string(), "' >/dev/null 2>&1");
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  ASSERT_TRUE(std::filesystem::exists(png));
  EXPECT_GT(std::filesystem::file_size(png), 8u * 1024);
}

}  // namespace
}  // namespace clas::testing
