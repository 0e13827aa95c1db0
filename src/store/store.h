// The storage interface. Everything above it (token services, CLI) speaks only to this class;
// SQL lives in the back-ends (sqlite/ now, postgres/ later). Every mutation takes the audit
// entry that describes it and writes both in one transaction, so the audit log cannot miss a
// change that happened.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "tokens/model.h"

namespace ht::store {

// A secret access key encrypted by the SecretVault. The store never sees plaintext.
struct SealedSecret {
  std::string nonce;       // raw bytes
  std::string ciphertext;  // raw bytes
};

struct TokenFilter {
  std::optional<tokens::TokenStatus> status;
};

// What the last-used safety net saw last for a token (GetAccessKeyLastUsed).
struct LastUsedState {
  std::string token_id;
  std::optional<TimePoint> last_used_at;  // absent: never used when last checked
  std::string service;
  std::string region;
  TimePoint checked_at{};
};

// One use (or touch, or exposure) of a honey token, as detection found it. Unique per CloudTrail
// eventID, token and class, so that a file delivered twice or read again after a restart never
// makes a second trigger.
struct TriggerRecord {
  int64_t id = 0;
  std::string event_id;
  std::string token_id;
  std::string trigger_class;  // used, session-used, touched, exposed
  std::string source;         // where it was read: a file path, s3://..., eventbridge, last-used
  std::optional<TimePoint> event_time;
  std::string event_source;
  std::string event_name;
  std::string aws_region;
  std::string source_ip;
  std::string user_agent;
  std::string error_code;
  std::string error_message;
  std::string recipient_account_id;
  std::string request_id;
  std::optional<bool> read_only;
  std::string client;
  std::string intent;
  std::string matched_on;
  std::string record;  // the CloudTrail record as read
  TimePoint created_at{};
  // Local enrichment of source_ip (detect/enrich.h); empty/unset when not configured.
  std::string source_country;
  std::optional<uint32_t> source_asn;
  std::string source_as_org;
  std::optional<bool> source_tor;
  // The safety net's triggers carry the service AWS recorded (event_source is empty for them).
  std::string service;
};

// What a live source has done, for `honeytrail sources` and the blind-source finding. Counters
// are totals since the source first ran.
struct SourceHealth {
  std::string source;                     // "s3:BUCKET", "sqs:QUEUE-NAME", "push", "last-used"
  std::string kind;                       // s3 | sqs | push | last-used
  std::optional<TimePoint> started_at;    // this process's start of the source
  std::optional<TimePoint> last_poll_at;  // last completed poll or request, even with no data
  std::optional<TimePoint> last_data_at;  // last time new data (an object, a record) arrived
  std::string last_object;
  std::optional<TimePoint> newest_event_time;
  uint64_t objects = 0;
  uint64_t records = 0;
  uint64_t triggers = 0;
  uint64_t bad_objects = 0;  // unreadable objects, poison messages, rejected requests
  uint64_t errors = 0;       // failed polls (AWS errors, network)
  std::string last_error;
  std::optional<TimePoint> last_error_at;
  TimePoint updated_at{};
};

// A group of one token's triggers, from the first until the window after the last has passed.
struct Incident {
  std::string id;  // "inc-" + 10 characters; stable, receivers de-duplicate on it
  std::string token_id;
  std::string state;     // open | acknowledged | confirmed | false-positive | resolved
  std::string severity;  // critical | high | medium | low | info
  std::string title;
  TimePoint opened_at{};
  TimePoint first_seen{};
  TimePoint last_seen{};
  uint64_t trigger_count = 0;
  std::string seen;  // JSON: behaviours seen so far (source IPs, regions, write, data, exposed)
  TimePoint updated_at{};
};

// One entry of an incident's timeline: triggers, state changes, notes, notifications, actions.
struct IncidentEvent {
  int64_t id = 0;
  std::string incident_id;
  TimePoint at{};
  std::string kind;  // opened | trigger | escalation | state | note | notified | action
  std::string actor;
  std::string text;
  std::string details = "{}";  // JSON
};

// A notification waiting to be delivered (or delivered, or given up on: dead).
struct OutboxItem {
  int64_t id = 0;
  std::string incident_id;
  std::string output;  // the configured output's name, or "action:NAME"
  std::string kind;    // new | escalation | resolved | test
  std::string body;    // the rendered payload: retries send the same bytes
  // pending | sent | dead; actions also: approval (waiting for a person), dry-run (recorded,
  // never run), rejected.
  std::string state = "pending";
  std::string route;   // the route that caused it ("" for `alert test` without one)
  std::string result;  // what a response action printed or answered (at most 64 KiB)
  int attempts = 0;
  TimePoint created_at{};
  TimePoint next_attempt_at{};
  std::string last_error;
  std::optional<TimePoint> sent_at;
};

struct IncidentFilter {
  std::optional<std::string> state;
  std::optional<std::string> token_id;
  int limit = 1000;
};

struct TriggerFilter {
  std::optional<std::string> token_id;
  std::optional<std::string> incident_id;  // the triggers an incident holds
  // Only triggers that no incident holds yet: what a crash between storing a trigger and
  // grouping it left behind, picked up at the next start.
  bool without_incident = false;
  int limit = 1000;
};

class Store {
 public:
  virtual ~Store() = default;

