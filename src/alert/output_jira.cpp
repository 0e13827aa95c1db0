// Jira output: one issue per incident, found again by a label holding the incident ID, so that
// escalations become comments and a retry after a lost response never files a second issue.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "alert/net_util.h"
#include "alert/outputs.h"
#include "net/http.h"
#include "aws/sigv4.h"
#include "core/strings.h"

namespace ht::alert {
namespace {

using detail::clip;
using detail::kMaxDetailChars;
using detail::permanentFailure;
using nlohmann::json;

// Jira's answers here are small; a search hit list is capped at one issue.
constexpr size_t kMaxResponseBytes = 1024 * 1024;

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

class JiraOutput final : public Output {
 public:
  JiraOutput(const config::OutputOptions& options, OutputCredentials credentials)
      : base_url_(std::move(credentials.url)),
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

  DeliveryResult deliver(const store::OutboxItem& item) override {
    DeliveryResult result = attempt(item);
    // Belt and braces: nothing Jira or libcurl echoes may carry the token to the timeline.
    result.error = detail::scrubSecrets(std::move(result.error), {token_, basic_});
    return result;
  }

 private:
  DeliveryResult attempt(const store::OutboxItem& item) {
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
        "?jql=" + aws::uriEncode("labels = " + jqlQuote(label), false) + "&fields=key&maxResults=1";
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
        send("POST", "/rest/api/2/issue/" + aws::uriEncode(key, false) + "/comment", body.dump());
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

std::unique_ptr<Output> makeJiraOutput(const config::OutputOptions& options,
                                       OutputCredentials credentials) {
  return std::make_unique<JiraOutput>(options, std::move(credentials));
}

}  // namespace ht::alert
