// The shape of `honeytrail serve`: an ordered list of named start-up steps, each with the stop
// that undoes it. Steps start in order; a failure stops the steps already started, in reverse;
// shutdown stops them all in reverse. Later parts (the alert dispatcher, the API) add steps.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "live/sources.h"

namespace ht::live {

class Service {
 public:
  explicit Service(const Clock& clock) : clock_(clock) {}
  struct Step {
    std::string name;
    std::function<Status()> start;
    std::function<void()> stop;  // may be empty
  };
  void add(Step step) { steps_.push_back(std::move(step)); }
  const std::vector<Step>& steps() const { return steps_; }

  // Starts every step, then waits until should_stop() says so (polled every kStopCheck on the
  // clock: a signal handler can set a flag but not wake a waiter), then stops every started step
  // in reverse order.
  static constexpr std::chrono::milliseconds kStopCheck{100};
  Status run(const std::function<bool()>& should_stop);

 private:
  const Clock& clock_;
  std::vector<Step> steps_;
};

// A thread that runs poll() again and again, `interval` apart on the clock, until asked to stop;
// each round ends by writing the source's health. Stopping wakes the wait at once; a poll in
// progress finishes first (the object in hand).
class PollLoop {
 public:
  static constexpr std::chrono::milliseconds kErrorPause{5000};
  PollLoop(std::string name, std::function<Status()> poll, std::chrono::milliseconds interval,
           HealthTracker* health, const Clock& clock);
  ~PollLoop();
  void start();
  void requestStop();
  void join();
  const std::atomic<bool>& stopFlag() const { return stop_; }

 private:
  void loop();
  std::string name_;
  std::function<Status()> poll_;
  std::chrono::milliseconds interval_;
  HealthTracker* health_;
  const Clock& clock_;
  std::atomic<bool> stop_{false};  // for sources that check between objects (stopFlag())
  std::stop_source stop_source_;   // ends the wait between rounds at once
  std::thread thread_;
};

}  // namespace ht::live
