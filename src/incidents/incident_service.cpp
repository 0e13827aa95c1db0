#include "incidents/incident_service.h"

#include <algorithm>

namespace ht::incidents {

Result<IncidentDetail> showIncident(IncidentStore& store, tokens::TokenStore& tokens,
                                     const std::string& incident_id) {
  HT_ASSIGN_OR_RETURN(std::optional<Incident> found, store.getIncident(incident_id));
  if (!found) return Status::notFound("no incident " + incident_id);
  IncidentDetail d;
  d.incident = std::move(*found);
  HT_ASSIGN_OR_RETURN(d.token, tokens.findToken(d.incident.token_id));
  HT_ASSIGN_OR_RETURN(d.placements, tokens.listPlacements(d.token.id));
  HT_ASSIGN_OR_RETURN(d.custody, tokens.listCustody(d.incident.token_id));
  HT_ASSIGN_OR_RETURN(std::vector<IncidentEvent> stored,
                      store.incidentTimeline(d.incident.id));
  for (auto& e : stored) d.timeline.push_back({std::move(e), std::nullopt});
  // The chain of custody belongs on the timeline too: every hop the token took before (and
  // after) it was used, in one order with the triggers, notifications and actions.
  for (const auto& h : d.custody) {
    IncidentEvent e;
    e.incident_id = d.incident.id;
    e.at = h.at;
    e.kind = TimelineKind::kCustody;
    e.actor = h.holder;
    e.text = h.method + (h.notes.empty() ? "" : ": " + h.notes);
    d.timeline.push_back({std::move(e), h});
  }
  std::stable_sort(
      d.timeline.begin(), d.timeline.end(),
      [](const TimelineEntry& a, const TimelineEntry& b) { return a.event.at < b.event.at; });
  return d;
}

}  // namespace ht::incidents
