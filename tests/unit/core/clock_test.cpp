#include "core/clock.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "support/manual_clock.h"

namespace ht {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

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

// Only the date is fixed: code handed a FixedClock still paces itself in real time.
TEST(ClockTest, FixedClockWaitsInRealTimeAndKeepsItsDate) {
  FixedClock clock(fromUnixSeconds(100));
  const SteadyTime t0 = clock.steadyNow();
  EXPECT_TRUE(clock.waitFor(milliseconds(20), std::stop_token()));
  EXPECT_GE(clock.steadyNow() - t0, milliseconds(20));
  EXPECT_EQ(toUnixSeconds(clock.now()), 100);
}

TEST(ClockTest, SystemClockWaitsTheWholeTimeWhenNotStopped) {
  const SystemClock& clock = SystemClock::instance();
  std::stop_source stop;
  const SteadyTime t0 = clock.steadyNow();
  EXPECT_TRUE(clock.waitFor(milliseconds(30), stop.get_token()));
  EXPECT_GE(clock.steadyNow() - t0, milliseconds(30));
  const SteadyTime t1 = clock.steadyNow();
  clock.sleepFor(milliseconds(10));
  EXPECT_GE(clock.steadyNow() - t1, milliseconds(10));
  EXPECT_TRUE(clock.waitFor(nanoseconds(0), stop.get_token()));
}

// What lets PollLoop and VisibilityKeeper stop at once: a stop from another thread ends a long
// wait long before its time.
TEST(ClockTest, SystemClockWaitEndsEarlyWhenStopIsRequested) {
  const SystemClock& clock = SystemClock::instance();
  std::stop_source stop;
  std::promise<void> waiting;
  auto waited = std::async(std::launch::async, [&] {
    waiting.set_value();
    const SteadyTime t0 = clock.steadyNow();
    bool whole = clock.waitFor(std::chrono::hours(1), stop.get_token());
    return std::make_pair(whole, clock.steadyNow() - t0);
  });
  waiting.get_future().wait();
  // Let the wait begin (a stop before it would end it at once too, proving less).
  std::this_thread::sleep_for(milliseconds(50));
  stop.request_stop();
  ASSERT_EQ(waited.wait_for(seconds(10)), std::future_status::ready) << "the stop was not seen";
  auto [whole, took] = waited.get();
  EXPECT_FALSE(whole);
  EXPECT_LT(took, seconds(10));
}

TEST(ClockTest, SystemClockWaitWithAStopAlreadyRequestedReturnsAtOnce) {
  const SystemClock& clock = SystemClock::instance();
  std::stop_source stop;
  stop.request_stop();
  const SteadyTime t0 = clock.steadyNow();
  EXPECT_FALSE(clock.waitFor(std::chrono::hours(1), stop.get_token()));
  EXPECT_LT(clock.steadyNow() - t0, seconds(1));
}

TEST(ManualClockTest, AWaitMovesTheClockOnAndTakesNoRealTime) {
  test::ManualClock clock(fromUnixSeconds(1000));
  const SteadyTime t0 = clock.steadyNow();
  const auto real0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(clock.waitFor(std::chrono::hours(2), std::stop_token()));
  clock.sleepFor(milliseconds(1500));
  EXPECT_LT(std::chrono::steady_clock::now() - real0, seconds(1));
  EXPECT_EQ(clock.steadyNow() - t0, std::chrono::hours(2) + milliseconds(1500));
  // The date moves by whole seconds: 7201.5 s later is 7201 s later.
  EXPECT_EQ(toUnixSeconds(clock.now()), 1000 + 7201);
  EXPECT_EQ(clock.waits(), (std::vector<nanoseconds>{std::chrono::hours(2), milliseconds(1500)}));
  clock.sleepFor(milliseconds(500));
  EXPECT_EQ(toUnixSeconds(clock.now()), 1000 + 7202);
}

TEST(ManualClockTest, AStoppedWaitLetsNoTimePass) {
  test::ManualClock clock(fromUnixSeconds(1000));
  std::stop_source stop;
  stop.request_stop();
  EXPECT_FALSE(clock.waitFor(seconds(30), stop.get_token()));
  EXPECT_EQ(clock.elapsed(), nanoseconds(0));
  EXPECT_EQ(toUnixSeconds(clock.now()), 1000);
  EXPECT_TRUE(clock.waits().empty());
}

TEST(ManualClockTest, AdvanceMovesDateAndSteadyTimeTogetherAndIsNoWait) {
  test::ManualClock clock(fromUnixSeconds(1000));
  const SteadyTime t0 = clock.steadyNow();
  clock.advance(milliseconds(2500));
  EXPECT_EQ(clock.steadyNow() - t0, milliseconds(2500));
  EXPECT_EQ(toUnixSeconds(clock.now()), 1002);
  EXPECT_EQ(clock.elapsed(), milliseconds(2500));
  EXPECT_TRUE(clock.waits().empty());
}

}  // namespace
}  // namespace ht
