#include "alert/dispatcher.h"

#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <utility>

#include "alert/net_util.h"
#include "core/strings.h"

namespace ht::alert {
namespace {

std::string plural(int n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

std::string privateAddressReason(const std::string& host) { return detail::checkHost(host).reason; }

std::chrono::seconds nextDelay(const RetryPolicy& policy, int attempts,
                               std::optional<std::chrono::seconds> retry_after,
                               RandomSource& random) {
  using std::chrono::seconds;
  seconds max_delay = std::max(policy.max_delay, seconds(0));
  seconds delay = std::min(std::max(policy.first_delay, seconds(0)), max_delay);
  for (int i = 1; i < attempts && delay < max_delay; ++i) delay = std::min(delay * 2, max_delay);
  int64_t hi = delay.count();
  int64_t lo = hi / 2;
  int64_t span = hi - lo + 1;
  int64_t jittered = lo;
  if (span > 1) {
    uint32_t bound = span > int64_t{UINT32_MAX} ? UINT32_MAX : static_cast<uint32_t>(span);
    jittered = lo + random.uniform(bound);
  }
  seconds out(jittered);
  if (retry_after && *retry_after > out) out = *retry_after;
  return out;
}

Dispatcher::Dispatcher(incidents::OutboxStore& store, const Clock& clock, RandomSource& random,
                       std::map<std::string, Output*> outputs, RetryPolicy policy)
    : store_(store),
      clock_(clock),
      random_(random),
      outputs_(std::move(outputs)),
      policy_(policy) {}

Result<DispatchReport> Dispatcher::runOnce() {
  const TimePoint now = clock_.now();
  HT_ASSIGN_OR_RETURN(std::vector<incidents::OutboxItem> due, store_.dueOutbox(now, 1000));
  if (due.empty()) return DispatchReport{};
  // Pending items that are not due yet still hold back later items of their incident.
  HT_ASSIGN_OR_RETURN(std::vector<incidents::OutboxItem> pending,
                      store_.listOutbox(incidents::OutboxState::kPending));
  std::map<std::pair<std::string, std::string>, std::vector<int64_t>> pending_ids;
  for (const auto& p : pending) pending_ids[{p.output, p.incident_id}].push_back(p.id);

  DispatchReport report;
  std::mutex mu;  // guards report, first_error and random_
  Status first_error;

  std::map<std::string, std::vector<incidents::OutboxItem>> by_output;
  for (auto& item : due) by_output[item.output].push_back(std::move(item));

  // Response actions travel through the outbox as "action:NAME"; their entries say what ran and
  // keep its output.
  auto timelineEntry = [&](const incidents::OutboxItem& item, std::string text) {
    incidents::IncidentEvent e;
    e.incident_id = item.incident_id;
    e.at = now;
    e.kind = startsWith(item.output, "action:") ? incidents::TimelineKind::kAction
                                                : incidents::TimelineKind::kNotified;
    e.actor = "honeytrail";
    e.text = std::move(text);
    if (!item.result.empty() || item.attempts > 0) {
      nlohmann::json details = {{"outbox_id", item.id}, {"attempts", item.attempts}};
      if (!item.result.empty()) details["output"] = item.result;
      if (!item.last_error.empty()) details["error"] = item.last_error;
      e.details = details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    return e;
  };
  auto save = [&](const incidents::OutboxItem& item, const std::optional<incidents::IncidentEvent>& e) {
    Status st = store_.recordDelivery(item, e);
    if (!st.isOk()) {
      std::lock_guard lock(mu);
      if (first_error.isOk()) {
        first_error = st.withContext("saving delivery " + std::to_string(item.id));
      }
      return false;
    }
    return true;
  };

  std::vector<std::thread> threads;
  for (auto& [name, items] : by_output) {
    auto found = outputs_.find(name);
    if (found == outputs_.end() || found->second == nullptr) {
      for (incidents::OutboxItem& item : items) {
        item.state = incidents::OutboxState::kDead;
        item.last_error = "output " + name + " is not configured";
        if (save(item, timelineEntry(item, "gave up on " + name + ": " + item.last_error))) {
          std::lock_guard lock(mu);  // threads of other outputs may be running already
          ++report.unknown_output;
          ++report.dead;
        }
      }
      continue;
    }
    Output* output = found->second;
    threads.emplace_back([&, output, output_name = name, work = &items]() {
      std::set<int64_t> settled;  // delivered in this pass
      for (incidents::OutboxItem& item : *work) {
        // Earlier pending items of the same incident must all have gone out in this pass.
        auto ids = pending_ids.find({output_name, item.incident_id});
        bool blocked = ids != pending_ids.end() &&
                       std::any_of(ids->second.begin(), ids->second.end(), [&](int64_t id) {
                         return id < item.id && settled.count(id) == 0;
                       });
        if (blocked) continue;
        Result<bool> claimed = store_.claimOutboxItem(item.id, now, now + policy_.lease);
        if (!claimed.hasValue()) {
          std::lock_guard lock(mu);
          if (first_error.isOk()) first_error = claimed.status();
          break;
        }
        if (!*claimed) continue;  // another process has it

        DeliveryResult r = output->deliver(item);
        ++item.attempts;
        item.result = r.output;
        const bool action = startsWith(output_name, "action:");
        if (r.ok) {
          item.state = incidents::OutboxState::kSent;
          item.sent_at = now;
          item.last_error.clear();
          const std::string kind = incidents::announcementKindName(item.kind);
          std::string text = action ? "ran " + output_name.substr(7) + " (" + kind + ")"
                                    : "sent to " + output_name + " (" + kind + ")";
          // A short answer worth seeing at a glance ("SEC-12 created"); long output stays in
          // the entry's details.
          if (!action && !r.output.empty() && r.output.size() <= 80 &&
              r.output.find('\n') == std::string::npos) {
            text += ": " + r.output;
          }
          if (save(item, timelineEntry(item, std::move(text)))) {
            settled.insert(item.id);
            std::lock_guard lock(mu);
            ++report.delivered;
          }
          continue;
        }
        item.last_error = r.error.empty() ? "HTTP " + std::to_string(r.http_status) : r.error;
        const bool too_old = now - item.created_at > policy_.max_age;
        if (!r.retryable || too_old) {
          item.state = incidents::OutboxState::kDead;
          std::string text = action
                                 ? "action " + output_name.substr(7) + " failed: " + item.last_error
                                 : "gave up on " + output_name + " after " +
                                       plural(item.attempts, "attempt") + ": " + item.last_error;
          if (save(item, timelineEntry(item, std::move(text)))) {
            std::lock_guard lock(mu);
            ++report.dead;
          }
          continue;
        }
        {
          std::lock_guard lock(mu);
          item.next_attempt_at = now + nextDelay(policy_, item.attempts, r.retry_after, random_);
        }
        if (save(item, std::nullopt)) {
          std::lock_guard lock(mu);
          ++report.retried;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  if (!first_error.isOk()) return first_error;
  return report;
}

}  // namespace ht::alert
