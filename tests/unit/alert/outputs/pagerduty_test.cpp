// The PagerDuty output: its Events API v2 event checked against the documented fields and limits,
// and its delivery to a receiver on loopback that checks the published schema.
#include "alert/outputs/pagerduty.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "core/strings.h"
#include "support/http_server.h"
#include "support/test_support.h"
#include "unit/alert/outputs/fixtures.h"

namespace ht::alert {
namespace {

using fixtures::baseOptions;
using fixtures::chars;
using fixtures::closedPort;
using fixtures::itemFor;
using fixtures::kLink;
using fixtures::makeStory;
using nlohmann::json;
using std::chrono::seconds;
using Server = test::ScriptedHttpServer;

// ---- The event ----------------------------------------------------------------------------------

TEST(PayloadPagerDuty, TriggerCarriesRequiredFieldsAndTheStory) {
  const json e = pagerDutyEvent(makeStory(), "R0UT1NGKEY0123456789012345678901");
  EXPECT_EQ(e["routing_key"], "R0UT1NGKEY0123456789012345678901");
  EXPECT_EQ(e["event_action"], "trigger");
  EXPECT_EQ(e["dedup_key"], "inc-20261128-0001");
  const json& p = e["payload"];
  EXPECT_EQ(p["summary"], "Honey key AKIA2E0A8F3B244C9986 used from 203.0.113.9 (aws-cli)");
  EXPECT_EQ(p["source"], "web-01");
  EXPECT_EQ(p["severity"], "critical");
  EXPECT_EQ(p["timestamp"], "2026-11-28T15:44:52Z");
  EXPECT_TRUE(
      std::regex_match(p["timestamp"].get<std::string>(),
                       std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d))")));
  EXPECT_EQ(p["component"], "AKIA2E0A8F3B244C9986");
  EXPECT_EQ(p["group"], "111122223333");
  EXPECT_EQ(p["class"], "used");
  const json& d = p["custom_details"];
  EXPECT_EQ(d["user_arn"], "arn:aws:iam::111122223333:user/honeytrail/deploy-ci-prod");
  EXPECT_EQ(d["tags"]["team"], "ops");
  ASSERT_EQ(d["where_it_lives"].size(), 2u);
  EXPECT_EQ(d["where_it_lives"][0],
            "placed on web-01 in /home/deploy/.aws/credentials (aws-credentials-file), owner ops");
  EXPECT_EQ(d["chain_of_custody"].size(), 3u);
  EXPECT_EQ(d["calls"].size(), 3u);
  EXPECT_EQ(d["callers"].size(), 2u);
  EXPECT_NE(d["callers"][1].get<std::string>().find("(truncated)"), std::string::npos);
  EXPECT_EQ(d["callers"][1].get<std::string>().find('\n'), std::string::npos);
  EXPECT_EQ(d["link"], kLink);
  EXPECT_EQ(e["links"][0]["href"], kLink);
  EXPECT_EQ(e["client"], "honeytrail");
}

TEST(PayloadPagerDuty, SeverityMapsToTheAllowedSet) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"critical", "critical"}, {"high", "error"}, {"medium", "warning"},
      {"low", "info"},          {"info", "info"},  {"", "info"}};
  for (const auto& [ours, theirs] : cases) {
    // "" (unknown text) can no longer be a story's severity: the enum has no such value.
    std::optional<Severity> parsed = parseSeverity(ours);
    if (!parsed) continue;
    Story s = makeStory();
    s.severity = *parsed;
    EXPECT_EQ(pagerDutyEvent(s, "k")["payload"]["severity"], theirs) << ours;
  }
  Story t = makeStory();
  t.kind = incidents::AnnouncementKind::kTest;
  t.test = true;
  const json e = pagerDutyEvent(t, "k");
  EXPECT_EQ(e["payload"]["severity"], "info");
  EXPECT_TRUE(startsWith(e["payload"]["summary"].get<std::string>(), "TEST: "));
  EXPECT_EQ(e["event_action"], "trigger");
}

TEST(PayloadPagerDuty, ResolveCarriesOnlyTheThreeFields) {
  const json r = pagerDutyEvent(makeStory(), "k", true);
  EXPECT_EQ(r, json({{"routing_key", "k"},
                     {"event_action", "resolve"},
                     {"dedup_key", "inc-20261128-0001"}}));
  Story s = makeStory();
  s.kind = incidents::AnnouncementKind::kResolved;
  EXPECT_EQ(pagerDutyEvent(s, "k"), r);
}

