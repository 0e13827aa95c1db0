// The safety net as a live source: a use that GetAccessKeyLastUsed reports becomes one stored
// trigger carrying the service and region AWS recorded, through the same pipeline (and its
// callbacks) as CloudTrail triggers; the same use is never stored twice, and a later one is.
// IAM is a scripted HTTP server: moto does not record last-used dates.
#include <gtest/gtest.h>

#include <mutex>

#include "aws/session.h"
#include "config/options.h"
#include "core/clock.h"
#include "live/pipeline.h"
#include "live/sources.h"
#include "store/sqlite/sqlite_store.h"
#include "support/http_server.h"
#include "support/moto_server.h"
#include "support/test_support.h"
#include "tokens/registry.h"
#include "tokens/secret_vault.h"

namespace ht::live {
namespace {

constexpr const char* kKey = "AKIASP2TPHJSQH3FJRUX";

std::string lastUsedResponse(const std::string& date) {
  std::string used = date.empty() ? "<ServiceName>N/A</ServiceName><Region>N/A</Region>"
                                  : "<LastUsedDate>" + date +
                                        "</LastUsedDate><ServiceName>dynamodb</ServiceName>"
                                        "<Region>ap-southeast-2</Region>";
  return "<GetAccessKeyLastUsedResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
         "<GetAccessKeyLastUsedResult><UserName>svc-backup</UserName><AccessKeyLastUsed>" +
         used +
         "</AccessKeyLastUsed></GetAccessKeyLastUsedResult><ResponseMetadata><RequestId>r-1"
         "</RequestId></ResponseMetadata></GetAccessKeyLastUsedResponse>";
}

// AWS clients pointed at the scripted IAM server, with the emulator's fake credentials.
std::unique_ptr<aws::AwsSession> iamSession(const std::string& url, const Clock& clock) {
  config::AwsOptions options;
  options.iam_endpoint_url = url;
  options.max_attempts = 1;
  const auto& fake = test::fakeAwsEnv();
  auto session = aws::AwsSession::create(options, clock, [&](const std::string& n) {
    auto it = fake.find(n);
    return it == fake.end() ? std::nullopt : std::optional<std::string>(it->second);
  });
  EXPECT_TRUE(session.hasValue()) << session.status().toString();
  return session.hasValue() ? std::move(session).value() : nullptr;
}

TEST(LiveLastUsedTest, NewUseIsOneTriggerWithServiceAndRegion) {
  test::TempDir dir;
  std::mutex mu;
  std::string date;
  int calls = 0;
  test::ScriptedHttpServer iam([&](const test::ScriptedHttpServer::Request&) {
    std::lock_guard lock(mu);
    ++calls;
    return test::ScriptedHttpServer::Response{
        200, {{"Content-Type", "text/xml"}}, lastUsedResponse(date)};
  });
  auto opened = store::openSqliteStore(dir.file("ht.db"), config::SqliteOptions{});
  ASSERT_TRUE(opened.hasValue()) << opened.status().toString();
  std::unique_ptr<store::Store> store = std::move(opened).value();
  FixedClock clock(*parseTime("2026-11-28T10:00:00Z"));
  config::Config config;
  tokens::SecretVault vault({}, dir.path(), [](const std::string&) { return std::nullopt; });
  SeededRandomSource random(7);
  tokens::Registry registry(*store, vault, config, clock, random, "test@host");
  tokens::ImportOptions imp;
  imp.key_id = kKey;
  imp.user_name = "svc-backup";
  auto token = registry.importKey(imp);
  ASSERT_TRUE(token.hasValue()) << token.status().toString();

  auto session = iamSession(iam.url(), clock);
  ASSERT_TRUE(session);

  Pipeline pipeline(*store, registry, nullptr, clock);
  std::vector<detect::TriggerRecord> announced;
  pipeline.onTrigger([&](const detect::TriggerRecord& t) { announced.push_back(t); });
  HealthTracker health(*store, "last-used", "last-used", clock);
  health.started();
  LastUsedSource source(session->iam(), pipeline, health);

  ASSERT_TRUE(source.pollOnce().isOk());
  EXPECT_TRUE(announced.empty()) << "never used: nothing to report";
  EXPECT_EQ(health.snapshot().records, 1u);  // one key checked

  {
    std::lock_guard lock(mu);
    date = "2026-11-28T08:15:00Z";
  }
  ASSERT_TRUE(source.pollOnce().isOk());
  ASSERT_EQ(announced.size(), 1u);
  const detect::TriggerRecord& t = announced[0];
  EXPECT_EQ(t.token_id, token->id);
  EXPECT_EQ(t.trigger_class, detect::TriggerClass::kUsed);
  EXPECT_EQ(t.service, "dynamodb");
  EXPECT_EQ(t.aws_region, "ap-southeast-2");
  EXPECT_EQ(t.event_source, "dynamodb.amazonaws.com");
  EXPECT_EQ(t.source, "last-used");
  EXPECT_EQ(formatTime(*t.event_time), "2026-11-28T08:15:00Z");

  // Polled again with nothing new: no second trigger, in memory or in the store.
  ASSERT_TRUE(source.pollOnce().isOk());
  EXPECT_EQ(announced.size(), 1u);
  {
    std::lock_guard lock(mu);
    date = "2026-11-28T09:40:00Z";
  }
  ASSERT_TRUE(source.pollOnce().isOk());
  EXPECT_EQ(announced.size(), 2u);
  auto stored = store->listTriggers({});
  ASSERT_TRUE(stored.hasValue());
  ASSERT_EQ(stored->size(), 2u);
  EXPECT_EQ((*stored)[1].service, "dynamodb");
  EXPECT_EQ(health.snapshot().triggers, 2u);
  EXPECT_EQ(calls, 4);
}

TEST(LiveLastUsedTest, IamErrorsAreCountedAndTheUseComesBackLater) {
  test::TempDir dir;
  std::mutex mu;
  bool failing = true;
  test::ScriptedHttpServer iam([&](const test::ScriptedHttpServer::Request&) {
    std::lock_guard lock(mu);
    if (failing) {
      return test::ScriptedHttpServer::Response{
          403,
          {{"Content-Type", "text/xml"}},
          "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not "
          "allowed</Message></Error><RequestId>r-2</RequestId></ErrorResponse>"};
    }
    return test::ScriptedHttpServer::Response{
        200, {{"Content-Type", "text/xml"}}, lastUsedResponse("2026-11-28T08:15:00Z")};
  });
  auto store = std::move(store::openSqliteStore(dir.file("ht.db"), {})).value();
  FixedClock clock(*parseTime("2026-11-28T10:00:00Z"));
  config::Config config;
  tokens::SecretVault vault({}, dir.path(), [](const std::string&) { return std::nullopt; });
  SeededRandomSource random(7);
  tokens::Registry registry(*store, vault, config, clock, random, "test@host");
  tokens::ImportOptions imp;
  imp.key_id = kKey;
  ASSERT_TRUE(registry.importKey(imp).hasValue());
  auto session = iamSession(iam.url(), clock);
  ASSERT_TRUE(session);
  Pipeline pipeline(*store, registry, nullptr, clock);
  HealthTracker health(*store, "last-used", "last-used", clock);
  LastUsedSource source(session->iam(), pipeline, health);
  ASSERT_TRUE(source.pollOnce().isOk());
  EXPECT_EQ(health.snapshot().errors, 1u);
  EXPECT_NE(health.snapshot().last_error.find("AccessDenied"), std::string::npos);
  {
    std::lock_guard lock(mu);
    failing = false;
  }
  ASSERT_TRUE(source.pollOnce().isOk());
  EXPECT_EQ(store->listTriggers({})->size(), 1u);
}

}  // namespace
}  // namespace ht::live
