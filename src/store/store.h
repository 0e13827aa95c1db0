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
};

struct TriggerFilter {
  std::optional<std::string> token_id;
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

  // Small key/value settings that belong to a data dir (the synthetic account ID).
  virtual Result<std::optional<std::string>> getSetting(const std::string& key) = 0;
  // Stores value unless the key is set; returns the value that is stored afterwards, so that two
  // processes racing to initialise a setting agree on one.
  virtual Result<std::string> setSettingIfAbsent(const std::string& key,
                                                 const std::string& value) = 0;
};

}  // namespace ht::store
