// PagerDuty Events API v2 output. The stored body is the whole event with an empty routing_key,
// so that the routing key (a credential) never reaches the outbox; it is filled in here.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "alert/outputs.h"
#include "aws/http.h"
#include "core/strings.h"

namespace ht::alert {
namespace {

constexpr const char* kDefaultEndpoint = "https://events.pagerduty.com/v2/enqueue";
// PagerDuty's answers are a few hundred bytes; a proxy's error page must not fill the timeline.
constexpr size_t kMaxResponseBytes = 64 * 1024;
constexpr size_t kMaxDetailChars = 300;

// The host of an absolute URL, without user-info, port or IPv6 brackets.
std::string urlHost(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string authority =
      url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (size_t at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
  if (!authority.empty() && authority[0] == '[') {
    return authority.substr(1, authority.find(']') - 1);
  }
  return authority.substr(0, authority.rfind(':'));
}

// scheme://host[:port] only: enough to tell which endpoint failed, nothing a proxy put in a path.
std::string urlForMessages(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string authority =
      url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (size_t at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
  return url.substr(0, start) + authority;
}

std::optional<std::chrono::seconds> retryAfter(const aws::HttpResponse& response) {
  const std::string* value = response.header("Retry-After");
  if (value == nullptr) return std::nullopt;
  std::string v = trim(*value);
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::chrono::seconds(v.size() > 9 ? 999999999 : std::stoll(v));
  }
  return std::chrono::seconds(60);  // an HTTP-date: not worth a date parser for a hint
}

// One line of at most max_chars bytes (cut on a UTF-8 boundary): a timeline entry, not a page.
std::string clip(std::string text, size_t max_chars) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  if (text.size() <= max_chars) return text;
  size_t cut = max_chars;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "…";
}

// PagerDuty explains a rejected event in "message" and "errors"; that is what an operator needs
// to fix the configuration.
std::string pagerDutyReason(const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return clip(body, kMaxDetailChars);
  std::string reason;
  if (auto m = j.find("message"); m != j.end() && m->is_string()) reason = m->get<std::string>();
  if (auto e = j.find("errors"); e != j.end() && e->is_array()) {
    for (const auto& err : *e) {
      if (!err.is_string()) continue;
      reason += (reason.empty() ? "" : "; ") + err.get<std::string>();
    }
  }
  return clip(reason, kMaxDetailChars);
}

class PagerDutyOutput final : public Output {
 public:
  PagerDutyOutput(const config::OutputOptions& options, OutputCredentials credentials)
      : url_(credentials.url.empty() ? kDefaultEndpoint : std::move(credentials.url)),
        routing_key_(std::move(credentials.secret)),
        allow_private_(options.allow_private) {
    aws::HttpOptions http;
    http.connect_timeout_ms = options.timeout_ms;
    http.request_timeout_ms = options.timeout_ms;
    http.ca_file = options.ca_file;
    http.max_response_bytes = kMaxResponseBytes;
    transport_ = aws::makeCurlTransport(http);
  }

  DeliveryResult deliver(const store::OutboxItem& item) override {
    DeliveryResult result = attempt(item);
    // Belt and braces: nothing a receiver or libcurl echoes may carry the key to the timeline.
    if (!routing_key_.empty()) result.error = replaceAll(result.error, routing_key_, "***");
    return result;
  }

 private:
  DeliveryResult attempt(const store::OutboxItem& item) {
    DeliveryResult result;
    if (routing_key_.empty()) {
      return permanent("no routing key: set secret_env to the variable that holds it");
    }
    nlohmann::json event;
    try {
      event = nlohmann::json::parse(item.body);
    } catch (const nlohmann::json::exception&) {
      return permanent("stored body is not JSON");
    }
    if (!event.is_object()) return permanent("stored body is not a JSON object");
    event["routing_key"] = routing_key_;

    if (!allow_private_) {
      // Checked on each attempt: what a name resolves to can change.
      std::string reason = privateAddressReason(urlHost(url_));
      if (!reason.empty()) {
        return permanent("refusing to send to " + urlForMessages(url_) + ": " + reason +
                         " (set allow_private to permit it)");
      }
    }

    aws::HttpRequest req;
    req.method = "POST";
    req.url = url_;
    req.headers = {{"Content-Type", "application/json"},
                   {"Accept", "application/json"},
                   {"User-Agent", "honeytrail"}};
    req.body = event.dump();
    Result<aws::HttpResponse> resp = transport_->send(req);
    if (!resp.hasValue()) {
      result.error = resp.status().message();  // names the host only, never the body
      return result;
    }
    const int s = resp->status;
    result.http_status = s;
    if (s >= 200 && s < 300) {
      result.ok = true;
      result.output = "PagerDuty accepted the " + event.value("event_action", std::string()) +
                      " event (HTTP " + std::to_string(s) + ")";
      return result;
    }
    std::string reason = pagerDutyReason(resp->body);
    result.error = "PagerDuty answered HTTP " + std::to_string(s) + " from " +
                   urlForMessages(url_) + (reason.empty() ? "" : ": " + reason);
    // 429 is PagerDuty's rate limit; 5xx its own trouble. 400 (an invalid event or routing key)
    // and other 4xx would fail the same way on every retry.
    result.retryable = s == 408 || s == 429 || s >= 500;
    if (result.retryable) result.retry_after = retryAfter(*resp);
    return result;
  }

  static DeliveryResult permanent(std::string error) {
    DeliveryResult r;
    r.retryable = false;
    r.error = std::move(error);
    return r;
  }

  std::string url_;
  std::string routing_key_;
  bool allow_private_;
  std::unique_ptr<aws::HttpTransport> transport_;
};

}  // namespace

std::unique_ptr<Output> makePagerDutyOutput(const config::OutputOptions& options,
                                            OutputCredentials credentials) {
  return std::make_unique<PagerDutyOutput>(options, std::move(credentials));
}

}  // namespace ht::alert
