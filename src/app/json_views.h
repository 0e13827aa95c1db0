// The JSON form of every record a front end shows: the CLI's `--output json` today, the REST API
// next. One function per record type, so that both emit the same fields under the same names;
// adding a field here adds it everywhere.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "incidents/incident_service.h"
#include "aws/key_id.h"
#include "detect/last_used_poller.h"
#include "detect/scanner.h"
#include "store/store.h"
#include "tokens/audit.h"
#include "tokens/model.h"
#include "tokens/verify.h"

namespace ht::app {

// The token registry.
nlohmann::json tokenToJson(const tokens::Token& t);
nlohmann::json placementToJson(const tokens::Placement& p);
nlohmann::json custodyToJson(const tokens::CustodyEvent& e);
nlohmann::json auditEntryToJson(const tokens::AuditEntry& a);
nlohmann::json findingToJson(const tokens::Finding& f);
// A token with its placements (`token list`) and, in full, with its chain of custody too.
nlohmann::json placedTokenToJson(const tokens::Token& t,
                                 const std::vector<tokens::Placement>& placements);
nlohmann::json tokenDetailToJson(const tokens::Token& t,
                                 const std::vector<tokens::Placement>& placements,
                                 const std::vector<tokens::CustodyEvent>& custody);
nlohmann::json verifyResultToJson(const tokens::VerifyResult& v);
// An offline look at a key ID; canary_list is the known canary list holding its account ("" =
// none).
nlohmann::json keyIdInfoToJson(const std::string& key_id, const aws::KeyIdInfo& info,
                               const std::string& canary_list);

// Detection. key_id is the trigger's token's key (a stored trigger knows only the token ID).
nlohmann::json triggerToJson(const detect::TriggerRecord& t, const std::string& key_id);
// An event `hunt` found, with every token it matched.
nlohmann::json foundEventToJson(const detect::FoundEvent& f);
// A use the last-used safety net saw.
nlohmann::json lastUsedToJson(const detect::LastUsedTrigger& t);

// Incidents and alerts.
nlohmann::json incidentToJson(const incidents::Incident& i);
nlohmann::json timelineEntryToJson(const incidents::TimelineEntry& e);
// The incident with its token, everything that may be compromised, and the merged timeline.
nlohmann::json incidentDetailToJson(const incidents::IncidentDetail& d);
nlohmann::json outboxItemToJson(const incidents::OutboxItem& o);

}  // namespace ht::app
