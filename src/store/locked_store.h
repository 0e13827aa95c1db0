// A Store that many threads may call at once: every call holds one mutex while it runs on the
// wrapped store. `serve` shares one database connection between its sources, the push
// endpoint's connection threads and the alert dispatcher; a SQLite connection runs one
// transaction at a time, so two threads' BEGIN...COMMIT must never interleave on it.
#pragma once

#include <memory>
#include <mutex>

#include "store/store.h"

namespace ht::store {

class LockedStore final : public Store {
 public:
  explicit LockedStore(Store& inner) : inner_(inner) {}

#define HT_LOCKED(call)      \
  std::lock_guard lock(mu_); \
  return inner_.call

  Result<int> schemaVersion() override { HT_LOCKED(schemaVersion()); }
  Status createToken(const tokens::Token& token, const std::optional<SealedSecret>& secret,
                     const tokens::AuditEntry& audit) override {
    HT_LOCKED(createToken(token, secret, audit));
  }
  Result<tokens::Token> findToken(const std::string& id_or_key_id) override {
    HT_LOCKED(findToken(id_or_key_id));
  }
  Result<std::vector<tokens::Token>> listTokens(const TokenFilter& filter) override {
    HT_LOCKED(listTokens(filter));
  }
  Result<std::optional<SealedSecret>> loadSecret(const std::string& token_id) override {
    HT_LOCKED(loadSecret(token_id));
  }
  Status forgetSecret(const std::string& token_id, const tokens::AuditEntry& audit) override {
    HT_LOCKED(forgetSecret(token_id, audit));
  }
  Status revokeToken(const std::string& token_id, TimePoint at, const std::string& reason,
                     const tokens::AuditEntry& audit) override {
    HT_LOCKED(revokeToken(token_id, at, reason, audit));
  }
  Result<int64_t> addPlacement(const tokens::Placement& placement,
                               tokens::AuditEntry audit) override {
    HT_LOCKED(addPlacement(placement, std::move(audit)));
  }
  Result<std::vector<tokens::Placement>> listPlacements(
      const std::optional<std::string>& token_id) override {
    HT_LOCKED(listPlacements(token_id));
  }
  Result<int64_t> addCustody(const tokens::CustodyEvent& event, tokens::AuditEntry audit) override {
    HT_LOCKED(addCustody(event, std::move(audit)));
  }
  Result<std::vector<tokens::CustodyEvent>> listCustody(const std::string& token_id) override {
    HT_LOCKED(listCustody(token_id));
  }
  Status appendAudit(const tokens::AuditEntry& audit) override { HT_LOCKED(appendAudit(audit)); }
  Result<std::vector<tokens::AuditEntry>> listAudit(int limit) override {
    HT_LOCKED(listAudit(limit));
  }
  Result<std::optional<LastUsedState>> getLastUsed(const std::string& token_id) override {
    HT_LOCKED(getLastUsed(token_id));
  }
  Status putLastUsed(const LastUsedState& state) override { HT_LOCKED(putLastUsed(state)); }
  Result<bool> addTrigger(const TriggerRecord& trigger) override { HT_LOCKED(addTrigger(trigger)); }
  Result<std::vector<TriggerRecord>> listTriggers(const TriggerFilter& filter) override {
    HT_LOCKED(listTriggers(filter));
  }
  Result<int64_t> registryVersion() override { HT_LOCKED(registryVersion()); }
  Result<std::optional<std::string>> getCheckpoint(const std::string& source,
                                                   const std::string& position) override {
    HT_LOCKED(getCheckpoint(source, position));
  }
  Status putCheckpoint(const std::string& source, const std::string& position,
                       const std::string& value, TimePoint at) override {
    HT_LOCKED(putCheckpoint(source, position, value, at));
  }
  Result<bool> objectRead(const std::string& object) override { HT_LOCKED(objectRead(object)); }
  Status markObjectRead(const std::string& object, const std::string& source, TimePoint at,
                        uint64_t records, uint64_t triggers) override {
    HT_LOCKED(markObjectRead(object, source, at, records, triggers));
  }
  Result<int64_t> pruneObjectsRead(TimePoint before) override {
    HT_LOCKED(pruneObjectsRead(before));
  }
  Status putSourceHealth(const SourceHealth& health) override {
    HT_LOCKED(putSourceHealth(health));
  }
  Result<std::vector<SourceHealth>> listSourceHealth() override { HT_LOCKED(listSourceHealth()); }
  Result<std::optional<Incident>> latestIncidentFor(const std::string& token_id) override {
    HT_LOCKED(latestIncidentFor(token_id));
  }
  Result<std::optional<Incident>> getIncident(const std::string& id) override {
    HT_LOCKED(getIncident(id));
  }
  Result<std::vector<Incident>> listIncidents(const IncidentFilter& filter) override {
    HT_LOCKED(listIncidents(filter));
  }
  Status saveIncident(const Incident& incident, const std::vector<IncidentEvent>& events,
                      const std::vector<int64_t>& trigger_ids,
                      const std::vector<OutboxItem>& notifications) override {
    HT_LOCKED(saveIncident(incident, events, trigger_ids, notifications));
  }
  Result<std::vector<IncidentEvent>> incidentTimeline(const std::string& id) override {
    HT_LOCKED(incidentTimeline(id));
  }
  Result<std::vector<OutboxItem>> dueOutbox(TimePoint now, int limit) override {
    HT_LOCKED(dueOutbox(now, limit));
  }
  Result<std::vector<OutboxItem>> listOutbox(
      const std::optional<incidents::OutboxState>& state) override {
    HT_LOCKED(listOutbox(state));
  }
  Status recordDelivery(const OutboxItem& item,
                        const std::optional<IncidentEvent>& timeline_entry) override {
    HT_LOCKED(recordDelivery(item, timeline_entry));
  }
  Result<std::optional<OutboxItem>> getOutboxItem(int64_t id) override {
    HT_LOCKED(getOutboxItem(id));
  }
  Result<std::vector<OutboxItem>> incidentOutbox(const std::string& incident_id) override {
    HT_LOCKED(incidentOutbox(incident_id));
  }
  Result<bool> claimOutboxItem(int64_t id, TimePoint now, TimePoint lease_until) override {
    HT_LOCKED(claimOutboxItem(id, now, lease_until));
  }
  Result<int64_t> countRouteAnnouncements(const std::string& route, TimePoint since) override {
    HT_LOCKED(countRouteAnnouncements(route, since));
  }
  Result<std::optional<int64_t>> triggerId(const std::string& event_id, const std::string& token_id,
                                           detect::TriggerClass trigger_class) override {
    HT_LOCKED(triggerId(event_id, token_id, trigger_class));
  }
  Result<std::optional<std::string>> getSetting(const std::string& key) override {
    HT_LOCKED(getSetting(key));
  }
  Result<std::string> setSettingIfAbsent(const std::string& key,
                                         const std::string& value) override {
    HT_LOCKED(setSettingIfAbsent(key, value));
  }

#undef HT_LOCKED

 private:
  Store& inner_;
  std::mutex mu_;
};

}  // namespace ht::store
