// The storage interfaces of incidents and of the outbox, implemented by a back-end (store/).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "incidents/model.h"

namespace ht::incidents {

class IncidentStore {
 public:
  virtual ~IncidentStore() = default;
  // Incidents. saveIncident writes the incident, its new timeline entries, the triggers it now
  // holds and the notifications it causes in one transaction: an alert is never announced for a
  // change that was not saved, nor a change saved without its alert.
  virtual Result<std::optional<Incident>> latestIncidentFor(const std::string& token_id) = 0;
  virtual Result<std::optional<Incident>> getIncident(const std::string& id) = 0;
  virtual Result<std::vector<Incident>> listIncidents(const IncidentFilter& filter) = 0;
  virtual Status saveIncident(const Incident& incident, const std::vector<IncidentEvent>& events,
                              const std::vector<int64_t>& trigger_ids,
                              const std::vector<OutboxItem>& notifications) = 0;
  virtual Result<std::vector<IncidentEvent>> incidentTimeline(const std::string& id) = 0;
};

class OutboxStore {
 public:
  virtual ~OutboxStore() = default;
  // The outbox: notifications due for delivery (pending, next_attempt_at <= now), oldest first;
  // and the outcome of one attempt, saved with its timeline entry in one transaction.
  virtual Result<std::vector<OutboxItem>> dueOutbox(TimePoint now, int limit) = 0;
  virtual Result<std::vector<OutboxItem>> listOutbox(const std::optional<OutboxState>& state) = 0;
  virtual Status recordDelivery(const OutboxItem& item,
                                const std::optional<IncidentEvent>& timeline_entry) = 0;
  virtual Result<std::optional<OutboxItem>> getOutboxItem(int64_t id) = 0;
  // One incident's notifications and actions, oldest first.
  virtual Result<std::vector<OutboxItem>> incidentOutbox(const std::string& incident_id) = 0;
  // Takes a due item for one delivery attempt: moves its next attempt to lease_until if it is
  // still pending and due at `now`. False when another process (serve and `alert flush`) took
  // it first. An attempt cut short by a crash is retried when the lease runs out.
  virtual Result<bool> claimOutboxItem(int64_t id, TimePoint now, TimePoint lease_until) = 0;
  // How many announcements (distinct incident and kind) a route made since `since`, test
  // messages excluded: what route throttles count.
  virtual Result<int64_t> countRouteAnnouncements(const std::string& route, TimePoint since) = 0;
};

}  // namespace ht::incidents
