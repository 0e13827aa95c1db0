// Triggers as detection stores them, and the last-used safety net's state, with the storage
// interface a back-end implements for them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "detect/trigger_class.h"

namespace ht::detect {

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
  TriggerClass trigger_class = TriggerClass::kUsed;
  std::string source;  // where it was read: a file path, s3://..., eventbridge, last-used
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

struct TriggerFilter {
  std::optional<std::string> token_id;
  std::optional<std::string> incident_id;  // the triggers an incident holds
  // Only triggers that no incident holds yet: what a crash between storing a trigger and
  // grouping it left behind, picked up at the next start.
  bool without_incident = false;
  int limit = 1000;
};

class TriggerStore {
 public:
  virtual ~TriggerStore() = default;
  virtual Result<std::optional<LastUsedState>> getLastUsed(const std::string& token_id) = 0;
  virtual Status putLastUsed(const LastUsedState& state) = 0;
  // Stores a trigger; returns false (and changes nothing) when the same event, token and class
  // is already stored.
  virtual Result<bool> addTrigger(const TriggerRecord& trigger) = 0;
  // Oldest event first.
  virtual Result<std::vector<TriggerRecord>> listTriggers(const TriggerFilter& filter) = 0;
  // The stored trigger's row ID by its unique key (event, token, class).
  virtual Result<std::optional<int64_t>> triggerId(const std::string& event_id,
                                                   const std::string& token_id,
                                                   TriggerClass trigger_class) = 0;
};

}  // namespace ht::detect
