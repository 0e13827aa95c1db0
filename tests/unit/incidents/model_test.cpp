// The incident module's closed sets: their text is what the database, JSON and the CLI hold, so
// every value must survive name -> parse, and other text must not parse.
#include "incidents/model.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace ht::incidents {
namespace {

template <typename E>
void expectRoundTrip(const std::vector<std::pair<E, std::string>>& all, const char* (*name)(E),
                     std::optional<E> (*parse)(std::string_view)) {
  for (const auto& [value, text] : all) {
    EXPECT_EQ(name(value), text);
    EXPECT_EQ(parse(text), value) << text;
    EXPECT_EQ(parse(text + " "), std::nullopt) << "exact text only: " << text;
  }
  for (const char* unknown : {"", "unknown", "OPEN", "Pending", "dry_run", "false positive"}) {
    EXPECT_EQ(parse(unknown), std::nullopt) << unknown;
  }
}

TEST(IncidentModelTest, IncidentStateNamesRoundTrip) {
  expectRoundTrip<IncidentState>({{IncidentState::kOpen, "open"},
                                  {IncidentState::kAcknowledged, "acknowledged"},
                                  {IncidentState::kConfirmed, "confirmed"},
                                  {IncidentState::kFalsePositive, "false-positive"},
                                  {IncidentState::kResolved, "resolved"}},
                                 incidentStateName, parseIncidentState);
}

TEST(IncidentModelTest, TimelineKindNamesRoundTrip) {
  expectRoundTrip<TimelineKind>({{TimelineKind::kOpened, "opened"},
                                 {TimelineKind::kTrigger, "trigger"},
                                 {TimelineKind::kEscalation, "escalation"},
                                 {TimelineKind::kState, "state"},
                                 {TimelineKind::kNote, "note"},
                                 {TimelineKind::kNotified, "notified"},
                                 {TimelineKind::kAction, "action"},
                                 {TimelineKind::kSuppressed, "suppressed"},
                                 {TimelineKind::kCustody, "custody"}},
                                timelineKindName, parseTimelineKind);
}

TEST(IncidentModelTest, AnnouncementKindNamesRoundTrip) {
  expectRoundTrip<AnnouncementKind>({{AnnouncementKind::kNew, "new"},
                                     {AnnouncementKind::kEscalation, "escalation"},
                                     {AnnouncementKind::kResolved, "resolved"},
                                     {AnnouncementKind::kTest, "test"}},
                                    announcementKindName, parseAnnouncementKind);
}

TEST(IncidentModelTest, OutboxStateNamesRoundTrip) {
  expectRoundTrip<OutboxState>({{OutboxState::kPending, "pending"},
                                {OutboxState::kSent, "sent"},
                                {OutboxState::kDead, "dead"},
                                {OutboxState::kApproval, "approval"},
                                {OutboxState::kDryRun, "dry-run"},
                                {OutboxState::kRejected, "rejected"}},
                               outboxStateName, parseOutboxState);
}

}  // namespace
}  // namespace ht::incidents
