// Alerts end to end through the real binary: a CloudTrail file with a honey key's use becomes a
// Slack message and a PagerDuty event at local receivers in one `honeytrail ingest`, each
// telling the whole story; the outbox survives a receiver that is down, one that always fails
// and a process killed mid-delivery; `alert test`, response actions and their approval.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "support/http_server.h"
#include "support/test_support.h"

namespace ht::app {
namespace {

using nlohmann::json;
using test::RunResult;
using test::ScriptedHttpServer;

const std::string kInvictus = std::string(HT_SHARED_TESTDATA) + "/cloudtrail/invictus_aws_dataset";
constexpr const char* kKey = "AKIATFQR7NSCUXC3DDDP";
// What PagerDuty gives an integration: 32 characters. It must reach the receiver and nothing else.
constexpr const char* kRoutingKey = "R0UT1NGK3Y0123456789abcdefABCDEF";

// Checks a request against the Events API v2 contract; "" when it conforms.
std::string pagerDutyProblem(const json& e) {
  if (!e.is_object()) return "not an object";
  if (e.value("routing_key", "") != kRoutingKey) return "routing_key";
  std::string action = e.value("event_action", "");
  if (action != "trigger" && action != "resolve" && action != "acknowledge") return "event_action";
  if (!e.contains("dedup_key") || e["dedup_key"].get<std::string>().size() > 255) return "dedup";
  if (action != "trigger") return "";
  const json& p = e.value("payload", json::object());
  std::string summary = p.value("summary", "");
  if (summary.empty() || summary.size() > 1024) return "payload.summary";
  if (p.value("source", "").empty()) return "payload.source";
  static const std::set<std::string> kSeverities = {"critical", "error", "warning", "info"};
  if (!kSeverities.count(p.value("severity", ""))) return "payload.severity";
  return "";
}

// Slack Block Kit limits for incoming webhooks.
std::string slackProblem(const json& m) {
  if (!m.is_object() || !m.contains("blocks") || !m["blocks"].is_array()) return "no blocks";
  if (m["blocks"].size() > 50) return "more than 50 blocks";
  if (m.value("text", "").empty()) return "no fallback text";
  for (const json& b : m["blocks"]) {
    std::string type = b.value("type", "");
    if (type != "header" && type != "section" && type != "context" && type != "divider" &&
        type != "actions") {
      return "block type " + type;
    }
    if (type == "section" && b.contains("text") && b["text"].value("text", "").size() > 3000) {
      return "section text over 3000";
    }
    if (b.contains("fields") && b["fields"].size() > 10) return "more than 10 fields";
  }
  return "";
}

class AlertCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    slack_.setHandler([this](const ScriptedHttpServer::Request& r) {
      json m = json::parse(r.body, nullptr, false);
      std::string problem = slackProblem(m);
      if (!problem.empty()) return ScriptedHttpServer::Response{400, {}, problem};
      return ScriptedHttpServer::Response{200, {}, "ok"};
    });
    pager_.setHandler([](const ScriptedHttpServer::Request& r) {
      json e = json::parse(r.body, nullptr, false);
      std::string problem = pagerDutyProblem(e);
      if (!problem.empty()) {
        return ScriptedHttpServer::Response{
            400, {}, json{{"status", "invalid event"}, {"message", problem}}.dump()};
      }
      return ScriptedHttpServer::Response{
          202, {}, json{{"status", "success"}, {"dedup_key", e["dedup_key"]}}.dump()};
    });
  }

