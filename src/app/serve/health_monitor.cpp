#include <algorithm>

#include "app/serve/steps.h"

namespace ht::app::serve {

// Health is written for every source, and a source that goes quiet is announced as blind. It
// starts last, so that it watches every source started before it.
Status startHealthMonitor(ServeState& state) {
  int blind_after_minutes = state.config.sources.blind_after_minutes;
  std::vector<live::HealthTracker*> trackers;
  for (const auto& t : state.trackers) trackers.push_back(t.get());
  state.health_monitor = std::make_unique<live::HealthMonitor>(
      std::move(trackers), state.clock, std::chrono::minutes(blind_after_minutes));
  // Four looks per blind_after, between every 5 s and every minute.
  auto every = std::chrono::seconds(std::clamp(blind_after_minutes * 60 / 4, 5, 60));
  state.startLoop(
      state.health_loop, "health",
      [monitor = state.health_monitor.get()] { return monitor->checkOnce().saved; }, every,
      nullptr);
  return Status::ok();
}

void stopHealthMonitor(ServeState& state) { stopLoop(state.health_loop); }

}  // namespace ht::app::serve