TEST(PayloadPagerDuty, LongValuesAreCutWithinLimits) {
  Story s = makeStory();
  s.incident_id = std::string(300, 'i');
  s.headline.clear();
  for (int i = 0; i < 600; ++i) s.headline += "ü€";
  s.headline += "\nsecond line";
  const json e = pagerDutyEvent(s, "k");
  const std::string dedup = e["dedup_key"];
  EXPECT_LE(chars(dedup), 255u);
  EXPECT_EQ(pagerDutyEvent(s, "k", true)["dedup_key"], dedup);  // resolve finds the trigger
  const std::string summary = e["payload"]["summary"];
  EXPECT_EQ(chars(summary), 1024u);
  EXPECT_TRUE(isValidUtf8(summary));
  EXPECT_TRUE(endsWith(summary, "(truncated)"));
  EXPECT_EQ(summary.find('\n'), std::string::npos);
}

// ---- Delivery -----------------------------------------------------------------------------------

const std::string kRoutingKey = "R0UT1NGK3Y0123456789abcdefABCDEF";  // 32 characters

// The Events API v2 rules for an event (developer.pagerduty.com, "Send an Alert Event"); "" when
// the event follows them.
std::string pagerDutySchemaError(const json& e) {
  if (!e.is_object()) return "not an object";
  if (!e.contains("routing_key") || !e["routing_key"].is_string() ||
      e["routing_key"].get<std::string>().size() != 32) {
    return "Length of 'routing_key' is incorrect (should be 32 characters)";
  }
  static const std::set<std::string> kActions = {"trigger", "acknowledge", "resolve"};
  if (!e.contains("event_action") || !e["event_action"].is_string() ||
      kActions.count(e["event_action"].get<std::string>()) == 0) {
    return "'event_action' is invalid";
  }
  const std::string action = e["event_action"];
  if (e.contains("dedup_key") &&
      (!e["dedup_key"].is_string() || e["dedup_key"].get<std::string>().size() > 255)) {
    return "'dedup_key' is invalid";
  }
  if (action != "trigger") {
    if (!e.contains("dedup_key")) return "'dedup_key' is required for " + action;
    return "";
  }
  if (!e.contains("payload") || !e["payload"].is_object()) return "'payload' is missing";
  const json& p = e["payload"];
  if (!p.contains("summary") || !p["summary"].is_string() ||
      p["summary"].get<std::string>().empty() || p["summary"].get<std::string>().size() > 1024) {
    return "'payload.summary' is invalid";
  }
  if (!p.contains("source") || !p["source"].is_string() || p["source"].get<std::string>().empty()) {
    return "'payload.source' is missing";
  }
  static const std::set<std::string> kSeverities = {"critical", "error", "warning", "info"};
  if (!p.contains("severity") || !p["severity"].is_string() ||
      kSeverities.count(p["severity"].get<std::string>()) == 0) {
    return "'payload.severity' is invalid";
  }
  if (p.contains("timestamp") &&
      (!p["timestamp"].is_string() || !parseTime(p["timestamp"].get<std::string>()))) {
    return "'payload.timestamp' is not ISO 8601";
  }
  return "";
}

struct PagerDutyReceiver {
  std::mutex mu;
  std::vector<json> accepted;
  bool echo_key_in_errors = false;  // a receiver that quotes the key back must not leak it

  Server::Response handle(const Server::Request& req) {
    if (req.method != "POST" || req.path() != "/v2/enqueue") return {404, {}, "{}"};
    const std::string* ct = req.header("Content-Type");
    if (ct == nullptr || *ct != "application/json") return {415, {}, "{}"};
    json e = json::parse(req.body, nullptr, false);
    std::string error = pagerDutySchemaError(e);
    if (!error.empty()) {
      if (echo_key_in_errors && e.is_object() && e.contains("routing_key")) {
        error += " (got " + e["routing_key"].dump() + ")";
      }
      json body = {{"status", "invalid event"},
                   {"message", "Event object is invalid"},
                   {"errors", json::array({error})}};
      return {400, {{"Content-Type", "application/json"}}, body.dump()};
    }
    std::lock_guard lock(mu);
    accepted.push_back(e);
    json body = {{"status", "success"},
                 {"message", "Event processed"},
                 {"dedup_key", e.value("dedup_key", std::string("generated"))}};
    return {202, {{"Content-Type", "application/json"}}, body.dump()};
  }
};

class PagerDutyTest : public ::testing::Test {
 protected:
  std::unique_ptr<Output> output(const std::string& key = kRoutingKey, bool allow_private = true) {
    config::OutputOptions o = baseOptions("pagerduty");
    o.allow_private = allow_private;
    return makePagerDutyOutput(o, {server_.url() + "/v2/enqueue", key});
  }

  incidents::OutboxItem storedEvent(const Story& story) {
    // As the outbox stores it: the full event with an empty routing_key.
    return itemFor(story.incident_id, story.kind, pagerDutyEvent(story, "").dump());
  }

  PagerDutyReceiver receiver_;
  Server server_{[this](const Server::Request& r) { return receiver_.handle(r); }};
};

