// The registry of output types: it has every type the config schema accepts, stores for each the
// body of that service's payload function, renders without credentials what the built output
// renders, and names what keeps an output from being built.
#include "alert/outputs.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "alert/outputs/email.h"
#include "alert/outputs/jira.h"
#include "alert/outputs/pagerduty.h"
#include "alert/outputs/slack.h"
#include "alert/outputs/syslog.h"
#include "alert/outputs/teams.h"
#include "alert/outputs/webhook.h"
#include "config/schema.h"
#include "unit/alert/outputs/fixtures.h"

namespace ht::alert {
namespace {

using fixtures::kLast;
using fixtures::makeStory;
using nlohmann::json;

constexpr char kHost[] = "ht-01.example.com";

config::EnvLookup envOf(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// Options that let every type be built, with values each renderer uses.
config::OutputOptions optionsFor(const std::string& type) {
  config::OutputOptions o;
  o.name = "out-" + type;
  o.type = type;
  o.url = type == "syslog"  ? "udp://127.0.0.1:514"
          : type == "email" ? "smtps://mail.example.com:465"
                            : "https://hooks.example.com/services/T000/B000/XXXX";
  o.path = "-";
  o.jira_project = "SEC";
  o.jira_issue_type = "Bug";
  o.email_from = "Honeytrail <honeytrail@example.com>";
  o.email_to = {"sec@example.com"};
  return o;
}

std::vector<std::string> schemaTypes() {
  const config::KeySpec* spec = config::findKey("alerts.outputs.*.type");
  EXPECT_NE(spec, nullptr);
  std::vector<std::string> out;
  if (spec != nullptr) {
    for (std::string_view v : spec->allowed_values) out.emplace_back(v);
  }
  return out;
}

std::string dumped(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

TEST(OutputRegistry, HasEveryTypeTheConfigAcceptsUnderItsConfigName) {
  const std::vector<std::string> names = schemaTypes();
  ASSERT_FALSE(names.empty());
  std::set<OutputType> seen;
  for (const std::string& name : names) {
    std::optional<OutputType> type = parseOutputType(name);
    ASSERT_TRUE(type.has_value()) << name;
    EXPECT_EQ(outputTypeName(*type), name);
    EXPECT_TRUE(seen.insert(*type).second) << name << " shares its type with another name";
  }
  EXPECT_FALSE(parseOutputType("command").has_value());  // a response action, not an output
  EXPECT_FALSE(parseOutputType("Slack").has_value());
  EXPECT_FALSE(parseOutputType("").has_value());
}

TEST(OutputRegistry, RendersWithoutCredentialsWhatTheBuiltOutputRenders) {
  const Story story = makeStory();
  for (const std::string& name : schemaTypes()) {
    config::OutputOptions o = optionsFor(name);
    o.secret_env = "HT_TEST_OUTPUT_SECRET";
    Result<std::unique_ptr<AlertOutput>> built =
        makeOutput(o, envOf({{"HT_TEST_OUTPUT_SECRET", "s3cret-never-stored"}}));
    ASSERT_TRUE(built.hasValue()) << name << ": " << built.status().toString();
    const std::string body = renderBody(o, story, kLast, kHost);
    EXPECT_EQ(body, (*built)->render(story, kLast, kHost)) << name;
    EXPECT_EQ(body.find("s3cret-never-stored"), std::string::npos) << name;
  }
}

TEST(OutputRegistry, EachTypeStoresItsServicesPayload) {
  const Story story = makeStory();
  auto body = [&](const std::string& type, const Story& s) {
    return renderBody(optionsFor(type), s, kLast, kHost);
  };
  EXPECT_EQ(body("webhook", story), dumped(webhookPayload(story)));
  EXPECT_EQ(body("file", story), dumped(webhookPayload(story)));
  EXPECT_EQ(body("slack", story), dumped(slackPayload(story)));
  EXPECT_EQ(body("teams", story), dumped(teamsPayload(story)));
  EXPECT_EQ(body("pagerduty", story), dumped(pagerDutyEvent(story, "")));
  EXPECT_EQ(body("email", story),
            emailMessage(story, "Honeytrail <honeytrail@example.com>", {"sec@example.com"}, kLast));
  EXPECT_EQ(body("syslog", story), syslogLine(story, kHost, kLast));

  const json jira = json::parse(body("jira", story));
  EXPECT_EQ(jira["incident_id"], story.incident_id);
  EXPECT_EQ(jira["kind"], incidents::announcementKindName(story.kind));
  EXPECT_EQ(jira["issue"], jiraIssue(story, "SEC", "Bug", {"honeytrail", story.incident_id}));
  EXPECT_EQ(jira["comment"], jiraComment(story));

  // A resolved incident resolves the page rather than opening another.
  Story resolved = story;
  resolved.kind = incidents::AnnouncementKind::kResolved;
  EXPECT_EQ(body("pagerduty", resolved), dumped(pagerDutyEvent(resolved, "", true)));
  EXPECT_EQ(json::parse(body("pagerduty", resolved))["event_action"], "resolve");

  // Config validation keeps unknown types out; what reaches here anyway gets the generic JSON.
  EXPECT_EQ(body("carrier-pigeon", story), dumped(webhookPayload(story)));
}

TEST(OutputRegistry, BuildErrorsNameTheOutputAndWhatIsMissing) {
  Result<std::unique_ptr<AlertOutput>> r = makeOutput(optionsFor("carrier-pigeon"), envOf({}));
  ASSERT_FALSE(r.hasValue());
  EXPECT_EQ(r.status().message(),
            "alerts.outputs.out-carrier-pigeon: unknown type \"carrier-pigeon\"");

  // Webhook-style outputs are nothing without their URL: start-up says so.
  for (const std::string type : {"webhook", "slack", "teams"}) {
    config::OutputOptions o = optionsFor(type);
    o.url.clear();
    r = makeOutput(o, envOf({}));
    ASSERT_FALSE(r.hasValue()) << type;
    EXPECT_EQ(r.status().message(), "alerts.outputs.out-" + type + ": no URL");
  }
  // The others have a default endpoint or report a missing one on delivery.
  for (const std::string type : {"pagerduty", "jira", "email", "syslog", "file"}) {
    config::OutputOptions o = optionsFor(type);
    o.url.clear();
    EXPECT_TRUE(makeOutput(o, envOf({})).hasValue()) << type;
  }

  config::OutputOptions slack = optionsFor("slack");
  slack.url_env = "HT_TEST_SLACK_URL";
  r = makeOutput(slack, envOf({}));
  ASSERT_FALSE(r.hasValue());
  EXPECT_EQ(r.status().message(),
            "alerts.outputs.out-slack.url_env: environment variable HT_TEST_SLACK_URL is not set");
  slack.url.clear();  // url_env's value is the URL
  EXPECT_TRUE(
      makeOutput(slack, envOf({{"HT_TEST_SLACK_URL", "https://hooks.slack.com/services/T/B/X"}}))
          .hasValue());
}

}  // namespace
}  // namespace ht::alert