  void writeConfig(const std::string& extra_alerts = "", const std::string& route_extra = "",
                   int ingest_wait = 10) {
    test::writeText(dir_.file("honeytrail.yaml"),
                    "alerts:\n"
                    "  ui_base_url: https://honeytrail.example.com/\n"
                    "  retry_first_seconds: 1\n"
                    "  retry_max_seconds: 1\n"
                    "  ingest_wait_seconds: " +
                        std::to_string(ingest_wait) +
                        "\n"
                        "  outputs:\n"
                        "    secops-slack:\n"
                        "      type: slack\n"
                        "      url_env: TEST_SLACK_URL\n"
                        "      allow_private: true\n"
                        "      timeout_ms: 2000\n"
                        "    oncall:\n"
                        "      type: pagerduty\n"
                        "      url: " +
                        pager_.url() +
                        "/v2/enqueue\n"
                        "      secret_env: TEST_PD_KEY\n"
                        "      allow_private: true\n"
                        "      timeout_ms: 2000\n"
                        "  routes:\n"
                        "    everything:\n"
                        "      outputs: [secops-slack, oncall]\n" +
                        route_extra +
                        "  runbooks:\n"
                        "    file:\n"
                        "      markdown: \"Isolate the host and rotate its real credentials.\"\n" +
                        extra_alerts);
  }

  RunResult ht(std::vector<std::string> args) {
    std::vector<std::string> argv = {HT_BINARY, "--data-dir", dir_.file("data"), "--config",
                                     dir_.file("honeytrail.yaml")};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run(argv, {{"HONEYTRAIL_ACTOR", "alice@soc"},
                            {"TEST_SLACK_URL", slack_.url() + "/services/T000/B000/secretpath"},
                            {"TEST_PD_KEY", kRoutingKey}});
  }

  void plantToken() {
    ASSERT_EQ(ht({"token", "import", "--key-id", kKey, "--label", "deploy laptop"}).exit_code, 0);
    RunResult placed = ht({"placement", "add", kKey, "--host", "web-01", "--path",
                           "/home/deploy/.aws/credentials", "--owner", "ops"});
    ASSERT_EQ(placed.exit_code, 0) << placed.err;
    ASSERT_EQ(
        ht({"custody", "add", kKey, "--holder", "ci-pipeline", "--method", "ansible"}).exit_code,
        0);
  }

  std::vector<json> outbox(const std::string& state = "") {
    std::vector<std::string> args = {"alert", "list", "--output", "json"};
    if (!state.empty()) args.insert(args.end(), {"--state", state});
    RunResult r = ht(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<json> out;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) out.push_back(json::parse(line));
    return out;
  }

  json incident() {
    RunResult listed = ht({"incident", "list", "--output", "json"});
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    json first = json::parse(listed.out.substr(0, listed.out.find('\n')), nullptr, false);
    RunResult shown = ht({"incident", "show", first.value("id", "?"), "--output", "json"});
    EXPECT_EQ(shown.exit_code, 0) << shown.err;
    return json::parse(shown.out, nullptr, false);
  }

  static size_t timelineCount(const json& inc, const std::string& kind, const std::string& text) {
    size_t n = 0;
    for (const json& e : inc["timeline"]) {
      if (e["kind"] == kind && e["text"].get<std::string>().find(text) != std::string::npos) ++n;
    }
    return n;
  }

  test::TempDir dir_;
  ScriptedHttpServer slack_;
  ScriptedHttpServer pager_;
};

