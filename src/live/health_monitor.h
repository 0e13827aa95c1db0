// Watches the health of serve's sources: every round saves each source's counters and logs the
// sources whose assessment changed, so that a source going blind is said once, at error level,
// rather than every round or never.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/log.h"
#include "core/status.h"
#include "live/sources.h"

namespace ht::live {

// A source whose assessment differs from the previous round's, as serve logs it.
struct HealthTransition {
  std::string source;
  std::string previous;  // "" before the first round
  HealthAssessment now;
  log::Level level = log::Level::kInfo;
  std::string message;
};

// What a change from `previous` to `now` is worth saying: blind (error), failing (warning), or
// back to a good status after a bad one (info). nullopt when nothing changed, and for the first
// good assessment (a source that starts well is not news).
std::optional<HealthTransition> healthTransition(const std::string& source,
                                                 const std::string& previous,
                                                 const HealthAssessment& now);

struct HealthRound {
  std::vector<HealthTransition> transitions;  // in the order of the trackers
  Status saved;                               // the first failure to save a source's health
};

class HealthMonitor {
 public:
  // The trackers stay owned by the caller and must outlive the monitor.
  HealthMonitor(std::vector<HealthTracker*> trackers, const Clock& clock,
                std::chrono::minutes blind_after);
  // Saves every tracker and logs each transition. A failed save does not stop the assessment:
  // a source turning blind matters more than one missed write.
  HealthRound checkOnce();

 private:
  std::vector<HealthTracker*> trackers_;
  const Clock& clock_;
  std::chrono::minutes blind_after_;
  std::map<std::string, std::string> last_status_;  // source -> status of the previous round
};

}  // namespace ht::live
