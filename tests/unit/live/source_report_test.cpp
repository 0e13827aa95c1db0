// The `honeytrail sources` report over a real SQLite file: configured sources that ran, one that
// never did, and one the config no longer enables, assessed at an injected time.
#include "live/source_report.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "store/sqlite/sqlite_store.h"
#include "support/test_support.h"

namespace ht::live {
namespace {

using nlohmann::json;
using std::chrono::minutes;

const TimePoint kNow = parseTime("2026-03-15T12:00:00Z").value();

TEST(SourceNamesTest, NamesAndOrderFollowTheConfig) {
  EXPECT_EQ(s3SourceName("org-trail"), "s3:org-trail");
  EXPECT_EQ(sqsSourceName("https://sqs.eu-central-1.amazonaws.com/123456789012/trail-objects"),
            "sqs:trail-objects");
  EXPECT_EQ(sqsSourceName("trail-objects"), "sqs:trail-objects");

  config::SourcesOptions s;
  EXPECT_TRUE(configuredSources(s).empty());
  s.last_used = true;
  s.push.enabled = true;
  s.sqs.enabled = true;
  s.sqs.queue_url = "https://sqs.eu-central-1.amazonaws.com/123456789012/q";
  s.s3.enabled = true;
  s.s3.bucket = "org-trail";
  std::vector<std::string> names;
  for (const ConfiguredSource& c : configuredSources(s)) names.push_back(c.name + "/" + c.kind);
  EXPECT_EQ(names, (std::vector<std::string>{"s3:org-trail/s3", "sqs:q/sqs", "push/push",
                                             "last-used/last-used"}));
}

class SourceReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::openSqliteStore(dir_.file("report.db"), {});
    ASSERT_TRUE(s.hasValue()) << s.status().toString();
    store_ = std::move(s).value();
    sources_.blind_after_minutes = 60;
  }
  std::map<std::string, SourceReport> report() {
    auto rows = sourcesReport(*store_, sources_, kNow);
    EXPECT_TRUE(rows.hasValue()) << rows.status().toString();
    std::map<std::string, SourceReport> out;
    if (rows.hasValue()) {
      for (SourceReport& r : *rows) out[r.health.source] = r;
    }
    return out;
  }
  test::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  config::SourcesOptions sources_;
};

TEST_F(SourceReportTest, RanNeverRanAndNoLongerEnabled) {
  sources_.s3.enabled = true;
  sources_.s3.bucket = "org-trail";
  sources_.push.enabled = true;
  live::SourceHealth s3;
  s3.source = "s3:org-trail";
  s3.kind = "s3";
  s3.started_at = kNow - minutes(120);
  s3.last_poll_at = kNow - minutes(1);
  s3.last_data_at = kNow - minutes(5);
  s3.newest_event_time = kNow - minutes(12);
  s3.objects = 2;
  s3.records = 3;
  s3.triggers = 1;
  s3.updated_at = kNow;
  ASSERT_TRUE(store_->putSourceHealth(s3).isOk());
  live::SourceHealth old;
  old.source = "sqs:retired";
  old.kind = "sqs";
  old.started_at = kNow - minutes(9000);
  old.updated_at = kNow - minutes(8000);
  ASSERT_TRUE(store_->putSourceHealth(old).isOk());

  auto rows = report();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows["s3:org-trail"].assessment.status, "ok");
  EXPECT_EQ(rows["s3:org-trail"].assessment.reason, "data 5 min ago");
  EXPECT_EQ(rows["s3:org-trail"].lag, std::chrono::seconds(12 * 60));
  EXPECT_EQ(rows["sqs:retired"].assessment.status, "disabled");
  EXPECT_EQ(rows["sqs:retired"].assessment.reason, "not enabled in the config (history kept)");
  EXPECT_FALSE(rows["sqs:retired"].lag);
  EXPECT_EQ(rows["push"].assessment.status, "blind");
  EXPECT_FALSE(rows["push"].has_run);
  EXPECT_EQ(rows["push"].health.kind, "push");

  json ran = sourceReportToJson(rows["s3:org-trail"]);
  EXPECT_EQ(ran["status"], "ok");
  EXPECT_EQ(ran["lag_seconds"], 720);
  EXPECT_EQ(ran["started_at"], "2026-03-15T10:00:00Z");
  EXPECT_TRUE(ran["last_error_at"].is_null());
  EXPECT_EQ(ran["objects"], 2);
  EXPECT_EQ(ran["records"], 3);
  EXPECT_EQ(ran["triggers"], 1);
  EXPECT_EQ(ran.size(), 17u);
  EXPECT_TRUE(sourceReportToJson(rows["sqs:retired"])["lag_seconds"].is_null());

  json never = sourceReportToJson(rows["push"]);
  EXPECT_EQ(never, (json{{"source", "push"},
                         {"kind", "push"},
                         {"status", "blind"},
                         {"reason",
                          "enabled in the config but has never run (is `honeytrail "
                          "serve` running?)"},
                         {"objects", 0},
                         {"records", 0},
                         {"triggers", 0},
                         {"bad_objects", 0},
                         {"errors", 0}}));
}

TEST_F(SourceReportTest, NothingConfiguredOrStoredIsAnEmptyReport) {
  EXPECT_TRUE(report().empty());
}

}  // namespace
}  // namespace ht::live
