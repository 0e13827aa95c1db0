// The live sources against moto_server and a real SQLite file: S3 trail discovery and polling
// (layouts, checkpoints, lookback, restarts, bad objects, stop), SQS notices (deletion only after
// the objects are read, poison messages left for the dead-letter queue), the store's live-source
// tables, and source health. Objects are real CloudTrail delivery files from
// shared/testdata/cloudtrail/invictus_aws_dataset, gzipped and uploaded with the AWS CLI under
// keys whose file-name times are chosen relative to an injected clock.
#include "live/sources.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "net/http.h"
#include "aws/key_id.h"
#include "aws/session.h"
#include "core/secret.h"
#include "store/sqlite/sqlite_store.h"
#include "support/http_server.h"
#include "support/manual_clock.h"
#include "support/moto_server.h"
#include "support/test_support.h"
#include "tokens/registry.h"
#include "tokens/secret_vault.h"

namespace ht::live {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using std::chrono::minutes;

TimePoint at(const std::string& iso) { return parseTime(iso).value(); }

const std::string kDataset = std::string(HT_SHARED_TESTDATA) + "/cloudtrail/invictus_aws_dataset/";
constexpr char kAccount[] = "218007301253";  // the account of the Invictus files
// Used once in the whole dataset file kHoneyFile (GetRegionOptStatus, event 305387b5-...).
constexpr char kHoneyKey[] = "AKIATFQR7NSCUXC3DDDP";
constexpr char kHoneyEventId[] = "305387b5-cff7-40ad-8e32-c66b4bff250e";

struct DataFile {
  std::string name;  // in the dataset
  uint64_t records;
  std::string unique;  // the file name's unique part, reused in the uploaded key
};
const DataFile kHoneyFile{"218007301253_CloudTrail_us-east-1_20230710T1205Z_UljXNp9xLp8nsAGc.json",
                          55, "UljXNp9xLp8nsAGc"};
// Small files without kHoneyKey.
const DataFile kQuiet[] = {
    {"218007301253_CloudTrail_us-east-1_20230710T1150Z_1vnLavRRp0ek1mP4.json", 2,
     "1vnLavRRp0ek1mP4"},
    {"218007301253_CloudTrail_us-east-1_20230710T1205Z_lKy08gyrqqRJyzsn.json", 1,
     "lKy08gyrqqRJyzsn"},
    {"218007301253_CloudTrail_us-east-1_20230710T1210Z_2ru8PrDKZmsO3yWC.json", 3,
     "2ru8PrDKZmsO3yWC"},
    {"218007301253_CloudTrail_us-east-1_20230710T1215Z_dTTFsx4I2m3om5Oy.json", 1,
     "dTTFsx4I2m3om5Oy"},
    {"218007301253_CloudTrail_us-east-1_20230710T1230Z_9dKPuRzdLzqZRjqm.json", 2,
     "9dKPuRzdLzqZRjqm"},
    {"218007301253_CloudTrail_us-east-1_20230710T1230Z_s2m4APJ8BhmXSIE6.json", 2,
     "s2m4APJ8BhmXSIE6"},
    {"218007301253_CloudTrail_us-east-1_20230710T1240Z_C1qUFaqvZS64BcIN.json", 2,
     "C1qUFaqvZS64BcIN"},
};

// AWSLogs-relative CloudTrail key: TRAIL_ROOT/CloudTrail/REGION/YYYY/MM/DD/
// ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_UNIQUE.json.gz, where TRAIL_ROOT is
// [prefix/]AWSLogs/[o-ORG/]ACCOUNT/.
std::string ctKey(const std::string& trail_root, const std::string& account,
                  const std::string& region, TimePoint t, const std::string& unique) {
  std::string iso = formatTime(t);  // 2026-03-15T11:05:00Z
  std::string day = iso.substr(0, 4) + "/" + iso.substr(5, 2) + "/" + iso.substr(8, 2) + "/";
  std::string stamp = iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2) + "T" +
                      iso.substr(11, 2) + iso.substr(14, 2) + "Z";
  return trail_root + "CloudTrail/" + region + "/" + day + account + "_CloudTrail_" + region +
         "_" + stamp + "_" + unique + ".json.gz";
}
std::string root(const std::string& account = kAccount) {
  return "AWSLogs/" + account + "/";
}

const std::map<std::string, std::string>& kEnv = test::fakeAwsEnv();

// ---- the store's live-source tables ---------------------------------------------------------

class LiveStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<store::Store> open() {
    auto s = store::openSqliteStore(dir_.file("honeytrail.db"), {});
    EXPECT_TRUE(s.hasValue()) << s.status().toString();
    return s.hasValue() ? std::move(s).value() : nullptr;
  }
  test::TempDir dir_;
};

TEST_F(LiveStoreTest, CheckpointsGetPutOverwriteAndPersist) {
  auto s = open();
  ASSERT_TRUE(s);
  const std::string p1 = "AWSLogs/218007301253/CloudTrail/us-east-1/";
  const std::string p2 = "AWSLogs/218007301253/CloudTrail/eu-west-1/";
  auto none = s->getCheckpoint("s3:trail", p1);
  ASSERT_TRUE(none.hasValue()) << none.status().toString();
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(s->putCheckpoint("s3:trail", p1, "2026-03-15T11:05:00Z", at("2026-03-15T12:00:00Z"))
                  .isOk());
  ASSERT_TRUE(s->putCheckpoint("s3:trail", p2, "2026-03-15T10:00:00Z", at("2026-03-15T12:00:00Z"))
                  .isOk());
  ASSERT_TRUE(s->putCheckpoint("s3:trail", p1, "2026-03-15T11:20:00Z", at("2026-03-15T12:01:00Z"))
                  .isOk());
  EXPECT_EQ(s->getCheckpoint("s3:trail", p1)->value_or(""), "2026-03-15T11:20:00Z");
  EXPECT_EQ(s->getCheckpoint("s3:trail", p2)->value_or(""), "2026-03-15T10:00:00Z");
  EXPECT_FALSE(s->getCheckpoint("s3:other", p1)->has_value()) << "keyed by source too";
  s.reset();
  auto again = open();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->getCheckpoint("s3:trail", p1)->value_or(""), "2026-03-15T11:20:00Z");
}

TEST_F(LiveStoreTest, ObjectsReadAreRememberedAndPrunedByReadTime) {
  auto s = open();
  ASSERT_TRUE(s);
  const std::string a = "s3://trail/" + ctKey(root(), kAccount, "us-east-1",
                                              at("2026-03-13T09:00:00Z"), "aaaa");
  const std::string b = "s3://trail/" + ctKey(root(), kAccount, "us-east-1",
                                              at("2026-03-15T11:00:00Z"), "bbbb");
  EXPECT_FALSE(*s->objectRead(a));
  ASSERT_TRUE(s->markObjectRead(a, "s3:trail", at("2026-03-13T09:10:00Z"), 12, 0).isOk());
  ASSERT_TRUE(s->markObjectRead(b, "s3:trail", at("2026-03-15T11:10:00Z"), 55, 1).isOk());
  EXPECT_TRUE(*s->objectRead(a));
  EXPECT_TRUE(*s->objectRead(b));
  auto pruned = s->pruneObjectsRead(at("2026-03-14T00:00:00Z"));
  ASSERT_TRUE(pruned.hasValue()) << pruned.status().toString();
  EXPECT_EQ(*pruned, 1);
  EXPECT_FALSE(*s->objectRead(a));
  EXPECT_TRUE(*s->objectRead(b));
  EXPECT_EQ(*s->pruneObjectsRead(at("2026-03-14T00:00:00Z")), 0);
  s.reset();
  auto again = open();
  ASSERT_TRUE(again);
  EXPECT_TRUE(*again->objectRead(b));
}

