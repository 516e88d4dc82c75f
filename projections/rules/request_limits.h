// Plausibility limits of a funding request (FundingRequestFiled), in one place.
//
// These are not rules of the circular: they catch typing mistakes ("120 collectifs" for "12",
// "900 minutes" for "90") and bound every loop over a request before any rule runs. A figure
// beyond a limit is reported as an error of the rule that owns the field (eligibility.h says
// which). The rule thresholds themselves (8 to 12 children, 27 weeks, ...) live in
// eligibility.h, beside the rules that use them.
//
// Thread-safety: constants only.
#ifndef CLAS_PROJECTIONS_RULES_REQUEST_LIMITS_H_
#define CLAS_PROJECTIONS_RULES_REQUEST_LIMITS_H_

#include <cstddef>
#include <cstdint>

#include "projections/core/calendar.h"

namespace clas::rules {

// Collectifs one request may describe. 2023-2024 averaged about four collectifs an action; a
// request beyond this is a mistake. Only the first kCollectifsPerRequestMax are examined.
inline constexpr int kCollectifsPerRequestMax = 200;

// School levels listed for one collectif: there are five levels, each listed at most once.
inline constexpr int kLevelsPerCollectifMax = 5;

// Animateurs of one collectif: never more than one per child of the largest collectif.
inline constexpr int32_t kAnimateursPerCollectifMax = 12;

// Sessions of one collectif in one week.
inline constexpr int32_t kSessionsPerWeekMax = 10;

// Length of one session: a school day at most.
inline constexpr int32_t kSessionMinutesMax = 480;

// Weeks of one school year (1 September N to 31 August N+1: 52 weeks and one or two days, so at
// most 53 calendar weeks are touched).
inline constexpr int32_t kWeeksPerSchoolYearMax = 53;

// Opening years of a school year the ledger accepts. The last one is chosen so that its last
// day (31 August N+1) is still within the ledger's date range (kDateMax).
inline constexpr int32_t kSchoolYearMin = kYearMin;
inline constexpr int32_t kSchoolYearMax = kYearMax - 1;

// School years one convention may cover, avenants included (R-CONV-2: 5 years maximum).
inline constexpr int32_t kConventionSchoolYearsMax = 5;
// School years one request (hence one convention) may ask for.
inline constexpr int32_t kSchoolYearsPerRequestMax = kConventionSchoolYearsMax;

}  // namespace clas::rules

#endif  // CLAS_PROJECTIONS_RULES_REQUEST_LIMITS_H_
