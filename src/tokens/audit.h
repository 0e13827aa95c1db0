// The OPSEC audit: what an attacker who finds a honey token can learn from it without tripping
// it, and each way that knowledge could tell them it is a trap. Pure functions over registry
// records, so the CLI, the web UI and the tests all get the same findings.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/options.h"
#include "core/clock.h"
#include "core/severity.h"
#include "core/status.h"
#include "tokens/model.h"

namespace ht::tokens {

// Findings share the severity scale of incidents (core/severity.h).
using ht::Severity;

struct Finding {
  std::string token_id;
  std::string key_id;
  std::string code;  // stable kebab-case ID ("canary-account"); scripts and suppressions use it
  Severity severity = Severity::kInfo;
  std::string message;  // what an attacker learns or notices
  std::string fix;      // a concrete next step
};

// Stable finding codes, one per check.
inline constexpr const char* kFindingExposes = "exposes";
inline constexpr const char* kFindingCanaryAccount = "canary-account";
inline constexpr const char* kFindingRealAccount = "real-account";
inline constexpr const char* kFindingArnAccountMismatch = "arn-account-mismatch";
inline constexpr const char* kFindingNameTell = "name-tell";
inline constexpr const char* kFindingNameRandom = "name-random";
inline constexpr const char* kFindingNameGeneric = "name-generic";
inline constexpr const char* kFindingSharedAccount = "shared-account";
inline constexpr const char* kFindingKeyAge = "key-age";
inline constexpr const char* kFindingSecretStored = "secret-stored";
inline constexpr const char* kFindingNotPlaced = "not-placed";
inline constexpr const char* kFindingSynthetic = "synthetic-backend";
inline constexpr const char* kFindingKeyLooksFake = "key-looks-fake";

// AWS accounts that public secret scanners recognise as canary-token accounts, mapped to the
// name of the list each came from.
struct CanaryAccounts {
  std::map<std::string, std::string> accounts;  // account ID -> list name

  // The Thinkst canarytokens.org accounts and the "knock-off canary" accounts TruffleHog flags.
  static CanaryAccounts builtIn();
  // Adds every array of 12-digit strings found anywhere in a JSON file, named after its key.
  // Accounts already present keep their first list name.
  Status loadFile(const std::string& path);
  // The list name for account, or nullptr.
  const std::string* find(const std::string& account) const;
};

struct AuditInput {
  Token token;
  std::vector<Placement> placements;
};

// Runs every check on every token. Revoked tokens get only the "exposes" finding: they can no
// longer be used, but what they revealed stays revealed. The shared-account check emits one
// finding per token in an oversized group, so every affected token shows it. Sorted by severity
// (most severe first), then token ID.
std::vector<Finding> auditTokens(const std::vector<AuditInput>& inputs,
                                 const config::AuditOptions& options,
                                 const CanaryAccounts& canaries, TimePoint now);

// How many findings there are of each severity; a severity without findings has no entry.
std::map<Severity, int> countBySeverity(const std::vector<Finding>& findings);

}  // namespace ht::tokens
