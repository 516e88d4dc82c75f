#include "tools/clasctl/format_audit.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tools/clasctl/text.h"

namespace clas::ctl {
namespace {

std::string Years(int32_t first, int32_t last) {
  return first == last ? SchoolYearText(first)
                       : absl::StrCat(SchoolYearText(first), " … ", SchoolYearText(last));
}

std::string FiguresText(const v1::Figures& f) {
  return absl::StrCat(
      Count(f.collectifs(), "collectif"), ", charges ", Eur(f.charges_cents()),
      f.autres_bf_cents() != 0 ? absl::StrCat(", autres BF ", Eur(f.autres_bf_cents())) : "",
      ", bonus E ", f.bonus_enfants_collectifs(), " P ", f.bonus_parents_collectifs());
}

std::string DecisionText(const v1::CommitteeDecisionRecorded& d) {
  if (d.outcome() == v1::REFUSED) return absl::StrCat("refused: ", d.refusal_reason());
  return absl::StrCat(d.mode() == v1::POUR_INFORMATION ? "pour information" : "validated", " ",
                      Years(d.first_school_year(), d.last_school_year()), ": ",
                      Count(d.agreed_collectifs(), "collectif"), " (bonus E ",
                      d.bonus_enfants_collectifs(), ", P ", d.bonus_parents_collectifs(), ")");
}

std::string ControleDecidedText(const v1::ControleDecided& d) {
  std::vector<std::string> parts;
  for (const auto& o : d.outcomes()) {
    parts.push_back(absl::StrCat(SchoolYearText(o.school_year()), " DC ", Eur(o.dc().droit_cents()),
                                 ", paid ", Eur(o.paid_cents()), " → ",
                                 o.rappel_cents() > 0
                                     ? absl::StrCat("rappel ", Eur(o.rappel_cents()))
                                 : o.indu_cents() > 0 ? absl::StrCat("indu ", Eur(o.indu_cents()))
                                                      : std::string("nothing due")));
  }
  return absl::StrCat(d.controle_id(), ": ", absl::StrJoin(parts, "; "));
}

std::string PaymentFactText(const v1::ClasEvent& e) {
  switch (e.fact_case()) {
    case v1::ClasEvent::kAcomptePaid: {
      const auto& a = e.acompte_paid();
      return absl::StrCat(a.payment_id(), " ", SchoolYearText(a.school_year()), ": ",
                          Eur(a.amount_cents()), " in civil year ", a.civil_year(), " (cap ",
                          Eur(a.cap_cents()), ", paid before ", Eur(a.paid_before_cents()), ")");
    }
    case v1::ClasEvent::kSoldePaid: {
      const auto& s = e.solde_paid();
      return absl::StrCat(s.payment_id(), " ", SchoolYearText(s.school_year()), ": ",
                          Eur(s.amount_cents()), " (DR ", Eur(s.dr().droit_cents()), " − acomptes ",
                          Eur(s.acomptes_cents()), ")");
    }
    case v1::ClasEvent::kRappelPaid: {
      const auto& r = e.rappel_paid();
      return absl::StrCat(r.payment_id(), " ", SchoolYearText(r.school_year()), ": ",
                          Eur(r.amount_cents()), " (", RappelCauseLabel(r.controle_id()), ")");
    }
    case v1::ClasEvent::kInduNotified: {
      const auto& i = e.indu_notified();
      return absl::StrCat(
          i.indu_id(), " ", SchoolYearText(i.school_year()), ": ", Eur(i.amount_cents()),
          " (", InduOriginLabel(i.origin(), i.controle_id()), ")");
    }
    case v1::ClasEvent::kRecoveryRecorded: {
      const auto& r = e.recovery_recorded();
      return absl::StrCat(
          r.recovery_id(), " on ", r.indu_id(), ": ", Eur(r.amount_cents()),
          r.method() == v1::OFFSET
              ? absl::StrCat(" offset on ", r.offset_convention_id(), "/", r.offset_payment_id())
              : std::string(" repaid"));
    }
    default:
      return "";
  }
}

const google::protobuf::RepeatedPtrField<std::string>& EmptyIds() {
  static const auto* const kEmpty = new google::protobuf::RepeatedPtrField<std::string>();
  return *kEmpty;
}

}  // namespace

std::string FactSummary(const v1::ClasEvent& e) {
  switch (e.fact_case()) {
    case v1::ClasEvent::kGestionnaireRegistered: {
      const auto& g = e.gestionnaire_registered();
      return absl::StrCat(g.gestionnaire_id(), " « ", g.name(), " », ", KindLabel(g.kind()));
    }
    case v1::ClasEvent::kCentreSocialAgrementRenewed:
      return AgrementRenewalText(e.centre_social_agrement_renewed());
    case v1::ClasEvent::kBaremePublished: {
      const auto& b = e.bareme_published().bareme();
      return absl::StrCat(SchoolYearText(b.school_year()), ": plafond ", Eur(b.plafond_cents()),
                          ", bonus enfants ", Eur(b.bonus_enfants_cents()), ", bonus parents ",
                          Eur(b.bonus_parents_cents()));
    }
    case v1::ClasEvent::kFundingRequestFiled: {
      const auto& r = e.funding_request_filed();
      return absl::StrCat(
          Count(r.school_years(), "school year"), " from ", SchoolYearText(r.first_school_year()),
          ", ", Count(r.collectifs_size(), "collectif"), ", charges ", Eur(r.charges_cents()));
    }
    case v1::ClasEvent::kCommitteeDecisionRecorded:
      return DecisionText(e.committee_decision_recorded());
    case v1::ClasEvent::kConventionSigned: {
      const auto& c = e.convention_signed();
      return absl::StrCat(Years(c.first_school_year(), c.last_school_year()), ", charges ",
                          Eur(c.charges_cents()), " a school year");
    }
    case v1::ClasEvent::kAvenantSigned: {
      const auto& a = e.avenant_signed();
      return absl::StrCat(a.avenant_id(), " adds ", SchoolYearText(a.school_year()),
                          a.kind() == v1::PROLONGATION_COLLECTIFS
                              ? absl::StrCat(" with ", Count(a.collectifs(), "collectif"))
                              : std::string(" à l'identique"),
                          ", charges ", Eur(a.charges_cents()));
    }
    case v1::ClasEvent::kCollectifsNotified:
      return absl::StrCat(SchoolYearText(e.collectifs_notified().school_year()), ": ",
                          Count(e.collectifs_notified().collectifs(), "collectif"));
    case v1::ClasEvent::kBilanReceived:
      return absl::StrCat(SchoolYearText(e.bilan_received().school_year()), ": ",
                          FiguresText(e.bilan_received().figures()));
    case v1::ClasEvent::kControleOpened: {
      std::vector<std::string> years;
      for (int32_t n : e.controle_opened().school_years()) years.push_back(SchoolYearText(n));
      return absl::StrCat(e.controle_opened().controle_id(), " on ", absl::StrJoin(years, ", "));
    }
    case v1::ClasEvent::kControleFindingsRecorded: {
      std::vector<std::string> years;
      for (const auto& y : e.controle_findings_recorded().years()) {
        years.push_back(
            absl::StrCat(SchoolYearText(y.school_year()), " ", FiguresText(y.figures())));
      }
      return absl::StrCat(e.controle_findings_recorded().controle_id(), ": ",
                          absl::StrJoin(years, "; "));
    }
    case v1::ClasEvent::kControleDecided:
      return ControleDecidedText(e.controle_decided());
    case v1::ClasEvent::kCivilYearClosed: {
      int64_t total = 0;
      for (const auto& l : e.civil_year_closed().lines()) total += l.amount_cents();
      return absl::StrCat(e.civil_year_closed().civil_year(), ": ",
                          e.civil_year_closed().lines_size(), " lines, ", Eur(total));
    }
    case v1::ClasEvent::kEventCorrected: {
      const auto& c = e.event_corrected();
      return absl::StrCat(
          c.cancel() ? "cancels " : "corrects ", c.target_event_id(), " (", c.reason(), ")",
          c.has_replacement() ? absl::StrCat(": ", FactSummary(c.replacement())) : "",
          SoldeRevisionText(c));
    }
    default:
      return PaymentFactText(e);
  }
}

std::string FormatHistory(const v1::ConventionState& last,
                          const std::vector<v1::ReplayHistoryItem>& items) {
  if (items.empty()) return "No event.\n";
  std::map<std::string, const v1::EventRef*> refs;
  for (const auto& ref : last.events()) refs[ref.event_id()] = &ref;
  std::string out = absl::StrCat("History of convention ", last.convention_id(), " — Caf ",
                                 last.caf_id(), " — ", items.size(), " events\n");
  for (const auto& item : items) {
    const v1::RecordedEvent& e = item.event();
    auto it = refs.find(e.event_id());
    const v1::EventRef* ref = it == refs.end() ? nullptr : it->second;
    absl::StrAppend(&out, "\n#", e.position(), "  ", Day(e.effective_date()), "  ",
                    EventTypeLabel(e.event_type()), "  by ", e.actor().id(), " (", e.actor().role(),
                    ")  recorded ", Instant(e.recorded_at_us()), "\n");
    const std::string summary = FactSummary(e.fact());
    if (!summary.empty()) absl::StrAppend(&out, "    ", summary, "\n");
    // The rule ids the timeline keeps; those of the fact's own warnings are shown in full below.
    std::vector<std::string> rules;
    for (const std::string& id : ref != nullptr ? ref->rule_ids() : EmptyIds()) {
      bool warned = false;
      for (const auto& w : e.fact().warnings()) warned = warned || w.rule_id() == id;
      if (!warned) rules.push_back(id);
    }
    if (!rules.empty()) absl::StrAppend(&out, "    rules: ", absl::StrJoin(rules, ", "), "\n");
    for (const auto& w : e.fact().warnings()) {
      absl::StrAppend(&out, "    warning ", ViolationLine(w), "\n");
    }
    if (ref != nullptr && ref->cancelled()) {
      absl::StrAppend(&out, "    CANCELLED by ", ref->corrected_by(), "\n");
    } else if (ref != nullptr && !ref->corrected_by().empty()) {
      absl::StrAppend(&out, "    CORRECTED by ", ref->corrected_by(), "\n");
    }
  }
  return out;
}

namespace {

// Values longer than this are cut in the table (--all shows them whole).
constexpr size_t kDiffValueCharsMax = 60;

// The timeline and provenance fields change with every event; the events table below says the
// same. Hidden unless --all.
bool IsBookkeeping(const std::string& path) {
  return absl::StartsWith(path, "events[") || absl::StrContains(path, "sources[") ||
         absl::EndsWith(path, "event_id") || path == "last_position";
}

std::string Cut(std::string text) {
  if (DisplayWidth(text) <= kDiffValueCharsMax) return text;
  size_t bytes = 0;
  for (size_t chars = 0; bytes < text.size() && chars < kDiffValueCharsMax - 1; ++chars) {
    do ++bytes;
    while (bytes < text.size() && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80);
  }
  return text.substr(0, bytes) + "…";
}

// A field's value as people read it: amounts in euros, days as dates, instants in UTC, school
// years as N-N+1, strings unquoted, nested messages on one line.
std::string Pretty(const std::string& path, const std::string& value, bool whole) {
  if (value.empty()) return "—";
  if (value == "\"\"") return "(empty)";
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    return value.substr(1, value.size() - 2);
  }
  if (absl::EndsWith(value, "_UNSPECIFIED")) return "—";
  v1::ConventionStatus status;
  if (path == "status" && v1::ConventionStatus_Parse(value, &status)) return StatusLabel(status);
  int64_t number = 0;
  if (!absl::SimpleAtoi(value, &number)) {
    std::vector<absl::string_view> lines = absl::StrSplit(value, '\n', absl::SkipWhitespace());
    for (auto& line : lines) line = absl::StripAsciiWhitespace(line);
    const std::string flat = absl::StrJoin(lines, " ");
    return whole ? flat : Cut(flat);
  }
  if (absl::EndsWith(path, "_cents")) return Eur(number);
  if (absl::EndsWith(path, "_us")) return Instant(number);
  if (absl::EndsWith(path, "date")) return Day(static_cast<int32_t>(number));
  if (absl::EndsWith(path, "school_year")) return SchoolYearText(static_cast<int32_t>(number));
  return value;
}

}  // namespace

