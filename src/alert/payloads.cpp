#include "alert/payloads.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <regex>
#include <string_view>
#include <utility>

#include "alert/net_util.h"
#include "core/clock.h"

namespace ht::alert {
namespace {

using nlohmann::json;

// Appended whenever text is cut, so that a reader never mistakes a shortened value for the whole.
constexpr std::string_view kTruncated = " (truncated)";

// How much of a story an output carries. Chat messages must stay readable (and Teams rejects
// cards above about 28 KB), a ticket or an email can say more; the generic webhook says it all.
struct Caps {
  size_t items;    // entries per list (placements, hops, calls, callers)
  size_t text;     // one attacker-controlled value (user agents run to kilobytes)
  size_t line;     // one list entry
  size_t runbook;  // the runbook as a whole
};
constexpr Caps kChatCaps{20, 200, 600, 6000};
constexpr Caps kTicketCaps{50, 500, 1500, 10000};
constexpr Caps kTextCaps{100, 500, 1500, 20000};

// Service limits, as each service documents them.
constexpr size_t kSlackHeaderChars = 150;
constexpr size_t kSlackTextChars = 3000;
constexpr size_t kSlackFieldChars = 2000;
constexpr size_t kSlackMaxFields = 10;
constexpr size_t kSlackMaxBlocks = 50;
constexpr size_t kTeamsMaxBytes = 28000;
constexpr size_t kPagerDutySummaryChars = 1024;
constexpr size_t kPagerDutyDedupChars = 255;
constexpr size_t kJiraSummaryChars = 255;
constexpr size_t kJiraTextChars = 32767;
constexpr size_t kEmailLineBytes = 998;  // RFC 5322 2.1.1, also the 8bit MIME limit
constexpr size_t kSyslogValueChars = 256;
constexpr size_t kSyslogMsgChars = 1024;  // keeps the line under the 2048 octets receivers take

// ---- UTF-8 ------------------------------------------------------------------------------------

// Length of the well-formed UTF-8 sequence at s[i], or 0 when it is not one (overlong forms,
// surrogates and values past U+10FFFF included).
size_t sequenceLength(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t n = 0;
  uint32_t min = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  uint32_t cp = c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// Attacker text arrives as raw bytes; nlohmann::json refuses to serialise invalid UTF-8 and the
// services reject it, so every string is made well-formed (U+FFFD for bad bytes) up front.
std::string validUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t n = sequenceLength(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

// Characters (code points) of well-formed UTF-8: what the services mean by "characters".
size_t charCount(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Byte offset where character number `chars` starts (s.size() when there are fewer).
size_t byteOffset(std::string_view s, size_t chars) {
  size_t seen = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (seen == chars) return i;
      ++seen;
    }
  }
  return s.size();
}

// The first `keep` characters: a cut on a character boundary, never inside a sequence.
std::string prefixChars(std::string_view s, size_t keep) {
  return std::string(s.substr(0, byteOffset(s, keep)));
}

// At most max characters, the marker included when cutting.
std::string truncateChars(std::string_view s, size_t max) {
  if (charCount(s) <= max) return std::string(s);
  const size_t marker = charCount(kTruncated);
  return prefixChars(s, max > marker ? max - marker : 0) + std::string(kTruncated);
}

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

// Like truncateChars for backslash-escaped markup (Teams Markdown, Jira wiki): a cut must not
// strand an escaping backslash, which would then escape the marker's space instead.
std::string truncateEscaped(std::string_view s, size_t max) {
  if (charCount(s) <= max) return std::string(s);
  const size_t marker = charCount(kTruncated);
  std::string cut = prefixChars(s, max > marker ? max - marker : 0);
  size_t slashes = 0;
  while (slashes < cut.size() && cut[cut.size() - 1 - slashes] == '\\') ++slashes;
  if (slashes % 2 == 1) cut.pop_back();
  return cut + std::string(kTruncated);
}

// One line: control characters, and the Unicode line and paragraph separators and NEL that some
// renderers break on, become spaces. Attacker text never gets to start a new line (a new email
// header, a new syslog record, a new Markdown block).
std::string oneLine(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) {
      if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;  // CRLF is one break
      out += ' ';
    } else if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x85) {
      out += ' ';
      ++i;
    } else if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
                static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
      out += ' ';
      i += 2;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// An attacker-controlled value as one bounded line.
std::string untrusted(std::string_view s, size_t max) { return truncateChars(oneLine(s), max); }

// ---- Escaping ---------------------------------------------------------------------------------

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

// Jira wiki markup: a backslash escapes the characters that open links, macros, images, tables
// and emphasis. A literal backslash cannot be escaped ("\\" is a forced line break), so it
// becomes the look-alike U+FF3C.
std::string jiraEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') {
      out += "\xEF\xBC\xBC";
      continue;
    }
    if (std::string_view("[]{}|!*_^~+").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// RFC 5424 PARAM-VALUE: '"', '\' and ']' must be escaped with a backslash.
std::string sdEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '"' || c == '\\' || c == ']') out += '\\';
    out += c;
  }
  return out;
}

