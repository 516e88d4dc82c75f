#include "projections/rules/accounting.h"

#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/str_format.h"
#include "ledger/base/status_macros.h"
#include "projections/core/violation.h"
#include "projections/rules/accounting_internal.h"

namespace clas::rules {

using accounting_internal::Booking;
using accounting_internal::CheckAmount;
using accounting_internal::CheckDay;
using accounting_internal::Entry;
using accounting_internal::Faults;

namespace {

// The PS part of a droit and its shares, as the accounting uses them (R-PAY-1).
struct Shares {
  Money ps;
  Money n_share;
  Money bonus;  // bonus enfants + bonus parents: all in the N+1 share
};

Shares SharesOf(const v1::DroitBreakdown& d) {
  return {Money::Cents(d.ps_cents()), Money::Cents(d.n_share_cents()),
          Money::Cents(d.bonus_enfants_cents()) + Money::Cents(d.bonus_parents_cents())};
}

// A breakdown the accounting can trust: amounts in range, the N share being R-PAY-1's
// (4 × PS + 5) div 10, and the school year, when recorded, the expected one.
void CheckBreakdown(Faults& f, const std::string& field, const v1::DroitBreakdown& d,
                    int32_t school_year) {
  CheckAmount(f, field + ".ps_cents", Money::Cents(d.ps_cents()), /*positive=*/false);
  CheckAmount(f, field + ".bonus_enfants_cents", Money::Cents(d.bonus_enfants_cents()), false);
  CheckAmount(f, field + ".bonus_parents_cents", Money::Cents(d.bonus_parents_cents()), false);
  const Money ps = Money::Cents(d.ps_cents());
  if (ps >= Money::Zero() && ps.cents() <= kAmountMaxCents &&
      Money::Cents(d.n_share_cents()) != ps.MulDivRoundHalfAway(4, 10)) {
    f.Add(field + ".n_share_cents", Money::Cents(d.n_share_cents()).ToFrench(),
          "la part N n'est pas les 4/10 de la PS du droit (R-PAY-1)");
  }
  const int32_t recorded = d.inputs().school_year();
  if (recorded != 0 && recorded != school_year) {
    f.Add(field + ".inputs.school_year", absl::StrFormat("%d", recorded),
          absl::StrFormat("le droit n'est pas celui de l'année scolaire %s",
                          SchoolYear(school_year).ToString()));
  }
}

// R-ACC-6: the PS and bonus codes of a kind of gestionnaire; nullopt for a kind with no code
// (UNSPECIFIED, or a kind added to the schema and not yet given one here).
struct Codes {
  const char* ps;
  const char* bonus;
};

std::optional<Codes> CodesOf(v1::GestionnaireKind kind) {
  switch (kind) {
    case v1::ASSOCIATION:
    case v1::CENTRE_SOCIAL:
    case v1::EVS:
    case v1::COMMUNE:
      return Codes{kCodePsGestionnaires, kCodeBonusGestionnaires};
    case v1::CAF_INTERNE:
      return Codes{kCodePsInterne, kCodeBonusInterne};
    case v1::ENTREPRISE:
      return Codes{kCodePsEntreprises, kCodeBonusEntreprises};
    default:
      return std::nullopt;
  }
}

bool KindIsKnown(v1::GestionnaireKind kind) { return CodesOf(kind).has_value(); }

void CheckKind(Faults& f, const std::string& field, v1::GestionnaireKind kind) {
  if (!KindIsKnown(kind)) {
    f.Add(field, absl::StrFormat("%d", kind),
          "type de gestionnaire inconnu : le code statistique ne peut être choisi (R-ACC-6)");
  }
}

void CheckOrigin(Faults& f, const LineOrigin& o) {
  if (o.convention_id.empty()) f.Add("convention_id", "", "convention non renseignée");
  if (o.cause_event_id.empty()) f.Add("cause_event_id", "", "événement d'origine non renseigné");
  if (o.school_year.n() < kDateMin / 10000 || o.school_year.n() >= kDateMax / 10000) {
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
  accounting_internal::Book(o.convention_id, o.school_year.n(), o.cause_event_id, when,
                            std::move(e), out);
}

}  // namespace

std::string SubsidyAccountForAge(int age) {
  CLAS_CHECK(age >= 0) << "R-ACC-1: age " << age;  // R-ACC-1
  if (age == 0) return kSubsidyN;
  if (age == 1) return kSubsidyN1;
  return kSubsidyOlder;
}

std::optional<int> AgeOfSubsidyAccount(std::string_view account) {
  if (account == kSubsidyN) return 0;
  if (account == kSubsidyN1) return 1;
  if (account == kSubsidyOlder) return 2;
  return std::nullopt;
}

std::string StatisticalCode(v1::GestionnaireKind kind, bool bonus) {
  const std::optional<Codes> codes = CodesOf(kind);  // R-ACC-6
  CLAS_CHECK(codes.has_value()) << "R-ACC-6: kind " << kind;
  return bonus ? codes->bonus : codes->ps;
}

// R-ACC-2.
absl::StatusOr<Lines> AcompteLines(const LineOrigin& origin, absl::CivilDay paid_on, Money amount) {
  Faults f(rule::kAcc2);
  CheckOrigin(f, origin);
  CheckDay(f, "paid_on", paid_on);
  CheckAmount(f, "amount", amount, /*positive=*/true);
  const int32_t n = origin.school_year.n();
  if (paid_on.year() != n && paid_on.year() != n + 1) {
    f.Add("paid_on", FrenchDate(YmdFromDay(paid_on)),
          absl::StrFormat("un acompte de l'année scolaire %s est daté en %d ou %d (R-PAY-4)",
                          origin.school_year.ToString(), n, n + 1));
  }
  RETURN_IF_ERROR(f.ToStatus());
  Lines out;
  BookFor(origin, Booking::On(paid_on),
          {kSubsidyN, kSettlement, amount, StatisticalCode(origin.kind, false), rule::kAcc2,
           "Acompte " + origin.school_year.ToString()},
          &out);
  return out;
}

namespace {

void CheckClosing(Faults& f, CivilYear year, absl::CivilDay booked_on,
                  const std::vector<ClosingInput>& conventions) {
  CheckDay(f, "booked_on", booked_on);
  if (booked_on.year() != year.y()) {
    f.Add("booked_on", FrenchDate(YmdFromDay(booked_on)),
          absl::StrFormat("la clôture de l'exercice %d est datée en %d", year.y(), year.y()));
  }
  if (conventions.size() > kClosingConventionsMax) {
    f.Add("conventions", absl::StrFormat("%d", conventions.size()),
          absl::StrFormat("au plus %d conventions par clôture", kClosingConventionsMax));
    return;
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < conventions.size(); ++i) {
    const ClosingInput& c = conventions[i];
    const std::string field = absl::StrFormat("conventions[%d]", i);
    if (c.convention_id.empty()) f.Add(field + ".convention_id", "", "convention non renseignée");
    if (!seen.insert(c.convention_id).second) {
      f.Add(field + ".convention_id", c.convention_id, "convention présente deux fois");
    }
    if (c.cause_event_id.empty()) {
      f.Add(field + ".cause_event_id", "", "événement d'origine non renseigné");
    }
    CheckKind(f, field + ".kind", c.kind);
    CheckBreakdown(f, field + ".dp", c.dp, year.y());
    CheckAmount(f, field + ".acomptes_dated_in_y", c.acomptes_dated_in_y, false);
  }
}

}  // namespace

// R-ACC-3 and R-ACC-4 (closing of civil year Y, period 13).
absl::StatusOr<Lines> ClosingLines(CivilYear year, absl::CivilDay booked_on,
                                   const std::vector<ClosingInput>& conventions) {
  Faults f(rule::kAcc3);
  CheckClosing(f, year, booked_on, conventions);
  RETURN_IF_ERROR(f.ToStatus());
  const std::string school_year = SchoolYear(year.y()).ToString();
  const Booking when{booked_on, kClosingMonth};
  Lines out;
  for (const ClosingInput& c : conventions) {
    const Shares dp = SharesOf(c.dp);
    const std::string code = StatisticalCode(c.kind, false);
    // R-ACC-3: the 4/10 of the service rendered in Y, less what its acomptes already paid.
    const Money charge = Max(Money::Zero(), dp.n_share - c.acomptes_dated_in_y);
    accounting_internal::Book(c.convention_id, year.y(), c.cause_event_id, when,
                              {kSubsidyN, kChargesAPayer, charge, code, rule::kAcc3,
                               "Charge à payer 4/10 " + school_year},
                              &out);
    // R-ACC-4: the 6/10 of the service to be rendered in Y+1, as an engagement.
    accounting_internal::Book(c.convention_id, year.y(), c.cause_event_id, when,
                              {kEngagementDebit, kEngagementCredit, dp.ps - dp.n_share, code,
                               rule::kAcc4, "Engagement 6/10 " + school_year},
                              &out);
  }
  return out;
}

// R-ACC-4 (reversal in month 12 of N+1).
absl::StatusOr<Lines> EngagementReversalLines(SchoolYear school_year, absl::CivilDay booked_on,
                                              std::string_view cause_event_id,
                                              const Lines& booked) {
  Faults f(rule::kAcc4);
  CheckDay(f, "booked_on", booked_on);
  if (booked_on.year() != school_year.n() + 1 || booked_on.month() != 12) {
    f.Add("booked_on", FrenchDate(YmdFromDay(booked_on)),
          absl::StrFormat("l'engagement de %s est contrepassé en décembre %d",
                          school_year.ToString(), school_year.n() + 1));
  }
  if (cause_event_id.empty()) f.Add("cause_event_id", "", "événement d'origine non renseigné");
  if (booked.size() > kLinesMax) f.Add("booked", "", "trop de lignes");
  RETURN_IF_ERROR(f.ToStatus());
  // Net engagement per (convention, code): debits minus credits of kEngagementDebit.
  std::map<std::pair<std::string, std::string>, Money> net;
  for (const v1::AccountingLine& line : booked) {
    if (line.school_year() != school_year.n()) continue;
    const bool earlier_reversal =
        line.rule_id() == rule::kAcc4.id && line.civil_year() > school_year.n();
    if (earlier_reversal || !accounting_internal::AmountInRange(line)) continue;
    const auto key = std::make_pair(line.convention_id(), line.statistical_code());
    const Money amount = Money::Cents(line.amount_cents());
    if (line.debit_account() == kEngagementDebit && line.credit_account() == kEngagementCredit) {
      net[key] += amount;
    } else if (line.debit_account() == kEngagementCredit &&
               line.credit_account() == kEngagementDebit) {
      net[key] -= amount;
    }
  }
  Lines out;
  for (const auto& [key, amount] : net) {
    if (amount < Money::Zero()) {
      f.Add("booked", key.first, "engagement net créditeur sur T 8091 : rien à contrepasser");
      continue;
    }
    accounting_internal::Book(key.first, school_year.n(), cause_event_id, {booked_on, 12},
                              {kEngagementCredit, kEngagementDebit, amount, key.second, rule::kAcc4,
                               "Contrepassation engagement 6/10 " + school_year.ToString()},
                              &out);
  }
  RETURN_IF_ERROR(f.ToStatus());
  return out;
}

Money OpenChargeAPayer(const Lines& booked, std::string_view convention_id,
                       SchoolYear school_year) {
  CLAS_CHECK(booked.size() <= kLinesMax);
  Money open;
  for (const v1::AccountingLine& line : booked) {
    if (line.convention_id() != convention_id || line.school_year() != school_year.n() ||
        !accounting_internal::AmountInRange(line)) {
      continue;
    }
    if (line.credit_account() == kChargesAPayer) open += Money::Cents(line.amount_cents());
    if (line.debit_account() == kChargesAPayer) open -= Money::Cents(line.amount_cents());
  }
  return open;
}

namespace {

void CheckSolde(Faults& f, const SoldeInput& in) {
  CheckOrigin(f, in.origin);
  CheckDay(f, "paid_on", in.paid_on);
  CheckAfterSchoolYear(f, in.origin, in.paid_on);
  if (in.solde.cents() < -kAmountMaxCents || in.solde.cents() > kAmountMaxCents) {
    f.Add("solde", in.solde.ToFrench(), "montant hors plage");
  }
  CheckBreakdown(f, "dr", in.dr, in.origin.school_year.n());
  CheckAmount(f, "acomptes_dated_in_n", in.acomptes_dated_in_n, false);
  CheckAmount(f, "open_charge_a_payer", in.open_charge_a_payer, false);
}

}  // namespace

// R-ACC-5.
absl::StatusOr<Lines> SoldeLines(const SoldeInput& in) {
  Faults f(rule::kAcc5);
  CheckSolde(f, in);
  RETURN_IF_ERROR(f.ToStatus());
  const LineOrigin& o = in.origin;
  const int32_t n = o.school_year.n();
  const int age_n = static_cast<int>(in.paid_on.year() - n);  // >= 1, checked above
  const std::string n_account = SubsidyAccountForAge(age_n);
  const std::string n1_account = SubsidyAccountForAge(age_n - 1);
  const std::string ps_code = StatisticalCode(o.kind, false);
  const std::string title = "Solde " + o.school_year.ToString();
  const Shares dr = SharesOf(in.dr);

  // (a) The part of the solde that belongs to the N share.
  const Money d_n = dr.n_share - in.acomptes_dated_in_n;
  const Money s_n = Max(Money::Zero(), Min(d_n, in.solde));
  // (b) It settles the open charge à payer first.
  const Money settled = Min(s_n, in.open_charge_a_payer);
  // (c) The rest belongs to the N+1 share, bonuses first (they are all in it, R-PAY-1).
  const Money rest = Max(Money::Zero(), in.solde - s_n);
  const Money bonus = Min(dr.bonus, rest);
  // (d) [choice] What the solde leaves of the charge à payer is not due: it is cancelled.
  const Money cancelled = in.open_charge_a_payer - settled;

  Lines out;
  const Booking when = Booking::On(in.paid_on);
  BookFor(o, when,
          {kChargesAPayer, kSettlement, settled, ps_code, rule::kAcc5,
           absl::StrFormat("%s : charge à payer %d", title, n)},
          &out);
  BookFor(o, when,
          {n_account, kSettlement, s_n - settled, ps_code, rule::kAcc5,
           absl::StrFormat("%s : part %d", title, n)},
          &out);
  BookFor(o, when,
          {n1_account, kSettlement, bonus, StatisticalCode(o.kind, true), rule::kAcc5,
           absl::StrFormat("%s : bonus", title)},
          &out);
  BookFor(o, when,
          {n1_account, kSettlement, rest - bonus, ps_code, rule::kAcc5,
           absl::StrFormat("%s : part %d", title, n + 1)},
          &out);
  BookFor(
      o, when,
      {kChargesAPayer, n_account, cancelled, ps_code, rule::kAcc5,
       absl::StrFormat("Annulation reliquat charge à payer %d (%s)", n, o.school_year.ToString())},
      &out);
  return out;
}

// R-ACC-9: rappel.
absl::StatusOr<Lines> RappelLines(const LineOrigin& origin, absl::CivilDay paid_on, Money amount) {
  Faults f(rule::kAcc9);
  CheckOrigin(f, origin);
  CheckDay(f, "paid_on", paid_on);
  CheckAmount(f, "amount", amount, /*positive=*/true);
  CheckAfterSchoolYear(f, origin, paid_on);
  RETURN_IF_ERROR(f.ToStatus());
  const int age_n1 = static_cast<int>(paid_on.year() - (origin.school_year.n() + 1));
  Lines out;
  BookFor(origin, Booking::On(paid_on),
          {SubsidyAccountForAge(age_n1), kSettlement, amount, StatisticalCode(origin.kind, false),
           rule::kAcc9, "Rappel " + origin.school_year.ToString()},
          &out);
  return out;
}

// R-ACC-9: recovery of an indu (repayment or offset).
absl::StatusOr<Lines> RecoveryLines(const RecoveryInput& in) {
  Faults f(rule::kAcc9);
  CheckOrigin(f, in.origin);
  CheckDay(f, "recovered_on", in.recovered_on);
  CheckAmount(f, "amount", in.amount, /*positive=*/true);
  CheckAfterSchoolYear(f, in.origin, in.recovered_on);
  const bool offset = in.method == v1::OFFSET;
  if (!offset && in.method != v1::REPAYMENT) {
    f.Add("method", absl::StrFormat("%d", in.method), "mode de recouvrement inconnu");
  }
  if (offset && in.offset_payment_id.empty()) {
    f.Add("offset_payment_id", "", "une compensation nomme le paiement qu'elle a réduit");
  }
  RETURN_IF_ERROR(f.ToStatus());
  const std::string school_year = in.origin.school_year.ToString();
  const std::string label =
      offset ? absl::StrFormat("Indu %s compensé sur le paiement %s (convention %s)", school_year,
                               in.offset_payment_id,
                               in.offset_convention_id.empty() ? in.origin.convention_id
                                                               : in.offset_convention_id)
             : "Remboursement indu " + school_year;
  const int age_n1 = static_cast<int>(in.recovered_on.year() - (in.origin.school_year.n() + 1));
  Lines out;
  BookFor(in.origin, Booking::On(in.recovered_on),
          {kSettlement, SubsidyAccountForAge(age_n1), in.amount,
           StatisticalCode(in.origin.kind, false), rule::kAcc9, label},
          &out);
  return out;
}

bool IsPaymentLine(const v1::AccountingLine& line) {
  const bool payment_rule = line.rule_id() == rule::kAcc2.id || line.rule_id() == rule::kAcc5.id ||
                            line.rule_id() == rule::kAcc9.id;
  const bool charge_side = AgeOfSubsidyAccount(line.debit_account()).has_value() ||
                           line.debit_account() == kChargesAPayer;
  return payment_rule && charge_side && line.credit_account() == kSettlement;
}

std::string DescribeLine(const v1::AccountingLine& line) {
  return absl::StrFormat("%d/%02d D %s C %s %s %s %s", line.civil_year(), line.month(),
                         line.debit_account(), line.credit_account(),
                         Money::Cents(line.amount_cents()).ToFrench(), line.statistical_code(),
                         line.rule_id());
}

}  // namespace clas::rules