std::string FormatDiff(const v1::DiffStatesResponse& diff, int32_t from_date, int32_t to_date,
                       bool all) {
  Table changes({{"path"}, {"before"}, {"after"}});
  int hidden = 0;
  for (const auto& c : diff.changes()) {
    if (!all && IsBookkeeping(c.path())) {
      ++hidden;
      continue;
    }
    changes.AddRow({c.path(), Pretty(c.path(), c.before(), all), Pretty(c.path(), c.after(), all)});
  }
  std::string out = absl::StrCat("Changes from ", Day(from_date), " to ", Day(to_date), " (",
                                 changes.rows(), ")\n");
  out += changes.rows() == 0 ? "  none\n" : changes.Render("  ");
  if (hidden > 0) {
    absl::StrAppend(&out, "  (", hidden,
                    " changes of the timeline and of event ids not shown; --all shows them)\n");
  }
  absl::StrAppend(&out, "\nEvents effective in between (", diff.events_size(), ")\n");
  Table events({{"position", Table::Align::kRight}, {"date"}, {"event"}, {"who"}, {"what"}});
  for (const auto& e : diff.events()) {
    events.AddRow(
        {absl::StrCat(e.position()), Day(e.effective_date()), EventTypeLabel(e.event_type()),
         absl::StrCat(e.actor().id(), " (", e.actor().role(), ")"), FactSummary(e.fact())});
  }
  out += diff.events_size() == 0 ? "  none\n" : events.Render("  ");
  absl::StrAppend(&out, "\nLog position ", diff.log_position(), "\n");
  return out;
}

}  // namespace clas::ctl
