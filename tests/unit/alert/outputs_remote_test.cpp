// The outputs with a protocol of their own, against real receivers on loopback: a PagerDuty
// Events API v2 receiver that checks the published schema, a fake Jira that keeps issues in
// memory (search by label, create, comment), and a real SMTP server (aiosmtpd) with STARTTLS.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <thread>

#include "alert/outputs.h"
#include "alert/payloads.h"
#include "core/strings.h"
#include "support/http_server.h"
#include "support/test_support.h"

extern char** environ;

namespace ht::alert {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using Server = test::ScriptedHttpServer;

TimePoint at(const char* text) { return *parseTime(text); }

Story makeStory(const std::string& incident_id, const std::string& kind) {
  Story s;
  s.incident_id = incident_id;
  s.kind = kind;
  s.headline = "Honey key AKIASP2TPHJSQH3FJRUX used from 203.0.113.9 (aws-cli)";
  if (kind == "escalation") s.escalation = "first write call: s3:PutObject";
  s.severity = "high";
  s.state = kind == "resolved" ? "resolved" : "open";
  s.trigger_class = "used";
  s.token_id = "tok-1";
  s.key_id = "AKIASP2TPHJSQH3FJRUX";
  s.token_label = "Büro deploy key";  // non-ASCII must survive every protocol
  s.account_id = "123456789012";
  s.user_arn = "arn:aws:iam::123456789012:user/honey-deploy";
  s.token_tags = {{"env", "prod"}};
  s.placements = {{"web-01", "/srv/app/.env", "file", "ops"}};
  s.custody = {{at("2026-01-02T03:04:05Z"), "ops", "placed", ""}};
  StoryCall call;
  call.event_source = "sts.amazonaws.com";
  call.event_name = "GetCallerIdentity";
  call.aws_region = "us-east-1";
  call.count = 3;
  call.first_seen = at("2026-03-01T10:00:00Z");
  call.last_seen = at("2026-03-01T10:05:00Z");
  s.calls = {call};
  StoryCaller caller;
  caller.source_ip = "203.0.113.9";
  caller.user_agent = "aws-cli/2.15.0";
  caller.client = "aws-cli";
  caller.count = 3;
  s.callers = {caller};
  s.intents = {"identity-check"};
  s.first_seen = at("2026-03-01T10:00:00Z");
  s.last_seen = at("2026-03-01T10:05:00Z");
  s.trigger_count = 3;
  // A line that is a lone dot would end the SMTP DATA early unless it is dot-stuffed.
  s.runbook_markdown = "1. Disable the key.\n.\n..and rotate whatever it touched.";
  s.link = "https://honeytrail.example.com/incidents/" + incident_id;
  return s;
}

store::OutboxItem itemFor(const std::string& incident_id, const std::string& kind,
                          std::string body) {
  store::OutboxItem item;
  item.id = 1;
  item.incident_id = incident_id;
  item.output = "remote";
  item.kind = kind;
  item.body = std::move(body);
  return item;
}

config::OutputOptions baseOptions(const std::string& type) {
  config::OutputOptions o;
  o.name = type;
  o.type = type;
  o.allow_private = true;  // every receiver here is on 127.0.0.1
  o.timeout_ms = 5000;
  return o;
}

std::string percentDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
    }
  }
  return out;
}

std::map<std::string, std::string> queryParams(const std::string& query) {
  std::map<std::string, std::string> out;
  for (const std::string& part : split(query, '&')) {
    size_t eq = part.find('=');
    if (eq == std::string::npos) continue;
    out[percentDecode(part.substr(0, eq))] = percentDecode(part.substr(eq + 1));
  }
  return out;
}

// A port on 127.0.0.1 that nothing listens on.
int closedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// ---- PagerDuty ---------------------------------------------------------------------------------

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

  store::OutboxItem storedEvent(const Story& story) {
    // As the outbox stores it: the full event with an empty routing_key.
    return itemFor(story.incident_id, story.kind, pagerDutyEvent(story, "").dump());
  }

  PagerDutyReceiver receiver_;
  Server server_{[this](const Server::Request& r) { return receiver_.handle(r); }};
};

