// `honeytrail serve` and `honeytrail sources`: the long-running process that runs the configured
// live sources, and the report of their health.
#pragma once

#include <atomic>
#include <nlohmann/json.hpp>

#include "app/context.h"

namespace ht::app {

// Runs until *stop becomes true (SIGTERM, SIGINT), then finishes the object in hand, saves
// positions and health, and returns. The start-up steps are in app/serve/steps.h.
Status runServe(Context& ctx, const std::atomic<bool>& stop);

// One JSON object per configured or previously seen source: its counters, times, and the
// assessment (ok | failing | blind | disabled) with a reason (live::sourcesReport, as JSON).
Result<std::vector<nlohmann::json>> sourcesReport(Context& ctx);

}  // namespace ht::app
