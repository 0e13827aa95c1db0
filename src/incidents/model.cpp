#include "incidents/model.h"

namespace ht::incidents {
namespace {

// The inverse of a name function over every value of its enum: one table per set, so that a name
// and its parse can never disagree.
template <typename E, size_t N>
std::optional<E> parseByName(std::string_view text, const E (&all)[N], const char* (*name)(E)) {
  for (E v : all) {
    if (text == name(v)) return v;
  }
  return std::nullopt;
}

}  // namespace

const char* incidentStateName(IncidentState s) {
  switch (s) {
    case IncidentState::kOpen:
      return "open";
    case IncidentState::kAcknowledged:
      return "acknowledged";
    case IncidentState::kConfirmed:
      return "confirmed";
    case IncidentState::kFalsePositive:
      return "false-positive";
    case IncidentState::kResolved:
      return "resolved";
  }
  return "open";
}

std::optional<IncidentState> parseIncidentState(std::string_view text) {
  static constexpr IncidentState kAll[] = {IncidentState::kOpen, IncidentState::kAcknowledged,
                                           IncidentState::kConfirmed, IncidentState::kFalsePositive,
                                           IncidentState::kResolved};
  return parseByName(text, kAll, incidentStateName);
}

const char* timelineKindName(TimelineKind k) {
  switch (k) {
    case TimelineKind::kOpened:
      return "opened";
    case TimelineKind::kTrigger:
      return "trigger";
    case TimelineKind::kEscalation:
      return "escalation";
    case TimelineKind::kState:
      return "state";
    case TimelineKind::kNote:
      return "note";
    case TimelineKind::kNotified:
      return "notified";
    case TimelineKind::kAction:
      return "action";
    case TimelineKind::kSuppressed:
      return "suppressed";
    case TimelineKind::kCustody:
      return "custody";
  }
  return "note";
}

std::optional<TimelineKind> parseTimelineKind(std::string_view text) {
  static constexpr TimelineKind kAll[] = {
      TimelineKind::kOpened, TimelineKind::kTrigger,    TimelineKind::kEscalation,
      TimelineKind::kState,  TimelineKind::kNote,       TimelineKind::kNotified,
      TimelineKind::kAction, TimelineKind::kSuppressed, TimelineKind::kCustody};
  return parseByName(text, kAll, timelineKindName);
}

const char* announcementKindName(AnnouncementKind k) {
  switch (k) {
    case AnnouncementKind::kNew:
      return "new";
    case AnnouncementKind::kEscalation:
      return "escalation";
    case AnnouncementKind::kResolved:
      return "resolved";
    case AnnouncementKind::kTest:
      return "test";
  }
  return "new";
}

std::optional<AnnouncementKind> parseAnnouncementKind(std::string_view text) {
  static constexpr AnnouncementKind kAll[] = {AnnouncementKind::kNew, AnnouncementKind::kEscalation,
                                              AnnouncementKind::kResolved, AnnouncementKind::kTest};
  return parseByName(text, kAll, announcementKindName);
}

const char* outboxStateName(OutboxState s) {
  switch (s) {
    case OutboxState::kPending:
      return "pending";
    case OutboxState::kSent:
      return "sent";
    case OutboxState::kDead:
      return "dead";
    case OutboxState::kApproval:
      return "approval";
    case OutboxState::kDryRun:
      return "dry-run";
    case OutboxState::kRejected:
      return "rejected";
  }
  return "pending";
}

std::optional<OutboxState> parseOutboxState(std::string_view text) {
  static constexpr OutboxState kAll[] = {OutboxState::kPending, OutboxState::kSent,
                                         OutboxState::kDead,    OutboxState::kApproval,
                                         OutboxState::kDryRun,  OutboxState::kRejected};
  return parseByName(text, kAll, outboxStateName);
}

}  // namespace ht::incidents