TEST_F(LiveStoreTest, SourceHealthRoundTripsEveryField) {
  auto s = open();
  ASSERT_TRUE(s);
  live::SourceHealth h;
  h.source = "s3:trail";
  h.kind = "s3";
  h.started_at = at("2026-03-15T10:00:00Z");
  h.last_poll_at = at("2026-03-15T11:59:00Z");
  h.last_data_at = at("2026-03-15T11:58:00Z");
  h.last_object = "s3://trail/AWSLogs/x.json.gz";
  h.newest_event_time = at("2023-07-10T12:01:54Z");
  h.objects = 7;
  h.records = 300;
  h.triggers = 2;
  h.bad_objects = 1;
  h.errors = 3;
  h.last_error = "s3://trail/y.json.gz: truncated-gzip at offset 10";
  h.last_error_at = at("2026-03-15T11:00:00Z");
  h.updated_at = at("2026-03-15T12:00:00Z");
  ASSERT_TRUE(s->putSourceHealth(h).isOk());
  live::SourceHealth q;
  q.source = "sqs:trail-events";
  q.kind = "sqs";
  q.updated_at = at("2026-03-15T12:00:00Z");
  ASSERT_TRUE(s->putSourceHealth(q).isOk());
  h.objects = 8;  // a later flush replaces the row
  ASSERT_TRUE(s->putSourceHealth(h).isOk());
  s.reset();
  auto again = open();
  ASSERT_TRUE(again);
  auto all = again->listSourceHealth();
  ASSERT_TRUE(all.hasValue()) << all.status().toString();
  ASSERT_EQ(all->size(), 2u);
  const live::SourceHealth* got = nullptr;
  const live::SourceHealth* sqs = nullptr;
  for (const auto& x : *all) (x.source == "s3:trail" ? got : sqs) = &x;
  ASSERT_NE(got, nullptr);
  ASSERT_NE(sqs, nullptr);
  EXPECT_EQ(got->kind, "s3");
  EXPECT_EQ(got->started_at, h.started_at);
  EXPECT_EQ(got->last_poll_at, h.last_poll_at);
  EXPECT_EQ(got->last_data_at, h.last_data_at);
  EXPECT_EQ(got->last_object, h.last_object);
  EXPECT_EQ(got->newest_event_time, h.newest_event_time);
  EXPECT_EQ(got->objects, 8u);
  EXPECT_EQ(got->records, 300u);
  EXPECT_EQ(got->triggers, 2u);
  EXPECT_EQ(got->bad_objects, 1u);
  EXPECT_EQ(got->errors, 3u);
  EXPECT_EQ(got->last_error, h.last_error);
  EXPECT_EQ(got->last_error_at, h.last_error_at);
  EXPECT_EQ(got->updated_at, h.updated_at);
  EXPECT_EQ(sqs->kind, "sqs");
  EXPECT_FALSE(sqs->started_at.has_value());
  EXPECT_FALSE(sqs->last_data_at.has_value());
  EXPECT_FALSE(sqs->last_error_at.has_value());
  EXPECT_EQ(sqs->objects, 0u);
}

TEST_F(LiveStoreTest, RegistryVersionGrowsWhenATokenIsAdded) {
  auto s = open();
  ASSERT_TRUE(s);
  FixedClock clock(at("2026-03-15T12:00:00Z"));
  config::Config config;
  tokens::SecretVault vault({}, dir_.path(), [](const std::string&) { return std::nullopt; });
  SeededRandomSource random(11);
  tokens::Registry registry(*s, vault, config, clock, random, "test@host");
  auto before = s->registryVersion();
  ASSERT_TRUE(before.hasValue()) << before.status().toString();
  tokens::ImportOptions imp;
  imp.key_id = kHoneyKey;
  auto token = registry.importKey(imp);
  ASSERT_TRUE(token.hasValue()) << token.status().toString();
  auto after = s->registryVersion();
  ASSERT_TRUE(after.hasValue());
  EXPECT_GT(*after, *before);
  EXPECT_EQ(*s->registryVersion(), *after) << "unchanged while nothing changes";
  // Reading the registry does not move it; another process sees the same version.
  ASSERT_TRUE(registry.list({}).hasValue());
  s.reset();
  auto again = open();
  ASSERT_TRUE(again);
  EXPECT_EQ(*again->registryVersion(), *after);
}

// ---- health -----------------------------------------------------------------------------------

const TimePoint kNow = at("2026-03-15T12:00:00Z");

TEST(LiveHealthTest, FreshDataIsOk) {
  live::SourceHealth h;
  h.started_at = kNow - minutes(120);
  h.last_poll_at = kNow - minutes(1);
  h.last_data_at = kNow - minutes(5);
  auto a = assessHealth(h, kNow, minutes(60));
  EXPECT_EQ(a.status, "ok");
  EXPECT_EQ(a.reason, "data 5 min ago");
  // Started a moment ago, nothing yet: not blind before blind_after has passed.
  live::SourceHealth fresh;
  fresh.started_at = kNow - minutes(10);
  fresh.last_poll_at = kNow - minutes(1);
  a = assessHealth(fresh, kNow, minutes(60));
  EXPECT_EQ(a.status, "ok");
  EXPECT_EQ(a.reason, "running, no data yet");
}

TEST(LiveHealthTest, NoDataForLongerThanBlindAfterIsBlindNamingTheMinutes) {
  live::SourceHealth h;
  h.started_at = kNow - minutes(600);
  h.last_poll_at = kNow - minutes(1);  // still polling: quiet, not failing
  h.last_data_at = kNow - minutes(90);
  auto a = assessHealth(h, kNow, minutes(60));
  EXPECT_EQ(a.status, "blind");
  EXPECT_EQ(a.reason, "no new data for 90 min (limit 60 min)");
  // Exactly at the limit is not yet blind.
  h.last_data_at = kNow - minutes(60);
  EXPECT_EQ(assessHealth(h, kNow, minutes(60)).status, "ok");
}

TEST(LiveHealthTest, NeverAnyDataSinceAStartLongAgoIsBlind) {
  live::SourceHealth h;
  h.started_at = kNow - minutes(61);
  h.last_poll_at = kNow - minutes(1);
  auto a = assessHealth(h, kNow, minutes(60));
  EXPECT_EQ(a.status, "blind");
  EXPECT_EQ(a.reason, "no data since it started 61 min ago (limit 60 min)");
  EXPECT_EQ(assessHealth(live::SourceHealth{}, kNow, minutes(60)).status, "blind")
      << "never ran";
}

TEST(LiveHealthTest, ErrorAfterTheLastPollIsFailing) {
  live::SourceHealth h;
  h.started_at = kNow - minutes(30);
  h.last_data_at = kNow - minutes(10);
  h.last_poll_at = kNow - minutes(3);
  h.last_error = "ListObjectsV2 trail: AccessDenied";
  h.last_error_at = kNow - minutes(1);
  auto a = assessHealth(h, kNow, minutes(60));
  EXPECT_EQ(a.status, "failing");
  EXPECT_EQ(a.reason, "last attempt failed: ListObjectsV2 trail: AccessDenied");
  // A later successful poll clears it.
  h.last_poll_at = kNow;
  EXPECT_EQ(assessHealth(h, kNow, minutes(60)).status, "ok");
  // Failing for longer than blind_after is blind, and the reason keeps the error.
  h.last_poll_at = kNow - minutes(100);
  h.last_data_at = kNow - minutes(100);
  a = assessHealth(h, kNow, minutes(60));
  EXPECT_EQ(a.status, "blind");
  EXPECT_EQ(a.reason,
            "no new data for 100 min; last error: ListObjectsV2 trail: AccessDenied (limit 60 "
            "min)");
}

