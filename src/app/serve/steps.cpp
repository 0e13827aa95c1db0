#include "app/serve/steps.h"

#include "live/source_report.h"

namespace ht::app::serve {

std::vector<ServeStep> serveSteps(const config::Config& config) {
  const config::SourcesOptions& sources = config.sources;
  std::vector<ServeStep> steps;
  steps.push_back({"database", startDatabase, nullptr});
  steps.push_back({"enrichment", startEnrichment, nullptr});
  // Outputs are built (credentials read) before detection starts, so a missing credential stops
  // serve at start instead of leaving alerts that can never go out.
  if (!config.alerts.outputs.empty() || !config.alerts.actions.empty()) {
    steps.push_back({"alert delivery", startAlertDelivery, stopAlertDelivery});
  }
  steps.push_back({"detection pipeline", startPipeline, nullptr});
  if (sources.s3.enabled) {
    steps.push_back(
        {"source " + live::s3SourceName(sources.s3.bucket), startS3Source, stopS3Source});
  }
  if (sources.sqs.enabled) {
    steps.push_back(
        {"source " + live::sqsSourceName(sources.sqs.queue_url), startSqsSource, stopSqsSource});
  }
  if (sources.last_used) {
    steps.push_back({"source last-used", startLastUsedSource, stopLastUsedSource});
  }
  if (sources.push.enabled) {
    steps.push_back({"push endpoint", startPushEndpoint, stopPushEndpoint});
  }
  steps.push_back({"health monitor", startHealthMonitor, stopHealthMonitor});
  return steps;
}

}  // namespace ht::app::serve
