// A Store that fails on demand, for tests of what honeytrail does when its database does (the
// idea of LevelDB's FaultInjectionTestEnv): every call goes to a real store until a fault is
// armed; then writes (or reads too) fail with the Status the SQLite back-end gives for a full
// disk, a lock held past the busy timeout, or an I/O error, after an optional number of calls
// that still succeed. Thread-safe: the pipeline's scanner and serve's threads call it at once.
#pragma once

#include <atomic>
#include <string>

#include "store/store.h"

namespace ht::test {

class FaultStore final : public store::Store {
 public:
  enum class Fault { kNone, kDiskFull, kLockTimeout, kIoError };

  explicit FaultStore(store::Store& inner) : inner_(inner) {}

  // From now on, writes fail with `fault` once `succeed_first` more writes have gone through.
  // With reads_too, reads fail the same way (a database that cannot be opened at all).
  void arm(Fault fault, int succeed_first = 0, bool reads_too = false) {
    budget_ = succeed_first;
    reads_too_ = reads_too;
    fault_ = fault;
  }
  void heal() { fault_ = Fault::kNone; }
  // How many calls failed because of an armed fault.
  int injected() const { return injected_.load(); }

  static Status statusFor(Fault f, const std::string& what) {
    switch (f) {
      case Fault::kDiskFull:
        return Status::ioError(what + ": database or disk is full");
      case Fault::kLockTimeout:
        return Status::ioError(what + ": database is locked");
      case Fault::kIoError:
        return Status::ioError(what + ": disk I/O error");
      case Fault::kNone:
        break;
    }
    return Status::ok();
  }

#define HT_FAULT_WRITE(name, call)                  \
  if (Status st = inject(name, true); !st.isOk()) { \
    return st;                                      \
  }                                                 \
  return inner_.call
#define HT_FAULT_READ(name, call)                    \
  if (Status st = inject(name, false); !st.isOk()) { \
    return st;                                       \
  }                                                  \
  return inner_.call

