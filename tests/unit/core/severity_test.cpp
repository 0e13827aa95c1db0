// Severity text is what the database, JSON, config and the CLI hold; the enum's order is what
// thresholds compare.
#include "core/severity.h"

#include <gtest/gtest.h>

namespace ht {
namespace {

TEST(SeverityTest, NamesRoundTrip) {
  for (Severity s :
       {Severity::kInfo, Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
    std::optional<Severity> parsed = parseSeverity(severityName(s));
    ASSERT_TRUE(parsed.has_value()) << severityName(s);
    EXPECT_EQ(*parsed, s);
  }
  EXPECT_EQ(parseSeverity("HIGH"), Severity::kHigh);
  EXPECT_EQ(parseSeverity("severe"), std::nullopt);
  EXPECT_EQ(parseSeverity(""), std::nullopt);
  EXPECT_EQ(parseSeverity("high "), std::nullopt);
}

TEST(SeverityTest, OrderIsRank) {
  EXPECT_LT(Severity::kInfo, Severity::kLow);
  EXPECT_LT(Severity::kLow, Severity::kMedium);
  EXPECT_LT(Severity::kMedium, Severity::kHigh);
  EXPECT_LT(Severity::kHigh, Severity::kCritical);
}

}  // namespace
}  // namespace ht