// The acceptance case: one command from CloudTrail to both receivers, with the whole story.
TEST_F(AlertCliTest, IngestDeliversTheWholeStoryToSlackAndPagerDuty) {
  writeConfig();
  plantToken();
  RunResult ingested = ht({"ingest", kInvictus});
  ASSERT_EQ(ingested.exit_code, 0) << ingested.err;
  EXPECT_NE(ingested.err.find("alerts 2 delivered, 0 dead, 0 waiting"), std::string::npos)
      << ingested.err;

  ASSERT_EQ(slack_.requestCount(), 1u);
  ScriptedHttpServer::Request s = slack_.requests()[0];
  EXPECT_EQ(s.path(), "/services/T000/B000/secretpath");
  json slack = json::parse(s.body);
  EXPECT_EQ(slackProblem(slack), "");
  std::string text = slack.dump();
  for (const char* want :
       {kKey, "web-01", "/home/deploy/.aws/credentials", "ops", "ci-pipeline", "GetBucketLocation",
        "ListHostedZones", "GetAccountSummary", "10.248.16.43", "Boto3",
        "Isolate the host and rotate", "https://honeytrail.example.com/incidents/inc-"}) {
    EXPECT_NE(text.find(want), std::string::npos) << want << " missing from the Slack message";
  }

  ASSERT_EQ(pager_.requestCount(), 1u);
  json event = json::parse(pager_.requests()[0].body);
  EXPECT_EQ(pagerDutyProblem(event), "");
  EXPECT_EQ(event["event_action"], "trigger");
  json inc = incident();
  EXPECT_EQ(event["dedup_key"], inc["id"]);
  std::string details = event["payload"].dump();
  for (const char* want : {kKey, "web-01", "ci-pipeline", "GetBucketLocation", "ListHostedZones",
                           "Isolate the host"}) {
    EXPECT_NE(details.find(want), std::string::npos) << want << " missing from the event";
  }
  // Both deliveries are on the timeline; the credentials appear nowhere but at the receivers.
  EXPECT_EQ(timelineCount(inc, "notified", "sent to secops-slack (new)"), 1u) << inc.dump();
  EXPECT_EQ(timelineCount(inc, "notified", "sent to oncall (new)"), 1u);
  for (const std::string& out :
       {ingested.out, ingested.err, inc.dump(), ht({"alert", "list"}).out}) {
    EXPECT_EQ(out.find(kRoutingKey), std::string::npos);
    EXPECT_EQ(out.find("secretpath"), std::string::npos);
  }
  EXPECT_EQ(test::readText(dir_.file("data/honeytrail.db")).find(kRoutingKey), std::string::npos);

  // Resolving the incident resolves the page, under the same dedup_key.
  RunResult resolved = ht({"incident", "resolve", inc["id"], "--note", "laptop re-imaged"});
  ASSERT_EQ(resolved.exit_code, 0) << resolved.err;
  RunResult flushed = ht({"alert", "flush", "--wait", "5"});
  ASSERT_EQ(flushed.exit_code, 0) << flushed.err;
  ASSERT_EQ(pager_.requestCount(), 2u);
  json resolve = json::parse(pager_.requests()[1].body);
  EXPECT_EQ(resolve["event_action"], "resolve");
  EXPECT_EQ(resolve["dedup_key"], inc["id"]);
  EXPECT_EQ(slack_.requestCount(), 2u);
}

TEST_F(AlertCliTest, AReceiverThatIsDownForAWhileGetsEverythingLater) {
  writeConfig();
  plantToken();
  for (int i = 0; i < 2; ++i) pager_.enqueue({503, {{"Retry-After", "1"}}, "maintenance"});
  RunResult ingested = ht({"ingest", kInvictus});
  ASSERT_EQ(ingested.exit_code, 0) << ingested.err;
  // Two refusals, then the third attempt within the ingest's wait gets through.
  EXPECT_EQ(pager_.requestCount(), 3u);
  std::vector<json> sent = outbox("sent");
  EXPECT_EQ(sent.size(), 2u);
  for (const json& o : sent) {
    if (o["output"] == "oncall") {
      EXPECT_EQ(o["attempts"], 3);
    }
  }
  // Every attempt sends the same bytes (the same dedup_key): PagerDuty de-duplicates on it.
  std::set<std::string> bodies;
  for (const auto& r : pager_.requests()) bodies.insert(r.body);
  EXPECT_EQ(bodies.size(), 1u);
}

TEST_F(AlertCliTest, ADownReceiverLeavesTheAlertForFlush) {
  writeConfig("", "", /*ingest_wait=*/0);
  plantToken();
  pager_.enqueue({503, {}, "down"});
  RunResult ingested = ht({"ingest", kInvictus});
  ASSERT_EQ(ingested.exit_code, 0) << ingested.err;
  EXPECT_NE(ingested.err.find("1 waiting in the outbox"), std::string::npos) << ingested.err;
  ASSERT_EQ(outbox("pending").size(), 1u);
  RunResult flushed = ht({"alert", "flush", "--wait", "10"});
  ASSERT_EQ(flushed.exit_code, 0) << flushed.err;
  EXPECT_NE(flushed.err.find("alerts 1 delivered"), std::string::npos) << flushed.err;
  EXPECT_EQ(outbox("pending").size(), 0u);
  EXPECT_EQ(pager_.requestCount(), 2u);
}

