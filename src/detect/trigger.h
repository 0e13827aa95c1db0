// From a found event to the trigger that is stored: one per match, with the classification and
// the local enrichment of the source IP.
#pragma once

#include "core/clock.h"
#include "detect/enrich.h"
#include "detect/last_used_poller.h"
#include "detect/scanner.h"
#include "detect/trigger_store.h"

namespace ht::detect {

detect::TriggerRecord makeTrigger(const FoundEvent& found, const Match& match,
                                 const Enricher* enricher, TimePoint now);

// The trigger for a use the safety net found (GetAccessKeyLastUsed): one per reported use time
// (AWS reports at most the latest per poll), with the service and region AWS recorded.
detect::TriggerRecord makeLastUsedTrigger(const LastUsedTrigger& use, TimePoint now);

}  // namespace ht::detect
