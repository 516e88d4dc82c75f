// The simulation's model (sim_model.h): corrections of a bilan (R-HIST-1), before its solde (the
// DR simply changes) and after it (R-PAY-9: the revision of the solde), or on a school year a
// contrôle settled (R-PAY-8: kept with a warning, no money).
#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "tests/sim/sim_model_internal.h"

namespace clas::sim {

using namespace model_internal;  // NOLINT: the helpers of the model's files

const ModelYear* Model::BilanYear(const ModelConvention& c, const std::string& event_id) {
  for (const auto& [n, y] : c.years) {
    if (!event_id.empty() && y.bilan_event_id == event_id) return &y;
  }
  return nullptr;
}

Expectation Model::Expect(const v1::CorrectEvent& cmd) const {
  const ModelConvention* c = Find(cmd.caf_id(), cmd.convention_id());
  if (c == nullptr) return Refuse("R-CONV-4");
  // R-HIST-1: a correction names an event of the convention, and the original fact, never a
  // correction of it.
  const ModelYear* y = BilanYear(*c, cmd.target_event_id());
  if (y == nullptr) return Refuse("R-HIST-1");
  Expectation e;
  if (cmd.reason().empty()) Add(&e, "R-HIST-1");  // a correction says why
  if (cmd.date() != 0 && !ModelValidDate(cmd.date())) Add(&e, "R-HIST-2");
  if (cmd.cancel() || !cmd.replacement().has_bilan_received()) {
    Add(&e, "R-HIST-1");  // a bilan is replaced by a bilan (its cancellation is not generated)
    return e;
  }
  const v1::BilanReceived& b = cmd.replacement().bilan_received();
  if (b.school_year() != y->n) Add(&e, "R-HIST-1");  // the correction keeps its school year
  CheckFigures(&e, FromProto(b.figures()), y);
  // [choice] R-PAY-8: a school year a contrôle settled is not reopened: a warning, no money.
  if (y->dc) {
    e.warnings.push_back("R-PAY-8");
    return e;
  }
  if (!y->solde) return e;  // before the solde: the DR it will be computed from changes
  // R-PAY-9 [choice]: after the solde, the correction is dated (the day its delta is due), not
  // before the solde nor before the previous revision.
  if (cmd.date() == 0) {
    Add(&e, "R-PAY-9");
    return e;
  }
  if (ModelValidDate(cmd.date()) && cmd.date() < y->settled_date) Add(&e, "R-PAY-9");
  if (!e.accepted()) return e;  // figures the rules refuse have no DR
  const ModelDroit dr = *Droit(*y, Within(*c, *y, FromProto(b.figures())));
  // R-PAY-7: a delta due (complément) or notified (indu) is not dated in a closed civil year.
  if (dr.droit != y->settled_dr && Closed(cmd.caf_id(), cmd.date())) Add(&e, "R-PAY-7");
  return e;
}

void Model::Apply(const v1::CorrectEvent& cmd) {
  ModelConvention& c = Get(cmd.caf_id(), cmd.convention_id());
  ModelYear& y = c.years.at(BilanYear(c, cmd.target_event_id())->n);
  y.bilan = FromProto(cmd.replacement().bilan_received().figures());
  if (y.dc || !y.solde) return;
  // R-PAY-9: DR' − DR is due at once, on the correction's date.
  const int64_t dr = Droit(y, Within(c, y, *y.bilan))->droit;
  const int64_t delta = dr - y.settled_dr;
  y.settled_dr = dr;
  y.settled_date = cmd.date();
  if (delta > 0) {  // a complément de solde, paid like a rappel (R-ACC-9)
    y.rappel_due += delta;
    y.complement_due += delta;
    y.complement_dates.push_back(cmd.date());
  } else if (delta < 0) {  // an indu notified with the correction (R-CTL-3 recovery rules)
    c.indus.push_back(ModelIndu{.id = absl::StrCat("bilan-", y.n, "-", ++y.bilan_indus),
                                .school_year = y.n,
                                .amount = -delta,
                                .date = cmd.date()});
  }
}

}  // namespace clas::sim