TEST_F(PagerDutyTest, TriggerFollowsTheEventsApiSchemaAndCarriesTheRoutingKey) {
  Story story = makeStory("inc-pd-1", "new");
  incidents::OutboxItem item = storedEvent(story);
  ASSERT_EQ(json::parse(item.body)["routing_key"], "");  // nothing secret in the outbox

  DeliveryResult r = output()->deliver(item);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.http_status, 202);
  ASSERT_EQ(receiver_.accepted.size(), 1u);
  const json& e = receiver_.accepted[0];
  EXPECT_EQ(e["routing_key"], kRoutingKey);
  EXPECT_EQ(e["event_action"], "trigger");
  EXPECT_EQ(e["dedup_key"], "inc-pd-1");
  EXPECT_EQ(e["payload"]["timestamp"], "2026-03-01T10:05:00Z");
  // Everything else is the stored event, byte for byte in meaning.
  json expected = json::parse(item.body);
  expected["routing_key"] = kRoutingKey;
  EXPECT_EQ(e, expected);
}

TEST_F(PagerDutyTest, ResolveCarriesTheDedupKeyOfTheTrigger) {
  auto out = output();
  ASSERT_TRUE(out->deliver(storedEvent(makeStory("inc-pd-2", "new"))).ok);
  DeliveryResult r = out->deliver(storedEvent(makeStory("inc-pd-2", "resolved")));
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(receiver_.accepted.size(), 2u);
  const json& resolve = receiver_.accepted[1];
  EXPECT_EQ(resolve["event_action"], "resolve");
  EXPECT_EQ(resolve["dedup_key"], receiver_.accepted[0]["dedup_key"]);
  EXPECT_EQ(resolve["routing_key"], kRoutingKey);
}

TEST_F(PagerDutyTest, RejectedEventIsPermanentWithPagerDutysReasonAndNoKey) {
  receiver_.echo_key_in_errors = true;
  const std::string short_key = "shortkey-0123456789-abcdefghijk";  // 31 characters
  DeliveryResult r = output(short_key)->deliver(storedEvent(makeStory("inc-pd-3", "new")));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable);
  EXPECT_EQ(r.http_status, 400);
  EXPECT_NE(r.error.find("Event object is invalid"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("Length of 'routing_key' is incorrect"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find(short_key), std::string::npos) << r.error;
  EXPECT_TRUE(receiver_.accepted.empty());
}

TEST_F(PagerDutyTest, RateLimitIsRetriedAfterRetryAfter) {
  server_.enqueue({429, {{"Retry-After", "7"}}, R"({"status":"throttle event","message":"x"})"});
  server_.enqueue({502, {}, "bad gateway"});
  auto out = output();
  incidents::OutboxItem item = storedEvent(makeStory("inc-pd-4", "new"));

  DeliveryResult r = out->deliver(item);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.retryable);
  EXPECT_EQ(r.http_status, 429);
  ASSERT_TRUE(r.retry_after.has_value());
  EXPECT_EQ(*r.retry_after, seconds(7));
  EXPECT_EQ(r.error.find(kRoutingKey), std::string::npos);

  r = out->deliver(item);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.retryable);
  EXPECT_EQ(r.http_status, 502);

  r = out->deliver(item);  // the scripted answers are used up: the receiver itself answers
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(receiver_.accepted.size(), 1u);
}

TEST_F(PagerDutyTest, StoredBodyThatIsNotJsonIsPermanentAndNothingIsSent) {
  DeliveryResult r =
      output()->deliver(itemFor("inc-pd-5", incidents::AnnouncementKind::kNew, "{not json"));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable);
  EXPECT_NE(r.error.find("stored body is not JSON"), std::string::npos) << r.error;
  EXPECT_EQ(server_.requestCount(), 0u);
}

TEST_F(PagerDutyTest, LoopbackTargetIsRefusedUnlessAllowed) {
  DeliveryResult r = output(kRoutingKey, /*allow_private=*/false)
                         ->deliver(storedEvent(makeStory("inc-pd-6", "new")));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable);
  EXPECT_NE(r.error.find("loopback"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("allow_private"), std::string::npos) << r.error;
  EXPECT_EQ(server_.requestCount(), 0u);
}

TEST_F(PagerDutyTest, UnreachableEndpointIsRetried) {
  auto out = makePagerDutyOutput(
      baseOptions("pagerduty"),
      {"http://127.0.0.1:" + std::to_string(closedPort()) + "/v2/enqueue", kRoutingKey});
  DeliveryResult r = out->deliver(storedEvent(makeStory("inc-pd-7", "new")));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.retryable);
  EXPECT_EQ(r.http_status, 0);
  EXPECT_FALSE(r.error.empty());
  EXPECT_EQ(r.error.find(kRoutingKey), std::string::npos) << r.error;
}

}  // namespace
}  // namespace ht::alert
