// Incidents: the triggers of one token grouped while they keep coming (a window after the last
// one), with the behaviour seen so far, so that what is new is announced (the first write call,
// the first data access, a new source IP or region, an exposure) and what repeats is not.
// Every change is saved with its timeline entries and the notifications it causes in one
// transaction (IncidentStore::saveIncident).
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/random.h"
#include "core/clock.h"
#include "detect/trigger_store.h"
#include "incidents/incident_store.h"

namespace ht::incidents {

struct IncidentOptions {
  std::chrono::minutes window{60};  // a trigger later than this after the last starts a new one
};

// What a trigger did to its incident.
struct IncidentUpdate {
  incidents::Incident incident;
  bool opened = false;                   // a new incident
  std::vector<std::string> escalations;  // what is new ("first write call: s3:PutObject")
  bool announce() const { return opened || !escalations.empty(); }
};

// What an incident change causes: notifications and response actions for the outbox, and
// timeline entries for what was deliberately not sent (a quiet rule, a throttle).
struct Announcement {
  std::vector<incidents::OutboxItem> items;
  std::vector<incidents::IncidentEvent> events;
};

// Builds the announcement of an incident change (new, escalation, resolved); it is saved with the
// change. trigger is the trigger that caused it (nullptr for resolved). An empty announcement (no
// routes match) means nothing is sent.
using Notifier = std::function<Result<Announcement>(
    const incidents::Incident& incident, AnnouncementKind kind, const std::string& what_is_new,
    const detect::TriggerRecord* trigger)>;

// Severity of one trigger: exposure and real uses are high, a write or privilege change is
// critical, a mere mention (touched) is low.
Severity triggerSeverity(const detect::TriggerRecord& t);

// Legal state changes: open → acknowledged → confirmed | false-positive → resolved (steps may be
// skipped forward; resolved and false-positive incidents take no new triggers).
bool canMoveTo(IncidentState from, IncidentState to);
bool isClosed(IncidentState state);

class IncidentManager {
 public:
  IncidentManager(IncidentStore& store, detect::TriggerStore& triggers, const Clock& clock, RandomSource& random,
                  IncidentOptions options, Notifier notifier = nullptr);

  // Groups a stored trigger into its token's incident (opening one when needed). Thread-safe.
  Result<IncidentUpdate> onTrigger(const detect::TriggerRecord& trigger);

  // Groups every stored trigger that no incident holds yet, oldest event first: what a crash left
  // between the two writes, or what a batch (`ingest`) stored before grouping it in event order.
  // Returns how many were grouped; *opened (when given) gets how many incidents were opened.
  Result<size_t> catchUp(size_t* opened = nullptr);

  // State change by a person (or the API), with an optional note, on the timeline.
  Result<incidents::Incident> setState(const std::string& incident_id, IncidentState state,
                                       const std::string& actor, const std::string& note = "");
  Status addNote(const std::string& incident_id, const std::string& actor, const std::string& text);

 private:
  std::string newIncidentId();
  IncidentStore& store_;
  detect::TriggerStore& triggers_;
  const Clock& clock_;
  RandomSource& random_;
  IncidentOptions options_;
  Notifier notifier_;
  // Triggers arrive from several sources' threads; an incident is read, changed and saved whole.
  std::mutex mu_;
};

}  // namespace ht::incidents
