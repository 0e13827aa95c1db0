#include "alert/approvals.h"

#include <nlohmann/json.hpp>

#include "alert/actions.h"
#include "core/strings.h"

namespace ht::alert {
namespace {

// The prefix actions.cpp gives every action's outbox output name.
const std::string kActionPrefix = actionOutputName("");

}  // namespace

bool isAction(const incidents::OutboxItem& item) { return startsWith(item.output, kActionPrefix); }

std::string actionName(const incidents::OutboxItem& item) {
  return isAction(item) ? item.output.substr(kActionPrefix.size()) : item.output;
}

Result<incidents::OutboxItem> decideAction(incidents::OutboxStore& store, const Clock& clock, int64_t id,
                                       bool approve, const std::string& actor,
                                       const std::string& note) {
  HT_ASSIGN_OR_RETURN(std::optional<incidents::OutboxItem> found, store.getOutboxItem(id));
  if (!found || !isAction(*found)) {
    return Status::notFound("no response action " + std::to_string(id) +
                            " in the outbox (see honeytrail alert list --state approval)");
  }
  incidents::OutboxItem item = std::move(*found);
  if (item.state != incidents::OutboxState::kApproval) {
    return Status::failedPrecondition("action " + std::to_string(id) + " is " +
                                      incidents::outboxStateName(item.state) +
                                      ", not waiting for approval");
  }
  const std::string decision = approve ? "approved" : "rejected";
  TimePoint now = clock.now();
  item.state = approve ? incidents::OutboxState::kPending : incidents::OutboxState::kRejected;
  item.next_attempt_at = now;
  incidents::IncidentEvent e;
  e.incident_id = item.incident_id;
  e.at = now;
  e.kind = incidents::TimelineKind::kAction;
  e.actor = actor;
  e.text = decision + " action " + actionName(item) + (note.empty() ? "" : ": " + note);
  e.details = nlohmann::json{{"outbox_id", id}, {"decision", decision}}.dump();
  HT_RETURN_IF_ERROR(store.recordDelivery(item, e));
  return item;
}

}  // namespace ht::alert