TEST_F(PagerDutyTest, TriggerFollowsTheEventsApiSchemaAndCarriesTheRoutingKey) {
  Story story = makeStory("inc-pd-1", "new");
  store::OutboxItem item = storedEvent(story);
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
  store::OutboxItem item = storedEvent(makeStory("inc-pd-4", "new"));

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
  DeliveryResult r = output()->deliver(itemFor("inc-pd-5", "new", "{not json"));
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

// ---- Jira --------------------------------------------------------------------------------------

const std::string kJiraUser = "alice@example.com";
const std::string kJiraToken = "ATATT3xFfGF0-jira-api-token-42";

std::string basicAuth(const std::string& user, const std::string& password) {
  // Built the long way, independently of the output's encoder.
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::string in = user + ":" + password;
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<uint8_t>(in[i + 1]) << 8;
    if (i + 2 < in.size()) v |= static_cast<uint8_t>(in[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[v & 63] : '=';
  }
  return "Basic " + out;
}

// Jira Cloud's REST API v2 as far as the output uses it, with issues kept in memory.
struct FakeJira {
  struct Issue {
    std::string key;
    json fields;
    std::vector<std::string> comments;
  };

  std::mutex mu;
  std::vector<Issue> issues;
  bool drop_next_create = false;  // store the issue, then drop the connection without a reply
  bool search_gone = false;       // /search answers 410 as Jira Cloud now does
  std::optional<Server::Response> create_override;

  Server::Response handle(const Server::Request& req) {
    std::lock_guard lock(mu);
    const std::string* auth = req.header("Authorization");
    if (auth == nullptr || *auth != basicAuth(kJiraUser, kJiraToken)) {
      // A careless proxy that quotes the request's credentials back.
      std::string quoted = auth == nullptr ? "" : *auth;
      return jsonResponse(401, {{"errorMessages", {"Client must be authenticated. Got " + quoted}},
                                {"errors", json::object()}});
    }
    const std::string path = req.path();
    if (req.method == "GET" && (path == "/rest/api/2/search" || path == "/rest/api/2/search/jql")) {
      if (path == "/rest/api/2/search" && search_gone) {
        return jsonResponse(410, {{"errorMessages", {"The requested API has been removed."}}});
      }
      return search(req);
    }
    if (req.method == "POST" && path == "/rest/api/2/issue") return create(req);
    static const std::regex kComment("/rest/api/2/issue/([A-Z]+-[0-9]+)/comment");
    std::smatch m;
    if (req.method == "POST" && std::regex_match(path, m, kComment)) return comment(req, m[1]);
    return jsonResponse(404, {{"errorMessages", {"Not found: " + path}}});
  }

  Server::Response search(const Server::Request& req) {
    auto params = queryParams(req.query());
    static const std::regex kJql(R"re(labels\s*=\s*"([^"\\]+)")re");
    std::smatch m;
    const std::string jql = params["jql"];
    if (!std::regex_match(jql, m, kJql)) {
      return jsonResponse(400, {{"errorMessages", {"Error in the JQL Query: " + jql}}});
    }
    if (params["fields"] != "key" || params["maxResults"] != "1") {
      return jsonResponse(400, {{"errorMessages", {"expected fields=key&maxResults=1"}}});
    }
    json found = json::array();
    for (const Issue& issue : issues) {
      const json& labels = issue.fields["labels"];
      if (std::find(labels.begin(), labels.end(), json(m[1].str())) != labels.end()) {
        found.push_back({{"id", "1000" + issue.key.substr(4)}, {"key", issue.key}});
        break;
      }
    }
    return jsonResponse(200, {{"startAt", 0}, {"maxResults", 1}, {"issues", found}});
  }

  Server::Response create(const Server::Request& req) {
    if (create_override) return *create_override;
    json body = json::parse(req.body, nullptr, false);
    json errors = json::object();
    if (!body.is_object() || !body.contains("fields") || !body["fields"].is_object()) {
      return jsonResponse(400, {{"errorMessages", {"no fields"}}});
    }
    const json& f = body["fields"];
    if (!f.contains("project") || f["project"].value("key", "") != "SEC") {
      errors["project"] = "valid project is required";
    }
    if (!f.contains("issuetype") || f["issuetype"].value("name", "") != "Task") {
      errors["issuetype"] = "valid issue type is required";
    }
    const std::string summary = f.value("summary", "");
    if (summary.empty() || summary.size() > 255 || summary.find('\n') != std::string::npos) {
      errors["summary"] = "Summary must be one line of less than 255 characters.";
    }
    if (!f.contains("labels") || !f["labels"].is_array()) {
      errors["labels"] = "labels are required here";
    }
    if (!errors.empty())
      return jsonResponse(400, {{"errorMessages", json::array()}, {"errors", errors}});
    Issue issue;
    issue.key = "SEC-" + std::to_string(issues.size() + 1);
    issue.fields = f;
    issues.push_back(issue);
    if (drop_next_create) {
      drop_next_create = false;
      Server::Response dropped;
      dropped.drop = true;
      return dropped;
    }
    return jsonResponse(201, {{"id", "1000" + issue.key.substr(4)},
                              {"key", issue.key},
                              {"self", "http://jira/rest/api/2/issue/" + issue.key}});
  }

  Server::Response comment(const Server::Request& req, const std::string& key) {
    for (Issue& issue : issues) {
      if (issue.key != key) continue;
      json body = json::parse(req.body, nullptr, false);
      if (!body.is_object() || !body.contains("body") || !body["body"].is_string()) {
        return jsonResponse(400, {{"errorMessages", {"Comment body can not be empty!"}}});
      }
      issue.comments.push_back(body["body"]);
      return jsonResponse(201,
                          {{"id", std::to_string(issue.comments.size())}, {"body", body["body"]}});
    }
    return jsonResponse(404, {{"errorMessages", {"Issue does not exist"}}});
  }

  static Server::Response jsonResponse(int status, const json& body) {
    return {status, {{"Content-Type", "application/json"}}, body.dump()};
  }
};

class JiraTest : public ::testing::Test {
 protected:
  std::unique_ptr<Output> output(const std::string& token = kJiraToken,
                                 const std::string& suffix = "") {
    config::OutputOptions o = baseOptions("jira");
    o.username = kJiraUser;
    o.jira_project = "SEC";
    return makeJiraOutput(o, {server_.url() + suffix, token});
  }

  // The JiraEnvelope of outputs.h, as renderBody stores it.
  static store::OutboxItem envelope(const Story& story,
                                    std::vector<std::string> labels = {"honeytrail"}) {
    if (labels.size() == 1) labels.push_back(story.incident_id);
    json body = {{"incident_id", story.incident_id},
                 {"kind", story.kind},
                 {"issue", jiraIssue(story, "SEC", "Task", labels)},
                 {"comment", jiraComment(story)}};
    return itemFor(story.incident_id, story.kind, body.dump());
  }

  std::vector<std::string> requestLines() {
    std::vector<std::string> out;
    for (const auto& r : server_.requests()) out.push_back(r.method + " " + r.path());
    return out;
  }

  FakeJira jira_;
  Server server_{[this](const Server::Request& r) { return jira_.handle(r); }};
};

TEST_F(JiraTest, NewIncidentCreatesOneLabelledIssue) {
  // A base URL with a trailing slash, as people paste it.
  DeliveryResult r = output(kJiraToken, "/")->deliver(envelope(makeStory("inc-j-1", "new")));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.http_status, 201);
  EXPECT_EQ(r.output, "SEC-1 created");
  ASSERT_EQ(jira_.issues.size(), 1u);
  const json& f = jira_.issues[0].fields;
  EXPECT_EQ(f["labels"], json::array({"honeytrail", "inc-j-1"}));
  EXPECT_NE(f["description"].get<std::string>().find("Büro deploy key"), std::string::npos);
  EXPECT_EQ(requestLines(),
            (std::vector<std::string>{"GET /rest/api/2/search", "POST /rest/api/2/issue"}));
  EXPECT_EQ(queryParams(server_.requests()[0].query())["jql"], "labels = \"inc-j-1\"");
}

TEST_F(JiraTest, EscalationCommentsOnTheSameIssue) {
  auto out = output();
  ASSERT_TRUE(out->deliver(envelope(makeStory("inc-j-2", "new"))).ok);
  DeliveryResult r = out->deliver(envelope(makeStory("inc-j-2", "escalation")));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.output, "commented on SEC-1");
  ASSERT_EQ(jira_.issues.size(), 1u);
  ASSERT_EQ(jira_.issues[0].comments.size(), 1u);
  EXPECT_NE(jira_.issues[0].comments[0].find("first write call: s3:PutObject"), std::string::npos)
      << jira_.issues[0].comments[0];
  // Another incident gets its own issue.
  r = out->deliver(envelope(makeStory("inc-j-other", "new")));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.output, "SEC-2 created");
}

TEST_F(JiraTest, RetryAfterALostResponseCommentsInsteadOfFilingADuplicate) {
  jira_.drop_next_create = true;
  auto out = output();
  store::OutboxItem item = envelope(makeStory("inc-j-3", "new"));
  DeliveryResult first = out->deliver(item);
  EXPECT_FALSE(first.ok);
  EXPECT_TRUE(first.retryable) << first.error;  // the outcome is unknown: try again
  ASSERT_EQ(jira_.issues.size(), 1u);           // but Jira did create it

  DeliveryResult retry = out->deliver(item);
  ASSERT_TRUE(retry.ok) << retry.error;
  EXPECT_EQ(retry.output, "commented on SEC-1");
  EXPECT_EQ(jira_.issues.size(), 1u);
  EXPECT_EQ(jira_.issues[0].comments.size(), 1u);
}

TEST_F(JiraTest, EscalationWithoutAnIssueCreatesItAndAddsTheMissingLabel) {
  // An envelope whose issue lacks the incident label: the output adds it, or it could never
  // find the issue again.
  Story story = makeStory("inc-j-4", "escalation");
  json body = {{"incident_id", story.incident_id},
               {"kind", story.kind},
               {"issue", jiraIssue(story, "SEC", "Task", {"honeytrail"})},
               {"comment", jiraComment(story)}};
  auto out = output();
  DeliveryResult r = out->deliver(itemFor(story.incident_id, story.kind, body.dump()));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.output, "SEC-1 created");
  ASSERT_EQ(jira_.issues.size(), 1u);
  EXPECT_EQ(jira_.issues[0].fields["labels"], json::array({"honeytrail", "inc-j-4"}));
  EXPECT_TRUE(jira_.issues[0].comments.empty());

  r = out->deliver(envelope(makeStory("inc-j-4", "resolved")));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.output, "commented on SEC-1");
}

