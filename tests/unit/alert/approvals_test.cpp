// Approval of response actions over a real SQLite file: only an action waiting in state
// "approval" can be decided; approving makes it due now, rejecting closes it, and either way the
// decision is on the incident's timeline with who made it.
#include "alert/approvals.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "incidents/incidents.h"
#include "config/options.h"
#include "store/sqlite/sqlite_store.h"
#include "support/test_support.h"
#include "tokens/registry.h"
#include "tokens/secret_vault.h"

namespace ht::alert {
namespace {

TimePoint at(const char* text) { return *parseTime(text); }

class ApprovalsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::openSqliteStore(dir_.file("ht.db"), config::SqliteOptions{});
    ASSERT_TRUE(opened.hasValue()) << opened.status().toString();
    store_ = std::move(opened).value();
    tokens::SecretVault vault({}, dir_.path(), [](const std::string&) { return std::nullopt; });
    tokens::Registry registry(*store_, vault, config_, clock_, random_, "test@host");
    tokens::ImportOptions imp;
    imp.key_id = "AKIASP2TPHJSQH3FJRUX";
    auto t = registry.importKey(imp);
    ASSERT_TRUE(t.hasValue()) << t.status().toString();

    // A new incident announces one notification and one action that waits for approval, as the
    // router does for a route with an approval-mode action.
    incidents::IncidentManager manager(
        *store_, *store_, clock_, random_, incidents::IncidentOptions{},
        [this](const incidents::Incident&, incidents::AnnouncementKind kind, const std::string&,
               const detect::TriggerRecord*) -> Result<incidents::Announcement> {
          incidents::OutboxItem hook;
          hook.output = "test-hook";
          hook.kind = kind;
          hook.created_at = hook.next_attempt_at = clock_.now();
          incidents::OutboxItem action = hook;
          action.output = "action:snapshot";
          action.state = incidents::OutboxState::kApproval;
          return incidents::Announcement{{hook, action}, {}};
        });
    detect::TriggerRecord trigger;
    trigger.event_id = "e1";
    trigger.token_id = t->id;
    trigger.trigger_class = detect::TriggerClass::kUsed;
    trigger.event_time = at("2026-11-28T11:00:00Z");
    ASSERT_TRUE(*store_->addTrigger(trigger));
    auto update = manager.onTrigger(trigger);
    ASSERT_TRUE(update.hasValue()) << update.status().toString();
    incident_id_ = update->incident.id;
    auto items = store_->incidentOutbox(incident_id_);
    ASSERT_TRUE(items.hasValue());
    ASSERT_EQ(items->size(), 2u);
    for (const auto& o : *items) (isAction(o) ? action_id_ : notification_id_) = o.id;
    clock_.set(at("2026-11-28T12:30:00Z"));
  }

  std::vector<incidents::IncidentEvent> actionEntries() {
    auto timeline = store_->incidentTimeline(incident_id_);
    EXPECT_TRUE(timeline.hasValue());
    std::vector<incidents::IncidentEvent> out;
    for (const auto& e : *timeline) {
      if (e.kind == incidents::TimelineKind::kAction) out.push_back(e);
    }
    return out;
  }

  std::string stateOf(int64_t id) {
    auto item = store_->getOutboxItem(id);
    EXPECT_TRUE(item.hasValue() && item->has_value());
    return item.hasValue() && item->has_value() ? incidents::outboxStateName((*item)->state) : "";
  }

  test::TempDir dir_;
  config::Config config_;
  FixedClock clock_{at("2026-11-28T12:00:00Z")};
  SeededRandomSource random_{11};
  std::unique_ptr<store::Store> store_;
  std::string incident_id_;
  int64_t action_id_ = 0;
  int64_t notification_id_ = 0;
};

TEST_F(ApprovalsTest, ApprovingMakesTheActionDueNowWithATimelineEntry) {
  auto decided = decideAction(*store_, clock_, action_id_, true, "alice@soc", "go");
  ASSERT_TRUE(decided.hasValue()) << decided.status().toString();
  EXPECT_EQ(decided->state, incidents::OutboxState::kPending);
  EXPECT_EQ(formatTime(decided->next_attempt_at), "2026-11-28T12:30:00Z");
  EXPECT_EQ(actionName(*decided), "snapshot");
  EXPECT_EQ(stateOf(action_id_), "pending");

  auto entries = actionEntries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].actor, "alice@soc");
  EXPECT_EQ(entries[0].text, "approved action snapshot: go");
  EXPECT_EQ(formatTime(entries[0].at), "2026-11-28T12:30:00Z");
  nlohmann::json details = nlohmann::json::parse(entries[0].details);
  EXPECT_EQ(details["outbox_id"], action_id_);
  EXPECT_EQ(details["decision"], "approved");
}

TEST_F(ApprovalsTest, RejectingClosesTheAction) {
  auto decided = decideAction(*store_, clock_, action_id_, false, "bob", "");
  ASSERT_TRUE(decided.hasValue()) << decided.status().toString();
  EXPECT_EQ(decided->state, incidents::OutboxState::kRejected);
  EXPECT_EQ(stateOf(action_id_), "rejected");
  auto entries = actionEntries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].text, "rejected action snapshot");
  EXPECT_EQ(nlohmann::json::parse(entries[0].details)["decision"], "rejected");
}

TEST_F(ApprovalsTest, AnActionNotWaitingForApprovalIsRefusedAndNothingIsWritten) {
  ASSERT_TRUE(decideAction(*store_, clock_, action_id_, true, "alice", "").hasValue());
  for (bool approve : {true, false}) {
    auto again = decideAction(*store_, clock_, action_id_, approve, "bob", "twice");
    ASSERT_FALSE(again.hasValue());
    EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(again.status().message(),
              "action " + std::to_string(action_id_) + " is pending, not waiting for approval");
  }
  EXPECT_EQ(stateOf(action_id_), "pending");
  EXPECT_EQ(actionEntries().size(), 1u);
}

TEST_F(ApprovalsTest, AnUnknownIdIsNotFound) {
  auto decided = decideAction(*store_, clock_, 9999, true, "alice", "");
  ASSERT_FALSE(decided.hasValue());
  EXPECT_EQ(decided.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(decided.status().message(),
            "no response action 9999 in the outbox (see honeytrail alert list --state approval)");
}

TEST_F(ApprovalsTest, ANotificationIsNotAnActionToApprove) {
  auto decided = decideAction(*store_, clock_, notification_id_, true, "alice", "");
  ASSERT_FALSE(decided.hasValue());
  EXPECT_EQ(decided.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(stateOf(notification_id_), "pending");
  EXPECT_TRUE(actionEntries().empty());
}

}  // namespace
}  // namespace ht::alert