TEST(LiveHealthTest, TrackerTotalsSurviveARestart) {
  test::TempDir dir;
  FixedClock clock(kNow);
  ProcessResult r;
  r.records = 55;
  r.new_triggers.resize(1);
  r.newest_event_time = at("2023-07-10T12:01:54Z");
  {
    auto s = std::move(store::openSqliteStore(dir.file("h.db"), {})).value();
    HealthTracker t(*s, "s3:trail", "s3", clock);
    t.started();
    t.dataArrived("s3://trail/a.json.gz", r);
    t.badObject("s3://trail/b.json.gz", "truncated-gzip at offset 9");
    clock.advance(minutes(1));
    t.error("GetObject s3://trail/c.json.gz: NoSuchKey");
    ASSERT_TRUE(t.flush().isOk());
  }
  clock.advance(minutes(5));
  auto s = std::move(store::openSqliteStore(dir.file("h.db"), {})).value();
  HealthTracker t(*s, "s3:trail", "s3", clock);
  live::SourceHealth h = t.snapshot();
  EXPECT_EQ(h.kind, "s3");
  EXPECT_EQ(h.objects, 1u);
  EXPECT_EQ(h.records, 55u);
  EXPECT_EQ(h.triggers, 1u);
  EXPECT_EQ(h.bad_objects, 1u);
  EXPECT_EQ(h.errors, 1u);
  EXPECT_EQ(h.last_object, "s3://trail/a.json.gz");
  EXPECT_EQ(h.last_data_at, kNow);
  EXPECT_EQ(h.last_error_at, kNow + minutes(1));
  EXPECT_EQ(h.newest_event_time, r.newest_event_time);
  t.started();
  r.records = 2;
  r.new_triggers.clear();
  t.dataArrived("s3://trail/d.json.gz", r);
  ASSERT_TRUE(t.flush().isOk());
  auto all = s->listSourceHealth();
  ASSERT_TRUE(all.hasValue());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].objects, 2u);
  EXPECT_EQ((*all)[0].records, 57u);
  EXPECT_EQ((*all)[0].triggers, 1u);
  EXPECT_EQ((*all)[0].started_at, kNow + minutes(6)) << "this process's start";
  EXPECT_EQ((*all)[0].updated_at, kNow + minutes(6));
  // Another source's tracker starts from zero.
  HealthTracker other(*s, "sqs:trail-events", "sqs", clock);
  EXPECT_EQ(other.snapshot().objects, 0u);
  EXPECT_EQ(other.snapshot().kind, "sqs");
}

TEST(LiveHealthTest, TrackerKeepsItsKindOverARowWithoutOne) {
  test::TempDir dir;
  FixedClock clock(kNow);
  auto s = std::move(store::openSqliteStore(dir.file("h.db"), {})).value();
  live::SourceHealth old;
  old.source = "sqs:trail-events";
  old.objects = 4;
  old.updated_at = kNow;
  ASSERT_TRUE(s->putSourceHealth(old).isOk());
  HealthTracker t(*s, "sqs:trail-events", "sqs", clock);
  EXPECT_EQ(t.snapshot().kind, "sqs");
  EXPECT_EQ(t.snapshot().objects, 4u);
}

// ---- shared moto fixture --------------------------------------------------------------------

// One honeytrail process's worth of live objects over the SQLite file; a test "restarts" by
// dropping one and building another over the same file.
struct Process {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<tokens::Registry> registry;
  std::unique_ptr<Pipeline> pipeline;
  std::unique_ptr<HealthTracker> health;
  std::unique_ptr<ObjectReader> reader;
  std::unique_ptr<S3Source> s3;
  std::unique_ptr<SqsSource> sqs;

  std::vector<detect::TriggerRecord> triggers() {
    auto t = store->listTriggers({});
    EXPECT_TRUE(t.hasValue()) << t.status().toString();
    return t.hasValue() ? *t : std::vector<detect::TriggerRecord>{};
  }
  bool read(const std::string& object) {
    auto r = store->objectRead(object);
    EXPECT_TRUE(r.hasValue()) << r.status().toString();
    return r.hasValue() && *r;
  }
};

class LiveMotoTest : public test::MotoTest {
 protected:
  void SetUp() override {
    test::MotoTest::SetUp();
    if (HasFatalFailure()) return;
    session_ = newSession();
    ASSERT_TRUE(session_);
    // The bucket by a signed CreateBucket of our own (a CLI run costs about a second per test);
    // the objects in it are uploaded with the AWS CLI.
    net::HttpOptions http;
    http.request_timeout_ms = 10000;
    transport_ = net::makeCurlTransport(http);
    aws::Credentials c;
    c.access_key_id = kEnv.at("AWS_ACCESS_KEY_ID");
    c.secret_access_key = SecretString(kEnv.at("AWS_SECRET_ACCESS_KEY"));
    credentials_ = aws::makeStaticCredentials(c);
    aws::AwsClient client(*transport_, *credentials_, SystemClock::instance(), random_,
                          aws::RetryPolicy{2, 10, 100});
    aws::ServiceRequest req;
    req.service = "s3";
    req.region = "us-east-1";
    req.method = "PUT";
    req.url = moto_->endpoint() + "/" + kBucket;
    req.s3 = true;
    auto made = client.call(req);
    ASSERT_TRUE(made.hasValue()) << made.status().toString();
  }

