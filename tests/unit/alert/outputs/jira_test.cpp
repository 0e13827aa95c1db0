// The Jira output: its issue and comment bodies checked against the REST API's fields and limits,
// and its delivery to a fake Jira on loopback that keeps issues in memory (search by label,
// create, comment).
#include "alert/outputs/jira.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
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
using fixtures::itemFor;
using fixtures::kLink;
using fixtures::makeStory;
using nlohmann::json;
using std::chrono::seconds;
using Server = test::ScriptedHttpServer;

// ---- Issue and comment bodies -------------------------------------------------------------------

TEST(PayloadJira, IssueHasFieldsAndTheWholeStory) {
  Story s = makeStory();
  s.headline += "\r\nInjected second line";
  const json issue = jiraIssue(s, "SEC", "Incident");
  const json& f = issue["fields"];
  EXPECT_EQ(f["project"]["key"], "SEC");
  EXPECT_EQ(f["issuetype"]["name"], "Incident");
  const std::string summary = f["summary"];
  EXPECT_LE(chars(summary), 255u);
  EXPECT_EQ(summary.find_first_of("\r\n"), std::string::npos);
  EXPECT_TRUE(startsWith(summary, "Honey key AKIA2E0A8F3B244C9986 used from 203.0.113.9"));
  EXPECT_EQ(f["labels"], json::array({"honeytrail"}));
  const std::string d = f["description"];
  EXPECT_LE(chars(d), 32767u);
  for (const char* want : {"h3. Where it lives",
                           "* placed on web-01 in /home/deploy/.aws/credentials",
                           "owner ops",
                           "ci.example.com",
                           "h3. Chain of custody",
                           "# 2026-",
                           "honeytrail via minted",
                           "ansible via placed",
                           "alice via copied",
                           "h3. What the attacker did",
                           "* s3:ListBuckets ×5 in us-east-1 → AccessDenied",
                           "sts:GetCallerIdentity ×3",
                           "h3. Who called",
                           "198.51.100.23 (3 calls)",
                           "Tor exit node",
                           "|Key ID|AKIA2E0A8F3B244C9986|",
                           "|Account|111122223333|",
                           "h2. Respond",
                           "# *Do not delete the key* yet",
                           "[the runbook wiki|https://wiki.example.com/honey?x=1&y=2]",
                           "[Open the incident in honeytrail|"}) {
    EXPECT_NE(d.find(want), std::string::npos) << want;
  }
  // Attacker markup is inert: escaped link, macro and image syntax.
  EXPECT_EQ(d.find("[click]"), std::string::npos);
  EXPECT_NE(d.find("\\[click\\]"), std::string::npos);
  EXPECT_EQ(d.find(" {html}"), std::string::npos);
  EXPECT_NE(d.find("\\{html\\}"), std::string::npos);
  EXPECT_NE(d.find("\\!http://evil.example/p.png\\!"), std::string::npos);

  const json custom = jiraIssue(s, "OPS", "Bug", {"honeytrail", "aws key"});
  EXPECT_EQ(custom["fields"]["labels"], json::array({"honeytrail", "aws_key"}));
  s.headline = std::string(400, 'h');
  EXPECT_EQ(chars(jiraIssue(s, "SEC", "Incident")["fields"]["summary"]), 255u);
}

TEST(PayloadJira, CommentLeadsWithTheEscalation) {
  Story s = makeStory();
  s.kind = incidents::AnnouncementKind::kEscalation;
  s.escalation = "first write call: s3:PutObject";
  const json c = jiraComment(s);
  ASSERT_TRUE(c["body"].is_string());
  const std::string b = c["body"];
  EXPECT_TRUE(startsWith(b, "h3. Escalation: first write call: s3:PutObject\n")) << b;
  EXPECT_NE(b.find("s3:ListBuckets ×5"), std::string::npos);
  EXPECT_NE(b.find("203.0.113.9"), std::string::npos);
  EXPECT_NE(b.find(kLink), std::string::npos);
  EXPECT_EQ(c.size(), 1u);
}

// ---- Delivery -----------------------------------------------------------------------------------

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

  // The JiraEnvelope of alert/outputs/jira.h, as the jira output renders it.
  static incidents::OutboxItem envelope(const Story& story,
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
  incidents::OutboxItem item = envelope(makeStory("inc-j-3", "new"));
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
  DeliveryResult r =
      output()->deliver(itemFor("inc-j-9", incidents::AnnouncementKind::kNew, R"({"fields":{}})"));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable);
  EXPECT_NE(r.error.find("Jira envelope"), std::string::npos) << r.error;
  EXPECT_EQ(server_.requestCount(), 0u);
}

}  // namespace
}  // namespace ht::alert
