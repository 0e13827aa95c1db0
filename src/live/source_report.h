// The health report of the live sources (`honeytrail sources`, later the REST API): every source
// the config enables and every source the database remembers, each assessed as ok, failing,
// blind or disabled. The names here are the ones serve stores health under.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/options.h"
#include "core/clock.h"
#include "core/status.h"
#include "live/sources.h"
#include "live/source_store.h"

namespace ht::live {

// A source the config enables: the name its health is stored under and its kind.
struct ConfiguredSource {
  std::string name;  // "s3:BUCKET", "sqs:QUEUE-NAME", "push", "last-used"
  std::string kind;  // s3 | sqs | push | last-used
};

std::string s3SourceName(const std::string& bucket);
// The queue's name, the last segment of its URL.
std::string sqsSourceName(const std::string& queue_url);
// In the order serve starts them: s3, sqs, push, last-used.
std::vector<ConfiguredSource> configuredSources(const config::SourcesOptions& sources);

struct SourceReport {
  // For a source that has never run, only source and kind are set.
  live::SourceHealth health;
  HealthAssessment assessment;
  bool has_run = true;  // false: enabled in the config, but no health stored yet
  std::optional<std::chrono::seconds> lag;  // now - the newest event time, when there is one
};

// Stored sources first (in the store's order), then enabled ones that never ran. A stored source
// the config no longer enables is "disabled", its history kept.
Result<std::vector<SourceReport>> sourcesReport(SourceStore& store,
                                                const config::SourcesOptions& sources,
                                                TimePoint now);

// One JSON object per row: counters, times (RFC 3339 or null), status and reason.
nlohmann::json sourceReportToJson(const SourceReport& report);

}  // namespace ht::live
