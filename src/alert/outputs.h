// The configured alert outputs (alerts.outputs.NAME): building each one from its config, with its
// credentials read from the environment, and rendering the body each one sends. The body is
// rendered once, when the notification is written to the outbox, so that every retry sends the
// same bytes; credentials are added at delivery time and never stored in the outbox.
#pragma once

#include <memory>
#include <string>

#include "alert/dispatcher.h"
#include "alert/story.h"
#include "config/config.h"
#include "config/options.h"
#include "core/clock.h"

namespace ht::alert {

// What an output needs from the environment, resolved once when outputs are built.
struct OutputCredentials {
  std::string url;     // url_env's value when set, else options.url
  std::string secret;  // secret_env's value ("" when secret_env is unset)
};

// Reads url_env and secret_env. A variable that is named but unset (or empty) is an error that
// names the key and the variable, never its value.
Result<OutputCredentials> resolveCredentials(const config::OutputOptions& options,
                                             const config::EnvLookup& env);

// Builds one output. Errors name the output ("alerts.outputs.NAME: ...").
Result<std::unique_ptr<Output>> makeOutput(const config::OutputOptions& options,
                                           const config::EnvLookup& env);

// The body stored in the outbox for this output: webhook and file get webhookPayload, slack
// slackPayload, teams teamsPayload, pagerduty pagerDutyEvent with an empty routing_key (added at
// delivery) and event_action resolve for a "resolved" story, jira a JiraEnvelope (below), email
// emailMessage, syslog syslogLine.
std::string renderBody(const config::OutputOptions& options, const Story& story, TimePoint now,
                       const std::string& hostname);

// --- outputs with their own protocol (output_pagerduty.cpp, output_jira.cpp, output_email.cpp,
// output_local.cpp). Each makes one attempt per deliver() and never puts credentials into
// DeliveryResult::error.

// PagerDuty Events API v2: POST the stored event with routing_key set to credentials.secret to
// credentials.url ("" = https://events.pagerduty.com/v2/enqueue). 202 is success; 400 is
// permanent; 429 and 5xx are retried (Retry-After honoured).
std::unique_ptr<Output> makePagerDutyOutput(const config::OutputOptions& options,
                                            OutputCredentials credentials);

// Jira REST API v2, Basic auth (username, API token). The stored body is a JiraEnvelope:
//   {"incident_id": "...", "kind": "new|escalation|resolved|test",
//    "issue": <jiraIssue body, whose labels include "honeytrail" and the incident ID>,
//    "comment": <jiraComment body>}
// Delivery first searches for an issue labelled with the incident ID (GET /rest/api/2/search
// with jql=labels="INCIDENT_ID"), so that a retry after a lost response never files a second
// issue: found → POST /rest/api/2/issue/KEY/comment with "comment"; not found → POST
// /rest/api/2/issue with "issue" (for any kind: an escalation whose issue is missing creates it).
std::unique_ptr<Output> makeJiraOutput(const config::OutputOptions& options,
                                       OutputCredentials credentials);

// Email over SMTP with libcurl: smtp:// requires STARTTLS (CURLUSESSL_ALL), smtps:// is implicit
// TLS; login with username and credentials.secret when username is set; ca_file for an internal
// CA. The stored body is the whole RFC 5322 message; the envelope is email_from / email_to.
// SMTP 4xx and connection failures are retried; 5xx rejections are permanent.
std::unique_ptr<Output> makeEmailOutput(const config::OutputOptions& options,
                                        OutputCredentials credentials);

// Syslog: the stored RFC 5424 line, to udp://host:port (one datagram), tcp://host:port (RFC 6587
// octet counting) or unix:///dev/log (datagram socket).
std::unique_ptr<Output> makeSyslogOutput(const config::OutputOptions& options);

// JSON lines: the stored body (one line) appended to options.path with O_APPEND (created 0600),
// or written to standard output for "-". Each line is written with one write() call.
std::unique_ptr<Output> makeFileOutput(const config::OutputOptions& options);

}  // namespace ht::alert
