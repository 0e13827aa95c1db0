#include "alert/outputs/slack.h"

#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alert/outputs/webhook.h"
#include "alert/story_text.h"

namespace ht::alert {
namespace {

using detail::boldRe;
using detail::callerLines;
using detail::callLines;
using detail::Caps;
using detail::charCount;
using detail::custodyLines;
using detail::headingLevel;
using detail::isBullet;
using detail::isTest;
using detail::kChatCaps;
using detail::kPlacementsIntro;
using detail::kTruncated;
using detail::linkRe;
using detail::oneLine;
using detail::placementLines;
using detail::prefixChars;
using detail::sanitized;
using detail::splitLines;
using detail::summaryFacts;
using detail::tagsText;
using detail::title;
using detail::truncateChars;
using detail::untrusted;
using nlohmann::json;

// Slack's limits, as its Block Kit reference documents them.
constexpr size_t kSlackHeaderChars = 150;
constexpr size_t kSlackTextChars = 3000;
constexpr size_t kSlackFieldChars = 2000;
constexpr size_t kSlackMaxFields = 10;
constexpr size_t kSlackMaxBlocks = 50;

// Like truncateChars for Slack mrkdwn: the cut must not leave half an entity ("&am") or half a
// link ("<https://x|ti"), which Slack would render as garbage or reject.
std::string truncateMrkdwn(std::string_view s, size_t max) {
  if (charCount(s) <= max) return std::string(s);
  const size_t marker = charCount(kTruncated);
  std::string cut = prefixChars(s, max > marker ? max - marker : 0);
  const size_t lt = cut.rfind('<');
  if (lt != std::string::npos) {
    const size_t gt = cut.rfind('>');
    if (gt == std::string::npos || gt < lt) cut.resize(lt);
  }
  const size_t amp = cut.rfind('&');
  if (amp != std::string::npos && cut.find(';', amp) == std::string::npos) cut.resize(amp);
  return cut + std::string(kTruncated);
}

// Slack treats &, < and > as control characters in mrkdwn (<!channel>, <url|text>).
std::string slackEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Runbook lines in Slack mrkdwn: escaped first (the runbook may mention <placeholders>), then
// **bold** → *bold*, [t](u) → <u|t>, headings → bold lines, bullets → •.
std::vector<std::string> runbookToSlack(std::string_view md) {
  std::vector<std::string> out;
  for (std::string line : splitLines(md)) {
    std::string title;
    if (const size_t level = headingLevel(line, &title); level > 0) {
      line = "**" + title + "**";
    } else if (isBullet(line)) {
      line = "• " + line.substr(2);
    }
    line = slackEscape(line);
    line = std::regex_replace(line, boldRe(), "*$1*");
    line = std::regex_replace(line, linkRe(), "<$2|$1>");
    out.push_back(line);
  }
  return out;
}

json slackSection(std::string_view mrkdwn) {
  return {{"type", "section"},
          {"text", {{"type", "mrkdwn"}, {"text", truncateMrkdwn(mrkdwn, kSlackTextChars)}}}};
}

// Lines packed into as few sections as the 3000-character limit allows.
void slackLines(std::vector<json>& blocks, const std::string& head,
                const std::vector<std::string>& lines) {
  std::string text = head;
  for (const std::string& line : lines) {
    const std::string next = text.empty() ? line : text + "\n" + line;
    if (charCount(next) <= kSlackTextChars) {
      text = next;
      continue;
    }
    if (!text.empty()) blocks.push_back(slackSection(text));
    text = line;
  }
  if (!text.empty()) blocks.push_back(slackSection(text));
}

std::vector<std::string> slackList(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (const std::string& l : lines) out.push_back("• " + slackEscape(l));
  return out;
}

class SlackOutput final : public AlertOutput {
 public:
  // Slack authenticates by the URL itself; only the generic webhook signs.
  SlackOutput(const config::OutputOptions& options, OutputCredentials credentials)
      : poster_(detail::makeWebhookPoster(options, std::move(credentials.url), "")) {}

  std::string render(const Story& story, TimePoint, const std::string&) const override {
    return detail::dumpJson(slackPayload(story));
  }
  DeliveryResult deliver(const incidents::OutboxItem& item) override { return poster_->deliver(item); }

