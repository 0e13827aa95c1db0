// The start-up steps of `honeytrail serve`, in the Falco manner: an ordered list of named steps,
// one function per step and one file per step (or per pair of start and stop), all over one
// ServeState. live::Service runs them: in order at start, and on failure or shutdown it stops
// every step that started, in reverse.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "app/serve/state.h"
#include "config/config.h"
#include "config/options.h"
#include "core/status.h"

namespace ht::app::serve {

struct ServeStep {
  std::string name;  // logged as "serve: started NAME" / "serve: stopped NAME"
  Status (*start)(ServeState&);
  void (*stop)(ServeState&);  // nullptr: nothing to undo
};

// The steps this config needs, in start order: what detection relies on first (database,
// enrichment, alert delivery, the pipeline), then the enabled sources, then the health monitor
// that watches them.
std::vector<ServeStep> serveSteps(const config::Config& config);

// Before any step: what the loaded config cannot say on its own (loading it already ran every
// check `config validate` runs). serve needs at least one source, although a CLI-only config
// needs none, and the variables the push endpoint names must be set on this host; they are
// read into state.push_credentials.
Status preflight(ServeState& state, const config::EnvLookup& env);

// database.cpp
Status startDatabase(ServeState& state);
// enrichment.cpp
Status startEnrichment(ServeState& state);
// alert_delivery.cpp
Status startAlertDelivery(ServeState& state);
void stopAlertDelivery(ServeState& state);
// pipeline.cpp
Status startPipeline(ServeState& state);
// source_s3.cpp
Status startS3Source(ServeState& state);
void stopS3Source(ServeState& state);
// source_sqs.cpp
Status startSqsSource(ServeState& state);
void stopSqsSource(ServeState& state);
// source_last_used.cpp
Status startLastUsedSource(ServeState& state);
void stopLastUsedSource(ServeState& state);
// push_endpoint.cpp
Status startPushEndpoint(ServeState& state);
void stopPushEndpoint(ServeState& state);
// health_monitor.cpp
Status startHealthMonitor(ServeState& state);
void stopHealthMonitor(ServeState& state);

}  // namespace ht::app::serve
