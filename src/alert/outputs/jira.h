// The Jira output (type jira), REST API v2: one issue per incident, found again by a label holding
// the incident ID, so that escalations become comments and a retry never files a second issue.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "alert/outputs/output.h"
#include "config/options.h"

namespace ht::alert {

// Jira Cloud REST API v2 create-issue body: {"fields": {project {key}, issuetype {name},
// summary (at most 255 characters, one line), description (wiki markup text), labels}}.
nlohmann::json jiraIssue(const Story& story, const std::string& project_key,
                         const std::string& issue_type,
                         const std::vector<std::string>& labels = {"honeytrail"});
// Jira comment body for an escalation: {"body": text}.
nlohmann::json jiraComment(const Story& story);

// Basic auth (username, API token in credentials.secret) against the site at credentials.url.
// The stored body is a JiraEnvelope:
//   {"incident_id": "...", "kind": "new|escalation|resolved|test",
//    "issue": <jiraIssue body, whose labels include "honeytrail" and the incident ID>,
//    "comment": <jiraComment body>}
// Delivery first searches for an issue labelled with the incident ID (GET /rest/api/2/search
// with jql=labels="INCIDENT_ID"), so that a retry after a lost response never files a second
// issue: found → POST /rest/api/2/issue/KEY/comment with "comment"; not found → POST
// /rest/api/2/issue with "issue" (for any kind: an escalation whose issue is missing creates it).
std::unique_ptr<AlertOutput> makeJiraOutput(const config::OutputOptions& options,
                                            OutputCredentials credentials);

}  // namespace ht::alert