// ---- Runbook Markdown ---------------------------------------------------------------------------

const std::regex& boldRe() {
  static const std::regex re(R"(\*\*([^*]+)\*\*)");
  return re;
}
const std::regex& linkRe() {
  static const std::regex re(R"(\[([^\]]+)\]\(([^)\s]+)\))");
  return re;
}
const std::regex& orderedRe() {  // "1. " opening a Markdown ordered list item
  static const std::regex re(R"(^\d+\. )");
  return re;
}
const std::regex& codeRe() {
  static const std::regex re(R"(`([^`]+)`)");
  return re;
}

// Heading level of a Markdown "## Title" line (0 when it is not one), and the title.
size_t headingLevel(const std::string& line, std::string* title) {
  size_t n = 0;
  while (n < line.size() && n < 6 && line[n] == '#') ++n;
  if (n == 0 || n >= line.size() || line[n] != ' ') return 0;
  *title = line.substr(n + 1);
  return n;
}

bool isBullet(const std::string& line) {
  return line.rfind("- ", 0) == 0 || line.rfind("* ", 0) == 0 || line.rfind("+ ", 0) == 0;
}

std::vector<std::string> splitLines(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == '\n') {
      out.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
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

// Runbook in Jira wiki markup: **bold** → *bold*, [t](u) → [t|u], `code` → {{code}}, headings →
// hN., bullets → "* ". The runbook is trusted configuration, so it is not escaped.
std::string runbookToJira(std::string_view md) {
  std::string out;
  for (std::string line : splitLines(md)) {
    std::string title;
    if (const size_t level = headingLevel(line, &title); level > 0) {
      line = "h" + std::to_string(level) + ". " + title;
    } else if (isBullet(line)) {
      line = "* " + line.substr(2);
    } else {
      line = std::regex_replace(line, orderedRe(), "# ");
    }
    line = std::regex_replace(line, boldRe(), "*$1*");
    line = std::regex_replace(line, linkRe(), "[$1|$2]");
    line = std::regex_replace(line, codeRe(), "{{$1}}");
    out += line + "\n";
  }
  return out;
}

// ---- The story as plain lines -------------------------------------------------------------------

bool isTest(const Story& s) { return s.test || s.kind == "test"; }
bool isSet(TimePoint t) { return t.time_since_epoch().count() != 0; }
std::string timeText(TimePoint t) { return isSet(t) ? formatTime(t) : "unknown"; }
json timeOrNull(TimePoint t) { return isSet(t) ? json(formatTime(t)) : json(nullptr); }

// Every string of the story as well-formed UTF-8.
Story sanitized(const Story& in) {
  Story s = in;
  for (std::string* f : {&s.incident_id, &s.kind, &s.headline, &s.escalation, &s.severity, &s.state,
                         &s.trigger_class, &s.token_id, &s.key_id, &s.token_label, &s.account_id,
                         &s.user_arn, &s.runbook_markdown, &s.link}) {
    *f = validUtf8(*f);
  }
  for (auto& [k, v] : s.token_tags) k = validUtf8(k), v = validUtf8(v);
  for (StoryPlacement& p : s.placements) {
    for (std::string* f : {&p.host, &p.location, &p.kind, &p.owner}) *f = validUtf8(*f);
  }
  for (StoryHop& h : s.custody) {
    for (std::string* f : {&h.holder, &h.method, &h.notes}) *f = validUtf8(*f);
  }
  for (StoryCall& c : s.calls) {
    for (std::string* f : {&c.event_source, &c.event_name, &c.aws_region, &c.error_code}) {
      *f = validUtf8(*f);
    }
  }
  for (StoryCaller& c : s.callers) {
    for (std::string* f : {&c.source_ip, &c.user_agent, &c.client, &c.country, &c.as_org}) {
      *f = validUtf8(*f);
    }
  }
  for (std::string& i : s.intents) i = validUtf8(i);
  return s;
}

// The one-line title every output leads with: TEST and escalations say so first.
std::string title(const Story& s) {
  std::string h = oneLine(s.headline);
  if (h.empty()) h = "Honey token " + oneLine(s.key_id) + " triggered";
  if (s.kind == "escalation" && !s.escalation.empty()) {
    h = "Escalation: " + oneLine(s.escalation) + " — " + h;
  } else if (s.kind == "resolved") {
    h = "Resolved: " + h;
  }
  if (isTest(s)) h = "TEST: " + h;
  return h;
}

std::string tagsText(const Story& s) {
  std::string out;
  for (const auto& [k, v] : s.token_tags) {
    if (!out.empty()) out += ", ";
    out += oneLine(k) + "=" + oneLine(v);
  }
  return out;
}

std::string intentsText(const Story& s) {
  std::string out;
  for (const std::string& i : s.intents) out += (out.empty() ? "" : ", ") + oneLine(i);
  return out;
}

// "s3.amazonaws.com" + "ListBuckets" → "s3:ListBuckets", the IAM action a responder would grep.
std::string callName(const StoryCall& c) {
  const std::string source = oneLine(c.event_source);
  const std::string name = oneLine(c.event_name);
  if (source.empty()) return name;
  return source.substr(0, source.find('.')) + ":" + name;
}

// Caps a list, saying how many entries were left out.
std::vector<std::string> capped(std::vector<std::string> lines, size_t total, const Caps& caps) {
  for (std::string& l : lines) l = truncateChars(l, caps.line);
  if (total > caps.items) {
    lines.push_back("… and " + std::to_string(total - caps.items) + " more (truncated)");
  }
  return lines;
}

std::vector<std::string> placementLines(const Story& s, const Caps& caps) {
  std::vector<std::string> lines;
  for (size_t i = 0; i < s.placements.size() && i < caps.items; ++i) {
    const StoryPlacement& p = s.placements[i];
    std::string l = "placed";
    if (!p.host.empty()) l += " on " + untrusted(p.host, caps.text);
    if (!p.location.empty()) l += " in " + untrusted(p.location, caps.text);
    if (!p.kind.empty()) l += " (" + untrusted(p.kind, caps.text) + ")";
    if (!p.owner.empty()) l += ", owner " + untrusted(p.owner, caps.text);
    lines.push_back(l);
  }
  return capped(std::move(lines), s.placements.size(), caps);
}

std::vector<std::string> custodyLines(const Story& s, const Caps& caps) {
  std::vector<std::string> lines;
  for (size_t i = 0; i < s.custody.size() && i < caps.items; ++i) {
    const StoryHop& h = s.custody[i];
    std::string l = timeText(h.at) + ": " + untrusted(h.holder.empty() ? "?" : h.holder, caps.text);
    if (!h.method.empty()) l += " via " + untrusted(h.method, caps.text);
    if (!h.notes.empty()) l += " — " + untrusted(h.notes, caps.text);
    lines.push_back(l);
  }
  return capped(std::move(lines), s.custody.size(), caps);
}

std::vector<std::string> callLines(const Story& s, const Caps& caps) {
  std::vector<std::string> lines;
  for (size_t i = 0; i < s.calls.size() && i < caps.items; ++i) {
    const StoryCall& c = s.calls[i];
    std::string l = truncateChars(callName(c), caps.text) + " ×" + std::to_string(c.count);
    if (!c.aws_region.empty()) l += " in " + untrusted(c.aws_region, caps.text);
    l += c.error_code.empty() ? " → succeeded" : " → " + untrusted(c.error_code, caps.text);
    if (isSet(c.first_seen) && isSet(c.last_seen) && c.first_seen != c.last_seen) {
      l += " (" + formatTime(c.first_seen) + " to " + formatTime(c.last_seen) + ")";
    } else if (isSet(c.first_seen) || isSet(c.last_seen)) {
      l += " (" + formatTime(isSet(c.first_seen) ? c.first_seen : c.last_seen) + ")";
    }
    lines.push_back(l);
  }
  return capped(std::move(lines), s.calls.size(), caps);
}

std::string callerLine(const StoryCaller& c, const Caps& caps) {
  std::string l = untrusted(c.source_ip.empty() ? "unknown address" : c.source_ip, caps.text);
  l += " (" + std::to_string(c.count) + (c.count == 1 ? " call)" : " calls)");
  if (!c.client.empty()) l += ", client " + untrusted(c.client, caps.text);
  if (!c.country.empty()) l += ", country " + untrusted(c.country, caps.text);
  if (c.asn) {
    l += ", AS" + std::to_string(*c.asn);
    if (!c.as_org.empty()) l += " " + untrusted(c.as_org, caps.text);
  }
  if (c.tor) l += *c.tor ? ", Tor exit node" : ", not Tor";
  if (!c.user_agent.empty()) l += ", user agent \"" + untrusted(c.user_agent, caps.text) + "\"";
  return l;
}

std::vector<std::string> callerLines(const Story& s, const Caps& caps) {
  std::vector<std::string> lines;
  for (size_t i = 0; i < s.callers.size() && i < caps.items; ++i) {
    lines.push_back(callerLine(s.callers[i], caps));
  }
  return capped(std::move(lines), s.callers.size(), caps);
}

// Label/value pairs for fact lists and field grids (empty values left out).
std::vector<std::pair<std::string, std::string>> summaryFacts(const Story& s, bool with_token) {
  std::vector<std::pair<std::string, std::string>> facts = {
      {"Severity", oneLine(s.severity)},          {"State", oneLine(s.state)},
      {"Trigger", oneLine(s.trigger_class)},      {"Key ID", oneLine(s.key_id)},
      {"Token", oneLine(s.token_label)},          {"Account", oneLine(s.account_id)},
      {"Calls", std::to_string(s.trigger_count)}, {"First seen", timeText(s.first_seen)},
      {"Last seen", timeText(s.last_seen)},       {"Intents", intentsText(s)},
  };
  if (with_token) {
    facts.emplace_back("User ARN", oneLine(s.user_arn));
    facts.emplace_back("Tags", tagsText(s));
    facts.emplace_back("Incident", oneLine(s.incident_id));
  }
  std::erase_if(facts, [](const auto& f) { return f.second.empty(); });
  return facts;
}

constexpr std::string_view kPlacementsIntro =
    "Every place below held a copy of the key: treat each as compromised.";

// ---- Slack ------------------------------------------------------------------------------------

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

// ---- Teams ------------------------------------------------------------------------------------

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
  const char* color = isTest(s) ? "Accent" : s.kind == "resolved" ? "Good" : "Attention";
  body.push_back(teamsText(truncateEscaped(teamsEscape(title(s)), 400),
                           {{"size", "Large"}, {"weight", "Bolder"}, {"color", color}}));
  if (s.kind == "escalation" && !s.escalation.empty()) {
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

// ---- Email ------------------------------------------------------------------------------------

// Header values are single lines of printable text: CR/LF in config or attacker text would
// otherwise start a new header (Bcc: injection).
std::string headerValue(std::string_view s) { return oneLine(validUtf8(s)); }

bool isPrintableAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7F; });
}

