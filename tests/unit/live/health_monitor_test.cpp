// serve's health monitor: which changes of a source's assessment are logged (blind at error,
// failing at warning, healthy again at info), each said once, with the clock injected so that
// a source goes blind without the test waiting an hour.
#include "live/health_monitor.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "support/test_support.h"

namespace ht::live {
namespace {

using std::chrono::minutes;

const TimePoint kStart = parseTime("2026-03-15T12:00:00Z").value();

TEST(HealthTransitionTest, SaysWhatChangedAndHowLoud) {
  EXPECT_FALSE(healthTransition("push", "", {"ok", "running, no data yet"}))
      << "a source that starts well is not news";
  EXPECT_FALSE(healthTransition("push", "ok", {"ok", "data 1 min ago"}));
  EXPECT_FALSE(healthTransition("push", "blind", {"blind", "no new data for 90 min"}));

  auto blind = healthTransition("s3:trail", "ok", {"blind", "no new data for 90 min"});
  ASSERT_TRUE(blind);
  EXPECT_EQ(blind->level, log::Level::kError);
  EXPECT_EQ(blind->message, "detection is blind: source s3:trail: no new data for 90 min");
  EXPECT_EQ(blind->previous, "ok");
  EXPECT_EQ(blind->now.status, "blind");

  auto failing = healthTransition("s3:trail", "", {"failing", "last attempt failed: x"});
  ASSERT_TRUE(failing);
  EXPECT_EQ(failing->level, log::Level::kWarn);
  EXPECT_EQ(failing->message, "source s3:trail is failing: last attempt failed: x");

  auto again = healthTransition("s3:trail", "failing", {"ok", "data 0 min ago"});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->level, log::Level::kInfo);
  EXPECT_EQ(again->message, "source s3:trail is ok again");
}

class HealthMonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::setSink([this](const std::string& line) { lines_.push_back(line); });
    log::setLevel(log::Level::kInfo);
    log::setFormat(log::Format::kPlain);
    auto s = store::openSqliteStore(dir_.file("health.db"), {});
    ASSERT_TRUE(s.hasValue()) << s.status().toString();
    store_ = std::move(s).value();
    s3_ = std::make_unique<HealthTracker>(*store_, "s3:trail", "s3", clock_);
    push_ = std::make_unique<HealthTracker>(*store_, "push", "push", clock_);
    s3_->started();
    push_->started();
    monitor_ = std::make_unique<HealthMonitor>(std::vector<HealthTracker*>{s3_.get(), push_.get()},
                                               clock_, minutes(60));
  }
  void TearDown() override { log::setSink(nullptr); }

  // The messages of one round, checking that it saved and logged each.
  std::vector<std::string> round() {
    lines_.clear();
    HealthRound r = monitor_->checkOnce();
    EXPECT_TRUE(r.saved.isOk()) << r.saved.toString();
    std::vector<std::string> messages;
    for (const HealthTransition& t : r.transitions) messages.push_back(t.message);
    EXPECT_EQ(lines_.size(), messages.size());
    for (size_t i = 0; i < lines_.size() && i < messages.size(); ++i) {
      EXPECT_NE(lines_[i].find(messages[i]), std::string::npos) << lines_[i];
    }
    return messages;
  }

  test::TempDir dir_;
  FixedClock clock_{kStart};
  std::vector<std::string> lines_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<HealthTracker> s3_;
  std::unique_ptr<HealthTracker> push_;
  std::unique_ptr<HealthMonitor> monitor_;
};

using Messages = std::vector<std::string>;

TEST_F(HealthMonitorTest, EachTransitionIsLoggedOnce) {
  EXPECT_EQ(round(), Messages{});

  clock_.advance(minutes(1));
  s3_->error("ListObjectsV2 trail: AccessDenied");
  EXPECT_EQ(round(), Messages{"source s3:trail is failing: last attempt failed: ListObjectsV2 "
                              "trail: AccessDenied"});
  EXPECT_EQ(round(), Messages{}) << "still failing: said once";

  clock_.advance(minutes(1));
  s3_->polled();
  EXPECT_EQ(round(), Messages{"source s3:trail is ok again"});

  // An hour without data: both go blind, in the order the monitor was given them.
  clock_.advance(minutes(60));
  EXPECT_EQ(round(), (Messages{"detection is blind: source s3:trail: no data since it started 62 "
                               "min ago (limit 60 min)",
                               "detection is blind: source push: no data since it started 62 min "
                               "ago (limit 60 min)"}));
  EXPECT_NE(lines_[0].find(" error detection is blind"), std::string::npos) << lines_[0];
  EXPECT_EQ(round(), Messages{});

  // An EventBridge heartbeat brings the push endpoint back.
  push_->heartbeat();
  EXPECT_EQ(round(), Messages{"source push is ok again"});
}

TEST_F(HealthMonitorTest, EveryRoundSavesEverySource) {
  s3_->polled();
  ASSERT_EQ(round(), Messages{});
  auto rows = store_->listSourceHealth();
  ASSERT_TRUE(rows.hasValue());
  ASSERT_EQ(rows->size(), 2u);
  for (const live::SourceHealth& h : *rows) {
    EXPECT_EQ(h.updated_at, kStart) << h.source;
    EXPECT_EQ(h.started_at, kStart) << h.source;
  }
  clock_.advance(minutes(5));
  ASSERT_EQ(round(), Messages{});
  rows = store_->listSourceHealth();
  ASSERT_TRUE(rows.hasValue());
  for (const live::SourceHealth& h : *rows) EXPECT_EQ(h.updated_at, kStart + minutes(5));
}

}  // namespace
}  // namespace ht::live
