#include "projections/engine/command_input.h"

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/base/absl_view.h"
#include "projections/core/violation.h"
#include "projections/engine/request_key.h"
#include "projections/rules/request_limits.h"

namespace clas {
namespace {

namespace pb = google::protobuf;
using K = InputClass;

// School years one contrôle may cover (R-CONV-2: a convention covers at most five).
constexpr size_t kYearsPerControleMax = rules::kConventionSchoolYearsMax;
// Commands nest a few levels (a correction, its replacement, a request, its collectifs).
constexpr int kDepthMax = 8;
// Characters of a refused value shown back.
constexpr size_t kShownBytesMax = 48;

// The table. Ids of aggregates name R-CONV-4 (a new project goes through a request that names
// them); the others name the rule of the fact they identify.
const std::vector<FieldBound>& Table() {
  static const auto* const table = new std::vector<FieldBound>{
      // The Caf of every command; the request id is checked apart (it is not a field).
      {"clas.v1.RegisterGestionnaire.caf_id", K::kCafId, kCafIdBytesMax, rule::kHist4},
      {"clas.v1.RegisterGestionnaire.gestionnaire_id", K::kIdentifier, kIdBytesMax, rule::kConv4},
      {"clas.v1.RegisterGestionnaire.name", K::kName, kNameCharsMax, rule::kConv4},
      {"clas.v1.RenewCentreSocialAgrement.caf_id", K::kCafId, kCafIdBytesMax, rule::kHist4},
      {"clas.v1.RenewCentreSocialAgrement.gestionnaire_id", K::kIdentifier, kIdBytesMax,
       rule::kConv2},
      {"clas.v1.PublishBareme.bareme", K::kRequiredMessage, 0, rule::kDroit7},
      {"clas.v1.PublishBareme.reference", K::kName, kNameCharsMax, rule::kDroit1},
      {"clas.v1.FileFundingRequest.caf_id", K::kCafId, kCafIdBytesMax, rule::kHist4},
      {"clas.v1.FileFundingRequest.request", K::kRequiredMessage, 0, rule::kConv4},
      {"clas.v1.RecordCommitteeDecision.caf_id", K::kCafId, kCafIdBytesMax, rule::kHist4},
      {"clas.v1.RecordCommitteeDecision.convention_id", K::kIdentifier, kIdBytesMax, rule::kConv4},
      {"clas.v1.RecordCommitteeDecision.decision", K::kRequiredMessage, 0, rule::kConv1},
      {"clas.v1.SignConvention.caf_id", K::kCafId, kCafIdBytesMax, rule::kHist4},
      {"clas.v1.SignConvention.convention_id", K::kIdentifier, kIdBytesMax, rule::kConv4},
      {"clas.v1.SignAvenant.caf_id", K::kCafId, kCafIdBytesMax, rule::kHist4},
      {"clas.v1.SignAvenant.convention_id", K::kIdentifier, kIdBytesMax, rule::kConv4},
      {"clas.v1.SignAvenant.avenant_id", K::kIdentifier, kIdBytesMax, rule::kConv3},
      {"clas.v1.NotifyCollectifs.caf_id", K::kCafId, kCafIdBytesMax, rule::kHist4},
      {"clas.v1.NotifyCollectifs.convention_id", K::kIdentifier, kIdBytesMax, rule::kConv4},
      {"clas.v1.NotifyCollectifs.notification_id", K::kIdentifier, kIdBytesMax, rule::kConv5},
      {"clas.v1.PayAcompte.caf_id", K::kCafId, kCafIdBytesMax, rule::kHist4},
      {"clas.v1.PayAcompte.convention_id", K::kIdentifier, kIdBytesMax, rule::kConv4},
      {"clas.v1.PayAcompte.payment_id", K::kIdentifier, kIdBytesMax, rule::kHist1},
      {"clas.v1.ReceiveBilan.caf_id", K::kCafId, kCafIdBytesMax, rule::kHist4},
      {"clas.v1.ReceiveBilan.convention_id", K::kIdentifier, kIdBytesMax, rule::kConv4},
      {"clas.v1.ReceiveBilan.figures", K::kRequiredMessage, 0, rule::kConv6},
      {"clas.v1.PaySolde.caf_id", K::kCafId, kCafIdBytesMax, rule::kHist4},
      {"clas.v1.PaySolde.convention_id", K::kIdentifier, kIdBytesMax, rule::kConv4},
      {"clas.v1.PaySolde.payment_id", K::kIdentifier, kIdBytesMax, rule::kHist1},
      {"clas.v1.OpenControle.caf_id", K::kCafId, kCafIdBytesMax, rule::kHist4},
      {"clas.v1.OpenControle.convention_id", K::kIdentifier, kIdBytesMax, rule::kConv4},
      {"clas.v1.OpenControle.controle_id", K::kIdentifier, kIdBytesMax, rule::kCtl1},
      {"clas.v1.OpenControle.school_years", K::kRepeated, kYearsPerControleMax, rule::kCtl1},
      {"clas.v1.RecordControleFindings.caf_id", K::kCafId, kCafIdBytesMax, rule::kHist4},
      {"clas.v1.RecordControleFindings.convention_id", K::kIdentifier, kIdBytesMax, rule::kConv4},
      {"clas.v1.RecordControleFindings.controle_id", K::kIdentifier, kIdBytesMax, rule::kCtl1},
      {"clas.v1.RecordControleFindings.years", K::kRepeated, kYearsPerControleMax, rule::kCtl1},
      {"clas.v1.DecideControle.caf_id", K::kCafId, kCafIdBytesMax, rule::kHist4},
      {"clas.v1.DecideControle.convention_id", K::kIdentifier, kIdBytesMax, rule::kConv4},
      {"clas.v1.DecideControle.controle_id", K::kIdentifier, kIdBytesMax, rule::kCtl2},
      {"clas.v1.DecideControle.years", K::kRepeated, kYearsPerControleMax, rule::kCtl2},
      {"clas.v1.ControlledYear.figures", K::kRequiredMessage, 0, rule::kCtl1},
      {"clas.v1.RecordRecovery.caf_id", K::kCafId, kCafIdBytesMax, rule::kHist4},
      {"clas.v1.RecordRecovery.convention_id", K::kIdentifier, kIdBytesMax, rule::kConv4},
      {"clas.v1.RecordRecovery.recovery_id", K::kIdentifier, kIdBytesMax, rule::kCtl5},
      {"clas.v1.RecordRecovery.indu_id", K::kIdentifier, kIdBytesMax, rule::kCtl5},
      {"clas.v1.RecordRecovery.offset_payment_id", K::kIdentifier, kIdBytesMax, rule::kCtl3},
      {"clas.v1.RecordRecovery.offset_convention_id", K::kIdentifier, kIdBytesMax, rule::kCtl3},
      {"clas.v1.PayRappel.caf_id", K::kCafId, kCafIdBytesMax, rule::kHist4},
      {"clas.v1.PayRappel.convention_id", K::kIdentifier, kIdBytesMax, rule::kConv4},
      {"clas.v1.PayRappel.payment_id", K::kIdentifier, kIdBytesMax, rule::kHist1},
      {"clas.v1.PayRappel.controle_id", K::kIdentifier, kIdBytesMax, rule::kCtl3},
      {"clas.v1.CloseCivilYear.caf_id", K::kCafId, kCafIdBytesMax, rule::kHist4},
      {"clas.v1.CorrectEvent.caf_id", K::kCafId, kCafIdBytesMax, rule::kHist4},
      {"clas.v1.CorrectEvent.convention_id", K::kIdentifier, kIdBytesMax, rule::kConv4},
      {"clas.v1.CorrectEvent.target_event_id", K::kEventId, kIdBytesMax, rule::kHist1},
      {"clas.v1.CorrectEvent.reason", K::kText, kTextCharsMax, rule::kHist1},
      // The facts, as a correction's replacement carries them.
      {"clas.v1.GestionnaireRegistered.gestionnaire_id", K::kIdentifier, kIdBytesMax, rule::kConv4},
      {"clas.v1.GestionnaireRegistered.name", K::kName, kNameCharsMax, rule::kConv4},
      {"clas.v1.CentreSocialAgrementRenewed.gestionnaire_id", K::kIdentifier, kIdBytesMax,
       rule::kConv2},
      {"clas.v1.BaremePublished.reference", K::kName, kNameCharsMax, rule::kDroit1},
      {"clas.v1.FundingRequestFiled.convention_id", K::kIdentifier, kIdBytesMax, rule::kConv4},
      {"clas.v1.FundingRequestFiled.gestionnaire_id", K::kIdentifier, kIdBytesMax, rule::kConv4},
      {"clas.v1.FundingRequestFiled.collectifs", K::kRepeated,
       static_cast<size_t>(rules::kCollectifsPerRequestMax), rule::kElig1},
      {"clas.v1.Collectif.collectif_id", K::kIdentifier, kIdBytesMax, rule::kElig1},
      {"clas.v1.Collectif.levels", K::kRepeated, static_cast<size_t>(rules::kLevelsPerCollectifMax),
       rule::kElig6},
      {"clas.v1.CommitteeDecisionRecorded.decision_id", K::kIdentifier, kIdBytesMax, rule::kConv1},
      {"clas.v1.CommitteeDecisionRecorded.refusal_reason", K::kText, kTextCharsMax, rule::kConv4},
      {"clas.v1.ConventionSigned.gestionnaire_id", K::kIdentifier, kIdBytesMax, rule::kConv4},
      {"clas.v1.AvenantSigned.avenant_id", K::kIdentifier, kIdBytesMax, rule::kConv3},
      {"clas.v1.CollectifsNotified.notification_id", K::kIdentifier, kIdBytesMax, rule::kConv5},
      {"clas.v1.AcomptePaid.payment_id", K::kIdentifier, kIdBytesMax, rule::kHist1},
      {"clas.v1.SoldePaid.payment_id", K::kIdentifier, kIdBytesMax, rule::kHist1},
      {"clas.v1.ControleOpened.controle_id", K::kIdentifier, kIdBytesMax, rule::kCtl1},
      {"clas.v1.ControleOpened.school_years", K::kRepeated, kYearsPerControleMax, rule::kCtl1},
      {"clas.v1.ControleFindingsRecorded.controle_id", K::kIdentifier, kIdBytesMax, rule::kCtl1},
      {"clas.v1.ControleFindingsRecorded.years", K::kRepeated, kYearsPerControleMax, rule::kCtl1},
      {"clas.v1.ControleDecided.controle_id", K::kIdentifier, kIdBytesMax, rule::kCtl2},
      {"clas.v1.ControleDecided.outcomes", K::kLedgers, 0, rule::kCtl2},
      {"clas.v1.InduNotified.indu_id", K::kIdentifier, kIdBytesMax, rule::kCtl3},
      {"clas.v1.InduNotified.controle_id", K::kIdentifier, kIdBytesMax, rule::kCtl3},
      {"clas.v1.RecoveryRecorded.recovery_id", K::kIdentifier, kIdBytesMax, rule::kCtl5},
      {"clas.v1.RecoveryRecorded.indu_id", K::kIdentifier, kIdBytesMax, rule::kCtl5},
      {"clas.v1.RecoveryRecorded.offset_payment_id", K::kIdentifier, kIdBytesMax, rule::kCtl3},
      {"clas.v1.RecoveryRecorded.offset_convention_id", K::kIdentifier, kIdBytesMax, rule::kCtl3},
      {"clas.v1.RappelPaid.payment_id", K::kIdentifier, kIdBytesMax, rule::kHist1},
      {"clas.v1.RappelPaid.controle_id", K::kIdentifier, kIdBytesMax, rule::kCtl3},
      {"clas.v1.CivilYearClosed.lines", K::kLedgers, 0, rule::kAcc8},
      {"clas.v1.EventCorrected.target_event_id", K::kEventId, kIdBytesMax, rule::kHist1},
      {"clas.v1.EventCorrected.reason", K::kText, kTextCharsMax, rule::kHist1},
      {"clas.v1.SoldeRevision.indu_id", K::kLedgers, 0, rule::kPay9},
      // What the ledger writes in every fact: a replacement's own are replaced by the
      // command's (a client may send back a fact as it read it).
      {"clas.v1.ClasEvent.warnings", K::kReplaced, 0, rule::kHist1},
      {"clas.v1.ClasEvent.convention_id", K::kReplaced, 0, rule::kConv4},
      {"clas.v1.ClasEvent.caf_id", K::kReplaced, 0, rule::kHist4},
      {"clas.v1.ClasEvent.request_id", K::kReplaced, 0, rule::kHist1},
      {"clas.v1.ClasEvent.request_digest", K::kReplaced, 0, rule::kHist1},
  };
  return *table;
}

const FieldBound* RowOf(const pb::FieldDescriptor* field) {
  static const auto* const rows = [] {
    auto* out = new absl::flat_hash_map<std::string, const FieldBound*>();
    for (const FieldBound& row : Table()) out->emplace(std::string(row.field), &row);
    return out;
  }();
  auto it = rows->find(field->full_name());
  return it == rows->end() ? nullptr : it->second;
}

std::string Shown(std::string_view value) {
  return absl::StrCat(absl::CHexEscape(base::ToAbsl(value.substr(0, kShownBytesMax))),
                      value.size() > kShownBytesMax ? "..." : "");
}

// Decodes the code point at `i` of valid UTF-8 and moves `i` past it.
uint32_t NextCodePoint(std::string_view text, size_t& i) {
  const unsigned char c = static_cast<unsigned char>(text[i]);
  size_t length = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
  uint32_t code = length == 1   ? c
                  : length == 2 ? (c & 0x1F)
                  : length == 3 ? (c & 0x0F)
                                : (c & 0x07);
  for (size_t k = 1; k < length; ++k) code = (code << 6) | (text[i + k] & 0x3F);
  i += length;
  return code;
}

// Characters that have no place in a name or a sentence kept for ever: they hide text, reorder
// it on screen, or break the lines of a report.
bool Forbidden(uint32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x061C || (c >= 0x200B && c <= 0x200F) ||
         (c >= 0x2028 && c <= 0x202E) || (c >= 0x2060 && c <= 0x2064) ||
         (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFB) ||
         (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE;
}

// The French sentence saying what is wrong with text `value` of at most `max` characters, or "".
std::string TextProblem(std::string_view value, size_t max) {
  if (!IsUtf8(value)) return "texte qui n'est pas de l'UTF-8 valide";
  size_t chars = 0;
  for (size_t i = 0; i < value.size(); ++chars) {
    const uint32_t c = NextCodePoint(value, i);
    if (Forbidden(c)) {
      return absl::StrFormat("caractère de contrôle ou de mise en forme invisible (U+%04X) refusé",
                             c);
    }
  }
  if (chars > max) return absl::StrFormat("texte de %d caractères : au plus %d", chars, max);
  return "";
}

IdKind IdKindOf(InputClass kind) {
  switch (kind) {
    case K::kCafId: return IdKind::kCafId;
    case K::kRequestId: return IdKind::kRequestId;
    case K::kEventId: return IdKind::kEventId;
    default: return IdKind::kIdentifier;
  }
}

bool IsSchoolYearField(const pb::FieldDescriptor* field) {
  return field->cpp_type() == pb::FieldDescriptor::CPPTYPE_INT32 &&
         (absl::EndsWith(field->name(), "school_year") ||
          (field->is_repeated() && field->name() == "school_years"));
}

void CheckString(const FieldBound& row, const std::string& path, const std::string& value,
                 int depth, Violations& out) {
  std::string problem;
  switch (row.kind) {
    case K::kName:
    case K::kText: problem = TextProblem(value, row.max); break;
    case K::kLedgers:
      if (!value.empty()) problem = "champ rempli par le registre : il ne se donne pas";
      break;
    default:
      // An empty identifier is the rules' to require (some are optional), but for the Caf of a
      // command (a fact inside a correction takes the command's).
      if (!value.empty() || (row.kind == K::kCafId && depth == 0)) {
        problem = IdProblem(value, IdKindOf(row.kind));
      }
      break;
  }
  if (!problem.empty()) out.Add(RuleError(row.rule, path, Shown(value), problem));
}

// R-CONV-2: a school year of a command is 0 (none) or within the ledger's range; beyond it the
// rules would compute N+1 past INT32_MAX.
void CheckSchoolYear(const std::string& path, int32_t year, Violations& out) {
  if (year == 0 || (year >= rules::kSchoolYearMin && year <= rules::kSchoolYearMax)) return;
  out.Add(RuleError(rule::kConv2, path, absl::StrCat(year),
                    absl::StrFormat("année scolaire hors des dates du registre (%d à %d)",
                                    rules::kSchoolYearMin, rules::kSchoolYearMax)));
}

void CheckMessage(const pb::Message& message, const std::string& prefix, int depth,
                  Violations& out);

// One field of a message: its row's bound, then its elements.
void CheckField(const pb::Message& message, const pb::FieldDescriptor* field,
                const std::string& path, int depth, Violations& out) {
  const pb::Reflection* reflection = message.GetReflection();
  const FieldBound* row = RowOf(field);
  const int count = field->is_repeated() ? reflection->FieldSize(message, field) : 1;
  if (row != nullptr && row->kind == K::kLedgers &&
      field->cpp_type() != pb::FieldDescriptor::CPPTYPE_STRING) {
    out.Add(RuleError(row->rule, path, absl::StrCat(count, " élément(s)"),
                      "champ rempli par le registre : il ne se donne pas"));
    return;
  }
  if (row != nullptr && row->kind == K::kRepeated && static_cast<size_t>(count) > row->max) {
    out.Add(RuleError(row->rule, path, absl::StrCat(count),
                      absl::StrFormat("%d éléments : au plus %d", count, row->max)));
    return;  // the elements of an oversized list are not looked at one by one
  }
  for (int i = 0; i < count; ++i) {
    const std::string at = field->is_repeated() ? absl::StrCat(path, "[", i, "]") : path;
    if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_STRING) {
      std::string scratch;
      const std::string& value =
          field->is_repeated() ? reflection->GetRepeatedStringReference(message, field, i, &scratch)
                               : reflection->GetStringReference(message, field, &scratch);
      if (row != nullptr) CheckString(*row, at, value, depth, out);
    } else if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      const pb::Message& sub = field->is_repeated()
                                   ? reflection->GetRepeatedMessage(message, field, i)
                                   : reflection->GetMessage(message, field);
      CheckMessage(sub, at + ".", depth + 1, out);
    } else if (IsSchoolYearField(field)) {
      CheckSchoolYear(at,
                      field->is_repeated() ? reflection->GetRepeatedInt32(message, field, i)
                                           : reflection->GetInt32(message, field),
                      out);
    }
  }
}

void CheckMessage(const pb::Message& message, const std::string& prefix, int depth,
                  Violations& out) {
  if (depth > kDepthMax) {
    out.Add(RuleError(rule::kHist1, prefix, "", "commande trop imbriquée"));
    return;
  }
  const pb::Descriptor* type = message.GetDescriptor();
  const pb::Reflection* reflection = message.GetReflection();
  for (int f = 0; f < type->field_count(); ++f) {
    const pb::FieldDescriptor* field = type->field(f);
    const std::string path = prefix + field->name();
    const FieldBound* row = RowOf(field);
    const bool present = field->is_repeated() ? reflection->FieldSize(message, field) > 0
                         : field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE
                             ? reflection->HasField(message, field)
                             : true;
    if (row != nullptr && row->kind == K::kRequiredMessage && !present) {
      out.Add(RuleError(row->rule, path, "", "information obligatoire absente"));
      continue;
    }
    if (row != nullptr && row->kind == K::kReplaced) continue;  // not kept: not looked at
    if (present) CheckField(message, field, path, depth, out);
  }
}

}  // namespace

const std::vector<FieldBound>& FieldBounds() { return Table(); }

absl::Status CheckCommandInput(std::string_view request_id, const pb::Message& command) {
  Violations v;
  const std::string problem = IdProblem(request_id, IdKind::kRequestId);
  if (!problem.empty()) v.Add(RuleError(rule::kHist1, "request_id", Shown(request_id), problem));
  CheckMessage(command, "", 0, v);
  return v.ToStatus(absl::StatusCode::kInvalidArgument);
}

absl::Status CheckQueryIdentifier(std::string_view path, std::string_view value, InputClass kind,
                                  const Rule& rule) {
  const std::string problem = IdProblem(value, IdKindOf(kind));
  if (problem.empty()) return absl::OkStatus();
  Violations v;
  v.Add(RuleError(rule, path, Shown(value), problem));
  return v.ToStatus(absl::StatusCode::kInvalidArgument);
}

bool IsUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    uint32_t min = 0, code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      length = 2, min = 0x80, code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3, min = 0x800, code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4, min = 0x10000, code = c & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      const unsigned char next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

}  // namespace clas
