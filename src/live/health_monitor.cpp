#include "live/health_monitor.h"

namespace ht::live {

std::optional<HealthTransition> healthTransition(const std::string& source,
                                                 const std::string& previous,
                                                 const HealthAssessment& now) {
  if (now.status == previous) return std::nullopt;
  HealthTransition t{source, previous, now, log::Level::kInfo, ""};
  if (now.status == "blind") {
    t.level = log::Level::kError;
    t.message = "detection is blind: source " + source + ": " + now.reason;
  } else if (now.status == "failing") {
    t.level = log::Level::kWarn;
    t.message = "source " + source + " is failing: " + now.reason;
  } else if (!previous.empty()) {
    t.message = "source " + source + " is " + now.status + " again";
  } else {
    return std::nullopt;
  }
  return t;
}

HealthMonitor::HealthMonitor(std::vector<HealthTracker*> trackers, const Clock& clock,
                             std::chrono::minutes blind_after)
    : trackers_(std::move(trackers)), clock_(clock), blind_after_(blind_after) {}

HealthRound HealthMonitor::checkOnce() {
  HealthRound round;
  for (HealthTracker* tracker : trackers_) {
    Status saved = tracker->flush();
    if (!saved.isOk() && round.saved.isOk()) round.saved = saved;
    HealthAssessment a = assessHealth(tracker->snapshot(), clock_.now(), blind_after_);
    std::string& previous = last_status_[tracker->source()];
    if (auto t = healthTransition(tracker->source(), previous, a)) {
      log::write(t->level, t->message);
      round.transitions.push_back(std::move(*t));
    }
    previous = a.status;
  }
  return round;
}

}  // namespace ht::live
