#include "alert/story_text.h"

#include <algorithm>
#include <cstdint>

namespace ht::alert {
namespace detail {
namespace {

using nlohmann::json;

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

std::string intentsText(const Story& s) {
  std::string out;
  for (const std::string& i : s.intents) out += (out.empty() ? "" : ", ") + oneLine(i);
  return out;
}

// Caps a list, saying how many entries were left out.
std::vector<std::string> capped(std::vector<std::string> lines, size_t total, const Caps& caps) {
  for (std::string& l : lines) l = truncateChars(l, caps.line);
  if (total > caps.items) {
    lines.push_back("… and " + std::to_string(total - caps.items) + " more (truncated)");
  }
  return lines;
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

}  // namespace

// ---- UTF-8 and cutting -----------------------------------------------------------------------

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

size_t charCount(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string prefixChars(std::string_view s, size_t keep) {
  return std::string(s.substr(0, byteOffset(s, keep)));
}

std::string truncateChars(std::string_view s, size_t max) {
  if (charCount(s) <= max) return std::string(s);
  const size_t marker = charCount(kTruncated);
  return prefixChars(s, max > marker ? max - marker : 0) + std::string(kTruncated);
}

std::string truncateEscaped(std::string_view s, size_t max) {
  if (charCount(s) <= max) return std::string(s);
  const size_t marker = charCount(kTruncated);
  std::string cut = prefixChars(s, max > marker ? max - marker : 0);
  size_t slashes = 0;
  while (slashes < cut.size() && cut[cut.size() - 1 - slashes] == '\\') ++slashes;
  if (slashes % 2 == 1) cut.pop_back();
  return cut + std::string(kTruncated);
}

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

std::string untrusted(std::string_view s, size_t max) { return truncateChars(oneLine(s), max); }

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

// ---- Runbook Markdown ---------------------------------------------------------------------------

const std::regex& boldRe() {
  static const std::regex re(R"(\*\*([^*]+)\*\*)");
  return re;
}
const std::regex& linkRe() {
  static const std::regex re(R"(\[([^\]]+)\]\(([^)\s]+)\))");
  return re;
}

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

// ---- The story as plain lines -------------------------------------------------------------------

bool isTest(const Story& s) { return s.test || s.kind == incidents::AnnouncementKind::kTest; }
bool isSet(TimePoint t) { return t.time_since_epoch().count() != 0; }
std::string timeText(TimePoint t) { return isSet(t) ? formatTime(t) : "unknown"; }
std::string triggerClassText(const Story& s) {
  return s.trigger_class ? detect::triggerClassName(*s.trigger_class) : "";
}

Story sanitized(const Story& in) {
  Story s = in;
  for (std::string* f :
       {&s.incident_id, &s.headline, &s.escalation, &s.token_id, &s.key_id, &s.token_label,
        &s.account_id, &s.user_arn, &s.runbook_markdown, &s.link}) {
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

std::string title(const Story& s) {
  std::string h = oneLine(s.headline);
  if (h.empty()) h = "Honey token " + oneLine(s.key_id) + " triggered";
  if (s.kind == incidents::AnnouncementKind::kEscalation && !s.escalation.empty()) {
    h = "Escalation: " + oneLine(s.escalation) + " — " + h;
  } else if (s.kind == incidents::AnnouncementKind::kResolved) {
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

std::string callName(const StoryCall& c) {
  const std::string source = oneLine(c.event_source);
  const std::string name = oneLine(c.event_name);
  if (source.empty()) return name;
  return source.substr(0, source.find('.')) + ":" + name;
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

std::vector<std::string> callerLines(const Story& s, const Caps& caps) {
  std::vector<std::string> lines;
  for (size_t i = 0; i < s.callers.size() && i < caps.items; ++i) {
    lines.push_back(callerLine(s.callers[i], caps));
  }
  return capped(std::move(lines), s.callers.size(), caps);
}

std::vector<std::pair<std::string, std::string>> summaryFacts(const Story& s, bool with_token) {
  std::vector<std::pair<std::string, std::string>> facts = {
      {"Severity", severityName(s.severity)},     {"State", incidents::incidentStateName(s.state)},
      {"Trigger", oneLine(triggerClassText(s))},  {"Key ID", oneLine(s.key_id)},
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

std::string dumpJson(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace detail

namespace {

using detail::callerLines;
using detail::callLines;
using detail::Caps;
using detail::custodyLines;
using detail::isTest;
using detail::kPlacementsIntro;
using detail::kTextCaps;
using detail::oneLine;
using detail::placementLines;
using detail::sanitized;
using detail::summaryFacts;
using detail::title;
using detail::truncateChars;
using detail::untrusted;

}  // namespace

// ---- Plain text -------------------------------------------------------------------------------

std::string storyText(const Story& in) {
  const Story s = sanitized(in);
  const Caps& caps = kTextCaps;
  std::string t;
  if (isTest(s)) t += "TEST ALERT: nothing used the key; this checks that alerts reach you.\n\n";
  t += title(s) + "\n";
  if (s.kind == incidents::AnnouncementKind::kEscalation && !s.escalation.empty()) {
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
