#include "core/clock.h"

#include <gtest/gtest.h>

namespace ht {
namespace {

TEST(ClockTest, FormatsRfc3339Utc) {
  EXPECT_EQ(formatTime(fromUnixSeconds(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(formatTime(fromUnixSeconds(1795448092)), "2026-11-23T15:34:52Z");
}

TEST(ClockTest, ParsesTheFormsPeopleType) {
  EXPECT_EQ(toUnixSeconds(*parseTime("2026-11-23T15:34:52Z")), 1795448092);
  EXPECT_EQ(toUnixSeconds(*parseTime("2026-11-23T17:34:52+02:00")), 1795448092);
  EXPECT_EQ(toUnixSeconds(*parseTime("2026-11-23 15:34:52")), 1795448092);
  EXPECT_EQ(toUnixSeconds(*parseTime("2026-11-23T15:34:52.123Z")), 1795448092);
  EXPECT_EQ(toUnixSeconds(*parseTime("2026-11-23")), 1795392000);
  for (const char* bad : {"", "yesterday", "2026-13-01", "2026-11-25T25:00:00Z", "2026-11-25Tx",
                          "2026-11-25T14:14:52+0200", "2026-11-23T15:34:52Zjunk"}) {
    EXPECT_FALSE(parseTime(bad).has_value()) << bad;
  }
}

TEST(ClockTest, FixedClockIsInjected) {
  FixedClock clock(fromUnixSeconds(100));
  clock.advance(std::chrono::seconds(50));
  EXPECT_EQ(toUnixSeconds(clock.now()), 150);
}

}  // namespace
}  // namespace ht