  test::RunResult cli(std::vector<std::string> args) {
    std::vector<std::string> argv = {test::awsCli(), "--endpoint-url", moto_->endpoint(),
                                     "--output", "json"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto env = kEnv;
    env["HOME"] = dir_.path();
    test::RunResult r = test::run(argv, env);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r;
  }

  // Puts a gzipped copy of a dataset file at `key` in the staging tree; upload() sends the tree.
  void stage(const std::string& key, const std::string& dataset_name) {
    std::string dst = dir_.file("up/" + key);
    fs::create_directories(fs::path(dst).parent_path());
    test::RunResult r =
        test::run({"sh", "-c", "gzip -c -n \"$0\" > \"$1\"", kDataset + dataset_name, dst});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void stageText(const std::string& key, const std::string& bytes) {
    std::string dst = dir_.file("up/" + key);
    fs::create_directories(fs::path(dst).parent_path());
    test::writeText(dst, bytes);
  }
  // One CLI run for everything staged (each run costs about a second).
  void upload() {
    test::RunResult r = cli({"s3", "cp", "--recursive", "--quiet", dir_.file("up"),
                             std::string("s3://") + kBucket + "/"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    fs::remove_all(dir_.file("up"));
  }

  // AWS clients for the emulator; each thread that calls AWS needs a session of its own.
  std::unique_ptr<aws::AwsSession> newSession() {
    config::AwsOptions options;
    options.endpoint_url = moto_->endpoint();
    options.max_attempts = 2;
    options.request_timeout_ms = 30000;  // above any long poll's wait
    auto session =
        aws::AwsSession::create(options, SystemClock::instance(), [](const std::string& name) {
          auto it = kEnv.find(name);
          return it == kEnv.end() ? std::nullopt : std::optional<std::string>(it->second);
        });
    EXPECT_TRUE(session.hasValue()) << session.status().toString();
    return session.hasValue() ? std::move(session).value() : nullptr;
  }

  std::unique_ptr<Process> start(const std::string& source, const std::string& kind) {
    auto p = std::make_unique<Process>();
    auto s = store::openSqliteStore(dir_.file("honeytrail.db"), {});
    EXPECT_TRUE(s.hasValue()) << s.status().toString();
    if (!s.hasValue()) return nullptr;
    p->store = std::move(s).value();
    p->registry = std::make_unique<tokens::Registry>(*p->store, vault_, config_, clock_, random_,
                                                     "test@host");
    p->pipeline = std::make_unique<Pipeline>(*p->store, *p->registry, nullptr, clock_);
    p->health = std::make_unique<HealthTracker>(*p->store, source, kind, clock_);
    p->health->started();
    p->reader = std::make_unique<ObjectReader>(session_->s3(), *p->pipeline, *p->store, clock_);
    return p;
  }
  std::unique_ptr<Process> startS3(const config::S3SourceOptions& options) {
    auto p = start(std::string("s3:") + kBucket, "s3");
    if (p) {
      p->s3 = std::make_unique<S3Source>(options, session_->s3(), *p->reader, *p->store,
                                         *p->health, clock_, stop_);
    }
    return p;
  }
  void importHoneyKey(Process& p) {
    tokens::ImportOptions imp;
    imp.key_id = kHoneyKey;
    imp.label = "ci deploy key (honey)";
    auto t = p.registry->importKey(imp);
    ASSERT_TRUE(t.hasValue()) << t.status().toString();
    honey_token_id_ = t->id;
  }
  static config::S3SourceOptions s3Options() {
    config::S3SourceOptions o;
    o.enabled = true;
    o.bucket = kBucket;
    o.lookback_minutes = 60;
    o.initial_lookback_minutes = 1440;
    return o;
  }
  static std::string object(const std::string& key) {
    return std::string("s3://") + kBucket + "/" + key;
  }

  static constexpr char kBucket[] = "acme-cloudtrail-logs";
  test::TempDir dir_;
  FixedClock clock_{kNow};
  config::Config config_;
  tokens::SecretVault vault_{{}, "/nonexistent", [](const std::string&) { return std::nullopt; }};
  SeededRandomSource random_{5};
  std::atomic<bool> stop_{false};
  std::unique_ptr<net::HttpTransport> transport_;
  std::unique_ptr<aws::CredentialsProvider> credentials_;
  std::unique_ptr<aws::AwsSession> session_;
  std::string honey_token_id_;
};

// ---- S3 ---------------------------------------------------------------------------------------

class LiveS3Test : public LiveMotoTest {};

TEST_F(LiveS3Test, FindsRegionsOrgTrailsAndPrefixesAndReadsEachFileOnce) {
  const std::string org = "cloudtrail/org-trail/AWSLogs/o-abc123defg/";
  const std::string k_east = ctKey(root(), kAccount, "us-east-1", kNow - minutes(55),
                                   kHoneyFile.unique);
  const std::string k_west = ctKey(root(), kAccount, "eu-west-1", kNow - minutes(50),
                                   kQuiet[0].unique);
  const std::string k_org1 = ctKey(org + "111122223333/", "111122223333", "us-west-2",
                                   kNow - minutes(45), kQuiet[1].unique);
  const std::string k_org2 = ctKey(org + "444455556666/", "444455556666", "ap-southeast-2",
                                   kNow - minutes(40), kQuiet[2].unique);
  stage(k_east, kHoneyFile.name);
  stage(k_west, kQuiet[0].name);
  stage(k_org1, kQuiet[1].name);
  stage(k_org2, kQuiet[2].name);
  // Hashes, not events: CloudTrail-Digest/ is beside CloudTrail/, never under it.
  const std::string k_digest = root() + "CloudTrail-Digest/us-east-1/2026/03/15/" + kAccount +
                               "_CloudTrail-Digest_us-east-1_management-events_us-east-1_"
                               "20260315T110512Z.json.gz";
  stage(k_digest, kQuiet[3].name);
  // Not a delivery file, though its content would parse.
  const std::string k_text = root() + "CloudTrail/us-east-1/2026/03/15/" + kQuiet[4].name;
  stageText(k_text, test::readText(kDataset + kQuiet[4].name));
  // A folder of something else beside AWSLogs/ and a non-account folder under it.
  stageText("AWSLogs/notes/readme.txt", "x");
  stageText("other/AWSLogs/" + std::string(kAccount) + "/CloudTrail/us-east-1/2026/03/15/x.json",
            "{}");
  ASSERT_NO_FATAL_FAILURE(upload());

  config::S3SourceOptions o = s3Options();
  o.prefixes = {"", "cloudtrail/org-trail"};  // no trailing slash: added
  auto p = startS3(o);
  ASSERT_TRUE(p);
  ASSERT_NO_FATAL_FAILURE(importHoneyKey(*p));
  auto prefixes = p->s3->trailPrefixes();
  ASSERT_TRUE(prefixes.hasValue()) << prefixes.status().toString();
  EXPECT_EQ(*prefixes,
            (std::vector<std::string>{
                root() + "CloudTrail/eu-west-1/",
                root() + "CloudTrail/us-east-1/",
                org + "111122223333/CloudTrail/us-west-2/",
                org + "444455556666/CloudTrail/ap-southeast-2/",
            }));

  Status st = p->s3->pollOnce();
  ASSERT_TRUE(st.isOk()) << st.toString();
  for (const auto& k : {k_east, k_west, k_org1, k_org2}) EXPECT_TRUE(p->read(object(k))) << k;
  EXPECT_FALSE(p->read(object(k_digest)));
  EXPECT_FALSE(p->read(object(k_text)));
  EXPECT_FALSE(p->read(object("other/AWSLogs/" + std::string(kAccount) +
                              "/CloudTrail/us-east-1/2026/03/15/x.json")))
      << "not under a configured prefix";
  live::SourceHealth h = p->health->snapshot();
  EXPECT_EQ(h.objects, 4u);
  EXPECT_EQ(h.records, kHoneyFile.records + kQuiet[0].records + kQuiet[1].records +
                           kQuiet[2].records);
  EXPECT_EQ(h.triggers, 1u);
  EXPECT_EQ(h.bad_objects, 0u);
  EXPECT_EQ(h.errors, 0u);
  EXPECT_EQ(h.last_poll_at, kNow);
  EXPECT_EQ(h.last_data_at, kNow);

  auto triggers = p->triggers();
  ASSERT_EQ(triggers.size(), 1u);
  EXPECT_EQ(triggers[0].token_id, honey_token_id_);
  EXPECT_EQ(triggers[0].event_id, kHoneyEventId);
  EXPECT_EQ(triggers[0].event_name, "GetRegionOptStatus");
  EXPECT_EQ(triggers[0].trigger_class, detect::TriggerClass::kUsed);
  EXPECT_EQ(triggers[0].source, object(k_east));

  // Each prefix's checkpoint is the newest file-name time read there.
  const std::string source = std::string("s3:") + kBucket;
  EXPECT_EQ(p->store->getCheckpoint(source, root() + "CloudTrail/us-east-1/")->value_or(""),
            formatTime(kNow - minutes(55)));
  EXPECT_EQ(p->store->getCheckpoint(source, org + "444455556666/CloudTrail/ap-southeast-2/")
                ->value_or(""),
            formatTime(kNow - minutes(40)));

  // A second poll reads nothing again.
  clock_.advance(minutes(1));
  st = p->s3->pollOnce();
  ASSERT_TRUE(st.isOk()) << st.toString();
  h = p->health->snapshot();
  EXPECT_EQ(h.objects, 4u);
  EXPECT_EQ(h.triggers, 1u);
  EXPECT_EQ(h.last_poll_at, kNow + minutes(1));
  EXPECT_EQ(h.last_data_at, kNow) << "no new data";
  EXPECT_EQ(p->triggers().size(), 1u);
}

TEST_F(LiveS3Test, RestartReadsLateAndNewFilesAndNothingTwice) {
  const std::string region = "us-east-1";
  // Before the restart: three files, the newest at 11:20.
  const std::string k1 = ctKey(root(), kAccount, region, at("2026-03-15T11:00:00Z"),
                               kQuiet[0].unique);
  const std::string k2 = ctKey(root(), kAccount, region, at("2026-03-15T11:10:00Z"),
                               kQuiet[1].unique);
  const std::string k3 = ctKey(root(), kAccount, region, at("2026-03-15T11:20:00Z"),
                               kQuiet[2].unique);
  stage(k1, kQuiet[0].name);
  stage(k2, kQuiet[1].name);
  stage(k3, kQuiet[2].name);
  ASSERT_NO_FATAL_FAILURE(upload());
  {
    auto p = startS3(s3Options());
    ASSERT_TRUE(p);
    ASSERT_NO_FATAL_FAILURE(importHoneyKey(*p));
    ASSERT_TRUE(p->s3->pollOnce().isOk());
    EXPECT_EQ(p->health->snapshot().objects, 3u);
    ASSERT_TRUE(p->health->flush().isOk());
  }
  // While it was down: a late file from 11:15 (older than the checkpoint, inside the 60-minute
  // lookback) holding the honey key's use, a new one from 11:30, and one from 10:10, older than
  // the lookback reaches (checkpoint 11:20 - 60 min = 10:20).
  const std::string k_late = ctKey(root(), kAccount, region, at("2026-03-15T11:15:00Z"),
                                   kHoneyFile.unique);
  const std::string k_new = ctKey(root(), kAccount, region, at("2026-03-15T11:30:00Z"),
                                  kQuiet[3].unique);
  const std::string k_old = ctKey(root(), kAccount, region, at("2026-03-15T10:10:00Z"),
                                  kQuiet[4].unique);
  stage(k_late, kHoneyFile.name);
  stage(k_new, kQuiet[3].name);
  stage(k_old, kQuiet[4].name);
  ASSERT_NO_FATAL_FAILURE(upload());
  clock_.advance(minutes(15));

  auto p = startS3(s3Options());
  ASSERT_TRUE(p);
  EXPECT_EQ(p->health->snapshot().objects, 3u) << "totals carried over";
  Status st = p->s3->pollOnce();
  ASSERT_TRUE(st.isOk()) << st.toString();
  live::SourceHealth h = p->health->snapshot();
  EXPECT_EQ(h.objects, 5u) << "the late and the new file only";
  EXPECT_EQ(h.records, kQuiet[0].records + kQuiet[1].records + kQuiet[2].records +
                           kHoneyFile.records + kQuiet[3].records);
  EXPECT_EQ(h.triggers, 1u);
  EXPECT_TRUE(p->read(object(k_late)));
  EXPECT_TRUE(p->read(object(k_new)));
  EXPECT_FALSE(p->read(object(k_old))) << "older than the lookback window";
  auto triggers = p->triggers();
  ASSERT_EQ(triggers.size(), 1u);
  EXPECT_EQ(triggers[0].source, object(k_late));
  EXPECT_EQ(p->store->getCheckpoint(std::string("s3:") + kBucket,
                                    root() + "CloudTrail/" + region + "/")
                ->value_or(""),
            "2026-03-15T11:30:00Z")
      << "a late file never moves the checkpoint back";

  // And again: nothing.
  clock_.advance(minutes(1));
  ASSERT_TRUE(p->s3->pollOnce().isOk());
  EXPECT_EQ(p->health->snapshot().objects, 5u);
  EXPECT_EQ(p->triggers().size(), 1u);
}

// CloudTrail writes a file only when a region has events: a quiet region's checkpoint can stay
// days behind while the objects-read memory is pruned by read time.
TEST_F(LiveS3Test, QuietRegionIsNotReadAgainAfterItsObjectsArePruned) {
  const std::string k_busy = ctKey(root(), kAccount, "us-east-1", kNow - minutes(20),
                                   kQuiet[0].unique);
  const std::string k_quiet = ctKey(root(), kAccount, "ap-southeast-2", kNow - minutes(30),
                                    kQuiet[1].unique);
  stage(k_busy, kQuiet[0].name);
  stage(k_quiet, kQuiet[1].name);
  ASSERT_NO_FATAL_FAILURE(upload());
  config::S3SourceOptions o = s3Options();
  o.initial_lookback_minutes = 120;  // objects read are forgotten after 120 min + 48 h
  auto p = startS3(o);
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->s3->pollOnce().isOk());
  EXPECT_EQ(p->health->snapshot().objects, 2u);
  // Three days later the busy region has a new file; the quiet one still has none.
  clock_.advance(std::chrono::hours(72));
  const std::string k_busy2 = ctKey(root(), kAccount, "us-east-1", clock_.now() - minutes(10),
                                    kQuiet[2].unique);
  stage(k_busy2, kQuiet[2].name);
  ASSERT_NO_FATAL_FAILURE(upload());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(p->s3->pollOnce().isOk());
    clock_.advance(minutes(1));
  }
  EXPECT_EQ(p->health->snapshot().objects, 3u) << "the quiet region's old file read again";
  EXPECT_EQ(p->health->snapshot().records,
            kQuiet[0].records + kQuiet[1].records + kQuiet[2].records);
  // And a file delivered late to the quiet region, inside the lookback, is still read.
  const std::string k_quiet2 = ctKey(root(), kAccount, "ap-southeast-2",
                                     clock_.now() - minutes(15), kQuiet[3].unique);
  stage(k_quiet2, kQuiet[3].name);
  ASSERT_NO_FATAL_FAILURE(upload());
  ASSERT_TRUE(p->s3->pollOnce().isOk());
  EXPECT_TRUE(p->read(object(k_quiet2)));
  EXPECT_EQ(p->health->snapshot().objects, 4u);
}

// A token registered while the source runs is matched from the next object on.
TEST_F(LiveS3Test, TokenAddedWhileRunningIsDetectedFromTheNextObject) {
  const std::string k1 = ctKey(root(), kAccount, "us-east-1", kNow - minutes(20),
                               kHoneyFile.unique);
  stage(k1, kHoneyFile.name);
  ASSERT_NO_FATAL_FAILURE(upload());
  auto p = startS3(s3Options());
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->s3->pollOnce().isOk());
  EXPECT_EQ(p->pipeline->tokenCount(), 0u);
  EXPECT_TRUE(p->triggers().empty());
  ASSERT_NO_FATAL_FAILURE(importHoneyKey(*p));
  EXPECT_EQ(p->pipeline->tokenCount(), 1u);
  // The same delivery copied by a replication rule into another region's folder.
  const std::string k2 = ctKey(root(), kAccount, "us-east-2", kNow - minutes(5),
                               kHoneyFile.unique);
  stage(k2, kHoneyFile.name);
  ASSERT_NO_FATAL_FAILURE(upload());
  clock_.advance(minutes(1));
  ASSERT_TRUE(p->s3->pollOnce().isOk());
  auto triggers = p->triggers();
  ASSERT_EQ(triggers.size(), 1u);
  EXPECT_EQ(triggers[0].source, object(k2));
  EXPECT_EQ(triggers[0].token_id, honey_token_id_);
}

TEST_F(LiveS3Test, InitialLookbackExcludesOlderFilesAcrossMidnight) {
  clock_.set(at("2026-03-15T00:30:00Z"));
  const std::string region = "eu-central-1";
  // initial_lookback 120 min: from 2026-03-14T22:30, listing from the 14th's folder.
  const std::string k_day_before = ctKey(root(), kAccount, region, at("2026-03-13T23:55:00Z"),
                                         kQuiet[0].unique);
  const std::string k_too_old = ctKey(root(), kAccount, region, at("2026-03-14T22:00:00Z"),
                                      kQuiet[1].unique);
  const std::string k_in = ctKey(root(), kAccount, region, at("2026-03-14T23:45:00Z"),
                                 kQuiet[2].unique);
  const std::string k_today = ctKey(root(), kAccount, region, at("2026-03-15T00:10:00Z"),
                                    kQuiet[3].unique);
  stage(k_day_before, kQuiet[0].name);
  stage(k_too_old, kQuiet[1].name);
  stage(k_in, kQuiet[2].name);
  stage(k_today, kQuiet[3].name);
  ASSERT_NO_FATAL_FAILURE(upload());
  config::S3SourceOptions o = s3Options();
  o.initial_lookback_minutes = 120;
  auto p = startS3(o);
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->s3->pollOnce().isOk());
  EXPECT_FALSE(p->read(object(k_day_before)));
  EXPECT_FALSE(p->read(object(k_too_old)));
  EXPECT_TRUE(p->read(object(k_in)));
  EXPECT_TRUE(p->read(object(k_today)));
  EXPECT_EQ(p->health->snapshot().objects, 2u);
  EXPECT_EQ(p->health->snapshot().records, kQuiet[2].records + kQuiet[3].records);
}

