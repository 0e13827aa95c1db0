// The registry of alert output types: the one table (outputs.cpp) that knows every type, its name
// in config (alerts.outputs.NAME.type) and how to build it. Each type is one file pair under
// alert/outputs/ implementing AlertOutput (alert/outputs/output.h), which both renders the body
// stored in the outbox and delivers it. The config string becomes an OutputType here, at the edge.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "alert/outputs/output.h"
#include "alert/story.h"
#include "config/config.h"
#include "config/options.h"
#include "core/clock.h"

namespace ht::alert {

enum class OutputType { kWebhook, kSlack, kTeams, kPagerDuty, kJira, kEmail, kSyslog, kFile };

// The type's name in config ("pagerduty").
std::string_view outputTypeName(OutputType type);
// nullopt for a name no output has.
std::optional<OutputType> parseOutputType(std::string_view name);

// Reads url_env and secret_env. A variable that is named but unset (or empty) is an error that
// names the key and the variable, never its value.
Result<OutputCredentials> resolveCredentials(const config::OutputOptions& options,
                                             const config::EnvLookup& env);

// Builds one output with its credentials. Errors name the output ("alerts.outputs.NAME: ..."):
// an unknown type, an unset variable, a webhook, slack or teams output without a URL.
Result<std::unique_ptr<AlertOutput>> makeOutput(const config::OutputOptions& options,
                                                const config::EnvLookup& env);

// The body stored in the outbox for this output: what AlertOutput::render of its type gives
// (webhook and file webhookPayload, slack slackPayload, teams teamsPayload, pagerduty
// pagerDutyEvent with an empty routing_key, jira a JiraEnvelope, email emailMessage, syslog
// syslogLine). Needs no credentials, so routing never depends on the environment.
std::string renderBody(const config::OutputOptions& options, const Story& story, TimePoint now,
                       const std::string& hostname);

}  // namespace ht::alert
