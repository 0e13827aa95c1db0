// The PagerDuty output (type pagerduty), Events API v2: a trigger per announcement and a resolve
// when the incident is resolved, de-duplicated by incident ID.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "alert/outputs/output.h"
#include "config/options.h"

namespace ht::alert {

// PagerDuty Events API v2: routing_key, event_action trigger|resolve, dedup_key = incident ID
// (at most 255 characters), payload {summary (at most 1024 characters), source, severity
// (critical|error|warning|info), timestamp, component, group, class, custom_details}, links.
// A resolve carries only routing_key, event_action and dedup_key.
nlohmann::json pagerDutyEvent(const Story& story, const std::string& routing_key,
                              bool resolve = false);

// Renders pagerDutyEvent with an empty routing_key (added at delivery) and event_action resolve
// for a "resolved" story. Delivery POSTs the stored event with routing_key set to
// credentials.secret to credentials.url ("" = https://events.pagerduty.com/v2/enqueue). 202 is
// success; 400 is permanent; 429 and 5xx are retried (Retry-After honoured).
std::unique_ptr<AlertOutput> makePagerDutyOutput(const config::OutputOptions& options,
                                                 OutputCredentials credentials);

}  // namespace ht::alert
