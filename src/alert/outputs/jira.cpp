// Jira output: one issue per incident, found again by a label holding the incident ID, so that
// escalations become comments and a retry after a lost response never files a second issue.
#include "alert/outputs/jira.h"

#include <algorithm>
#include <optional>
#include <regex>
#include <string>
#include <utility>

#include "alert/net_util.h"
#include "alert/story_text.h"
#include "net/http.h"
#include "net/url.h"
#include "core/strings.h"

namespace ht::alert {
namespace {

using detail::boldRe;
using detail::callerLines;
using detail::callLines;
using detail::Caps;
using detail::clip;
using detail::custodyLines;
using detail::headingLevel;
using detail::isBullet;
using detail::isTest;
using detail::kMaxDetailChars;
using detail::kPlacementsIntro;
using detail::kTicketCaps;
using detail::linkRe;
using detail::oneLine;
using detail::permanentFailure;
using detail::placementLines;
using detail::sanitized;
using detail::splitLines;
using detail::summaryFacts;
using detail::timeText;
using detail::title;
using detail::truncateChars;
using detail::truncateEscaped;
using detail::untrusted;
using detail::validUtf8;
using nlohmann::json;

// Jira's limits, as its REST API documents them.
constexpr size_t kJiraSummaryChars = 255;
constexpr size_t kJiraTextChars = 32767;

// Jira's answers here are small; a search hit list is capped at one issue.
constexpr size_t kMaxResponseBytes = 1024 * 1024;

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

const std::regex& orderedRe() {  // "1. " opening a Markdown ordered list item
  static const std::regex re(R"(^\d+\. )");
  return re;
}

const std::regex& codeRe() {
  static const std::regex re(R"(`([^`]+)`)");
  return re;
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

std::string jiraList(const std::string& heading, const std::vector<std::string>& lines,
                     const char* bullet = "*", std::string_view intro = "") {
  if (lines.empty()) return "";
  std::string out = "h3. " + heading + "\n";
  if (!intro.empty()) out += std::string(intro) + "\n";
  for (const std::string& l : lines) out += std::string(bullet) + " " + jiraEscape(l) + "\n";
  return out + "\n";
}

// Jira explains a refusal in "errorMessages" (a list) and "errors" (field -> message): the
// field errors are what tell an operator that a project key or issue type is wrong.
std::string jiraReason(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return clip(body, kMaxDetailChars);
  std::string reason;
  auto add = [&reason](const std::string& text) {
    if (!text.empty()) reason += (reason.empty() ? "" : "; ") + text;
  };
  if (auto m = j.find("errorMessages"); m != j.end() && m->is_array()) {
    for (const json& e : *m) {
      if (e.is_string()) add(e.get<std::string>());
    }
  }
  if (auto m = j.find("errors"); m != j.end() && m->is_object()) {
    for (const auto& [field, message] : m->items()) {
      if (message.is_string()) add(field + ": " + message.get<std::string>());
    }
  }
  return clip(reason, kMaxDetailChars);
}

// A JQL string literal: backslash and double quote escaped.
std::string jqlQuote(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

class JiraOutput final : public AlertOutput {
 public:
  JiraOutput(const config::OutputOptions& options, OutputCredentials credentials)
      : project_(options.jira_project),
        issue_type_(options.jira_issue_type),
        base_url_(std::move(credentials.url)),
        username_(options.username),
        token_(std::move(credentials.secret)),
        allow_private_(options.allow_private) {
    // The site URL may be configured with or without a trailing slash.
    while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
    shown_url_ = detail::withoutUserInfo(base_url_);
    basic_ = detail::base64(username_ + ":" + token_);
    http_ = detail::httpOptionsFor(options, kMaxResponseBytes);
    search_transport_ = net::makeCurlTransport(http_);
  }

  // The JiraEnvelope: both bodies, as delivery decides between them only once it has searched.
  std::string render(const Story& story, TimePoint, const std::string&) const override {
    std::vector<std::string> labels = {"honeytrail", story.incident_id};
    json envelope = {{"incident_id", story.incident_id},
                     {"kind", incidents::announcementKindName(story.kind)},
                     {"issue", jiraIssue(story, project_, issue_type_, labels)},
                     {"comment", jiraComment(story)}};
    return detail::dumpJson(envelope);
  }

  DeliveryResult deliver(const incidents::OutboxItem& item) override {
    DeliveryResult result = attempt(item);
    // Belt and braces: nothing Jira or libcurl echoes may carry the token to the timeline.
    result.error = detail::scrubSecrets(std::move(result.error), {token_, basic_});
    return result;
  }

 private:
  DeliveryResult attempt(const incidents::OutboxItem& item) {
    if (base_url_.empty()) return permanentFailure("no Jira site URL: set url or url_env");
    if (username_.empty() || token_.empty()) {
      return permanentFailure("Jira needs username and an API token (secret_env)");
    }
    json envelope = json::parse(item.body, nullptr, /*allow_exceptions=*/false);
    if (envelope.is_discarded()) return permanentFailure("stored body is not JSON");
    if (!envelope.is_object() || !envelope.contains("incident_id") ||
        !envelope["incident_id"].is_string() ||
        envelope["incident_id"].get<std::string>().empty() || !envelope.contains("issue") ||
        !envelope["issue"].is_object() || !envelope["issue"].contains("fields") ||
        !envelope["issue"]["fields"].is_object() || !envelope.contains("comment") ||
        !envelope["comment"].is_object()) {
      return permanentFailure("stored body is not a Jira envelope (incident_id, issue, comment)");
    }
    // Jira labels cannot hold spaces; jiraIssue() turns them into '_', and so must the search.
    const std::string label = replaceAll(envelope["incident_id"].get<std::string>(), " ", "_");

    pin_.clear();
    if (!allow_private_) {
      // Every request of this delivery goes to the addresses checked here.
      if (auto refused = detail::refusePrivateTarget(base_url_, shown_url_, &pin_)) return *refused;
    }

    std::string key;
    if (std::optional<DeliveryResult> failed = findIssue(label, &key)) return *failed;
    if (!key.empty()) return comment(key, envelope["comment"]);

    json issue = envelope["issue"];
    json& labels = issue["fields"]["labels"];
    if (!labels.is_array()) labels = json::array();
    if (std::find(labels.begin(), labels.end(), json(label)) == labels.end()) {
      labels.push_back(label);  // without it the next delivery could not find the issue
    }
    return create(issue);
  }

  // Sets *key to the issue labelled `label`, "" when there is none; a failure is returned.
  std::optional<DeliveryResult> findIssue(const std::string& label, std::string* key) {
    const std::string query =
        "?jql=" + net::uriEncode("labels = " + jqlQuote(label), false) + "&fields=key&maxResults=1";
    Result<net::HttpResponse> resp = send("GET", searchPath() + query, "");
    // Jira Cloud removed /search (410 Gone) for /search/jql, which Data Center lacks: use the
    // old one until it is gone, then the new one for the life of this output.
    if (resp.hasValue() && resp->status == 410 && !use_search_jql_) {
      use_search_jql_ = true;
      resp = send("GET", searchPath() + query, "");
    }
    if (!resp.hasValue()) return transportFailure(resp.status(), "searching for the issue");
    if (resp->status < 200 || resp->status >= 300) {
      return httpFailure(*resp, "searching for the issue");
    }
    json answer = json::parse(resp->body, nullptr, /*allow_exceptions=*/false);
    if (!answer.is_object() || !answer.contains("issues") || !answer["issues"].is_array()) {
      // Likely a login page or a proxy: not Jira's answer. Retried, as the URL may be fixed.
      DeliveryResult r;
      r.http_status = resp->status;
      r.error = "Jira search at " + shown_url_ + " did not answer with an issue list";
      return r;
    }
    key->clear();
    if (!answer["issues"].empty()) {
      const json& first = answer["issues"][0];
      if (first.is_object() && first.contains("key") && first["key"].is_string()) {
        *key = first["key"].get<std::string>();
      }
    }
    return std::nullopt;
  }

  DeliveryResult create(const json& issue) {
    Result<net::HttpResponse> resp = send("POST", "/rest/api/2/issue", issue.dump());
    if (!resp.hasValue()) return transportFailure(resp.status(), "creating the issue");
    if (resp->status < 200 || resp->status >= 300) return httpFailure(*resp, "creating the issue");
    DeliveryResult r;
    r.ok = true;
    r.http_status = resp->status;
    json answer = json::parse(resp->body, nullptr, /*allow_exceptions=*/false);
    if (answer.is_object() && answer.contains("key") && answer["key"].is_string()) {
      r.output = clip(answer["key"].get<std::string>(), 64) + " created";
    } else {
      r.output = "issue created";  // it exists: the next delivery finds it by its label
    }
    return r;
  }

  DeliveryResult comment(const std::string& key, const json& body) {
    Result<net::HttpResponse> resp =
        send("POST", "/rest/api/2/issue/" + net::uriEncode(key, false) + "/comment", body.dump());
    const std::string what = "commenting on " + clip(key, 64);
    if (!resp.hasValue()) return transportFailure(resp.status(), what);
    if (resp->status < 200 || resp->status >= 300) return httpFailure(*resp, what);
    DeliveryResult r;
    r.ok = true;
    r.http_status = resp->status;
    r.output = "commented on " + clip(key, 64);
    return r;
  }

  std::string searchPath() const {
    return use_search_jql_ ? "/rest/api/2/search/jql" : "/rest/api/2/search";
  }

  Result<net::HttpResponse> send(const std::string& method, const std::string& path,
                                 std::string body) {
    net::HttpRequest req;
    req.method = method;
    req.url = base_url_ + path;
    req.headers = {{"Authorization", "Basic " + basic_},
                   {"Accept", "application/json"},
                   {"User-Agent", "honeytrail"}};
    if (method != "GET") req.headers.push_back({"Content-Type", "application/json"});
    req.body = std::move(body);
    req.resolve = pin_;
    if (method == "GET") return search_transport_->send(req);
    // libcurl silently sends a request again when a reused keep-alive connection dies before
    // any reply: for a POST whose first copy Jira did process, that is a duplicate issue or
    // comment. A transport of its own never reuses a connection, so a lost reply surfaces here
    // as a failure, and the next attempt's search finds what the first one created.
    return net::makeCurlTransport(http_)->send(req);
  }

  static DeliveryResult transportFailure(const Status& status, const std::string& what) {
    // The network may come back: retried. The message names the host only.
    return detail::retryableFailure("Jira: " + what + ": " + status.message());
  }

  DeliveryResult httpFailure(const net::HttpResponse& resp, const std::string& what) const {
    const int s = resp.status;
    // 429 is Jira Cloud's rate limit and 5xx its own trouble; any other 4xx (bad credentials,
    // no permission, unknown project or issue type) fails the same way on every retry.
    DeliveryResult r = detail::httpOutcome(resp);
    std::string hint;
    if (s == 401) hint = " (check username and the API token)";
    if (s == 403) hint = " (the account lacks permission)";
    if (s == 404) hint = " (is url the site's base URL, and can the account see the project?)";
    std::string reason = jiraReason(resp.body);
    r.error = "Jira " + what + ": HTTP " + std::to_string(s) + " from " + shown_url_ + hint +
              (reason.empty() ? "" : ": " + reason);
    return r;
  }

  std::string project_;
  std::string issue_type_;
  std::string base_url_;   // without a trailing slash
  std::string shown_url_;  // base_url_ without any user-info, for messages
  std::string username_;
  std::string token_;
  std::string basic_;  // base64(username:token)
  bool allow_private_;
  bool use_search_jql_ = false;
  std::vector<std::string> pin_;  // CURLOPT_RESOLVE for the delivery in hand
  net::HttpOptions http_;
  std::unique_ptr<net::HttpTransport> search_transport_;  // keeps its connection between calls
};

}  // namespace

nlohmann::json jiraIssue(const Story& in, const std::string& project_key,
                         const std::string& issue_type, const std::vector<std::string>& labels) {
  const Story s = sanitized(in);
  const Caps& caps = kTicketCaps;
  std::string d = "h2. " + jiraEscape(title(s)) + "\n";
  if (s.kind == incidents::AnnouncementKind::kEscalation && !s.escalation.empty()) {
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
  if (s.kind == incidents::AnnouncementKind::kEscalation && !s.escalation.empty()) {
    b = "h3. Escalation: " + jiraEscape(untrusted(s.escalation, caps.line)) + "\n";
  } else {
    b = "h3. Update: " + jiraEscape(title(s)) + "\n";
  }
  if (isTest(s)) b += "*TEST* alert from honeytrail: nothing used the key.\n";
  b += jiraEscape(title(s)) + "\n";
  b += "Severity " + jiraEscape(severityName(s.severity)) + ", " + std::to_string(s.trigger_count) +
       " calls, last seen " + timeText(s.last_seen) + ".\n\n";
  b += jiraList("What the attacker did", callLines(s, caps));
  b += jiraList("Who called", callerLines(s, caps));
  if (!s.link.empty()) b += "[Open the incident in honeytrail|" + s.link + "]\n";
  return {{"body", truncateEscaped(b, kJiraTextChars)}};
}

std::unique_ptr<AlertOutput> makeJiraOutput(const config::OutputOptions& options,
                                            OutputCredentials credentials) {
  return std::make_unique<JiraOutput>(options, std::move(credentials));
}

}  // namespace ht::alert
