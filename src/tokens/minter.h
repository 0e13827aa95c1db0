// Minting back-ends behind one interface: "synthetic" (format-valid keys that AWS has never
// issued, for demos and tests), "import" (a key made elsewhere, e.g. on the host itself, of
// which only the key ID travels) and "aws" (a real IAM user and key in the honey account).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "core/secret.h"
#include "core/status.h"
#include "tokens/model.h"


namespace ht::aws {
class IamClient;
}  // namespace ht::aws

namespace ht::tokens {

struct GeneratedName;
using NameSource = std::function<Result<GeneratedName>()>;

struct MintRequest {
  std::string user_name;  // "" = the back-end draws one from next_name
  std::string user_path;  // "" = the drawn path
  NameSource next_name;   // plausible names; the aws back-end draws again after a name collision
  Tags tags;
  // import only: what the key's maker told us.
  std::string key_id;
  std::string user_arn;
  std::string principal_id;
};

struct MintedKey {
  std::string key_id;
  SecretString secret;  // empty when the back-end never sees it (import)
  std::string account_id;
  std::string user_name;
  std::string user_path;
  std::string user_arn;
  std::string principal_id;
  bool can_trigger = true;
  TimePoint key_created_at{};
};

class Minter {
 public:
  virtual ~Minter() = default;
  virtual const char* name() const = 0;
  virtual Result<MintedKey> mint(const MintRequest& request) = 0;
  // Undoes what mint() made outside the registry (the IAM user and key for "aws").
  virtual Status retire(const Token& token) = 0;
};

// Synthetic keys encode account_id, so that all of one data dir's keys look like one account's.
std::unique_ptr<Minter> makeSyntheticMinter(std::string account_id, RandomSource& random,
                                            const Clock& clock);
std::unique_ptr<Minter> makeImportMinter(const Clock& clock);
struct AwsMinterOptions {
  std::string deny_policy_name = "default";
  int max_name_attempts = 5;  // generated names only: a chosen name that exists is an error
};
// Real IAM users in the honey account: CreateUser, an inline policy denying everything,
// CreateAccessKey; any failure part-way deletes what was made.
std::unique_ptr<Minter> makeAwsMinter(aws::IamClient& iam, AwsMinterOptions options,
                                      const Clock& clock);

// The inline policy every honey user carries: it denies every action on every resource, so the
// key can authenticate (and be detected) but never do anything.
const char* denyAllPolicyJson();
// Whether a policy document is exactly a deny-all (what `token verify` expects to find).
bool isDenyAllPolicy(const std::string& json);

std::vector<std::string> minterNames();

}  // namespace ht::tokens
