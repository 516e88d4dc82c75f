// The one table of what a command may carry (command_input.h): every string, bytes and repeated
// field a command can reach has a row; each class keeps its bound exactly (the bound accepted,
// one more refused) and its characters; a refusal names the field and its rule.
#include <set>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "clas/v1/commands.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "projections/core/violation.h"
#include "projections/engine/command_input.h"
#include "projections/engine/request_key.h"

namespace clas::testing {
namespace {

namespace pb = google::protobuf;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Every command of commands.proto (what the Conventions service takes).
std::vector<const pb::Descriptor*> Commands() {
  return {v1::RegisterGestionnaire::descriptor(), v1::PublishBareme::descriptor(),
          v1::FileFundingRequest::descriptor(),   v1::RecordCommitteeDecision::descriptor(),
          v1::SignConvention::descriptor(),       v1::SignAvenant::descriptor(),
          v1::NotifyCollectifs::descriptor(),     v1::PayAcompte::descriptor(),
          v1::ReceiveBilan::descriptor(),         v1::PaySolde::descriptor(),
          v1::OpenControle::descriptor(),         v1::RecordControleFindings::descriptor(),
          v1::DecideControle::descriptor(),       v1::RecordRecovery::descriptor(),
          v1::PayRappel::descriptor(),            v1::CloseCivilYear::descriptor(),
          v1::CorrectEvent::descriptor()};
}

const FieldBound* RowOf(const std::string& full_name) {
  for (const FieldBound& row : FieldBounds()) {
    if (row.field == full_name) return &row;
  }
  return nullptr;
}

// The string, bytes and repeated fields reachable from `type` without a row, through the
// messages the check descends into (not those the ledger fills or replaces).
void Unbounded(const pb::Descriptor* type, std::set<std::string>& seen,
               std::vector<std::string>& out) {
  if (!seen.insert(type->full_name()).second) return;
  for (int i = 0; i < type->field_count(); ++i) {
    const pb::FieldDescriptor* f = type->field(i);
    const FieldBound* row = RowOf(f->full_name());
    if (row != nullptr &&
        (row->kind == InputClass::kLedgers || row->kind == InputClass::kReplaced)) {
      continue;
    }
    const bool text = f->type() == pb::FieldDescriptor::TYPE_STRING ||
                      f->type() == pb::FieldDescriptor::TYPE_BYTES;
    if ((text || f->is_repeated()) && row == nullptr) out.push_back(f->full_name());
    if (f->type() == pb::FieldDescriptor::TYPE_MESSAGE) Unbounded(f->message_type(), seen, out);
  }
}

TEST(CommandInput, EveryStringAndRepeatedFieldOfEveryCommandHasABound) {
  std::set<std::string> seen;
  std::vector<std::string> unbounded;
  for (const pb::Descriptor* command : Commands()) Unbounded(command, seen, unbounded);
  EXPECT_THAT(unbounded, IsEmpty()) << "add a row to command_input.cc for each";
  // And the table names no field that does not exist.
  for (const FieldBound& row : FieldBounds()) {
    const std::string name(row.field);
    const size_t dot = name.rfind('.');
    const pb::Descriptor* type =
        pb::DescriptorPool::generated_pool()->FindMessageTypeByName(name.substr(0, dot));
    ASSERT_NE(type, nullptr) << name;
    EXPECT_NE(type->FindFieldByName(name.substr(dot + 1)), nullptr) << name;
  }
}

// The rule ids and fields a refusal names.
std::vector<std::string> Named(const absl::Status& status) {
  std::vector<std::string> out;
  for (const auto& v : ViolationsOf(status)) out.push_back(v.rule_id() + " " + v.field());
  return out;
}

v1::RegisterGestionnaire Register(const std::string& name) {
  v1::RegisterGestionnaire cmd;
  cmd.set_caf_id("caf-75");
  cmd.set_gestionnaire_id("asso-1");
  cmd.set_name(name);
  return cmd;
}

TEST(CommandInput, R_CONV_4_NamesAreTextOfAHumanSizeCountedInCharacters) {
  EXPECT_TRUE(CheckCommandInput("r", Register("Association des écoliers")).ok());
  EXPECT_TRUE(CheckCommandInput("r", Register(std::string(kNameCharsMax, 'a'))).ok());
  std::string accents;
  for (size_t i = 0; i < kNameCharsMax; ++i) accents += "é";  // 400 bytes, 200 characters
  EXPECT_TRUE(CheckCommandInput("r", Register(accents)).ok());
  const absl::Status long_name =
      CheckCommandInput("r", Register(std::string(kNameCharsMax + 1, 'a')));
  EXPECT_EQ(long_name.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Named(long_name), ElementsAre("R-CONV-4 name"));
  EXPECT_EQ(CheckCommandInput("r", Register(accents + "é")).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CommandInput, R_CONV_4_TextHoldsNoControlNorInvisibleNorBidirectionalCharacter) {
  for (const std::string& bad :
       {std::string("a\0b", 3), std::string("a\nb"), std::string("a\tb"), std::string("\x1b[31m"),
        std::string("a\x7f"), std::string("a\xc2\x85"), std::string("a\xe2\x80\xae"),
        std::string("a\xe2\x81\xa6"), std::string("a\xe2\x80\x8b"), std::string("a\xef\xbb\xbf"),
        std::string("a\xd8\x9c"), std::string("a\xe2\x80\xa8"), std::string("a\xef\xbf\xbf"),
        std::string("a\xff"), std::string("a\xc3"), std::string("\xed\xa0\x80")}) {
    const absl::Status refused = CheckCommandInput("r", Register(bad));
    EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument) << absl::CEscape(bad);
    EXPECT_THAT(Named(refused), ElementsAre("R-CONV-4 name")) << absl::CEscape(bad);
  }
  // Letters of other alphabets, punctuation, emoji are text.
  EXPECT_TRUE(CheckCommandInput("r", Register("Ассоциация « Les Écoles » — 学校 🙂")).ok());
}

TEST(CommandInput, R_HIST_1_CorrectionReasonsAreSentencesOfAtMost1000Characters) {
  v1::CorrectEvent cmd;
  cmd.set_caf_id("caf-75");
  cmd.set_convention_id("conv-1");
  cmd.set_target_event_id("caf-75/0123456789abcdef0123456789abcdef#0");
  cmd.set_reason(std::string(kTextCharsMax, 'r'));
  EXPECT_TRUE(CheckCommandInput("r", cmd).ok());
  cmd.set_reason(std::string(kTextCharsMax + 1, 'r'));
  EXPECT_THAT(Named(CheckCommandInput("r", cmd)), ElementsAre("R-HIST-1 reason"));
  cmd.set_reason("erreur de saisie\nligne 2");
  EXPECT_THAT(Named(CheckCommandInput("r", cmd)), ElementsAre("R-HIST-1 reason"));
}

TEST(CommandInput, R_HIST_1_R_HIST_4_IdentifiersKeepTheirClassAndBound) {
  v1::PayAcompte cmd;
  cmd.set_caf_id(std::string(kCafIdBytesMax, 'c'));
  cmd.set_convention_id(std::string(kIdBytesMax, 'v'));
  cmd.set_payment_id("a-1");
  EXPECT_TRUE(CheckCommandInput(std::string(kIdBytesMax, '~'), cmd).ok());
  EXPECT_TRUE(CheckCommandInput("a request: \"#1\" / 2", cmd).ok());
  EXPECT_THAT(Named(CheckCommandInput(std::string(kIdBytesMax + 1, 'r'), cmd)),
              ElementsAre("R-HIST-1 request_id"));
  EXPECT_THAT(Named(CheckCommandInput("", cmd)), ElementsAre("R-HIST-1 request_id"));
  EXPECT_THAT(Named(CheckCommandInput("r\n", cmd)), ElementsAre("R-HIST-1 request_id"));

  v1::PayAcompte caf = cmd;
  caf.set_caf_id(std::string(kCafIdBytesMax + 1, 'c'));
  EXPECT_THAT(Named(CheckCommandInput("r", caf)), ElementsAre("R-HIST-4 caf_id"));
  for (const std::string& bad : {std::string(""), std::string("caf 75"), std::string("caf/75"),
                                 std::string("café")}) {
    caf.set_caf_id(bad);
    EXPECT_THAT(Named(CheckCommandInput("r", caf)), ElementsAre("R-HIST-4 caf_id")) << bad;
  }
  v1::PayAcompte id = cmd;
  for (const std::string& bad :
       {std::string(kIdBytesMax + 1, 'v'), std::string("conv 1"), std::string("conv/1"),
        std::string(".."), std::string("."), std::string("conv\x01")}) {
    id.set_convention_id(bad);
    EXPECT_THAT(Named(CheckCommandInput("r", id)), ElementsAre("R-CONV-4 convention_id")) << bad;
  }
  id.set_convention_id("conv-1");
  id.set_payment_id(std::string(kIdBytesMax + 1, 'p'));
  EXPECT_THAT(Named(CheckCommandInput("r", id)), ElementsAre("R-HIST-1 payment_id"));
}

TEST(CommandInput, R_CONV_6_R_CTL_1_RequiredFiguresAreRequired) {
  v1::ReceiveBilan bilan;
  bilan.set_caf_id("caf-75");
  bilan.set_convention_id("conv-1");
  bilan.set_school_year(2026);
  EXPECT_THAT(Named(CheckCommandInput("r", bilan)), ElementsAre("R-CONV-6 figures"));
  bilan.mutable_figures();  // present, even all zero: the rules judge the figures
  EXPECT_TRUE(CheckCommandInput("r", bilan).ok());

  v1::DecideControle decide;
  decide.set_caf_id("caf-75");
  decide.set_convention_id("conv-1");
  decide.set_controle_id("ctl-1");
  decide.add_years()->set_school_year(2026);
  EXPECT_THAT(Named(CheckCommandInput("r", decide)), ElementsAre("R-CTL-1 years[0].figures"));
}

TEST(CommandInput, R_CTL_1_R_ELIG_1_ListsHaveALargestCount) {
  v1::OpenControle open;
  open.set_caf_id("caf-75");
  open.set_convention_id("conv-1");
  open.set_controle_id("ctl-1");
  for (int n = 2021; n < 2026; ++n) open.add_school_years(n);
  EXPECT_TRUE(CheckCommandInput("r", open).ok());
  open.add_school_years(2026);
  EXPECT_THAT(Named(CheckCommandInput("r", open)), ElementsAre("R-CTL-1 school_years"));

  v1::FileFundingRequest file;
  file.set_caf_id("caf-75");
  for (int i = 0; i <= 200; ++i) file.mutable_request()->add_collectifs();
  EXPECT_THAT(Named(CheckCommandInput("r", file)), ElementsAre("R-ELIG-1 request.collectifs"));
}

// What the ledger writes in every fact (warnings, request id and fingerprint) may come back in a
// correction's replacement as a client read it: not looked at (and not kept, decide_correction).
// What only the ledger computes (a closing's lines, a decision's outcomes) is refused.
TEST(CommandInput, R_HIST_1_WhatTheLedgerWritesIsNotTakenFromTheClient) {
  v1::CorrectEvent cmd;
  cmd.set_caf_id("caf-75");
  cmd.set_convention_id("conv-1");
  cmd.set_target_event_id("caf-75/0123456789abcdef0123456789abcdef#0");
  cmd.set_reason("saisie");
  v1::ClasEvent* r = cmd.mutable_replacement();
  r->mutable_bilan_received()->set_school_year(2026);
  r->set_request_id(std::string(100'000, 'x'));
  r->set_request_digest("anything");
  r->add_warnings()->set_message("R-PAY-2 : faux avertissement\n");
  EXPECT_TRUE(CheckCommandInput("r", cmd).ok());
  r->clear_bilan_received();
  r->mutable_civil_year_closed()->add_lines();
  EXPECT_THAT(Named(CheckCommandInput("r", cmd)),
              ElementsAre("R-ACC-8 replacement.civil_year_closed.lines"));
}

TEST(CommandInput, R_CONV_2_SchoolYearsStayWithinTheLedgersDates) {
  v1::NotifyCollectifs cmd;
  cmd.set_caf_id("caf-75");
  cmd.set_convention_id("conv-1");
  cmd.set_school_year(2026);
  EXPECT_TRUE(CheckCommandInput("r", cmd).ok());
  cmd.set_school_year(2'147'483'647);
  EXPECT_THAT(Named(CheckCommandInput("r", cmd)), ElementsAre("R-CONV-2 school_year"));
}

TEST(CommandInput, AQueryIdentifierIsCheckedWithTheSameClasses) {
  EXPECT_TRUE(CheckQueryIdentifier("caf_id", "caf-75", InputClass::kCafId, rule::kHist4).ok());
  const absl::Status bad = CheckQueryIdentifier("convention_id", std::string(10'000, 'e'),
                                                InputClass::kIdentifier, rule::kConv4);
  EXPECT_THAT(Named(bad), ElementsAre("R-CONV-4 convention_id"));
  EXPECT_LT(bad.message().size(), 1024u) << "a refusal shows the value cut";
}

// Every identifier row of the table has the bound of the id policy (identifiers.h): one policy,
// written once.
TEST(CommandInput, R_HIST_1_EveryIdentifierRowHasThePolicysBound) {
  int rows = 0;
  for (const FieldBound& row : FieldBounds()) {
    if (row.kind == InputClass::kCafId) {
      EXPECT_EQ(row.max, kCafIdBytesMax) << row.field;
    } else if (row.kind == InputClass::kIdentifier || row.kind == InputClass::kEventId ||
               row.kind == InputClass::kRequestId) {
      EXPECT_EQ(row.max, kIdBytesMax) << row.field;
    } else {
      continue;
    }
    ++rows;
  }
  EXPECT_GT(rows, 30);
}

}  // namespace
}  // namespace clas::testing
