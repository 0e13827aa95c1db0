// Time comes from a Clock so that tests can fix "now" (key-age checks, custody timestamps).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace ht {

using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
  static const SystemClock& instance();
};

// A clock that says what the test tells it to.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(TimePoint t) : t_(t) {}
  TimePoint now() const override { return t_; }
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
