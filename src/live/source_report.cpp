#include "live/source_report.h"

#include <algorithm>

namespace ht::live {

using nlohmann::json;

std::string s3SourceName(const std::string& bucket) { return "s3:" + bucket; }

std::string sqsSourceName(const std::string& queue_url) {
  size_t slash = queue_url.rfind('/');
  return "sqs:" + (slash == std::string::npos ? queue_url : queue_url.substr(slash + 1));
}

std::vector<ConfiguredSource> configuredSources(const config::SourcesOptions& sources) {
  std::vector<ConfiguredSource> out;
  if (sources.s3.enabled) out.push_back({s3SourceName(sources.s3.bucket), "s3"});
  if (sources.sqs.enabled) out.push_back({sqsSourceName(sources.sqs.queue_url), "sqs"});
  if (sources.push.enabled) out.push_back({"push", "push"});
  if (sources.last_used) out.push_back({"last-used", "last-used"});
  return out;
}

Result<std::vector<SourceReport>> sourcesReport(SourceStore& store,
                                                const config::SourcesOptions& sources,
                                                TimePoint now) {
  HT_ASSIGN_OR_RETURN(std::vector<live::SourceHealth> rows, store.listSourceHealth());
  const std::vector<ConfiguredSource> configured = configuredSources(sources);
  auto isConfigured = [&](const std::string& name) {
    return std::any_of(configured.begin(), configured.end(),
                       [&](const ConfiguredSource& c) { return c.name == name; });
  };
  const auto blind_after = std::chrono::minutes(sources.blind_after_minutes);
  std::vector<SourceReport> out;
  for (const live::SourceHealth& h : rows) {
    SourceReport r;
    r.health = h;
    r.assessment = isConfigured(h.source)
                       ? assessHealth(h, now, blind_after)
                       : HealthAssessment{"disabled", "not enabled in the config (history kept)"};
    if (h.newest_event_time) {
      r.lag = std::chrono::duration_cast<std::chrono::seconds>(now - *h.newest_event_time);
    }
    out.push_back(std::move(r));
  }
  for (const ConfiguredSource& c : configured) {
    bool seen = std::any_of(rows.begin(), rows.end(),
                            [&](const live::SourceHealth& h) { return h.source == c.name; });
    if (seen) continue;
    SourceReport r;
    r.health.source = c.name;
    r.health.kind = c.kind;
    r.assessment = {"blind",
                    "enabled in the config but has never run (is `honeytrail serve` running?)"};
    r.has_run = false;
    out.push_back(std::move(r));
  }
  return out;
}

json sourceReportToJson(const SourceReport& r) {
  const live::SourceHealth& h = r.health;
  if (!r.has_run) {
    return {{"source", h.source},
            {"kind", h.kind},
            {"status", r.assessment.status},
            {"reason", r.assessment.reason},
            {"objects", 0},
            {"records", 0},
            {"triggers", 0},
            {"bad_objects", 0},
            {"errors", 0}};
  }
  auto time = [](const std::optional<TimePoint>& t) { return t ? json(formatTime(*t)) : json(); };
  return {{"source", h.source},
          {"kind", h.kind},
          {"status", r.assessment.status},
          {"reason", r.assessment.reason},
          {"started_at", time(h.started_at)},
          {"last_poll_at", time(h.last_poll_at)},
          {"last_data_at", time(h.last_data_at)},
          {"last_object", h.last_object},
          {"newest_event_time", time(h.newest_event_time)},
          {"lag_seconds", r.lag ? json(r.lag->count()) : json()},
          {"objects", h.objects},
          {"records", h.records},
          {"triggers", h.triggers},
          {"bad_objects", h.bad_objects},
          {"errors", h.errors},
          {"last_error", h.last_error},
          {"last_error_at", time(h.last_error_at)}};
}

}  // namespace ht::live
