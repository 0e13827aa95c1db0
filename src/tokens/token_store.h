// What the token registry keeps: tokens, their sealed secrets, placements and chain of custody,
// and the audit log every change is written to. A storage back-end (store/sqlite, later
// store/postgres) implements this; the registry and detection speak only to it. Every mutation
// takes the audit entry that describes it and writes both in one transaction, so the audit log
// cannot miss a change that happened: that is why a TokenStore is also the AuditLog.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "tokens/model.h"

namespace ht::tokens {

// A secret access key encrypted by the SecretVault. The store never sees plaintext.
struct SealedSecret {
  std::string nonce;       // raw bytes
  std::string ciphertext;  // raw bytes
};

struct TokenFilter {
  std::optional<tokens::TokenStatus> status;
};

// The audit log: who changed what, newest first.
class AuditLog {
 public:
  virtual ~AuditLog() = default;
  // For actions that read rather than change (rendering a secret into a file).
  virtual Status appendAudit(const AuditEntry& audit) = 0;
  // Newest first.
  virtual Result<std::vector<AuditEntry>> listAudit(int limit) = 0;
};

class TokenStore : public AuditLog {
 public:
  virtual Status createToken(const Token& token, const std::optional<SealedSecret>& secret,
                             const AuditEntry& audit) = 0;
  // Looks a token up by registry ID or by access key ID.
  virtual Result<Token> findToken(const std::string& id_or_key_id) = 0;
  virtual Result<std::vector<Token>> listTokens(const TokenFilter& filter) = 0;
  virtual Result<std::optional<SealedSecret>> loadSecret(const std::string& token_id) = 0;
  // Deletes the stored secret; the token's secret_state becomes kForgotten.
  virtual Status forgetSecret(const std::string& token_id, const AuditEntry& audit) = 0;
  virtual Status revokeToken(const std::string& token_id, TimePoint at, const std::string& reason,
                             const AuditEntry& audit) = 0;
  // Returns the new placement's ID.
  virtual Result<int64_t> addPlacement(const Placement& placement,
                                       AuditEntry audit) = 0;
  // All placements, or one token's when token_id is set.
  virtual Result<std::vector<Placement>> listPlacements(
      const std::optional<std::string>& token_id) = 0;
  virtual Result<int64_t> addCustody(const CustodyEvent& event,
                                     AuditEntry audit) = 0;
  virtual Result<std::vector<CustodyEvent>> listCustody(const std::string& token_id) = 0;
  // A change counter for the token registry: it grows whenever a token, placement or custody
  // record changes (the audit log's newest ID), so a long-running process knows when to reload.
  virtual Result<int64_t> registryVersion() = 0;
  // Small key/value settings that belong to a data dir (the synthetic account ID).
  virtual Result<std::optional<std::string>> getSetting(const std::string& key) = 0;
  // Stores value unless the key is set; returns the value that is stored afterwards, so that two
  // processes racing to initialise a setting agree on one.
  virtual Result<std::string> setSettingIfAbsent(const std::string& key,
                                                 const std::string& value) = 0;
};

}  // namespace ht::tokens
