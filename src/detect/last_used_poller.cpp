#include "detect/last_used_poller.h"

namespace ht::detect {

LastUsedPoller::LastUsedPoller(tokens::Registry& registry, TriggerStore& state, aws::IamClient& iam,
                               const Clock& clock)
    : registry_(registry), state_(state), iam_(iam), clock_(clock) {}

Result<PollReport> LastUsedPoller::pollOnce(
    const std::function<Status(const LastUsedTrigger&)>& on_trigger) {
  tokens::TokenFilter active;
  active.status = tokens::TokenStatus::kActive;
  HT_ASSIGN_OR_RETURN(auto toks, registry_.list(active));
  PollReport report;
  for (const auto& t : toks) {
    if (!t.can_trigger) continue;  // synthetic keys: AWS has never heard of them
    ++report.checked;
    auto used = iam_.getAccessKeyLastUsed(t.key_id);
    if (!used.hasValue()) {
      ++report.errors;
      report.error_messages.push_back(t.id + ": " + used.status().message());
      continue;
    }
    HT_ASSIGN_OR_RETURN(auto previous, state_.getLastUsed(t.id));
    detect::LastUsedState next;
    next.token_id = t.id;
    next.last_used_at = used->last_used_date;
    next.service = used->service_name;
    next.region = used->region;
    next.checked_at = clock_.now();
    std::optional<TimePoint> seen = previous ? previous->last_used_at : std::nullopt;
    if (used->last_used_date && (!seen || *used->last_used_date > *seen)) {
      LastUsedTrigger trigger{t.id, t.key_id, *used->last_used_date, used->service_name,
                              used->region, seen};
      if (on_trigger) {
        Status st = on_trigger(trigger);
        if (!st.isOk()) {
          ++report.errors;
          report.error_messages.push_back(t.id + ": " + st.message());
          continue;
        }
      }
      report.triggers.push_back(std::move(trigger));
    }
    // Saved after the trigger is in the report: a crash before this line reports it again
    // rather than never.
    HT_RETURN_IF_ERROR(state_.putLastUsed(next));
  }
  return report;
}

}  // namespace ht::detect
