// What an alert says: everything a responder needs about one incident, gathered once and then
// rendered by each output in the shape its service documents (alert/outputs/). Plain data, so
// that payload builders are pure functions and can be tested against the services' schemas.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "detect/trigger_class.h"
#include "incidents/model.h"

namespace ht::alert {

struct StoryCall {           // one distinct API call the attacker made (aggregated over repeats)
  std::string event_source;  // "s3.amazonaws.com"
  std::string event_name;    // "ListBuckets"
  std::string aws_region;
  std::string error_code;  // "" when it succeeded (AccessDenied is the norm for a honey key)
  uint64_t count = 0;
  TimePoint first_seen{};
  TimePoint last_seen{};
};

struct StoryCaller {  // one distinct source of calls
  std::string source_ip;
  std::string user_agent;
  std::string client;  // aws-cli, boto3, trufflehog, ...
  std::string country;
  std::optional<uint32_t> asn;
  std::string as_org;
  std::optional<bool> tor;
  uint64_t count = 0;
};

struct StoryHop {  // one hop of the chain of custody
  TimePoint at{};
  std::string holder;
  std::string method;
  std::string notes;
};

struct StoryPlacement {
  std::string host;
  std::string location;  // path or resource
  std::string kind;
  std::string owner;
};

struct Story {
  std::string incident_id;  // stable: receivers de-duplicate on it
  incidents::AnnouncementKind kind = incidents::AnnouncementKind::kNew;
  std::string headline;     // one line: "Honey key AKIA... used from 203.0.113.9 (aws-cli)"
  std::string escalation;   // what is new, for kind "escalation" ("first write call: s3:PutObject")
  Severity severity = Severity::kInfo;
  incidents::IncidentState state = incidents::IncidentState::kOpen;
  // The trigger being announced, else the incident's worst; unset when it holds none.
  std::optional<detect::TriggerClass> trigger_class;
  // The token.
  std::string token_id;
  std::string key_id;
  std::string token_label;
  std::string account_id;
  std::string user_arn;
  std::vector<std::pair<std::string, std::string>> token_tags;
  // Where it lives and every place it passed through: all of them may be compromised.
  std::vector<StoryPlacement> placements;
  std::vector<StoryHop> custody;
  // What the attacker did.
  std::vector<StoryCall> calls;
  std::vector<StoryCaller> callers;
  std::vector<std::string> intents;  // identity-check, enumeration, data-access, write, privilege
  TimePoint first_seen{};
  TimePoint last_seen{};
  uint64_t trigger_count = 0;
  std::string runbook_markdown;  // the runbook for this token class, from config
  std::string link;              // the incident in the web UI ("" when no base URL is set)
  bool test = false;             // `alert test`: clearly marked, never paged as real
};

}  // namespace ht::alert
