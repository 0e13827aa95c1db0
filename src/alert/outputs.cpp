#include "alert/outputs.h"

#include <nlohmann/json.hpp>

#include "alert/net_util.h"
#include "alert/payloads.h"
#include "net/http.h"
#include "core/strings.h"

namespace ht::alert {
namespace {

using nlohmann::json;

std::string dumpJson(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The webhook output borrows its transport; this one owns it for outputs built from config.
class OwnedWebhookOutput final : public Output {
 public:
  OwnedWebhookOutput(WebhookOptions options, const config::OutputOptions& config) {
    net::HttpOptions http = detail::httpOptionsFor(config, 1u << 20);
    http.connect_timeout_ms = std::min(config.timeout_ms, 5000);
    transport_ = net::makeCurlTransport(http);
    inner_ = makeWebhookOutput(std::move(options), *transport_);
  }
  DeliveryResult deliver(const store::OutboxItem& item) override { return inner_->deliver(item); }

 private:
  std::unique_ptr<net::HttpTransport> transport_;
  std::unique_ptr<Output> inner_;
};

}  // namespace

Result<OutputCredentials> resolveCredentials(const config::OutputOptions& options,
                                             const config::EnvLookup& env) {
  OutputCredentials out;
  out.url = options.url;
  const std::string where = "alerts.outputs." + options.name;
  auto read = [&](const std::string& key, const std::string& var) -> Result<std::string> {
    std::optional<std::string> value = env ? env(var) : std::nullopt;
    if (!value || value->empty()) {
      return Status::invalidArgument(where + "." + key + ": environment variable " + var +
                                     " is not set");
    }
    return *value;
  };
  if (!options.url_env.empty()) {
    HT_ASSIGN_OR_RETURN(out.url, read("url_env", options.url_env));
  }
  if (!options.secret_env.empty()) {
    HT_ASSIGN_OR_RETURN(out.secret, read("secret_env", options.secret_env));
  }
  return out;
}

Result<std::unique_ptr<Output>> makeOutput(const config::OutputOptions& options,
                                           const config::EnvLookup& env) {
  HT_ASSIGN_OR_RETURN(OutputCredentials credentials, resolveCredentials(options, env));
  const std::string& type = options.type;
  if (type == "webhook" || type == "slack" || type == "teams") {
    if (credentials.url.empty()) {
      return Status::invalidArgument("alerts.outputs." + options.name + ": no URL");
    }
    WebhookOptions w;
    w.url = credentials.url;
    // Slack and Teams authenticate by the URL itself; only the generic webhook signs.
    if (type == "webhook") w.hmac_secret = credentials.secret;
    w.allow_private = options.allow_private;
    return std::unique_ptr<Output>(std::make_unique<OwnedWebhookOutput>(std::move(w), options));
  }
  if (type == "pagerduty") return makePagerDutyOutput(options, std::move(credentials));
  if (type == "jira") return makeJiraOutput(options, std::move(credentials));
  if (type == "email") return makeEmailOutput(options, std::move(credentials));
  if (type == "syslog") return makeSyslogOutput(options);
  if (type == "file") return makeFileOutput(options);
  return Status::invalidArgument("alerts.outputs." + options.name + ": unknown type " +
                                 jsonQuote(type));
}

std::string renderBody(const config::OutputOptions& options, const Story& story, TimePoint now,
                       const std::string& hostname) {
  const std::string& type = options.type;
  if (type == "slack") return dumpJson(slackPayload(story));
  if (type == "teams") return dumpJson(teamsPayload(story));
  if (type == "pagerduty") return dumpJson(pagerDutyEvent(story, "", story.kind == "resolved"));
  if (type == "jira") {
    std::vector<std::string> labels = {"honeytrail", story.incident_id};
    json envelope = {
        {"incident_id", story.incident_id},
        {"kind", story.kind},
        {"issue", jiraIssue(story, options.jira_project, options.jira_issue_type, labels)},
        {"comment", jiraComment(story)}};
    return dumpJson(envelope);
  }
  if (type == "email") return emailMessage(story, options.email_from, options.email_to, now);
  if (type == "syslog") return syslogLine(story, hostname, now);
  return dumpJson(webhookPayload(story));  // webhook, file
}

}  // namespace ht::alert
