#include "app/serve/watchdog.h"

#include <cstdlib>
#include <string>

#include "core/log.h"

namespace ht::app::serve {
namespace {

// How often the stop flag is looked at: a signal handler can set an atomic but cannot notify a
// condition variable.
constexpr std::chrono::milliseconds kStopPoll{200};

}  // namespace

ShutdownWatchdog::ShutdownWatchdog(const std::atomic<bool>& stop, std::chrono::milliseconds bound,
                                   std::function<void()> on_expired)
    : stop_(stop),
      bound_(bound),
      on_expired_(std::move(on_expired)),
      thread_([this] { watch(); }) {}

ShutdownWatchdog::~ShutdownWatchdog() { finished(); }

void ShutdownWatchdog::finished() {
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ShutdownWatchdog::watch() {
  std::unique_lock lock(mu_);
  while (!stop_.load()) {
    if (cv_.wait_for(lock, kStopPoll, [this] { return done_; })) return;
  }
  if (cv_.wait_for(lock, bound_, [this] { return done_; })) return;
  lock.unlock();
  on_expired_();
}

std::function<void()> exitAfterShutdownTimeout(int timeout_seconds) {
  return [timeout_seconds] {
    log::error("serve: sources did not stop within serve.shutdown_timeout_seconds (" +
               std::to_string(timeout_seconds) + " s); exiting anyway");
    std::_Exit(1);
  };
}

}  // namespace ht::app::serve
