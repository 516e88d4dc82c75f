// R-HIST-1, R-HIST-2: the bitemporal selection of the fold (fold.h) on random streams with
// corrections: TimelineRefs is the part of Timeline after a place, and FinishFold marks the
// corrected and cancelled events as the corrections visible, taken one at a time in stream
// order, mark them.
#include "projections/convention/fold.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "projections/engine/request_key.h"

namespace clas::testing {
namespace {

constexpr int kStreams = 300;
constexpr int kEventsMax = 60;

class RandomStream {
 public:
  explicit RandomStream(uint32_t seed) : rng_(seed) {
    const int events = static_cast<int>(Between(1, kEventsMax));
    for (int i = 0; i < events; ++i) {
      DomainEvent e;
      e.event_id = Id(i + 1);
      e.position = static_cast<uint64_t>(i + 1);
      e.recorded_at_us = 1000 * (i + 1);
      e.effective_date = 20260101 + static_cast<int32_t>(Between(0, 20));  // shared dates too
      e.fact.set_convention_id("conv");
      if (i > 0 && Between(0, 2) == 0) {
        auto* c = e.fact.mutable_event_corrected();
        // Mostly an earlier event; now and then an unknown one or a later one.
        const int64_t target = Between(0, 9) == 0 ? Between(1, events + 3) : Between(1, i);
        c->set_target_event_id(Id(target));
        c->set_cancel(Between(0, 1) == 0);
        if (!c->cancel()) c->mutable_replacement()->mutable_acompte_paid()->set_amount_cents(i);
      } else {
        e.fact.mutable_acompte_paid()->set_payment_id(absl::StrCat("p", i));
        e.fact.mutable_acompte_paid()->set_amount_cents(100 + i);
      }
      events_.push_back(std::move(e));
    }
  }

  // Ids as the engine writes them ("<caf>/<key>#<rank>", request_key.h) and as it wrote them
  // before ("<caf>/<request id>#<rank>"), a short one now and then.
  static std::string Id(int64_t n) {
    if (n % 7 == 0) return absl::StrCat("e", n);
    if (n % 2 == 0) return RequestEventId("caf-t", absl::StrCat("conv-t/", n / 3), n % 3);
    return absl::StrCat("caf-t/conv-t/", n / 3, "#", n % 3);
  }
  const std::vector<DomainEvent>& events() const { return events_; }
  int64_t Between(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }
  AsOf Point() {
    AsOf as_of;
    if (Between(0, 2) != 0) as_of.effective_date = 20260101 + static_cast<int32_t>(Between(0, 21));
    if (Between(0, 2) != 0) as_of.known_at_us = 1000 * Between(0, kEventsMax + 1);
    return as_of;
  }
  // A state whose entries name some events of the stream (some twice) and some unknown ids.
  v1::ConventionState Entries() {
    v1::ConventionState state;
    for (const DomainEvent& e : events_) {
      for (int64_t k = Between(0, 4) == 0 ? 0 : Between(1, 2); k > 0; --k) {
        state.add_events()->set_event_id(e.event_id);
      }
    }
    state.add_events()->set_event_id("x1");
    return state;
  }

 private:
  std::mt19937_64 rng_;
  std::vector<DomainEvent> events_;
};

// The marks as FinishFold's rule states them, one correction at a time.
void MarkOneAtATime(v1::ConventionState* state, const std::vector<DomainEvent>& stream,
                    const AsOf& as_of) {
  for (const DomainEvent& e : stream) {
    if (e.recorded_at_us > as_of.known_at_us || e.effective_date > as_of.effective_date) continue;
    if (!e.fact.has_event_corrected()) continue;
    const auto& c = e.fact.event_corrected();
    bool found = false;
    for (auto& ref : *state->mutable_events()) {
      if (ref.event_id() != c.target_event_id()) continue;
      ref.set_corrected_by(e.event_id);
      ref.set_cancelled(c.cancel());
      found = true;
    }
    if (!found && c.cancel()) {
      v1::EventRef* ref = state->add_events();
      ref->set_event_id(c.target_event_id());
      ref->set_corrected_by(e.event_id);
      ref->set_cancelled(true);
    }
  }
  state->set_as_of_date(as_of.effective_date);
  state->set_known_at_us(as_of.known_at_us);
}

TEST(FoldTest, R_HIST_1_FinishFoldMarksAsEachVisibleCorrectionInTurn) {
  for (uint32_t seed = 0; seed < kStreams; ++seed) {
    RandomStream s(seed);
    for (int k = 0; k < 5; ++k) {
      const AsOf as_of = s.Point();
      v1::ConventionState want = s.Entries();
      v1::ConventionState got = want;
      MarkOneAtATime(&want, s.events(), as_of);
      FinishFold(&got, s.events(), as_of);
      std::string diff;
      google::protobuf::util::MessageDifferencer differencer;
      differencer.ReportDifferencesToString(&diff);
      ASSERT_TRUE(differencer.Compare(want, got))
          << "seed " << seed << ", as of " << as_of.effective_date << " known at "
          << as_of.known_at_us << ":\n"
          << diff;
    }
  }
}

TEST(FoldTest, R_HIST_2_TimelineRefsIsTheTimelineAfterAPlace) {
  for (uint32_t seed = 0; seed < kStreams; ++seed) {
    RandomStream s(seed);
    for (int k = 0; k < 5; ++k) {
      const AsOf as_of = s.Point();
      const std::vector<DomainEvent> timeline = Timeline(s.events(), as_of);
      FoldPlace after;  // the whole timeline first, then after a random event's place
      if (k > 0) after = PlaceOf(s.events()[s.Between(0, s.events().size() - 1)]);
      std::vector<const DomainEvent*> want;
      for (const DomainEvent& e : timeline) {
        if (PlaceOf(e) > after) want.push_back(&e);
      }
      std::deque<DomainEvent> replaced;
      const std::vector<const DomainEvent*> got = TimelineRefs(s.events(), as_of, &replaced, after);
      ASSERT_EQ(want.size(), got.size()) << "seed " << seed;
      for (size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(want[i]->event_id, got[i]->event_id) << "seed " << seed << ", event " << i;
        EXPECT_EQ(want[i]->fact.SerializeAsString(), got[i]->fact.SerializeAsString())
            << "seed " << seed << ", event " << i;
      }
    }
  }
}

}  // namespace
}  // namespace clas::testing
