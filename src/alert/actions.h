// Response actions (alerts.actions.NAME): what runs when a route announces an incident. An action
// is delivered through the outbox like a notification (output "action:NAME", body = the incident
// JSON), so it is durable and on the timeline; its mode decides how it enters the outbox:
// dry-run items are recorded and never run, approval items wait in state "approval" until
// `honeytrail alert approve`, auto items are pending at once. Actions are never retried: a
// response step with side effects must not run twice because an attempt looked like it failed.
#pragma once

#include <memory>
#include <string>

#include "alert/dispatcher.h"
#include "config/config.h"
#include "config/options.h"

namespace ht::alert {

// The outbox output name of an action: "action:" + name.
std::string actionOutputName(const std::string& action_name);

// Runs options.command (argv, no shell) with the item's body on standard input and
// HONEYTRAIL_INCIDENT_ID / HONEYTRAIL_ACTION / HONEYTRAIL_DELIVERY in its environment (added to
// honeytrail's own). Standard output and error are captured together, at most 64 KiB (the rest is
// counted and dropped). After timeout_seconds the whole process group gets SIGTERM, then SIGKILL
// two seconds later. ok = exit status 0; DeliveryResult::output holds the captured text and
// DeliveryResult::error says "exit status N", "killed by signal S", "timed out after Ns" or why
// it could not start. retryable is always false.
std::unique_ptr<Output> makeCommandAction(const config::ActionOptions& options);

// POSTs the incident JSON to options.url like the webhook output (HMAC signature from
// secret_env's value when set, the private-address guard unless allow_private); the response
// body (at most 64 KiB) is kept in DeliveryResult::output. retryable is always false.
Result<std::unique_ptr<Output>> makeWebhookAction(const config::ActionOptions& options,
                                                  const config::EnvLookup& env);

}  // namespace ht::alert