TEST_F(JiraTest, WrongTokenIsPermanentAndNeverQuoted) {
  const std::string wrong = "wrong-token-that-must-stay-secret";
  DeliveryResult r = output(wrong)->deliver(envelope(makeStory("inc-j-5", "new")));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable);
  EXPECT_EQ(r.http_status, 401);
  EXPECT_NE(r.error.find("401"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("Client must be authenticated"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find(wrong), std::string::npos) << r.error;
  // The fake quoted the Authorization header back; its base64 must not reach the timeline.
  const std::string basic = basicAuth(kJiraUser, wrong);
  EXPECT_EQ(r.error.find(basic.substr(6)), std::string::npos) << r.error;
  EXPECT_TRUE(jira_.issues.empty());
}

TEST_F(JiraTest, InvalidIssueIsPermanentWithJirasFieldErrors) {
  config::OutputOptions o = baseOptions("jira");
  o.username = kJiraUser;
  Story story = makeStory("inc-j-6", "new");
  json body = {{"incident_id", story.incident_id},
               {"kind", story.kind},
               {"issue", jiraIssue(story, "NOPE", "Task", {"honeytrail", story.incident_id})},
               {"comment", jiraComment(story)}};
  DeliveryResult r = makeJiraOutput(o, {server_.url(), kJiraToken})
                         ->deliver(itemFor(story.incident_id, story.kind, body.dump()));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable);
  EXPECT_EQ(r.http_status, 400);
  EXPECT_NE(r.error.find("project: valid project is required"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find(kJiraToken), std::string::npos) << r.error;
}

TEST_F(JiraTest, OverloadedJiraIsRetriedAfterRetryAfter) {
  jira_.create_override = Server::Response{503, {{"Retry-After", "30"}}, "busy"};
  DeliveryResult r = output()->deliver(envelope(makeStory("inc-j-7", "new")));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.retryable);
  EXPECT_EQ(r.http_status, 503);
  ASSERT_TRUE(r.retry_after.has_value());
  EXPECT_EQ(*r.retry_after, seconds(30));
}

