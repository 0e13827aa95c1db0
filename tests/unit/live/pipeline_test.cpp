// The one detection pipeline over a real SQLite file: a batch of files read by several threads
// is stored and then grouped in event order; a storage fault (disk full, a lock held past the
// busy timeout) stops it cleanly with a clear error and keeps what was stored; a failed grouping
// is caught up by the next trigger; and the scanner joins its workers whatever a callback does.
#include "live/pipeline.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "config/options.h"
#include "detect/scanner.h"
#include "store/sqlite/sqlite_store.h"
#include "support/fault_store.h"
#include "support/test_support.h"
#include "tokens/registry.h"
#include "tokens/secret_vault.h"

namespace ht::live {
namespace {

using nlohmann::json;
using test::FaultStore;

constexpr const char* kKey = "AKIASP2TPHJSQH3FJRUX";

// One CloudTrail record of the honey key's use, as CloudTrail writes it.
json record(int file, int n, int minute) {
  char id[64];
  std::snprintf(id, sizeof id, "6f1c%04d-0000-4000-8000-%012d", file, n);
  char time[32];
  std::snprintf(time, sizeof time, "2026-11-28T%02d:%02d:00Z", 8 + minute / 60, minute % 60);
  return json{{"eventVersion", "1.08"},
              {"userIdentity",
               {{"type", "IAMUser"},
                {"principalId", "AIDASP2TPHJSQH3FJRUXA"},
                {"arn", "arn:aws:iam::123456789012:user/svc-backup"},
                {"accountId", "123456789012"},
                {"accessKeyId", kKey},
                {"userName", "svc-backup"}}},
              {"eventTime", time},
              {"eventSource", "s3.amazonaws.com"},
              {"eventName", "ListBuckets"},
              {"awsRegion", "us-east-1"},
              {"sourceIPAddress", "198.51.100.7"},
              {"userAgent", "aws-cli/2.15.0 Python/3.11.6 Linux/6.1"},
              {"requestParameters", nullptr},
              {"responseElements", nullptr},
              {"requestID", "R" + std::to_string(file * 100 + n)},
              {"eventID", id},
              {"readOnly", true},
              {"eventType", "AwsApiCall"},
              {"recipientAccountId", "123456789012"}};
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::openSqliteStore(dir_.file("ht.db"), config::SqliteOptions{});
    ASSERT_TRUE(opened.hasValue()) << opened.status().toString();
    real_ = std::move(opened).value();
    faults_ = std::make_unique<FaultStore>(*real_);
    registry_ = std::make_unique<tokens::Registry>(*faults_, vault_, config_, clock_, random_,
                                                   "test@host");
    tokens::ImportOptions imp;
    imp.key_id = kKey;
    imp.user_name = "svc-backup";
    ASSERT_TRUE(registry_->importKey(imp).hasValue());
    incidents::IncidentOptions options;
    options.window = std::chrono::minutes(24 * 60);
    incidents_ = std::make_unique<incidents::IncidentManager>(
        *faults_, *faults_, clock_, random_, options,
        [this](const incidents::Incident&, incidents::AnnouncementKind kind, const std::string&,
               const detect::TriggerRecord*) -> Result<incidents::Announcement> {
          incidents::OutboxItem item;
          item.output = "test-hook";
          item.kind = kind;
          item.body = incidents::announcementKindName(kind);
          item.created_at = clock_.now();
          item.next_attempt_at = clock_.now();
          return incidents::Announcement{{item}, {}};
        });
    pipeline_ =
        std::make_unique<Pipeline>(*faults_, *registry_, nullptr, clock_, incidents_.get());
  }

  // `files` CloudTrail files of `per_file` uses each; the newest events are in the first files,
  // so that grouping in file order would get the timeline backwards.
  std::vector<std::string> writeFiles(int files, int per_file) {
    std::vector<std::string> paths;
    std::filesystem::create_directories(dir_.file("ct"));
    for (int f = 0; f < files; ++f) {
      json records = json::array();
      for (int n = 0; n < per_file; ++n) records.push_back(record(f, n, (files - f) * per_file + n));
      paths.push_back(dir_.file("ct/" + std::to_string(f) + ".json"));
      test::writeText(paths.back(), json{{"Records", records}}.dump());
    }
    return paths;
  }

