// Incidents, their timeline, and the outbox of notifications their changes cause. The outbox
// record lives here, with the incident, because an incident change and the notifications it
// causes are saved in one transaction, and every delivery attempt writes the incident's timeline.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"

namespace ht::incidents {

// A group of one token's triggers, from the first until the window after the last has passed.
struct Incident {
  std::string id;  // "inc-" + 10 characters; stable, receivers de-duplicate on it
  std::string token_id;
  std::string state;     // open | acknowledged | confirmed | false-positive | resolved
  std::string severity;  // critical | high | medium | low | info
  std::string title;
  TimePoint opened_at{};
  TimePoint first_seen{};
  TimePoint last_seen{};
  uint64_t trigger_count = 0;
  std::string seen;  // JSON: behaviours seen so far (source IPs, regions, write, data, exposed)
  TimePoint updated_at{};
};

// One entry of an incident's timeline: triggers, state changes, notes, notifications, actions.
struct IncidentEvent {
  int64_t id = 0;
  std::string incident_id;
  TimePoint at{};
  std::string kind;  // opened | trigger | escalation | state | note | notified | action
  std::string actor;
  std::string text;
  std::string details = "{}";  // JSON
};

// A notification waiting to be delivered (or delivered, or given up on: dead).
struct OutboxItem {
  int64_t id = 0;
  std::string incident_id;
  std::string output;  // the configured output's name, or "action:NAME"
  std::string kind;    // new | escalation | resolved | test
  std::string body;    // the rendered payload: retries send the same bytes
  // pending | sent | dead; actions also: approval (waiting for a person), dry-run (recorded,
  // never run), rejected.
  std::string state = "pending";
  std::string route;   // the route that caused it ("" for `alert test` without one)
  std::string result;  // what a response action printed or answered (at most 64 KiB)
  int attempts = 0;
  TimePoint created_at{};
  TimePoint next_attempt_at{};
  std::string last_error;
  std::optional<TimePoint> sent_at;
};

struct IncidentFilter {
  std::optional<std::string> state;
  std::optional<std::string> token_id;
  int limit = 1000;
};

}  // namespace ht::incidents
