#include "alert/outputs/webhook.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <utility>

#include "alert/net_util.h"
#include "alert/story_text.h"
#include "core/strings.h"

namespace ht::alert {
namespace {

using detail::callName;
using detail::isSet;
using detail::isTest;
using detail::sanitized;
using detail::title;
using nlohmann::json;

json timeOrNull(TimePoint t) { return isSet(t) ? json(formatTime(t)) : json(nullptr); }

class WebhookPoster final : public Output {
 public:
  WebhookPoster(WebhookOptions options, net::HttpTransport& transport)
      : options_(std::move(options)), transport_(transport) {}

  DeliveryResult deliver(const incidents::OutboxItem& item) override {
    net::HttpRequest req;
    if (!options_.allow_private) {
      if (auto refused = detail::refusePrivateTarget(
              options_.url, detail::redactedUrl(options_.url), &req.resolve)) {
        return *refused;
      }
    }
    req.method = "POST";
    req.url = options_.url;
    bool has_content_type = false;
    for (const auto& [name, value] : options_.headers) {
      if (toLower(name) == "content-type") has_content_type = true;
    }
    if (!has_content_type) req.headers.push_back({"Content-Type", "application/json"});
    req.headers.push_back({"User-Agent", "honeytrail"});
    req.headers.push_back({"X-Honeytrail-Incident", item.incident_id});
    req.headers.push_back({"X-Honeytrail-Delivery", std::to_string(item.id)});
    if (!options_.hmac_secret.empty()) {
      req.headers.push_back(
          {"X-Honeytrail-Signature", webhookSignature(options_.hmac_secret, item.body)});
    }
    for (const auto& [name, value] : options_.headers) req.headers.push_back({name, value});
    req.body = item.body;

    Result<net::HttpResponse> resp = transport_.send(req);
    if (!resp.hasValue()) {
      return detail::retryableFailure(detail::redactUrlIn(resp.status().message(), options_.url));
    }
    DeliveryResult result = detail::httpOutcome(*resp);
    if (!result.ok) {
      result.error =
          "HTTP " + std::to_string(resp->status) + " from " + detail::redactedUrl(options_.url);
    }
    return result;
  }

 private:
  WebhookOptions options_;
  net::HttpTransport& transport_;
};

// The webhook poster borrows its transport; this one owns it for outputs built from config.
class OwnedWebhookPoster final : public Output {
 public:
  OwnedWebhookPoster(WebhookOptions options, const config::OutputOptions& config) {
    net::HttpOptions http = detail::httpOptionsFor(config, 1u << 20);
    http.connect_timeout_ms = std::min(config.timeout_ms, 5000);
    transport_ = net::makeCurlTransport(http);
    inner_ = makeWebhookOutput(std::move(options), *transport_);
  }
  DeliveryResult deliver(const incidents::OutboxItem& item) override { return inner_->deliver(item); }

 private:
  std::unique_ptr<net::HttpTransport> transport_;
  std::unique_ptr<Output> inner_;
};

class WebhookOutput final : public AlertOutput {
 public:
  WebhookOutput(const config::OutputOptions& options, OutputCredentials credentials)
      : poster_(detail::makeWebhookPoster(options, std::move(credentials.url),
                                          std::move(credentials.secret))) {}

  std::string render(const Story& story, TimePoint, const std::string&) const override {
    return detail::dumpJson(webhookPayload(story));
  }
  DeliveryResult deliver(const incidents::OutboxItem& item) override { return poster_->deliver(item); }

 private:
  std::unique_ptr<Output> poster_;
};

}  // namespace

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
          {"kind", incidents::announcementKindName(s.kind)},
          {"test", isTest(s)},
          {"title", title(s)},
          {"headline", s.headline},
          {"escalation", s.escalation.empty() ? json(nullptr) : json(s.escalation)},
          {"severity", severityName(s.severity)},
          {"state", incidents::incidentStateName(s.state)},
          {"trigger_class", detail::triggerClassText(s)},
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

std::unique_ptr<Output> makeWebhookOutput(WebhookOptions options, net::HttpTransport& transport) {
  return std::make_unique<WebhookPoster>(std::move(options), transport);
}

std::unique_ptr<AlertOutput> makeWebhookOutput(const config::OutputOptions& options,
                                               OutputCredentials credentials) {
  return std::make_unique<WebhookOutput>(options, std::move(credentials));
}

namespace detail {

std::unique_ptr<Output> makeWebhookPoster(const config::OutputOptions& options, std::string url,
                                          std::string hmac_secret) {
  WebhookOptions w;
  w.url = std::move(url);
  w.hmac_secret = std::move(hmac_secret);
  w.allow_private = options.allow_private;
  return std::make_unique<OwnedWebhookPoster>(std::move(w), options);
}

}  // namespace detail
}  // namespace ht::alert
