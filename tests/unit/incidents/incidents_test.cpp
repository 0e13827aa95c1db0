// Incident grouping and escalation with an injected clock, over a real SQLite file: which
// triggers join an incident, what is announced as new and what is a repeat, the state machine,
// and the notifications saved in the same transaction as the change.
#include "incidents/incidents.h"

#include <gtest/gtest.h>

#include "config/options.h"
#include "store/sqlite/sqlite_store.h"
#include "support/test_support.h"
#include "tokens/registry.h"
#include "tokens/secret_vault.h"

namespace ht::incidents {
namespace {

TimePoint at(const char* text) { return *parseTime(text); }

class IncidentsTest : public ::testing::Test {
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
    token_id_ = t->id;
    IncidentOptions options;
    options.window = std::chrono::minutes(60);
    manager_ = std::make_unique<IncidentManager>(
        *store_, *store_, clock_, random_, options,
        [this](const incidents::Incident& inc, AnnouncementKind kind, const std::string& what,
               const detect::TriggerRecord*) -> Result<Announcement> {
          const std::string kind_name = announcementKindName(kind);
          announced_.push_back(kind_name + (what.empty() ? "" : ": " + what));
          incidents::OutboxItem item;
          item.output = "test-hook";
          item.kind = kind;
          item.body = inc.id + " " + kind_name;
          item.created_at = clock_.now();
          item.next_attempt_at = clock_.now();
          return Announcement{{item}, {}};
        });
  }

  // Stores a trigger as detection would, then groups it.
  IncidentUpdate trigger(const std::string& event_id, const char* when, const std::string& ip,
                         const std::string& intent = "enumeration", const std::string& cls = "used",
                         const std::string& region = "us-east-1",
                         const std::string& name = "ListBuckets") {
    detect::TriggerRecord t;
    t.event_id = event_id;
    t.token_id = token_id_;
    t.trigger_class = *detect::parseTriggerClass(cls);
    t.event_time = at(when);
    t.event_source = "s3.amazonaws.com";
    t.event_name = name;
    t.aws_region = region;
    t.source_ip = ip;
    t.intent = intent;
    t.client = "aws-cli";
    t.created_at = clock_.now();
    auto added = store_->addTrigger(t);
    EXPECT_TRUE(added.hasValue() && *added);
    auto update = manager_->onTrigger(t);
    EXPECT_TRUE(update.hasValue()) << update.status().toString();
    return update.hasValue() ? *update : IncidentUpdate{};
  }

