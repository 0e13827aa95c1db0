#include "core/clock.h"

#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <thread>

namespace ht {

TimePoint SystemClock::now() const {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

SteadyTime SystemClock::steadyNow() const { return std::chrono::steady_clock::now(); }

bool SystemClock::waitFor(std::chrono::nanoseconds d, std::stop_token stop) const {
  if (stop.stop_requested()) return false;
  if (d <= std::chrono::nanoseconds::zero()) return true;
  if (!stop.stop_possible()) {
    std::this_thread::sleep_for(d);
    return true;
  }
  // Nothing but the stop request notifies this condition variable (condition_variable_any
  // registers a stop callback that does), so the wait ends at the deadline or at the stop.
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait_for(lock, stop, d, [] { return false; });
  return !stop.stop_requested();
}

const SystemClock& SystemClock::instance() {
  static const SystemClock clock;
  return clock;
}

TimePoint fromUnixSeconds(int64_t s) { return TimePoint(std::chrono::seconds(s)); }
int64_t toUnixSeconds(TimePoint t) { return t.time_since_epoch().count(); }

std::string formatTime(TimePoint t) {
  std::time_t tt = static_cast<std::time_t>(toUnixSeconds(t));
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<TimePoint> parseTime(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char sep = 0;
  int consumed = 0;
  std::tm tm{};
  int offset_seconds = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &consumed) != 3 || consumed != 10) {
    return std::nullopt;
  }
  size_t pos = 10;
  if (pos < text.size()) {
    sep = text[pos];
    if (sep != 'T' && sep != ' ') return std::nullopt;
    int c2 = 0;
    if (std::sscanf(text.c_str() + pos + 1, "%2d:%2d:%2d%n", &h, &mi, &s, &c2) != 3 || c2 != 8) {
      return std::nullopt;
    }
    pos += 1 + 8;
    if (pos < text.size() && text[pos] == '.') {  // fractional seconds: ignored
      ++pos;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    }
    if (pos < text.size()) {
      if (text[pos] == 'Z' && pos + 1 == text.size()) {
        pos += 1;
      } else if ((text[pos] == '+' || text[pos] == '-') && text.size() == pos + 6 &&
                 text[pos + 3] == ':') {
        int oh = 0, om = 0;
        if (std::sscanf(text.c_str() + pos + 1, "%2d:%2d", &oh, &om) != 2) return std::nullopt;
        offset_seconds = (oh * 3600 + om * 60) * (text[pos] == '+' ? 1 : -1);
        pos = text.size();
      } else {
        return std::nullopt;
      }
    }
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  std::time_t t = timegm(&tm);
  return fromUnixSeconds(static_cast<int64_t>(t) - offset_seconds);
}

}  // namespace ht
