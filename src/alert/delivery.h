// Alert delivery as the commands use it: every enabled output and response action built from
// config (credentials read from the environment once, at start), the dispatcher over them, and
// drain(), which keeps delivering until nothing is due within a time limit — what a one-shot
// `honeytrail ingest` and `honeytrail alert flush` do before they exit. `serve` calls runOnce()
// from a loop of its own.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <stop_token>
#include <string>

#include "alert/dispatcher.h"
#include "config/config.h"
#include "config/options.h"
#include "core/clock.h"
#include "incidents/incident_store.h"

namespace ht::alert {

RetryPolicy retryPolicy(const config::AlertsOptions& options);

struct DrainSummary {
  DispatchReport totals;
  size_t still_pending = 0;  // left in the outbox for `serve` or `alert flush`
  size_t awaiting_approval = 0;
};

class Delivery {
 public:
  // Builds every enabled output and every action whose mode is not dry-run. Errors name the key
  // (a credential variable that is not set, an unknown type).
  static Result<std::unique_ptr<Delivery>> create(incidents::OutboxStore& store, const Clock& clock,
                                                  const config::AlertsOptions& options,
                                                  const config::EnvLookup& env);

  Result<DispatchReport> runOnce();

  // Delivers what is due, then waits for retries that fall due within `limit` and delivers those,
  // until nothing pending is due within the limit or `stop` is requested (which also ends a wait
  // at once). Waits on the clock given to create(), so a test clock drains without sleeping.
  Result<DrainSummary> drain(std::chrono::milliseconds limit, std::stop_token stop = {});

  // Names of the outputs and actions built ("action:NAME" for actions).
  std::vector<std::string> names() const;
  Output* find(const std::string& name) const;

 private:
  Delivery(incidents::OutboxStore& store, const Clock& clock, RetryPolicy policy);

  incidents::OutboxStore& store_;
  const Clock& clock_;
  RetryPolicy policy_;
  std::unique_ptr<RandomSource> random_;
  std::map<std::string, std::unique_ptr<Output>> owned_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

}  // namespace ht::alert
