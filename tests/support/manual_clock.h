// ManualClock: a Clock for tests whose waits take no real time. A wait moves the clock on by its
// length and returns at once, as though the time had passed; tests move it on by hand with
// advance(). Both now() and steadyNow() move together.
//
// Why waits advance the clock rather than block until the test advances it: the code that waits
// often runs on the test's own thread (Delivery::drain, AwsClient's retry backoff), where a
// blocking wait would need a second thread just to let time pass; and a loop on a thread of its
// own (PollLoop, VisibilityKeeper) stays deterministic when it is the only thread that waits on
// this clock, because then its own waits are the only thing that moves time. Its rounds simply
// run back to back; a test stops it from inside a round, or once it has seen enough rounds.
#pragma once

#include <chrono>
#include <mutex>
#include <stop_token>
#include <vector>

#include "core/clock.h"

namespace ht::test {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = fromUnixSeconds(1767225600));  // 2026-01-01T00:00:00Z

  // start plus the whole seconds that have passed.
  TimePoint now() const override;
  // An arbitrary origin plus the time that has passed (to the nanosecond).
  SteadyTime steadyNow() const override;
  // A stop already requested ends the wait at once with no time passing (false); otherwise the
  // clock moves on by d and the wait returns true.
  bool waitFor(std::chrono::nanoseconds d, std::stop_token stop) const override;

  void advance(std::chrono::nanoseconds d);
  // The time that has passed since the start, by waits and advance() together.
  std::chrono::nanoseconds elapsed() const;
  // The length of every wait that was not cut short by a stop, in order (advance() is not one).
  std::vector<std::chrono::nanoseconds> waits() const;

 private:
  const TimePoint start_;
  mutable std::mutex mu_;
  mutable std::chrono::nanoseconds elapsed_{0};
  mutable std::vector<std::chrono::nanoseconds> waits_;
};

}  // namespace ht::test