 private:
  std::unique_ptr<Output> poster_;
};

}  // namespace

nlohmann::json slackPayload(const Story& in) {
  const Story s = sanitized(in);
  const Caps& caps = kChatCaps;
  std::vector<json> blocks;
  // Header text is plain_text: shown literally, so it needs no mrkdwn escaping.
  blocks.push_back({{"type", "header"},
                    {"text",
                     {{"type", "plain_text"},
                      {"text", truncateChars(title(s), kSlackHeaderChars)},
                      {"emoji", true}}}});
  if (s.kind == incidents::AnnouncementKind::kEscalation && !s.escalation.empty()) {
    blocks.push_back(
        slackSection("*What is new:* " + slackEscape(untrusted(s.escalation, caps.line))));
  }
  if (isTest(s)) {
    blocks.push_back(slackSection(
        "*TEST* alert from honeytrail: nothing used the key; this checks that alerts reach you."));
  }
  // The headline on its own only when the header led with something else (escalation, TEST).
  if (!s.headline.empty() && oneLine(s.headline) != title(s)) {
    blocks.push_back(slackSection(slackEscape(oneLine(s.headline))));
  }
  json fields = json::array();
  for (const auto& [label, value] : summaryFacts(s, false)) {
    if (fields.size() == kSlackMaxFields) break;
    fields.push_back(
        {{"type", "mrkdwn"},
         {"text", truncateMrkdwn("*" + label + "*\n" + slackEscape(value), kSlackFieldChars)}});
  }
  if (!fields.empty()) blocks.push_back({{"type", "section"}, {"fields", fields}});
  std::vector<std::string> token;
  if (!s.user_arn.empty()) token.push_back("User ARN: " + slackEscape(oneLine(s.user_arn)));
  if (!s.token_id.empty()) token.push_back("Token ID: " + slackEscape(oneLine(s.token_id)));
  if (!s.token_tags.empty()) token.push_back("Tags: " + slackEscape(tagsText(s)));
  if (!token.empty()) slackLines(blocks, "*Token*", token);
  blocks.push_back({{"type", "divider"}});
  if (!s.placements.empty()) {
    slackLines(blocks, "*Where it lives*\n_" + std::string(kPlacementsIntro) + "_",
               slackList(placementLines(s, caps)));
  }
  if (!s.custody.empty()) {
    slackLines(blocks, "*Chain of custody*", slackList(custodyLines(s, caps)));
  }
  if (!s.calls.empty()) {
    slackLines(blocks, "*What the attacker did*", slackList(callLines(s, caps)));
  }
  if (!s.callers.empty()) slackLines(blocks, "*Who called*", slackList(callerLines(s, caps)));
  if (!s.runbook_markdown.empty()) {
    blocks.push_back({{"type", "divider"}});
    std::vector<std::string> lines;
    for (const std::string& l : runbookToSlack(truncateChars(s.runbook_markdown, caps.runbook))) {
      lines.push_back(truncateMrkdwn(l, kSlackTextChars));
    }
    slackLines(blocks, "*Runbook*", lines);
  }
  std::string context = "honeytrail incident ";
  if (!s.link.empty()) {
    context += "<" + slackEscape(s.link) + "|" + slackEscape(oneLine(s.incident_id)) + ">";
  } else {
    context += slackEscape(oneLine(s.incident_id));
  }
  context += " · " + slackEscape(incidents::announcementKindName(s.kind));
  const json footer = {
      {"type", "context"},
      {"elements",
       json::array({{{"type", "mrkdwn"}, {"text", truncateMrkdwn(context, kSlackTextChars)}}})}};
  if (blocks.size() + 1 > kSlackMaxBlocks) {
    const size_t dropped = blocks.size() + 2 - kSlackMaxBlocks;
    blocks.resize(kSlackMaxBlocks - 2);
    blocks.push_back({{"type", "context"},
                      {"elements", json::array({{{"type", "mrkdwn"},
                                                 {"text", "… " + std::to_string(dropped) +
                                                              " more sections (truncated)"}}})}});
  }
  blocks.push_back(footer);
  return {{"text", truncateMrkdwn(slackEscape(title(s)), kSlackTextChars)}, {"blocks", blocks}};
}

std::unique_ptr<AlertOutput> makeSlackOutput(const config::OutputOptions& options,
                                             OutputCredentials credentials) {
  return std::make_unique<SlackOutput>(options, std::move(credentials));
}

}  // namespace ht::alert
