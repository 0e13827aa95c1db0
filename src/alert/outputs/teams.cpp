#include "alert/outputs/teams.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alert/outputs/webhook.h"
#include "alert/story_text.h"

namespace ht::alert {
namespace {

using detail::callerLines;
using detail::callLines;
using detail::Caps;
using detail::custodyLines;
using detail::isTest;
using detail::kChatCaps;
using detail::kPlacementsIntro;
using detail::placementLines;
using detail::sanitized;
using detail::summaryFacts;
using detail::title;
using detail::truncateChars;
using detail::truncateEscaped;
using detail::untrusted;
using nlohmann::json;

// Teams refuses messages above about 28 KB.
constexpr size_t kTeamsMaxBytes = 28000;

// Adaptive Card TextBlocks render a Markdown subset: escape what could form emphasis or a link.
std::string teamsEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (std::string_view("\\*_[]()`~<>#").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

json teamsText(const std::string& text, json extra = json::object()) {
  json block = {{"type", "TextBlock"}, {"text", text}, {"wrap", true}};
  block.update(extra);
  return block;
}

json teamsList(const std::string& heading, std::string_view intro,
               const std::vector<std::string>& lines) {
  json items = json::array();
  items.push_back(teamsText(heading, {{"weight", "Bolder"}, {"size", "Medium"}}));
  if (!intro.empty()) items.push_back(teamsText(std::string(intro), {{"isSubtle", true}}));
  for (const std::string& l : lines) items.push_back(teamsText("- " + teamsEscape(l)));
  return {{"type", "Container"}, {"separator", true}, {"items", items}};
}

json teamsPayloadWith(const Story& s, const Caps& caps) {
  json body = json::array();
  const char* color = isTest(s)                                          ? "Accent"
                      : s.kind == incidents::AnnouncementKind::kResolved ? "Good"
                                                                         : "Attention";
  body.push_back(teamsText(truncateEscaped(teamsEscape(title(s)), 400),
                           {{"size", "Large"}, {"weight", "Bolder"}, {"color", color}}));
  if (s.kind == incidents::AnnouncementKind::kEscalation && !s.escalation.empty()) {
    body.push_back(teamsText("**What is new:** " + teamsEscape(untrusted(s.escalation, caps.line)),
                             {{"color", "Warning"}}));
  }
  if (isTest(s)) {
    body.push_back(teamsText(
        "**TEST** alert from honeytrail: nothing used the key; this checks that alerts reach "
        "you."));
  }
  json facts = json::array();
  for (const auto& [label, value] : summaryFacts(s, true)) {
    facts.push_back({{"title", label}, {"value", teamsEscape(truncateChars(value, caps.line))}});
  }
  body.push_back({{"type", "FactSet"}, {"facts", facts}});
  if (!s.placements.empty()) {
    body.push_back(teamsList("Where it lives", kPlacementsIntro, placementLines(s, caps)));
  }
  if (!s.custody.empty()) body.push_back(teamsList("Chain of custody", "", custodyLines(s, caps)));
  if (!s.calls.empty()) {
    body.push_back(teamsList("What the attacker did", "", callLines(s, caps)));
  }
  if (!s.callers.empty()) body.push_back(teamsList("Who called", "", callerLines(s, caps)));
  if (!s.runbook_markdown.empty()) {
    // TextBlock renders the runbook's Markdown subset (bold, links, lists) as written.
    json items = json::array();
    items.push_back(teamsText("Runbook", {{"weight", "Bolder"}, {"size", "Medium"}}));
    items.push_back(teamsText(truncateChars(s.runbook_markdown, caps.runbook)));
    body.push_back({{"type", "Container"}, {"separator", true}, {"items", items}});
  }
  json card = {{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
               {"type", "AdaptiveCard"},
               {"version", "1.4"},
               {"msteams", {{"width", "Full"}}},
               {"body", body}};
  if (!s.link.empty()) {
    card["actions"] =
        json::array({{{"type", "Action.OpenUrl"}, {"title", "Open incident"}, {"url", s.link}}});
  }
  return {{"type", "message"},
          {"attachments", json::array({{{"contentType", "application/vnd.microsoft.card.adaptive"},
                                        {"contentUrl", nullptr},
                                        {"content", card}}})}};
}

class TeamsOutput final : public AlertOutput {
 public:
  // Teams authenticates by the URL itself; only the generic webhook signs.
  TeamsOutput(const config::OutputOptions& options, OutputCredentials credentials)
      : poster_(detail::makeWebhookPoster(options, std::move(credentials.url), "")) {}

  std::string render(const Story& story, TimePoint, const std::string&) const override {
    return detail::dumpJson(teamsPayload(story));
  }
  DeliveryResult deliver(const incidents::OutboxItem& item) override { return poster_->deliver(item); }

 private:
  std::unique_ptr<Output> poster_;
};

}  // namespace

nlohmann::json teamsPayload(const Story& in) {
  const Story s = sanitized(in);
  Caps caps = kChatCaps;
  json payload = teamsPayloadWith(s, caps);
  // Teams refuses cards above its message size limit: say less until the card fits.
  while (payload.dump().size() > kTeamsMaxBytes && caps.items > 1) {
    caps = {std::max<size_t>(1, caps.items / 2), std::max<size_t>(40, caps.text / 2),
            std::max<size_t>(80, caps.line / 2), std::max<size_t>(200, caps.runbook / 2)};
    payload = teamsPayloadWith(s, caps);
  }
  return payload;
}

std::unique_ptr<AlertOutput> makeTeamsOutput(const config::OutputOptions& options,
                                             OutputCredentials credentials) {
  return std::make_unique<TeamsOutput>(options, std::move(credentials));
}

}  // namespace ht::alert
