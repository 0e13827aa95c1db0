// The registry's records: a token, where it is placed, and each hop of its chain of custody.
// Plain structs shared by the storage back-ends and the token services above them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"

namespace ht::tokens {

using Tags = std::map<std::string, std::string>;

enum class TokenStatus { kActive, kRevoked };
// Whether the registry holds the secret access key (encrypted): kept until forgotten after
// placement, or never kept at all (--no-store-secret, imports).
enum class SecretState { kStored, kForgotten, kNotKept };

const char* tokenStatusName(TokenStatus s);
bool parseTokenStatus(const std::string& text, TokenStatus* out);
const char* secretStateName(SecretState s);
bool parseSecretState(const std::string& text, SecretState* out);

struct Token {
  std::string id;       // registry ID, "ht-" + 10 lower-case base32 characters; stable, not secret
  std::string key_id;   // AKIA...; unique in the registry
  std::string backend;  // minting back-end: "synthetic", "import" or "aws"
  bool can_trigger = true;   // false for synthetic keys: AWS has never heard of them
  std::string account_id;    // decoded from the key ID, "" when the format carries none
  std::string user_name;     // IAM user that owns the key (what get-caller-identity reveals)
  std::string user_path;     // IAM path, "/" by default
  std::string user_arn;      // arn:aws:iam::ACCOUNT:user/PATH/NAME, when known
  std::string principal_id;  // AIDA..., lets detection recognise the user's session credentials
  std::string label;         // free text for people ("web-01 deploy creds")
  Tags tags;
  TokenStatus status = TokenStatus::kActive;
  SecretState secret_state = SecretState::kNotKept;
  TimePoint created_at{};      // when registered here
  TimePoint key_created_at{};  // when the key itself was made (AWS CreateDate; import may differ)
  std::optional<TimePoint> revoked_at;
  std::string revoke_reason;
};

struct Placement {
  int64_t id = 0;
  std::string token_id;
  std::string host;      // host name, laptop, account or "" for cloud resources
  std::string location;  // path on the host, or a resource (Lambda ARN, repo URL, mailbox)
  std::string
      kind;  // file, env-file, source, lambda, ec2-user-data, k8s-secret, repo, email, other
  std::string owner;  // team or person responsible for where it lives
  std::string notes;
  Tags tags;
  TimePoint created_at{};
};

// One hop of the chain of custody: who or what held the token, when, and how it got there.
struct CustodyEvent {
  int64_t id = 0;
  std::string token_id;
  std::optional<int64_t> placement_id;
  std::string holder;  // person, system or pipeline ("ansible@ci-02", "alice", "vault:kv/ops")
  std::string method;  // how it was delivered: created, rendered, scp, ansible, agent, email, ...
  TimePoint at{};
  std::string notes;
};

// A change to the registry: who did what to which object. Never holds secret material.
struct AuditEntry {
  int64_t id = 0;
  TimePoint at{};
  std::string actor;        // user@host of the process that made the change
  std::string action;       // token.create, token.revoke, placement.add, secret.forget, ...
  std::string object_type;  // token, placement, custody
  std::string object_id;
  std::string details;  // JSON object
};

}  // namespace ht::tokens
