// The grammar of the Clas stream ids (projections/core/stream_layout.h): built and read back in
// one place.
#include "projections/core/stream_layout.h"

#include "gtest/gtest.h"

namespace clas::testing {
namespace {

TEST(StreamLayout, R_HIST_4_EachAggregateHasItsStreamUnderItsCaf) {
  EXPECT_EQ(BaremeStream(), "clas/bareme");
  EXPECT_EQ(GestionnaireStream("caf-75", "asso-1"), "clas/caf-75/gestionnaire/asso-1");
  EXPECT_EQ(ConventionStream("caf-75", "conv-1"), "clas/caf-75/convention/conv-1");
  EXPECT_EQ(CivilYearStream("caf-75", 2026), "clas/caf-75/civil-year/2026");
  EXPECT_EQ(CafStreamPrefix("caf-75"), "clas/caf-75/");
  EXPECT_EQ(ConventionStreamPrefix("caf-75"), "clas/caf-75/convention/");
  EXPECT_EQ(ConventionStreamPrefix(""), "clas/");
  EXPECT_EQ(CivilYearStreamPrefix("caf-75"), "clas/caf-75/civil-year/");
}

TEST(StreamLayout, R_HIST_4_ReadsBackWhatItBuilds) {
  EXPECT_EQ(CafOfStream(ConventionStream("caf-75", "conv-1")), "caf-75");
  EXPECT_EQ(CafOfStream(CivilYearStream("caf-13", 2027)), "caf-13");
  EXPECT_EQ(CafOfStream(BaremeStream()), "");
  EXPECT_EQ(CafOfStream("ext/svc-paie/x"), "");
  EXPECT_EQ(ConventionOfStream(ConventionStream("caf-75", "conv-1")), "conv-1");
  EXPECT_EQ(ConventionOfStream(GestionnaireStream("caf-75", "conv-1")), "");
  EXPECT_EQ(ConventionOfStream("ext/caf-75/convention/conv-1"), "");
  EXPECT_EQ(ConventionOfStream("clas//convention/conv-1"), "") << "no Caf";
  EXPECT_EQ(CivilYearOfStream(CivilYearStream("caf-75", 2026)), 2026);
  EXPECT_EQ(CivilYearOfStream("clas/caf-75/civil-year/20x6"), std::nullopt);
  EXPECT_EQ(CivilYearOfStream(ConventionStream("caf-75", "2026")), std::nullopt);
  EXPECT_TRUE(IsClasStream(BaremeStream()));
  EXPECT_FALSE(IsClasStream("ext/svc-paie/clas/x"));
}

TEST(StreamLayout, R_HIST_4_AFolderUnderTheRootIsACafUnlessItIsAStream) {
  EXPECT_EQ(CafOfFolder("clas/caf-75/"), "caf-75");
  EXPECT_EQ(CafOfFolder(BaremeStream()), std::nullopt);
  EXPECT_EQ(CafOfFolder("clas//"), std::nullopt);
  EXPECT_EQ(CafOfFolder("clas/caf-75/convention/"), std::nullopt);
  EXPECT_EQ(CafOfFolder("ext/caf-75/"), std::nullopt);
}

}  // namespace
}  // namespace clas::testing
