// The body each alert output sends, in the shape its service documents. Pure functions of a
// Story, so that tests can check them against the published schemas and limits.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "alert/story.h"

namespace ht::alert {

// Generic webhook: the whole story as JSON (incident_id, kind, headline, token, placements,
// custody, calls, callers, times, runbook, link, test).
nlohmann::json webhookPayload(const Story& story);
// "sha256=" + hex HMAC-SHA256 of body with secret (header X-Honeytrail-Signature), as GitHub
// and Stripe style receivers verify.
std::string webhookSignature(const std::string& secret, const std::string& body);

// Slack incoming webhook: {"text": fallback, "blocks": [...]} with Block Kit header, section
// (mrkdwn, each text at most 3000 characters), fields (at most 10 per section), context and
// divider blocks; at most 50 blocks.
nlohmann::json slackPayload(const Story& story);

// Microsoft Teams incoming webhook: {"type":"message","attachments":[{"contentType":
// "application/vnd.microsoft.card.adaptive","content": AdaptiveCard 1.4}]} with TextBlocks,
// FactSets and an Action.OpenUrl when there is a link.
nlohmann::json teamsPayload(const Story& story);

// PagerDuty Events API v2: routing_key, event_action trigger|resolve, dedup_key = incident ID
// (at most 255 characters), payload {summary (at most 1024 characters), source, severity
// (critical|error|warning|info), timestamp, component, group, class, custom_details}, links.
// A resolve carries only routing_key, event_action and dedup_key.
nlohmann::json pagerDutyEvent(const Story& story, const std::string& routing_key,
                              bool resolve = false);

// Jira Cloud REST API v2 create-issue body: {"fields": {project {key}, issuetype {name},
// summary (at most 255 characters, one line), description (wiki markup text), labels}}.
nlohmann::json jiraIssue(const Story& story, const std::string& project_key,
                         const std::string& issue_type,
                         const std::vector<std::string>& labels = {"honeytrail"});
// Jira comment body for an escalation: {"body": text}.
nlohmann::json jiraComment(const Story& story);

// Email (RFC 5322): headers (From, To, Subject, Date, Message-ID from the incident ID,
// MIME-Version, Content-Type text/plain; charset=utf-8, Content-Transfer-Encoding 8bit) and a
// plain-text body with CRLF line ends. Header values are single lines (no injection).
std::string emailMessage(const Story& story, const std::string& from,
                         const std::vector<std::string>& to, TimePoint now);

// One syslog line (RFC 5424 structured: "<PRI>1 TIMESTAMP HOST honeytrail - incident
// [honeytrail@32473 incident="..." key="..."] headline"), without newlines.
std::string syslogLine(const Story& story, const std::string& hostname, TimePoint now);

// Plain text for people (the email body, `incident show`): the whole story in sections.
std::string storyText(const Story& story);

}  // namespace ht::alert
