#include "app/json_views.h"

namespace ht::app {

using nlohmann::json;

namespace {

// A JSON string kept in a column (details, seen): parsed so that it nests; text that is not JSON
// becomes a discarded value, as it always has.
json parseStored(const std::string& text) { return json::parse(text, nullptr, false); }

}  // namespace

json tokenToJson(const tokens::Token& t) {
  json j = {
      {"id", t.id},
      {"key_id", t.key_id},
      {"backend", t.backend},
      {"can_trigger", t.can_trigger},
      {"account_id", t.account_id.empty() ? json(nullptr) : json(t.account_id)},
      {"user_name", t.user_name},
      {"user_path", t.user_path},
      {"user_arn", t.user_arn},
      {"principal_id", t.principal_id},
      {"label", t.label},
      {"tags", t.tags},
      {"status", tokens::tokenStatusName(t.status)},
      {"secret", tokens::secretStateName(t.secret_state)},
      {"created_at", formatTime(t.created_at)},
      {"key_created_at", formatTime(t.key_created_at)},
  };
  j["revoked_at"] = t.revoked_at ? json(formatTime(*t.revoked_at)) : json(nullptr);
  if (t.revoked_at) j["revoke_reason"] = t.revoke_reason;
  return j;
}

json placementToJson(const tokens::Placement& p) {
  return {{"id", p.id},
          {"token_id", p.token_id},
          {"host", p.host},
          {"location", p.location},
          {"kind", p.kind},
          {"owner", p.owner},
          {"notes", p.notes},
          {"tags", p.tags},
          {"created_at", formatTime(p.created_at)}};
}

json custodyToJson(const tokens::CustodyEvent& e) {
  return {{"id", e.id},
          {"token_id", e.token_id},
          {"placement_id", e.placement_id ? json(*e.placement_id) : json(nullptr)},
          {"holder", e.holder},
          {"method", e.method},
          {"at", formatTime(e.at)},
          {"notes", e.notes}};
}

json auditEntryToJson(const tokens::AuditEntry& a) {
  json details = parseStored(a.details);
  if (details.is_discarded()) details = a.details;
  return {{"id", a.id},         {"at", formatTime(a.at)},       {"actor", a.actor},
          {"action", a.action}, {"object_type", a.object_type}, {"object_id", a.object_id},
          {"details", details}};
}

json findingToJson(const tokens::Finding& f) {
  return {{"token_id", f.token_id}, {"key_id", f.key_id},
          {"code", f.code},         {"severity", severityName(f.severity)},
          {"message", f.message},   {"fix", f.fix}};
}

json placedTokenToJson(const tokens::Token& t, const std::vector<tokens::Placement>& placements) {
  json j = tokenToJson(t);
  j["placements"] = json::array();
  for (const auto& p : placements) j["placements"].push_back(placementToJson(p));
  return j;
}

json tokenDetailToJson(const tokens::Token& t, const std::vector<tokens::Placement>& placements,
                       const std::vector<tokens::CustodyEvent>& custody) {
  json j = placedTokenToJson(t, placements);
  j["custody"] = json::array();
  for (const auto& c : custody) j["custody"].push_back(custodyToJson(c));
  return j;
}

json verifyResultToJson(const tokens::VerifyResult& v) {
  return {{"token_id", v.token_id}, {"key_id", v.key_id},  {"user_name", v.user_name}, {"ok", v.ok},
          {"drift", v.drift},       {"details", v.details}};
}

json keyIdInfoToJson(const std::string& key_id, const aws::KeyIdInfo& info,
                     const std::string& canary_list) {
  json j = {{"key_id", key_id},
            {"valid", info.valid_format},
            {"prefix", info.prefix},
            {"kind", info.kind}};
  if (!info.valid_format) j["error"] = info.format_error;
  j["account_id"] = info.account_id ? json(*info.account_id) : json(nullptr);
  if (!info.account_id) j["account_note"] = info.account_note;
  j["known_canary_account"] = !canary_list.empty();
  if (!canary_list.empty()) j["canary_list"] = canary_list;
  return j;
}

json triggerToJson(const detect::TriggerRecord& t, const std::string& key_id) {
  json j = {{"event_id", t.event_id},
            {"key_id", key_id},
            {"token_id", t.token_id},
            {"trigger_class", detect::triggerClassName(t.trigger_class)},
            {"event_time", t.event_time ? json(formatTime(*t.event_time)) : json(nullptr)},
            {"event_source", t.event_source},
            {"event_name", t.event_name},
            {"aws_region", t.aws_region},
            {"source_ip", t.source_ip},
            {"user_agent", t.user_agent},
            {"error_code", t.error_code},
            {"recipient_account_id", t.recipient_account_id},
            {"read_only", t.read_only ? json(*t.read_only) : json(nullptr)},
            {"client", t.client},
            {"intent", t.intent},
            {"matched_on", t.matched_on},
            {"source", t.source}};
  // Present only when known: a missing enrichment file must not look like "not Tor".
  if (!t.source_country.empty()) j["source_country"] = t.source_country;
  if (t.source_asn) j["source_asn"] = *t.source_asn;
  if (!t.source_as_org.empty()) j["source_as_org"] = t.source_as_org;
  if (t.source_tor) j["source_tor"] = *t.source_tor;
  if (!t.service.empty()) j["service"] = t.service;
  return j;
}

json foundEventToJson(const detect::FoundEvent& f) {
  const detect::CloudTrailEvent& e = f.event;
  json matches = json::array();
  for (const auto& m : f.matches) {
    matches.push_back({{"key_id", m.token->key_id},
                       {"token_id", m.token->id},
                       {"trigger_class", detect::triggerClassName(m.trigger_class)},
                       {"matched_on", m.matched_on}});
  }
  return {{"event_id", e.event_id},
          {"file", f.source},
          {"index", f.index},
          {"offset", f.offset},
          {"event_time", e.event_time},
          {"event_source", e.event_source},
          {"event_name", e.event_name},
          {"aws_region", e.aws_region},
          {"source_ip", e.source_ip},
          {"user_agent", e.user_agent},
          {"error_code", e.error_code},
          {"client", f.classification.client},
          {"intent", f.classification.intent},
          {"matches", matches}};
}

json lastUsedToJson(const detect::LastUsedTrigger& t) {
  return {{"source", "last-used"},
          {"token_id", t.token_id},
          {"key_id", t.key_id},
          {"last_used_at", formatTime(t.last_used_at)},
          {"service", t.service},
          {"region", t.region},
          {"previous", t.previous ? json(formatTime(*t.previous)) : json(nullptr)}};
}

json incidentToJson(const incidents::Incident& i) {
  return {{"id", i.id},
          {"token_id", i.token_id},
          {"state", incidents::incidentStateName(i.state)},
          {"severity", severityName(i.severity)},
          {"title", i.title},
          {"opened_at", formatTime(i.opened_at)},
          {"first_seen", formatTime(i.first_seen)},
          {"last_seen", formatTime(i.last_seen)},
          {"trigger_count", i.trigger_count},
          {"seen", parseStored(i.seen)},
          {"updated_at", formatTime(i.updated_at)}};
}

json timelineEntryToJson(const incidents::TimelineEntry& e) {
  return {{"at", formatTime(e.event.at)},
          {"kind", incidents::timelineKindName(e.event.kind)},
          {"actor", e.event.actor},
          {"text", e.event.text},
          {"details", e.hop ? custodyToJson(*e.hop) : parseStored(e.event.details)}};
}

json incidentDetailToJson(const incidents::IncidentDetail& d) {
  json j = incidentToJson(d.incident);
  j["key_id"] = d.token.key_id;
  j["token_label"] = d.token.label;
  // Everything that may be compromised: where it lives and every hop on the way there.
  j["placements"] = json::array();
  for (const auto& p : d.placements) j["placements"].push_back(placementToJson(p));
  j["custody"] = json::array();
  for (const auto& h : d.custody) j["custody"].push_back(custodyToJson(h));
  j["timeline"] = json::array();
  for (const auto& e : d.timeline) j["timeline"].push_back(timelineEntryToJson(e));
  return j;
}

json outboxItemToJson(const incidents::OutboxItem& o) {
  json j = {{"id", o.id},
            {"incident_id", o.incident_id},
            {"output", o.output},
            {"kind", incidents::announcementKindName(o.kind)},
            {"route", o.route},
            {"state", incidents::outboxStateName(o.state)},
            {"attempts", o.attempts},
            {"created_at", formatTime(o.created_at)},
            {"next_attempt_at", formatTime(o.next_attempt_at)},
            {"last_error", o.last_error}};
  if (o.sent_at) j["sent_at"] = formatTime(*o.sent_at);
  if (!o.result.empty()) j["result"] = o.result;
  return j;
}

}  // namespace ht::app
