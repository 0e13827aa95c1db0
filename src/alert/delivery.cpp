#include "alert/delivery.h"

#include <algorithm>

#include "alert/actions.h"
#include "alert/outputs.h"

namespace ht::alert {

RetryPolicy retryPolicy(const config::AlertsOptions& options) {
  RetryPolicy p;
  p.first_delay = std::chrono::seconds(options.retry_first_seconds);
  p.max_delay =
      std::chrono::seconds(std::max(options.retry_max_seconds, options.retry_first_seconds));
  p.max_age = std::chrono::hours(options.retry_max_age_hours);
  return p;
}

Delivery::Delivery(incidents::OutboxStore& store, const Clock& clock, RetryPolicy policy)
    : store_(store),
      clock_(clock),
      policy_(policy),
      random_(std::make_unique<SodiumRandomSource>()) {}

Result<std::unique_ptr<Delivery>> Delivery::create(incidents::OutboxStore& store, const Clock& clock,
                                                   const config::AlertsOptions& options,
                                                   const config::EnvLookup& env) {
  RetryPolicy policy = retryPolicy(options);
  // The lease outlasts the slowest attempt any output or action can make.
  int longest_ms = 0;
  for (const auto& o : options.outputs) longest_ms = std::max(longest_ms, o.timeout_ms);
  for (const auto& a : options.actions) longest_ms = std::max(longest_ms, a.timeout_seconds * 1000);
  policy.lease = std::chrono::seconds(longest_ms / 1000 + 5);
  std::unique_ptr<Delivery> d(new Delivery(store, clock, policy));
  for (const config::OutputOptions& o : options.outputs) {
    if (!o.enabled) continue;
    HT_ASSIGN_OR_RETURN(std::unique_ptr<Output> output, makeOutput(o, env));
    d->owned_[o.name] = std::move(output);
  }
  for (const config::ActionOptions& a : options.actions) {
    // A dry-run action never runs; building it would demand credentials it does not use.
    if (a.mode == config::ActionMode::kDryRun) continue;
    std::unique_ptr<Output> action;
    if (a.type == config::ActionType::kCommand) {
      action = makeCommandAction(a);
    } else {
      HT_ASSIGN_OR_RETURN(action, makeWebhookAction(a, env));
    }
    d->owned_[actionOutputName(a.name)] = std::move(action);
  }
  std::map<std::string, Output*> view;
  for (auto& [name, output] : d->owned_) view[name] = output.get();
  d->dispatcher_ =
      std::make_unique<Dispatcher>(store, clock, *d->random_, std::move(view), d->policy_);
  return d;
}

Result<DispatchReport> Delivery::runOnce() { return dispatcher_->runOnce(); }

Result<DrainSummary> Delivery::drain(std::chrono::milliseconds limit, std::stop_token stop) {
  DrainSummary summary;
  const TimePoint deadline = clock_.now() + std::chrono::duration_cast<std::chrono::seconds>(limit);
  // Outbox times are whole seconds; the steady deadline bounds the whole drain exactly.
  const SteadyTime steady_deadline = clock_.steadyNow() + limit;
  while (true) {
    HT_ASSIGN_OR_RETURN(DispatchReport r, dispatcher_->runOnce());
    summary.totals.delivered += r.delivered;
    summary.totals.retried += r.retried;
    summary.totals.dead += r.dead;
    summary.totals.unknown_output += r.unknown_output;
    HT_ASSIGN_OR_RETURN(std::vector<incidents::OutboxItem> pending,
                        store_.listOutbox(incidents::OutboxState::kPending));
    if (pending.empty()) break;
    // Only the first pending item of each output and incident can go next (in order per
    // incident); the rest wait for it, whatever their own times say.
    std::map<std::pair<std::string, std::string>, const incidents::OutboxItem*> heads;
    for (const auto& p : pending) {
      auto& head = heads[{p.output, p.incident_id}];
      if (head == nullptr || p.id < head->id) head = &p;
    }
    TimePoint next = TimePoint::max();
    for (const auto& [key, head] : heads) next = std::min(next, head->next_attempt_at);
    if (next > deadline || clock_.steadyNow() >= steady_deadline) break;
    if (stop.stop_requested()) break;
    // A round that changed nothing while something is due (a clock step, a slow output) must
    // not spin: pause a little.
    auto wait = std::max<std::chrono::milliseconds>(
        std::chrono::duration_cast<std::chrono::milliseconds>(next - clock_.now()),
        std::chrono::milliseconds(r.delivered + r.retried + r.dead > 0 ? 0 : 200));
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(steady_deadline - clock_.steadyNow());
    if (!clock_.waitFor(std::min(wait, left), stop)) break;
  }
  HT_ASSIGN_OR_RETURN(std::vector<incidents::OutboxItem> pending,
                      store_.listOutbox(incidents::OutboxState::kPending));
  summary.still_pending = pending.size();
  HT_ASSIGN_OR_RETURN(std::vector<incidents::OutboxItem> approval,
                      store_.listOutbox(incidents::OutboxState::kApproval));
  summary.awaiting_approval = approval.size();
  return summary;
}

std::vector<std::string> Delivery::names() const {
  std::vector<std::string> out;
  for (const auto& [name, output] : owned_) out.push_back(name);
  return out;
}

Output* Delivery::find(const std::string& name) const {
  auto it = owned_.find(name);
  return it == owned_.end() ? nullptr : it->second.get();
}

}  // namespace ht::alert