// RFC 2047 encoded words for a non-ASCII value, each at most 75 characters, split on character
// boundaries and folded onto continuation lines.
std::string encodedWords(std::string_view s) {
  constexpr size_t kChunkBytes = 45;  // 60 base64 characters + 12 of "=?UTF-8?B?" and "?="
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    size_t end = i;
    while (end < s.size()) {
      size_t n = sequenceLength(s, end);
      if (n == 0) n = 1;
      if (end + n - i > kChunkBytes) break;
      end += n;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + detail::base64(s.substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

std::string rfc5322Date(TimePoint t) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto tt = static_cast<std::time_t>(toUnixSeconds(t));
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

// The dot-atom-text of a Message-ID (RFC 5322 3.6.4): anything else becomes '-'.
std::string msgIdPart(std::string_view s) {
  std::string out;
  for (char c : s) {
    const bool atext = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       std::string_view("!#$%&'*+-/=?^_`{|}~.").find(c) != std::string_view::npos;
    out += atext ? c : '-';
  }
  while (!out.empty() && out.front() == '.') out.erase(out.begin());
  while (!out.empty() && out.back() == '.') out.pop_back();
  std::string collapsed;  // no ".." either
  for (char c : out) {
    if (c == '.' && !collapsed.empty() && collapsed.back() == '.') continue;
    collapsed += c;
  }
  return collapsed.empty() ? "incident" : collapsed;
}

// Lines of at most `max` bytes, split on character boundaries (8bit MIME and RFC 5322 limit).
std::string wrapLine(std::string_view line, size_t max) {
  std::string out;
  while (line.size() > max) {
    size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    out.append(line.substr(0, cut));
    out += "\r\n";
    line.remove_prefix(cut);
  }
  out.append(line);
  return out;
}

// ---- Syslog -----------------------------------------------------------------------------------

int syslogSeverity(const Story& s) {
  if (isTest(s)) return 6;                 // informational
  if (s.kind == "resolved") return 5;      // notice
  if (s.severity == "critical") return 2;  // critical
  if (s.severity == "high") return 3;      // error
  if (s.severity == "medium") return 4;    // warning
  if (s.severity == "low") return 5;       // notice
  return 6;
}

// HOSTNAME, APP-NAME and friends are PRINTUSASCII without spaces, or the NILVALUE "-".
std::string printUsAscii(std::string_view s, size_t max) {
  std::string out;
  for (char c : s) {
    if (out.size() == max) break;
    if (c > 32 && c < 127) out += c;
  }
  return out.empty() ? "-" : out;
}

std::string pagerDutySeverity(const Story& s) {
  if (isTest(s)) return "info";  // a test must never page anyone as real
  if (s.severity == "critical") return "critical";
  if (s.severity == "high") return "error";
  if (s.severity == "medium") return "warning";
  return "info";
}

}  // namespace

// ---- Generic webhook --------------------------------------------------------------------------

nlohmann::json webhookPayload(const Story& in) {
  const Story s = sanitized(in);
  json tags = json::object();
  for (const auto& [k, v] : s.token_tags) tags[k] = v;
  json placements = json::array();
  for (const StoryPlacement& p : s.placements) {
    placements.push_back(
        {{"host", p.host}, {"location", p.location}, {"kind", p.kind}, {"owner", p.owner}});
  }
  json custody = json::array();
  for (const StoryHop& h : s.custody) {
    custody.push_back(
        {{"at", timeOrNull(h.at)}, {"holder", h.holder}, {"method", h.method}, {"notes", h.notes}});
  }
  json calls = json::array();
  for (const StoryCall& c : s.calls) {
    calls.push_back({{"event_source", c.event_source},
                     {"event_name", c.event_name},
                     {"action", callName(c)},
                     {"aws_region", c.aws_region},
                     {"error_code", c.error_code.empty() ? json(nullptr) : json(c.error_code)},
                     {"count", c.count},
                     {"first_seen", timeOrNull(c.first_seen)},
                     {"last_seen", timeOrNull(c.last_seen)}});
  }
  json callers = json::array();
  for (const StoryCaller& c : s.callers) {
    callers.push_back({{"source_ip", c.source_ip},
                       {"user_agent", c.user_agent},
                       {"client", c.client},
                       {"country", c.country},
                       {"asn", c.asn ? json(*c.asn) : json(nullptr)},
                       {"as_org", c.as_org},
                       {"tor", c.tor ? json(*c.tor) : json(nullptr)},
                       {"count", c.count}});
  }
  return {{"incident_id", s.incident_id},
          {"kind", s.kind},
          {"test", isTest(s)},
          {"title", title(s)},
          {"headline", s.headline},
          {"escalation", s.escalation.empty() ? json(nullptr) : json(s.escalation)},
          {"severity", s.severity},
          {"state", s.state},
          {"trigger_class", s.trigger_class},
          {"token",
           {{"token_id", s.token_id},
            {"key_id", s.key_id},
            {"label", s.token_label},
            {"account_id", s.account_id},
            {"user_arn", s.user_arn},
            {"tags", tags}}},
          {"placements", placements},
          {"custody", custody},
          {"calls", calls},
          {"callers", callers},
          {"intents", s.intents},
          {"first_seen", timeOrNull(s.first_seen)},
          {"last_seen", timeOrNull(s.last_seen)},
          {"trigger_count", s.trigger_count},
          {"runbook", s.runbook_markdown},
          {"link", s.link.empty() ? json(nullptr) : json(s.link)}};
}

std::string webhookSignature(const std::string& secret, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac,
           &len) == nullptr) {
    return "";  // receivers reject an empty signature, which is the safe failure
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 0x0F];
  }
  return out;
}