  int64_t outboxRows() {
    test::RunResult r = test::run({"sqlite3", dir_.file("ht.db"), "SELECT count(*) FROM outbox"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return std::stoll(r.out);
  }

  test::TempDir dir_;
  config::Config config_;
  FixedClock clock_{at("2026-11-28T12:00:00Z")};
  SeededRandomSource random_{5};
  std::unique_ptr<store::Store> store_;
  std::string token_id_;
  std::unique_ptr<IncidentManager> manager_;
  std::vector<std::string> announced_;
};

TEST_F(IncidentsTest, RepeatsJoinOneIncidentAndAreNotAnnouncedAgain) {
  IncidentUpdate first = trigger("e1", "2026-11-28T11:00:00Z", "203.0.113.9");
  EXPECT_TRUE(first.opened);
  EXPECT_EQ(first.incident.state, incidents::IncidentState::kOpen);
  EXPECT_EQ(first.incident.severity, Severity::kHigh);
  EXPECT_EQ(first.incident.id.rfind("inc-", 0), 0u);
  for (int i = 2; i <= 5; ++i) {
    IncidentUpdate u = trigger("e" + std::to_string(i), "2026-11-28T11:10:00Z", "203.0.113.9");
    EXPECT_FALSE(u.announce()) << i;
    EXPECT_EQ(u.incident.id, first.incident.id);
  }
  auto inc = store_->getIncident(first.incident.id);
  ASSERT_TRUE(inc.hasValue() && inc->has_value());
  EXPECT_EQ((*inc)->trigger_count, 5u);
  EXPECT_EQ(formatTime((*inc)->first_seen), "2026-11-28T11:00:00Z");
  EXPECT_EQ(formatTime((*inc)->last_seen), "2026-11-28T11:10:00Z");
  EXPECT_EQ(announced_, std::vector<std::string>{"new"});
  EXPECT_EQ(outboxRows(), 1);
  auto timeline = store_->incidentTimeline(first.incident.id);
  ASSERT_TRUE(timeline.hasValue());
  EXPECT_EQ(timeline->size(), 6u);  // opened + five triggers
  EXPECT_EQ((*timeline)[0].kind, TimelineKind::kOpened);
}

TEST_F(IncidentsTest, EachNewBehaviourIsAnEscalationOnce) {
  trigger("e1", "2026-11-28T11:00:00Z", "203.0.113.9");
  EXPECT_EQ(trigger("e2", "2026-11-28T11:01:00Z", "198.51.100.7").escalations,
            std::vector<std::string>{"new source IP: 198.51.100.7"});
  EXPECT_EQ(trigger("e3", "2026-11-28T11:02:00Z", "198.51.100.7", "data-access", "used",
                    "us-east-1", "GetObject")
                .escalations,
            std::vector<std::string>{"first data access: s3:GetObject"});
  IncidentUpdate write = trigger("e4", "2026-11-28T11:03:00Z", "198.51.100.7", "write", "used",
                                 "eu-west-1", "PutObject");
  EXPECT_EQ(write.escalations,
            (std::vector<std::string>{"first write call: s3:PutObject", "new region: eu-west-1"}));
  EXPECT_EQ(write.incident.severity, Severity::kCritical);
  EXPECT_TRUE(trigger("e5", "2026-11-28T11:04:00Z", "198.51.100.7", "write", "used", "eu-west-1",
                      "PutObject")
                  .escalations.empty());
  IncidentUpdate exposed = trigger("e6", "2026-11-28T11:05:00Z", "", "privilege-change", "exposed",
                                   "us-east-1", "AttachUserPolicy");
  ASSERT_FALSE(exposed.escalations.empty());
  EXPECT_EQ(exposed.escalations[0], "exposure: AWS quarantined the key (found in public)");
  EXPECT_EQ(announced_.size(), 5u);  // new + four escalations
  EXPECT_EQ(outboxRows(), 5);
}

TEST_F(IncidentsTest, MentionsFirstThenARealUseIsAnEscalation) {
  IncidentUpdate touched = trigger("e1", "2026-11-28T11:00:00Z", "10.0.0.5", "enumeration",
                                   "touched", "us-east-1", "ListAccessKeys");
  EXPECT_TRUE(touched.opened);
  EXPECT_EQ(touched.incident.severity, Severity::kLow);
  IncidentUpdate used = trigger("e2", "2026-11-28T11:05:00Z", "10.0.0.5");
  ASSERT_EQ(used.escalations.size(), 1u);
  EXPECT_EQ(used.escalations[0], "first use of the key (before: only mentions): s3:ListBuckets");
  EXPECT_EQ(used.incident.severity, Severity::kHigh);
}

TEST_F(IncidentsTest, AfterTheWindowOrOnceClosedANewIncidentOpens) {
  IncidentUpdate a = trigger("e1", "2026-11-28T08:00:00Z", "203.0.113.9");
  IncidentUpdate b = trigger("e2", "2026-11-28T08:59:00Z", "203.0.113.9");
  EXPECT_EQ(b.incident.id, a.incident.id);
  IncidentUpdate c = trigger("e3", "2026-11-28T10:00:00Z", "203.0.113.9");  // 61 min later
  EXPECT_TRUE(c.opened);
  EXPECT_NE(c.incident.id, a.incident.id);
  ASSERT_TRUE(manager_->setState(c.incident.id, IncidentState::kResolved, "alice").hasValue());
  IncidentUpdate d = trigger("e4", "2026-11-28T10:01:00Z", "203.0.113.9");
  EXPECT_TRUE(d.opened) << "a resolved incident takes no new triggers";
  EXPECT_EQ(announced_, (std::vector<std::string>{"new", "new", "resolved", "new"}));
}

TEST_F(IncidentsTest, StateMachineWithWhoAndWhen) {
  IncidentUpdate a = trigger("e1", "2026-11-28T11:00:00Z", "203.0.113.9");
  const std::string id = a.incident.id;
  auto acked = manager_->setState(id, IncidentState::kAcknowledged, "alice", "looking at web-01");
  ASSERT_TRUE(acked.hasValue());
  EXPECT_EQ(acked->state, IncidentState::kAcknowledged);
  EXPECT_EQ(manager_->setState(id, IncidentState::kAcknowledged, "bob").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(manager_->setState(id, IncidentState::kOpen, "bob").status().code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE(manager_->setState(id, IncidentState::kConfirmed, "bob").hasValue());
  EXPECT_FALSE(manager_->setState(id, IncidentState::kFalsePositive, "bob").hasValue());
  ASSERT_TRUE(manager_->addNote(id, "bob", "rotated the deploy user's real keys").isOk());
  ASSERT_TRUE(manager_->setState(id, IncidentState::kResolved, "bob").hasValue());
  EXPECT_FALSE(manager_->setState(id, IncidentState::kConfirmed, "bob").hasValue());
  EXPECT_EQ(manager_->setState("inc-nonexistent", IncidentState::kResolved, "bob").status().code(),
            StatusCode::kNotFound);
  auto timeline = store_->incidentTimeline(id);
  ASSERT_TRUE(timeline.hasValue());
  std::vector<std::string> kinds;
  for (const auto& e : *timeline)
    kinds.push_back(timelineKindName(e.kind) + std::string("/") + e.actor);
  EXPECT_EQ(kinds, (std::vector<std::string>{"opened/honeytrail", "trigger/", "state/alice",
                                             "note/alice", "state/bob", "note/bob", "state/bob"}));
  EXPECT_TRUE(canMoveTo(IncidentState::kOpen, IncidentState::kFalsePositive));
  EXPECT_TRUE(canMoveTo(IncidentState::kFalsePositive, IncidentState::kResolved));
  EXPECT_FALSE(canMoveTo(IncidentState::kResolved, IncidentState::kOpen));
}

TEST_F(IncidentsTest, CatchUpGroupsTriggersACrashLeftBehind) {
  // Stored, but the process died before grouping it.
  detect::TriggerRecord t;
  t.event_id = "orphan";
  t.token_id = token_id_;
  t.trigger_class = detect::TriggerClass::kUsed;
  t.event_time = at("2026-11-28T11:00:00Z");
  t.created_at = clock_.now();
  ASSERT_TRUE(*store_->addTrigger(t));
  auto grouped = manager_->catchUp();
  ASSERT_TRUE(grouped.hasValue());
  EXPECT_EQ(*grouped, 1u);
  EXPECT_EQ(*manager_->catchUp(), 0u) << "nothing is grouped twice";
  auto list = store_->listIncidents({});
  ASSERT_TRUE(list.hasValue());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].trigger_count, 1u);
}

}  // namespace
}  // namespace ht::incidents