TEST_F(LiveS3Test, TruncatedGzipIsCountedBadOnceAndLaterFilesAreRead) {
  const std::string region = "us-east-1";
  const std::string k_bad = ctKey(root(), kAccount, region, kNow - minutes(20), kQuiet[5].unique);
  const std::string k_good = ctKey(root(), kAccount, region, kNow - minutes(15),
                                   kHoneyFile.unique);
  stage(k_bad, kQuiet[5].name);
  stage(k_good, kHoneyFile.name);
  std::string whole = test::readText(dir_.file("up/" + k_bad));
  ASSERT_GT(whole.size(), 100u);
  test::writeText(dir_.file("up/" + k_bad), whole.substr(0, whole.size() / 2));
  ASSERT_NO_FATAL_FAILURE(upload());

  auto p = startS3(s3Options());
  ASSERT_TRUE(p);
  ASSERT_NO_FATAL_FAILURE(importHoneyKey(*p));
  Status st = p->s3->pollOnce();
  EXPECT_TRUE(st.isOk()) << "a broken file is not a failed poll: " << st.toString();
  live::SourceHealth h = p->health->snapshot();
  EXPECT_EQ(h.bad_objects, 1u);
  EXPECT_EQ(h.errors, 0u);
  EXPECT_NE(h.last_error.find(object(k_bad)), std::string::npos) << h.last_error;
  EXPECT_NE(h.last_error.find("gzip"), std::string::npos) << h.last_error;
  EXPECT_TRUE(p->read(object(k_bad))) << "recorded, so that it is reported once";
  EXPECT_TRUE(p->read(object(k_good)));
  EXPECT_EQ(p->triggers().size(), 1u);
  clock_.advance(minutes(1));
  ASSERT_TRUE(p->s3->pollOnce().isOk());
  EXPECT_EQ(p->health->snapshot().bad_objects, 1u);
}

