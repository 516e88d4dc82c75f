#include "projections/rules/accounting_internal.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/strings/str_format.h"
#include "ledger/base/status_macros.h"
#include "projections/core/calendar.h"

namespace clas::rules::accounting_internal {

void Faults::Add(std::string_view field, std::string_view value, std::string_view message_fr) {
  ++count_;
  if (count_ <= kFaultsListedMax) {
    listed_.Add(RuleError(rule_, field, value, message_fr));
  }
}

absl::Status Faults::ToStatus() const {
  if (count_ <= kFaultsListedMax) return listed_.ToStatus(absl::StatusCode::kInvalidArgument);
  Violations all = listed_;
  all.Add(RuleError(rule_, "", absl::StrFormat("%d", count_ - kFaultsListedMax),
                    "autres erreurs non listées"));
  return all.ToStatus(absl::StatusCode::kInvalidArgument);
}

void CheckAmount(Faults& f, std::string_view field, Money amount, bool positive) {
  const bool low_ok = positive ? amount > Money::Zero() : amount >= Money::Zero();
  if (!low_ok || amount.cents() > kAmountMaxCents) {
    f.Add(field, amount.ToFrench(),
          positive ? "montant attendu strictement positif et dans la plage admise"
                   : "montant attendu positif ou nul et dans la plage admise");
  }
}

void CheckDay(Faults& f, std::string_view field, absl::CivilDay day) {
  if (day.year() < kYearMin || day.year() > kYearMax) {
    f.Add(field, absl::StrFormat("%d", day.year()), "date hors de la plage acceptée");
  }
}

bool AmountInRange(const Line& line) {
  return line.amount > Money::Zero() && line.amount.cents() <= kAmountMaxCents;
}

void Book(std::string_view convention_id, SchoolYear school_year, std::string_view cause_event_id,
          Booking when, Entry e, Lines* out) {
  CLAS_CHECK(e.amount >= Money::Zero()) << e.rule.id << " " << e.amount.cents();
  CLAS_CHECK(e.debit != e.credit) << e.rule.id;
  CLAS_CHECK(std::find(std::begin(kLineRules), std::end(kLineRules), e.rule) !=
             std::end(kLineRules))
      << e.rule.id;
  CLAS_CHECK(when.month == when.day.month() ||
             (when.month == kClosingMonth && when.day.month() == 12))
      << e.rule.id << " month " << when.month;
  if (e.amount == Money::Zero()) return;
  out->push_back(Line{.date = when.day,
                      .month = when.month,
                      .debit = e.debit,
                      .credit = e.credit,
                      .amount = e.amount,
                      .code = e.code,
                      .rule = e.rule,
                      .convention_id = std::string(convention_id),
                      .school_year = school_year,
                      .cause_event_id = std::string(cause_event_id),
                      .label = std::move(e.label)});
}

// A breakdown the accounting can trust: amounts in range, the N share being R-PAY-1's
// (4 × PS + 5) div 10, and the school year, when recorded, the expected one.
void CheckBreakdown(Faults& f, const std::string& field, const DroitShares& d,
                    SchoolYear school_year) {
  // The field's name is built only for a fault: a droit is checked for every solde booked.
  auto amount = [&](const char* name, Money m) {
    if (m < Money::Zero() || m.cents() > kAmountMaxCents) CheckAmount(f, field + name, m, false);
  };
  amount(".ps_cents", d.ps);
  amount(".bonus_enfants_cents", d.bonus_enfants);
  amount(".bonus_parents_cents", d.bonus_parents);
  if (d.ps >= Money::Zero() && d.ps.cents() <= kAmountMaxCents &&
      d.n_share != d.ps.MulDivRoundHalfAway(4, 10)) {
    f.Add(field + ".n_share_cents", d.n_share.ToFrench(),
          "la part N n'est pas les 4/10 de la PS du droit (R-PAY-1)");
  }
  if (d.school_year.has_value() && *d.school_year != school_year) {
    f.Add(
        field + ".inputs.school_year", absl::StrFormat("%d", d.school_year->n()),
        absl::StrFormat("le droit n'est pas celui de l'année scolaire %s", school_year.ToString()));
  }
}

Codes CodesOf(GestionnaireKind kind) {
  switch (kind) {
    case GestionnaireKind::kAssociation:
    case GestionnaireKind::kCentreSocial:
    case GestionnaireKind::kEvs:
    case GestionnaireKind::kCommune:
      return Codes{StatisticalCode::kPsGestionnaires, StatisticalCode::kBonusGestionnaires};
    case GestionnaireKind::kCafInterne:
      return Codes{StatisticalCode::kPsInterne, StatisticalCode::kBonusInterne};
    case GestionnaireKind::kEntreprise:
      return Codes{StatisticalCode::kPsEntreprises, StatisticalCode::kBonusEntreprises};
  }
  CLAS_CHECK(false) << "R-ACC-6: a kind without its codes";
  return Codes{};
}

void CheckKind(Faults& f, const std::string& field, std::optional<GestionnaireKind> kind) {
  if (!kind.has_value()) {
    f.Add(field, "",
          "type de gestionnaire inconnu : le code statistique ne peut être choisi (R-ACC-6)");
  }
}

void CheckOrigin(Faults& f, const LineOrigin& o) {
  if (o.convention_id.empty()) f.Add("convention_id", "", "convention non renseignée");
  if (o.cause_event_id.empty()) f.Add("cause_event_id", "", "événement d'origine non renseigné");
  if (o.school_year.n() < kYearMin || o.school_year.n() >= kYearMax) {
    f.Add("school_year", absl::StrFormat("%d", o.school_year.n()), "année scolaire hors plage");
  }
  CheckKind(f, "kind", o.kind);
}

// Lines about the N+1 share (solde, rappel, recovery) come after the school year: Y >= N+1.
void CheckAfterSchoolYear(Faults& f, const LineOrigin& o, absl::CivilDay day) {
  if (day.year() < o.school_year.n() + 1) {
    f.Add("date", FrenchDate(YmdFromDay(day)),
          absl::StrFormat("une écriture au titre de la part %d de l'année scolaire %s ne peut "
                          "être datée avant %d",
                          o.school_year.n() + 1, o.school_year.ToString(), o.school_year.n() + 1));
  }
}

void BookFor(const LineOrigin& o, Booking when, Entry e, Lines* out) {
  Book(o.convention_id, o.school_year, o.cause_event_id, when, std::move(e), out);
}

}  // namespace clas::rules::accounting_internal