  Result<int> schemaVersion() override { HT_FAULT_READ("schemaVersion", schemaVersion()); }
  Status createToken(const tokens::Token& token, const std::optional<tokens::SealedSecret>& secret,
                     const tokens::AuditEntry& audit) override {
    HT_FAULT_WRITE("createToken", createToken(token, secret, audit));
  }
  Result<tokens::Token> findToken(const std::string& id) override {
    HT_FAULT_READ("findToken", findToken(id));
  }
  Result<std::vector<tokens::Token>> listTokens(const tokens::TokenFilter& filter) override {
    HT_FAULT_READ("listTokens", listTokens(filter));
  }
  Result<std::optional<tokens::SealedSecret>> loadSecret(const std::string& token_id) override {
    HT_FAULT_READ("loadSecret", loadSecret(token_id));
  }
  Status forgetSecret(const std::string& token_id, const tokens::AuditEntry& audit) override {
    HT_FAULT_WRITE("forgetSecret", forgetSecret(token_id, audit));
  }
  Status revokeToken(const std::string& token_id, TimePoint at, const std::string& reason,
                     const tokens::AuditEntry& audit) override {
    HT_FAULT_WRITE("revokeToken", revokeToken(token_id, at, reason, audit));
  }
  Result<int64_t> addPlacement(const tokens::Placement& p, tokens::AuditEntry audit) override {
    HT_FAULT_WRITE("addPlacement", addPlacement(p, std::move(audit)));
  }
  Result<std::vector<tokens::Placement>> listPlacements(
      const std::optional<std::string>& token_id) override {
    HT_FAULT_READ("listPlacements", listPlacements(token_id));
  }
  Result<int64_t> addCustody(const tokens::CustodyEvent& e, tokens::AuditEntry audit) override {
    HT_FAULT_WRITE("addCustody", addCustody(e, std::move(audit)));
  }
  Result<std::vector<tokens::CustodyEvent>> listCustody(const std::string& token_id) override {
    HT_FAULT_READ("listCustody", listCustody(token_id));
  }
  Status appendAudit(const tokens::AuditEntry& audit) override {
    HT_FAULT_WRITE("appendAudit", appendAudit(audit));
  }
  Result<std::vector<tokens::AuditEntry>> listAudit(int limit) override {
    HT_FAULT_READ("listAudit", listAudit(limit));
  }
  Result<std::optional<detect::LastUsedState>> getLastUsed(const std::string& token_id) override {
    HT_FAULT_READ("getLastUsed", getLastUsed(token_id));
  }
  Status putLastUsed(const detect::LastUsedState& s) override {
    HT_FAULT_WRITE("putLastUsed", putLastUsed(s));
  }
  Result<bool> addTrigger(const detect::TriggerRecord& t) override {
    HT_FAULT_WRITE("addTrigger", addTrigger(t));
  }
  Result<std::vector<detect::TriggerRecord>> listTriggers(const detect::TriggerFilter& f) override {
    HT_FAULT_READ("listTriggers", listTriggers(f));
  }
  Result<int64_t> registryVersion() override { HT_FAULT_READ("registryVersion", registryVersion()); }
  Result<std::optional<std::string>> getCheckpoint(const std::string& source,
                                                   const std::string& position) override {
    HT_FAULT_READ("getCheckpoint", getCheckpoint(source, position));
  }
  Status putCheckpoint(const std::string& source, const std::string& position,
                       const std::string& value, TimePoint at) override {
    HT_FAULT_WRITE("putCheckpoint", putCheckpoint(source, position, value, at));
  }
  Result<bool> objectRead(const std::string& object) override {
    HT_FAULT_READ("objectRead", objectRead(object));
  }
  Status markObjectRead(const std::string& object, const std::string& source, TimePoint at,
                        uint64_t records, uint64_t triggers) override {
    HT_FAULT_WRITE("markObjectRead", markObjectRead(object, source, at, records, triggers));
  }
  Result<int64_t> pruneObjectsRead(TimePoint before) override {
    HT_FAULT_WRITE("pruneObjectsRead", pruneObjectsRead(before));
  }
  Status putSourceHealth(const live::SourceHealth& h) override {
    HT_FAULT_WRITE("putSourceHealth", putSourceHealth(h));
  }
  Result<std::vector<live::SourceHealth>> listSourceHealth() override {
    HT_FAULT_READ("listSourceHealth", listSourceHealth());
  }
  Result<std::optional<incidents::Incident>> latestIncidentFor(const std::string& token_id) override {
    HT_FAULT_READ("latestIncidentFor", latestIncidentFor(token_id));
  }
  Result<std::optional<incidents::Incident>> getIncident(const std::string& id) override {
    HT_FAULT_READ("getIncident", getIncident(id));
  }
  Result<std::vector<incidents::Incident>> listIncidents(const incidents::IncidentFilter& f) override {
    HT_FAULT_READ("listIncidents", listIncidents(f));
  }
  Status saveIncident(const incidents::Incident& incident,
                      const std::vector<incidents::IncidentEvent>& events,
                      const std::vector<int64_t>& trigger_ids,
                      const std::vector<incidents::OutboxItem>& notifications) override {
    HT_FAULT_WRITE("saveIncident", saveIncident(incident, events, trigger_ids, notifications));
  }
  Result<std::vector<incidents::IncidentEvent>> incidentTimeline(const std::string& id) override {
    HT_FAULT_READ("incidentTimeline", incidentTimeline(id));
  }
  Result<std::vector<incidents::OutboxItem>> dueOutbox(TimePoint now, int limit) override {
    HT_FAULT_READ("dueOutbox", dueOutbox(now, limit));
  }
  Result<std::vector<incidents::OutboxItem>> listOutbox(
      const std::optional<incidents::OutboxState>& state) override {
    HT_FAULT_READ("listOutbox", listOutbox(state));
  }
  Status recordDelivery(const incidents::OutboxItem& item,
                        const std::optional<incidents::IncidentEvent>& entry) override {
    HT_FAULT_WRITE("recordDelivery", recordDelivery(item, entry));
  }
  Result<std::optional<incidents::OutboxItem>> getOutboxItem(int64_t id) override {
    HT_FAULT_READ("getOutboxItem", getOutboxItem(id));
  }
  Result<std::vector<incidents::OutboxItem>> incidentOutbox(const std::string& incident_id) override {
    HT_FAULT_READ("incidentOutbox", incidentOutbox(incident_id));
  }
  Result<bool> claimOutboxItem(int64_t id, TimePoint now, TimePoint lease_until) override {
    HT_FAULT_WRITE("claimOutboxItem", claimOutboxItem(id, now, lease_until));
  }
  Result<int64_t> countRouteAnnouncements(const std::string& route, TimePoint since) override {
    HT_FAULT_READ("countRouteAnnouncements", countRouteAnnouncements(route, since));
  }
  Result<std::optional<int64_t>> triggerId(const std::string& event_id, const std::string& token_id,
                                           detect::TriggerClass trigger_class) override {
    HT_FAULT_READ("triggerId", triggerId(event_id, token_id, trigger_class));
  }
  Result<std::optional<std::string>> getSetting(const std::string& key) override {
    HT_FAULT_READ("getSetting", getSetting(key));
  }
  Result<std::string> setSettingIfAbsent(const std::string& key,
                                         const std::string& value) override {
    HT_FAULT_WRITE("setSettingIfAbsent", setSettingIfAbsent(key, value));
  }

#undef HT_FAULT_WRITE
#undef HT_FAULT_READ

 private:
  Status inject(const char* what, bool write) {
    Fault f = fault_.load();
    if (f == Fault::kNone || (!write && !reads_too_.load())) return Status::ok();
    if (budget_.fetch_sub(1) > 0) return Status::ok();
    ++injected_;
    return statusFor(f, what);
  }

  store::Store& inner_;
  std::atomic<Fault> fault_{Fault::kNone};
  std::atomic<int> budget_{0};
  std::atomic<bool> reads_too_{false};
  std::atomic<int> injected_{0};
};

}  // namespace ht::test