TEST_F(AlertCliTest, AReceiverThatAlwaysRefusesEndsAsAVisibleDeadLetter) {
  writeConfig();
  plantToken();
  pager_.setHandler([](const ScriptedHttpServer::Request&) {
    return ScriptedHttpServer::Response{400, {}, R"({"status":"invalid event","message":"no"})"};
  });
  RunResult ingested = ht({"ingest", kInvictus});
  ASSERT_EQ(ingested.exit_code, 0) << ingested.err;
  EXPECT_NE(ingested.err.find("1 dead"), std::string::npos) << ingested.err;
  std::vector<json> dead = outbox("dead");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0]["output"], "oncall");
  EXPECT_NE(dead[0]["last_error"].get<std::string>().find("400"), std::string::npos);
  EXPECT_EQ(timelineCount(incident(), "notified", "gave up on oncall"), 1u);
  // The other output was not held back by the broken one.
  EXPECT_EQ(slack_.requestCount(), 1u);
}

TEST_F(AlertCliTest, AProcessKilledMidDeliveryLosesNothingAndSendsUnderTheSameIdentity) {
  writeConfig();
  plantToken();
  // Slack's first attempt hangs until the client gives up; the process is killed while it waits.
  slack_.enqueue({200, {}, "", /*hang=*/true});
  RunResult killed =
      test::run({"timeout", "-s", "KILL", "1.5", HT_BINARY, "--data-dir", dir_.file("data"),
                 "--config", dir_.file("honeytrail.yaml"), "ingest", kInvictus},
                {{"TEST_SLACK_URL", slack_.url() + "/services/T000/B000/secretpath"},
                 {"TEST_PD_KEY", kRoutingKey}});
  ASSERT_EQ(killed.exit_code, 128 + 9) << killed.err;
  ASSERT_EQ(slack_.requestCount(), 1u);
  EXPECT_EQ(pager_.requestCount(), 1u);  // the other output went out meanwhile
  json before = incident();
  ASSERT_EQ(outbox("pending").size(), 1u);

  // After the restart the lease runs out (timeout 2 s + 5 s) and the item goes out once, as the
  // same delivery of the same incident.
  RunResult flushed = ht({"alert", "flush", "--wait", "30"});
  ASSERT_EQ(flushed.exit_code, 0) << flushed.err;
  ASSERT_EQ(slack_.requestCount(), 2u);
  auto requests = slack_.requests();
  ASSERT_NE(requests[0].header("X-Honeytrail-Delivery"), nullptr);
  ASSERT_NE(requests[1].header("X-Honeytrail-Delivery"), nullptr);
  EXPECT_EQ(*requests[0].header("X-Honeytrail-Delivery"),
            *requests[1].header("X-Honeytrail-Delivery"));
  EXPECT_EQ(*requests[1].header("X-Honeytrail-Incident"), before["id"]);
  EXPECT_EQ(requests[0].body, requests[1].body);
  EXPECT_EQ(outbox("pending").size(), 0u);

  // Ingesting again changes nothing: no new incident, nothing sent twice.
  ASSERT_EQ(ht({"ingest", kInvictus}).exit_code, 0);
  RunResult listed = ht({"incident", "list", "--output", "json"});
  EXPECT_EQ(std::count(listed.out.begin(), listed.out.end(), '\n'), 1);
  EXPECT_EQ(pager_.requestCount(), 1u);
  EXPECT_EQ(slack_.requestCount(), 2u);
}

