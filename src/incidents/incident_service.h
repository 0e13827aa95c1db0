// Reading an incident whole: the token it is about, everything that may be compromised (its
// placements and every hop of its chain of custody) and one timeline, in time order, that holds
// the stored entries (triggers, state changes, notes, notifications, actions) and the custody hops.
// What `incident show` prints and what the REST API will serve. State changes and notes are
// IncidentManager's (incidents/incidents.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "incidents/incident_store.h"
#include "tokens/token_store.h"
#include "tokens/model.h"

namespace ht::incidents {

// One entry of the merged timeline. A custody hop is not stored on the incident: it is shown as
// an entry of kind "custody" whose actor is the holder and whose text is "METHOD[: NOTES]", with
// the hop itself in `hop` (its JSON view is the entry's details).
struct TimelineEntry {
  IncidentEvent event;
  std::optional<tokens::CustodyEvent> hop;
};

struct IncidentDetail {
  Incident incident;
  tokens::Token token;
  std::vector<tokens::Placement> placements;
  std::vector<tokens::CustodyEvent> custody;  // oldest first
  // Stored entries and custody hops, oldest first; entries at the same second keep the stored
  // order, custody hops after them.
  std::vector<TimelineEntry> timeline;
};

// NotFound "no incident ID" for an ID the store does not hold.
Result<IncidentDetail> showIncident(IncidentStore& store, tokens::TokenStore& tokens,
                                     const std::string& incident_id);

}  // namespace ht::incidents
