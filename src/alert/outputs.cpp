#include "alert/outputs.h"

#include <utility>

#include "alert/outputs/email.h"
#include "alert/outputs/file.h"
#include "alert/outputs/jira.h"
#include "alert/outputs/pagerduty.h"
#include "alert/outputs/slack.h"
#include "alert/outputs/syslog.h"
#include "alert/outputs/teams.h"
#include "alert/outputs/webhook.h"
#include "core/strings.h"

namespace ht::alert {
namespace {

// One output type: its name in config, how to build it, and whether it needs a URL to be built.
struct OutputKind {
  OutputType type;
  std::string_view name;
  // Builds the output; never fails and does no I/O. Built without credentials, an output cannot
  // deliver but renders the same bytes, which is what renderBody relies on.
  std::unique_ptr<AlertOutput> (*make)(const config::OutputOptions&, OutputCredentials);
  // The URL is the whole destination (for Slack and Teams also the credential): without one the
  // output is misconfigured, and start-up says so rather than every delivery.
  bool needs_url;
};

// Every output type. Adding one: a file pair under alert/outputs/, an OutputType and a line here.
constexpr OutputKind kKinds[] = {
    {OutputType::kWebhook, "webhook", makeWebhookOutput, true},
    {OutputType::kSlack, "slack", makeSlackOutput, true},
    {OutputType::kTeams, "teams", makeTeamsOutput, true},
    {OutputType::kPagerDuty, "pagerduty", makePagerDutyOutput, false},
    {OutputType::kJira, "jira", makeJiraOutput, false},
    {OutputType::kEmail, "email", makeEmailOutput, false},
    {OutputType::kSyslog, "syslog", makeSyslogOutput, false},
    {OutputType::kFile, "file", makeFileOutput, false},
};

const OutputKind* kindNamed(std::string_view name) {
  for (const OutputKind& k : kKinds) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

const OutputKind& kindOf(OutputType type) {
  const OutputKind* found = nullptr;
  for (const OutputKind& k : kKinds) {
    if (k.type == type) found = &k;
  }
  HT_CHECK(found != nullptr);  // every OutputType has a line in kKinds
  return *found;
}

}  // namespace

std::string_view outputTypeName(OutputType type) { return kindOf(type).name; }

std::optional<OutputType> parseOutputType(std::string_view name) {
  const OutputKind* kind = kindNamed(name);
  if (kind == nullptr) return std::nullopt;
  return kind->type;
}

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

Result<std::unique_ptr<AlertOutput>> makeOutput(const config::OutputOptions& options,
                                                const config::EnvLookup& env) {
  HT_ASSIGN_OR_RETURN(OutputCredentials credentials, resolveCredentials(options, env));
  std::optional<OutputType> type = parseOutputType(options.type);
  if (!type) {
    return Status::invalidArgument("alerts.outputs." + options.name + ": unknown type " +
                                   jsonQuote(options.type));
  }
  const OutputKind& kind = kindOf(*type);
  if (kind.needs_url && credentials.url.empty()) {
    return Status::invalidArgument("alerts.outputs." + options.name + ": no URL");
  }
  return kind.make(options, std::move(credentials));
}

std::string renderBody(const config::OutputOptions& options, const Story& story, TimePoint now,
                       const std::string& hostname) {
  // Config validation lets only known types through; anything else has always been given the
  // generic JSON, which the webhook output renders.
  const OutputKind& kind = kindOf(parseOutputType(options.type).value_or(OutputType::kWebhook));
  return kind.make(options, OutputCredentials{})->render(story, now, hostname);
}

}  // namespace ht::alert
