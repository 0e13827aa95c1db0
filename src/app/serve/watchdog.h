// The shutdown bound of `honeytrail serve`: once a stop is asked for, the process is gone within
// serve.shutdown_timeout_seconds even if a source hangs in a network call. Positions already
// saved stay valid; the object in hand is read again by the next start.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace ht::app::serve {

class ShutdownWatchdog {
 public:
  // Watches *stop (set by a signal handler); once it is true, runs on_expired unless finished()
  // is called within `bound`.
  ShutdownWatchdog(const std::atomic<bool>& stop, std::chrono::milliseconds bound,
                   std::function<void()> on_expired);
  ~ShutdownWatchdog();
  ShutdownWatchdog(const ShutdownWatchdog&) = delete;
  ShutdownWatchdog& operator=(const ShutdownWatchdog&) = delete;

  // Shutdown is complete (or serve ends without a stop): the watchdog ends without acting.
  void finished();

 private:
  void watch();

  const std::atomic<bool>& stop_;
  const std::chrono::milliseconds bound_;
  std::function<void()> on_expired_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;  // last: it starts in the constructor and uses the members above
};

// What serve does when the bound passes: logs why and exits with status 1 at once (no
// destructors: one of them may be what hangs).
std::function<void()> exitAfterShutdownTimeout(int timeout_seconds);

}  // namespace ht::app::serve
