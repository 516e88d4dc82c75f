#include "projections/rules/payments.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "ledger/base/status_macros.h"

namespace clas::rules {
namespace {

// R-PAY-2 and R-PAY-3: 70 % of 4/10 and 70 % of 6/10 of the PS part of the DP.
constexpr int64_t kCapNPercent = 28;
constexpr int64_t kCapN1Percent = 42;
constexpr int64_t kPercentDen = 100;

// R-PAY-4: an acompte of school year N is dated from 1 January N to 31 August N+1 (the last day
// of the school year). [choice] R-PAY-5: a solde is dated from 1 January N+1 (see payments.h).
absl::CivilDay AcompteFirstDay(SchoolYear year) { return absl::CivilDay(year.n(), 1, 1); }
absl::CivilDay SoldeFirstDay(SchoolYear year) { return absl::CivilDay(year.n() + 1, 1, 1); }

Rule CapRule(Share share) { return share == Share::kN ? rule::kPay2 : rule::kPay3; }
int64_t CapPercent(Share share) { return share == Share::kN ? kCapNPercent : kCapN1Percent; }

std::string FrDay(absl::CivilDay day) { return FrenchDate(YmdFromDay(day)); }

// A breakdown handed in as DP or DR must be of that kind and school year: a mismatch is a bug of
// the caller, which looks the droit up by school year.
void CheckDroitOf(const DroitShares& droit, DroitKind kind, SchoolYear year) {
  CLAS_CHECK(droit.kind == kind) << "payments: wrong droit kind";
  CLAS_CHECK(droit.school_year == year) << "payments: droit of another year";
  CLAS_CHECK(droit.ps >= Money::Zero() && droit.ps.cents() <= kAmountMaxCents);
}

enum class DateCheck { kInWindow, kNotADay, kOutOfWindow };

// R-PAY-4: sets *share from the civil year of `date` (kN up to civil year N, kN1 after) and
// adds an error when the date is not a day or is outside [1 January N, 31 August N+1].
DateCheck CheckAcompteDate(SchoolYear year, int32_t date, Share* share, Violations* out) {
  *share = CivilYearOfYmd(date) <= year.n() ? Share::kN : Share::kN1;
  auto day = DayFromYmd(date);
  if (!day.ok()) {
    out->Add(RuleError(rule::kPay4, "date", absl::StrFormat("%d", date),
                       "la date de l'acompte n'est pas un jour du calendrier"));
    return DateCheck::kNotADay;
  }
  const bool early = *day < AcompteFirstDay(year);
  if (!early && *day <= year.last_day()) return DateCheck::kInWindow;
  out->Add(
      RuleError(rule::kPay4, "date", FrenchDate(date),
                absl::StrFormat("un acompte de l'année scolaire %s ne peut pas être daté %s le %s",
                                year.ToString(), early ? "avant" : "après",
                                FrDay(early ? AcompteFirstDay(year) : year.last_day()))));
  return DateCheck::kOutOfWindow;
}

// R-PAY-2 / R-PAY-3: the amount of one acompte is positive and bounded.
bool CheckAcompteAmount(Share share, Money amount, Violations* out) {
  if (amount > Money::Zero() && amount <= Money::Cents(kAmountMaxCents)) return true;
  out->Add(RuleError(CapRule(share), "amount_cents", amount.ToFrench(),
                     absl::StrFormat("le montant d'un acompte doit être positif et d'au plus %s",
                                     Money::Cents(kAmountMaxCents).ToFrench())));
  return false;
}

// R-PAY-2 / R-PAY-3: the acomptes of one share stay within its cap.
void AddCapExceeded(const AcompteRequest& r, const AcompteDecision& d, Violations* out) {
  const Money room_before = Max(Money::Zero(), d.cap - r.paid_same_share);
  out->Add(RuleError(
      CapRule(d.share), "amount_cents", r.amount.ToFrench(),
      absl::StrFormat("acompte de %s au-delà du plafond des acomptes datés de %d pour l'année "
                      "scolaire %s : %d %% de la Ps du droit prévisionnel (%s), soit %s ; déjà "
                      "versé %s, reste possible %s",
                      r.amount.ToFrench(), CivilYearOfShare(r.school_year, d.share).y(),
                      r.school_year.ToString(), CapPercent(d.share), r.dp_in_force->ps.ToFrench(),
                      d.cap.ToFrench(), r.paid_same_share.ToFrench(), room_before.ToFrench())));
}

void AddNoDp(const AcompteRequest& r, Share share, Violations* out) {
  out->Add(RuleError(CapRule(share), "dp", "",
                     absl::StrFormat("pas de droit prévisionnel en vigueur au %s pour l'année "
                                     "scolaire %s : aucun acompte ne peut être versé",
                                     FrenchDate(r.date), r.school_year.ToString())));
}

void AddSoldePaid(const Rule& rule, SchoolYear year, std::string_view consequence,
                  Violations* out) {
  out->Add(RuleError(rule, "solde", "déjà versé",
                     absl::StrFormat("le solde de l'année scolaire %s est déjà versé : %s",
                                     year.ToString(), std::string(consequence))));
}

absl::Status StatusOf(const Violations& v, bool invalid_argument) {
  return v.ToStatus(invalid_argument ? absl::StatusCode::kInvalidArgument
                                     : absl::StatusCode::kFailedPrecondition);
}

}  // namespace

Money AcompteCapN(Money dp_ps) {
  CLAS_CHECK(dp_ps >= Money::Zero() && dp_ps <= Money::Cents(kAmountMaxCents));
  return dp_ps.MulDivFloor(kCapNPercent, kPercentDen);  // R-PAY-2: floor to the cent
}

Money AcompteCapN1(Money dp_ps) {
  CLAS_CHECK(dp_ps >= Money::Zero() && dp_ps <= Money::Cents(kAmountMaxCents));
  return dp_ps.MulDivFloor(kCapN1Percent, kPercentDen);  // R-PAY-3: floor to the cent
}

Money AcompteCap(Share share, Money dp_ps) {
  return share == Share::kN ? AcompteCapN(dp_ps) : AcompteCapN1(dp_ps);
}

CivilYear CivilYearOfShare(SchoolYear year, Share share) {
  return CivilYear(share == Share::kN ? year.n() : year.n() + 1);
}

absl::StatusOr<Share> ShareOfDate(SchoolYear year, int32_t date) {
  Violations v;
  Share share = Share::kN;
  if (CheckAcompteDate(year, date, &share, &v) != DateCheck::kInWindow) {
    return v.ToStatus(absl::StatusCode::kInvalidArgument);
  }
  return share;
}

absl::Status AcompteDecision::ToStatus() const { return StatusOf(violations, invalid_argument); }

absl::Status SoldeDecision::ToStatus() const { return StatusOf(violations, invalid_argument); }

AcompteDecision DecideAcompte(const AcompteRequest& r) {
  CLAS_CHECK(r.paid_same_share >= Money::Zero()) << "acomptes paid cannot be negative";
  AcompteDecision d;
  // R-PAY-4: the date fixes the share (no advance in N for exercise N+1) and must lie in the
  // window of the school year.
  const bool in_window =
      CheckAcompteDate(r.school_year, r.date, &d.share, &d.violations) == DateCheck::kInWindow;
  const bool amount_ok = CheckAcompteAmount(d.share, r.amount, &d.violations);
  d.invalid_argument = !in_window || !amount_ok;
  // R-PAY-4: nothing after the solde.
  if (r.solde_paid) {
    AddSoldePaid(rule::kPay4, r.school_year, "plus aucun acompte n'est possible", &d.violations);
  }
  // R-PAY-2 / R-PAY-3 with R-PAY-6: the cap of the share under the DP in force at the date.
  if (r.dp_in_force == nullptr) {
    AddNoDp(r, d.share, &d.violations);
  } else {
    CheckDroitOf(*r.dp_in_force, DroitKind::kPrevisionnel, r.school_year);
    d.cap = AcompteCap(d.share, r.dp_in_force->ps);
  }
  d.room_after = d.cap - r.paid_same_share;
  if (amount_ok) d.room_after -= r.amount;
  if (r.dp_in_force != nullptr && in_window && amount_ok && d.room_after < Money::Zero()) {
    AddCapExceeded(r, d, &d.violations);
  }
  // R-PAY-7
  d.violations.AddAll(CheckPaymentYearOpen(r.date, r.civil_year_closed, "acompte"));
  return d;
}

SoldeDecision DecideSolde(SchoolYear year, int32_t date, const DroitShares* dr,
                          Money acomptes_total, bool solde_already_paid, bool civil_year_closed) {
  CLAS_CHECK(acomptes_total >= Money::Zero()) << "acomptes paid cannot be negative";
  SoldeDecision d;
  auto day = DayFromYmd(date);
  if (!day.ok() || *day < SoldeFirstDay(year)) {
    d.invalid_argument = true;
    d.violations.Add(RuleError(
        rule::kPay5, "date", absl::StrFormat("%d", date),
        day.ok() ? absl::StrFormat("le solde de l'année scolaire %s, versé au titre de %d, ne "
                                   "peut pas être daté avant le %s",
                                   year.ToString(), year.n() + 1, FrDay(SoldeFirstDay(year)))
                 : std::string("la date du solde n'est pas un jour du calendrier")));
  }
  // R-CONV-6: the solde needs the bilan. R-PAY-5: solde = DR − every acompte of the year.
  if (dr == nullptr) {
    d.violations.Add(RuleError(rule::kConv6, "bilan", "non reçu",
                               absl::StrFormat("le solde exige le bilan de l'année scolaire %s "
                                               "(pièce justificative obligatoire), non reçu",
                                               year.ToString())));
  } else {
    CheckDroitOf(*dr, DroitKind::kReel, year);
    const Money droit = dr->droit;
    d.amount = Max(Money::Zero(), droit - acomptes_total);
    d.indu = Max(Money::Zero(), acomptes_total - droit);
  }
  // R-PAY-5: at most one solde per school year.
  if (solde_already_paid) {
    AddSoldePaid(rule::kPay5, year, "il n'est versé qu'une fois", &d.violations);
  }
  d.violations.AddAll(CheckPaymentYearOpen(date, civil_year_closed, "solde"));  // R-PAY-7
  return d;
}

Violations CheckAfterSchoolYearShareN1(SchoolYear year, int32_t date, std::string_view kind_fr) {
  Violations out;
  auto day = DayFromYmd(date);
  if (!day.ok() || *day >= SoldeFirstDay(year)) return out;
  out.Add(RuleError(rule::kAcc9, "date", FrenchDate(date),
                    absl::StrFormat("un %s de l'année scolaire %s est passé au titre de %d (sur "
                                    "le compte de la part N+1) : il ne peut pas être daté avant le "
                                    "%s",
                                    std::string(kind_fr), year.ToString(), year.n() + 1,
                                    FrDay(SoldeFirstDay(year)))));
  return out;
}

Violations CheckPaymentYearOpen(int32_t date, bool civil_year_closed, std::string_view kind_fr) {
  Violations out;
  if (!civil_year_closed) return out;
  const int32_t civil_year = CivilYearOfYmd(date);
  out.Add(RuleError(rule::kPay7, "date", FrenchDate(date),
                    absl::StrFormat("l'exercice %d est clos par la Caf : aucun %s ne peut y être "
                                    "daté",
                                    civil_year, std::string(kind_fr))));
  return out;
}

}  // namespace clas::rules
