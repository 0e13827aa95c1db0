// `alert test`: a clearly marked test message (alert::testStory) sent now through every enabled
// output of one route, and recorded nowhere (no incident, no outbox item), so that a team can
// check a route's outputs and credentials end to end. Response actions are never run by a test.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "config/options.h"
#include "core/clock.h"
#include "core/status.h"

namespace ht::alert {

enum class TestOutcome { kSent, kSkipped, kFailed };

// What happened at one output of the route.
struct TestDelivery {
  std::string output;  // alerts.outputs.NAME
  TestOutcome outcome = TestOutcome::kSent;
  // kSent: what the receiver answered ("" when nothing); kSkipped: why; kFailed: the error.
  std::string detail;
};

struct TestAlertReport {
  // One per output the route names, in the route's order; names with no configured output are
  // left out (config validation reports them).
  std::vector<TestDelivery> deliveries;
  // Not OK when an output could not be built (a credential missing from the environment): the
  // test stopped there and the outputs after it were not tried.
  Status stopped;
  size_t actions_not_run = 0;  // the route's actions
  int failed() const;
};

// Sends the test through route_name's outputs. NotFound "no route named NAME (routes: A, B)" for
// a route that is not configured. Delivery failures are in the report, not errors.
Result<TestAlertReport> sendTestAlert(const config::AlertsOptions& alerts,
                                      const std::string& route_name, const config::EnvLookup& env,
                                      const Clock& clock, const std::string& hostname);

}  // namespace ht::alert