  // Schema version after migrations were applied at open.
  virtual Result<int> schemaVersion() = 0;

  virtual Status createToken(const tokens::Token& token, const std::optional<SealedSecret>& secret,
                             const tokens::AuditEntry& audit) = 0;
  // Looks a token up by registry ID or by access key ID.
  virtual Result<tokens::Token> findToken(const std::string& id_or_key_id) = 0;
  virtual Result<std::vector<tokens::Token>> listTokens(const TokenFilter& filter) = 0;
  virtual Result<std::optional<SealedSecret>> loadSecret(const std::string& token_id) = 0;
  // Deletes the stored secret; the token's secret_state becomes kForgotten.
  virtual Status forgetSecret(const std::string& token_id, const tokens::AuditEntry& audit) = 0;
  virtual Status revokeToken(const std::string& token_id, TimePoint at, const std::string& reason,
                             const tokens::AuditEntry& audit) = 0;

  // Returns the new placement's ID.
  virtual Result<int64_t> addPlacement(const tokens::Placement& placement,
                                       tokens::AuditEntry audit) = 0;
  // All placements, or one token's when token_id is set.
  virtual Result<std::vector<tokens::Placement>> listPlacements(
      const std::optional<std::string>& token_id) = 0;

  virtual Result<int64_t> addCustody(const tokens::CustodyEvent& event,
                                     tokens::AuditEntry audit) = 0;
  virtual Result<std::vector<tokens::CustodyEvent>> listCustody(const std::string& token_id) = 0;

  // For actions that read rather than change (rendering a secret into a file).
  virtual Status appendAudit(const tokens::AuditEntry& audit) = 0;
  // Newest first.
  virtual Result<std::vector<tokens::AuditEntry>> listAudit(int limit) = 0;

  virtual Result<std::optional<LastUsedState>> getLastUsed(const std::string& token_id) = 0;
  virtual Status putLastUsed(const LastUsedState& state) = 0;

  // Stores a trigger; returns false (and changes nothing) when the same event, token and class
  // is already stored.
  virtual Result<bool> addTrigger(const TriggerRecord& trigger) = 0;
  // Oldest event first.
  virtual Result<std::vector<TriggerRecord>> listTriggers(const TriggerFilter& filter) = 0;

  // A change counter for the token registry: it grows whenever a token, placement or custody
  // record changes (the audit log's newest ID), so a long-running process knows when to reload.
  virtual Result<int64_t> registryVersion() = 0;

  // Live sources: a durable position per (source, position key), the objects already read (so
  // re-listing or a redelivered message reads nothing twice), and health.
  virtual Result<std::optional<std::string>> getCheckpoint(const std::string& source,
                                                           const std::string& position) = 0;
  virtual Status putCheckpoint(const std::string& source, const std::string& position,
                               const std::string& value, TimePoint at) = 0;
  virtual Result<bool> objectRead(const std::string& object) = 0;
  virtual Status markObjectRead(const std::string& object, const std::string& source, TimePoint at,
                                uint64_t records, uint64_t triggers) = 0;
  // Forgets objects read before `before` (they are older than any listing looks back).
  virtual Result<int64_t> pruneObjectsRead(TimePoint before) = 0;
  virtual Status putSourceHealth(const SourceHealth& health) = 0;
  virtual Result<std::vector<SourceHealth>> listSourceHealth() = 0;

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
  // The outbox: notifications due for delivery (pending, next_attempt_at <= now), oldest first;
  // and the outcome of one attempt, saved with its timeline entry in one transaction.
  virtual Result<std::vector<OutboxItem>> dueOutbox(TimePoint now, int limit) = 0;
  virtual Result<std::vector<OutboxItem>> listOutbox(const std::optional<std::string>& state) = 0;
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
  // The stored trigger's row ID by its unique key (event, token, class).
  virtual Result<std::optional<int64_t>> triggerId(const std::string& event_id,
                                                   const std::string& token_id,
                                                   const std::string& trigger_class) = 0;

  // Small key/value settings that belong to a data dir (the synthetic account ID).
  virtual Result<std::optional<std::string>> getSetting(const std::string& key) = 0;
  // Stores value unless the key is set; returns the value that is stored afterwards, so that two
  // processes racing to initialise a setting agree on one.
  virtual Result<std::string> setSettingIfAbsent(const std::string& key,
                                                 const std::string& value) = 0;
};

}  // namespace ht::store
