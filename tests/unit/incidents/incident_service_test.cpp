// Reading an incident whole (`incident show`) over a real SQLite file: the token, its placements
// and chain of custody, and one timeline in which the custody hops sit in time order among the
// stored entries.
#include "incidents/incident_service.h"

#include <gtest/gtest.h>

#include "incidents/incidents.h"
#include "config/options.h"
#include "store/sqlite/sqlite_store.h"
#include "support/test_support.h"
#include "tokens/registry.h"
#include "tokens/secret_vault.h"

namespace ht::incidents {
namespace {

TimePoint at(const char* text) { return *parseTime(text); }

class IncidentServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::openSqliteStore(dir_.file("ht.db"), config::SqliteOptions{});
    ASSERT_TRUE(opened.hasValue()) << opened.status().toString();
    store_ = std::move(opened).value();
    vault_ = std::make_unique<tokens::SecretVault>(config::SecretsOptions{}, dir_.path(),
                                                   [](const std::string&) { return std::nullopt; });
    registry_ =
        std::make_unique<tokens::Registry>(*store_, *vault_, config_, clock_, random_, "test@host");
    tokens::ImportOptions imp;
    imp.key_id = "AKIASP2TPHJSQH3FJRUX";
    imp.label = "deploy laptop";
    auto t = registry_->importKey(imp);  // custody: "imported" at 08:00
    ASSERT_TRUE(t.hasValue()) << t.status().toString();
    token_id_ = t->id;
    tokens::Placement p;
    p.token_id = token_id_;
    p.host = "web-01";
    p.location = "/srv/app/.aws/credentials";
    ASSERT_TRUE(registry_->addPlacement(p).hasValue());  // custody: "placed" at 08:00
    manager_ = std::make_unique<IncidentManager>(*store_, *store_, clock_, random_, IncidentOptions{});
  }

  void hop(const char* when, const std::string& holder, const std::string& method,
           const std::string& notes = "") {
    tokens::CustodyEvent e;
    e.token_id = token_id_;
    e.at = at(when);
    e.holder = holder;
    e.method = method;
    e.notes = notes;
    ASSERT_TRUE(registry_->addCustody(e).hasValue());
  }

  std::string trigger(const std::string& event_id, const char* when) {
    detect::TriggerRecord t;
    t.event_id = event_id;
    t.token_id = token_id_;
    t.trigger_class = detect::TriggerClass::kUsed;
    t.event_time = at(when);
    t.event_source = "s3.amazonaws.com";
    t.event_name = "ListBuckets";
    t.source_ip = "203.0.113.9";
    t.created_at = clock_.now();
    EXPECT_TRUE(*store_->addTrigger(t));
    auto update = manager_->onTrigger(t);
    EXPECT_TRUE(update.hasValue()) << update.status().toString();
    return update.hasValue() ? update->incident.id : "";
  }

  test::TempDir dir_;
  config::Config config_;
  FixedClock clock_{at("2026-11-28T08:00:00Z")};
  SeededRandomSource random_{7};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<tokens::SecretVault> vault_;
  std::unique_ptr<tokens::Registry> registry_;
  std::string token_id_;
  std::unique_ptr<IncidentManager> manager_;
};

TEST_F(IncidentServiceTest, CustodyHopsAreMergedIntoTheTimelineInTimeOrder) {
  hop("2026-11-28T10:30:00Z", "vault", "copy", "rotation");
  hop("2026-11-28T12:30:00Z", "bob", "email");
  clock_.set(at("2026-11-28T12:00:00Z"));
  const std::string id = trigger("e1", "2026-11-28T10:00:00Z");
  ASSERT_EQ(trigger("e2", "2026-11-28T11:00:00Z"), id);
  ASSERT_EQ(trigger("e3", "2026-11-28T10:30:00Z"), id);  // arrives late, belongs in the middle

  auto detail = showIncident(*store_, *store_, id);
  ASSERT_TRUE(detail.hasValue()) << detail.status().toString();
  EXPECT_EQ(detail->incident.id, id);
  EXPECT_EQ(detail->token.id, token_id_);
  EXPECT_EQ(detail->token.key_id, "AKIASP2TPHJSQH3FJRUX");
  ASSERT_EQ(detail->placements.size(), 1u);
  EXPECT_EQ(detail->placements[0].host, "web-01");
  ASSERT_EQ(detail->custody.size(), 4u);

  std::vector<std::string> got;
  for (const auto& e : detail->timeline) {
    const std::string kind = incidents::timelineKindName(e.event.kind);
    got.push_back(formatTime(e.event.at).substr(11, 5) + " " + kind + " " + e.event.actor);
    EXPECT_EQ(e.event.kind == TimelineKind::kCustody, e.hop.has_value()) << kind;
  }
  // A hop at the same second as a stored entry comes after it.
  EXPECT_EQ(got, (std::vector<std::string>{"08:00 custody test@host", "08:00 custody web-01",
                                           "10:00 opened honeytrail", "10:00 trigger ",
                                           "10:30 trigger ", "10:30 custody vault",
                                           "11:00 trigger ", "12:30 custody bob"}));
  const TimelineEntry& vault_hop = detail->timeline[5];
  EXPECT_EQ(vault_hop.event.text, "copy: rotation");
  EXPECT_EQ(vault_hop.event.incident_id, id);
  EXPECT_EQ(vault_hop.hop->holder, "vault");
  EXPECT_EQ(detail->timeline[7].event.text, "email");
  EXPECT_EQ(detail->timeline[1].event.text, "placed: at /srv/app/.aws/credentials");
}

TEST_F(IncidentServiceTest, AnUnknownIncidentIsNotFound) {
  auto detail = showIncident(*store_, *store_, "inc-nonexistent");
  ASSERT_FALSE(detail.hasValue());
  EXPECT_EQ(detail.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(detail.status().message(), "no incident inc-nonexistent");
}

}  // namespace
}  // namespace ht::incidents
