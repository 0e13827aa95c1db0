#include "app/serve.h"

#include "app/serve/state.h"
#include "app/serve/steps.h"
#include "app/serve/watchdog.h"
#include "live/service.h"
#include "live/source_report.h"

namespace ht::app {

Status runServe(Context& ctx, const std::atomic<bool>& stop) {
  // Loading the config (ServeState reads it) ran every check `config validate` runs; preflight
  // adds what depends on this host or concerns serve alone.
  serve::ServeState state(ctx, SystemClock::instance());
  HT_RETURN_IF_ERROR(serve::preflight(state, config::processEnv()));

  live::Service service(state.clock);
  for (const serve::ServeStep& step : serve::serveSteps(state.config)) {
    std::function<void()> undo;
    if (step.stop != nullptr) undo = [&state, fn = step.stop] { fn(state); };
    service.add({step.name, [&state, fn = step.start] { return fn(state); }, std::move(undo)});
  }
  int bound = state.config.serve.shutdown_timeout_seconds;
  serve::ShutdownWatchdog watchdog(stop, std::chrono::seconds(bound),
                                   serve::exitAfterShutdownTimeout(bound));
  Status result = service.run([&] {
    if (stop.load()) state.shutting_down = true;
    return stop.load();
  });
  watchdog.finished();
  return result;
}

Result<std::vector<nlohmann::json>> sourcesReport(Context& ctx) {
  HT_ASSIGN_OR_RETURN(
      std::vector<live::SourceReport> rows,
      live::sourcesReport(ctx.store(), ctx.config().sources, SystemClock::instance().now()));
  std::vector<nlohmann::json> out;
  out.reserve(rows.size());
  for (const live::SourceReport& row : rows) out.push_back(live::sourceReportToJson(row));
  return out;
}

}  // namespace ht::app
