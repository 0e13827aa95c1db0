// PagerDuty Events API v2 output. The stored body is the whole event with an empty routing_key,
// so that the routing key (a credential) never reaches the outbox; it is filled in here.
#include "alert/outputs/pagerduty.h"

#include <string>
#include <utility>

#include "alert/net_util.h"
#include "alert/story_text.h"
#include "net/http.h"

namespace ht::alert {
namespace {

using detail::callerLines;
using detail::callLines;
using detail::Caps;
using detail::clip;
using detail::custodyLines;
using detail::isSet;
using detail::isTest;
using detail::kMaxDetailChars;
using detail::kTicketCaps;
using detail::oneLine;
using detail::permanentFailure;
using detail::placementLines;
using detail::sanitized;
using detail::timeText;
using detail::title;
using detail::truncateChars;
using detail::untrusted;
using nlohmann::json;

// PagerDuty's limits, as the Events API v2 documents them.
constexpr size_t kPagerDutySummaryChars = 1024;
constexpr size_t kPagerDutyDedupChars = 255;

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

std::string pagerDutySeverity(const Story& s) {
  if (isTest(s)) return "info";  // a test must never page anyone as real
  switch (s.severity) {
    case Severity::kCritical:
      return "critical";
    case Severity::kHigh:
      return "error";
    case Severity::kMedium:
      return "warning";
    case Severity::kLow:
    case Severity::kInfo:
      return "info";
  }
  return "info";
}

class PagerDutyOutput final : public AlertOutput {
 public:
  PagerDutyOutput(const config::OutputOptions& options, OutputCredentials credentials)
      : url_(credentials.url.empty() ? kDefaultEndpoint : std::move(credentials.url)),
        routing_key_(std::move(credentials.secret)),
        allow_private_(options.allow_private) {
    transport_ = net::makeCurlTransport(detail::httpOptionsFor(options, kMaxResponseBytes));
  }

  std::string render(const Story& story, TimePoint, const std::string&) const override {
    return detail::dumpJson(
        pagerDutyEvent(story, "", story.kind == incidents::AnnouncementKind::kResolved));
  }

  DeliveryResult deliver(const incidents::OutboxItem& item) override {
    DeliveryResult result = attempt(item);
    // Belt and braces: nothing a receiver or libcurl echoes may carry the key to the timeline.
    result.error = detail::scrubSecrets(std::move(result.error), {routing_key_});
    return result;
  }

 private:
  DeliveryResult attempt(const incidents::OutboxItem& item) {
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

nlohmann::json pagerDutyEvent(const Story& in, const std::string& routing_key, bool resolve) {
  const Story s = sanitized(in);
  const std::string dedup = truncateChars(s.incident_id, kPagerDutyDedupChars);
  if (resolve || s.kind == incidents::AnnouncementKind::kResolved) {
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
      {"kind", incidents::announcementKindName(s.kind)},
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
  if (s.kind == incidents::AnnouncementKind::kEscalation && !s.escalation.empty()) {
    details["what_is_new"] = untrusted(s.escalation, caps.line);
  }
  if (isTest(s)) details["test"] = "TEST alert: nothing used the key.";
  if (!s.link.empty()) details["link"] = s.link;
  json payload = {{"summary", truncateChars(title(s), kPagerDutySummaryChars)},
                  {"source", truncateChars(source, 255)},
                  {"severity", pagerDutySeverity(s)},
                  {"component", oneLine(s.key_id.empty() ? s.token_label : s.key_id)},
                  {"group", oneLine(s.account_id)},
                  {"class", oneLine(detail::triggerClassText(s))},
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

std::unique_ptr<AlertOutput> makePagerDutyOutput(const config::OutputOptions& options,
                                                 OutputCredentials credentials) {
  return std::make_unique<PagerDutyOutput>(options, std::move(credentials));
}

}  // namespace ht::alert
