#include "support/manual_clock.h"

#include <thread>

namespace ht::test {

ManualClock::ManualClock(TimePoint start) : start_(start) {}

TimePoint ManualClock::now() const {
  std::lock_guard lock(mu_);
  return start_ + std::chrono::duration_cast<std::chrono::seconds>(elapsed_);
}

SteadyTime ManualClock::steadyNow() const {
  std::lock_guard lock(mu_);
  return SteadyTime() + std::chrono::duration_cast<SteadyTime::duration>(elapsed_);
}

bool ManualClock::waitFor(std::chrono::nanoseconds d, std::stop_token stop) const {
  if (stop.stop_requested()) return false;
  {
    std::lock_guard lock(mu_);
    if (d > std::chrono::nanoseconds::zero()) elapsed_ += d;
    waits_.push_back(d);
  }
  // A loop whose every wait returns at once must still let the test's thread run.
  std::this_thread::yield();
  return true;
}

void ManualClock::advance(std::chrono::nanoseconds d) {
  std::lock_guard lock(mu_);
  elapsed_ += d;
}

std::chrono::nanoseconds ManualClock::elapsed() const {
  std::lock_guard lock(mu_);
  return elapsed_;
}

std::vector<std::chrono::nanoseconds> ManualClock::waits() const {
  std::lock_guard lock(mu_);
  return waits_;
}

}  // namespace ht::test