TEST_F(JiraTest, RemovedSearchEndpointFallsBackToSearchJql) {
  jira_.search_gone = true;
  auto out = output();
  ASSERT_TRUE(out->deliver(envelope(makeStory("inc-j-8", "new"))).ok);
  DeliveryResult r = out->deliver(envelope(makeStory("inc-j-8", "escalation")));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.output, "commented on SEC-1");
  // The 410 is met once; later deliveries go straight to the new endpoint.
  EXPECT_EQ(requestLines(),
            (std::vector<std::string>{"GET /rest/api/2/search", "GET /rest/api/2/search/jql",
                                      "POST /rest/api/2/issue", "GET /rest/api/2/search/jql",
                                      "POST /rest/api/2/issue/SEC-1/comment"}));
}

TEST_F(JiraTest, NotAnEnvelopeIsPermanentAndNothingIsSent) {
  DeliveryResult r = output()->deliver(itemFor("inc-j-9", "new", R"({"fields":{}})"));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable);
  EXPECT_NE(r.error.find("Jira envelope"), std::string::npos) << r.error;
  EXPECT_EQ(server_.requestCount(), 0u);
}

// ---- Email -------------------------------------------------------------------------------------

const std::string kSmtpUser = "alerts@example.com";
const std::string kSmtpPassword = "smtp-pa55word-do-not-leak";