TEST_F(LiveS3Test, StopSetBeforeThePollReadsNothing) {
  const std::string k1 = ctKey(root(), kAccount, "us-east-1", kNow - minutes(20),
                               kQuiet[0].unique);
  const std::string k2 = ctKey(root(), kAccount, "eu-west-1", kNow - minutes(10),
                               kQuiet[1].unique);
  stage(k1, kQuiet[0].name);
  stage(k2, kQuiet[1].name);
  ASSERT_NO_FATAL_FAILURE(upload());
  auto p = startS3(s3Options());
  ASSERT_TRUE(p);
  stop_ = true;
  ASSERT_TRUE(p->s3->pollOnce().isOk());
  EXPECT_EQ(p->health->snapshot().objects, 0u);
  EXPECT_FALSE(p->read(object(k1)));
  EXPECT_FALSE(p->read(object(k2)));
  EXPECT_FALSE(p->store->getCheckpoint(std::string("s3:") + kBucket,
                                       root() + "CloudTrail/us-east-1/")
                   ->has_value());
  stop_ = false;
  ASSERT_TRUE(p->s3->pollOnce().isOk());
  EXPECT_EQ(p->health->snapshot().objects, 2u);
}

TEST_F(LiveS3Test, StopSetMidwayFinishesTheObjectInHandAndLeavesTheRest) {
  const std::string region = "us-east-1";
  const std::string k1 = ctKey(root(), kAccount, region, kNow - minutes(30), kHoneyFile.unique);
  const std::string k2 = ctKey(root(), kAccount, region, kNow - minutes(25), kQuiet[0].unique);
  const std::string k3 = ctKey(root(), kAccount, region, kNow - minutes(20), kQuiet[1].unique);
  stage(k1, kHoneyFile.name);
  stage(k2, kQuiet[0].name);
  stage(k3, kQuiet[1].name);
  ASSERT_NO_FATAL_FAILURE(upload());
  auto p = startS3(s3Options());
  ASSERT_TRUE(p);
  ASSERT_NO_FATAL_FAILURE(importHoneyKey(*p));
  int alerts = 0;
  p->pipeline->onTrigger([&](const detect::TriggerRecord&) {
    ++alerts;
    stop_ = true;  // SIGTERM arrives while the first file is being read
  });
  ASSERT_TRUE(p->s3->pollOnce().isOk());
  EXPECT_EQ(alerts, 1);
  EXPECT_TRUE(p->read(object(k1)));
  EXPECT_FALSE(p->read(object(k2)));
  EXPECT_FALSE(p->read(object(k3)));
  EXPECT_EQ(p->health->snapshot().objects, 1u);
  const std::string source = std::string("s3:") + kBucket;
  const std::string prefix = root() + "CloudTrail/" + region + "/";
  EXPECT_EQ(p->store->getCheckpoint(source, prefix)->value_or(""),
            formatTime(kNow - minutes(30)));

  stop_ = false;
  ASSERT_TRUE(p->s3->pollOnce().isOk());
  EXPECT_TRUE(p->read(object(k2)));
  EXPECT_TRUE(p->read(object(k3)));
  EXPECT_EQ(p->health->snapshot().objects, 3u);
  EXPECT_EQ(p->triggers().size(), 1u);
  EXPECT_EQ(alerts, 1);
  EXPECT_EQ(p->store->getCheckpoint(source, prefix)->value_or(""),
            formatTime(kNow - minutes(20)));
}

// ---- SQS --------------------------------------------------------------------------------------

Json s3EventRecord(const std::string& bucket, const std::string& encoded_key, uint64_t size) {
  return {{"eventVersion", "2.1"},
          {"eventSource", "aws:s3"},
          {"awsRegion", "us-east-1"},
          {"eventTime", "2026-03-15T11:55:03.214Z"},
          {"eventName", "ObjectCreated:Put"},
          {"userIdentity", {{"principalId", "AWS:AROAEXAMPLE:regionalDeliverySession"}}},
          {"requestParameters", {{"sourceIPAddress", "10.0.31.7"}}},
          {"responseElements",
           {{"x-amz-request-id", "C3D13FE58DE4C810"},
            {"x-amz-id-2", "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"}}},
          {"s3",
           {{"s3SchemaVersion", "1.0"},
            {"configurationId", "honeytrail-new-logs"},
            {"bucket",
             {{"name", bucket},
              {"ownerIdentity", {{"principalId", "A3NL1KOZZKExample"}}},
              {"arn", "arn:aws:s3:::" + bucket}}},
            {"object",
             {{"key", encoded_key},
              {"size", size},
              {"eTag", "d41d8cd98f00b204e9800998ecf8427e"},
              {"sequencer", "0055AED6DCD90281E5"}}}}}};
}

std::string snsEnvelope(const std::string& message) {
  return Json{{"Type", "Notification"},
              {"MessageId", "6a18da96-bcc5-52f2-b5e9-91006caecea2"},
              {"TopicArn", "arn:aws:sns:us-east-1:218007301253:cloudtrail-delivery"},
              {"Message", message},
              {"Timestamp", "2026-03-15T11:56:15.990Z"},
              {"SignatureVersion", "1"},
              {"Signature", "EXAMPLE"},
              {"SigningCertURL", "https://sns.us-east-1.amazonaws.com/cert.pem"},
              {"UnsubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe"}}
      .dump();
}

class LiveSqsTest : public LiveMotoTest {
 protected:
  void SetUp() override {
    LiveMotoTest::SetUp();
    if (HasFatalFailure()) return;
    test::RunResult dlq = cli({"sqs", "create-queue", "--queue-name", "trail-events-dlq"});
    ASSERT_EQ(dlq.exit_code, 0);
    dlq_url_ = Json::parse(dlq.out).at("QueueUrl").get<std::string>();
    // .../ACCOUNT/NAME → arn:aws:sqs:REGION:ACCOUNT:NAME (saves a CLI run, about a second).
    size_t name_at = dlq_url_.rfind('/');
    size_t account_at = dlq_url_.rfind('/', name_at - 1);
    ASSERT_NE(account_at, std::string::npos) << dlq_url_;
    std::string dlq_arn = "arn:aws:sqs:us-east-1:" +
                          dlq_url_.substr(account_at + 1, name_at - account_at - 1) + ":" +
                          dlq_url_.substr(name_at + 1);
    Json attributes = {
        {"VisibilityTimeout", "1"},
        {"RedrivePolicy",
         Json{{"deadLetterTargetArn", dlq_arn}, {"maxReceiveCount", "2"}}.dump()}};
    test::writeText(dir_.file("attributes.json"), attributes.dump());
    test::RunResult q = cli({"sqs", "create-queue", "--queue-name", "trail-events",
                             "--attributes", "file://" + dir_.file("attributes.json")});
    ASSERT_EQ(q.exit_code, 0);
    queue_url_ = Json::parse(q.out).at("QueueUrl").get<std::string>();
  }