// ---- Slack ------------------------------------------------------------------------------------

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
  if (s.kind == "escalation" && !s.escalation.empty()) {
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
  context += " · " + slackEscape(oneLine(s.kind));
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

// ---- Teams ------------------------------------------------------------------------------------

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

// ---- PagerDuty --------------------------------------------------------------------------------

nlohmann::json pagerDutyEvent(const Story& in, const std::string& routing_key, bool resolve) {
  const Story s = sanitized(in);
  const std::string dedup = truncateChars(s.incident_id, kPagerDutyDedupChars);
  if (resolve || s.kind == "resolved") {
    return {{"routing_key", routing_key}, {"event_action", "resolve"}, {"dedup_key", dedup}};
  }
  const Caps& caps = kTicketCaps;
  std::string source;
  if (!s.placements.empty() && !s.placements.front().host.empty()) {
    source = oneLine(s.placements.front().host);
  } else if (!s.account_id.empty()) {
    source = "aws account " + oneLine(s.account_id);
  } else {
    source = "honeytrail";
  }
  json tags = json::object();
  for (const auto& [k, v] : s.token_tags) tags[k] = v;
  json details = {
      {"incident_id", s.incident_id},
      {"kind", s.kind},
      {"key_id", s.key_id},
      {"token", s.token_label},
      {"account_id", s.account_id},
      {"user_arn", s.user_arn},
      {"tags", tags},
      {"where_it_lives", placementLines(s, caps)},
      {"chain_of_custody", custodyLines(s, caps)},
      {"calls", callLines(s, caps)},
      {"callers", callerLines(s, caps)},
      {"intents", s.intents},
      {"trigger_count", s.trigger_count},
      {"first_seen", timeText(s.first_seen)},
      {"last_seen", timeText(s.last_seen)},
      {"runbook", truncateChars(s.runbook_markdown, caps.runbook)},
  };
  if (s.kind == "escalation" && !s.escalation.empty()) {
    details["what_is_new"] = untrusted(s.escalation, caps.line);
  }
  if (isTest(s)) details["test"] = "TEST alert: nothing used the key.";
  if (!s.link.empty()) details["link"] = s.link;
  json payload = {{"summary", truncateChars(title(s), kPagerDutySummaryChars)},
                  {"source", truncateChars(source, 255)},
                  {"severity", pagerDutySeverity(s)},
                  {"component", oneLine(s.key_id.empty() ? s.token_label : s.key_id)},
                  {"group", oneLine(s.account_id)},
                  {"class", oneLine(s.trigger_class)},
                  {"custom_details", details}};
  const TimePoint when = isSet(s.last_seen) ? s.last_seen : s.first_seen;
  if (isSet(when)) payload["timestamp"] = formatTime(when);
  json event = {{"routing_key", routing_key},
                {"event_action", "trigger"},
                {"dedup_key", dedup},
                {"client", "honeytrail"},
                {"payload", payload}};
  if (!s.link.empty()) {
    event["client_url"] = s.link;
    event["links"] = json::array({{{"href", s.link}, {"text", "Incident in honeytrail"}}});
  }
  return event;
}

// ---- Jira -------------------------------------------------------------------------------------

namespace {

std::string jiraList(const std::string& heading, const std::vector<std::string>& lines,
                     const char* bullet = "*", std::string_view intro = "") {
  if (lines.empty()) return "";
  std::string out = "h3. " + heading + "\n";
  if (!intro.empty()) out += std::string(intro) + "\n";
  for (const std::string& l : lines) out += std::string(bullet) + " " + jiraEscape(l) + "\n";
  return out + "\n";
}

}  // namespace

nlohmann::json jiraIssue(const Story& in, const std::string& project_key,
                         const std::string& issue_type, const std::vector<std::string>& labels) {
  const Story s = sanitized(in);
  const Caps& caps = kTicketCaps;
  std::string d = "h2. " + jiraEscape(title(s)) + "\n";
  if (s.kind == "escalation" && !s.escalation.empty()) {
    d += "*What is new:* " + jiraEscape(untrusted(s.escalation, caps.line)) + "\n";
  }
  if (isTest(s)) d += "*TEST* alert from honeytrail: nothing used the key.\n";
  if (!s.headline.empty() && oneLine(s.headline) != title(s)) {
    d += jiraEscape(oneLine(s.headline)) + "\n";
  }
  d += "\n||Field||Value||\n";
  for (const auto& [label, value] : summaryFacts(s, true)) {
    d += "|" + label + "|" + jiraEscape(truncateChars(value, caps.line)) + "|\n";
  }
  d += "\n";
  d += jiraList("Where it lives", placementLines(s, caps), "*", kPlacementsIntro);
  d += jiraList("Chain of custody", custodyLines(s, caps), "#");
  d += jiraList("What the attacker did", callLines(s, caps));
  d += jiraList("Who called", callerLines(s, caps));
  if (!s.runbook_markdown.empty()) {
    d += "h3. Runbook\n" + runbookToJira(truncateChars(s.runbook_markdown, caps.runbook)) + "\n";
  }
  if (!s.link.empty()) d += "[Open the incident in honeytrail|" + s.link + "]\n";
  json label_array = json::array();
  for (const std::string& l : labels) {
    // Jira labels cannot contain spaces.
    std::string label = truncateChars(oneLine(validUtf8(l)), 255);
    std::replace(label.begin(), label.end(), ' ', '_');
    if (!label.empty()) label_array.push_back(label);
  }
  return {{"fields",
           {{"project", {{"key", project_key}}},
            {"issuetype", {{"name", issue_type}}},
            {"summary", truncateChars(title(s), kJiraSummaryChars)},
            {"description", truncateEscaped(d, kJiraTextChars)},
            {"labels", label_array}}}};
}

nlohmann::json jiraComment(const Story& in) {
  const Story s = sanitized(in);
  const Caps& caps = kTicketCaps;
  std::string b;
  if (s.kind == "escalation" && !s.escalation.empty()) {
    b = "h3. Escalation: " + jiraEscape(untrusted(s.escalation, caps.line)) + "\n";
  } else {
    b = "h3. Update: " + jiraEscape(title(s)) + "\n";
  }
  if (isTest(s)) b += "*TEST* alert from honeytrail: nothing used the key.\n";
  b += jiraEscape(title(s)) + "\n";
  b += "Severity " + jiraEscape(oneLine(s.severity)) + ", " + std::to_string(s.trigger_count) +
       " calls, last seen " + timeText(s.last_seen) + ".\n\n";
  b += jiraList("What the attacker did", callLines(s, caps));
  b += jiraList("Who called", callerLines(s, caps));
  if (!s.link.empty()) b += "[Open the incident in honeytrail|" + s.link + "]\n";
  return {{"body", truncateEscaped(b, kJiraTextChars)}};
}

// ---- Email ------------------------------------------------------------------------------------

std::string emailMessage(const Story& in, const std::string& from,
                         const std::vector<std::string>& to, TimePoint now) {
  const Story s = sanitized(in);
  std::string domain = "honeytrail.invalid";
  if (const size_t at = from.rfind('@'); at != std::string::npos) {
    const std::string d = from.substr(at + 1, from.find('>', at) - at - 1);
    if (!d.empty()) domain = msgIdPart(d);
  }
  const std::string thread = "<" + msgIdPart(s.incident_id) + "@" + domain + ">";
  std::string subject = truncateChars("[honeytrail] " + title(s), 200);
  subject = isPrintableAscii(subject) ? subject : encodedWords(subject);
  std::string recipients;
  for (const std::string& r : to) {
    const std::string v = headerValue(r);
    if (v.empty()) continue;
    recipients += (recipients.empty() ? "" : ", ") + v;
  }
  std::string m;
  m += "From: " + headerValue(from) + "\r\n";
  m += "To: " + recipients + "\r\n";
  m += "Subject: " + subject + "\r\n";
  m += "Date: " + rfc5322Date(now) + "\r\n";
  // The first alert of an incident owns the thread's Message-ID; later ones (escalation,
  // resolved, test) get their own and point back at it, so mail clients group them.
  if (s.kind == "new") {
    m += "Message-ID: " + thread + "\r\n";
  } else {
    m += "Message-ID: <" + msgIdPart(s.incident_id) + "." + msgIdPart(s.kind) + "." +
         std::to_string(toUnixSeconds(now)) + "@" + domain + ">\r\n";
    m += "In-Reply-To: " + thread + "\r\n";
    m += "References: " + thread + "\r\n";
  }
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: text/plain; charset=utf-8\r\n";
  m += "Content-Transfer-Encoding: 8bit\r\n";
  m += "Auto-Submitted: auto-generated\r\n";  // RFC 3834: no auto-replies to an alert
  m += "X-Honeytrail-Incident: " + truncateChars(headerValue(s.incident_id), 200) + "\r\n";
  m += "\r\n";
  for (const std::string& line : splitLines(storyText(s))) {
    m += wrapLine(line, kEmailLineBytes) + "\r\n";
  }
  return m;
}

// ---- Syslog -----------------------------------------------------------------------------------

std::string syslogLine(const Story& in, const std::string& hostname, TimePoint now) {
  const Story s = sanitized(in);
  constexpr int kFacilityAuth = 4;  // security/authorization messages
  const int pri = kFacilityAuth * 8 + syslogSeverity(s);
  std::vector<std::pair<std::string, std::string>> params = {
      {"incident", s.incident_id}, {"kind", s.kind},
      {"severity", s.severity},    {"key", s.key_id},
      {"account", s.account_id},   {"calls", std::to_string(s.trigger_count)},
  };
  if (!s.callers.empty()) {
    params.emplace_back("source", s.callers.front().source_ip);
    params.emplace_back("client", s.callers.front().client);
  }
  if (isTest(s)) params.emplace_back("test", "true");
  std::string sd = "[honeytrail@32473";
  for (const auto& [name, value] : params) {
    sd += " " + name + "=\"" + sdEscape(untrusted(value, kSyslogValueChars)) + "\"";
  }
  sd += "]";
  return "<" + std::to_string(pri) + ">1 " + formatTime(now) + " " + printUsAscii(hostname, 255) +
         " honeytrail - incident " + sd + " " + truncateChars(title(s), kSyslogMsgChars);
}

// ---- Plain text -------------------------------------------------------------------------------

std::string storyText(const Story& in) {
  const Story s = sanitized(in);
  const Caps& caps = kTextCaps;
  std::string t;
  if (isTest(s)) t += "TEST ALERT: nothing used the key; this checks that alerts reach you.\n\n";
  t += title(s) + "\n";
  if (s.kind == "escalation" && !s.escalation.empty()) {
    t += "What is new: " + untrusted(s.escalation, caps.line) + "\n";
  }
  if (!s.headline.empty() && oneLine(s.headline) != title(s)) t += oneLine(s.headline) + "\n";
  t += "\n";
  for (const auto& [label, value] : summaryFacts(s, true)) {
    t += label + ": " + truncateChars(value, caps.line) + "\n";
  }
  if (!s.token_id.empty()) t += "Token ID: " + oneLine(s.token_id) + "\n";
  if (!s.link.empty()) t += "Link: " + oneLine(s.link) + "\n";
  const auto section = [&t](const std::string& heading, const std::vector<std::string>& lines,
                            std::string_view intro = "") {
    if (lines.empty()) return;
    t += "\n" + heading + "\n";
    if (!intro.empty()) t += std::string(intro) + "\n";
    for (const std::string& l : lines) t += "  - " + l + "\n";
  };
  section("Where it lives", placementLines(s, caps), kPlacementsIntro);
  section("Chain of custody", custodyLines(s, caps));
  section("What the attacker did", callLines(s, caps));
  section("Who called", callerLines(s, caps));
  if (!s.runbook_markdown.empty()) {
    t += "\nRunbook\n" + truncateChars(s.runbook_markdown, caps.runbook);
    if (t.back() != '\n') t += "\n";
  }
  return t;
}

}  // namespace ht::alert
