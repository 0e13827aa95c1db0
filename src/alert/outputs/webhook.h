// The generic webhook output (type webhook): the whole story as JSON, POSTed with an HMAC
// signature when a secret is set. Its HTTP poster is also what the Slack and Teams outputs send
// with, as their incoming webhooks differ only in the body.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "alert/outputs/output.h"
#include "net/http.h"
#include "config/options.h"

namespace ht::alert {

// Generic webhook: the whole story as JSON (incident_id, kind, headline, token, placements,
// custody, calls, callers, times, runbook, link, test).
nlohmann::json webhookPayload(const Story& story);
// "sha256=" + hex HMAC-SHA256 of body with secret (header X-Honeytrail-Signature), as GitHub
// and Stripe style receivers verify.
std::string webhookSignature(const std::string& secret, const std::string& body);

// A generic JSON webhook: POST item.body as application/json, with
// X-Honeytrail-Signature: sha256=HMAC(secret, body) when a secret is set, and
// X-Honeytrail-Incident / X-Honeytrail-Delivery (the outbox ID, stable across retries) headers.
// 2xx is success; 408, 429 and 5xx are retried (Retry-After honoured); other statuses are
// permanent. Targets on private, loopback or link-local addresses are refused unless
// allow_private (checked on the URL's host and on every address it resolves to).
struct WebhookOptions {
  std::string url;
  std::string hmac_secret;  // "" = no signature
  bool allow_private = false;
  std::vector<std::pair<std::string, std::string>> headers;  // extra (e.g. Content-Type for Slack)
};
std::unique_ptr<Output> makeWebhookOutput(WebhookOptions options, net::HttpTransport& transport);

// The webhook output built from config: renders webhookPayload and posts it as above to
// credentials.url, signed with credentials.secret when there is one.
std::unique_ptr<AlertOutput> makeWebhookOutput(const config::OutputOptions& options,
                                               OutputCredentials credentials);

namespace detail {

// The poster above over a transport of its own, with the output's HTTP settings (timeout, CA
// file) and allow_private: the sending half of the webhook, Slack and Teams outputs.
std::unique_ptr<Output> makeWebhookPoster(const config::OutputOptions& options, std::string url,
                                          std::string hmac_secret);

}  // namespace detail
}  // namespace ht::alert
