// PagerDuty Events API v2 output. The stored body is the whole event with an empty routing_key,
// so that the routing key (a credential) never reaches the outbox; it is filled in here.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "alert/net_util.h"
#include "alert/outputs.h"
#include "net/http.h"

namespace ht::alert {
namespace {

using detail::clip;
using detail::kMaxDetailChars;
using detail::permanentFailure;

constexpr const char* kDefaultEndpoint = "https://events.pagerduty.com/v2/enqueue";
// PagerDuty's answers are a few hundred bytes; a proxy's error page must not fill the timeline.
constexpr size_t kMaxResponseBytes = 64 * 1024;

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
    transport_ = net::makeCurlTransport(detail::httpOptionsFor(options, kMaxResponseBytes));
  }

  DeliveryResult deliver(const store::OutboxItem& item) override {
    DeliveryResult result = attempt(item);
    // Belt and braces: nothing a receiver or libcurl echoes may carry the key to the timeline.
    result.error = detail::scrubSecrets(std::move(result.error), {routing_key_});
    return result;
  }

 private:
  DeliveryResult attempt(const store::OutboxItem& item) {
    if (routing_key_.empty()) {
      return permanentFailure("no routing key: set secret_env to the variable that holds it");
    }
    nlohmann::json event;
    try {
      event = nlohmann::json::parse(item.body);
    } catch (const nlohmann::json::exception&) {
      return permanentFailure("stored body is not JSON");
    }
    if (!event.is_object()) return permanentFailure("stored body is not a JSON object");
    event["routing_key"] = routing_key_;

    net::HttpRequest req;
    if (!allow_private_) {
      if (auto refused = detail::refusePrivateTarget(url_, detail::urlOrigin(url_), &req.resolve)) {
        return *refused;
      }
    }

    req.method = "POST";
    req.url = url_;
    req.headers = {{"Content-Type", "application/json"},
                   {"Accept", "application/json"},
                   {"User-Agent", "honeytrail"}};
    req.body = event.dump();
    Result<net::HttpResponse> resp = transport_->send(req);
    if (!resp.hasValue()) {
      // Names the host only, never the body.
      return detail::retryableFailure(resp.status().message());
    }
    const int s = resp->status;
    // 429 is PagerDuty's rate limit; 5xx its own trouble. 400 (an invalid event or routing key)
    // and other 4xx would fail the same way on every retry.
    DeliveryResult result = detail::httpOutcome(*resp);
    if (result.ok) {
      result.output = "PagerDuty accepted the " + event.value("event_action", std::string()) +
                      " event (HTTP " + std::to_string(s) + ")";
      return result;
    }
    std::string reason = pagerDutyReason(resp->body);
    result.error = "PagerDuty answered HTTP " + std::to_string(s) + " from " +
                   detail::urlOrigin(url_) + (reason.empty() ? "" : ": " + reason);
    return result;
  }

  std::string url_;
  std::string routing_key_;
  bool allow_private_;
  std::unique_ptr<net::HttpTransport> transport_;
};

}  // namespace

std::unique_ptr<Output> makePagerDutyOutput(const config::OutputOptions& options,
                                            OutputCredentials credentials) {
  return std::make_unique<PagerDutyOutput>(options, std::move(credentials));
}

}  // namespace ht::alert
