// The Teams output's message checked against the Adaptive Card structure and Teams' size limit.
#include "alert/outputs/teams.h"

#include <gtest/gtest.h>

#include <string>

#include "core/strings.h"
#include "support/test_support.h"
#include "unit/alert/outputs/fixtures.h"

namespace ht::alert {
namespace {

using fixtures::kLink;
using fixtures::makeStory;
using nlohmann::json;

void expectCardElements(const json& elements, std::string& text) {
  ASSERT_TRUE(elements.is_array());
  for (const json& e : elements) {
    const std::string type = e.at("type");
    if (type == "TextBlock") {
      ASSERT_TRUE(e["text"].is_string());
      EXPECT_FALSE(e["text"].get<std::string>().empty());
      text += e["text"].get<std::string>() + "\n";
    } else if (type == "FactSet") {
      ASSERT_TRUE(e["facts"].is_array());
      for (const json& f : e["facts"]) {
        ASSERT_TRUE(f["title"].is_string());
        ASSERT_TRUE(f["value"].is_string());
        text += f["title"].get<std::string>() + "=" + f["value"].get<std::string>() + "\n";
      }
    } else if (type == "Container") {
      expectCardElements(e["items"], text);
    } else {
      ADD_FAILURE() << "unexpected element type " << type;
    }
  }
}

std::string expectValidTeams(const json& msg, const std::string& link) {
  EXPECT_EQ(msg["type"], "message");
  EXPECT_EQ(msg["attachments"].size(), 1u);
  const json& a = msg["attachments"][0];
  EXPECT_EQ(a["contentType"], "application/vnd.microsoft.card.adaptive");
  const json& card = a["content"];
  EXPECT_EQ(card["type"], "AdaptiveCard");
  EXPECT_EQ(card["$schema"], "http://adaptivecards.io/schemas/adaptive-card.json");
  EXPECT_EQ(card["version"], "1.4");
  std::string text;
  expectCardElements(card["body"], text);
  if (link.empty()) {
    EXPECT_FALSE(card.contains("actions"));
  } else {
    EXPECT_EQ(card["actions"].size(), 1u);
    EXPECT_EQ(card["actions"][0]["type"], "Action.OpenUrl");
    EXPECT_EQ(card["actions"][0]["url"], link);
    EXPECT_FALSE(card["actions"][0]["title"].get<std::string>().empty());
  }
  EXPECT_LE(msg.dump().size(), 28000u);
  return text;
}

TEST(PayloadTeams, AdaptiveCardHasDocumentedShapeAndTheStory) {
  const json msg = teamsPayload(makeStory());
  const std::string text = expectValidTeams(msg, kLink);
  for (const char* want :
       {"Key ID=AKIA2E0A8F3B244C9986", "Account=111122223333", "Severity=critical",
        "Incident=inc-20261128-0001", "Tags=honeytrail=token, team=ops",
        "- placed on web-01 in /home/deploy/.aws/credentials", "owner ops", "alice via copied",
        "s3:ListBuckets ×5 in us-east-1 → AccessDenied",
        "country NL, AS64501 Onion Relays BV, Tor exit node", "Chain of custody",
        "**Do not delete the key**",
        "[the runbook wiki](https://wiki.example.com/honey?x=1&y=2)"}) {
    EXPECT_NE(text.find(want), std::string::npos) << want;
  }
  // The attacker's Markdown is inert: no link, no emphasis of its own.
  EXPECT_EQ(text.find("[click](http"), std::string::npos);
  EXPECT_NE(text.find("\\[click\\]\\(http://evil.example\\)"), std::string::npos);
  EXPECT_NE(text.find("\\<script\\>"), std::string::npos);
  EXPECT_EQ(msg["attachments"][0]["content"]["body"][0]["text"],
            "Honey key AKIA2E0A8F3B244C9986 used from 203.0.113.9 \\(aws-cli\\)");
}

TEST(PayloadTeams, NoLinkNoActionAndHugeStoriesFit) {
  Story s = makeStory();
  s.link.clear();
  for (int i = 0; i < 200; ++i) {
    s.callers.push_back(s.callers[1]);
    s.placements.push_back({"h" + std::to_string(i), std::string(3000, 'p'), "file", "ops"});
  }
  const json msg = teamsPayload(s);
  const std::string text = expectValidTeams(msg, "");
  EXPECT_NE(text.find("more \\(truncated\\)"), std::string::npos);
  EXPECT_GT(msg.dump().size(), 10000u);  // still says a lot
  EXPECT_TRUE(isValidUtf8(msg.dump()));
}

}  // namespace
}  // namespace ht::alert
