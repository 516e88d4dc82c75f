// An event written into a convention's stream through the ledger layer itself, as an older
// version of the code would have recorded it (its own rule version on the envelope, its own
// figures): what the recompute check (R-HIST-3) exists to find. Used by the server and clasctl
// tests.
#ifndef CLAS_TESTS_SERVER_RECORDED_EVENT_H_
#define CLAS_TESTS_SERVER_RECORDED_EVENT_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/event_store.h"
#include "projections/convention/domain_event.h"

namespace clas::testing {

// The fact of the first event of `convention` (of `caf`) whose fact `has` holds, as recorded;
// a test failure and an empty fact when there is none.
template <typename Has>
v1::ClasEvent RecordedFact(const ledger::EventStore& store, const std::string& caf,
                           const std::string& convention, Has has) {
  auto events = store.ReadStream(ConventionStream(caf, convention), 1, ledger::Direction::kForward,
                                 ledger::kReadEventsMax);
  EXPECT_TRUE(events.ok()) << events.status();
  if (events.ok()) {
    for (const auto& e : *events) {
      v1::ClasEvent fact;
      if (fact.ParseFromString(e.payload()) && has(fact)) return fact;
    }
  }
  ADD_FAILURE() << "no such event in " << convention;
  return v1::ClasEvent();
}

// Appends `fact` to the stream of `convention` (of `caf`) with `rule_version` on its envelope,
// straight through the store (no rule looks at it), after the stream's last event. Returns the
// position it took (0 and a test failure when the append is refused).
inline uint64_t AppendAsRecorded(ledger::EventStore& store, const std::string& caf,
                                 const std::string& convention, const std::string& event_id,
                                 int32_t effective_date, const v1::ClasEvent& fact,
                                 const std::string& rule_version) {
  const std::string stream = ConventionStream(caf, convention);
  auto version = store.StreamVersion(stream);
  EXPECT_TRUE(version.ok()) << version.status();
  if (!version.ok()) return 0;
  ledger::v1::Actor actor;
  actor.set_id(absl::StrCat("agent-", caf));
  actor.set_role("agent");
  actor.set_tenant_id(caf);
  std::vector<ledger::v1::EventData> data{
      ToEventData(fact, event_id, effective_date, caf, actor, rule_version)};
  auto appended =
      store.Append(stream, ledger::ExpectedVersion::Exactly(*version), std::move(data));
  EXPECT_TRUE(appended.ok()) << appended.status();
  return appended.ok() ? appended->first_position : 0;
}

}  // namespace clas::testing

#endif  // CLAS_TESTS_SERVER_RECORDED_EVENT_H_
