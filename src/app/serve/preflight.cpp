#include "app/serve/steps.h"
#include "live/push_server.h"
#include "live/source_report.h"

namespace ht::app::serve {

Status preflight(ServeState& state, const config::EnvLookup& env) {
  const config::SourcesOptions& sources = state.config.sources;
  if (live::configuredSources(sources).empty()) {
    return Status::invalidArgument(
        "no source is enabled: set sources.s3.enabled, sources.sqs.enabled, "
        "sources.push.enabled or sources.last_used in the config (see "
        "docs/honeytrail.example.yaml)");
  }
  if (sources.push.enabled) {
    HT_ASSIGN_OR_RETURN(state.push_credentials, live::readPushCredentials(sources.push, env));
  }
  return Status::ok();
}

}  // namespace ht::app::serve
