// Alert payloads checked against each service's documented structure and limits, with a story
// that carries hostile attacker text. Signatures and email parsing are checked by independent
// tools (openssl dgst, Python's email package), not by re-running our own code.
#include "alert/payloads.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/strings.h"
#include "support/test_support.h"

namespace ht::alert {
namespace {

using nlohmann::json;

const std::string kLink = "https://honeytrail.example.com/incidents/inc-20261128-0001";
const TimePoint kFirst = fromUnixSeconds(1795875292);  // 2026-11-28T14:14:52Z
const TimePoint kLast = fromUnixSeconds(1795880692);   // 2026-11-28T15:44:52Z

// 5,000+ characters of user agent with markup, entities, mentions and line breaks.
std::string hostileAgent() {
  return "<script>alert(1)</script> & <!channel> [click](http://evil.example) {html}x{html} "
         "!http://evil.example/p.png!\r\nBcc: victim@example.com\n" +
         std::string(5000, 'A');
}

Story makeStory() {
  Story s;
  s.incident_id = "inc-20261128-0001";
  s.kind = "new";
  s.headline = "Honey key AKIA2E0A8F3B244C9986 used from 203.0.113.9 (aws-cli)";
  s.severity = "critical";
  s.state = "open";
  s.trigger_class = "used";
  s.token_id = "tok_01HXQ4Z";
  s.key_id = "AKIA2E0A8F3B244C9986";
  s.token_label = "deploy-ci-prod";
  s.account_id = "111122223333";
  s.user_arn = "arn:aws:iam::111122223333:user/honeytrail/deploy-ci-prod";
  s.token_tags = {{"honeytrail", "token"}, {"team", "ops"}};
  s.placements = {
      {"web-01", "/home/deploy/.aws/credentials", "aws-credentials-file", "ops"},
      {"ci.example.com", "GitHub secret acme/api AWS_ACCESS_KEY_ID", "ci-secret", "platform"}};
  s.custody = {{fromUnixSeconds(1790000000), "honeytrail", "minted", "IAM user, no policies"},
               {fromUnixSeconds(1790000600), "ansible", "placed", "role honeytoken on web-01"},
               {fromUnixSeconds(1791000000), "alice", "copied", "into CI for the canary job"}};
  s.calls = {{"sts.amazonaws.com", "GetCallerIdentity", "us-east-1", "", 3, kFirst, kFirst},
             {"s3.amazonaws.com", "ListBuckets", "us-east-1", "AccessDenied", 5, kFirst, kLast},
             {"iam.amazonaws.com", "ListUsers", "us-east-1", "AccessDenied", 2, kLast, kLast}};
  StoryCaller cli;
  cli.source_ip = "203.0.113.9";
  cli.user_agent = "aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0 exe/x86_64.debian.12";
  cli.client = "aws-cli";
  cli.country = "DE";
  cli.asn = 64500;
  cli.as_org = "Example Hosting GmbH";
  cli.tor = false;
  cli.count = 7;
  StoryCaller bad;
  bad.source_ip = "198.51.100.23";
  bad.user_agent = hostileAgent();
  bad.client = "unknown";
  bad.country = "NL";
  bad.asn = 64501;
  bad.as_org = "Onion Relays BV";
  bad.tor = true;
  bad.count = 3;
  s.callers = {cli, bad};
  s.intents = {"identity-check", "enumeration"};
  s.first_seen = kFirst;
  s.last_seen = kLast;
  s.trigger_count = 10;
  s.runbook_markdown =
      "## Respond\n"
      "1. **Do not delete the key** yet: it is the tripwire.\n"
      "2. Follow [the runbook wiki](https://wiki.example.com/honey?x=1&y=2) to escalate.\n"
      "- Rotate every other secret on the hosts above.\n";
  s.link = kLink;
  return s;
}

// Code points, counted here independently of the implementation.
size_t chars(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

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

// ---- Slack ------------------------------------------------------------------------------------

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
  s.kind = "escalation";
  s.escalation = "first write call: s3:PutObject";
  json msg = slackPayload(s);
  expectValidSlack(msg);
  EXPECT_TRUE(startsWith(msg["blocks"][0]["text"]["text"].get<std::string>(),
                         "Escalation: first write call: s3:PutObject — Honey key"));
  EXPECT_EQ(msg["blocks"][1]["text"]["text"], "*What is new:* first write call: s3:PutObject");
  EXPECT_TRUE(startsWith(msg["text"].get<std::string>(), "Escalation: first write call"));

  s = makeStory();
  s.kind = "test";
  s.test = true;
  msg = slackPayload(s);
  expectValidSlack(msg);
  EXPECT_TRUE(startsWith(msg["blocks"][0]["text"]["text"].get<std::string>(), "TEST: "));
  EXPECT_TRUE(startsWith(msg["text"].get<std::string>(), "TEST: "));
  EXPECT_TRUE(startsWith(msg["blocks"][1]["text"]["text"].get<std::string>(), "*TEST* alert"));
}

// ---- Teams ------------------------------------------------------------------------------------

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

// ---- PagerDuty --------------------------------------------------------------------------------

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
    Story s = makeStory();
    s.severity = ours;
    EXPECT_EQ(pagerDutyEvent(s, "k")["payload"]["severity"], theirs) << ours;
  }
  Story t = makeStory();
  t.kind = "test";
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
  s.kind = "resolved";
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

// ---- Jira -------------------------------------------------------------------------------------

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
  s.kind = "escalation";
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

// ---- Generic webhook --------------------------------------------------------------------------

TEST(PayloadWebhook, JsonHasEverySectionAndSignatureMatchesOpenssl) {
  const json w = webhookPayload(makeStory());
  for (const char* key :
       {"incident_id", "kind", "title", "headline", "severity", "state", "trigger_class", "token",
        "placements", "custody", "calls", "callers", "intents", "first_seen", "last_seen",
        "trigger_count", "runbook", "link", "test"}) {
    EXPECT_TRUE(w.contains(key)) << key;
  }
  EXPECT_EQ(w["incident_id"], "inc-20261128-0001");
  EXPECT_EQ(w["token"]["key_id"], "AKIA2E0A8F3B244C9986");
  EXPECT_EQ(w["token"]["user_arn"], "arn:aws:iam::111122223333:user/honeytrail/deploy-ci-prod");
  EXPECT_EQ(w["token"]["tags"]["team"], "ops");
  EXPECT_EQ(w["placements"][0]["location"], "/home/deploy/.aws/credentials");
  EXPECT_EQ(w["placements"][1]["owner"], "platform");
  EXPECT_EQ(w["custody"].size(), 3u);
  EXPECT_EQ(w["custody"][2]["holder"], "alice");
  EXPECT_EQ(w["calls"][1]["action"], "s3:ListBuckets");
  EXPECT_EQ(w["calls"][1]["error_code"], "AccessDenied");
  EXPECT_EQ(w["calls"][0]["error_code"], nullptr);
  EXPECT_EQ(w["calls"][1]["count"], 5);
  EXPECT_EQ(w["callers"][1]["user_agent"], hostileAgent());  // whole, for machines
  EXPECT_EQ(w["callers"][1]["tor"], true);
  EXPECT_EQ(w["callers"][0]["asn"], 64500);
  EXPECT_EQ(w["first_seen"], "2026-11-28T14:14:52Z");
  EXPECT_EQ(w["trigger_count"], 10);
  EXPECT_EQ(w["link"], kLink);
  EXPECT_EQ(w["test"], false);

  const std::string body = w.dump();
  const std::string secret = "whsec_Th1s-is-a-secret";
  const std::string sig = webhookSignature(secret, body);
  test::TempDir dir;
  test::writeText(dir / "body.json", body);
  const test::RunResult r =
      test::run({"openssl", "dgst", "-sha256", "-hmac", secret, dir / "body.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const size_t eq = r.out.rfind("= ");
  ASSERT_NE(eq, std::string::npos) << r.out;
  EXPECT_EQ(sig, "sha256=" + trim(r.out.substr(eq + 2)));
  EXPECT_EQ(sig.size(), 7u + 64u);
  EXPECT_NE(webhookSignature("other", body), sig);
}

TEST(PayloadWebhook, InvalidUtf8FromTheAttackerStillSerialises) {
  Story s = makeStory();
  s.callers[1].user_agent = "curl/8\xff\xfe\xc3";
  const json w = webhookPayload(s);
  std::string dumped;
  ASSERT_NO_THROW(dumped = w.dump());
  EXPECT_TRUE(isValidUtf8(dumped));
  EXPECT_EQ(w["callers"][1]["user_agent"], "curl/8\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

// ---- Email ------------------------------------------------------------------------------------

// Python's email package (policy=default, RFC 5322 aware) reads the message back.
json parseEmail(const std::string& message) {
  const std::string script = R"PY(
import sys, json, email, email.utils
from email import policy
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
defects = [type(d).__name__ for d in m.defects]
for k, v in m.items():
    defects += [k + ':' + type(d).__name__ for d in getattr(v, 'defects', [])]
print(json.dumps({
  'headers': [[k, str(v)] for k, v in m.items()],
  'subject': str(m['subject']),
  'to': [a for _, a in email.utils.getaddresses([str(m['to'])])],
  'date': email.utils.parsedate_to_datetime(str(m['date'])).isoformat(),
  'content_type': m.get_content_type(),
  'charset': m.get_content_charset(),
  'cte': str(m['content-transfer-encoding']),
  'body': m.get_content(),
  'defects': defects,
}))
)PY";
  const test::RunResult r = test::run({"python3", "-c", script}, {}, message);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out);
}

void expectCrlfOnly(const std::string& m) {
  for (size_t i = 0; i < m.size(); ++i) {
    if (m[i] == '\n') {
      EXPECT_TRUE(i > 0 && m[i - 1] == '\r') << "bare LF at " << i;
    } else if (m[i] == '\r') {
      EXPECT_TRUE(i + 1 < m.size() && m[i + 1] == '\n') << "bare CR at " << i;
    }
  }
  size_t start = 0;
  for (size_t i = m.find("\r\n"); i != std::string::npos; i = m.find("\r\n", start)) {
    EXPECT_LE(i - start, 998u);
    start = i + 2;
  }
}

TEST(PayloadEmail, ParsesAsRfc5322WithTheStory) {
  Story s = makeStory();
  s.headline += "\r\nBcc: victim@example.com";
  const std::string m = emailMessage(s, "honeytrail <alerts@example.com>",
                                     {"soc@example.com", "oncall@example.com"}, kLast);
  expectCrlfOnly(m);
  const json p = parseEmail(m);
  EXPECT_EQ(p["defects"], json::array());
  EXPECT_EQ(p["subject"],
            "[honeytrail] Honey key AKIA2E0A8F3B244C9986 used from 203.0.113.9 (aws-cli) Bcc: "
            "victim@example.com");
  EXPECT_EQ(p["to"], json::array({"soc@example.com", "oncall@example.com"}));
  EXPECT_EQ(p["date"], "2026-11-28T15:44:52+00:00");
  EXPECT_EQ(p["content_type"], "text/plain");
  EXPECT_EQ(p["charset"], "utf-8");
  EXPECT_EQ(p["cte"], "8bit");
  std::set<std::string> names;
  for (const json& h : p["headers"]) names.insert(h[0].get<std::string>());
  for (const char* h : {"From", "To", "Subject", "Date", "Message-ID", "MIME-Version",
                        "Content-Type", "Content-Transfer-Encoding"}) {
    EXPECT_TRUE(names.count(h)) << h;
  }
  EXPECT_FALSE(names.count("Bcc"));
  for (const json& h : p["headers"]) {
    if (h[0] == "Message-ID") {
      EXPECT_EQ(h[1], "<inc-20261128-0001@example.com>");
    }
  }
  const std::string body = p["body"];
  for (const char* want :
       {"Key ID: AKIA2E0A8F3B244C9986", "User ARN: arn:aws:iam::111122223333:user/honeytrail/",
        "Where it lives", "placed on web-01 in /home/deploy/.aws/credentials", "owner ops",
        "Chain of custody", "alice via copied — into CI for the canary job",
        "What the attacker did", "s3:ListBuckets ×5 in us-east-1 → AccessDenied", "Who called",
        "Tor exit node", "Runbook", "**Do not delete the key**", kLink.c_str()}) {
    EXPECT_NE(body.find(want), std::string::npos) << want;
  }
}

TEST(PayloadEmail, NonAsciiSubjectIsEncodedAndThreaded) {
  Story s = makeStory();
  s.kind = "escalation";
  s.escalation = "first write call: s3:PutObject from Zürich ☠";
  const std::string m = emailMessage(s, "alerts@example.com", {"soc@example.com"}, kLast);
  expectCrlfOnly(m);
  const size_t subj = m.find("Subject: ");
  ASSERT_NE(subj, std::string::npos);
  EXPECT_EQ(m.compare(subj, 19, "Subject: =?UTF-8?B?"), 0);
  const json p = parseEmail(m);
  EXPECT_EQ(p["defects"], json::array());
  EXPECT_EQ(p["subject"],
            "[honeytrail] Escalation: first write call: s3:PutObject from Zürich ☠ — Honey key "
            "AKIA2E0A8F3B244C9986 used from 203.0.113.9 (aws-cli)");
  bool replies = false;
  for (const json& h : p["headers"]) {
    if (h[0] == "In-Reply-To") replies = h[1] == "<inc-20261128-0001@example.com>";
  }
  EXPECT_TRUE(replies);
  EXPECT_TRUE(startsWith(p["body"].get<std::string>(), "Escalation: first write call"));
}

// ---- Syslog -----------------------------------------------------------------------------------

const std::regex& rfc5424() {
  // HEADER SP STRUCTURED-DATA [SP MSG], with SD-NAME and PARAM-VALUE as the RFC defines them.
  static const std::regex re(
      R"(^<(\d{1,3})>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)) ([!-~]{1,255}) )"
      R"(([!-~]{1,48}) ([!-~]{1,128}) ([!-~]{1,32}) )"
      R"((-|(\[[^ =\]"]{1,32}( [^ =\]"]{1,32}="([^"\\\]]|\\["\\\]])*")*\])+)( .*)?$)");
  return re;
}

TEST(PayloadSyslog, LineMatchesRfc5424) {
  Story s = makeStory();
  s.headline += "\nsecond line";
  const std::string line = syslogLine(s, "ht-01.example.com", kLast);
  EXPECT_EQ(line.find_first_of("\r\n"), std::string::npos);
  std::smatch m;
  ASSERT_TRUE(std::regex_match(line, m, rfc5424())) << line;
  EXPECT_EQ(m[1], "34");  // auth (4) * 8 + critical (2)
  EXPECT_EQ(m[2], "2026-11-28T15:44:52Z");
  EXPECT_EQ(m[5], "ht-01.example.com");
  EXPECT_EQ(m[6], "honeytrail");
  EXPECT_EQ(m[8], "incident");
  EXPECT_NE(line.find("[honeytrail@32473 incident=\"inc-20261128-0001\""), std::string::npos);
  EXPECT_NE(line.find(" key=\"AKIA2E0A8F3B244C9986\""), std::string::npos);
  EXPECT_NE(line.find(" source=\"203.0.113.9\""), std::string::npos);
  EXPECT_TRUE(endsWith(line,
                       "] Honey key AKIA2E0A8F3B244C9986 used from 203.0.113.9 (aws-cli) "
                       "second line"));
  EXPECT_LE(line.size(), 2048u);
}

TEST(PayloadSyslog, ParamValuesAreEscapedAndTestIsInformational) {
  Story s = makeStory();
  s.test = true;
  s.kind = "test";
  s.incident_id = "inc\"] [evil@1 x=\"y\\";
  s.callers[0].source_ip = std::string(400, ']');
  const std::string line = syslogLine(s, "host with spaces", kLast);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  std::smatch m;
  ASSERT_TRUE(std::regex_match(line, m, rfc5424())) << line;
  EXPECT_EQ(m[1], "38");  // auth (4) * 8 + informational (6)
  EXPECT_EQ(m[5], "hostwithspaces");
  EXPECT_NE(line.find("incident=\"inc\\\"\\] [evil@1 x=\\\"y\\\\\""), std::string::npos) << line;
  EXPECT_NE(line.find(" test=\"true\""), std::string::npos);
  EXPECT_NE(line.find("] TEST: Honey key"), std::string::npos);
  EXPECT_LE(line.size(), 2048u);
}

// ---- Plain text -------------------------------------------------------------------------------

TEST(PayloadStoryText, HasEverySectionInOrder) {
  const std::string t = storyText(makeStory());
  const std::vector<std::string> order = {
      "Honey key AKIA2E0A8F3B244C9986 used from 203.0.113.9 (aws-cli)\n",
      "Severity: critical\n",
      "Key ID: AKIA2E0A8F3B244C9986\n",
      "Tags: honeytrail=token, team=ops\n",
      "Link: " + kLink + "\n",
      "Where it lives\nEvery place below held a copy of the key",
      "  - placed on web-01 in /home/deploy/.aws/credentials (aws-credentials-file), owner ops\n",
      "Chain of custody\n",
      "What the attacker did\n",
      "  - iam:ListUsers ×2 in us-east-1 → AccessDenied (2026-11-28T15:44:52Z)\n",
      "Who called\n",
      "  - 203.0.113.9 (7 calls), client aws-cli, country DE, AS64500 Example Hosting GmbH, not "
      "Tor, user agent \"aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0 exe/x86_64.debian.12\"\n",
      "Runbook\n## Respond\n"};
  size_t at = 0;
  for (const std::string& want : order) {
    const size_t found = t.find(want, at);
    ASSERT_NE(found, std::string::npos) << want << "\n---\n" << t;
    at = found + want.size();
  }
  Story test = makeStory();
  test.test = true;
  EXPECT_TRUE(startsWith(storyText(test), "TEST ALERT"));
}

}  // namespace
}  // namespace ht::alert
