#include "alert/test_alert.h"

#include <algorithm>
#include <memory>

#include "alert/outputs.h"
#include "alert/router.h"

namespace ht::alert {
namespace {

// The one place that builds, renders and sends through an output: what changes when the output
// API does.
Result<DeliveryResult> sendThrough(const config::OutputOptions& options, const Story& story,
                                   const std::string& route_name, const config::EnvLookup& env,
                                   TimePoint now, const std::string& hostname) {
  HT_ASSIGN_OR_RETURN(std::unique_ptr<Output> output, makeOutput(options, env));
  incidents::OutboxItem item;
  item.incident_id = story.incident_id;
  item.output = options.name;
  item.kind = incidents::AnnouncementKind::kTest;
  item.route = route_name;
  item.body = renderBody(options, story, now, hostname);
  return output->deliver(item);
}

}  // namespace

int TestAlertReport::failed() const {
  return static_cast<int>(std::count_if(deliveries.begin(), deliveries.end(), [](const auto& d) {
    return d.outcome == TestOutcome::kFailed;
  }));
}

Result<TestAlertReport> sendTestAlert(const config::AlertsOptions& alerts,
                                      const std::string& route_name, const config::EnvLookup& env,
                                      const Clock& clock, const std::string& hostname) {
  auto route = std::find_if(alerts.routes.begin(), alerts.routes.end(),
                            [&](const config::RouteOptions& r) { return r.name == route_name; });
  if (route == alerts.routes.end()) {
    std::string known;
    for (const auto& r : alerts.routes) known += (known.empty() ? "" : ", ") + r.name;
    return Status::notFound("no route named " + route_name +
                            " (routes: " + (known.empty() ? "none" : known) + ")");
  }
  const TimePoint now = clock.now();
  const Story story = testStory(route_name, alerts.ui_base_url, now);
  TestAlertReport report;
  report.actions_not_run = route->actions.size();
  for (const std::string& name : route->outputs) {
    auto o = std::find_if(alerts.outputs.begin(), alerts.outputs.end(),
                          [&](const config::OutputOptions& x) { return x.name == name; });
    if (o == alerts.outputs.end()) continue;
    if (!o->enabled) {
      report.deliveries.push_back({name, TestOutcome::kSkipped, "enabled: false"});
      continue;
    }
    Result<DeliveryResult> sent = sendThrough(*o, story, route_name, env, now, hostname);
    if (!sent.hasValue()) {
      report.stopped = sent.status();
      break;
    }
    if (sent->ok) {
      report.deliveries.push_back({name, TestOutcome::kSent, sent->output});
    } else {
      report.deliveries.push_back({name, TestOutcome::kFailed, sent->error});
    }
  }
  return report;
}

}  // namespace ht::alert
