// The Slack output's message checked against Block Kit's documented structure and limits, with a
// story that carries hostile attacker text.
#include "alert/outputs/slack.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "core/strings.h"
#include "support/test_support.h"
#include "unit/alert/outputs/fixtures.h"

namespace ht::alert {
namespace {

using fixtures::chars;
using fixtures::kFirst;
using fixtures::kLast;
using fixtures::kLink;
using fixtures::makeStory;
using nlohmann::json;

// Every mrkdwn / plain_text string in a Slack message, with the path that led to it.
void slackTexts(const json& j, std::vector<std::string>& out) {
  if (j.is_object()) {
    if (j.contains("type") && j.contains("text") && j["text"].is_string()) {
      out.push_back(j["text"].get<std::string>());
    }
    for (const auto& [k, v] : j.items()) slackTexts(v, out);
  } else if (j.is_array()) {
    for (const auto& v : j) slackTexts(v, out);
  }
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += s + "\n";
  return out;
}

void expectValidSlack(const json& msg) {
  ASSERT_TRUE(msg.contains("text"));
  ASSERT_TRUE(msg["text"].is_string());
  EXPECT_FALSE(msg["text"].get<std::string>().empty());
  ASSERT_TRUE(msg["blocks"].is_array());
  EXPECT_LE(msg["blocks"].size(), 50u);
  const std::set<std::string> kTypes = {"header", "section", "divider", "context"};
  for (const json& b : msg["blocks"]) {
    const std::string type = b.at("type");
    ASSERT_TRUE(kTypes.count(type)) << type;
    if (type == "header") {
      EXPECT_EQ(b["text"]["type"], "plain_text");
      const std::string t = b["text"]["text"];
      EXPECT_LE(chars(t), 150u);
      EXPECT_FALSE(t.empty());
      EXPECT_EQ(t.find('\n'), std::string::npos);
    } else if (type == "section") {
      ASSERT_TRUE(b.contains("text") || b.contains("fields"));
      if (b.contains("text")) {
        EXPECT_EQ(b["text"]["type"], "mrkdwn");
        EXPECT_LE(chars(b["text"]["text"]), 3000u);
        EXPECT_FALSE(b["text"]["text"].get<std::string>().empty());
      }
      if (b.contains("fields")) {
        EXPECT_LE(b["fields"].size(), 10u);
        EXPECT_GE(b["fields"].size(), 1u);
        for (const json& f : b["fields"]) {
          EXPECT_EQ(f["type"], "mrkdwn");
          EXPECT_LE(chars(f["text"]), 2000u);
        }
      }
    } else if (type == "context") {
      ASSERT_TRUE(b["elements"].is_array());
      EXPECT_GE(b["elements"].size(), 1u);
      EXPECT_LE(b["elements"].size(), 10u);
      for (const json& e : b["elements"]) {
        EXPECT_TRUE(e["type"] == "mrkdwn" || e["type"] == "plain_text");
        EXPECT_LE(chars(e["text"]), 3000u);
      }
    } else if (type == "divider") {
      EXPECT_EQ(b.size(), 1u);
    }
  }
  std::vector<std::string> texts;
  slackTexts(msg, texts);
  for (const std::string& t : texts) EXPECT_TRUE(isValidUtf8(t));
  EXPECT_NO_THROW((void)msg.dump());
}

TEST(PayloadSlack, BlocksFollowBlockKitAndTellTheStory) {
  const json msg = slackPayload(makeStory());
  expectValidSlack(msg);
  EXPECT_EQ(msg["blocks"][0]["type"], "header");
  EXPECT_EQ(msg["blocks"][0]["text"]["text"],
            "Honey key AKIA2E0A8F3B244C9986 used from 203.0.113.9 (aws-cli)");
  EXPECT_EQ(msg["text"], "Honey key AKIA2E0A8F3B244C9986 used from 203.0.113.9 (aws-cli)");
  EXPECT_TRUE(msg["blocks"][1].contains("fields"));  // the header is not repeated as a section
  std::vector<std::string> texts;
  slackTexts(msg, texts);
  const std::string all = joined(texts);
  for (const char* want :
       {"*Key ID*\nAKIA2E0A8F3B244C9986",
        "*Token*\ndeploy-ci-prod",
        "*Account*\n111122223333",
        "*Severity*\ncritical",
        "*First seen*\n2026-11-28T14:14:52Z",
        "User ARN: arn:aws:iam::111122223333:user/honeytrail/deploy-ci-prod",
        "Tags: honeytrail=token, team=ops",
        "• placed on web-01 in /home/deploy/.aws/credentials (aws-credentials-file), owner ops",
        "• placed on ci.example.com in GitHub secret acme/api AWS_ACCESS_KEY_ID (ci-secret), "
        "owner platform",
        "honeytrail via minted — IAM user, no policies",
        "ansible via placed",
        "alice via copied — into CI for the canary job",
        "sts:GetCallerIdentity ×3 in us-east-1 → succeeded",
        "s3:ListBuckets ×5 in us-east-1 → AccessDenied (2026-11-28T14:14:52Z to "
        "2026-11-28T15:44:52Z)",
        "iam:ListUsers ×2",
        "203.0.113.9 (7 calls), client aws-cli, country DE, AS64500 Example "
        "Hosting GmbH, not Tor",
        "198.51.100.23 (3 calls), client unknown, country NL, AS64501 Onion Relays BV, Tor exit "
        "node",
        "*Runbook*",
        "*Respond*",
        "*Do not delete the key*",
        "<https://wiki.example.com/honey?x=1&amp;y=2|the runbook wiki>",
        "• Rotate every other secret",
        "<https://honeytrail.example.com/incidents/inc-20261128-0001|inc-20261128-0001>"}) {
    EXPECT_NE(all.find(want), std::string::npos) << want << "\n---\n" << all;
  }
  // Every section of the story arrives, in order.
  const size_t where = all.find("*Where it lives*"), custody = all.find("*Chain of custody*"),
               did = all.find("*What the attacker did*"), who = all.find("*Who called*"),
               runbook = all.find("*Runbook*");
  ASSERT_NE(where, std::string::npos);
  EXPECT_LT(where, custody);
  EXPECT_LT(custody, did);
  EXPECT_LT(did, who);
  EXPECT_LT(who, runbook);
  EXPECT_LE(msg["blocks"].size(), 50u);
}

TEST(PayloadSlack, HostileTextIsEscapedAndBounded) {
  const json msg = slackPayload(makeStory());
  expectValidSlack(msg);
  std::vector<std::string> texts;
  slackTexts(msg, texts);
  const std::string all = joined(texts);
  EXPECT_EQ(all.find("<script>"), std::string::npos);
  EXPECT_EQ(all.find("<!channel>"), std::string::npos);
  EXPECT_NE(all.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!channel&gt;"),
            std::string::npos);
  // Every '<' opens a link this code made; every '&' starts an entity.
  for (size_t i = all.find('<'); i != std::string::npos; i = all.find('<', i + 1)) {
    EXPECT_EQ(all.compare(i, 9, "<https://"), 0) << all.substr(i, 40);
  }
  for (size_t i = all.find('&'); i != std::string::npos; i = all.find('&', i + 1)) {
    const std::string rest = all.substr(i, 5);
    EXPECT_TRUE(rest.rfind("&amp;", 0) == 0 || rest.rfind("&lt;", 0) == 0 ||
                rest.rfind("&gt;", 0) == 0)
        << rest;
  }
  // The user agent stays on its line (no injected "Bcc:" line) and is cut short, saying so.
  const size_t ua = all.find("user agent \"&lt;script");
  ASSERT_NE(ua, std::string::npos);
  const std::string line = all.substr(ua, all.find('\n', ua) - ua);
  EXPECT_NE(line.find("Bcc: victim@example.com"), std::string::npos);
  EXPECT_NE(line.find("(truncated)"), std::string::npos);
  EXPECT_LT(chars(line), 400u);
  EXPECT_EQ(all.find(std::string(1000, 'A')), std::string::npos);
}

TEST(PayloadSlack, TruncatesOnCharacterBoundariesWithinLimits) {
  Story s = makeStory();
  s.headline.clear();
  for (int i = 0; i < 120; ++i) s.headline += "é€😀";  // 2-, 3- and 4-byte characters
  s.runbook_markdown = std::string(1000, '&') + "\n" + std::string(4000, 'x');
  const json msg = slackPayload(s);
  expectValidSlack(msg);
  const std::string header = msg["blocks"][0]["text"]["text"];
  EXPECT_EQ(chars(header), 150u);
  EXPECT_TRUE(isValidUtf8(header));
  EXPECT_TRUE(endsWith(header, "(truncated)"));
  EXPECT_TRUE(isValidUtf8(msg["text"].get<std::string>()));
  std::vector<std::string> texts;
  slackTexts(msg, texts);
  bool cut_runbook = false;
  for (const std::string& t : texts) {
    EXPECT_TRUE(isValidUtf8(t));
    if (t.find("xxxx") != std::string::npos && t.find("(truncated)") != std::string::npos) {
      cut_runbook = true;
    }
    // A cut never leaves half an entity behind.
    EXPECT_EQ(std::regex_search(t, std::regex("&(a|am|l|g)?( |$)")), false) << t.substr(0, 80);
  }
  EXPECT_TRUE(cut_runbook);
}

TEST(PayloadSlack, LongStoriesStayWithinBlockAndFieldLimits) {
  // '&' and '<' grow fivefold when escaped: the worst case for the 3000-character sections.
  const std::string amp(900, '&'), lt(900, '<');
  Story s = makeStory();
  for (int i = 0; i < 300; ++i) {
    s.placements.push_back({"host-" + std::to_string(i), amp, "file", "ops"});
    s.calls.push_back({"ec2.amazonaws.com", lt + std::to_string(i), lt, amp, 1, kFirst, kLast});
    s.custody.push_back({kFirst, amp, lt, amp});
    StoryCaller c = s.callers[1];
    c.user_agent = c.as_org = c.client = amp;
    s.callers.push_back(c);
  }
  for (int i = 0; i < 40; ++i) s.runbook_markdown += std::string(2500, '&') + "\n";
  const json msg = slackPayload(s);
  expectValidSlack(msg);
  EXPECT_EQ(msg["blocks"].size(), 50u);
  std::vector<std::string> texts;
  slackTexts(msg, texts);
  const std::string all = joined(texts);
  EXPECT_NE(all.find("… and 282 more (truncated)"), std::string::npos);  // 302 placements
  const json& last = msg["blocks"][49];
  const json& before = msg["blocks"][48];
  EXPECT_EQ(before["type"], "context");
  EXPECT_TRUE(
      endsWith(before["elements"][0]["text"].get<std::string>(), "more sections (truncated)"));
  EXPECT_EQ(last["type"], "context");
  EXPECT_NE(last["elements"][0]["text"].get<std::string>().find(kLink), std::string::npos);
}

TEST(PayloadSlack, EscalationLeadsWithWhatIsNewAndTestIsMarked) {
  Story s = makeStory();
  s.kind = incidents::AnnouncementKind::kEscalation;
  s.escalation = "first write call: s3:PutObject";
  json msg = slackPayload(s);
  expectValidSlack(msg);
  EXPECT_TRUE(startsWith(msg["blocks"][0]["text"]["text"].get<std::string>(),
                         "Escalation: first write call: s3:PutObject — Honey key"));
  EXPECT_EQ(msg["blocks"][1]["text"]["text"], "*What is new:* first write call: s3:PutObject");
  EXPECT_TRUE(startsWith(msg["text"].get<std::string>(), "Escalation: first write call"));

  s = makeStory();
  s.kind = incidents::AnnouncementKind::kTest;
  s.test = true;
  msg = slackPayload(s);
  expectValidSlack(msg);
  EXPECT_TRUE(startsWith(msg["blocks"][0]["text"]["text"].get<std::string>(), "TEST: "));
  EXPECT_TRUE(startsWith(msg["text"].get<std::string>(), "TEST: "));
  EXPECT_TRUE(startsWith(msg["blocks"][1]["text"]["text"].get<std::string>(), "*TEST* alert"));
}

}  // namespace
}  // namespace ht::alert
