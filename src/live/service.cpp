#include "live/service.h"

#include <algorithm>

#include "core/log.h"

namespace ht::live {

Status Service::run(const std::function<bool()>& should_stop) {
  size_t started = 0;
  Status failure;
  for (; started < steps_.size(); ++started) {
    const Step& step = steps_[started];
    Status st = step.start ? step.start() : Status::ok();
    if (!st.isOk()) {
      failure = st.withContext("serve: starting " + step.name);
      log::error(failure.message());
      break;
    }
    log::info("serve: started " + step.name);
  }
  if (failure.isOk()) {
    log::info("serve: running (" + std::to_string(steps_.size()) + " steps)");
    while (!should_stop()) clock_.sleepFor(kStopCheck);
    log::info("serve: stopping");
  }
  for (size_t i = started; i-- > 0;) {
    if (steps_[i].stop) steps_[i].stop();
    log::info("serve: stopped " + steps_[i].name);
  }
  return failure;
}

PollLoop::PollLoop(std::string name, std::function<Status()> poll,
                   std::chrono::milliseconds interval, HealthTracker* health, const Clock& clock)
    : name_(std::move(name)),
      poll_(std::move(poll)),
      interval_(interval),
      health_(health),
      clock_(clock) {}

PollLoop::~PollLoop() {
  requestStop();
  join();
}

void PollLoop::start() {
  thread_ = std::thread([this] { loop(); });
}

void PollLoop::requestStop() {
  stop_ = true;
  stop_source_.request_stop();
}

void PollLoop::join() {
  if (thread_.joinable()) thread_.join();
}

void PollLoop::loop() {
  while (!stop_) {
    Status st = poll_();
    if (!st.isOk()) log::warn("source " + name_ + ": " + st.message());
    if (health_ != nullptr) {
      Status hs = health_->flush();
      if (!hs.isOk()) log::warn("source " + name_ + ": saving health: " + hs.message());
    }
    // After a failure, a pause even for a loop that normally goes straight on (a long poll that
    // fails at once must not spin).
    auto wait = st.isOk() ? interval_ : std::max(interval_, kErrorPause);
    if (!clock_.waitFor(wait, stop_source_.get_token())) break;
  }
}

}  // namespace ht::live