  std::vector<detect::TriggerRecord> stored(bool ungrouped_only = false) {
    detect::TriggerFilter f;
    f.without_incident = ungrouped_only;
    f.limit = 100000;
    auto t = real_->listTriggers(f);
    EXPECT_TRUE(t.hasValue()) << t.status().toString();
    return t.hasValue() ? *t : std::vector<detect::TriggerRecord>{};
  }
  std::vector<incidents::Incident> incidents() {
    auto i = real_->listIncidents({});
    EXPECT_TRUE(i.hasValue()) << i.status().toString();
    return i.hasValue() ? *i : std::vector<incidents::Incident>{};
  }

  test::TempDir dir_;
  FixedClock clock_{*parseTime("2026-11-28T12:00:00Z")};
  config::Config config_;
  tokens::SecretVault vault_{{}, dir_.path(), [](const std::string&) { return std::nullopt; }};
  SeededRandomSource random_{7};
  std::unique_ptr<store::Store> real_;
  std::unique_ptr<FaultStore> faults_;
  std::unique_ptr<tokens::Registry> registry_;
  std::unique_ptr<incidents::IncidentManager> incidents_;
  std::unique_ptr<Pipeline> pipeline_;
};

detect::ScanOptions threads(int n) {
  detect::ScanOptions o;
  o.threads = n;
  o.validate_all = true;
  return o;
}

TEST_F(PipelineTest, BatchStoresEveryUseThenGroupsItInEventOrder) {
  auto files = writeFiles(12, 5);
  std::vector<std::string> seen_keys;
  auto batch = pipeline_->ingestFiles(
      files, threads(4),
      [&](const detect::TriggerRecord&, const std::string& key_id) { seen_keys.push_back(key_id); },
      nullptr);
  ASSERT_TRUE(batch.hasValue()) << batch.status().toString();
  EXPECT_EQ(batch->scan.files, 12u);
  EXPECT_EQ(batch->scan.problems, 0u);
  EXPECT_EQ(batch->new_triggers, 60u);
  EXPECT_EQ(seen_keys.size(), 60u);
  EXPECT_EQ(seen_keys.front(), kKey);
  EXPECT_EQ(batch->incidents_opened, 1u);
  EXPECT_EQ(stored().size(), 60u);
  EXPECT_TRUE(stored(true).empty()) << "every trigger is grouped";
  auto inc = incidents();
  ASSERT_EQ(inc.size(), 1u);
  EXPECT_EQ(inc[0].trigger_count, 60u);
  // Grouped oldest event first although the newest file was read first.
  EXPECT_EQ(formatTime(inc[0].first_seen), "2026-11-28T08:05:00Z");
  auto outbox = real_->listOutbox(std::nullopt);
  ASSERT_TRUE(outbox.hasValue());
  ASSERT_EQ(outbox->size(), 1u) << "one announcement for the new incident";
  EXPECT_EQ((*outbox)[0].kind, incidents::AnnouncementKind::kNew);

  // Read again: nothing new, nothing announced.
  auto again = pipeline_->ingestFiles(files, threads(4), nullptr, nullptr);
  ASSERT_TRUE(again.hasValue());
  EXPECT_EQ(again->new_triggers, 0u);
  EXPECT_EQ(real_->listOutbox(std::nullopt)->size(), 1u);
}

// Regression: a multi-threaded ingest whose database write failed died with "terminate called
// without an active exception" (exit 134), because the error was thrown while the scanner's
// threads still ran. Now the batch stops, the workers are joined and the error comes back.
TEST_F(PipelineTest, DiskFullStopsAThreadedBatchCleanlyAndKeepsWhatWasStored) {
  auto files = writeFiles(40, 5);
  faults_->arm(FaultStore::Fault::kDiskFull, /*succeed_first=*/10);
  auto batch = pipeline_->ingestFiles(files, threads(4), nullptr, nullptr);
  ASSERT_FALSE(batch.hasValue());
  EXPECT_NE(batch.status().message().find("database or disk is full"), std::string::npos)
      << batch.status().toString();
  EXPECT_NE(batch.status().message().find("10 stored before the failure are kept"),
            std::string::npos)
      << batch.status().toString();
  EXPECT_EQ(faults_->injected(), 1) << "the batch stops at the first failed write";
  EXPECT_EQ(stored().size(), 10u);
  EXPECT_TRUE(incidents().empty()) << "nothing is grouped from a batch that failed";

  // The disk has room again: the same command stores the rest and groups all of it.
  faults_->heal();
  auto retry = pipeline_->ingestFiles(files, threads(4), nullptr, nullptr);
  ASSERT_TRUE(retry.hasValue()) << retry.status().toString();
  EXPECT_EQ(retry->new_triggers, 190u);
  EXPECT_EQ(stored().size(), 200u);
  EXPECT_TRUE(stored(true).empty());
  ASSERT_EQ(incidents().size(), 1u);
  EXPECT_EQ(incidents()[0].trigger_count, 200u);
}

TEST_F(PipelineTest, LockTimeoutOnALiveObjectIsReturnedSoTheObjectIsReadAgain) {
  auto files = writeFiles(1, 3);
  std::string bytes = test::readText(files[0]);
  faults_->arm(FaultStore::Fault::kLockTimeout);
  auto r = pipeline_->process("s3://trail/0.json", bytes);
  ASSERT_FALSE(r.hasValue());
  EXPECT_NE(r.status().message().find("database is locked"), std::string::npos);
  EXPECT_NE(r.status().message().find("s3://trail/0.json"), std::string::npos);
  faults_->heal();
  auto again = pipeline_->process("s3://trail/0.json", bytes);
  ASSERT_TRUE(again.hasValue()) << again.status().toString();
  EXPECT_EQ(again->new_triggers.size(), 3u);
  ASSERT_EQ(incidents().size(), 1u);
  EXPECT_EQ(incidents()[0].trigger_count, 3u);
}

TEST_F(PipelineTest, AFailedGroupingIsCaughtUpByTheNextTrigger) {
  detect::TriggerRecord first;
  first.event_id = "last-used:" + std::string(kKey) + ":2026-11-28T08:00:00Z";
  first.token_id = registry_->find(kKey)->id;
  first.trigger_class = detect::TriggerClass::kUsed;
  first.source = "last-used";
  first.event_time = *parseTime("2026-11-28T08:00:00Z");
  first.created_at = clock_.now();
  // The trigger's own write goes through; saving its incident fails (the disk filled between).
  faults_->arm(FaultStore::Fault::kDiskFull, /*succeed_first=*/1);
  auto added = pipeline_->submit(first);
  ASSERT_TRUE(added.hasValue()) << added.status().toString();
  EXPECT_TRUE(*added);
  EXPECT_EQ(stored(true).size(), 1u) << "stored, not yet grouped";
  faults_->heal();
  detect::TriggerRecord second = first;
  second.event_id = "last-used:" + std::string(kKey) + ":2026-11-28T09:00:00Z";
  second.event_time = *parseTime("2026-11-28T09:00:00Z");
  ASSERT_TRUE(pipeline_->submit(second).hasValue());
  EXPECT_TRUE(stored(true).empty());
  ASSERT_EQ(incidents().size(), 1u);
  EXPECT_EQ(incidents()[0].trigger_count, 2u);
  EXPECT_EQ(formatTime(incidents()[0].first_seen), "2026-11-28T08:00:00Z");
}

// Regression for the same crash one level down: whatever a caller's callback does (here it
// throws), the scanner joins its workers before the exception leaves scan().
TEST_F(PipelineTest, ScannerJoinsItsWorkersWhenACallbackThrows) {
  auto files = writeFiles(30, 2);
  auto tokens = registry_->list({});
  ASSERT_TRUE(tokens.hasValue());
  detect::TokenIndex index;
  for (const auto& t : tokens.value()) index.add(t);
  detect::Scanner scanner(index);
  detect::ScanSummary summary;
  int calls = 0;
  EXPECT_THROW(scanner.scan(
                   files, threads(4),
                   [&](detect::FoundEvent&&) {
                     if (++calls == 3) throw std::runtime_error("callback failed");
                   },
                   [](const ingest::InputProblem&) {}, &summary),
               std::runtime_error);
  EXPECT_EQ(calls, 3);
}

TEST_F(PipelineTest, StopAskedEndsTheScanEarly) {
  auto files = writeFiles(30, 2);
  auto tokens = registry_->list({});
  ASSERT_TRUE(tokens.hasValue());
  detect::TokenIndex index;
  for (const auto& t : tokens.value()) index.add(t);
  detect::Scanner scanner(index);
  detect::ScanSummary summary;
  size_t matched = 0;
  detect::ScanOptions o = threads(3);
  o.stop = [&] { return matched >= 4; };
  ASSERT_TRUE(scanner
                  .scan(
                      files, o, [&](detect::FoundEvent&&) { ++matched; },
                      [](const ingest::InputProblem&) {}, &summary)
                  .isOk());
  EXPECT_TRUE(summary.stopped);
  EXPECT_EQ(matched, 4u) << "stopped after the file that reached the limit";
}

}  // namespace
}  // namespace ht::live
