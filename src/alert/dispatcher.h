// Durable alert delivery. Notifications are written to the outbox with the incident change that
// causes them (store::Store::saveIncident); the dispatcher then delivers them, retrying with
// exponential backoff and jitter (honouring Retry-After) until they succeed or age out into a
// visible dead-letter state. Each attempt's outcome is saved with a timeline entry. Each output
// is served by a thread of its own, so one slow or broken output never delays the others; within
// one output, the notifications of one incident go out in the order they were written.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/http.h"
#include "core/random.h"
#include "core/clock.h"
#include "incidents/incident_store.h"

namespace ht::alert {

struct DeliveryResult {
  bool ok = false;
  bool retryable = true;  // false: permanent (a 4xx other than 408/429): dead at once
  std::optional<std::chrono::seconds>
      retry_after;  // the receiver's Retry-After on a retryable status
  int http_status = 0;
  std::string error;   // for the timeline; never contains secrets (URLs are shown without query)
  std::string output;  // what a response action printed or answered (kept on the timeline)
};

// One configured destination. deliver() makes one attempt; it must return within its own
// timeout. Implementations are used from one dispatcher thread at a time.
class Output {
 public:
  virtual ~Output() = default;
  virtual DeliveryResult deliver(const incidents::OutboxItem& item) = 0;
};

// Whether host (a name or an address) is, or resolves to, a private, loopback, link-local,
// unique-local or unspecified address. "" when it is public, otherwise the reason.
std::string privateAddressReason(const std::string& host);

struct RetryPolicy {
  std::chrono::seconds first_delay{5};
  std::chrono::seconds max_delay{900};
  std::chrono::hours max_age{24};  // older than this after creation: dead letter
  // How long an item taken for an attempt stays taken: longer than any one attempt can last, so
  // that two processes never send it at once, and a crash mid-attempt is retried after it.
  std::chrono::seconds lease{90};
};

// When the next attempt should be: first_delay * 2^(attempts-1), capped at max_delay, with full
// jitter in [delay/2, delay]; a larger Retry-After wins.
std::chrono::seconds nextDelay(const RetryPolicy& policy, int attempts,
                               std::optional<std::chrono::seconds> retry_after,
                               RandomSource& random);

struct DispatchReport {
  int delivered = 0;
  int retried = 0;
  int dead = 0;
  int unknown_output = 0;  // items whose output is no longer configured (dead, with a reason)
};

class Dispatcher {
 public:
  // outputs: name -> output (owned by the caller, alive as long as the dispatcher).
  Dispatcher(incidents::OutboxStore& store, const Clock& clock, RandomSource& random,
             std::map<std::string, Output*> outputs, RetryPolicy policy = {});

  // Delivers every item due now, one thread per output, and returns when all have finished
  // their attempt. Items of one incident and output are attempted in ID order, and a later one
  // waits while an earlier one is still pending.
  Result<DispatchReport> runOnce();

 private:
  incidents::OutboxStore& store_;
  const Clock& clock_;
  RandomSource& random_;
  std::map<std::string, Output*> outputs_;
  RetryPolicy policy_;
};

}  // namespace ht::alert