// Debian's python3 (which has python3-aiosmtpd) may not be the first python3 on PATH.
std::string pythonWithAiosmtpd() {
  for (const char* candidate : {"/usr/bin/python3", "python3"}) {
    if (candidate[0] == '/' && !std::filesystem::exists(candidate)) continue;
    if (test::run({candidate, "-c", "import aiosmtpd"}).exit_code == 0) return candidate;
  }
  return "";
}

bool canConnect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// The value of header `name` in an RFC 5322 message (the first line only).
std::string headerOf(const std::string& message, const std::string& name) {
  const std::string prefix = name + ": ";
  size_t pos = message.find("\r\n" + prefix);
  if (pos == std::string::npos) return startsWith(message, prefix) ? "" : "(missing)";
  pos += 2 + prefix.size();
  return message.substr(pos, message.find("\r\n", pos) - pos);
}

class EmailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    python_ = pythonWithAiosmtpd();
    if (python_.empty())
      GTEST_SKIP() << "python3 cannot import aiosmtpd (apt install python3-aiosmtpd)";
    // A self-signed certificate for the address the output connects to.
    test::RunResult gen =
        test::run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                   dir_ / "key.pem", "-out", dir_ / "cert.pem", "-days", "2", "-subj",
                   "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    std::filesystem::create_directory(dir_ / "out");
  }

  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }

  // Starts the receiver; waits until it accepts connections.
  void startReceiver(bool tls) {
    std::vector<std::string> args = {
        python_,       std::string(HT_SOURCE_DIR) + "/tests/support/smtp_receiver.py",
        "--out",       dir_ / "out",
        "--port-file", dir_ / "port",
        "--user",      kSmtpUser,
        "--password",  kSmtpPassword};
    if (tls) {
      for (const std::string& a :
           {std::string("--cert"), dir_ / "cert.pem", std::string("--key"), dir_ / "key.pem"}) {
        args.push_back(a);
      }
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string log = dir_ / "receiver.log";
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    int rc = posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ASSERT_EQ(rc, 0) << "cannot start " << python_;

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      if (std::filesystem::exists(dir_ / "port")) {
        port_ = std::stoi(test::readText(dir_ / "port"));
        if (canConnect(port_)) return;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        FAIL() << "the SMTP receiver exited: " << test::readText(log);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL() << "the SMTP receiver did not start: " << test::readText(log);
  }

  std::unique_ptr<Output> output(const std::string& password = kSmtpPassword,
                                 const std::vector<std::string>& to = {"Sec Team <sec@example.com>",
                                                                       "oncall@example.com"},
                                 bool with_ca = true) {
    config::OutputOptions o = baseOptions("email");
    o.username = kSmtpUser;
    o.email_from = "Honeytrail <honeytrail@example.com>";
    o.email_to = to;
    if (with_ca) o.ca_file = dir_ / "cert.pem";
    return makeEmailOutput(o, {"smtp://127.0.0.1:" + std::to_string(port_), password});
  }

  store::OutboxItem message(const Story& story) {
    return itemFor(story.incident_id, story.kind,
                   emailMessage(story, "Honeytrail <honeytrail@example.com>",
                                {"Sec Team <sec@example.com>", "oncall@example.com"},
                                at("2026-03-01T10:06:00Z")));
  }

  std::vector<json> received() {
    std::vector<json> out;
    for (int i = 1; std::filesystem::exists(dir_ / ("out/message-" + std::to_string(i) + ".json"));
         ++i) {
      out.push_back(
          json::parse(test::readText(dir_ / ("out/message-" + std::to_string(i) + ".json"))));
    }
    return out;
  }

  std::string events() {
    const std::string path = dir_ / "out/events.log";
    return std::filesystem::exists(path) ? test::readText(path) : "";
  }

  test::TempDir dir_;
  std::string python_;
  pid_t pid_ = -1;
  int port_ = 0;
};

TEST_F(EmailTest, DeliversOverStartTlsWithLogin) {
  startReceiver(/*tls=*/true);
  store::OutboxItem item = message(makeStory("inc-e-1", "new"));
  DeliveryResult r = output()->deliver(item);
  ASSERT_TRUE(r.ok) << r.error << "\n" << events();
  EXPECT_EQ(r.http_status, 250);
  EXPECT_EQ(r.output, "accepted by 127.0.0.1:" + std::to_string(port_) + " for 2 recipients");

  std::vector<json> got = received();
  ASSERT_EQ(got.size(), 1u);
  const json& m = got[0];
  EXPECT_TRUE(m["tls"].get<bool>());
  EXPECT_TRUE(m["authenticated"].get<bool>());
  EXPECT_EQ(m["mail_from"], "honeytrail@example.com");
  EXPECT_EQ(m["rcpt_tos"], json::array({"sec@example.com", "oncall@example.com"}));
  EXPECT_EQ(m["subject"], headerOf(item.body, "Subject"));
  EXPECT_NE(m["subject"].get<std::string>().find("[honeytrail]"), std::string::npos);
  EXPECT_EQ(m["from"], "Honeytrail <honeytrail@example.com>");
  EXPECT_EQ(m["to"], "Sec Team <sec@example.com>, oncall@example.com");
  EXPECT_EQ(m["message_id"], "<inc-e-1@example.com>");
  EXPECT_EQ(m["content_type"], "text/plain");
  // The body arrives whole: UTF-8 intact and the lone-dot runbook line dot-stuffed and restored.
  const std::string sent_body =
      replaceAll(item.body.substr(item.body.find("\r\n\r\n") + 4), "\r\n", "\n");
  EXPECT_EQ(m["body"], sent_body);
  EXPECT_NE(sent_body.find("Büro deploy key"), std::string::npos);
  EXPECT_NE(sent_body.find("\n.\n"), std::string::npos);
}

TEST_F(EmailTest, WrongPasswordIsPermanentAndNeverQuoted) {
  startReceiver(/*tls=*/true);
  const std::string wrong = "wrong-pa55word-secret";
  DeliveryResult r = output(wrong)->deliver(message(makeStory("inc-e-2", "new")));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable) << r.error;
  EXPECT_EQ(r.http_status, 535);
  EXPECT_NE(r.error.find("refused the login"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find(wrong), std::string::npos) << r.error;
  EXPECT_NE(events().find("AUTH"), std::string::npos);
  EXPECT_NE(events().find("fail"), std::string::npos);
  EXPECT_EQ(events().find("MAIL"), std::string::npos) << events();
  EXPECT_TRUE(received().empty());
}

TEST_F(EmailTest, ServerWithoutStartTlsGetsNothingAndTheFailureIsPermanent) {
  startReceiver(/*tls=*/false);
  DeliveryResult r = output()->deliver(message(makeStory("inc-e-3", "new")));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable) << r.error;
  EXPECT_NE(r.error.find("does not offer STARTTLS"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("requires"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find(kSmtpPassword), std::string::npos) << r.error;
  // Not the login, not even the envelope.
  EXPECT_EQ(events(), "");
  EXPECT_TRUE(received().empty());
}

TEST_F(EmailTest, UntrustedCertificateSendsNothingAndIsRetried) {
  startReceiver(/*tls=*/true);
  DeliveryResult r = output(kSmtpPassword, {"sec@example.com"}, /*with_ca=*/false)
                         ->deliver(message(makeStory("inc-e-4", "new")));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.retryable) << r.error;  // an operator can add ca_file before the item ages out
  EXPECT_EQ(events(), "");
  EXPECT_TRUE(received().empty());
}

TEST_F(EmailTest, RejectedRecipientIsPermanentAndGreylistingIsRetried) {
  startReceiver(/*tls=*/true);
  DeliveryResult r = output(kSmtpPassword, {"reject-me@example.com"})
                         ->deliver(message(makeStory("inc-e-5", "new")));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable) << r.error;
  EXPECT_EQ(r.http_status, 550);
  EXPECT_NE(r.error.find("No such user"), std::string::npos) << r.error;

  r = output(kSmtpPassword, {"greylist@example.com"})
          ->deliver(message(makeStory("inc-e-5", "new")));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.retryable) << r.error;
  EXPECT_EQ(r.http_status, 451);
  EXPECT_TRUE(received().empty());
}

TEST_F(EmailTest, ServerDownIsRetried) {
  port_ = closedPort();
  DeliveryResult r = output()->deliver(message(makeStory("inc-e-6", "new")));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.retryable) << r.error;
  EXPECT_NE(r.error.find("127.0.0.1:" + std::to_string(port_)), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find(kSmtpPassword), std::string::npos) << r.error;
}

TEST_F(EmailTest, PlainTextServerUrlIsRefused) {
  config::OutputOptions o = baseOptions("email");
  o.email_from = "honeytrail@example.com";
  o.email_to = {"sec@example.com"};
  DeliveryResult r = makeEmailOutput(o, {"http://127.0.0.1:25", ""})
                         ->deliver(message(makeStory("inc-e-7", "new")));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable);
  EXPECT_NE(r.error.find("smtp://"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace ht::alert
