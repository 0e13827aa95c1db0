// Approval of response actions: an action whose mode is "approval" waits in the outbox in state
// "approval" until a person decides. Approving makes it pending (the next delivery runs it once);
// rejecting closes it. The decision and its timeline entry are saved in one transaction, so the
// incident always says who let an action run, or stopped it, and why.
#pragma once

#include <cstdint>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "incidents/incident_store.h"

namespace ht::alert {

// Whether an outbox item is a response action ("action:NAME"), and NAME.
bool isAction(const incidents::OutboxItem& item);
std::string actionName(const incidents::OutboxItem& item);

// Moves action `id` from "approval" to "pending" (due now) or "rejected", with a timeline entry
// of kind "action" by actor: "approved action NAME[: NOTE]" or "rejected action NAME[: NOTE]".
// Returns the item as saved. NotFound when id is not an action in the outbox;
// FailedPrecondition when it is not waiting for approval (already decided, ran, dry-run).
Result<incidents::OutboxItem> decideAction(incidents::OutboxStore& store, const Clock& clock, int64_t id,
                                       bool approve, const std::string& actor,
                                       const std::string& note);

}  // namespace ht::alert
