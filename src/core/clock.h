// Time comes from a Clock, which both tells the time and waits (as LevelDB's Env owns NowMicros
// and SleepForMicroseconds): tests fix "now" (key-age checks, custody timestamps) and replace
// waits (poll intervals, retry backoff) with a clock that moves on instead of sleeping.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>

namespace ht {

using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>;
// For intervals and deadlines: monotonic, so a wall-clock step never stretches or skips a wait.
using SteadyTime = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time to the second: what records, messages and signatures carry.
  virtual TimePoint now() const = 0;
  virtual SteadyTime steadyNow() const = 0;
  // Waits for `d`, or less if `stop` is requested meanwhile: a loop's stop wakes it at once
  // instead of after its interval. Returns false when stop was requested (before or during the
  // wait), true when the whole wait passed. Safe to call from several threads.
  virtual bool waitFor(std::chrono::nanoseconds d, std::stop_token stop) const = 0;
  // A wait nothing interrupts (retry backoff, a short pause between checks).
  void sleepFor(std::chrono::nanoseconds d) const { (void)waitFor(d, std::stop_token()); }
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
  SteadyTime steadyNow() const override;
  bool waitFor(std::chrono::nanoseconds d, std::stop_token stop) const override;
  static const SystemClock& instance();
};

// A clock whose date says what the test tells it to. Only the date is fixed: steadyNow() and
// waits are the system's, as they were before the clock could wait, so code handed a FixedClock
// still paces itself in real time. Tests that must not sleep use test::ManualClock.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(TimePoint t) : t_(t) {}
  TimePoint now() const override { return t_; }
  SteadyTime steadyNow() const override { return SystemClock::instance().steadyNow(); }
  bool waitFor(std::chrono::nanoseconds d, std::stop_token stop) const override {
    return SystemClock::instance().waitFor(d, std::move(stop));
  }
  void set(TimePoint t) { t_ = t; }
  void advance(std::chrono::seconds d) { t_ += d; }

 private:
  TimePoint t_;
};

// RFC 3339 in UTC with a Z suffix: 2026-11-28T15:34:52Z (the form CloudTrail uses).
std::string formatTime(TimePoint t);
// Accepts 2026-11-28T15:34:52Z, 2026-11-28T15:34:52+02:00, 2026-11-28 15:34:52 and 2026-11-28.
std::optional<TimePoint> parseTime(const std::string& text);
TimePoint fromUnixSeconds(int64_t s);
int64_t toUnixSeconds(TimePoint t);

}  // namespace ht