TEST_F(AlertCliTest, AlertTestSendsAMarkedMessageThroughTheRoute) {
  writeConfig();
  RunResult r = ht({"alert", "test", "--route", "everything"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("secops-slack: sent"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("oncall: sent"), std::string::npos) << r.out;
  ASSERT_EQ(slack_.requestCount(), 1u);
  EXPECT_NE(slack_.requests()[0].body.find("TEST"), std::string::npos);
  json event = json::parse(pager_.requests().at(0).body);
  EXPECT_EQ(event["payload"]["severity"], "info");
  EXPECT_NE(event["payload"]["summary"].get<std::string>().find("TEST"), std::string::npos);
  // Nothing was recorded as an incident or an outbox item.
  EXPECT_EQ(outbox().size(), 0u);

  RunResult unknown = ht({"alert", "test", "--route", "nope"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("no route named nope (routes: everything)"), std::string::npos)
      << unknown.err;

  pager_.setHandler([](const ScriptedHttpServer::Request&) {
    return ScriptedHttpServer::Response{400, {}, R"({"message":"bad key"})"};
  });
  RunResult failing = ht({"alert", "test", "--route", "everything"});
  EXPECT_NE(failing.exit_code, 0);
  EXPECT_NE(failing.out.find("oncall: FAILED"), std::string::npos) << failing.out;
}

TEST_F(AlertCliTest, AMissingCredentialStopsIngestBeforeItReadsAnything) {
  writeConfig();
  plantToken();
  RunResult r = test::run({HT_BINARY, "--data-dir", dir_.file("data"), "--config",
                           dir_.file("honeytrail.yaml"), "ingest", kInvictus},
                          {{"TEST_SLACK_URL", slack_.url() + "/x"}});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(
      r.err.find("alerts.outputs.oncall.secret_env: environment variable TEST_PD_KEY is not set"),
      std::string::npos)
      << r.err;
  RunResult listed = ht({"triggers", "list", "--output", "json"});
  EXPECT_EQ(listed.out, "");
}

TEST_F(AlertCliTest, ResponseActionsRunInTheirModesAndAreOnTheTimeline) {
  const std::string out_file = dir_.file("action-input.json");
  writeConfig(
      "  actions:\n"
      "    snapshot:\n"
      "      type: command\n"
      "      command: [\"/bin/sh\", \"-c\", \"cat > " +
          out_file +
          "; echo snapshot taken\"]\n"
          "      mode: approval\n"
          "    ticket:\n"
          "      type: command\n"
          "      command: [\"/bin/sh\", \"-c\", \"echo ticket; exit 3\"]\n"
          "      mode: auto\n"
          "    isolate:\n"
          "      type: command\n"
          "      command: [\"/usr/local/bin/isolate-host\"]\n"
          "      mode: dry-run\n",
      "      actions: [snapshot, ticket, isolate]\n");
  plantToken();
  RunResult ingested = ht({"ingest", kInvictus});
  ASSERT_EQ(ingested.exit_code, 0) << ingested.err;
  EXPECT_NE(ingested.err.find("1 action(s) waiting for approval"), std::string::npos)
      << ingested.err;

  json inc = incident();
  EXPECT_EQ(timelineCount(inc, "action", "dry run: would run action isolate"), 1u) << inc.dump();
  EXPECT_EQ(timelineCount(inc, "action", "action snapshot (command /bin/sh) waits for approval"),
            1u);
  EXPECT_EQ(timelineCount(inc, "action", "action ticket failed: exit status 3"), 1u);
  EXPECT_FALSE(std::filesystem::exists(out_file));

  std::vector<json> waiting = outbox("approval");
  ASSERT_EQ(waiting.size(), 1u);
  RunResult approved =
      ht({"alert", "approve", std::to_string(waiting[0]["id"].get<int64_t>()), "--note", "go"});
  ASSERT_EQ(approved.exit_code, 0) << approved.err;
  EXPECT_NE(approved.out.find("snapshot taken"), std::string::npos) << approved.out;
  json input = json::parse(test::readText(out_file));
  EXPECT_EQ(input["incident_id"], inc["id"]);
  inc = incident();
  EXPECT_EQ(timelineCount(inc, "action", "approved action snapshot: go"), 1u);
  EXPECT_EQ(timelineCount(inc, "action", "ran snapshot"), 1u);

  // Approving twice is refused; so is rejecting what already ran.
  EXPECT_NE(ht({"alert", "approve", std::to_string(waiting[0]["id"].get<int64_t>())}).exit_code, 0);
  EXPECT_NE(ht({"alert", "reject", std::to_string(waiting[0]["id"].get<int64_t>())}).exit_code, 0);
}

}  // namespace
}  // namespace ht::app
