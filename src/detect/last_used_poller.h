// The safety net: GetAccessKeyLastUsed for every active token. AWS records the last use of a
// key (service, region, day-level time) even for calls CloudTrail never logs, so a use newer
// than the one seen last time is a trigger however the attacker called. State lives in the
// store, so a restart neither misses nor repeats a use.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "aws/iam_client.h"
#include "core/clock.h"
#include "detect/trigger_store.h"
#include "tokens/registry.h"

namespace ht::detect {

struct LastUsedTrigger {
  std::string token_id;
  std::string key_id;
  TimePoint last_used_at{};
  std::string service;
  std::string region;
  std::optional<TimePoint> previous;  // what was seen before, if anything
};

struct PollReport {
  std::vector<LastUsedTrigger> triggers;
  int checked = 0;
  int errors = 0;
  std::vector<std::string> error_messages;  // "ht-...: IAM: AccessDenied: ..."
};

class LastUsedPoller {
 public:
  LastUsedPoller(tokens::Registry& registry, TriggerStore& state, aws::IamClient& iam,
                 const Clock& clock);
  // One pass over the active tokens that can trigger. Errors for one token are counted and do
  // not stop the pass. With on_trigger, each new use is handed over before the state that
  // hides it is saved; when on_trigger fails, the state is not saved and the use comes back on
  // the next pass, so a use is never lost between the two writes.
  Result<PollReport> pollOnce(
      const std::function<Status(const LastUsedTrigger&)>& on_trigger = nullptr);

 private:
  tokens::Registry& registry_;
  TriggerStore& state_;
  aws::IamClient& iam_;
  const Clock& clock_;
};

}  // namespace ht::detect