  void sendAll(const std::vector<std::string>& bodies) {
    Json entries = Json::array();
    for (size_t i = 0; i < bodies.size(); ++i) {
      entries.push_back({{"Id", "m" + std::to_string(i)}, {"MessageBody", bodies[i]}});
    }
    test::writeText(dir_.file("entries.json"), entries.dump());
    test::RunResult r = cli({"sqs", "send-message-batch", "--queue-url", queue_url_, "--entries",
                             "file://" + dir_.file("entries.json")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(Json::parse(r.out).at("Successful").size(), bodies.size()) << r.out;
  }

  std::unique_ptr<Process> startSqs() {
    auto p = start("sqs:trail-events", "sqs");
    if (p) {
      p->sqs = std::make_unique<SqsSource>(options(), session_->sqs(), *p->reader, *p->pipeline,
                                           *p->health, clock_, stop_);
    }
    return p;
  }
  config::SqsSourceOptions options() const {
    config::SqsSourceOptions o;
    o.enabled = true;
    o.queue_url = queue_url_;
    o.wait_seconds = 1;
    o.max_messages = 10;
    o.visibility_timeout_seconds = 1;  // failed messages come back quickly
    return o;
  }

  std::string queue_url_;
  std::string dlq_url_;
};

TEST_F(LiveSqsTest, GoodMessagesAreDeletedAndPoisonAndMissingObjectsEndInTheDlq) {
  // A trail under a prefix with characters S3 event notifications encode (space, '=').
  const std::string trail = "ct logs/env=prod/AWSLogs/" + std::string(kAccount) + "/";
  const std::string k_honey = ctKey(trail, kAccount, "us-east-1", kNow - minutes(5),
                                    kHoneyFile.unique);
  const std::string k_notice = ctKey(root(), kAccount, "eu-west-1", kNow - minutes(4),
                                     kQuiet[0].unique);
  const std::string k_missing = ctKey(root(), kAccount, "eu-west-1", kNow - minutes(3),
                                      "NeverDelivered01");
  // Bucket notifications on AWSLogs/ fire for digest files too: those hold hashes, not events.
  const std::string k_digest = root() + "CloudTrail-Digest/us-east-1/2026/03/15/" + kAccount +
                               "_CloudTrail-Digest_us-east-1_management-events_us-east-1_"
                               "20260315T115512Z.json.gz";
  stage(k_honey, kHoneyFile.name);
  stage(k_notice, kQuiet[0].name);
  stage(k_digest, kQuiet[1].name);
  ASSERT_NO_FATAL_FAILURE(upload());

  std::string encoded = k_honey;
  for (auto [from, to] : {std::pair<std::string, std::string>{" ", "+"}, {"=", "%3D"}}) {
    for (size_t i = encoded.find(from); i != std::string::npos; i = encoded.find(from, i)) {
      encoded.replace(i, from.size(), to);
      i += to.size();
    }
  }
  ASSERT_EQ(encoded.substr(0, 18), "ct+logs/env%3Dprod");
  const std::string s3_event = Json{{"Records", {s3EventRecord(kBucket, encoded, 4242)}}}.dump();
  const std::string ct_notice =
      snsEnvelope(Json{{"s3Bucket", kBucket}, {"s3ObjectKey", {k_notice}}}.dump());
  const std::string test_event =
      R"({"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-03-15T11:00:02.089Z",)"
      R"("Bucket":"acme-cloudtrail-logs","RequestId":"5582815E1AEA5ADF",)"
      R"("HostId":"8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE"})";
  const std::string poison = "ObjectCreated k=" + k_honey + " (not JSON)";
  const std::string missing = Json{{"Records", {s3EventRecord(kBucket, k_missing, 100)}}}.dump();
  const std::string digest = Json{{"Records", {s3EventRecord(kBucket, k_digest, 700)}}}.dump();
  ASSERT_NO_FATAL_FAILURE(sendAll({s3_event, ct_notice, test_event, poison, missing, digest}));

  auto p = startSqs();
  ASSERT_TRUE(p);
  ASSERT_NO_FATAL_FAILURE(importHoneyKey(*p));
  Status st = p->sqs->pollOnce();
  ASSERT_TRUE(st.isOk()) << st.toString();
  live::SourceHealth h = p->health->snapshot();
  EXPECT_EQ(h.objects, 2u);
  EXPECT_EQ(h.records, kHoneyFile.records + kQuiet[0].records);
  EXPECT_EQ(h.triggers, 1u);
  EXPECT_EQ(h.bad_objects, 1u) << "the poison message";
  EXPECT_EQ(h.errors, 1u) << "the missing object";
  EXPECT_TRUE(p->read(object(k_honey))) << "key decoded before fetching";
  EXPECT_TRUE(p->read(object(k_notice)));
  EXPECT_FALSE(p->read(object(k_missing)));
  EXPECT_FALSE(p->read(object(k_digest)));
  auto triggers = p->triggers();
  ASSERT_EQ(triggers.size(), 1u);
  EXPECT_EQ(triggers[0].event_id, kHoneyEventId);
  EXPECT_EQ(triggers[0].source, object(k_honey));

  // Only the poison message and the one naming a missing object come back (receive 2)...
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  ASSERT_TRUE(p->sqs->pollOnce().isOk());
  h = p->health->snapshot();
  EXPECT_EQ(h.objects, 2u);
  EXPECT_EQ(h.bad_objects, 2u);
  EXPECT_EQ(h.errors, 2u);
  // ...and after maxReceiveCount receives the queue moves both to the dead-letter queue.
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  ASSERT_TRUE(p->sqs->pollOnce().isOk());
  h = p->health->snapshot();
  EXPECT_EQ(h.bad_objects, 2u);
  EXPECT_EQ(h.errors, 2u);
  EXPECT_EQ(h.triggers, 1u);
  EXPECT_EQ(p->triggers().size(), 1u);

  test::RunResult dead = cli({"sqs", "receive-message", "--queue-url", dlq_url_,
                              "--max-number-of-messages", "10", "--wait-time-seconds", "0"});
  ASSERT_EQ(dead.exit_code, 0);
  std::multiset<std::string> dead_bodies;
  Json dead_doc = dead.out.empty() ? Json::object() : Json::parse(dead.out);
  for (const auto& m : dead_doc.value("Messages", Json::array())) {
    dead_bodies.insert(m.at("Body").get<std::string>());
  }
  EXPECT_EQ(dead_bodies, (std::multiset<std::string>{poison, missing}));
  test::RunResult left = cli({"sqs", "get-queue-attributes", "--queue-url", queue_url_,
                              "--attribute-names", "ApproximateNumberOfMessages",
                              "ApproximateNumberOfMessagesNotVisible"});
  ASSERT_EQ(left.exit_code, 0);
  Json attrs = Json::parse(left.out).at("Attributes");
  EXPECT_EQ(attrs.at("ApproximateNumberOfMessages").get<std::string>(), "0");
  EXPECT_EQ(attrs.at("ApproximateNumberOfMessagesNotVisible").get<std::string>(), "0");
}

TEST_F(LiveSqsTest, RedeliveredNoticeAfterARestartMakesNoSecondTrigger) {
  const std::string k = ctKey(root(), kAccount, "us-east-1", kNow - minutes(5),
                              kHoneyFile.unique);
  stage(k, kHoneyFile.name);
  ASSERT_NO_FATAL_FAILURE(upload());
  const std::string body = Json{{"Records", {s3EventRecord(kBucket, k, 4242)}}}.dump();
  ASSERT_NO_FATAL_FAILURE(sendAll({body}));
  {
    auto p = startSqs();
    ASSERT_TRUE(p);
    ASSERT_NO_FATAL_FAILURE(importHoneyKey(*p));
    ASSERT_TRUE(p->sqs->pollOnce().isOk());
    EXPECT_EQ(p->triggers().size(), 1u);
    EXPECT_EQ(p->health->snapshot().objects, 1u);
    ASSERT_TRUE(p->health->flush().isOk());
  }
  // S3 delivers notifications at least once: the same notice again, and CloudTrail's own.
  ASSERT_NO_FATAL_FAILURE(sendAll(
      {body, snsEnvelope(Json{{"s3Bucket", kBucket}, {"s3ObjectKey", {k}}}.dump())}));
  auto p = startSqs();
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->sqs->pollOnce().isOk());
  live::SourceHealth h = p->health->snapshot();
  EXPECT_EQ(h.objects, 1u) << "already read: not counted again";
  EXPECT_EQ(h.triggers, 1u);
  EXPECT_EQ(h.errors, 0u);
  EXPECT_EQ(h.bad_objects, 0u);
  auto triggers = p->triggers();
  ASSERT_EQ(triggers.size(), 1u);
  EXPECT_EQ(triggers[0].event_id, kHoneyEventId);
  // Both were deleted: none is left, visible or in flight.
  test::RunResult left = cli({"sqs", "get-queue-attributes", "--queue-url", queue_url_,
                              "--attribute-names", "ApproximateNumberOfMessages",
                              "ApproximateNumberOfMessagesNotVisible"});
  ASSERT_EQ(left.exit_code, 0);
  Json attrs = Json::parse(left.out).at("Attributes");
  EXPECT_EQ(attrs.at("ApproximateNumberOfMessages").get<std::string>(), "0");
  EXPECT_EQ(attrs.at("ApproximateNumberOfMessagesNotVisible").get<std::string>(), "0");
}

}  // namespace
}  // namespace ht::live

