// Incidents, their timeline, and the outbox of notifications their changes cause. The outbox
// record lives here, with the incident, because an incident change and the notifications it
// causes are saved in one transaction, and every delivery attempt writes the incident's timeline.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/severity.h"

namespace ht::incidents {

// Where an incident is in its handling. Declared in workflow order: open → acknowledged →
// confirmed → resolved, with false-positive as the other way to close (see canMoveTo).
enum class IncidentState { kOpen, kAcknowledged, kConfirmed, kFalsePositive, kResolved };
// "open", "acknowledged", "confirmed", "false-positive", "resolved".
const char* incidentStateName(IncidentState s);
std::optional<IncidentState> parseIncidentState(std::string_view text);

// What a timeline entry records.
enum class TimelineKind {
  kOpened,      // the incident was opened
  kTrigger,     // a trigger joined it
  kEscalation,  // something new was seen (first write call, new source IP, ...)
  kState,       // a person changed its state
  kNote,        // a person's note
  kNotified,    // a notification was delivered, failed or given up on
  kAction,      // a response action was recorded, waited for approval, ran or was decided on
  kSuppressed,  // a quiet rule or a throttle kept an announcement back
  kCustody,     // a hop of the token's chain of custody (shown, never stored on the incident)
};
// "opened", "trigger", "escalation", "state", "note", "notified", "action", "suppressed",
// "custody".
const char* timelineKindName(TimelineKind k);
std::optional<TimelineKind> parseTimelineKind(std::string_view text);

// Why an outbox item exists: the incident change announced, or `alert test`.
enum class AnnouncementKind { kNew, kEscalation, kResolved, kTest };
// "new", "escalation", "resolved", "test".
const char* announcementKindName(AnnouncementKind k);
std::optional<AnnouncementKind> parseAnnouncementKind(std::string_view text);

// Where an outbox item is in delivery. Notifications are pending until sent or dead (given up
// on); response actions may also wait for a person (approval), be only recorded (dry-run) or be
// turned down (rejected).
enum class OutboxState { kPending, kSent, kDead, kApproval, kDryRun, kRejected };
// "pending", "sent", "dead", "approval", "dry-run", "rejected".
const char* outboxStateName(OutboxState s);
std::optional<OutboxState> parseOutboxState(std::string_view text);

// A group of one token's triggers, from the first until the window after the last has passed.
struct Incident {
  std::string id;  // "inc-" + 10 characters; stable, receivers de-duplicate on it
  std::string token_id;
  IncidentState state = IncidentState::kOpen;
  Severity severity = Severity::kInfo;
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
  TimelineKind kind = TimelineKind::kNote;
  std::string actor;
  std::string text;
  std::string details = "{}";  // JSON
};

// A notification waiting to be delivered (or delivered, or given up on: dead).
struct OutboxItem {
  int64_t id = 0;
  std::string incident_id;
  std::string output;  // the configured output's name, or "action:NAME"
  AnnouncementKind kind = AnnouncementKind::kNew;
  std::string body;    // the rendered payload: retries send the same bytes
  OutboxState state = OutboxState::kPending;
  std::string route;   // the route that caused it ("" for `alert test` without one)
  std::string result;  // what a response action printed or answered (at most 64 KiB)
  int attempts = 0;
  TimePoint created_at{};
  TimePoint next_attempt_at{};
  std::string last_error;
  std::optional<TimePoint> sent_at;
};

struct IncidentFilter {
  std::optional<IncidentState> state;
  std::optional<std::string> token_id;
  int limit = 1000;
};

}  // namespace ht::incidents