namespace ht::live {
namespace {

// A message in hand stays invisible for as long as it is held, however short its visibility
// timeout; once let go (without a delete), it comes back.
TEST_F(LiveSqsTest, VisibilityKeeperHoldsASlowMessage) {
  sendAll({"{\"s3Bucket\":\"b\",\"s3ObjectKey\":[]}"});
  auto heartbeat_session = newSession();
  ASSERT_TRUE(heartbeat_session);
  aws::ReceiveRequest req;
  req.max_messages = 1;
  req.wait_seconds = 1;
  req.visibility_timeout = 2;
  auto got = session_->sqs().receiveMessages(queue_url_, req);
  ASSERT_TRUE(got.hasValue()) << got.status().toString();
  ASSERT_EQ(got->size(), 1u);
  auto process = start("sqs:trail-events", "sqs");
  ASSERT_TRUE(process);
  HealthTracker& health = *process->health;
  req.wait_seconds = 0;
  {
    // The emulator's visibility timeout runs in real time, so the keeper must too.
    VisibilityKeeper keeper(&heartbeat_session->sqs(), queue_url_, (*got)[0].receipt_handle, 2,
                            health, SystemClock::instance());
    // Twice the timeout later, the message is still hidden: the keeper extended it.
    std::this_thread::sleep_for(std::chrono::milliseconds(4200));
    auto meanwhile = session_->sqs().receiveMessages(queue_url_, req);
    ASSERT_TRUE(meanwhile.hasValue());
    EXPECT_TRUE(meanwhile->empty()) << "another consumer saw the message in hand";
    EXPECT_GE(keeper.extensions(), 2);
  }
  EXPECT_EQ(health.snapshot().errors, 0u);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  auto after = session_->sqs().receiveMessages(queue_url_, req);
  ASSERT_TRUE(after.hasValue());
  EXPECT_EQ(after->size(), 1u) << "let go without a delete, it comes back";
}

// The keeper's pace, on a test::ManualClock against a scripted SQS endpoint (no emulator, no
// real waiting): ChangeMessageVisibility with the handle and the full timeout every third of
// the timeout of clock time, a failed extension counted in the source's health and the next one
// tried all the same.
class VisibilityKeeperTest : public ::testing::Test {
 protected:
  VisibilityKeeperTest()
      : store_(std::move(store::openSqliteStore(dir_.file("h.db"), {})).value()),
        transport_(net::makeCurlTransport(net::HttpOptions{})),
        credentials_(aws::makeStaticCredentials(credentials())),
        aws_(*transport_, *credentials_, client_clock_, random_, aws::RetryPolicy{1, 1, 1}),
        sqs_(aws_, server_.url(), "eu-west-1", true),
        health_(*store_, "sqs:trail-events", "sqs", keeper_clock_) {}
  static aws::Credentials credentials() {
    aws::Credentials c;
    c.access_key_id = "AKIAIOSFODNN7EXAMPLE";
    c.secret_access_key = SecretString("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    return c;
  }

  const std::string queue_ = "https://sqs.eu-west-1.amazonaws.com/123456789012/trail-events";
  test::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  test::ScriptedHttpServer server_;
  std::unique_ptr<net::HttpTransport> transport_;
  std::unique_ptr<aws::CredentialsProvider> credentials_;
  test::ManualClock client_clock_;  // signs the requests
  test::ManualClock keeper_clock_;  // only the keeper's thread waits on it
  SeededRandomSource random_{3};
  aws::AwsClient aws_;
  aws::SqsClient sqs_;
  HealthTracker health_;
};

TEST_F(VisibilityKeeperTest, ExtendsEveryThirdOfTheTimeoutOnTheClock) {
  using Server = test::ScriptedHttpServer;
  std::mutex mu;
  int calls = 0;
  std::promise<void> third;
  std::promise<void> released;
  std::shared_future<void> release = released.get_future().share();
  server_.setHandler([&](const Server::Request&) {
    int n = 0;
    {
      std::lock_guard lock(mu);
      n = ++calls;
    }
    if (n == 2) {
      return Server::Response{400,
                              {{"Content-Type", "text/xml"}},
                              "<ErrorResponse><Error><Type>Sender</Type><Code>"
                              "InvalidParameterValue</Code><Message>try later</Message></Error>"
                              "</ErrorResponse>"};
    }
    if (n == 3) {
      // Held until the test has looked: the keeper is inside its third extension.
      third.set_value();
      release.wait();
    }
    return Server::Response{
        200, {{"Content-Type", "text/xml"}}, "<ChangeMessageVisibilityResponse/>"};
  });
  {
    VisibilityKeeper keeper(&sqs_, queue_, "AQEB+h/2==", 30, health_, keeper_clock_);
    const bool reached =
        third.get_future().wait_for(std::chrono::seconds(30)) == std::future_status::ready;
    if (reached) {
      EXPECT_EQ(keeper_clock_.elapsed(), std::chrono::seconds(30)) << "three waits of 10 s";
      EXPECT_EQ(keeper.extensions(), 1) << "the first; the second failed, the third is in hand";
      EXPECT_EQ(health_.snapshot().errors, 1u);
      EXPECT_NE(health_.snapshot().last_error.find("extending visibility"), std::string::npos)
          << health_.snapshot().last_error;
    }
    released.set_value();
    ASSERT_TRUE(reached) << "no third extension";
  }  // let go: the keeper stops after the extension in hand
  const auto requests = server_.requests();
  ASSERT_GE(requests.size(), 3u);
  // Every wait that ran was a third of the timeout and was followed by one extension.
  EXPECT_EQ(keeper_clock_.waits(),
            std::vector<std::chrono::nanoseconds>(requests.size(), std::chrono::seconds(10)));
  for (const auto& r : requests) {
    EXPECT_EQ(r.form(), (std::vector<std::pair<std::string, std::string>>{
                            {"Action", "ChangeMessageVisibility"},
                            {"Version", "2012-11-05"},
                            {"QueueUrl", queue_},
                            {"ReceiptHandle", "AQEB+h/2=="},
                            {"VisibilityTimeout", "30"}}));
  }
}

// On the real clock: letting go of a message ends the keeper's wait at once, long before its
// first extension was due.
TEST_F(VisibilityKeeperTest, LettingGoEndsTheWaitAtOnce) {
  const auto t0 = std::chrono::steady_clock::now();
  { VisibilityKeeper keeper(&sqs_, queue_, "AQEB+h/2==", 3600, health_, SystemClock::instance()); }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_EQ(server_.requestCount(), 0u);
}

}  // namespace
}  // namespace ht::live
